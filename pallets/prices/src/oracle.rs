//! From the operators' raw values to an accepted price: the quorum median ([`crate::combine`]),
//! the circuit breaker against the EMA, and the one writer of accepted prices.

use crate::{
    combine::{self, Combined, NoPrice},
    deviation, Accepted, Config, Ema, EmaPoint, Error, Event, Held, Pallet, Params, Pending,
    PriceParams, PricePoint, Tracked,
};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::DispatchResult, traits::Time};
use perpetua_primitives::{Moment, OracleFeed, OracleKey, Price};

impl<T: Config> Pallet<T> {
    /// The oldest raw value of `key` that may still vote: the price's own maximum age.
    pub(crate) fn max_age(key: &OracleKey, params: &PriceParams) -> Moment {
        match key {
            OracleKey::Asset(_) => params.stock_max_age,
            _ => params.crypto_max_age,
        }
    }

    /// The quorum of the current operator set.
    pub fn quorum() -> u32 {
        combine::quorum(T::Oracle::operators())
    }

    /// The operators' raw values of `key` combined now.
    pub fn combined(key: &OracleKey, params: &PriceParams) -> Result<Combined, NoPrice> {
        let raw: Vec<(Price, Moment)> = T::Oracle::raw_values(key)
            .into_iter()
            .map(|(_, v, at)| (v, at))
            .collect();
        combine::combine(
            &raw,
            T::Time::now(),
            Self::max_age(key, params),
            Self::quorum(),
            params.quorum_spread,
        )
    }

    /// Looks at a new quorum median fed by `feeder`: accept it, hold it (breaker), or confirm a
    /// held one.
    ///
    /// The breaker measures against the EMA, which stands still while the price is unusable:
    /// a jump after an outage or a weekend is held like any other. A held median is confirmed
    /// by a median of a later block within the threshold of it, formed by a feed of another
    /// operator than the one that opened it; a median back within the threshold of the EMA
    /// drops it. A confirmed level restarts the EMA, so the new level is not held again.
    pub(crate) fn consider(
        key: OracleKey,
        median: Price,
        published: Moment,
        feeder: &T::AccountId,
        params: &PriceParams,
    ) -> DispatchResult {
        let block = frame_system::Pallet::<T>::block_number();
        let last = Accepted::<T>::get(key);
        if last.is_some_and(|l| l.value == median && l.timestamp >= published) {
            return Ok(());
        }
        let jump = Ema::<T>::get(key)
            .is_some_and(|e| deviation(e.value, median) > params.breaker_threshold);
        if !jump {
            if let Some(h) = Held::<T>::take(key) {
                Self::deposit_event(Event::CircuitRejected {
                    key,
                    held: h.value,
                    by_admin: false,
                });
            }
            return Self::accept(key, median, published, params);
        }
        match Held::<T>::get(key) {
            // A later round, fed by another operator, confirms the jump: the level is real.
            Some(h)
                if h.since_block < block
                    && h.opened_by != *feeder
                    && deviation(h.value, median) <= params.breaker_threshold =>
            {
                Held::<T>::remove(key);
                Self::accept(key, median, published, params)?;
                Self::restart_ema(key, median);
                Self::deposit_event(Event::CircuitConfirmed {
                    key,
                    price: median,
                    by_admin: false,
                });
            }
            // The same operator again, or the same block: the hold stands, at the newest
            // median, still owed to its opener.
            Some(h) if h.since_block == block || h.opened_by == *feeder => {
                Held::<T>::insert(
                    key,
                    Pending {
                        value: median,
                        timestamp: published,
                        since_block: h.since_block,
                        opened_by: h.opened_by,
                    },
                );
            }
            _ => {
                Held::<T>::insert(
                    key,
                    Pending {
                        value: median,
                        timestamp: published,
                        since_block: block,
                        opened_by: feeder.clone(),
                    },
                );
                let accepted = last.map_or(median, |l| l.value);
                Self::deposit_event(Event::CircuitOpened {
                    key,
                    accepted,
                    held: median,
                });
            }
        }
        Ok(())
    }

    /// The one writer of accepted prices: stores `value` as `key`'s price with its validity and
    /// the start of its unpriced interval, and starts its EMA if it has none.
    pub(crate) fn accept(
        key: OracleKey,
        value: Price,
        published: Moment,
        params: &PriceParams,
    ) -> DispatchResult {
        let (fresh_until, valid_until, in_session) = Self::validity(&key, published, params);
        let previous = Accepted::<T>::get(key).and_then(|p| p.in_session_at);
        let in_session_at = if in_session {
            Some(published)
        } else {
            previous
        };
        Tracked::<T>::try_mutate(|t| -> DispatchResult {
            if !t.contains(&key) {
                t.try_push(key).map_err(|_| Error::<T>::TooManyKeys)?;
            }
            Ok(())
        })?;
        Accepted::<T>::insert(
            key,
            PricePoint {
                value,
                timestamp: published,
                fresh_until,
                valid_until,
                in_session_at,
            },
        );
        if !Ema::<T>::contains_key(key) {
            Self::restart_ema(key, value);
        }
        Ok(())
    }

    /// Sets `key`'s EMA to `value` as of now (a first price, or a confirmed jump).
    pub(crate) fn restart_ema(key: OracleKey, value: Price) {
        Ema::<T>::insert(
            key,
            EmaPoint {
                value,
                updated_at: T::Time::now(),
            },
        );
    }

    /// Every operator's last value of `key`, with whether it is young enough to vote.
    pub fn feeds(key: OracleKey) -> Vec<perpetua_primitives::runtime_api::RawFeed<T::AccountId>> {
        let params = Params::<T>::get();
        let now = T::Time::now();
        let age = Self::max_age(&key, &params);
        T::Oracle::raw_values(&key)
            .into_iter()
            .map(
                |(operator, value, fed_at)| perpetua_primitives::runtime_api::RawFeed {
                    operator,
                    value,
                    fed_at,
                    counts: fed_at <= now && now.saturating_sub(fed_at) < age,
                },
            )
            .collect()
    }
}

impl<T: Config> From<crate::ParamsError> for Error<T> {
    fn from(e: crate::ParamsError) -> Self {
        use crate::ParamsError as P;
        match e {
            P::ZeroMaxAge => Error::ZeroMaxAge,
            P::ZeroEmaPeriod => Error::ZeroEmaPeriod,
            P::BreakerThreshold => Error::BreakerThreshold,
            P::QuorumSpread => Error::QuorumSpread,
            P::VolatilityBounds => Error::VolatilityBounds,
            P::CloseRamp => Error::CloseRamp,
        }
    }
}
