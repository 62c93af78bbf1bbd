//! Corporate actions of the settlement stock carried through the margin ledger: the pot is
//! split or paid by pallet-equities (here: by the test, as the mock has no equities pallet),
//! then this pallet is told and carries every account through, on touch or by the walk.

use crate::{mock::*, *};
use frame_support::{assert_ok, traits::fungibles::Mutate as _};
use perpetua_primitives::{CorporateActionHandler, DividendTerms, MarginEngine, Price};

const CALL: SeriesId = 0;
const PUT: SeriesId = 1;
/// A payout asset for dividends in the mock (a stablecoin or another stock).
const USDX: AssetId = 77;
const FUNDER: AccountId = 90;

fn setup(traders: &[AccountId]) {
    assert_ok!(Options::create_market(
        RuntimeOrigin::root(),
        perpetua_primitives::CryptoIndex::Btc,
        TSLA,
        MarketParams::default()
    ));
    for kind in [OptionKind::Call, OptionKind::Put] {
        assert_ok!(Options::list_series(
            RuntimeOrigin::root(),
            0,
            p(100_000),
            kind
        ));
    }
    assert_ok!(<Assets as frame_support::traits::fungibles::Create<_>>::create(USDX, LP, true, 1));
    for (i, who) in traders.iter().enumerate() {
        Assets::mint_into(TSLA, who, 1_000 * TSLA_UNIT).unwrap();
        assert_ok!(Options::deposit(
            RuntimeOrigin::signed(*who),
            TSLA,
            (10 + i as u128) * TSLA_UNIT + i as u128
        ));
        let (series, size) = [(CALL, 2), (PUT, -3), (PUT, 1), (CALL, -1)][i % 4];
        if i % 5 != 4 {
            assert_ok!(Options::trade(
                RuntimeOrigin::signed(*who),
                series,
                size,
                if size > 0 {
                    FixedU128::from_u32(1_000_000)
                } else {
                    FixedU128::zero()
                },
                u64::MAX
            ));
        }
    }
}

fn equity(who: AccountId) -> i128 {
    <Options as MarginEngine<AccountId>>::risk(&who, TSLA, &mut Default::default())
        .unwrap()
        .equity
        .into_inner()
}

/// Mints or burns `who`'s TSLA to `new`, as a split leaves it.
fn set_tsla(who: AccountId, new: Balance) {
    let held = Assets::balance(TSLA, who);
    if new > held {
        Assets::mint_into(TSLA, &who, new - held).unwrap();
    } else if new < held {
        Assets::burn_from(
            TSLA,
            &who,
            held - new,
            frame_support::traits::tokens::Preservation::Expendable,
            frame_support::traits::tokens::Precision::Exact,
            frame_support::traits::tokens::Fortitude::Force,
        )
        .unwrap();
    }
}

/// What pallet-equities does on a split: the pot split at once, the price rescaled, then
/// this pallet told.
pub(crate) fn split(n: u32, d: u32) {
    // As pallet-equities starts an action: the pallets settle what their pots owe first.
    assert_ok!(<(Pool, Options) as CorporateActionHandler<AccountId>>::prepare(TSLA));
    // With u64 accounts the mock's pot and pool account are one account (sub-accounts
    // truncate to the same 8 bytes): split it once.
    let mut pots = vec![Options::pot(TSLA), Pool::account(TSLA)];
    pots.dedup();
    for pot in pots {
        set_tsla(pot, corporate::scale(Assets::balance(TSLA, pot), n, d));
    }
    <Pool as CorporateActionHandler<AccountId>>::on_split(TSLA, n, d);
    let price = <MockPrices as perpetua_primitives::PriceProvider>::price(TSLA_KEY).unwrap();
    MockPrices::set(
        TSLA_KEY,
        Ok(Price::from_inner(
            price.into_inner() * d as u128 / n as u128,
        )),
    );
    <Options as CorporateActionHandler<AccountId>>::on_split(TSLA, n, d);
}

/// What pallet-equities does on a dividend: the pot paid on its balance at once, then this
/// pallet told.
fn dividend(per_share: Balance) -> Balance {
    assert_ok!(<(Pool, Options) as CorporateActionHandler<AccountId>>::prepare(TSLA));
    let pot = Options::pot(TSLA);
    let terms = DividendTerms {
        paid_in: Some(USDX),
        per_share,
        unit: TSLA_UNIT,
        funder: FUNDER,
    };
    // The pot's minimum balance of the payout asset (kept for good), then its dividend.
    if Assets::balance(USDX, pot) == 0 {
        Assets::mint_into(USDX, &pot, 1).unwrap();
    }
    let amount = terms.payout(Assets::balance(TSLA, pot)).unwrap();
    Assets::mint_into(USDX, &pot, amount).unwrap();
    <Options as CorporateActionHandler<AccountId>>::on_dividend(TSLA, &pot, &terms, amount);
    amount
}

