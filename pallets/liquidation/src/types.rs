//! Types of pallet-liquidation.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::Perbill;

/// The liquidation engine's parameters, set by the admin: one place for every one of them.
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
pub struct LiquidationParams {
    /// Share of the liquidation penalty paid to the keeper of a signed `liquidate`; the rest
    /// (all of it for the offchain worker's unsigned liquidations) goes to the insurance
    /// tranche.
    pub keeper_share: Perbill,
    /// Most liquidations in one block (an account is liquidated at most once per block).
    pub max_per_block: u32,
    /// Accounts the offchain worker values per run.
    pub scan_per_run: u32,
    /// The worker re-checks first, every run, accounts whose equity was below their
    /// maintenance margin times `1 + watch_ratio` (100%: twice the maintenance margin).
    pub watch_ratio: Perbill,
    /// A partial liquidation closes this much more than the estimate that restores initial
    /// margin (slippage and penalty), e.g. 25%.
    pub close_buffer: Perbill,
    /// Accounts auto-deleveraging values per block while a deficit is open.
    pub adl_scan: u32,
}

impl Default for LiquidationParams {
    fn default() -> Self {
        LiquidationParams {
            keeper_share: Perbill::from_percent(30),
            max_per_block: 200,
            scan_per_run: 5_000,
            watch_ratio: Perbill::from_percent(100),
            close_buffer: Perbill::from_percent(25),
            adl_scan: 64,
        }
    }
}

/// How the offchain worker's run went (for logs and tests).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct WorkerReport {
    /// Accounts valued.
    pub scanned: u32,
    /// Of which from the watch list.
    pub watched: u32,
    /// Unsigned liquidations submitted.
    pub submitted: u32,
    /// Accounts that could not be valued (stale or held prices).
    pub unpriced: u32,
}
