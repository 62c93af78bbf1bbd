//! Dispatches the command line to the node or a subcommand.

use crate::{
    chain_spec,
    cli::{Cli, Subcommand},
    service,
};
use perpetua_runtime::{opaque::Block as OpaqueBlock, Block};
use sc_cli::SubstrateCli;
use sc_service::PartialComponents;

impl SubstrateCli for Cli {
    fn impl_name() -> String {
        "Perpetua Node".into()
    }

    fn impl_version() -> String {
        env!("SUBSTRATE_CLI_IMPL_VERSION").into()
    }

    fn description() -> String {
        env!("CARGO_PKG_DESCRIPTION").into()
    }

    fn author() -> String {
        env!("CARGO_PKG_AUTHORS").into()
    }

    fn support_url() -> String {
        "https://github.com/perpetua-chain/perpetua/issues".into()
    }

    fn copyright_start_year() -> i32 {
        2026
    }

    fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
        chain_spec::load(id)
    }
}

/// Parses the command line and runs it.
pub fn run() -> sc_cli::Result<()> {
    let cli = Cli::from_args();

    match &cli.subcommand {
        Some(Subcommand::Key(cmd)) => cmd.run(&cli),
        Some(Subcommand::BuildSpec(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
        }
        Some(Subcommand::CheckBlock(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.async_run(|config| {
                let PartialComponents {
                    client,
                    task_manager,
                    import_queue,
                    ..
                } = service::new_partial(&config)?;
                Ok((cmd.run(client, import_queue), task_manager))
            })
        }
        Some(Subcommand::ExportBlocks(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.async_run(|config| {
                let PartialComponents {
                    client,
                    task_manager,
                    ..
                } = service::new_partial(&config)?;
                Ok((cmd.run(client, config.database), task_manager))
            })
        }
        Some(Subcommand::ExportState(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.async_run(|config| {
                let PartialComponents {
                    client,
                    task_manager,
                    ..
                } = service::new_partial(&config)?;
                Ok((cmd.run(client, config.chain_spec), task_manager))
            })
        }
        Some(Subcommand::ImportBlocks(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.async_run(|config| {
                let PartialComponents {
                    client,
                    task_manager,
                    import_queue,
                    ..
                } = service::new_partial(&config)?;
                Ok((cmd.run(client, import_queue), task_manager))
            })
        }
        Some(Subcommand::PurgeChain(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.sync_run(|config| cmd.run(config.database))
        }
        Some(Subcommand::Revert(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.async_run(|config| {
                let PartialComponents {
                    client,
                    task_manager,
                    backend,
                    ..
                } = service::new_partial(&config)?;
                let aux_revert = Box::new(|client, _, blocks| {
                    sc_consensus_grandpa::revert(client, blocks)?;
                    Ok(())
                });
                Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
            })
        }
        #[cfg(feature = "runtime-benchmarks")]
        Some(Subcommand::Benchmark(cmd)) => run_benchmark(&cli, cmd),
        Some(Subcommand::Feed(cmd)) => {
            if let Err(e) = crate::feeder::run(cmd) {
                eprintln!("perpetua-node feed: {e}");
                std::process::exit(2);
            }
            Ok(())
        }
        Some(Subcommand::ChainInfo(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.sync_run(|config| cmd.run::<Block>(&config))
        }
        None => {
            let runner = cli.create_runner(&cli.run)?;
            runner.run_node_until_exit(|config| async move {
                match config.network.network_backend {
                    sc_network::config::NetworkBackendType::Libp2p => service::new_full::<
                        sc_network::NetworkWorker<
                            OpaqueBlock,
                            <OpaqueBlock as sp_runtime::traits::Block>::Hash,
                        >,
                    >(config)
                    .map_err(sc_cli::Error::Service),
                    sc_network::config::NetworkBackendType::Litep2p => {
                        service::new_full::<sc_network::Litep2pNetworkBackend>(config)
                            .map_err(sc_cli::Error::Service)
                    }
                }
            })
        }
    }
}

/// `benchmark ...`: only in a node built with `--features runtime-benchmarks`.
#[cfg(feature = "runtime-benchmarks")]
fn run_benchmark(cli: &Cli, cmd: &frame_benchmarking_cli::BenchmarkCmd) -> sc_cli::Result<()> {
    use crate::benchmarking::{inherent_benchmark_data, RemarkBuilder, TransferKeepAliveBuilder};
    use frame_benchmarking_cli::{BenchmarkCmd, ExtrinsicFactory, SUBSTRATE_REFERENCE_HARDWARE};
    use perpetua_runtime::EXISTENTIAL_DEPOSIT;
    use sp_keyring::Sr25519Keyring;

    let runner = cli.create_runner(cmd)?;
    runner.sync_run(|config| match cmd {
        BenchmarkCmd::Pallet(cmd) => {
            cmd.run_with_spec::<sp_runtime::traits::HashingFor<Block>, ()>(Some(config.chain_spec))
        }
        BenchmarkCmd::Block(cmd) => {
            let PartialComponents { client, .. } = service::new_partial(&config)?;
            cmd.run(client)
        }
        BenchmarkCmd::Storage(cmd) => {
            let PartialComponents {
                client, backend, ..
            } = service::new_partial(&config)?;
            let db = backend.expose_db();
            let storage = backend.expose_storage();
            let shared_trie_cache = backend.expose_shared_trie_cache();
            cmd.run(config, client, db, storage, shared_trie_cache)
        }
        BenchmarkCmd::Overhead(cmd) => {
            let PartialComponents { client, .. } = service::new_partial(&config)?;
            let ext_builder = RemarkBuilder::new(client.clone());
            cmd.run(
                config.chain_spec.name().into(),
                client,
                inherent_benchmark_data()?,
                Vec::new(),
                &ext_builder,
                false,
            )
        }
        BenchmarkCmd::Extrinsic(cmd) => {
            let PartialComponents { client, .. } = service::new_partial(&config)?;
            let ext_factory = ExtrinsicFactory(vec![
                Box::new(RemarkBuilder::new(client.clone())),
                Box::new(TransferKeepAliveBuilder::new(
                    client.clone(),
                    Sr25519Keyring::Alice.to_account_id(),
                    EXISTENTIAL_DEPOSIT,
                )),
            ]);
            cmd.run(client, inherent_benchmark_data()?, Vec::new(), &ext_factory)
        }
        BenchmarkCmd::Machine(cmd) => cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone()),
    })
}
