//! Extra collateral: other stocks backing a TSLA-settled account, the debt they back, the
//! Dutch auction that sells them, and the attacks on each rule (in token units).

use crate::{mock::*, *};
use frame_support::{
    assert_noop, assert_ok,
    traits::fungibles::{Create, Mutate as _},
};
use perpetua_primitives::{CloseKind, CorporateActionHandler, CryptoIndex, MarginEngine, Price};
use sp_runtime::{traits::Zero, Perbill};

const CALL: SeriesId = 0;
const NVDA: AssetId = 2;
const AAPL: AssetId = 3;
const UNIT: Balance = TSLA_UNIT;
/// A keeper with TSLA in its wallet.
const KEEPER: AccountId = CAROL;

fn nvda_params() -> CollateralParams {
    CollateralParams {
        initial: Perbill::from_percent(45),
        maintenance: Perbill::from_percent(35),
        per_sqrt_hour: Perbill::from_percent(2),
        max: Perbill::from_percent(90),
        cap: 1_000_000 * UNIT,
        accepted: true,
    }
}

fn aapl_params() -> CollateralParams {
    CollateralParams {
        initial: Perbill::from_percent(40),
        maintenance: Perbill::from_percent(30),
        ..nvda_params()
    }
}

/// A TSLA x BTC market with the 100,000 call; NVDA (150 USD) and AAPL (200 USD) listed as
/// extra collateral; Bob holds 1,000 of each and 1 TSLA of settlement collateral.
fn setup() {
    assert_ok!(Options::create_market(
        RuntimeOrigin::root(),
        CryptoIndex::Btc,
        TSLA,
        MarketParams::default()
    ));
    assert_ok!(Options::list_series(
        RuntimeOrigin::root(),
        0,
        p(100_000),
        OptionKind::Call
    ));
    for (asset, name, price, params) in [
        (NVDA, b"NVDA", 150, nvda_params()),
        (AAPL, b"AAPL", 200, aapl_params()),
    ] {
        assert_ok!(<Assets as Create<AccountId>>::create(asset, LP, true, 1));
        assert_ok!(Assets::force_set_metadata(
            RuntimeOrigin::root(),
            asset.into(),
            name.to_vec(),
            name.to_vec(),
            12,
            false
        ));
        MockPrices::set(OracleKey::Asset(asset), Ok(p(price)));
        assert_ok!(Options::set_collateral_params(
            RuntimeOrigin::root(),
            asset,
            params
        ));
        for who in [BOB, KEEPER] {
            assert_ok!(Assets::mint_into(asset, &who, 1_000 * UNIT));
        }
    }
    assert_ok!(Options::deposit(RuntimeOrigin::signed(BOB), TSLA, UNIT));
}

fn post(asset: AssetId, amount: Balance) {
    assert_ok!(Options::deposit_collateral(
        RuntimeOrigin::signed(BOB),
        TSLA,
        asset,
        amount
    ));
}

fn sell_calls(
    who: AccountId,
    n: i128,
) -> sp_runtime::DispatchResultWithInfo<frame_support::dispatch::PostDispatchInfo> {
    Options::trade(
        RuntimeOrigin::signed(who),
        CALL,
        -n,
        FixedU128::zero(),
        u64::MAX,
    )
}

fn buy_calls(
    who: AccountId,
    n: i128,
) -> sp_runtime::DispatchResultWithInfo<frame_support::dispatch::PostDispatchInfo> {
    Options::trade(
        RuntimeOrigin::signed(who),
        CALL,
        n,
        FixedU128::from_u32(1_000_000),
        u64::MAX,
    )
}

fn f(x: Fixed) -> f64 {
    x.into_inner() as f64 / 1e18
}

fn navs() -> (Balance, Balance) {
    pallet_pool::Pallet::<Test>::navs(TSLA).unwrap()
}

