//! The pallet's invariants, checked by `try_state` (every block under `try-runtime`, and at
//! the end of every test).

use crate::*;
use sp_runtime::{traits::CheckedAdd, FixedPointNumber};

impl<T: Config> Pallet<T> {
    /// Invariants: each pot holds at least the collateral recorded for its settlement
    /// asset, which equals the sum of the accounts', plus what it owes the pool for the
    /// block's trades; every series' long and short totals and entry and funding sums equal
    /// the sums over its positions; positions are never zero, each held in the account of its
    /// series' settlement, one per series; each settlement's pool margin and book delta are
    /// the sums of its series'.
    pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
        // Per settlement: collateral of accounts carried through the action in progress (or
        // all, without one), and of those not yet (pre-split units).
        let mut collateral: Vec<(AssetId, Balance, Balance)> = Vec::new();
        let behind = |settlement: AssetId, account: &AccountOf<T>| {
            LedgerActions::<T>::get(settlement).is_some_and(|a| {
                account.epoch < a.epoch && matches!(a.kind, LedgerActionKind::Split { .. })
            })
        };
        let now = frame_system::Pallet::<T>::block_number();
        for (market, block) in LastTraded::<T>::iter() {
            ensure!(
                Markets::<T>::contains_key(market),
                "trade marker of no market"
            );
            ensure!(block <= now, "trade marker from a future block");
        }
        for (settlement, _, account) in Accounts::<T>::iter() {
            ensure!(
                account.epoch <= ActionEpoch::<T>::get(settlement),
                "account ahead of its settlement's epoch"
            );
            let (done, left) = if behind(settlement, &account) {
                (0, account.collateral)
            } else {
                (account.collateral, 0)
            };
            match collateral.iter_mut().find(|(a, ..)| *a == settlement) {
                Some((_, c, u)) => {
                    *c = c.saturating_add(done);
                    *u = u.saturating_add(left);
                }
                None => collateral.push((settlement, done, left)),
            }
        }
        for (settlement, total, left) in &collateral {
            ensure!(
                TotalCollateral::<T>::get(settlement) == *total,
                "total collateral mismatch"
            );
            let action = LedgerActions::<T>::get(settlement);
            match action.as_ref().map(|a| &a.kind) {
                Some(LedgerActionKind::Split { unscaled, .. }) => {
                    ensure!(unscaled == left, "unscaled collateral mismatch")
                }
                _ => ensure!(*left == 0, "account behind without a split"),
            }
            let pot = Self::pot(*settlement);
            let held = pallet_assets::Pallet::<T>::balance(*settlement, &pot);
            ensure!(
                held >= Self::total_collateral(*settlement)
                    .saturating_add(T::Pool::receivable(*settlement, &pot)),
                "pot holds less than the collateral and the pool's receivable"
            );
        }
        for (settlement, action) in LedgerActions::<T>::iter() {
            ensure!(
                action.epoch == ActionEpoch::<T>::get(settlement),
                "action not in the current epoch"
            );
            if let LedgerActionKind::Dividend {
                terms,
                received,
                paid,
            } = action.kind
            {
                ensure!(paid <= received, "dividend paid more than received");
                if let Some(asset) = terms.paid_in {
                    let held = pallet_assets::Pallet::<T>::balance(asset, Self::pot(settlement));
                    ensure!(held >= received - paid, "pot short of the dividend owed");
                }
            }
        }
        let mut sums: Vec<(SeriesId, u128, u128, Fixed, Fixed)> = Vec::new();
        for (settlement, _, account) in Accounts::<T>::iter() {
            for (at, &(id, p)) in account.positions.iter().enumerate() {
                ensure!(p.size != 0, "zero position stored");
                let series = SeriesBook::<T>::get(id).ok_or("position in unknown series")?;
                let market = Markets::<T>::get(series.market).ok_or("series of unknown market")?;
                ensure!(
                    market.settlement == settlement,
                    "position in another settlement's account"
                );
                ensure!(
                    !account.positions.iter().skip(at + 1).any(|(x, _)| *x == id),
                    "two positions in one series"
                );
                let size = Fixed::from_integer(p.size).ok_or("overflow")?;
                let e = valuation::fx(p.entry).checked_mul(size).ok_or("overflow")?;
                let snapshot = match LedgerActions::<T>::get(settlement) {
                    Some(LedgerAction {
                        epoch,
                        kind:
                            LedgerActionKind::Split {
                                numerator,
                                denominator,
                                ..
                            },
                        ..
                    }) if account.epoch < epoch => {
                        corporate::scale_fixed(p.funding_index, numerator, denominator)
                    }
                    _ => p.funding_index,
                };
                let f = valuation::from_i(snapshot)
                    .checked_mul(size)
                    .ok_or("overflow")?;
                match sums.iter_mut().find(|s| s.0 == id) {
                    Some(s) => {
                        s.1 = s.1.saturating_add(p.size.max(0) as u128);
                        s.2 = s.2.saturating_add(p.size.min(0).unsigned_abs());
                        s.3 = s.3.checked_add(e).ok_or("overflow")?;
                        s.4 = s.4.checked_add(f).ok_or("overflow")?;
                    }
                    None => sums.push((
                        id,
                        p.size.max(0) as u128,
                        p.size.min(0).unsigned_abs(),
                        e,
                        f,
                    )),
                }
            }
        }
        // Per settlement: the sums of the series' pool margin and dollar delta.
        let mut book: Vec<(AssetId, FixedU128, FixedI128)> = Vec::new();
        for (id, series) in SeriesBook::<T>::iter() {
            let settlement = Markets::<T>::get(series.market)
                .ok_or("series of unknown market")?
                .settlement;
            match book.iter_mut().find(|b| b.0 == settlement) {
                Some(b) => {
                    b.1 = b.1.checked_add(&series.pool_margin).ok_or("overflow")?;
                    b.2 = b.2.checked_add(&series.delta_usd).ok_or("overflow")?;
                }
                None => book.push((settlement, series.pool_margin, series.delta_usd)),
            }
            let (long, short, e, f) = sums
                .iter()
                .find(|s| s.0 == id)
                .map(|s| (s.1, s.2, s.3, s.4))
                .unwrap_or((0, 0, Fixed::ZERO, Fixed::ZERO));
            ensure!(
                series.long == long && series.short == short,
                "series open interest mismatch"
            );
            // Sums are kept incrementally with one rounding per update: allow one unit of
            // the 18th decimal per contract held.
            let slack = (long.saturating_add(short) as i128)
                .saturating_add(3)
                .saturating_mul(4);
            let gap = |a: FixedI128, b: Fixed| {
                valuation::from_i(a)
                    .into_inner()
                    .saturating_sub(b.into_inner())
                    .saturating_abs()
            };
            ensure!(
                gap(series.entry_sum, e) <= slack,
                "series entry sum mismatch"
            );
            let funding_slack =
                slack.saturating_add(series.funding_rounding.min(i128::MAX as u128) as i128);
            ensure!(
                gap(series.funding_sum, f) <= funding_slack,
                "series funding sum mismatch"
            );
            if long == 0 && short == 0 {
                ensure!(
                    series.entry_sum.is_zero() && series.funding_sum.is_zero(),
                    "sums of a series without positions"
                );
            }
        }
        // Each book holds its settlement's series in `SettlementSeries` order, each of its own
        // settlement, and each series' slot says where it is.
        for (settlement, book) in Books::<T>::iter() {
            let ids: Vec<SeriesId> = book.iter().map(|(id, _)| *id).collect();
            ensure!(
                ids == SettlementSeries::<T>::get(settlement).into_inner(),
                "a book is not its settlement's series"
            );
            for (slot, (id, series)) in book.iter().enumerate() {
                let market = Markets::<T>::get(series.market).ok_or("series of unknown market")?;
                ensure!(
                    market.settlement == settlement
                        && SeriesSlot::<T>::get(id) == Some((settlement, slot as u32)),
                    "a series is out of its place"
                );
            }
        }
        ensure!(
            SeriesSlot::<T>::iter_keys().count() == AllSeries::<T>::get().len(),
            "a slot of no listed series"
        );
        // The settlements are exactly the markets', each once.
        let settlements = Settlements::<T>::get();
        let mut listed = alloc::collections::BTreeSet::new();
        for (_, market) in Markets::<T>::iter() {
            listed.insert(market.settlement);
        }
        ensure!(
            settlements.len() == listed.len() && settlements.iter().all(|s| listed.contains(s)),
            "settlements are not the markets'"
        );
        for (settlement, margin, delta) in book {
            ensure!(
                PoolMargin::<T>::get(settlement) == margin,
                "pool margin is not the sum of its series'"
            );
            ensure!(
                BookDelta::<T>::get(settlement) == delta,
                "book delta is not the sum of its series'"
            );
        }
        Self::collateral_try_state()
    }

    /// The extra-collateral ledger, per settlement and stock: each holding's shares are the sum
    /// of the baskets' and the pot holds at least its tokens; each settlement's debt is the sum
    /// of the accounts' (those a split has not reached in `UnscaledDebt`); an auction runs only
    /// on debt, a basket holds listed stocks once each with shares, and every basket has a
    /// ledger entry (the walk of a split of the settlement stock reaches its debt).
    fn collateral_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
        let mut shares: Vec<(AssetId, AssetId, Balance)> = Vec::new();
        let mut debts: Vec<(AssetId, Balance, Balance)> = Vec::new();
        for (settlement, who, basket) in Baskets::<T>::iter() {
            ensure!(!basket.is_empty(), "empty basket stored");
            let account = Accounts::<T>::try_get(settlement, &who)
                .map_err(|_| "basket without a ledger entry")?;
            ensure!(
                basket.auction.is_none() || basket.debt > 0,
                "auction without debt"
            );
            let behind = LedgerActions::<T>::get(settlement).is_some_and(|a| {
                account.epoch < a.epoch && matches!(a.kind, LedgerActionKind::Split { .. })
            });
            let (done, left) = if behind {
                (0, basket.debt)
            } else {
                (basket.debt, 0)
            };
            match debts.iter_mut().find(|d| d.0 == settlement) {
                Some(d) => {
                    d.1 = d.1.saturating_add(done);
                    d.2 = d.2.saturating_add(left);
                }
                None => debts.push((settlement, done, left)),
            }
            for (i, (asset, n)) in basket.assets.iter().enumerate() {
                ensure!(*n > 0, "basket entry without shares");
                ensure!(
                    CollateralAssets::<T>::contains_key(asset),
                    "basket holds an unlisted stock"
                );
                ensure!(
                    !basket.assets[..i].iter().any(|(a, _)| a == asset),
                    "basket holds a stock twice"
                );
                match shares
                    .iter_mut()
                    .find(|x| x.0 == settlement && x.1 == *asset)
                {
                    Some(x) => x.2 = x.2.saturating_add(*n),
                    None => shares.push((settlement, *asset, *n)),
                }
            }
        }
        for (settlement, asset, holding) in CollateralHoldings::<T>::iter() {
            let sum = shares
                .iter()
                .find(|x| x.0 == settlement && x.1 == asset)
                .map_or(0, |x| x.2);
            ensure!(
                holding.shares == sum,
                "holding's shares are not the baskets'"
            );
            ensure!(
                asset != settlement,
                "settlement stock held as extra collateral"
            );
            let held = pallet_assets::Pallet::<T>::balance(asset, Self::pot(settlement));
            ensure!(
                held >= holding.amount,
                "pot holds less than its extra collateral"
            );
        }
        // Dividends owed on extra collateral are in the pot.
        for (settlement, asset, holding) in CollateralHoldings::<T>::iter() {
            for (i, (paid_in, sum)) in holding.dividends.iter().enumerate() {
                let mut owed: Balance = 0;
                for (who, basket) in Baskets::<T>::iter_prefix(settlement) {
                    let since = DividendClaims::<T>::get((settlement, &who, asset))
                        .get(i)
                        .copied()
                        .unwrap_or_default();
                    owed = owed.saturating_add(
                        sp_runtime::traits::Saturating::saturating_sub(*sum, since)
                            .saturating_mul_int(basket.shares(asset)),
                    );
                }
                let pot = Self::pot(settlement);
                let held = match paid_in {
                    Some(a) => pallet_assets::Pallet::<T>::balance(*a, &pot),
                    None => Balance::MAX,
                };
                ensure!(
                    held >= owed,
                    "pot short of the dividends owed on extra collateral"
                );
            }
        }
        for (settlement, asset, _) in &shares {
            ensure!(
                CollateralHoldings::<T>::contains_key(settlement, asset),
                "basket shares of no holding"
            );
        }
        for (settlement, total) in TotalDebt::<T>::iter() {
            let sum = debts.iter().find(|d| d.0 == settlement).map_or(0, |d| d.1);
            ensure!(total == sum, "total debt is not the sum of the accounts'");
        }
        for (settlement, unscaled) in UnscaledDebt::<T>::iter() {
            let sum = debts.iter().find(|d| d.0 == settlement).map_or(0, |d| d.2);
            ensure!(
                unscaled == sum,
                "unscaled debt is not the sum of the accounts behind"
            );
        }
        for (settlement, done, left) in debts {
            ensure!(
                TotalDebt::<T>::get(settlement) == done
                    && UnscaledDebt::<T>::get(settlement) == left,
                "an account's debt is not in the totals"
            );
        }
        Ok(())
    }
}
