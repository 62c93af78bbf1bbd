//! Types of pallet-equities.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::ConstU32, BoundedVec};
use perpetua_primitives::{AssetId, Balance, ExchangeId, Moment, StockStatus};
use scale_info::TypeInfo;

/// A ticker: 1 to 8 of `A-Z`, `0-9` and `.` (e.g. `TSLA`, `BRK.B`).
pub type Ticker = BoundedVec<u8, ConstU32<8>>;
/// A company name as shown by wallets (pallet-assets metadata).
pub type StockName = BoundedVec<u8, ConstU32<50>>;
/// An ISIN: two letters, nine alphanumerics and a check digit.
pub type Isin = [u8; 12];

/// A listed stock token.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct StockInfo<AccountId> {
    pub ticker: Ticker,
    /// Home exchange (pallet-market-calendar).
    pub exchange: ExchangeId,
    /// Holds the shares and attests reserves; mints and receives redemptions.
    pub custodian: AccountId,
    pub isin: Option<Isin>,
    /// Decimals of the token: one share is `10^decimals` base units.
    pub decimals: u8,
    pub status: StockStatus,
}

/// The custodian's latest statement of shares held.
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
)]
pub struct Attestation {
    /// Shares held, in the token's base units.
    pub reserve: Balance,
    /// When the custodian counted them (ms).
    pub as_of: Moment,
}

/// Risk and throughput parameters, set by the admin.
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
)]
pub struct Params {
    /// Minting is refused while the latest attestation is older than this (ms).
    pub max_attestation_age: Moment,
    /// Holders processed per block by corporate actions (at most `MaxHoldersPerBlock`).
    pub holders_per_block: u32,
}

/// A corporate action being processed.
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
)]
pub enum ActionKind<AccountId> {
    /// A cash dividend of `per_share` base units of `paid_in` (`None`: PRP) per `unit` base
    /// units held (a whole share of a stock), funded with `funded`; what is not paid goes
    /// back to `funder`.
    Dividend {
        paid_in: Option<AssetId>,
        per_share: Balance,
        /// `10^decimals` for a stock; for a pool share token, the precision the pool chose.
        unit: Balance,
        funder: AccountId,
        funded: Balance,
        /// Paid out so far.
        paid: Balance,
        /// A holder that is not paid (the pool account, which pays the owners of the share
        /// tokens it holds in escrow itself).
        exclude: Option<AccountId>,
    },
    /// A split: every balance becomes `balance * numerator / denominator` (rounded down).
    Split {
        numerator: u32,
        denominator: u32,
        /// Old-unit balances processed so far, and what they became.
        old_processed: Balance,
        new_processed: Balance,
        /// The reserve before the split (the supply may exceed the new one mid-way through a
        /// reverse split).
        reserve_before: Balance,
    },
}

/// A corporate action and where its walk over the holders is.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct CorporateAction<AccountId> {
    pub id: u32,
    pub kind: ActionKind<AccountId>,
    /// The supply when it started.
    pub supply_at_start: Balance,
    /// The last holder processed (raw storage key in pallet-assets), `None` before the first.
    pub cursor: Option<BoundedVec<u8, ConstU32<128>>>,
    /// Holders processed so far.
    pub holders: u32,
    /// Whether the walk over the holders has reached the end (the action then waits only for
    /// the pallets carrying it through their ledgers).
    pub walked: bool,
    /// Holders brought through the action out of order (on touch, ahead of the cursor) whose
    /// markers in `Touched` the walk has not removed yet.
    pub touched: u32,
}
