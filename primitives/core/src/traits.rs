//! The traits between Perpetua's pallets. Each pallet implements some and consumes others
//! through its `Config`; the runtime wires them. Unit tests mock them.

use crate::{AssetId, Balance, ExchangeId, Moment};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// Where a market is at a moment.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
    Serialize,
    Deserialize,
)]
pub enum Session {
    /// The market is in its regular session until `closes_at` (ms, exclusive).
    Open { closes_at: Moment },
    /// The market is closed; it opens next at `next_open` (ms). `None`: not within the
    /// calendar's horizon (e.g. a long closure).
    Closed { next_open: Option<Moment> },
    /// Trading is halted (the stock, or its whole exchange).
    Halted,
    /// The calendar holds no data for this day: callers must assume the worst for their
    /// purpose (prices: the market may be open, so require fresh prices; margin: it may stay
    /// closed, so apply the largest gap haircut).
    Unknown,
}

impl Session {
    /// Whether the regular session is running.
    pub fn is_open(&self) -> bool {
        matches!(self, Session::Open { .. })
    }

    /// Milliseconds until the market opens: 0 if open, `None` if not known.
    pub fn time_until_open(&self, now: Moment) -> Option<Moment> {
        match self {
            Session::Open { .. } => Some(0),
            Session::Closed { next_open: Some(t) } => Some(t.saturating_sub(now)),
            _ => None,
        }
    }
}

/// Knows when each stock's home market is open. Implemented by pallet-market-calendar.
pub trait MarketClock {
    /// The session of stock `asset` at `now` (ms). `None` if `asset` is not a listed stock.
    fn session(asset: AssetId, now: Moment) -> Option<Session>;
    /// The session of exchange `exchange` at `now`. `None` if there is no such exchange.
    fn exchange_session(exchange: ExchangeId, now: Moment) -> Option<Session>;
}

/// Which exchanges exist. Implemented by pallet-market-calendar, used by pallet-equities.
pub trait ExchangeRegistry {
    /// Whether `exchange` is known.
    fn exchange_exists(exchange: ExchangeId) -> bool;
}

/// The trading status of a listed stock token.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
    Serialize,
    Deserialize,
)]
pub enum StockStatus {
    /// Listed and trading.
    Active,
    /// Trading halted by the admin (news pending, exchange halt, ...).
    Halted,
    /// Delisted: no new minting; holders can still redeem.
    Delisted,
}

/// Which assets are stock tokens, on which exchange, and in what state. Implemented by
/// pallet-equities.
pub trait StockRegistry {
    /// The home exchange of `asset`, if it is a listed stock token.
    fn exchange_of(asset: AssetId) -> Option<ExchangeId>;
    /// The status of `asset`, if it is a listed stock token.
    fn status(asset: AssetId) -> Option<StockStatus>;
    /// Whether a dividend or split of `asset` is being processed (its balances are locked).
    fn corporate_action_in_progress(asset: AssetId) -> bool;
    /// Whether `asset` is a listed stock token.
    fn is_stock(asset: AssetId) -> bool {
        Self::exchange_of(asset).is_some()
    }
}

/// Why a stock-token balance cannot move now.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub enum MoveError {
    /// No such asset.
    UnknownAsset,
    /// A dividend or split is being processed: the asset's balances are locked.
    CorporateAction,
    /// The asset or the account is frozen (or blocked) in pallet-assets.
    Frozen,
    /// Not enough free (reducible) balance.
    InsufficientBalance,
}

/// Lets other pallets ask, before they try, whether an account's stock tokens can move.
pub trait BalanceGuard<AccountId> {
    /// `Ok` if `who` can move `amount` of `asset` now.
    fn can_move(asset: AssetId, who: &AccountId, amount: Balance) -> Result<(), MoveError>;
}

/// Told about corporate actions by pallet-equities: pallets that hold stock tokens on behalf
/// of users in a pot account (the pool, margin accounts) attribute dividends and rescale their
/// ledgers; pallet-prices rescales the stored prices on a split.
pub trait CorporateActionHandler<AccountId> {
    /// `holder` received `amount` of `paid_in` (`None`: the native token) as the dividend of
    /// its `asset` balance. The funds are already in `holder`.
    fn on_dividend(holder: &AccountId, asset: AssetId, paid_in: Option<AssetId>, amount: Balance);
    /// A split of `asset`: every balance becomes `balance * numerator / denominator`. Called
    /// once, when the split starts.
    fn on_split(asset: AssetId, numerator: u32, denominator: u32);
}

impl<AccountId> CorporateActionHandler<AccountId> for () {
    fn on_dividend(_: &AccountId, _: AssetId, _: Option<AssetId>, _: Balance) {}
    fn on_split(_: AssetId, _: u32, _: u32) {}
}

impl<AccountId, A, B> CorporateActionHandler<AccountId> for (A, B)
where
    A: CorporateActionHandler<AccountId>,
    B: CorporateActionHandler<AccountId>,
{
    fn on_dividend(holder: &AccountId, asset: AssetId, paid_in: Option<AssetId>, amount: Balance) {
        A::on_dividend(holder, asset, paid_in, amount);
        B::on_dividend(holder, asset, paid_in, amount);
    }
    fn on_split(asset: AssetId, numerator: u32, denominator: u32) {
        A::on_split(asset, numerator, denominator);
        B::on_split(asset, numerator, denominator);
    }
}
