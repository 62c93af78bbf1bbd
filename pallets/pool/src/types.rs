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
    /// Share of gains (funding, trader losses) to the insurance tranche; the rest to main.
    pub gains_to_insurance: Perbill,
    /// Fee on every withdrawal, left in the tranche for the remaining LPs.
    pub withdrawal_fee: Perbill,
    /// Fee on a withdrawal by an account that deposited into the tranche less than
    /// `cooldown` ago (instead of `withdrawal_fee`).
    pub early_withdrawal_fee: Perbill,
    /// See `early_withdrawal_fee` (ms).
    pub cooldown: Moment,
}

impl Default for PoolParams {
    fn default() -> Self {
        PoolParams {
            min_liquidity_ratio: FixedU128::from_rational(3, 2),
            max_net_delta: Perbill::from_percent(50),
            fee_to_main: Perbill::from_percent(60),
            fee_to_insurance: Perbill::from_percent(30),
            gains_to_insurance: Perbill::from_percent(10),
            withdrawal_fee: Perbill::from_parts(1_000_000), // 0.1%
            early_withdrawal_fee: Perbill::from_percent(1),
            cooldown: 24 * 60 * 60 * 1000,
        }
    }
}

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
    pub id: u32,
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
    Other,
}
