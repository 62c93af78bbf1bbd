//! Benchmarks (frame-benchmarking v2): a liquidation closing `p` positions (the worst case:
//! every position, with bad debt), deleveraging over `n` accounts, and the offchain worker's
//! valuation of `n` accounts (its per-account cost says how many one run can scan).

use super::*;
use crate::Pallet as Liquidation;
use frame_benchmarking::v2::*;
use frame_support::traits::EnsureOrigin;
use frame_system::RawOrigin;

fn admin<T: Config>() -> T::RuntimeOrigin {
    T::AdminOrigin::try_successful_origin().unwrap_or_else(|_| RawOrigin::Root.into())
}

#[benchmarks]
mod benches {
    use super::*;

    /// A keeper's liquidation of an account with `p` positions, all closed, with bad debt.
    #[benchmark]
    fn liquidate(p: Linear<1, { T::MaxPositions::get() }>) -> Result<(), BenchmarkError> {
        let (settlement, accounts) = <T as Config>::BenchmarkHelper::accounts(1, p);
        <T as Config>::BenchmarkHelper::crash(settlement, true);
        let who = accounts[0].clone();
        let keeper: T::AccountId = account("keeper", 0, 0);
        #[extrinsic_call]
        _(RawOrigin::Signed(keeper), who.clone(), settlement);
        assert_eq!(LiquidationCount::<T>::get(), 1);
        Ok(())
    }

    #[benchmark]
    fn set_params() -> Result<(), BenchmarkError> {
        #[extrinsic_call]
        _(
            admin::<T>() as T::RuntimeOrigin,
            LiquidationParams::default(),
        );
        Ok(())
    }

    /// Deleveraging a shortfall over `n` profitable accounts of the most positions each (all
    /// valued and ranked), with the most closes a call makes (`n`, each closing a position
    /// whole: the claim is far beyond what they can forfeit).
    #[benchmark]
    fn deleverage(n: Linear<1, 64>) -> Result<(), BenchmarkError> {
        let (settlement, accounts) =
            <T as Config>::BenchmarkHelper::accounts(n, T::MaxPositions::get());
        <T as Config>::BenchmarkHelper::crash(settlement, false);
        let claimant = accounts
            .first()
            .cloned()
            .ok_or(BenchmarkError::Stop("accounts"))?;
        T::Pool::record_claim(settlement, &claimant, Balance::MAX / 4);
        #[block]
        {
            Liquidation::<T>::deleverage(settlement, n);
        }
        Ok(())
    }

    /// The offchain worker's valuation of `n` accounts with one position each, sharing the
    /// series valuations (what one run does per account).
    #[benchmark]
    fn scan(n: Linear<1, 1_000>) -> Result<(), BenchmarkError> {
        let (settlement, _) = <T as Config>::BenchmarkHelper::accounts(n, 1);
        #[block]
        {
            let valued = Liquidation::<T>::value_accounts(settlement, n);
            assert_eq!(valued, n);
        }
        Ok(())
    }

    impl_benchmark_test_suite!(Liquidation, crate::mock::new_test_ext(), crate::mock::Test);
}
