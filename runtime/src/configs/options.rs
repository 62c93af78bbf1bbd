//! Perpetual option markets: pallet-options, with the pools as counterparty.

use frame_support::{parameter_types, traits::ConstU32, PalletId};
use frame_system::EnsureRoot;

use crate::{AccountId, Equities, MarketCalendar, Pool, Prices, Runtime, RuntimeEvent, Timestamp};

parameter_types! {
    /// Pot accounts holding traders' collateral, one per settlement asset.
    pub const OptionsPalletId: PalletId = PalletId(*b"prp/optn");
}

/// The most option markets. Every market may be settled in a stock of its own, so there are as
/// many pools (and stock listings, for the hook's benchmark: each market its own settlement).
pub const MAX_MARKETS: u32 = 512;

impl pallet_options::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = EnsureRoot<AccountId>;
    type Prices = Prices;
    type Clock = MarketCalendar;
    type Pool = Pool;
    /// Tokens move through pallet-equities, which carries corporate actions through them.
    type Mover = Equities;
    type ActionTouchWeight = crate::configs::equities::ActionTouchWeight;
    type Time = Timestamp;
    type PalletId = OptionsPalletId;
    /// 250 stocks and more, each with a BTC and an ETH market (issue 17).
    type MaxMarkets = ConstU32<MAX_MARKETS>;
    /// A pool's book is valued over its series on every LP flow: 32 strikes and kinds.
    type MaxSeriesPerSettlement = ConstU32<32>;
    /// The block hook's work: funding of every series, each block (250 stocks with 12 series
    /// each are 3,000; docs/SCALE.md measures the hook there).
    type MaxSeries = ConstU32<4_096>;
    /// An account's health is valued over its positions on every trade and withdrawal.
    type MaxPositions = ConstU32<16>;
    type MaxCollateralAssets = ConstU32<4>;
    type WeightInfo = pallet_options::weights::SubstrateWeight<Runtime>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = benchmark_helper::OptionsHelper;
}

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmark_helper {
    use crate::{AccountId, Assets, Equities, Pool, Runtime, RuntimeOrigin};
    use frame_support::traits::fungibles::Mutate;
    use perpetua_primitives::{AssetId, Balance, CryptoIndex, Moment, OracleKey, Price, Tranche};

    /// Monday 2026-11-30 15:00 UTC: Nasdaq is open.
    const OPEN: Moment = 1_796_050_800_000;

    pub struct OptionsHelper;

    fn set_price(key: OracleKey, value: Price) {
        let point = pallet_prices::PricePoint {
            value,
            timestamp: OPEN,
            fresh_until: Moment::MAX,
            valid_until: Moment::MAX,
            in_session_at: Some(OPEN),
        };
        pallet_prices::Accepted::<Runtime>::insert(key, point);
        pallet_prices::Ema::<Runtime>::insert(
            key,
            pallet_prices::EmaPoint {
                value,
                updated_at: OPEN,
            },
        );
    }

    impl pallet_options::BenchmarkHelper<AccountId> for OptionsHelper {
        fn settlement_at(i: u32, lp: &AccountId, capital: Balance) -> AssetId {
            pallet_timestamp::Now::<Runtime>::put(OPEN);
            let ticker = if i == 0 {
                b"BNCHOPT".to_vec()
            } else {
                alloc::format!("BNCHS{i}").into_bytes()
            };
            let ticker: pallet_equities::Ticker = ticker.try_into().unwrap_or_default();
            if pallet_equities::TickerIndex::<Runtime>::get(&ticker).is_none() {
                let custodian: AccountId = frame_benchmarking::account("custodian", 0, 0);
                let _ = Equities::list_stock(
                    RuntimeOrigin::root(),
                    ticker.clone(),
                    b"Benchmark".to_vec().try_into().unwrap_or_default(),
                    12,
                    pallet_market_calendar::nyse::NASDAQ,
                    custodian.into(),
                    None,
                    1,
                );
            }
            let asset = pallet_equities::TickerIndex::<Runtime>::get(&ticker).unwrap_or_default();
            set_price(OracleKey::Asset(asset), Price::from_u32(400));
            set_price(
                OracleKey::Crypto(CryptoIndex::Btc),
                Price::from_u32(100_000),
            );
            set_price(
                OracleKey::ImpliedVol(CryptoIndex::Btc),
                Price::from_rational(60, 100),
            );
            let _ = <Assets as Mutate<AccountId>>::mint_into(asset, lp, capital.saturating_mul(2));
            let _ = Pool::create_pool(
                RuntimeOrigin::root(),
                asset,
                pallet_pool::PoolParams::default(),
            );
            let _ = Pool::deposit_now(lp, asset, Tranche::Main, capital, 0);
            asset
        }

        fn set_price(key: OracleKey, price: Price) {
            set_price(key, price);
        }

        fn advance_time(ms: Moment) {
            pallet_timestamp::Now::<Runtime>::mutate(|t| *t = t.saturating_add(ms));
        }

        fn collateral_stock(i: u32, to: &AccountId) -> AssetId {
            let ticker: pallet_equities::Ticker = alloc::format!("BNCHC{i}")
                .into_bytes()
                .try_into()
                .unwrap_or_default();
            if pallet_equities::TickerIndex::<Runtime>::get(&ticker).is_none() {
                let custodian: AccountId = frame_benchmarking::account("custodian", 0, 0);
                let _ = Equities::list_stock(
                    RuntimeOrigin::root(),
                    ticker.clone(),
                    b"Benchmark collateral"
                        .to_vec()
                        .try_into()
                        .unwrap_or_default(),
                    12,
                    pallet_market_calendar::nyse::NASDAQ,
                    custodian.into(),
                    None,
                    1,
                );
            }
            let asset = pallet_equities::TickerIndex::<Runtime>::get(&ticker).unwrap_or_default();
            set_price(OracleKey::Asset(asset), Price::from_u32(150));
            let _ =
                <Assets as Mutate<AccountId>>::mint_into(asset, to, 1_000_000 * 1_000_000_000_000);
            asset
        }
    }
}
