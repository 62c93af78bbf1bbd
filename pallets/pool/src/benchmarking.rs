//! Benchmarks (frame-benchmarking v2) for every call and for executing queued requests.
//! Deposit and withdrawal requests touch a fixed number of storage items: their cost does not
//! grow with the number of LPs. Executing a flow also values the book twice, which the runtime
//! charges separately (`BookValuationWeight`).

use super::*;
use crate::Pallet as Pool;
use frame_benchmarking::v2::*;
use frame_support::traits::EnsureOrigin;
use frame_system::RawOrigin;

/// A 24/7 settlement asset created for the benchmark.
const ASSET: AssetId = 900_001;
const UNIT: Balance = 1_000_000_000_000;

fn admin<T: Config>() -> T::RuntimeOrigin {
    T::AdminOrigin::try_successful_origin().unwrap_or_else(|_| RawOrigin::Root.into())
}

fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
    let who: T::AccountId = account(name, i, 0);
    let _ = <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::mint_into(
        ASSET,
        &who,
        1_000_000 * UNIT,
    );
    who
}

/// The settlement asset and its pool, with `lps` LPs in the main tranche.
fn pool_with_lps<T: Config>(lps: u32) -> Result<(), BenchmarkError> {
    if !pallet_assets::Pallet::<T>::asset_exists(ASSET) {
        <pallet_assets::Pallet<T> as fungibles::Create<_>>::create(
            ASSET,
            Pool::<T>::owner(),
            true,
            1,
        )
        .map_err(|_| BenchmarkError::Stop("asset"))?;
    }
    Pool::<T>::do_create(ASSET, PoolParams::default()).map_err(|_| BenchmarkError::Stop("pool"))?;
    for i in 0..lps {
        let lp = funded::<T>("lp", i);
        Pool::<T>::deposit_now(&lp, ASSET, Tranche::Main, 1_000 * UNIT, 0)
            .map_err(|_| BenchmarkError::Stop("seed"))?;
    }
    Ok(())
}

#[benchmarks]
mod benches {
    use super::*;

    #[benchmark]
    fn create_pool() -> Result<(), BenchmarkError> {
        <pallet_assets::Pallet<T> as fungibles::Create<_>>::create(
            ASSET,
            Pool::<T>::owner(),
            true,
            1,
        )
        .map_err(|_| BenchmarkError::Stop("asset"))?;
        #[extrinsic_call]
        _(
            admin::<T>() as T::RuntimeOrigin,
            ASSET,
            PoolParams::default(),
        );
        assert!(Pools::<T>::contains_key(ASSET));
        Ok(())
    }

    #[benchmark]
    fn set_params() -> Result<(), BenchmarkError> {
        pool_with_lps::<T>(0)?;
        #[extrinsic_call]
        _(
            admin::<T>() as T::RuntimeOrigin,
            ASSET,
            PoolParams::default(),
        );
        Ok(())
    }

    #[benchmark]
    fn set_open() -> Result<(), BenchmarkError> {
        pool_with_lps::<T>(0)?;
        #[extrinsic_call]
        _(admin::<T>() as T::RuntimeOrigin, ASSET, false);
        Ok(())
    }

    /// A deposit with `l` LPs already in the tranche: its cost must not depend on `l`.
    #[benchmark]
    fn deposit(l: Linear<1, 1000>) -> Result<(), BenchmarkError> {
        pool_with_lps::<T>(l)?;
        let who = funded::<T>("depositor", 0);
        #[extrinsic_call]
        _(
            RawOrigin::Signed(who.clone()),
            ASSET,
            Tranche::Main,
            10 * UNIT,
            0,
        );
        assert_eq!(PendingRequests::<T>::get(ASSET, who), 1);
        Ok(())
    }

    /// A withdrawal with `l` LPs in the tranche: its cost must not depend on `l`.
    #[benchmark]
    fn withdraw(l: Linear<1, 1000>) -> Result<(), BenchmarkError> {
        pool_with_lps::<T>(l)?;
        let who: T::AccountId = account("lp", 0, 0);
        #[extrinsic_call]
        _(RawOrigin::Signed(who), ASSET, Tranche::Main, 10 * UNIT, 0);
        Ok(())
    }

