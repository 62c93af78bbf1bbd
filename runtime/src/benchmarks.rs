//! The pallets whose benchmarks the node's `benchmark pallet` command runs.

frame_benchmarking::define_benchmarks!(
    [frame_benchmarking, BaselineBench::<Runtime>]
    [frame_system, SystemBench::<Runtime>]
    [frame_system_extensions, SystemExtensionsBench::<Runtime>]
    [pallet_balances, Balances]
    [pallet_transaction_payment, TransactionPayment]
    [pallet_timestamp, Timestamp]
    [pallet_sudo, Sudo]
    [pallet_utility, Utility]
    [pallet_assets, Assets]
    [pallet_membership, OracleOperators]
    [orml_oracle, Oracle]
    [pallet_market_calendar, MarketCalendar]
    [pallet_equities, Equities]
    [pallet_prices, Prices]
    [pallet_pool, Pool]
    [pallet_options, Options]
    [pallet_liquidation, Liquidation]
    [pallet_governance, Governance]
    [pallet_validator_set, ValidatorSet]
);
