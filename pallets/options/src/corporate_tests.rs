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

/// What pallet-equities does on a split: the pot split at once, the price rescaled, then
/// this pallet told.
fn split(n: u32, d: u32) {
    // With u64 accounts the mock's pot and pool account are one account (sub-accounts
    // truncate to the same 8 bytes): split it once.
    let mut pots = vec![Options::pot(TSLA), Pool::account(TSLA)];
    pots.dedup();
    for pot in pots {
        let held = Assets::balance(TSLA, pot);
        let new = corporate::scale(held, n, d);
        if new > held {
            Assets::mint_into(TSLA, &pot, new - held).unwrap();
        } else {
            Assets::burn_from(
                TSLA,
                &pot,
                held - new,
                frame_support::traits::tokens::Preservation::Expendable,
                frame_support::traits::tokens::Precision::Exact,
                frame_support::traits::tokens::Fortitude::Force,
            )
            .unwrap();
        }
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
    let pot = Options::pot(TSLA);
    let terms = DividendTerms {
        paid_in: Some(USDX),
        per_share,
        unit: TSLA_UNIT,
        funder: FUNDER,
    };
    // The pot's minimum balance of the payout asset, then its dividend.
    Assets::mint_into(USDX, &pot, 1).unwrap();
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
