//! The node's RPC methods beyond Substrate's defaults.

pub mod calendar;
pub mod equities;
pub mod options;
pub mod pool;
pub mod prices;

use std::sync::Arc;

use jsonrpsee::RpcModule;
use perpetua_runtime::{opaque::Block, AccountId, Balance, Nonce};
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// A runtime call failed (the runtime panicked, or the block's state is gone).
pub fn runtime_error(e: impl std::fmt::Display) -> jsonrpsee::types::ErrorObjectOwned {
    jsonrpsee::types::ErrorObject::owned(
        calendar::RUNTIME_ERROR,
        format!("runtime error: {e}"),
        None::<()>,
    )
}

/// What the RPC methods need from the node.
pub struct FullDeps<C, P> {
    /// The client.
    pub client: Arc<C>,
    /// The transaction pool.
    pub pool: Arc<P>,
}

/// All of the node's RPC extensions.
pub fn create_full<C, P>(
    deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
    C: ProvideRuntimeApi<Block>,
    C: HeaderBackend<Block> + HeaderMetadata<Block, Error = BlockChainError> + 'static,
    C: Send + Sync + 'static,
    C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
    C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
    C::Api: BlockBuilder<Block>,
    C::Api: perpetua_primitives::runtime_api::MarketCalendarApi<Block>,
    C::Api: perpetua_primitives::runtime_api::PricesApi<Block, perpetua_runtime::AccountId>,
    C::Api: perpetua_primitives::runtime_api::OptionsApi<Block, AccountId>,
    C::Api: perpetua_primitives::runtime_api::EquitiesApi<Block>,
    C::Api: perpetua_primitives::runtime_api::PoolApi<Block>,
    P: TransactionPool + 'static,
{
    use calendar::{Calendar, CalendarApiServer};
    use equities::EquitiesRpcServer;
    use options::OptionsRpcServer;
    use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
    use pool::PoolRpcServer;
    use prices::PricesRpcServer;
    use substrate_frame_rpc_system::{System, SystemApiServer};

    let mut module = RpcModule::new(());
    let FullDeps { client, pool } = deps;

    module.merge(System::new(client.clone(), pool).into_rpc())?;
    module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
    module.merge(Calendar::new(client.clone()).into_rpc())?;
    module.merge(prices::Prices::new(client.clone()).into_rpc())?;
    module.merge(equities::Equities::new(client.clone()).into_rpc())?;
    module.merge(options::Options::new(client.clone()).into_rpc())?;
    module.merge(pool::Pool::new(client).into_rpc())?;

    Ok(module)
}

#[cfg(test)]
mod tests {
    /// A client tells errors apart by their code: no two of the node's mean the same number.
    #[test]
    fn error_codes_are_distinct() {
        let codes = [
            super::calendar::RUNTIME_ERROR,
            super::calendar::NOT_FOUND,
            super::prices::BAD_KEY,
            super::options::CANNOT_QUOTE,
            super::options::UNKNOWN_SERIES,
            super::options::NOT_IN_RUNTIME,
            super::equities::RUNTIME_ERROR,
            super::pool::UNKNOWN_POOL,
        ];
        let unique: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), codes.len(), "{codes:?}");
    }
}
