//! Command-line interface.

use sc_cli::RunCmd;

/// The node's command line: run a node, or one of the subcommands.
#[derive(Debug, clap::Parser)]
pub struct Cli {
    /// A subcommand; without one the node runs.
    #[command(subcommand)]
    pub subcommand: Option<Subcommand>,

    /// Options of a running node.
    #[clap(flatten)]
    pub run: RunCmd,
}

/// The node's subcommands.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
    /// Key management utilities.
    #[command(subcommand)]
    Key(sc_cli::KeySubcommand),

    /// Build a chain specification (`--chain dev|local|<file>`, `--raw` for the raw form).
    BuildSpec(sc_cli::BuildSpecCmd),

    /// Validate blocks.
    CheckBlock(sc_cli::CheckBlockCmd),

    /// Export blocks.
    ExportBlocks(sc_cli::ExportBlocksCmd),

    /// Export the state of a given block into a chain spec.
    ExportState(sc_cli::ExportStateCmd),

    /// Import blocks.
    ImportBlocks(sc_cli::ImportBlocksCmd),

    /// Remove the whole chain.
    PurgeChain(sc_cli::PurgeChainCmd),

    /// Revert the chain to a previous state.
    Revert(sc_cli::RevertCmd),

    /// Benchmarks (only in a node built with `--features runtime-benchmarks`; scripts/bench.sh).
    #[cfg(feature = "runtime-benchmarks")]
    #[command(subcommand)]
    Benchmark(frame_benchmarking_cli::BenchmarkCmd),

    /// Database meta columns information.
    ChainInfo(sc_cli::ChainInfoCmd),

    /// Feed prices as an oracle operator, from a replay file or HTTP endpoints.
    Feed(crate::feeder::FeedCmd),
}