/// Bob short 20 calls margined in NVDA and AAPL; BTC then rises to 110,000 and he closes
/// (a liquidation's close), leaving debt.
fn into_debt() -> Balance {
    post(NVDA, 100 * UNIT);
    post(AAPL, 50 * UNIT);
    assert_ok!(sell_calls(BOB, 20));
    next_block();
    MockPrices::set(BTC, Ok(p(110_000)));
    next_block();
    <Options as MarginEngine<AccountId>>::close(
        &BOB,
        CALL,
        20,
        CloseKind::Liquidation,
        &mut Default::default(),
    )
    .unwrap();
    let debt = Options::debt(&BOB, TSLA);
    assert!(debt > 0, "the loss is beyond Bob's one TSLA");
    debt
}

#[test]
fn parameters_are_refused_with_named_errors() {
    new_test_ext().execute_with(|| {
        setup();
        let set = |params| Options::set_collateral_params(RuntimeOrigin::root(), NVDA, params);
        assert_noop!(
            set(CollateralParams {
                maintenance: Perbill::from_percent(50),
                ..nvda_params()
            }),
            Error::<Test>::MaintenanceHaircutAboveInitial
        );
        assert_noop!(
            set(CollateralParams {
                max: Perbill::from_percent(40),
                ..nvda_params()
            }),
            Error::<Test>::HaircutAboveMax
        );
        assert_noop!(
            set(CollateralParams {
                max: Perbill::one(),
                ..nvda_params()
            }),
            Error::<Test>::MaxHaircutNotBelowOne
        );
        assert_noop!(
            set(CollateralParams {
                cap: 0,
                ..nvda_params()
            }),
            Error::<Test>::ZeroCollateralCap
        );
        assert_noop!(
            Options::set_collateral_params(RuntimeOrigin::root(), 55, nvda_params()),
            Error::<Test>::NotCollateral
        );
        let auction = |params| Options::set_auction_params(RuntimeOrigin::root(), params);
        let base = AuctionParams::default();
        assert_noop!(
            auction(AuctionParams {
                start_discount: Perbill::from_percent(20),
                ..base
            }),
            Error::<Test>::StartDiscountAboveMax
        );
        assert_noop!(
            auction(AuctionParams {
                step: Perbill::zero(),
                ..base
            }),
            Error::<Test>::ZeroAuctionStep
        );
        assert_noop!(
            auction(AuctionParams {
                max_discount: Perbill::from_percent(50),
                ..base
            }),
            Error::<Test>::MaxDiscountTooLarge
        );
        assert_noop!(
            auction(AuctionParams {
                max_buys_per_block: 0,
                ..base
            }),
            Error::<Test>::ZeroBuysPerBlock
        );
        assert_noop!(
            Options::set_auction_params(RuntimeOrigin::signed(BOB), base),
            sp_runtime::traits::BadOrigin
        );
    });
}

#[test]
fn deposits_are_refused_with_named_errors() {
    new_test_ext().execute_with(|| {
        setup();
        let deposit = |asset, amount| {
            Options::deposit_collateral(RuntimeOrigin::signed(BOB), TSLA, asset, amount)
        };
        assert_noop!(deposit(NVDA, 0), Error::<Test>::ZeroAmount);
        assert_noop!(
            deposit(TSLA, UNIT),
            Error::<Test>::SettlementAsExtraCollateral
        );
        assert_noop!(deposit(55, UNIT), Error::<Test>::NotCollateral);
        pallet_assets::Asset::<Test>::mutate(NVDA, |a| {
            if let Some(a) = a {
                a.min_balance = 1_000;
            }
        });
        assert_noop!(deposit(NVDA, 999), Error::<Test>::CollateralBelowMinimum);
        assert_noop!(
            Options::deposit_collateral(RuntimeOrigin::signed(BOB), 55, NVDA, UNIT),
            Error::<Test>::UnknownMarket
        );
        assert_ok!(Options::set_collateral_params(
            RuntimeOrigin::root(),
            NVDA,
            CollateralParams {
                cap: 10 * UNIT,
                ..nvda_params()
            }
        ));
        assert_noop!(
            deposit(NVDA, 11 * UNIT),
            Error::<Test>::CollateralCapReached
        );
        assert_ok!(Options::set_collateral_params(
            RuntimeOrigin::root(),
            NVDA,
            CollateralParams {
                accepted: false,
                ..nvda_params()
            }
        ));
        assert_noop!(deposit(NVDA, UNIT), Error::<Test>::CollateralNotAccepted);
        assert_noop!(
            Options::withdraw_collateral(RuntimeOrigin::signed(BOB), TSLA, AAPL, UNIT),
            Error::<Test>::InsufficientExtraCollateral
        );
    });
}

