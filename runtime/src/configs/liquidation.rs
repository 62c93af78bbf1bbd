//! Liquidation: pallet-liquidation over the options margin engine, run by validators'
//! offchain workers.

use frame_support::traits::ConstU32;
use frame_system::EnsureRoot;
use sp_runtime::transaction_validity::TransactionPriority;

use sp_consensus_aura::sr25519::AuthorityId as AuraId;

use crate::{
    AccountId, MarketCalendar, Options, Pool, Prices, Runtime, RuntimeCall, RuntimeEvent,
    Timestamp, UncheckedExtrinsic,
};

frame_support::parameter_types! {
    /// Unsigned liquidations outrank every signed transaction, whatever its tip.
    pub const LiquidationPriority: TransactionPriority = TransactionPriority::MAX;
    /// Unsigned liquidations leave the pool after 3 blocks (9 s): stale ones never linger.
    pub const LiquidationLongevity: u64 = 3;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
    RuntimeCall: From<C>,
{
    type Extrinsic = UncheckedExtrinsic;
    type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateBare<C> for Runtime
where
    RuntimeCall: From<C>,
{
    fn create_bare(call: RuntimeCall) -> UncheckedExtrinsic {
        UncheckedExtrinsic::new_bare(call)
    }
}

/// This node's place among the Aura authorities, from the Aura keys in its keystore.
pub struct AuraValidators;
impl pallet_liquidation::LocalValidator for AuraValidators {
    fn local() -> Option<(u32, u32)> {
        let authorities = pallet_aura::Authorities::<Runtime>::get();
        let local = sp_io::crypto::sr25519_public_keys(sp_core::crypto::key_types::AURA);
        authorities
            .iter()
            .position(|a| local.iter().any(|k| AuraId::from(*k) == *a))
            .map(|i| (i as u32, authorities.len() as u32))
    }
}

impl pallet_liquidation::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = EnsureRoot<AccountId>;
    type Engine = Options;
    type Pool = Pool;
    type Prices = Prices;
    type Clock = MarketCalendar;
    type Time = Timestamp;
    type Validators = AuraValidators;
    type UnsignedPriority = LiquidationPriority;
    type UnsignedLongevity = LiquidationLongevity;
    /// The options pallet's `MaxPositions`.
    type MaxPositions = ConstU32<16>;
    type ActionTouchWeight = crate::configs::equities::ActionTouchWeight;
    type MaxPerBlock = ConstU32<2_000>;
    type WeightInfo = pallet_liquidation::weights::SubstrateWeight<Runtime>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = benchmark_helper::LiquidationHelper;
}

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmark_helper {
    use crate::{AccountId, Options, Runtime};
    use perpetua_primitives::{AssetId, CryptoIndex, Moment, OracleKey, Price};

    pub struct LiquidationHelper;
    impl pallet_liquidation::BenchmarkHelper<AccountId> for LiquidationHelper {
        fn accounts(n: u32, positions: u32) -> (AssetId, alloc::vec::Vec<AccountId>) {
            let lp: AccountId = frame_benchmarking::account("lp", 0, 0);
            let settlement = <crate::configs::options::benchmark_helper::OptionsHelper as pallet_options::BenchmarkHelper<AccountId>>::settlement(
                &lp,
                1_000_000_000_000_000_000,
            );
            // One TSLA-like unit of margin each: healthy at the helper's prices.
            let accounts = Options::bench_accounts(settlement, n, positions, 1_000_000_000_000)
                .unwrap_or_default();
            (settlement, accounts)
        }

        fn crash(_: AssetId, down: bool) {
            let btc = if down { 40_000 } else { 150_000 };
            let key = OracleKey::Crypto(CryptoIndex::Btc);
            pallet_prices::Accepted::<Runtime>::mutate(key, |p| {
                if let Some(p) = p {
                    p.value = Price::from_u32(btc);
                    p.fresh_until = Moment::MAX;
                    p.valid_until = Moment::MAX;
                }
            });
            pallet_prices::Ema::<Runtime>::mutate(key, |e| {
                if let Some(e) = e {
                    e.value = Price::from_u32(btc);
                }
            });
        }
    }
}
