//! Weights for `pallet_governance`. Until `scripts/bench.sh pallet_governance` writes this
//! file, these are upper bounds from the calls' storage accesses plus 100 µs of execution and
//! 2 ns per byte of the call (hashing and copying it), several times what such work takes.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
    traits::Get,
    weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_governance`.
pub trait WeightInfo {
    fn schedule(l: u32) -> Weight;
    fn veto() -> Weight;
    fn enact(l: u32) -> Weight;
    fn set_enactment_delay() -> Weight;
}

/// Weights for `pallet_governance` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
    /// Reads the pending counter, the next id, the delay, the agenda and the preimage status;
    /// writes the id, the agenda, the lookup, the preimage, its status, the entry and the
    /// counter.
    fn schedule(l: u32) -> Weight {
        Weight::from_parts(100_000_000, 20_000)
            .saturating_add(Weight::from_parts(2_000, 1).saturating_mul(l.into()))
            .saturating_add(T::DbWeight::get().reads(5))
            .saturating_add(T::DbWeight::get().writes(7))
    }
    /// Reads the entry and the lookup; writes the agenda, the lookup, the entry and counter.
    fn veto() -> Weight {
        Weight::from_parts(100_000_000, 20_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(4))
    }
    /// Reads the entry; writes it and the counter (the call's own weight is added on top).
    fn enact(l: u32) -> Weight {
        Weight::from_parts(100_000_000, 4_000)
            .saturating_add(Weight::from_parts(2_000, 0).saturating_mul(l.into()))
            .saturating_add(T::DbWeight::get().reads(2))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    /// Writes the delay.
    fn set_enactment_delay() -> Weight {
        Weight::from_parts(20_000_000, 0).saturating_add(T::DbWeight::get().writes(1))
    }
}

// For backwards compatibility and tests.
impl WeightInfo for () {
    fn schedule(l: u32) -> Weight {
        Weight::from_parts(100_000_000, 20_000)
            .saturating_add(Weight::from_parts(2_000, 1).saturating_mul(l.into()))
            .saturating_add(RocksDbWeight::get().reads(5))
            .saturating_add(RocksDbWeight::get().writes(7))
    }
    fn veto() -> Weight {
        Weight::from_parts(100_000_000, 20_000)
            .saturating_add(RocksDbWeight::get().reads(3))
            .saturating_add(RocksDbWeight::get().writes(4))
    }
    fn enact(l: u32) -> Weight {
        Weight::from_parts(100_000_000, 4_000)
            .saturating_add(Weight::from_parts(2_000, 0).saturating_mul(l.into()))
            .saturating_add(RocksDbWeight::get().reads(2))
            .saturating_add(RocksDbWeight::get().writes(2))
    }
    fn set_enactment_delay() -> Weight {
        Weight::from_parts(20_000_000, 0).saturating_add(RocksDbWeight::get().writes(1))
    }
}
