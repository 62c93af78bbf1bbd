//! Weights measured on this project's machines.
//!
//! `paritydb_weights`: ParityDB read and write weights from the node's `benchmark storage`
//! (`scripts/db-weights.sh`, docs/THROUGHPUT.md), used as `frame_system::Config::DbWeight`.

pub mod paritydb_weights;
