//! [`PrioritizeFeeds`]: a transaction extension that puts oracle feeds first in every block.
//!
//! A trade placed ahead of a visible feed in the same block would execute at the old price and
//! could be closed after it for a riskless profit against the pool. This extension gives a
//! valid feed (an operator, not yet fed in this block) the highest transaction priority, so
//! block authors order it before every trade, and refuses invalid feeds at the pool (a
//! non-operator, or a second feed of an operator in one block), so they neither fill blocks
//! nor cost nodes more than two storage reads. Feeds are also of the operational class: a block
//! full of trades still has room for them.

use crate::{Call, Config, LastFed};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
    pallet_prelude::{TransactionSource, Weight},
    traits::{Get, IsSubType, OriginTrait},
    DefaultNoBound,
};
use perpetua_primitives::OracleFeed;
use scale_info::TypeInfo;
use sp_runtime::{
    impl_tx_ext_default,
    traits::{DispatchInfoOf, Dispatchable, TransactionExtension, ValidateResult},
    transaction_validity::{InvalidTransaction, TransactionPriority, ValidTransaction},
};

/// Feeds first: see the module docs.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct PrioritizeFeeds<T>(PhantomData<T>);

impl<T> PrioritizeFeeds<T> {
    /// The extension (it carries no data).
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> core::fmt::Debug for PrioritizeFeeds<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
        write!(f, "PrioritizeFeeds")
    }
}

impl<T> TransactionExtension<<T as frame_system::Config>::RuntimeCall> for PrioritizeFeeds<T>
where
    T: Config + Send + Sync,
    <T as frame_system::Config>::RuntimeCall: IsSubType<Call<T>> + Dispatchable,
{
    const IDENTIFIER: &'static str = "PrioritizeFeeds";
    type Implicit = ();
    type Val = ();
    type Pre = ();

    fn weight(&self, call: &<T as frame_system::Config>::RuntimeCall) -> Weight {
        match call.is_sub_type() {
            // The operator set and the operator's last feed.
            Some(Call::feed { .. }) => T::DbWeight::get().reads(2),
            _ => Weight::zero(),
        }
    }

    fn validate(
        &self,
        origin: <T as frame_system::Config>::RuntimeOrigin,
        call: &<T as frame_system::Config>::RuntimeCall,
        _info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
        _len: usize,
        _self_implicit: Self::Implicit,
        _inherited_implication: &impl Encode,
        _source: TransactionSource,
    ) -> ValidateResult<Self::Val, <T as frame_system::Config>::RuntimeCall> {
        let Some(Call::feed { .. }) = call.is_sub_type() else {
            return Ok((ValidTransaction::default(), (), origin));
        };
        let Some(who) = origin.as_signer() else {
            return Ok((ValidTransaction::default(), (), origin));
        };
        if !T::Oracle::is_operator(who) {
            return Err(InvalidTransaction::BadSigner.into());
        }
        let block = frame_system::Pallet::<T>::block_number();
        if LastFed::<T>::get(who) == Some(block) {
            return Err(InvalidTransaction::Stale.into());
        }
        let validity = ValidTransaction::with_tag_prefix("PricesFeed")
            .priority(TransactionPriority::MAX)
            .and_provides((who.clone(), block))
            .longevity(2)
            .build()
            .map_err(|_| InvalidTransaction::Call)?;
        Ok((validity, (), origin))
    }

    impl_tx_ext_default!(<T as frame_system::Config>::RuntimeCall; prepare);
}
