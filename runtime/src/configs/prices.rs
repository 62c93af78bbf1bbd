//! Prices: pallet-prices over the orml-oracle instance, with market-hours freshness.

use frame_support::traits::ConstU32;
use frame_system::EnsureRoot;

use crate::{
    configs::oracle::{MAX_FEED_VALUES, MAX_ORACLE_OPERATORS},
    AccountId, Equities, MarketCalendar, Runtime, RuntimeEvent, Timestamp,
};

impl pallet_prices::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = EnsureRoot<AccountId>;
    type Oracle = pallet_prices::OrmlOracleFeed<Runtime>;
    type Time = Timestamp;
    type Clock = MarketCalendar;
    type Stocks = Equities;
    type MaxOperators = ConstU32<MAX_ORACLE_OPERATORS>;
    type MaxFeedValues = ConstU32<MAX_FEED_VALUES>;
    /// Every stock plus BTC, ETH, their volatilities and PRP.
    type MaxKeys = ConstU32<MAX_FEED_VALUES>;
    type WeightInfo = pallet_prices::weights::SubstrateWeight<Runtime>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = benchmark_helper::PricesHelper;
}

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmark_helper {
    use crate::{AccountId, Runtime};
    use frame_system::RawOrigin;
    use perpetua_primitives::{AssetId, Moment};

    pub struct PricesHelper;
    impl pallet_prices::BenchmarkHelper<AccountId> for PricesHelper {
        fn operator(i: u32) -> AccountId {
            // The set's members first (the genesis operators), then new ones up to the bound.
            let members =
                pallet_membership::Members::<Runtime, pallet_membership::Instance1>::get();
            if let Some(who) = members.get(i as usize) {
                return who.clone();
            }
            let who: AccountId = frame_benchmarking::account("operator", i, 0);
            let _ = pallet_membership::Pallet::<Runtime, pallet_membership::Instance1>::add_member(
                RawOrigin::Root.into(),
                who.clone().into(),
            );
            who
        }

        fn stock(i: u32) -> AssetId {
            // The listed stocks first, then new listings.
            let mut listed: alloc::vec::Vec<AssetId> =
                pallet_equities::Stocks::<Runtime>::iter_keys().collect();
            listed.sort();
            if let Some(id) = listed.get(i as usize) {
                return *id;
            }
            let mut ticker = b"BNCH".to_vec();
            ticker.extend_from_slice(&[b'A' + (i % 26) as u8, b'A' + ((i / 26) % 26) as u8]);
            let ticker: pallet_equities::Ticker = ticker.try_into().unwrap_or_default();
            if let Some(id) = pallet_equities::TickerIndex::<Runtime>::get(&ticker) {
                return id;
            }
            let custodian: AccountId = frame_benchmarking::account("custodian", 0, 0);
            let _ = pallet_equities::Pallet::<Runtime>::list_stock(
                RawOrigin::Root.into(),
                ticker.clone(),
                b"Benchmark".to_vec().try_into().unwrap_or_default(),
                12,
                0,
                custodian.into(),
                None,
                1,
            );
            pallet_equities::TickerIndex::<Runtime>::get(&ticker).unwrap_or_default()
        }

        fn set_time(ms: Moment) {
            pallet_timestamp::Now::<Runtime>::put(ms);
        }
    }
}
