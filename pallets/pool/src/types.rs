//! Types of pallet-pool.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use perpetua_primitives::{AssetId, Balance, Moment, Tranche};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{FixedU128, Perbill};

/// A pool's ledger, in settlement-asset base units.
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
pub struct PoolInfo {
    /// Share token of the main tranche (a pallet-assets asset).
    pub main_share: AssetId,
    /// Share token of the insurance tranche.
    pub insurance_share: AssetId,
    /// Main tranche capital.
    pub main: Balance,
    /// Insurance tranche capital.
    pub insurance: Balance,
    /// Margin the pool must hold against its book (set by the options pallet).
    pub required_margin: Balance,
    /// Deposits waiting for the market to open, held in the pool account.
    pub queued_deposits: Balance,
    /// Whether the pool takes new risk (the admin may close it to new positions).
    pub open: bool,
    /// The depth the options curve prices against: capital averaged over
    /// `PoolParams::depth_smoothing`, as of `depth_at` (see [`crate::nav::depth`]).
    pub depth: Balance,
    /// When `depth` was last brought up to date (ms; 0: never, the depth is the capital).
    pub depth_at: Moment,
}

impl PoolInfo {
    /// Main plus insurance capital.
    pub fn capital(&self) -> Balance {
        self.main.saturating_add(self.insurance)
    }

    /// The capital and share token of `tranche`.
    pub fn tranche(&self, tranche: Tranche) -> (Balance, AssetId) {
        match tranche {
            Tranche::Main => (self.main, self.main_share),
            Tranche::Insurance => (self.insurance, self.insurance_share),
        }
    }

    /// Mutable capital of `tranche`.
    pub fn capital_mut(&mut self, tranche: Tranche) -> &mut Balance {
        match tranche {
            Tranche::Main => &mut self.main,
            Tranche::Insurance => &mut self.insurance,
        }
    }
}

/// A pool's risk and fee parameters, set by the admin. One place for them all.
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
pub struct PoolParams {
    /// Capital must stay at least this multiple of the required margin (e.g. 1.5).
    pub min_liquidity_ratio: FixedU128,
    /// The book's net delta (in settlement value) may not exceed this share of capital.
    pub max_net_delta: Perbill,
    /// Share of trading fees to the main tranche.
    pub fee_to_main: Perbill,
    /// Share of trading fees to the insurance tranche (the rest goes to the protocol).
    pub fee_to_insurance: Perbill,
    /// Share of the pool's ordinary results borne by the insurance tranche, gains and losses
    /// alike (funding either way, traders' losses and profits, the book's value); main takes
    /// the rest. See [`crate::nav`].
    pub insurance_share: Perbill,
    /// Fee on every withdrawal, left in the tranche for the remaining LPs.
    pub withdrawal_fee: Perbill,
    /// Fee on a withdrawal by an account that deposited into the tranche less than
    /// `cooldown` ago (instead of `withdrawal_fee`).
    pub early_withdrawal_fee: Perbill,
    /// See `early_withdrawal_fee` (ms).
    pub cooldown: Moment,
    /// Least deposit (settlement base units) and least withdrawal (shares, unless all of
    /// one's shares): dust requests would fill the queue.
    pub min_flow: Balance,
    /// How slowly the curve's depth follows capital (ms): no flow of capital in one block
    /// (an LP flow, a trader's realised profit) moves the prices traders get.
    pub depth_smoothing: Moment,
}

/// Why a pool's parameters were refused: one name per bound.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ParamsError {
    /// `fee_to_main + fee_to_insurance` is above 100%.
    FeeSharesAboveWhole,
    /// `min_liquidity_ratio` is below 1.
    LiquidityRatioBelowOne,
    /// `early_withdrawal_fee` is below `withdrawal_fee`.
    EarlyFeeBelowFee,
    /// `early_withdrawal_fee` is above [`PoolParams::MAX_WITHDRAWAL_FEE`].
    WithdrawalFeeTooHigh,
    /// `insurance_share` is above [`PoolParams::MAX_INSURANCE_SHARE`].
    InsuranceShareTooHigh,
    /// `min_flow` is zero.
    ZeroMinFlow,
    /// `depth_smoothing` is below [`PoolParams::MIN_DEPTH_SMOOTHING`].
    DepthSmoothingTooShort,
}

impl PoolParams {
    /// The highest withdrawal fee a pool may charge.
    pub const MAX_WITHDRAWAL_FEE: Perbill = Perbill::from_percent(10);
    /// The largest share of ordinary results the insurance tranche may bear: it is first-loss
    /// capital for bad debt, not a second main tranche.
    pub const MAX_INSURANCE_SHARE: Perbill = Perbill::from_percent(50);
    /// The fastest the curve's depth may follow capital: one hour.
    pub const MIN_DEPTH_SMOOTHING: Moment = 3_600_000;