fn walk(budget: u32) -> u32 {
    let mut blocks = 0;
    while <Options as CorporateActionHandler<AccountId>>::pending(TSLA) {
        <Options as CorporateActionHandler<AccountId>>::process(TSLA, budget);
        Options::do_try_state().unwrap();
        blocks += 1;
        assert!(blocks < 1_000);
    }
    blocks
}

const TRADERS: [AccountId; 9] = [10, 11, 12, 13, 14, 15, 16, 17, 18];

#[test]
fn a_dividend_reaches_every_margin_account_on_its_collateral_at_the_start() {
    new_test_ext().execute_with(|| {
        setup(&TRADERS);
        let record: Vec<Balance> = TRADERS
            .iter()
            .map(|w| Options::collateral(w, TSLA))
            .collect();
        let per_share = TSLA_UNIT / 3 + 1;
        let received = dividend(per_share);
        // Touched before the walk reaches them: a withdrawal and a trade pay the dividend on
        // the collateral held at the start first.
        assert_ok!(Options::withdraw(
            RuntimeOrigin::signed(TRADERS[8]),
            TSLA,
            TSLA_UNIT
        ));
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(TRADERS[7]),
            CALL,
            1,
            FixedU128::from_u32(1_000_000),
            u64::MAX
        ));
        let blocks = walk(2);
        assert!(blocks >= 5, "{blocks}");
        let mut paid = 0;
        for (who, c) in TRADERS.iter().zip(record) {
            let owed = c * per_share / TSLA_UNIT;
            assert_eq!(Assets::balance(USDX, who), owed, "account {who}");
            paid += owed;
        }
        // The rest (rounding, the pot's own surplus) went back to the funder; the pot keeps
        // its minimum balance only.
        assert_eq!(Assets::balance(USDX, FUNDER), received - paid);
        assert_eq!(Assets::balance(USDX, Options::pot(TSLA)), 1);
    });
}

fn a_split_keeps_every_account_whole(n: u32, d: u32) {
    new_test_ext().execute_with(|| {
        setup(&TRADERS);
        let before: Vec<i128> = TRADERS.iter().map(|w| equity(*w)).collect();
        let collateral: Vec<Balance> = TRADERS
            .iter()
            .map(|w| Options::collateral(w, TSLA))
            .collect();
        let total = TotalCollateral::<Test>::get(TSLA);
        split(n, d);
        Pool::do_try_state().expect("pool after split");
        // Nothing carried through yet: the ledger counts all of it as unscaled.
        assert_eq!(TotalCollateral::<Test>::get(TSLA), 0);
        assert_eq!(
            Options::total_collateral(TSLA),
            corporate::scale(total, n, d)
        );
        Options::do_try_state().unwrap();
        // A trade on an account the walk has not reached.
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(TRADERS[3]),
            PUT,
            -1,
            FixedU128::zero(),
            u64::MAX
        ));
        walk(3);
        for ((who, b), c) in TRADERS.iter().zip(before).zip(collateral) {
            if *who == TRADERS[3] {
                continue;
            }
            assert_eq!(Options::collateral(who, TSLA), corporate::scale(c, n, d));
            let a = equity(*who);
            // Within 10^-6 USD, never up by more than the price's rounding.
            assert!((a - b).abs() < 1_000_000_000_000, "{who}: {b} -> {a}");
        }
        assert_eq!(
            TotalCollateral::<Test>::get(TSLA),
            TRADERS
                .iter()
                .map(|w| Options::collateral(w, TSLA))
                .sum::<Balance>()
        );
        Pool::do_try_state().expect("pool after walk");
        // Everyone can take everything out.
        for who in TRADERS {
            for id in AccountSeries::<Test>::get(who, TSLA) {
                let size = Positions::<Test>::get(who, id).unwrap().size;
                assert_ok!(Options::trade(
                    RuntimeOrigin::signed(who),
                    id,
                    -size,
                    if size < 0 {
                        FixedU128::from_u32(1_000_000)
                    } else {
                        FixedU128::zero()
                    },
                    u64::MAX
                ));
            }
            Pool::do_try_state().expect("pool after a close");
            let c = Options::collateral(&who, TSLA);
            let wallet = Assets::balance(TSLA, who);
            assert_ok!(Options::withdraw(RuntimeOrigin::signed(who), TSLA, c));
            assert_eq!(Assets::balance(TSLA, who), wallet + c);
        }
        assert_eq!(TotalCollateral::<Test>::get(TSLA), 0);
        // With every position closed, the series' sums are zero: no rounding of the split
        // is left for the pool to count as funding receivable (found by the fuzzer).
        for id in [CALL, PUT] {
            let s = SeriesBook::<Test>::get(id).unwrap();
            assert_eq!((s.long, s.short, s.funding_rounding), (0, 0, 0));
            assert!(s.entry_sum.is_zero() && s.funding_sum.is_zero(), "{s:?}");
        }
        Options::do_try_state().unwrap();
    });
}

