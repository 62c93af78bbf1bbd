use crate::{mock::*, *};
use frame_support::{
    assert_noop, assert_ok,
    traits::{fungible::Inspect as _, fungibles::Inspect as _, Hooks},
    BoundedVec,
};
use perpetua_primitives::{BalanceGuard, MoveError, StockRegistry, StockStatus};
use sp_runtime::traits::BadOrigin;

fn ticker(t: &str) -> Ticker {
    BoundedVec::truncate_from(t.as_bytes().to_vec())
}
fn name(n: &str) -> StockName {
    BoundedVec::truncate_from(n.as_bytes().to_vec())
}
fn isin(s: &str) -> Isin {
    s.as_bytes().try_into().unwrap()
}
fn list(t: &str, isin_: Option<&str>) -> sp_runtime::DispatchResult {
    Equities::list_stock(
        RuntimeOrigin::root(),
        ticker(t),
        name("Company"),
        6,
        0,
        CUSTODIAN,
        isin_.map(isin),
        1,
    )
}
fn attest(reserve: Balance) {
    assert_ok!(Equities::attest_reserves(
        RuntimeOrigin::signed(CUSTODIAN),
        TSLA,
        reserve,
        NOW
    ));
}
fn bal(who: AccountId) -> Balance {
    Assets::balance(TSLA, who)
}
fn advance(blocks: u32) {
    for _ in 0..blocks {
        let n = System::block_number() + 1;
        System::set_block_number(n);
        Equities::on_initialize(n);
        assert_ok!(Equities::do_try_state());
    }
}
fn events() -> Vec<Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|r| {
            if let RuntimeEvent::Equities(e) = r.event {
                Some(e)
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn genesis_lists_tsla_with_its_reserve() {
    new_test_ext().execute_with(|| {
        let s = Stocks::<Test>::get(TSLA).unwrap();
        assert_eq!(s.ticker.to_vec(), b"TSLA".to_vec());
        assert_eq!(s.status, StockStatus::Active);
        assert_eq!(Assets::total_issuance(TSLA), 175 * SHARE);
        assert_eq!(
            Reserves::<Test>::get(TSLA),
            Some(Attestation {
                reserve: 175 * SHARE,
                as_of: 0
            })
        );
        // The pallet owns the asset; it is sufficient and carries metadata.
        let details = pallet_assets::Asset::<Test>::get(TSLA).unwrap();
        assert_eq!(details.owner, Equities::account_id());
        assert!(details.is_sufficient);
        assert_eq!(
            pallet_assets::Metadata::<Test>::get(TSLA).symbol.to_vec(),
            b"TSLA".to_vec()
        );
        assert_ok!(Equities::do_try_state());
    });
}

#[test]
fn listing_checks_tickers_isins_exchanges_and_limits() {
    new_test_ext().execute_with(|| {
        // Real ISINs pass the check digit: NVIDIA, Apple.
        assert_ok!(list("NVDA", Some("US67066G1040")));
        assert_ok!(list("AAPL", Some("US0378331005")));
        let nvda = TickerIndex::<Test>::get(ticker("NVDA")).unwrap();
        assert_eq!(nvda, 2);
        assert_eq!(
            Stocks::<Test>::get(nvda).unwrap().isin,
            Some(isin("US67066G1040"))
        );
        assert_eq!(pallet_assets::Metadata::<Test>::get(nvda).decimals, 6);
        assert_noop!(list("TSLA", None), Error::<Test>::TickerTaken);
        assert_noop!(list("tsla", None), Error::<Test>::InvalidTicker);
        assert_noop!(list("", None), Error::<Test>::InvalidTicker);
        assert_noop!(list("1ABC", None), Error::<Test>::InvalidTicker);
        assert_noop!(
            list("MSFT", Some("US5949181046")),
            Error::<Test>::InvalidIsin
        ); // wrong digit
        assert_noop!(
            list("MSFT", Some("us5949181045")),
            Error::<Test>::InvalidIsin
        );
        assert_ok!(list("BRK.B", Some("US0846707026")));
        assert_noop!(
            Equities::list_stock(
                RuntimeOrigin::root(),
                ticker("X"),
                name("X"),
                6,
                7,
                CUSTODIAN,
                None,
                1
            ),
            Error::<Test>::UnknownExchange
        );
        assert_noop!(
            Equities::list_stock(
                RuntimeOrigin::root(),
                ticker("X"),
                name("X"),
                19,
                0,
                CUSTODIAN,
                None,
                1
            ),
            Error::<Test>::InvalidDecimals
        );
        assert_noop!(
            Equities::list_stock(
                RuntimeOrigin::signed(ADMIN),
                ticker("X"),
                name("X"),
                6,
                0,
                CUSTODIAN,
                None,
                1
            ),
            BadOrigin
        );
        assert_ok!(list("MSFT", None));
        // MaxStocks = 5.
        assert_noop!(list("AMZN", None), Error::<Test>::TooManyStocks);
        assert_ok!(Equities::do_try_state());
    });
}

#[test]
fn minting_respects_reserve_freshness_and_minters() {
    new_test_ext().execute_with(|| {
        // The genesis attestation is dated 0: stale.
        assert_noop!(
            Equities::mint(RuntimeOrigin::signed(CUSTODIAN), TSLA, ALICE, SHARE),
            Error::<Test>::AttestationStale
        );
        assert_noop!(
            Equities::attest_reserves(RuntimeOrigin::signed(CUSTODIAN), TSLA, 200 * SHARE, NOW + 1),
            Error::<Test>::InvalidAttestationTime
        );
        assert_noop!(
            Equities::attest_reserves(RuntimeOrigin::signed(CUSTODIAN), TSLA, 100 * SHARE, NOW),
            Error::<Test>::ReserveBelowSupply
        );
        assert_noop!(
            Equities::attest_reserves(RuntimeOrigin::signed(ALICE), TSLA, 200 * SHARE, NOW),
            Error::<Test>::NotCustodian
        );
        attest(200 * SHARE);
        assert_noop!(
            Equities::attest_reserves(RuntimeOrigin::signed(CUSTODIAN), TSLA, 200 * SHARE, NOW - 1),
            Error::<Test>::InvalidAttestationTime
        );
        assert_ok!(Equities::mint(
            RuntimeOrigin::signed(CUSTODIAN),
            TSLA,
            CHARLIE,
            20 * SHARE
        ));
        assert_eq!(bal(CHARLIE), 20 * SHARE);
        // 195 of 200 attested: 6 more would exceed the reserve.
        assert_noop!(
            Equities::mint(RuntimeOrigin::signed(CUSTODIAN), TSLA, CHARLIE, 6 * SHARE),
            Error::<Test>::ExceedsReserve
        );
        assert_noop!(
            Equities::mint(RuntimeOrigin::signed(CUSTODIAN), TSLA, CHARLIE, 0),
            Error::<Test>::ZeroAmount
        );
        // A bridge mints against the same reserve once registered.
        assert_noop!(
            Equities::mint(RuntimeOrigin::signed(BRIDGE), TSLA, ALICE, SHARE),
            Error::<Test>::NotMinter
        );
        assert_ok!(Equities::add_minter(RuntimeOrigin::root(), TSLA, BRIDGE));
        assert_noop!(
            Equities::add_minter(RuntimeOrigin::root(), TSLA, BRIDGE),
            Error::<Test>::MinterExists
        );
        assert_ok!(Equities::mint(
            RuntimeOrigin::signed(BRIDGE),
            TSLA,
            ALICE,
            5 * SHARE
        ));
        assert_noop!(
            Equities::mint(RuntimeOrigin::signed(BRIDGE), TSLA, ALICE, 1),
            Error::<Test>::ExceedsReserve
        );
        assert_ok!(Equities::remove_minter(RuntimeOrigin::root(), TSLA, BRIDGE));
        assert_noop!(
            Equities::remove_minter(RuntimeOrigin::root(), TSLA, BRIDGE),
            Error::<Test>::NotAMinter
        );
        assert_ok!(Equities::add_minter(RuntimeOrigin::root(), TSLA, 90));
        assert_ok!(Equities::add_minter(RuntimeOrigin::root(), TSLA, 91));
        assert_noop!(
            Equities::add_minter(RuntimeOrigin::root(), TSLA, 92),
            Error::<Test>::TooManyMinters
        );
        // After max_attestation_age (24 h) minting stops until a new attestation.
        attest(300 * SHARE);
        pallet_timestamp::Now::<Test>::put(NOW + 24 * 3600 * 1000 + 1);
        assert_noop!(
            Equities::mint(RuntimeOrigin::signed(CUSTODIAN), TSLA, ALICE, SHARE),
            Error::<Test>::AttestationStale
        );
        assert_noop!(
            Equities::mint(RuntimeOrigin::signed(CUSTODIAN), 77, ALICE, SHARE),
            Error::<Test>::UnknownStock
        );
        // Delisted: no minting.
        pallet_timestamp::Now::<Test>::put(NOW);
        assert_ok!(Equities::delist(RuntimeOrigin::root(), TSLA));
        assert_noop!(
            Equities::mint(RuntimeOrigin::signed(CUSTODIAN), TSLA, ALICE, SHARE),
            Error::<Test>::Delisted
        );
        assert_ok!(Equities::do_try_state());
    });
}

#[test]
fn redemption_burns_and_carries_the_delivery_reference() {
    new_test_ext().execute_with(|| {
        let reference: BoundedVec<u8, _> = BoundedVec::truncate_from(b"DTC:1234/ACC-99".to_vec());
        assert_ok!(Equities::redeem(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            10 * SHARE,
            reference.clone()
        ));
        assert_eq!(bal(ALICE), 90 * SHARE);
        assert_eq!(Assets::total_issuance(TSLA), 165 * SHARE);
        System::assert_last_event(
            Event::Redeemed {
                redemption: 0,
                asset: TSLA,
                who: ALICE,
                amount: 10 * SHARE,
                delivery_ref: reference.clone(),
            }
            .into(),
        );
        assert_ok!(Equities::redeem(
            RuntimeOrigin::signed(BOB),
            TSLA,
            SHARE,
            reference.clone()
        ));
        assert!(matches!(
            events().last(),
            Some(Event::Redeemed { redemption: 1, .. })
        ));
        assert!(Equities::redeem(
            RuntimeOrigin::signed(BOB),
            TSLA,
            100 * SHARE,
            reference.clone()
        )
        .is_err());
        assert_noop!(
            Equities::redeem(RuntimeOrigin::signed(BOB), TSLA, 0, reference.clone()),
            Error::<Test>::ZeroAmount
        );
        assert_noop!(
            Equities::redeem(RuntimeOrigin::signed(BOB), 9, 1, reference.clone()),
            Error::<Test>::UnknownStock
        );
        // A frozen account cannot redeem; delisted stocks can be redeemed.
        assert_ok!(Equities::freeze_account(RuntimeOrigin::root(), TSLA, ALICE));
        assert!(
            Equities::redeem(RuntimeOrigin::signed(ALICE), TSLA, SHARE, reference.clone()).is_err()
        );
        assert_ok!(Equities::delist(RuntimeOrigin::root(), TSLA));
        assert_ok!(Equities::redeem(
            RuntimeOrigin::signed(BOB),
            TSLA,
            SHARE,
            reference
        ));
    });
}

#[test]
fn halts_delisting_and_the_registry() {
    new_test_ext().execute_with(|| {
        assert_eq!(<Equities as StockRegistry>::exchange_of(TSLA), Some(0));
        assert!(<Equities as StockRegistry>::is_stock(TSLA));
        assert!(!<Equities as StockRegistry>::is_stock(USDX));
        assert_ok!(Equities::set_halted(RuntimeOrigin::root(), TSLA, true));
        assert_eq!(
            <Equities as StockRegistry>::status(TSLA),
            Some(StockStatus::Halted)
        );
        assert_ok!(Equities::set_halted(RuntimeOrigin::root(), TSLA, false));
        assert_eq!(
            <Equities as StockRegistry>::status(TSLA),
            Some(StockStatus::Active)
        );
        assert_noop!(
            Equities::set_halted(RuntimeOrigin::signed(ALICE), TSLA, true),
            BadOrigin
        );
        assert_noop!(
            Equities::set_halted(RuntimeOrigin::root(), 9, true),
            Error::<Test>::UnknownStock
        );
        assert_ok!(Equities::delist(RuntimeOrigin::root(), TSLA));
        assert_eq!(
            <Equities as StockRegistry>::status(TSLA),
            Some(StockStatus::Delisted)
        );
        assert_noop!(
            Equities::set_halted(RuntimeOrigin::root(), TSLA, false),
            Error::<Test>::Delisted
        );
        assert_noop!(
            Equities::delist(RuntimeOrigin::root(), 9),
            Error::<Test>::UnknownStock
        );
        assert_ok!(Equities::set_custodian(RuntimeOrigin::root(), TSLA, BRIDGE));
        assert_eq!(Stocks::<Test>::get(TSLA).unwrap().custodian, BRIDGE);
    });
}

#[test]
fn freezing_goes_through_pallet_assets_and_other_pallets_can_ask() {
    new_test_ext().execute_with(|| {
        assert_eq!(Equities::can_move(TSLA, &ALICE, 10 * SHARE), Ok(()));
        assert_eq!(
            Equities::can_move(TSLA, &ALICE, 101 * SHARE),
            Err(MoveError::InsufficientBalance)
        );
        assert_eq!(
            Equities::can_move(99, &ALICE, 1),
            Err(MoveError::UnknownAsset)
        );
        assert_ok!(Equities::freeze_account(RuntimeOrigin::root(), TSLA, ALICE));
        assert_eq!(
            Equities::can_move(TSLA, &ALICE, SHARE),
            Err(MoveError::Frozen)
        );
        assert!(Assets::transfer(RuntimeOrigin::signed(ALICE), TSLA.into(), BOB, SHARE).is_err());
        // Bob is not frozen.
        assert_ok!(Assets::transfer(
            RuntimeOrigin::signed(BOB),
            TSLA.into(),
            ALICE,
            SHARE
        ));
        assert_ok!(Equities::thaw_account(RuntimeOrigin::root(), TSLA, ALICE));
        assert_ok!(Assets::transfer(
            RuntimeOrigin::signed(ALICE),
            TSLA.into(),
            BOB,
            SHARE
        ));
        assert_noop!(
            Equities::freeze_account(RuntimeOrigin::signed(BOB), TSLA, ALICE),
            BadOrigin
        );
        assert_noop!(
            Equities::freeze_account(RuntimeOrigin::root(), 9, ALICE),
            Error::<Test>::UnknownStock
        );
    });
}

#[test]
fn a_dividend_pays_every_holder_pro_rata_including_pallet_pots() {
    new_test_ext().execute_with(|| {
        assert_ok!(Equities::set_params(
            RuntimeOrigin::root(),
            Params {
                max_attestation_age: 86_400_000,
                holders_per_block: 2
            }
        ));
        let custodian_before = Balances::balance(&CUSTODIAN);
        let (a0, b0, p0) = (
            Balances::balance(&ALICE),
            Balances::balance(&BOB),
            Balances::balance(&POOL),
        );
        // 10 PRP units per share: 175 shares -> 1750 funded.
        assert_ok!(Equities::declare_dividend(
            RuntimeOrigin::signed(CUSTODIAN),
            TSLA,
            None,
            10
        ));
        assert_eq!(Balances::balance(&CUSTODIAN), custodian_before - 1750);
        // The stock is frozen until every holder is paid: users and pallets alike.
        assert!(Assets::transfer(RuntimeOrigin::signed(ALICE), TSLA.into(), BOB, SHARE).is_err());
        assert!(
            <Assets as frame_support::traits::fungibles::Mutate<_>>::transfer(
                TSLA,
                &ALICE,
                &BOB,
                SHARE,
                frame_support::traits::tokens::Preservation::Expendable
            )
            .is_err()
        );
        assert_eq!(
            Equities::can_move(TSLA, &ALICE, SHARE),
            Err(MoveError::CorporateAction)
        );
        assert!(<Equities as StockRegistry>::corporate_action_in_progress(
            TSLA
        ));
        let r = BoundedVec::truncate_from(b"x".to_vec());
        assert_noop!(
            Equities::redeem(RuntimeOrigin::signed(ALICE), TSLA, SHARE, r),
            Error::<Test>::CorporateActionInProgress
        );
        assert_noop!(
            Equities::declare_split(RuntimeOrigin::root(), TSLA, 2, 1),
            Error::<Test>::CorporateActionInProgress
        );
        assert_ok!(Equities::do_try_state());
        // Three holders, two per block.
        advance(1);
        assert!(Actions::<Test>::contains_key(TSLA));
        advance(1);
        assert!(!Actions::<Test>::contains_key(TSLA));
        assert_eq!(Balances::balance(&ALICE), a0 + 1000);
        assert_eq!(Balances::balance(&BOB), b0 + 500);
        assert_eq!(Balances::balance(&POOL), p0 + 250);
        assert_eq!(Balances::balance(&Equities::account_id()), 0);
        // The pool's pallet heard about its share.
        assert!(heard().contains(&Heard::Dividend(POOL, TSLA, None, 250)));
        assert!(matches!(
            events().last(),
            Some(Event::CorporateActionCompleted {
                asset: TSLA,
                holders: 3,
                refunded: 0,
                ..
            })
        ));
        // Unlocked again.
        assert_ok!(Assets::transfer(
            RuntimeOrigin::signed(ALICE),
            TSLA.into(),
            BOB,
            SHARE
        ));
    });
}

#[test]
fn dividend_rounding_goes_back_to_the_funder() {
    new_test_ext().execute_with(|| {
        // Charlie holds one base unit; Alice 100 shares + 1 unit. 3 USDX units per share.
        assert_ok!(Assets::transfer(
            RuntimeOrigin::signed(BOB),
            TSLA.into(),
            CHARLIE,
            1
        ));
        assert_ok!(Assets::transfer(
            RuntimeOrigin::signed(BOB),
            TSLA.into(),
            ALICE,
            1
        ));
        let before = Assets::balance(USDX, CUSTODIAN);
        assert_ok!(Equities::declare_dividend(
            RuntimeOrigin::signed(CUSTODIAN),
            TSLA,
            Some(USDX),
            3
        ));
        // ceil(175 shares * 3) = 525.
        assert_eq!(Assets::balance(USDX, CUSTODIAN), before - 525);
        advance(1);
        assert!(!Actions::<Test>::contains_key(TSLA));
        assert_eq!(Assets::balance(USDX, ALICE), 300);
        assert_eq!(Assets::balance(USDX, CHARLIE), 0);
        // Bob now has 50 shares - 2 units: floor(149.999994) = 149. Pool 75.
        assert_eq!(Assets::balance(USDX, BOB), 149);
        assert_eq!(Assets::balance(USDX, POOL), 75);
        assert_eq!(Assets::balance(USDX, CUSTODIAN), before - 524);
        assert!(matches!(
            events().last(),
            Some(Event::CorporateActionCompleted { refunded: 1, .. })
        ));
        assert_ok!(Equities::do_try_state());
    });
}

#[test]
fn a_split_scales_every_balance_and_the_reserve() {
    new_test_ext().execute_with(|| {
        assert_ok!(Equities::set_params(
            RuntimeOrigin::root(),
            Params {
                max_attestation_age: 86_400_000,
                holders_per_block: 1
            }
        ));
        assert_ok!(Equities::declare_split(RuntimeOrigin::root(), TSLA, 3, 1));
        assert_eq!(Reserves::<Test>::get(TSLA).unwrap().reserve, 525 * SHARE);
        assert!(heard().contains(&Heard::Split(TSLA, 3, 1)));
        advance(1);
        assert!(Actions::<Test>::contains_key(TSLA));
        advance(2);
        assert!(!Actions::<Test>::contains_key(TSLA));
        assert_eq!(bal(ALICE), 300 * SHARE);
        assert_eq!(bal(BOB), 150 * SHARE);
        assert_eq!(bal(POOL), 75 * SHARE);
        assert_eq!(Assets::total_issuance(TSLA), 525 * SHARE);
        assert_ok!(Equities::do_try_state());
    });
}

#[test]
fn a_reverse_split_rounds_down_and_conserves_within_dust() {
    new_test_ext().execute_with(|| {
        assert_ok!(Assets::transfer(
            RuntimeOrigin::signed(BOB),
            TSLA.into(),
            CHARLIE,
            2
        ));
        assert_ok!(Equities::declare_split(RuntimeOrigin::root(), TSLA, 1, 3));
        advance(1);
        assert!(!Actions::<Test>::contains_key(TSLA));
        assert_eq!(bal(ALICE), 100 * SHARE / 3);
        assert_eq!(bal(BOB), (50 * SHARE - 2) / 3);
        // 2 units / 3 rounds to 0: the dust account is gone.
        assert_eq!(bal(CHARLIE), 0);
        let supply = Assets::total_issuance(TSLA);
        assert!(supply <= 175 * SHARE / 3 && supply + 4 >= 175 * SHARE / 3);
        assert_ok!(Equities::do_try_state());
    });
}

#[test]
fn corporate_action_errors() {
    new_test_ext().execute_with(|| {
        assert_noop!(
            Equities::declare_split(RuntimeOrigin::signed(ADMIN), TSLA, 2, 1),
            BadOrigin
        );
        assert_noop!(
            Equities::declare_split(RuntimeOrigin::root(), 9, 2, 1),
            Error::<Test>::UnknownStock
        );
        for (n, d) in [(0, 1), (1, 0), (2, 2), (101, 1), (1, 101)] {
            assert_noop!(
                Equities::declare_split(RuntimeOrigin::root(), TSLA, n, d),
                Error::<Test>::InvalidSplit
            );
        }
        assert_noop!(
            Equities::declare_dividend(RuntimeOrigin::signed(ALICE), TSLA, None, 1),
            Error::<Test>::NotCustodian
        );
        assert_noop!(
            Equities::declare_dividend(RuntimeOrigin::signed(CUSTODIAN), 9, None, 1),
            Error::<Test>::UnknownStock
        );
        assert_noop!(
            Equities::declare_dividend(RuntimeOrigin::signed(CUSTODIAN), TSLA, Some(404), 1),
            Error::<Test>::UnknownPayoutAsset
        );
        assert_noop!(
            Equities::declare_dividend(RuntimeOrigin::signed(CUSTODIAN), TSLA, Some(TSLA), 1),
            Error::<Test>::UnknownPayoutAsset
        );
        assert_noop!(
            Equities::declare_dividend(RuntimeOrigin::signed(CUSTODIAN), TSLA, None, 0),
            Error::<Test>::ZeroAmount
        );
        // USDX's minimum balance is 1: a dividend of less than one unit in total is refused.
        assert_ok!(Assets::force_asset_status(
            RuntimeOrigin::root(),
            USDX.into(),
            ADMIN,
            ADMIN,
            ADMIN,
            ADMIN,
            1000,
            true,
            false
        ));
        assert_noop!(
            Equities::declare_dividend(RuntimeOrigin::signed(CUSTODIAN), TSLA, Some(USDX), 1),
            Error::<Test>::DividendTooSmall
        );
        // A stock with no supply has no holders to pay.
        assert_ok!(list("NVDA", None));
        assert_noop!(
            Equities::declare_dividend(RuntimeOrigin::signed(CUSTODIAN), 2, None, 1),
            Error::<Test>::NoSupply
        );
        // A stock paying out a dividend in progress cannot be split meanwhile.
        assert_ok!(Equities::attest_reserves(
            RuntimeOrigin::signed(CUSTODIAN),
            2,
            1000 * SHARE,
            NOW
        ));
        assert_ok!(Equities::mint(
            RuntimeOrigin::signed(CUSTODIAN),
            2,
            CUSTODIAN,
            1000 * SHARE
        ));
        assert_ok!(Equities::declare_dividend(
            RuntimeOrigin::signed(CUSTODIAN),
            TSLA,
            Some(2),
            1
        ));
        assert_noop!(
            Equities::declare_split(RuntimeOrigin::root(), 2, 2, 1),
            Error::<Test>::CorporateActionInProgress
        );
        assert_ok!(Equities::process_actions(RuntimeOrigin::signed(BOB), 50));
        assert_eq!(Assets::balance(2, ALICE), 100);
        assert_ok!(Equities::declare_split(RuntimeOrigin::root(), TSLA, 2, 1));
        assert_ok!(Equities::declare_split(RuntimeOrigin::root(), 2, 2, 1));
        assert_ok!(list("AAPL", None));
        assert_ok!(Equities::declare_split(RuntimeOrigin::root(), 3, 2, 1));
        assert_ok!(list("MSFT", None));
        // MaxConcurrentActions = 3.
        assert_noop!(
            Equities::declare_split(RuntimeOrigin::root(), 4, 2, 1),
            Error::<Test>::TooManyActions
        );
        // Anyone can push the work along.
        assert_ok!(Equities::process_actions(RuntimeOrigin::signed(BOB), 50));
        assert!(ActiveActions::<Test>::get().is_empty());
        assert_noop!(
            Equities::set_params(
                RuntimeOrigin::root(),
                Params {
                    max_attestation_age: 1,
                    holders_per_block: 0
                }
            ),
            Error::<Test>::InvalidParams
        );
        assert_noop!(
            Equities::set_params(
                RuntimeOrigin::root(),
                Params {
                    max_attestation_age: 1,
                    holders_per_block: 101
                }
            ),
            Error::<Test>::InvalidParams
        );
        assert_ok!(Equities::do_try_state());
    });
}

#[test]
fn isin_check_digits() {
    for good in [
        "US88160R1014",
        "US0378331005",
        "US67066G1040",
        "GB0002634946",
        "DE000BAY0017",
    ] {
        assert!(valid_isin(&isin(good)), "{good}");
    }
    for bad in [
        "US88160R1015",
        "U588160R1014",
        "US88160R101X",
        "US8816-R1014",
    ] {
        assert!(!valid_isin(&isin(bad)), "{bad}");
    }
}
