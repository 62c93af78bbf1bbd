//! perpetua-node: the Perpetua validator and full node.
#![warn(missing_docs)]
// sc_cli::Error is large and not ours to box.
#![allow(clippy::result_large_err)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod feeder;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
    command::run()
}