    #[benchmark]
    fn cancel_request() -> Result<(), BenchmarkError> {
        pool_with_lps::<T>(1)?;
        let who = funded::<T>("depositor", 0);
        <T as Config>::Mover::transfer(ASSET, &who, &Pool::<T>::account(ASSET), UNIT)
            .map_err(|_| BenchmarkError::Stop("escrow"))?;
        Pools::<T>::mutate(ASSET, |p| {
            if let Some(p) = p {
                p.queued_deposits = UNIT
            }
        });
        Pool::<T>::enqueue(
            ASSET,
            who.clone(),
            Tranche::Main,
            RequestKind::Deposit {
                amount: UNIT,
                min_shares: 0,
            },
        )
        .map_err(|_| BenchmarkError::Stop("enqueue"))?;
        #[extrinsic_call]
        _(RawOrigin::Signed(who), ASSET, 0);
        assert!(Queue::<T>::get(ASSET).is_empty());
        Ok(())
    }

    /// Executing `n` queued deposits of new LPs.
    #[benchmark]
    fn process_queue(
        n: Linear<1, { T::FlowsPerBlock::get().min(T::MaxQueue::get()) }>,
    ) -> Result<(), BenchmarkError> {
        pool_with_lps::<T>(1)?;
        for i in 0..n {
            let who = funded::<T>("queued", i);
            <T as Config>::Mover::transfer(ASSET, &who, &Pool::<T>::account(ASSET), UNIT)
                .map_err(|_| BenchmarkError::Stop("escrow"))?;
            Pools::<T>::mutate(ASSET, |p| {
                if let Some(p) = p {
                    p.queued_deposits += UNIT
                }
            });
            Pool::<T>::enqueue(
                ASSET,
                who,
                Tranche::Main,
                RequestKind::Deposit {
                    amount: UNIT,
                    min_shares: 0,
                },
            )
            .map_err(|_| BenchmarkError::Stop("enqueue"))?;
        }
        // Made long ago: all due, whatever the runtime's `FlowDelay`.
        Queue::<T>::mutate(ASSET, |q| q.iter_mut().for_each(|r| r.at = 0));
        <T as Config>::BenchmarkHelper::set_time(T::FlowDelay::get().saturating_add(1));
        let processed;
        #[block]
        {
            processed = Pool::<T>::process(n);
        }
        assert_eq!(processed, n);
        Ok(())
    }

    #[benchmark]
    fn sweep_surplus() -> Result<(), BenchmarkError> {
        pool_with_lps::<T>(1)?;
        // The surplus goes to the insurance tranche as value for its holders: it needs some.
        let insurer = funded::<T>("insurer", 0);
        Pool::<T>::deposit_now(&insurer, ASSET, Tranche::Insurance, 1_000 * UNIT, 0)
            .map_err(|_| BenchmarkError::Stop("insurance seed"))?;
        let who = funded::<T>("donor", 0);
        <T as Config>::Mover::transfer(ASSET, &who, &Pool::<T>::account(ASSET), UNIT)
            .map_err(|_| BenchmarkError::Stop("donate"))?;
        #[extrinsic_call]
        _(admin::<T>() as T::RuntimeOrigin, ASSET);
        Ok(())
    }

    /// The block's end for one pool: its receivable (a fee with a protocol share) moves from
    /// the account that owes it, in two token moves.
    #[benchmark]
    fn settle_receivable() -> Result<(), BenchmarkError> {
        pool_with_lps::<T>(1)?;
        let payer = funded::<T>("pot", 0);
        <Pool<T> as perpetua_primitives::PoolLedger<T::AccountId>>::accrue_all(
            ASSET,
            &payer,
            &[(Inflow::Fee, UNIT)],
        )
        .map_err(|_| BenchmarkError::Stop("accrue"))?;
        let owed = Receivables::<T>::get(ASSET).ok_or(BenchmarkError::Stop("receivable"))?;
        if owed.to_pool == 0 || owed.to_protocol == 0 {
            return Err(BenchmarkError::Stop("both moves"));
        }
        #[block]
        {
            Pool::<T>::settle_receivables();
        }
        assert!(Receivables::<T>::get(ASSET).is_none());
        Ok(())
    }

    impl_benchmark_test_suite!(Pool, crate::mock::new_test_ext(), crate::mock::Test);
}
