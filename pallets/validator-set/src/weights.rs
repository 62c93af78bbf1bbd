//! Weights for `pallet_validator_set`. Until `scripts/bench.sh pallet_validator_set` writes
//! this file, these are upper bounds from the calls' storage accesses: each call reads and
//! writes the set (at most `MaxValidators` 32-byte accounts) and pays 50 µs of execution, more
//! than ten times what a bounded vector of 100 accounts takes to scan and encode; a session
//! change pays 300 µs plus 10 µs per validator.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
    traits::Get,
    weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_validator_set`.
pub trait WeightInfo {
    fn add_validator() -> Weight;
    fn remove_validator() -> Weight;
    fn set_session_length() -> Weight;
    fn rotate_session(v: u32) -> Weight;
}

/// Weights for `pallet_validator_set` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
    /// Reads `Session::NextKeys` and `ValidatorSet::Validators`; writes the set and `Changed`.
    fn add_validator() -> Weight {
        Weight::from_parts(50_000_000, 3_300)
            .saturating_add(T::DbWeight::get().reads(2))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    /// Reads the set; writes it and `Changed`.
    fn remove_validator() -> Weight {
        Weight::from_parts(50_000_000, 3_300)
            .saturating_add(T::DbWeight::get().reads(1))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    /// Writes `SessionLength`.
    fn set_session_length() -> Weight {
        Weight::from_parts(20_000_000, 0).saturating_add(T::DbWeight::get().writes(1))
    }
    /// A session change with `v` validators: reads the set, `Changed`, pallet-session's index,
    /// queued keys and every validator's next keys (twice: the plan and the queue), Aura's and
    /// GRANDPA's state; writes pallet-session's index, validators, queued keys and flags, the
    /// session start, `Changed`, Aura's authorities, GRANDPA's pending change and two digests.
    fn rotate_session(v: u32) -> Weight {
        Weight::from_parts(300_000_000, 10_000)
            .saturating_add(Weight::from_parts(10_000_000, 200).saturating_mul(v.into()))
            .saturating_add(T::DbWeight::get().reads(10))
            .saturating_add(T::DbWeight::get().reads(2).saturating_mul(v.into()))
            .saturating_add(T::DbWeight::get().writes(12))
    }
}

// For backwards compatibility and tests.
impl WeightInfo for () {
    fn add_validator() -> Weight {
        Weight::from_parts(50_000_000, 3_300)
            .saturating_add(RocksDbWeight::get().reads(2))
            .saturating_add(RocksDbWeight::get().writes(2))
    }
    fn remove_validator() -> Weight {
        Weight::from_parts(50_000_000, 3_300)
            .saturating_add(RocksDbWeight::get().reads(1))
            .saturating_add(RocksDbWeight::get().writes(2))
    }
    fn set_session_length() -> Weight {
        Weight::from_parts(20_000_000, 0).saturating_add(RocksDbWeight::get().writes(1))
    }
    fn rotate_session(v: u32) -> Weight {
        Weight::from_parts(300_000_000, 10_000)
            .saturating_add(Weight::from_parts(10_000_000, 200).saturating_mul(v.into()))
            .saturating_add(RocksDbWeight::get().reads(10))
            .saturating_add(RocksDbWeight::get().reads(2).saturating_mul(v.into()))
            .saturating_add(RocksDbWeight::get().writes(12))
    }
}
