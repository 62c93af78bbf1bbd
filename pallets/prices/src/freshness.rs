//! How long a price stays usable, read checks, and the gap exposure of a stock's price: the
//! market-hours rules.

use crate::{Accepted, Config, Held, Pallet, Params, PriceParams};
use frame_support::traits::Time;
use perpetua_primitives::{
    AssetId, MarketClock, Moment, OracleKey, Price, PriceError, PriceStatus, Session,
    StockRegistry, StockStatus,
};

impl<T: Config> Pallet<T> {
    /// Until when a price of `key` published at `at` is fresh, until when usable, and whether
    /// it was published while its market was open (an in-session price).
    ///
    /// - 24/7 keys: fresh and usable for `crypto_max_age`.
    /// - A stock published in session: fresh for `stock_max_age` but never past the close; if
    ///   that reaches the close it is the closing price, usable until the next open plus
    ///   `open_grace`.
    /// - A stock published while closed (a pre-market print, a weekend feed): never fresh
    ///   ("fresh after the open" means published after the open); usable until the next open
    ///   plus `open_grace`.
    pub fn validity(key: &OracleKey, at: Moment, params: &PriceParams) -> (Moment, Moment, bool) {
        let OracleKey::Asset(asset) = key else {
            let until = at.saturating_add(params.crypto_max_age);
            return (until, until, false);
        };
        let fresh = at.saturating_add(params.stock_max_age);
        let carry = |next_open: Option<Moment>, from: Moment| match next_open {
            Some(t) => t.saturating_add(params.open_grace),
            None => from.saturating_add(params.max_closed_age),
        };
        match T::Clock::session(*asset, at) {
            Some(Session::Open { closes_at }) if fresh >= closes_at => {
                // Fresh at the close: this is the closing price.
                let valid = match T::Clock::session(*asset, closes_at) {
                    Some(Session::Closed { next_open }) => carry(next_open, closes_at),
                    _ => closes_at,
                };
                (closes_at, valid.max(closes_at), true)
            }
            Some(Session::Open { .. }) => (fresh, fresh, true),
            Some(Session::Closed { next_open }) => (at, carry(next_open, at).max(at), false),
            _ => (fresh, fresh, false),
        }
    }

    /// The state of `key`'s price now.
    pub fn status(key: OracleKey) -> PriceStatus {
        match Self::check(key) {
            Ok((_, true)) => PriceStatus::Fresh,
            Ok((_, false)) => PriceStatus::ClosedMarket,
            Err(PriceError::Stale) => PriceStatus::Stale,
            Err(PriceError::CircuitOpen) => PriceStatus::CircuitOpen,
            Err(PriceError::Halted) => PriceStatus::Halted,
            Err(PriceError::Missing) => PriceStatus::Missing,
        }
    }

    /// The usable price of `key` and whether it is fresh (rather than carried over a close).
    pub fn check(key: OracleKey) -> Result<(Price, bool), PriceError> {
        if Held::<T>::contains_key(key) {
            return Err(PriceError::CircuitOpen);
        }
        let p = Accepted::<T>::get(key).ok_or(PriceError::Missing)?;
        if let OracleKey::Asset(asset) = key {
            if T::Stocks::status(asset) != Some(StockStatus::Active) {
                return Err(PriceError::Halted);
            }
        }
        let now = T::Time::now();
        if now >= p.valid_until {
            return Err(PriceError::Stale);
        }
        Ok((p.value, now < p.fresh_until))
    }

    /// See [`perpetua_primitives::PriceProvider::unpriced_interval`].
    ///
    /// With `s` the last in-session price's time: while closed, `next_open - s`, the same all
    /// weekend; while open, zero with a fresh price, else `now - s`, which keeps growing until
    /// a fresh price arrives after the open; in the last `close_ramp` before a close, at least
    /// the coming closed period's exposure scaled by how far into the ramp we are, so it
    /// reaches that level at the close without a jump.
    pub fn unpriced_interval_at(asset: AssetId, now: Moment) -> Option<Moment> {
        let session = T::Clock::session(asset, now)?;
        let point = Accepted::<T>::get(OracleKey::Asset(asset))?;
        let since = point.in_session_at?.min(now);
        match session {
            Session::Closed {
                next_open: Some(open),
            } => Some(open.saturating_sub(since)),
            Session::Open { closes_at } => {
                // A fresh in-session price leaves nothing unpriced; a carried close (the grace
                // after the open) leaves everything since the last in-session price.
                let age = if now < point.fresh_until {
                    0
                } else {
                    now.saturating_sub(since)
                };
                let ramp = Params::<T>::get().close_ramp;
                let left = closes_at.saturating_sub(now);
                if ramp == 0 || left >= ramp {
                    return Some(age);
                }
                let after = match T::Clock::session(asset, closes_at) {
                    Some(Session::Closed {
                        next_open: Some(open),
                    }) => open.saturating_sub(since),
                    _ => return None,
                };
                // after * (ramp - left) / ramp, without overflow.
                let ramped = sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
                    after as u128,
                    ramp.saturating_sub(left) as u128,
                    ramp as u128,
                    sp_runtime::Rounding::Up,
                )
                .map_or(after, |x| x.min(Moment::MAX as u128) as Moment);
                Some(age.max(ramped))
            }
            Session::Closed { next_open: None } | Session::Halted | Session::Unknown => None,
        }
    }
}
