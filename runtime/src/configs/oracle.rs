//! The price feed: one orml-oracle instance whose operators are the members of a
//! pallet-membership instance (set at genesis, changed by root).
//!
//! orml-oracle stores the operators' raw values. pallet-prices is the only reader: it combines
//! them (quorum, median) and checks freshness on every read (orml-oracle does not: ORML issue
//! 536).

use frame_support::{parameter_types, traits::ConstU32, PalletId};
use frame_system::EnsureRoot;
use sp_runtime::traits::AccountIdConversion;

use crate::{AccountId, OracleKey, OracleOperators, Price, Runtime, RuntimeEvent, Timestamp};

/// The most oracle operators there can be. orml-oracle's per-block "has fed" set has the same
/// bound, so every operator can feed in every block.
pub const MAX_ORACLE_OPERATORS: u32 = 16;
/// The most values one `feed_values` call may carry. It must cover every feed key at once:
/// BTC, ETH, their two implied volatilities, PRP and every listed stock token (a stock per
/// market at most, so 512 and more; 250 stocks need 255).
pub const MAX_FEED_VALUES: u32 = 640;

parameter_types! {
    /// Feeds made by root are recorded under this account.
    pub RootOperatorAccountId: AccountId = PalletId(*b"prp/orcl").into_account_truncating();
}

/// pallet-membership instance holding the oracle operators.
pub type OracleMembershipInstance = pallet_membership::Instance1;

impl pallet_membership::Config<OracleMembershipInstance> for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type AddOrigin = EnsureRoot<AccountId>;
    type RemoveOrigin = EnsureRoot<AccountId>;
    type SwapOrigin = EnsureRoot<AccountId>;
    type ResetOrigin = EnsureRoot<AccountId>;
    type PrimeOrigin = EnsureRoot<AccountId>;
    type MembershipInitialized = ();
    /// A removed operator's raw values are deleted so they no longer count in the median.
    type MembershipChanged = crate::Oracle;
    type MaxMembers = ConstU32<MAX_ORACLE_OPERATORS>;
    type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}

/// orml-oracle keeps the operators' raw values; pallet-prices combines them itself (a quorum
/// of agreeing operators, a true median, values no older than the price's own validity), so
/// orml-oracle's own combined value is never written.
pub type OracleCombineData = pallet_prices::NoCombine;

impl orml_oracle::Config for Runtime {
    type OnNewData = ();
    type CombineData = OracleCombineData;
    type Time = Timestamp;
    type OracleKey = OracleKey;
    type OracleValue = Price;
    type RootOperatorAccountId = RootOperatorAccountId;
    type Members = OracleOperators;
    type WeightInfo = ();
    type MaxHasDispatchedSize = ConstU32<MAX_ORACLE_OPERATORS>;
    type MaxFeedValues = ConstU32<MAX_FEED_VALUES>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = ();
}
