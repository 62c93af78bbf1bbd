//! Weights measured on this project's machines, with the release node.
//!
//! - `paritydb_weights`: ParityDB read and write weights from the node's `benchmark storage`
//!   (`scripts/db-weights.sh`), used as `frame_system::Config::DbWeight`.
//! - `block_weights`, `extrinsic_weights`: an empty block's execution and one more extrinsic's
//!   (signature check and transaction extensions included), from `benchmark overhead`;
//!   `frame_system_extensions`, `pallet_transaction_payment`: the transaction extensions' own
//!   weights, from `benchmark pallet` (all four by `scripts/base-weights.sh`).
//!
//! Figures and commands: docs/THROUGHPUT.md.

pub mod block_weights;
pub mod extrinsic_weights;
pub mod frame_system_extensions;
pub mod pallet_transaction_payment;
pub mod paritydb_weights;
