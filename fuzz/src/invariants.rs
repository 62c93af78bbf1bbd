//! What must hold after every block, whatever was called.

use frame_support::dispatch::DispatchClass;
use perpetua_primitives::MarginEngine;
use perpetua_runtime::{
    Equities, Liquidation, MarketCalendar, Options, Pool, Prices, Runtime, System,
};

/// Every pallet's `try_state`, then the global checks. The first failure, named.
/// `issuance_forced` is the net change root made to PRP's total issuance with
/// `force_adjust_total_issuance` (which exists to correct the issuance, so moves it away from
/// the accounts' sum by exactly that).
pub fn check(issuance_forced: i128) -> Result<(), String> {
    let named = |name: &str, r: Result<(), sp_runtime::TryRuntimeError>| {
        r.map_err(|e| format!("{name}::try_state: {e:?}"))
    };
    named("MarketCalendar", MarketCalendar::do_try_state())?;
    named("Equities", Equities::do_try_state())?;
    named("Prices", Prices::do_try_state())?;
    named("Pool", Pool::do_try_state())?;
    named("Options", Options::do_try_state())?;
    named("Liquidation", Liquidation::do_try_state())?;
    named(
        "ValidatorSet",
        perpetua_runtime::ValidatorSet::do_try_state(),
    )?;
    named("Governance", perpetua_runtime::Governance::do_try_state())?;
    native_supply(issuance_forced)?;
    asset_supplies()?;
    accounts_value()?;
    pools_value()?;
    block_weight()?;
    Ok(())
}

/// PRP: the sum of every account's free and reserved balance is the total issuance, less
/// what root forced.
fn native_supply(forced: i128) -> Result<(), String> {
    let mut sum: u128 = 0;
    for (_, info) in frame_system::Account::<Runtime>::iter() {
        sum = sum
            .checked_add(info.data.free)
            .and_then(|s| s.checked_add(info.data.reserved))
            .ok_or("PRP balances overflow")?;
    }
    let issuance = pallet_balances::Pallet::<Runtime>::total_issuance();
    if (sum as i128).checked_add(forced) != Some(issuance as i128) {
        return Err(format!(
            "PRP: accounts hold {sum}, total issuance is {issuance}, root forced {forced}"
        ));
    }
    Ok(())
}

/// Every asset: the sum of its accounts' balances is its supply, and its account count is
/// the number of accounts.
fn asset_supplies() -> Result<(), String> {
    for (id, details) in pallet_assets::Asset::<Runtime>::iter() {
        let mut sum: u128 = 0;
        let mut accounts: u32 = 0;
        for (_, account) in pallet_assets::Account::<Runtime>::iter_prefix(id) {
            sum = sum
                .checked_add(account.balance)
                .ok_or_else(|| format!("asset {id}: balances overflow"))?;
            accounts += 1;
        }
        if sum != details.supply {
            return Err(format!(
                "asset {id}: accounts hold {sum}, supply is {}",
                details.supply
            ));
        }
        if accounts != details.accounts {
            return Err(format!(
                "asset {id}: {accounts} accounts, details count {}",
                details.accounts
            ));
        }
    }
    Ok(())
}

/// Every margin account can be valued without overflow; an account's collateral is never above what its settlement's pot
/// records in total.
fn accounts_value() -> Result<(), String> {
    for (settlement, who, account) in pallet_options::Accounts::<Runtime>::iter() {
        let total = pallet_options::TotalCollateral::<Runtime>::get(settlement);
        let split_pending = pallet_options::LedgerActions::<Runtime>::get(settlement).is_some();
        if account.collateral > total && !split_pending {
            return Err(format!(
                "settlement {settlement}: an account holds {} of {total} collateral",
                account.collateral
            ));
        }
        // Valuing may fail for want of a usable price; never by overflow.
        if let Err(e) =
            <Options as MarginEngine<_>>::risk(&who, settlement, &mut Default::default())
        {
            let overflow = matches!(e, sp_runtime::DispatchError::Arithmetic(_))
                || matches!(
                    e,
                    sp_runtime::DispatchError::Module(sp_runtime::ModuleError {
                        message: Some("Overflow"),
                        ..
                    })
                );
            if overflow {
                return Err(format!(
                    "account of {who:?} in {settlement} cannot be valued: {e:?}"
                ));
            }
        }
    }
    Ok(())
}

/// Every pool reports its state (NAV per share computes), and a tranche with shares out has
/// capital behind them or is written off by the deficit ledger.
fn pools_value() -> Result<(), String> {
    for asset in pallet_pool::Pools::<Runtime>::iter_keys() {
        if Pool::state(asset).is_none() {
            return Err(format!("pool {asset}: state cannot be computed"));
        }
    }
    Ok(())
}

/// The block's weight, per class, is within the class's limit, and in all within the block's.
fn block_weight() -> Result<(), String> {
    let limits = <Runtime as frame_system::Config>::BlockWeights::get();
    let consumed = System::block_weight();
    for class in [DispatchClass::Normal, DispatchClass::Operational] {
        let used = consumed.get(class);
        if let Some(max) = limits.get(class).max_total {
            if used.any_gt(max) {
                return Err(format!("{class:?} weight {used:?} above its limit {max:?}"));
            }
        }
    }
    let total = consumed.total();
    if total.any_gt(limits.max_block) {
        return Err(format!(
            "block weight {total:?} above the block's limit {:?}",
            limits.max_block
        ));
    }
    Ok(())
}