#[test]
fn extra_collateral_backs_a_position_at_its_own_haircut() {
    new_test_ext().execute_with(|| {
        setup();
        // One TSLA (380 USD after its haircut) does not margin 20 short calls.
        assert_noop!(sell_calls(BOB, 20), Error::<Test>::InsufficientMargin);
        post(NVDA, 100 * UNIT);
        post(AAPL, 50 * UNIT);
        let h = Options::health(&BOB, TSLA).unwrap();
        // 100 NVDA at 150 less 45%, 50 AAPL at 200 less 40%.
        assert_eq!(
            h.extra,
            Fixed::from_integer(100 * 150 * 55 / 100 + 50 * 200 * 60 / 100).unwrap()
        );
        assert_ok!(sell_calls(BOB, 20));
        let live = Options::health(&BOB, TSLA).unwrap();
        assert!(live.equity >= live.initial);
        // Liquidation values the baskets at the maintenance haircut: more.
        let risk = <Options as MarginEngine<AccountId>>::risk(&BOB, TSLA, &mut Default::default())
            .unwrap();
        assert!(risk.equity > valuation::to_i(live.equity));
        // A weekend of NVDA unpriced raises its own haircut, not AAPL's.
        let before = Options::health(&BOB, TSLA).unwrap().extra;
        MockPrices::set_unpriced(NVDA, 65 * 3_600_000);
        let after = Options::health(&BOB, TSLA).unwrap().extra;
        let gap = 0.02 * 65f64.sqrt();
        let expected = f(before) - 100.0 * 150.0 * gap;
        assert!(
            (f(after) - expected).abs() < 1e-6,
            "{} vs {}",
            f(after),
            expected
        );
        // Either stock alone margins the position; withdrawing both is refused.
        assert_ok!(Options::withdraw_collateral(
            RuntimeOrigin::signed(BOB),
            TSLA,
            NVDA,
            100 * UNIT
        ));
        assert_noop!(
            Options::withdraw_collateral(RuntimeOrigin::signed(BOB), TSLA, AAPL, 50 * UNIT),
            Error::<Test>::InsufficientMargin
        );
    });
}

#[test]
fn a_loss_beyond_the_settlement_collateral_is_debt_and_a_deposit_repays_it_at_the_same_nav() {
    new_test_ext().execute_with(|| {
        setup();
        let debt = into_debt();
        assert_eq!(Accounts::<Test>::get(TSLA, BOB).collateral, 0);
        assert_eq!(TotalDebt::<Test>::get(TSLA), debt);
        assert!(
            OpenAccounts::<Test>::contains_key(TSLA, BOB),
            "debt keeps the account watched"
        );
        // The pool's book counts the debt: repaying it moves cash, not the NAV.
        let nav = navs();
        let tsla = Assets::balance(TSLA, BOB);
        assert_ok!(Options::deposit(
            RuntimeOrigin::signed(BOB),
            TSLA,
            debt + 2 * UNIT
        ));
        assert_eq!(navs(), nav);
        assert_eq!(Options::debt(&BOB, TSLA), 0);
        assert_eq!(Accounts::<Test>::get(TSLA, BOB).collateral, 2 * UNIT);
        assert_eq!(Assets::balance(TSLA, BOB), tsla - debt - 2 * UNIT);
        assert!(!OpenAccounts::<Test>::contains_key(TSLA, BOB));
        assert!(System::events().iter().any(|e| matches!(
            e.event,
            RuntimeEvent::Options(Event::Repaid { amount, debt: 0, .. }) if amount == debt
        )));
    });
}

