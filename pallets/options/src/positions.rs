//! Reading the margin accounts one position, one series list or one open account at a time.
//! A margin account holds its positions (`Accounts`, one storage value per trader and
//! settlement), so these are views of it, not storage of their own: the margin ledger
//! (`ledger.rs`) is the one writer.

use crate::*;
use core::borrow::Borrow;

/// Positions by (trader, series): the position lives in the trader's margin account of the
/// series' settlement.
pub struct Positions<T>(core::marker::PhantomData<T>);

impl<T: Config> Positions<T> {
    /// `who`'s position in series `id`, if open.
    pub fn get(who: impl Borrow<T::AccountId>, id: impl Borrow<SeriesId>) -> Option<Position> {
        let (settlement, _) = SeriesSlot::<T>::get(id.borrow())?;
        Accounts::<T>::get(settlement, who.borrow()).position(*id.borrow())
    }

    /// Whether `who` has a position in series `id`.
    pub fn contains_key(who: impl Borrow<T::AccountId>, id: impl Borrow<SeriesId>) -> bool {
        Self::get(who, id).is_some()
    }

    /// Every open position: (trader, series, position), account by account.
    pub fn iter() -> impl Iterator<Item = (T::AccountId, SeriesId, Position)> {
        Accounts::<T>::iter().flat_map(|(_, who, account)| {
            account
                .positions
                .into_inner()
                .into_iter()
                .map(move |(id, p)| (who.clone(), id, p))
        })
    }
}

/// The series a trader has positions in, per settlement.
pub struct AccountSeries<T>(core::marker::PhantomData<T>);

impl<T: Config> AccountSeries<T> {
    /// The series of `who`'s open positions in `settlement`, in the order they opened.
    pub fn get(who: impl Borrow<T::AccountId>, settlement: AssetId) -> Vec<SeriesId> {
        Accounts::<T>::get(settlement, who.borrow())
            .series()
            .collect()
    }

    /// How many positions `who` has open in `settlement`.
    pub fn count(who: impl Borrow<T::AccountId>, settlement: AssetId) -> u32 {
        Accounts::<T>::get(settlement, who.borrow()).positions.len() as u32
    }
}

/// The accounts liquidation looks at: those with positions or debt, per settlement.
pub struct OpenAccounts<T>(core::marker::PhantomData<T>);

impl<T: Config> OpenAccounts<T> {
    /// Whether `account` (of `who` in `settlement`) has positions or debt.
    pub(crate) fn is(settlement: AssetId, who: &T::AccountId, account: &AccountOf<T>) -> bool {
        !account.positions.is_empty() || Baskets::<T>::get(settlement, who).debt > 0
    }

    /// Whether `who` has positions or debt in `settlement`.
    pub fn contains_key(settlement: AssetId, who: impl Borrow<T::AccountId>) -> bool {
        let who = who.borrow();
        Accounts::<T>::try_get(settlement, who).is_ok_and(|a| Self::is(settlement, who, &a))
    }

    /// The open accounts of `settlement`, in the accounts' key order.
    pub fn iter_key_prefix(settlement: AssetId) -> impl Iterator<Item = T::AccountId> {
        Accounts::<T>::iter_prefix(settlement)
            .filter(move |(who, a)| Self::is(settlement, who, a))
            .map(|(who, _)| who)
    }

    /// Up to `max` margin accounts of `settlement` from `cursor` (a raw key of `Accounts`),
    /// the open ones among them, and the cursor after the last one looked at if there may be
    /// more. Looks at `max` accounts at most, open or not, so its cost is bounded by `max`.
    pub fn scan(
        settlement: AssetId,
        cursor: Option<Vec<u8>>,
        max: u32,
    ) -> (Vec<T::AccountId>, Option<Vec<u8>>) {
        let mut iter = match cursor {
            Some(c) => Accounts::<T>::iter_prefix_from(settlement, c),
            None => Accounts::<T>::iter_prefix(settlement),
        };
        let mut looked = 0u32;
        let mut open = Vec::new();
        for (who, account) in iter.by_ref().take(max as usize) {
            looked = looked.saturating_add(1);
            if Self::is(settlement, &who, &account) {
                open.push(who);
            }
        }
        let next = (looked == max && max > 0).then(|| iter.last_raw_key().to_vec());
        (open, next)
    }

    /// The raw key prefix of `settlement`'s accounts (where a scan starts).
    pub fn prefix(settlement: AssetId) -> Vec<u8> {
        Accounts::<T>::iter_prefix(settlement)
            .last_raw_key()
            .to_vec()
    }
}
