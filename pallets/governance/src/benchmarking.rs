//! Benchmarks. A change's call is a `remark` of `l` bytes: the weight grows with the call's
//! length (hashing, encoding, the preimage), and `enact` adds the call's own declared weight.

use super::*;
use alloc::{boxed::Box, vec};
use frame_benchmarking::v2::*;
use frame_support::traits::{EnsureOrigin, Get};
use frame_system::RawOrigin;

fn remark<T: Config>(l: u32) -> <T as Config>::RuntimeCall {
    frame_system::Call::<T>::remark {
        remark: vec![7u8; l as usize],
    }
    .into()
}

/// A remark call whose whole encoding is at most `MaxCallLen`.
fn max_len<T: Config>() -> u32 {
    T::MaxCallLen::get().saturating_sub(8)
}

#[benchmarks]
mod benchmarks {
    use super::*;

    #[benchmark]
    fn schedule(l: Linear<0, { max_len::<T>() }>) -> Result<(), BenchmarkError> {
        let origin =
            T::ProposeOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
        let id = NextChangeId::<T>::get();
        #[extrinsic_call]
        _(origin as T::RuntimeOrigin, Box::new(remark::<T>(l)));
        assert!(Pending::<T>::contains_key(id));
        Ok(())
    }

    #[benchmark]
    fn veto() -> Result<(), BenchmarkError> {
        let id = Pallet::<T>::do_schedule(remark::<T>(max_len::<T>()))?;
        let origin =
            T::VetoOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
        #[extrinsic_call]
        _(origin as T::RuntimeOrigin, id);
        assert!(!Pending::<T>::contains_key(id));
        Ok(())
    }

    #[benchmark]
    fn enact(l: Linear<0, { max_len::<T>() }>) -> Result<(), BenchmarkError> {
        let call = remark::<T>(l);
        let id = Pallet::<T>::do_schedule(call.clone())?;
        #[extrinsic_call]
        _(RawOrigin::Root, id, Box::new(call));
        assert!(!Pending::<T>::contains_key(id));
        Ok(())
    }

    #[benchmark]
    fn set_enactment_delay() {
        let blocks = T::MaxDelay::get();
        #[extrinsic_call]
        _(RawOrigin::Root, blocks);
        assert_eq!(EnactmentDelay::<T>::get(), blocks);
    }

    impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