#[test]
fn an_account_in_debt_cannot_take_its_stocks_out() {
    new_test_ext().execute_with(|| {
        setup();
        into_debt();
        // NVDA alone covers the debt at its initial haircut: AAPL may go, then no more.
        assert_ok!(Options::withdraw_collateral(
            RuntimeOrigin::signed(BOB),
            TSLA,
            AAPL,
            50 * UNIT
        ));
        assert_noop!(
            Options::withdraw_collateral(RuntimeOrigin::signed(BOB), TSLA, NVDA, 100 * UNIT),
            Error::<Test>::InsufficientMargin
        );
        // What is beyond the debt can still go.
        assert_ok!(Options::withdraw_collateral(
            RuntimeOrigin::signed(BOB),
            TSLA,
            NVDA,
            50 * UNIT
        ));
        let h = Options::health(&BOB, TSLA).unwrap();
        assert!(h.equity >= h.initial);
    });
}

#[test]
fn a_keeper_buys_at_the_auction_price_and_never_below() {
    new_test_ext().execute_with(|| {
        setup();
        let debt = into_debt();
        assert_noop!(
            Options::buy_collateral(
                RuntimeOrigin::signed(KEEPER),
                TSLA,
                BOB,
                NVDA,
                UNIT,
                FixedU128::from_u32(1)
            ),
            Error::<Test>::NoAuction
        );
        assert!(<Options as MarginEngine<AccountId>>::start_auction(
            &BOB, TSLA
        ));
        // 150 / 400 = 0.375 TSLA per NVDA, less 1% in the first block.
        let (price, _) = Options::auction_price(TSLA, NVDA, 0).unwrap();
        assert!((f(price) - 0.375 * 0.99).abs() < 1e-15);
        let limit = FixedU128::from_rational(37, 100);
        let buy = |amount| {
            Options::buy_collateral(
                RuntimeOrigin::signed(KEEPER),
                TSLA,
                BOB,
                NVDA,
                amount,
                limit,
            )
        };
        assert_noop!(buy(10 * UNIT), Error::<Test>::AuctionPriceAboveLimit);
        // The price falls 0.5% a block: three blocks later it is within the keeper's limit.
        for _ in 0..3 {
            next_block();
        }
        let (price, discount) = Options::auction_price(TSLA, NVDA, 3).unwrap();
        assert_eq!(discount, Perbill::from_parts(25_000_000));
        assert!(price <= valuation::fx(limit));
        let keeper_tsla = Assets::balance(TSLA, KEEPER);
        let keeper_nvda = Assets::balance(NVDA, KEEPER);
        let (main, insurance) = navs();
        assert_ok!(buy(5 * UNIT));
        let paid = keeper_tsla - Assets::balance(TSLA, KEEPER);
        let got = Assets::balance(NVDA, KEEPER) - keeper_nvda;
        assert_eq!(got, 5 * UNIT);
        // The keeper paid the auction's price, rounded up: never less.
        let expected = 5.0 * f(price);
        assert!(paid as f64 / 1e12 >= expected && (paid as f64 / 1e12 - expected) < 1e-11);
        // Its gain is the discount, no more: 5 NVDA at the oracle's price less what it paid.
        let gain = 5.0 * 0.375 - paid as f64 / 1e12;
        assert!(gain <= 5.0 * 0.375 * 0.025 + 1e-12);
        assert_eq!(Options::debt(&BOB, TSLA), debt - paid);
        // The debt repaid is cash the book counted already: the NAV does not move.
        assert_eq!(navs(), (main, insurance));
        // Enough NVDA clears the debt; the auction stops at the debt and ends.
        assert_ok!(buy(1_000 * UNIT));
        assert_eq!(Options::debt(&BOB, TSLA), 0);
        assert!(Baskets::<Test>::get(TSLA, BOB).auction.is_none());
        assert_noop!(buy(UNIT), Error::<Test>::NoAuction);
        let left = Options::extra_collateral(&BOB, TSLA);
        assert!(
            left.iter().any(|(a, n)| *a == NVDA && *n > 0),
            "Bob keeps the rest"
        );
        assert!(System::events().iter().any(|e| matches!(
            e.event,
            RuntimeEvent::Options(Event::AuctionEnded { bad_debt: 0, .. })
        )));
    });
}

