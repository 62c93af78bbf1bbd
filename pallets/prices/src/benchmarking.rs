//! Benchmarks (frame-benchmarking v2) for every call and for the block hook.

use super::*;
use crate::Pallet as Prices;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{traits::EnsureOrigin, BoundedVec};
use frame_system::RawOrigin;
use sp_runtime::traits::One;

/// Friday 2026-12-04 20:59:30 UTC, half a minute before the NYSE close: accepting a stock price
/// then needs the most session lookups (it carries over the weekend).
const FRIDAY_CLOSE: Moment = 1_796_417_970_000;

fn admin<T: Config>() -> T::RuntimeOrigin {
    T::AdminOrigin::try_successful_origin().unwrap_or_else(|_| RawOrigin::Root.into())
}

const NON_STOCK_KEYS: [OracleKey; 5] = [
    OracleKey::Crypto(CryptoIndex::Btc),
    OracleKey::Crypto(CryptoIndex::Eth),
    OracleKey::Native,
    OracleKey::ImpliedVol(CryptoIndex::Btc),
    OracleKey::ImpliedVol(CryptoIndex::Eth),
];

/// `n` distinct keys: stocks (the costliest to accept) then the five others.
fn keys<T: Config>(n: u32) -> Vec<OracleKey> {
    let stocks = n.saturating_sub(NON_STOCK_KEYS.len() as u32);
    let mut out: Vec<OracleKey> = (0..stocks)
        .map(|i| OracleKey::Asset(T::BenchmarkHelper::stock(i)))
        .collect();
    out.extend(NON_STOCK_KEYS.iter().take((n - stocks) as usize));
    out
}

fn price(x: u32) -> Price {
    Price::from_u32(x)
}

/// A value for `key` (volatilities within their bounds) and a second one 100% away.
fn pair_for(key: &OracleKey) -> (Price, Price) {
    match key {
        OracleKey::ImpliedVol(_) => (Price::from_rational(1, 2), Price::one()),
        _ => (price(100), price(200)),
    }
}

#[benchmarks]
mod benches {
    use super::*;

    /// An operator feeds `n` keys with the largest operator set, the others' values already
    /// in: each feed combines every operator's raw value into a quorum median that jumps
    /// beyond the breaker: the costliest path (read all, sort, compare, hold, event).
    #[benchmark]
    fn feed(
        n: Linear<1, { T::MaxFeedValues::get().min(T::MaxKeys::get()) }>,
    ) -> Result<(), BenchmarkError> {
        T::BenchmarkHelper::set_time(FRIDAY_CLOSE);
        let ops: Vec<T::AccountId> = (0..T::MaxOperators::get())
            .map(T::BenchmarkHelper::operator)
            .collect();
        let op = ops
            .first()
            .cloned()
            .ok_or(BenchmarkError::Stop("no operator"))?;
        let ks = keys::<T>(n);
        let params = Params::<T>::get();
        for k in &ks {
            Prices::<T>::accept(*k, pair_for(k).0, FRIDAY_CLOSE, &params)
                .map_err(|_| BenchmarkError::Stop("accept"))?;
            for other in ops.iter().skip(1) {
                T::Oracle::feed(other, *k, pair_for(k).1)
                    .map_err(|_| BenchmarkError::Stop("raw value"))?;
            }
        }
        let fed: Vec<(OracleKey, Price)> = ks.iter().map(|k| (*k, pair_for(k).1)).collect();
        let values = BoundedVec::truncate_from(fed);
        #[extrinsic_call]
        _(RawOrigin::Signed(op), values);
        assert_eq!(Held::<T>::iter().count() as u32, n);
        Ok(())
    }

    #[benchmark]
    fn confirm_held() -> Result<(), BenchmarkError> {
        T::BenchmarkHelper::set_time(FRIDAY_CLOSE);
        let key = OracleKey::Asset(T::BenchmarkHelper::stock(0));
        let block = frame_system::Pallet::<T>::block_number();
        Held::<T>::insert(
            key,
            Pending {
                value: price(200),
                timestamp: FRIDAY_CLOSE,
                since_block: block,
                opened_by: T::BenchmarkHelper::operator(0),
            },
        );
        #[extrinsic_call]
        _(admin::<T>() as T::RuntimeOrigin, key);
        assert!(Accepted::<T>::contains_key(key));
        Ok(())
    }

    #[benchmark]
    fn reject_held() -> Result<(), BenchmarkError> {
        let key = OracleKey::Crypto(CryptoIndex::Btc);
        let block = frame_system::Pallet::<T>::block_number();
        Held::<T>::insert(
            key,
            Pending {
                value: price(200),
                timestamp: 0,
                since_block: block,
                opened_by: T::BenchmarkHelper::operator(0),
            },
        );
        #[extrinsic_call]
        _(admin::<T>() as T::RuntimeOrigin, key);
        assert!(!Held::<T>::contains_key(key));
        Ok(())
    }

    #[benchmark]
    fn set_params() -> Result<(), BenchmarkError> {
        #[extrinsic_call]
        _(admin::<T>() as T::RuntimeOrigin, PriceParams::default());
        Ok(())
    }

    /// The block hook with `k` tracked keys, each with a usable price and an EMA to move.
    #[benchmark]
    fn update_emas(k: Linear<1, { T::MaxKeys::get() }>) -> Result<(), BenchmarkError> {
        T::BenchmarkHelper::set_time(FRIDAY_CLOSE);
        let params = Params::<T>::get();
        let ks = keys::<T>(k);
        for key in &ks {
            Prices::<T>::accept(*key, price(100), FRIDAY_CLOSE, &params)
                .map_err(|_| BenchmarkError::Stop("accept"))?;
            Ema::<T>::insert(
                key,
                EmaPoint {
                    value: price(90),
                    updated_at: FRIDAY_CLOSE - 3000,
                },
            );
        }
        #[block]
        {
            Prices::<T>::update_emas();
        }
        for key in &ks {
            let ema = Ema::<T>::get(key).map(|e| e.value).unwrap_or_default();
            assert!(ema > price(90) && ema < price(100) + Price::one());
        }
        Ok(())
    }

    impl_benchmark_test_suite!(Prices, crate::mock::new_test_ext(), crate::mock::Test);
}