    /// Checks every bound, naming the first one broken.
    pub fn validate(&self) -> Result<(), ParamsError> {
        let fees =
            self.fee_to_main.deconstruct() as u64 + self.fee_to_insurance.deconstruct() as u64;
        if fees > 1_000_000_000 {
            return Err(ParamsError::FeeSharesAboveWhole);
        }
        if self.min_liquidity_ratio < FixedU128::from_u32(1) {
            return Err(ParamsError::LiquidityRatioBelowOne);
        }
        if self.early_withdrawal_fee < self.withdrawal_fee {
            return Err(ParamsError::EarlyFeeBelowFee);
        }
        if self.early_withdrawal_fee > Self::MAX_WITHDRAWAL_FEE {
            return Err(ParamsError::WithdrawalFeeTooHigh);
        }
        if self.insurance_share > Self::MAX_INSURANCE_SHARE {
            return Err(ParamsError::InsuranceShareTooHigh);
        }
        if self.min_flow == 0 {
            return Err(ParamsError::ZeroMinFlow);
        }
        if self.depth_smoothing < Self::MIN_DEPTH_SMOOTHING {
            return Err(ParamsError::DepthSmoothingTooShort);
        }
        Ok(())
    }
}

/// Cash the pool's ledger already counts but that still sits in the account that owes it (the
/// options pallet's pot): the block's trade fees and losses, booked at once and moved once, at
/// the block's end or before anything needs the cash. Settlement base units.
#[derive(
    Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Receivable<AccountId> {
    /// The account that owes it.
    pub from: AccountId,
    /// Owed to the pool account (tranches and claims' cash).
    pub to_pool: Balance,
    /// Owed to the protocol account (its share of fees).
    pub to_protocol: Balance,
}

impl<AccountId> Receivable<AccountId> {
    /// Everything `from` owes.
    pub fn total(&self) -> Balance {
        self.to_pool.saturating_add(self.to_protocol)
    }
}

/// What the pool owes traders and could not pay (claims, senior to the LPs), and the cash set
/// aside for them from inflows since; settlement base units.
#[derive(
    Clone,
    PartialEq,
    Eq,
    Default,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
)]
pub struct DeficitLedger {
    /// The sum of all claims outstanding (carried through the split in progress, if any).
    pub owed: Balance,
    /// Held in the pool account for the claimants, outside the tranches; at most `owed`.
    pub reserve: Balance,
    /// How many splits of the settlement stock the claims have been carried through (each
    /// claim's own count is in `ClaimEpochs`).
    pub epoch: u32,
    /// A split being carried through the claims.
    pub split: Option<ClaimsSplit>,
}

/// A split of the settlement stock being carried through the claims: each claim still below
/// the ledger's epoch becomes `floor(claim * numerator / denominator)` when touched or walked.
#[derive(
    Clone,
    PartialEq,
    Eq,
    Default,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
)]
pub struct ClaimsSplit {
    pub numerator: u32,
    pub denominator: u32,
    /// Claims not carried through yet, pre-split units.
    pub unscaled: Balance,
    /// The last claim the walk reached (raw storage key).
    pub cursor: Option<frame_support::BoundedVec<u8, frame_support::traits::ConstU32<128>>>,
}

impl DeficitLedger {
    /// Every claim in current units (those the split has not reached at their post-split
    /// value, rounded down).
    pub fn total_owed(&self) -> Balance {
        let pending = self.split.as_ref().map_or(0, |s| {
            perpetua_primitives::split_amount(s.unscaled, s.numerator, s.denominator)
        });
        self.owed.saturating_add(pending)
    }

    /// Claims not yet backed by cash.
    pub fn uncovered(&self) -> Balance {
        self.total_owed().saturating_sub(self.reserve)
    }

    /// Nothing owed and nothing being carried through: the ledger need not be stored.
    pub fn is_empty(&self) -> bool {
        self.owed == 0 && self.reserve == 0 && self.split.is_none()
    }
}

impl Default for PoolParams {
    fn default() -> Self {
        PoolParams {
            min_liquidity_ratio: FixedU128::from_rational(3, 2),
            max_net_delta: Perbill::from_percent(50),
            fee_to_main: Perbill::from_percent(60),
            fee_to_insurance: Perbill::from_percent(30),
            // Insurance is first-loss capital for bad debt and nothing else: by default it takes
            // no part of ordinary results, so its share price falls only on bad debt.
            insurance_share: Perbill::zero(),
            withdrawal_fee: Perbill::from_parts(1_000_000), // 0.1%
            early_withdrawal_fee: Perbill::from_percent(1),
            cooldown: 24 * 60 * 60 * 1000,
            min_flow: 1_000_000_000_000,
            depth_smoothing: 24 * 60 * 60 * 1000,
        }
    }
}

/// Id of a queued request (never reused).
pub type RequestId = u64;

/// A deposit or withdrawal waiting for the settlement stock's market to open.
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
pub enum RequestKind {
    /// Deposit `amount` (escrowed), minting at least `min_shares`.
    Deposit {
        amount: Balance,
        min_shares: Balance,
    },
    /// Redeem `shares` (escrowed), receiving at least `min_amount`.
    Withdraw {
        shares: Balance,
        min_amount: Balance,
    },
}

/// A queued request.
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
pub struct Request<AccountId> {
    pub id: RequestId,
    pub who: AccountId,
    pub tranche: Tranche,
    pub kind: RequestKind,
    /// When it was made (ms).
    pub at: Moment,
}

/// Why a flow did not execute now.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub enum FlowRefusal {
    Slippage,
    LiquidityLimit,
    TrancheCash,
    /// The tranche has shareholders and no value.
    TrancheUnderwater,
    /// The book could not be valued.
    BookUnpriceable,
    Other,
}