#[test]
fn auction_purchases_are_bounded_per_block() {
    new_test_ext().execute_with(|| {
        setup();
        into_debt();
        assert_ok!(Options::set_auction_params(
            RuntimeOrigin::root(),
            AuctionParams {
                max_buys_per_block: 2,
                ..Default::default()
            }
        ));
        Options::start_auction(&BOB, TSLA);
        let buy = || {
            Options::buy_collateral(
                RuntimeOrigin::signed(KEEPER),
                TSLA,
                BOB,
                NVDA,
                UNIT / 10,
                FixedU128::from_u32(1),
            )
        };
        assert_ok!(buy());
        assert_ok!(buy());
        assert_noop!(buy(), Error::<Test>::AuctionBlockCap);
        next_block();
        assert_ok!(buy());
    });
}

#[test]
fn what_the_auction_cannot_recover_is_bad_debt_borne_by_insurance() {
    new_test_ext().execute_with(|| {
        setup();
        let debt = into_debt();
        Options::start_auction(&BOB, TSLA);
        // Both stocks collapse: all of them pays only part of the debt.
        MockPrices::set(OracleKey::Asset(NVDA), Ok(Price::from_rational(1, 100)));
        MockPrices::set(OracleKey::Asset(AAPL), Ok(Price::from_rational(1, 100)));
        let (main, insurance) = navs();
        for asset in [NVDA, AAPL] {
            assert_ok!(Options::buy_collateral(
                RuntimeOrigin::signed(KEEPER),
                TSLA,
                BOB,
                asset,
                1_000 * UNIT,
                FixedU128::from_u32(1)
            ));
        }
        assert_eq!(Options::debt(&BOB, TSLA), 0);
        assert!(!Baskets::<Test>::contains_key(TSLA, BOB));
        let bad = System::events()
            .iter()
            .find_map(|e| match e.event {
                RuntimeEvent::Options(Event::AuctionEnded { bad_debt, .. }) => Some(bad_debt),
                _ => None,
            })
            .unwrap();
        assert!(bad > 0 && bad < debt);
        let (main_after, insurance_after) = navs();
        // Insurance bears the bad debt; main keeps its NAV.
        assert_eq!(main_after, main);
        assert!(insurance - insurance_after >= bad - 1);
    });
}

#[test]
fn a_split_of_an_extra_collateral_stock_keeps_the_accounts_value() {
    new_test_ext().execute_with(|| {
        setup();
        post(NVDA, 100 * UNIT + 1);
        assert_ok!(sell_calls(BOB, 10));
        let pot = Options::pot(TSLA);
        assert_eq!(
            <Options as CorporateActionHandler<AccountId>>::holding_accounts(NVDA),
            vec![pot]
        );
        let before = Options::health(&BOB, TSLA).unwrap();
        // A 3-for-1 split as pallet-equities makes it: the pot's balance and the price scale
        // in the declaring call, then this pallet is told.
        let held = Assets::balance(NVDA, pot);
        assert_ok!(Assets::mint_into(NVDA, &pot, 2 * held));
        MockPrices::set(OracleKey::Asset(NVDA), Ok(p(50)));
        <Options as CorporateActionHandler<AccountId>>::on_split(NVDA, 3, 1);
        let after = Options::health(&BOB, TSLA).unwrap();
        assert_eq!(after.extra, before.extra);
        assert_eq!(after.equity, before.equity);
        assert_eq!(
            Options::extra_collateral(&BOB, TSLA),
            vec![(NVDA, 300 * UNIT + 3)]
        );
        // And the shares buy the post-split tokens out.
        assert_ok!(buy_calls(BOB, 10));
        assert_ok!(Options::withdraw_collateral(
            RuntimeOrigin::signed(BOB),
            TSLA,
            NVDA,
            300 * UNIT + 3
        ));
        assert!(!Baskets::<Test>::contains_key(TSLA, BOB));
    });
}