#[test]
fn a_3_for_1_split_keeps_every_margin_account_whole() {
    a_split_keeps_every_account_whole(3, 1);
}

#[test]
fn a_1_for_10_reverse_split_keeps_every_margin_account_whole() {
    a_split_keeps_every_account_whole(1, 10);
}

mod properties {
    use super::*;
    use frame_support::traits::fungibles::Inspect as _;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Trade {
            who: u8,
            series: SeriesId,
            size: i128,
        },
        Margin {
            who: u8,
            tokens: u128,
            withdraw: bool,
        },
        LpDeposit {
            tokens: u128,
        },
        Split {
            ratio: u8,
        },
        Dividend {
            per_share: u128,
        },
        Walk {
            budget: u32,
        },
        Blocks(u32),
    }

    const RATIOS: [(u32, u32); 5] = [(3, 1), (1, 10), (2, 1), (1, 3), (7, 5)];

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u8..4, 0u32..2, -5i128..5).prop_map(|(who, series, size)| Op::Trade { who, series, size }),
            2 => (0u8..4, 1u128..50, any::<bool>()).prop_map(|(who, tokens, withdraw)| Op::Margin { who, tokens, withdraw }),
            1 => (1u128..500).prop_map(|tokens| Op::LpDeposit { tokens }),
            1 => (0u8..5).prop_map(|ratio| Op::Split { ratio }),
            1 => (1u128..TSLA_UNIT).prop_map(|per_share| Op::Dividend { per_share }),
            2 => (1u32..6).prop_map(|budget| Op::Walk { budget }),
            2 => (1u32..5).prop_map(Op::Blocks),
        ]
    }

    const WHO: [AccountId; 4] = [10, 11, 12, 13];

    /// Every party's value in USD (10^-18): wallets, margin collateral, the tranches at NAV,
    /// queued deposits and claims, less the book the traders hold against the pool, at the
    /// oracle's TSLA price.
    fn parties_usd() -> i128 {
        let mut everyone = vec![LP, INSURER, BOB, CAROL, Protocol::get(), FUNDER];
        everyone.extend(WHO);
        let wallets = wallets_tsla(&everyone);
        let collateral = Options::total_collateral(TSLA);
        let info = pallet_pool::Pools::<Test>::get(TSLA).unwrap();
        let (main, insurance) = Pool::navs(TSLA).unwrap();
        let book = Options::book_value(TSLA, Pool::depth(TSLA)).unwrap();
        let claims = pallet_pool::Deficits::<Test>::get(TSLA).map_or(0, |d| d.total_owed());
        let held = wallets + collateral + main + insurance + info.queued_deposits + claims;
        let tsla = held as i128 - book.value + book.uncollectible as i128;
        let price = <MockPrices as perpetua_primitives::PriceProvider>::price(TSLA_KEY)
            .unwrap()
            .into_inner() as i128;
        let usd = sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
            tsla.unsigned_abs(),
            price as u128,
            TSLA_UNIT,
            sp_runtime::Rounding::Down,
        )
        .unwrap() as i128;
        if tsla < 0 {
            -usd
        } else {
            usd
        }
    }

    /// A split as the equities walk leaves it once done, in the mock (which has no equities
    /// pallet): every wallet and the pots split, the price rescaled, the pallets told.
    fn split_all(n: u32, d: u32) {
        // As pallet-equities starts an action: the pallets settle what their pots owe first.
        assert_ok!(<(Pool, Options) as CorporateActionHandler<AccountId>>::prepare(TSLA));
        let holders: Vec<(AccountId, Balance)> = pallet_assets::Account::<Test>::iter_prefix(TSLA)
            .map(|(w, a)| (w, a.balance))
            .collect();
        for (who, held) in holders {
            set_tsla(who, corporate::scale(held, n, d));
        }
        let price = <MockPrices as perpetua_primitives::PriceProvider>::price(TSLA_KEY).unwrap();
        MockPrices::set(
            TSLA_KEY,
            Ok(Price::from_inner(
                price.into_inner() * d as u128 / n as u128,
            )),
        );
        <Pool as CorporateActionHandler<AccountId>>::on_split(TSLA, n, d);
        <Options as CorporateActionHandler<AccountId>>::on_split(TSLA, n, d);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

        /// Random trades, margin flows, LP deposits, splits, dividends and walk steps, with the
        /// options and pool invariants after every step:
        /// - a split moves no party's value in USD beyond rounding (a few base units);
        /// - between splits, the sum of every party's value changes only by rounding in the
        ///   pool's favour;
        /// - every dividend pays each margin account on its collateral at the start, to the
        ///   unit, and the rest goes back to the funder: the payout asset's supply is what was
        ///   minted for it, all of it with the accounts, the funder or the pot's minimum.
        #[test]
        fn splits_dividends_trades_and_flows_conserve_value(
            ops in proptest::collection::vec(op(), 1..40)
        ) {
            new_test_ext().execute_with(|| {
                setup(&WHO);
                let mut usd = parties_usd();
                let mut owed: Vec<(AccountId, Balance)> = Vec::new();
                let mut minted: Balance = 0;
                for op in ops {
                    let pending = <Options as CorporateActionHandler<AccountId>>::pending(TSLA);
                    match op {
                        Op::Trade { who, series, size } if size != 0 => {
                            let _ = Options::trade(
                                RuntimeOrigin::signed(WHO[who as usize]),
                                series,
                                size,
                                if size > 0 { FixedU128::from_u32(1_000_000) } else { FixedU128::zero() },
                                u64::MAX,
                            );
                        }
                        Op::Margin { who, tokens, withdraw } => {
                            let who = WHO[who as usize];
                            let amount = tokens * TSLA_UNIT / 10;
                            if withdraw {
                                let wallet = Assets::balance(TSLA, who);
                                if Options::withdraw(RuntimeOrigin::signed(who), TSLA, amount).is_ok() {
                                    prop_assert_eq!(Assets::balance(TSLA, who), wallet + amount);
                                }
                            } else {
                                let _ = Options::deposit(RuntimeOrigin::signed(who), TSLA, amount.min(Assets::balance(TSLA, who)));
                            }
                        }
                        Op::LpDeposit { tokens } => {
                            let _ = Pool::deposit_now(&LP, TSLA, perpetua_primitives::Tranche::Main, tokens * TSLA_UNIT, 0);
                        }
                        Op::Split { ratio } if !pending => {
                            let (n, d) = RATIOS[ratio as usize];
                            let before = parties_usd();
                            split_all(n, d);
                            let after = parties_usd();
                            // A few base units at the new price, per account and ledger entry.
                            let unit_usd = <MockPrices as perpetua_primitives::PriceProvider>::price(TSLA_KEY).unwrap().into_inner() as i128 / TSLA_UNIT as i128;
                            prop_assert!((after - before).abs() <= 64 * unit_usd.max(1) + 1_000_000_000, "{n}:{d} {before} -> {after}");
                            prop_assert!(after <= before + 16 * unit_usd.max(1) + 1_000_000_000, "{n}:{d} gained {}", after - before);
                        }
                        Op::Dividend { per_share } if !pending => {
                            owed = WHO.iter().map(|w| (*w, Options::collateral(w, TSLA) * per_share / TSLA_UNIT)).collect();
                            let before: Vec<Balance> = WHO.iter().map(|w| Assets::balance(USDX, w)).collect();
                            let supply = Assets::total_issuance(USDX);
                            dividend(per_share);
                            minted += Assets::total_issuance(USDX) - supply;
                            for ((_, o), b) in owed.iter_mut().zip(before) {
                                *o += b;
                            }
                        }
                        Op::Walk { budget } => {
                            <Options as CorporateActionHandler<AccountId>>::process(TSLA, budget);
                        }
                        Op::Blocks(k) => {
                            for _ in 0..k {
                                next_block();
                            }
                        }
                        _ => {}
                    }
                    Options::do_try_state().unwrap();
                    Pool::do_try_state().unwrap();
                    let now = parties_usd();
                    if !matches!(op, Op::Split { .. }) {
                        // Funding, fees and the book move value between parties, not out of
                        // them; price moves are not in this property (the price only moves by
                        // splits here).
                        prop_assert!((now - usd).abs() <= (usd.abs() / 1_000_000_000).max(1_000_000_000_000), "{op:?}: {usd} -> {now}");
                    }
                    usd = now;
                    if !<Options as CorporateActionHandler<AccountId>>::pending(TSLA) && !owed.is_empty() {
                        for (w, o) in owed.drain(..) {
                            prop_assert_eq!(Assets::balance(USDX, w), o, "account {}", w);
                        }
                    }
                }
                walk(1_000);
                // Every unit of the payout asset is with an account, the funder or the pot's
                // kept minimum.
                let supply = Assets::total_issuance(USDX);
                prop_assert_eq!(supply, minted);
                let with_accounts: Balance = WHO.iter().map(|w| Assets::balance(USDX, w)).sum();
                prop_assert_eq!(with_accounts + Assets::balance(USDX, FUNDER) + Assets::balance(USDX, Options::pot(TSLA)), supply);
                prop_assert!(Assets::balance(USDX, Options::pot(TSLA)) <= 1);
                Ok(())
            })?;
        }
    }
}
