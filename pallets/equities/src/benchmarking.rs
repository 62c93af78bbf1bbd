//! Benchmarks (frame-benchmarking v2) for every call and for processing holders of a corporate
//! action.

use super::*;
use crate::Pallet as Equities;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::{
    traits::{EnsureOrigin, Get, Time},
    BoundedVec,
};
use frame_system::RawOrigin;

const SHARE: Balance = 1_000_000_000_000;

fn admin<T: Config>() -> T::RuntimeOrigin {
    T::AdminOrigin::try_successful_origin().unwrap_or_else(|_| RawOrigin::Root.into())
}

fn ticker(i: u32) -> Ticker {
    let mut t = b"BENCH".to_vec();
    t.extend_from_slice(&[b'A' + (i % 26) as u8, b'A' + ((i / 26) % 26) as u8]);
    BoundedVec::truncate_from(t)
}

/// A stock on exchange 0 (the NYSE in the runtime) with `holders` holders of one share each
/// and a fresh attestation of twice the supply. Returns its id and custodian.
fn stock_with_holders<T: Config>(holders: u32) -> Result<(AssetId, T::AccountId), BenchmarkError> {
    let custodian: T::AccountId = account("custodian", 0, 0);
    <T::NativeCurrency as fungible::Mutate<_>>::mint_into(&custodian, 1_000_000 * SHARE)
        .map_err(|_| BenchmarkError::Stop("fund custodian"))?;
    let asset = NextStockId::<T>::get().max(900_000);
    Equities::<T>::do_list(
        Some(asset),
        ticker(holders),
        BoundedVec::truncate_from(b"Benchmark Inc.".to_vec()),
        12,
        0,
        custodian.clone(),
        None,
        1,
    )
    .map_err(|_| BenchmarkError::Stop("list"))?;
    for i in 0..holders {
        let who: T::AccountId = account("holder", i, 0);
        <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::mint_into(asset, &who, SHARE)
            .map_err(|_| BenchmarkError::Stop("mint holder"))?;
    }
    let supply = pallet_assets::Pallet::<T>::total_supply(asset);
    Reserves::<T>::insert(
        asset,
        Attestation {
            reserve: supply.saturating_mul(2).max(SHARE),
            as_of: T::Time::now(),
        },
    );
    Ok((asset, custodian))
}

#[benchmarks]
mod benches {
    use super::*;

    #[benchmark]
    fn list_stock() -> Result<(), BenchmarkError> {
        let custodian: T::AccountId = account("custodian", 0, 0);
        let lookup = T::Lookup::unlookup(custodian);
        #[extrinsic_call]
        _(
            admin::<T>() as T::RuntimeOrigin,
            BoundedVec::truncate_from(b"BENCHX".to_vec()),
            BoundedVec::truncate_from([b'N'; 50].to_vec()),
            12,
            0,
            lookup,
            Some(*b"US0378331005"),
            1,
        );
        assert!(TickerIndex::<T>::contains_key(
            BoundedVec::<u8, _>::truncate_from(b"BENCHX".to_vec())
        ));
        Ok(())
    }

    #[benchmark]
    fn delist() -> Result<(), BenchmarkError> {
        let (asset, _) = stock_with_holders::<T>(0)?;
        #[extrinsic_call]
        _(admin::<T>() as T::RuntimeOrigin, asset);
        Ok(())
    }

    #[benchmark]
    fn set_halted() -> Result<(), BenchmarkError> {
        let (asset, _) = stock_with_holders::<T>(0)?;
        #[extrinsic_call]
        _(admin::<T>() as T::RuntimeOrigin, asset, true);
        Ok(())
    }

    #[benchmark]
    fn set_custodian() -> Result<(), BenchmarkError> {
        let (asset, _) = stock_with_holders::<T>(0)?;
        let new: T::AccountId = account("new", 0, 0);
        #[extrinsic_call]
        _(
            admin::<T>() as T::RuntimeOrigin,
            asset,
            T::Lookup::unlookup(new),
        );
        Ok(())
    }

    #[benchmark]
    fn attest_reserves() -> Result<(), BenchmarkError> {
        let (asset, custodian) = stock_with_holders::<T>(1)?;
        let now = T::Time::now();
        #[extrinsic_call]
        _(RawOrigin::Signed(custodian), asset, 10 * SHARE, now);
        Ok(())
    }