#[test]
fn tokens_sent_to_the_pot_do_not_dilute_the_next_depositor() {
    new_test_ext().execute_with(|| {
        setup();
        // Carol posts one base unit, then sends the pot a large amount of NVDA hoping the
        // next deposit rounds to no shares and her unit takes it.
        let (carol_before, bob_before) =
            (Assets::balance(NVDA, KEEPER), Assets::balance(NVDA, BOB));
        assert_ok!(Options::deposit_collateral(
            RuntimeOrigin::signed(KEEPER),
            TSLA,
            NVDA,
            1
        ));
        assert_ok!(Assets::transfer(
            RuntimeOrigin::signed(KEEPER),
            NVDA.into(),
            Options::pot(TSLA),
            100 * UNIT
        ));
        post(NVDA, 50 * UNIT);
        assert_eq!(
            Options::extra_collateral(&BOB, TSLA),
            vec![(NVDA, 50 * UNIT)]
        );
        assert_eq!(Options::extra_collateral(&KEEPER, TSLA), vec![(NVDA, 1)]);
        // Both take out all they can: Bob gets his 50 back whole, Carol her unit and not a
        // token of the donation.
        for (who, amount) in [(BOB, 50 * UNIT), (KEEPER, 1)] {
            assert_ok!(Options::withdraw_collateral(
                RuntimeOrigin::signed(who),
                TSLA,
                NVDA,
                amount
            ));
        }
        assert_eq!(Assets::balance(NVDA, BOB), bob_before);
        assert_eq!(Assets::balance(NVDA, KEEPER), carol_before - 100 * UNIT);
    });
}

#[test]
fn the_owner_ends_no_better_for_being_auctioned_than_for_repaying() {
    // Attack: let the account be auctioned instead of repaying. The owner loses the discount
    // to the keeper; the pool is repaid either way.
    let run = |auction: bool| {
        let mut ext = new_test_ext();
        ext.execute_with(|| {
            setup();
            let debt = into_debt();
            if auction {
                Options::start_auction(&BOB, TSLA);
                assert_ok!(Options::buy_collateral(
                    RuntimeOrigin::signed(KEEPER),
                    TSLA,
                    BOB,
                    NVDA,
                    1_000 * UNIT,
                    FixedU128::from_u32(1)
                ));
            } else {
                assert_ok!(Options::deposit(RuntimeOrigin::signed(BOB), TSLA, debt));
            }
            assert_eq!(Options::debt(&BOB, TSLA), 0);
            // Bob's wealth in TSLA at the oracle's prices: wallet, margin and stocks posted.
            let nvda: Balance = Options::extra_collateral(&BOB, TSLA)
                .iter()
                .filter(|(a, _)| *a == NVDA)
                .map(|(_, n)| *n)
                .sum();
            let wallet = Assets::balance(TSLA, BOB) as f64 / 1e12;
            wallet
                + nvda as f64 / 1e12 * 0.375
                + Accounts::<Test>::get(TSLA, BOB).collateral as f64 / 1e12
        })
    };
    let repaid = run(false);
    let auctioned = run(true);
    assert!(auctioned < repaid, "{auctioned} vs {repaid}");
}

#[test]
fn a_dividend_on_a_posted_stock_reaches_its_holders_on_their_shares_at_the_start() {
    new_test_ext().execute_with(|| {
        setup();
        const USDX: AssetId = 77;
        const FUNDER: AccountId = 90;
        assert_ok!(<Assets as Create<AccountId>>::create(USDX, LP, true, 1));
        post(NVDA, 300 * UNIT);
        assert_ok!(Options::deposit_collateral(
            RuntimeOrigin::signed(KEEPER),
            TSLA,
            NVDA,
            100 * UNIT
        ));
        let pot = Options::pot(TSLA);
        assert!(
            <Options as CorporateActionHandler<AccountId>>::holding_accounts(NVDA).contains(&pot)
        );
        // pallet-equities pays the pot 0.25 USDX per NVDA on its 400, then tells the pallet.
        let terms = perpetua_primitives::DividendTerms {
            paid_in: Some(USDX),
            per_share: UNIT / 4,
            unit: UNIT,
            funder: FUNDER,
        };
        let amount = 100 * UNIT;
        assert_ok!(Assets::mint_into(USDX, &pot, amount + 1));
        <Options as CorporateActionHandler<AccountId>>::on_dividend(NVDA, &pot, &terms, amount);
        // Carol posts more after the dividend: she is paid on her 100 only.
        assert_ok!(Options::deposit_collateral(
            RuntimeOrigin::signed(KEEPER),
            TSLA,
            NVDA,
            100 * UNIT
        ));
        assert_eq!(Assets::balance(USDX, KEEPER), 25 * UNIT);
        // Bob is paid when his NVDA moves next.
        assert_eq!(Assets::balance(USDX, BOB), 0);
        assert_ok!(Options::withdraw_collateral(
            RuntimeOrigin::signed(BOB),
            TSLA,
            NVDA,
            UNIT
        ));
        assert_eq!(Assets::balance(USDX, BOB), 75 * UNIT);
        // Nobody is paid twice.
        assert_ok!(Options::withdraw_collateral(
            RuntimeOrigin::signed(BOB),
            TSLA,
            NVDA,
            UNIT
        ));
        assert_eq!(Assets::balance(USDX, BOB), 75 * UNIT);
        assert!(Assets::balance(USDX, pot) >= 1);
    });
}

