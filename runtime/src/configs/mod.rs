//! Pallet configuration, one module per domain. Every risk or economic parameter of the chain is
//! either a constant here (documented where it is declared) or a pallet's own config storage.

pub mod assets;
pub mod equities;
pub mod governance;
pub mod liquidation;
pub mod monetary;
pub mod options;
pub mod oracle;
pub mod pool;
pub mod prices;
pub mod system;
pub mod validators;

pub use system::RuntimeBlockWeights;