    #[benchmark]
    fn mint() -> Result<(), BenchmarkError> {
        let (asset, custodian) = stock_with_holders::<T>(1)?;
        let to: T::AccountId = account("to", 0, 0);
        #[extrinsic_call]
        _(
            RawOrigin::Signed(custodian),
            asset,
            T::Lookup::unlookup(to.clone()),
            SHARE / 2,
        );
        assert_eq!(pallet_assets::Pallet::<T>::balance(asset, &to), SHARE / 2);
        Ok(())
    }

    #[benchmark]
    fn redeem() -> Result<(), BenchmarkError> {
        let (asset, _) = stock_with_holders::<T>(1)?;
        let holder: T::AccountId = account("holder", 0, 0);
        let reference = BoundedVec::truncate_from(vec![b'R'; T::MaxDeliveryRefLen::get() as usize]);
        #[extrinsic_call]
        _(RawOrigin::Signed(holder), asset, SHARE / 2, reference);
        Ok(())
    }

    #[benchmark]
    fn add_minter() -> Result<(), BenchmarkError> {
        let (asset, _) = stock_with_holders::<T>(0)?;
        let who: T::AccountId = account("bridge", 0, 0);
        #[extrinsic_call]
        _(
            admin::<T>() as T::RuntimeOrigin,
            asset,
            T::Lookup::unlookup(who),
        );
        Ok(())
    }

    #[benchmark]
    fn remove_minter() -> Result<(), BenchmarkError> {
        let (asset, _) = stock_with_holders::<T>(0)?;
        let who: T::AccountId = account("bridge", 0, 0);
        Minters::<T>::insert(asset, &who, ());
        MinterCount::<T>::insert(asset, 1);
        #[extrinsic_call]
        _(
            admin::<T>() as T::RuntimeOrigin,
            asset,
            T::Lookup::unlookup(who),
        );
        Ok(())
    }

    #[benchmark]
    fn freeze_account() -> Result<(), BenchmarkError> {
        let (asset, _) = stock_with_holders::<T>(1)?;
        let holder: T::AccountId = account("holder", 0, 0);
        #[extrinsic_call]
        _(
            admin::<T>() as T::RuntimeOrigin,
            asset,
            T::Lookup::unlookup(holder),
        );
        Ok(())
    }

    #[benchmark]
    fn thaw_account() -> Result<(), BenchmarkError> {
        let (asset, _) = stock_with_holders::<T>(1)?;
        let holder: T::AccountId = account("holder", 0, 0);
        Equities::<T>::freeze_account(admin::<T>(), asset, T::Lookup::unlookup(holder.clone()))
            .map_err(|_| BenchmarkError::Stop("freeze"))?;
        #[extrinsic_call]
        _(
            admin::<T>() as T::RuntimeOrigin,
            asset,
            T::Lookup::unlookup(holder),
        );
        Ok(())
    }

    #[benchmark]
    fn declare_dividend() -> Result<(), BenchmarkError> {
        let (asset, custodian) = stock_with_holders::<T>(1)?;
        #[extrinsic_call]
        _(RawOrigin::Signed(custodian), asset, None, SHARE);
        assert!(Actions::<T>::contains_key(asset));
        Ok(())
    }

    #[benchmark]
    fn declare_split() -> Result<(), BenchmarkError> {
        let (asset, _) = stock_with_holders::<T>(1)?;
        #[extrinsic_call]
        _(admin::<T>() as T::RuntimeOrigin, asset, 3, 1);
        assert!(Actions::<T>::contains_key(asset));
        Ok(())
    }

    /// Paying `n` holders a dividend in PRP (each to a new account: the costliest payout).
    #[benchmark]
    fn process_holders(
        n: Linear<1, { T::MaxHoldersPerBlock::get() }>,
    ) -> Result<(), BenchmarkError> {
        let (asset, custodian) = stock_with_holders::<T>(n)?;
        Equities::<T>::declare_dividend(RawOrigin::Signed(custodian).into(), asset, None, SHARE)
            .map_err(|_| BenchmarkError::Stop("declare"))?;
        let processed;
        #[block]
        {
            processed = Equities::<T>::process(n);
        }
        assert_eq!(processed, n);
        assert!(!Actions::<T>::contains_key(asset));
        Ok(())
    }

    #[benchmark]
    fn set_params() -> Result<(), BenchmarkError> {
        #[extrinsic_call]
        _(
            admin::<T>() as T::RuntimeOrigin,
            Params {
                max_attestation_age: 1000,
                holders_per_block: 1,
            },
        );
        Ok(())
    }

    impl_benchmark_test_suite!(Equities, crate::mock::new_test_ext(), crate::mock::Test);
}