#[test]
fn a_split_of_the_settlement_stock_carries_the_debt_through_rounded_up() {
    new_test_ext().execute_with(|| {
        setup();
        let debt = into_debt();
        let nav = navs();
        crate::corporate_tests::split(3, 1);
        // The walk has not reached Bob yet: the total counts his debt at its post-split value.
        assert_eq!(UnscaledDebt::<Test>::get(TSLA), debt);
        assert_eq!(Options::total_debt(TSLA), debt * 3);
        assert!(Options::do_try_state().is_ok());
        // Carried through on his next touch: three times as many (smaller) TSLA owed.
        assert_eq!(Options::debt(&BOB, TSLA), debt * 3);
        assert_eq!(TotalDebt::<Test>::get(TSLA), debt * 3);
        assert_eq!(UnscaledDebt::<Test>::get(TSLA), 0);
        // The pool's NAV in TSLA tripled with it (the book counts the debt).
        let after = navs();
        assert!(
            after.0.abs_diff(nav.0 * 3) <= 1_000 && after.1.abs_diff(nav.1 * 3) <= 1_000,
            "{nav:?} {after:?}"
        );
        <Options as CorporateActionHandler<AccountId>>::process(TSLA, 100);
    });
}

#[test]
fn a_stock_without_a_usable_price_opens_no_risk_and_liquidation_waits_for_it() {
    new_test_ext().execute_with(|| {
        setup();
        post(NVDA, 100 * UNIT);
        post(AAPL, 50 * UNIT);
        assert_ok!(sell_calls(BOB, 20));
        let both = Options::health(&BOB, TSLA).unwrap();
        let risk_both =
            <Options as MarginEngine<AccountId>>::risk(&BOB, TSLA, &mut Default::default())
                .unwrap();
        // NVDA's oracle goes stale: for opening risk the account is valued without it.
        MockPrices::set(
            OracleKey::Asset(NVDA),
            Err(perpetua_primitives::PriceError::Stale),
        );
        let h = Options::health(&BOB, TSLA).unwrap();
        assert_eq!(h.extra, Fixed::from_integer(50 * 200 * 60 / 100).unwrap());
        assert!(h.equity < both.equity);
        assert_noop!(sell_calls(BOB, 200), Error::<Test>::InsufficientMargin);
        // Liquidation waits for a price it can trust, as for the settlement stock.
        assert_eq!(
            <Options as MarginEngine<AccountId>>::risk(&BOB, TSLA, &mut Default::default()),
            Err(Error::<Test>::StalePrice.into())
        );
        MockPrices::set(OracleKey::Asset(NVDA), Ok(p(150)));
        let risk = <Options as MarginEngine<AccountId>>::risk(&BOB, TSLA, &mut Default::default())
            .unwrap();
        assert_eq!(risk.equity, risk_both.equity);
    });
}

#[test]
fn a_forced_close_with_a_profit_repays_the_debt_first() {
    new_test_ext().execute_with(|| {
        setup();
        let debt = into_debt();
        assert_ok!(buy_calls(BOB, 5));
        next_block();
        MockPrices::set(BTC, Ok(p(130_000)));
        next_block();
        let closed = <Options as MarginEngine<AccountId>>::close(
            &BOB,
            CALL,
            -5,
            CloseKind::Liquidation,
            &mut Default::default(),
        )
        .unwrap();
        assert!(closed.realised > 0);
        assert!(Options::debt(&BOB, TSLA) < debt);
    });
}
