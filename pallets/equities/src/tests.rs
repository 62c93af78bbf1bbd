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
/// Corporate actions walk `n` holders per block.
fn holders_per_block(n: u32) {
    assert_ok!(Equities::set_params(
        RuntimeOrigin::root(),
        Params {
            max_attestation_age: 86_400_000,
            holders_per_block: n
        }
    ));
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
        holders_per_block(2);
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
        // Funded, plus the minimum balance the dividend pot and the pallet's pot keep.
        assert_eq!(
            Balances::balance(&CUSTODIAN),
            custodian_before - 1750 - 2 * ED
        );
        // The stock is frozen until every holder is paid: holders' own transfers, and
        // pallet-assets' own transfers (pallets move it through `AssetMover`).
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
        assert_eq!(Balances::balance(&POOL), p0 + ED + 250);
        assert_eq!(Balances::balance(&Equities::account_id()), ED);
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
        // ceil(175 shares * 3) = 525, and the two pots' minimum balance of USDX.
        assert_eq!(Assets::balance(USDX, CUSTODIAN), before - 525 - 2);
        advance(1);
        assert!(!Actions::<Test>::contains_key(TSLA));
        assert_eq!(Assets::balance(USDX, ALICE), 300);
        assert_eq!(Assets::balance(USDX, CHARLIE), 0);
        // Bob now has 50 shares - 2 units: floor(149.999994) = 149. Pool 75.
        assert_eq!(Assets::balance(USDX, BOB), 149);
        assert_eq!(Assets::balance(USDX, POOL), 1 + 75);
        assert_eq!(Assets::balance(USDX, CUSTODIAN), before - 524 - 2);
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
        holders_per_block(1);
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

fn mover_transfer(from: AccountId, to: AccountId, amount: Balance) -> sp_runtime::DispatchResult {
    <Equities as perpetua_primitives::AssetMover<AccountId>>::transfer(TSLA, &from, &to, amount)
}

#[test]
fn pallet_pots_are_split_when_the_split_starts_and_told_after() {
    new_test_ext().execute_with(|| {
        holders_per_block(1);
        assert_ok!(Equities::declare_split(RuntimeOrigin::root(), TSLA, 3, 1));
        // The pot is split in the declaring call, before any block: its pallet's ledger and
        // its balance change together.
        assert_eq!(bal(POOL), 75 * SHARE);
        assert_eq!(bal(ALICE), 100 * SHARE);
        assert!(heard().contains(&Heard::Split(TSLA, 3, 1)));
        assert_ok!(Equities::do_try_state());
        advance(3);
        assert!(!Actions::<Test>::contains_key(TSLA));
        // The walk skipped the pot: split once, not twice.
        assert_eq!(bal(POOL), 75 * SHARE);
        assert_eq!(bal(ALICE), 300 * SHARE);
        assert_eq!(bal(BOB), 150 * SHARE);
        assert_eq!(Assets::total_issuance(TSLA), 525 * SHARE);
        assert_eq!(Touched::<Test>::iter_prefix(TSLA).count(), 0);
    });
}

#[test]
fn a_pallet_moves_tokens_during_a_split_and_nobody_is_split_twice_or_not_at_all() {
    new_test_ext().execute_with(|| {
        holders_per_block(1);
        assert_ok!(Equities::declare_split(RuntimeOrigin::root(), TSLA, 1, 10));
        // Holders cannot move the stock themselves...
        assert!(Assets::transfer(RuntimeOrigin::signed(ALICE), TSLA.into(), BOB, 1).is_err());
        // ...but a pallet can, in post-split units: Alice (not reached by the walk) is split
        // first, then 2 new shares move into the pot.
        assert_ok!(mover_transfer(ALICE, POOL, 2 * SHARE));
        assert_eq!(bal(ALICE), 8 * SHARE);
        assert_eq!(bal(POOL), 2 * SHARE + 25 * SHARE / 10);
        // And to an account with nothing yet (created ahead of the walk), then emptied again.
        assert_ok!(mover_transfer(POOL, CHARLIE, SHARE));
        assert_eq!(bal(CHARLIE), SHARE);
        assert_ok!(mover_transfer(CHARLIE, POOL, SHARE));
        assert_eq!(bal(CHARLIE), 0);
        assert_ok!(Equities::do_try_state());
        advance(6);
        assert!(!Actions::<Test>::contains_key(TSLA));
        assert_eq!(bal(ALICE), 8 * SHARE);
        assert_eq!(bal(BOB), 5 * SHARE);
        assert_eq!(bal(POOL), 2 * SHARE + 25 * SHARE / 10);
        assert_eq!(Assets::total_issuance(TSLA), 175 * SHARE / 10);
        // Every out-of-order marker is gone, the reaped account's too.
        assert_eq!(Touched::<Test>::iter_prefix(TSLA).count(), 0);
        // Unlocked.
        assert_ok!(Assets::transfer(
            RuntimeOrigin::signed(BOB),
            TSLA.into(),
            ALICE,
            SHARE
        ));
    });
}

#[test]
fn a_dividend_is_paid_on_the_balance_at_the_start_even_if_a_pallet_moves_it_first() {
    new_test_ext().execute_with(|| {
        holders_per_block(1);
        let (a0, b0, p0) = (
            Balances::balance(&ALICE),
            Balances::balance(&BOB),
            Balances::balance(&POOL),
        );
        assert_ok!(Equities::declare_dividend(
            RuntimeOrigin::signed(CUSTODIAN),
            TSLA,
            None,
            10
        ));
        // The pot is paid at once (after its minimum balance was topped up), and its pallet
        // told.
        assert_eq!(Balances::balance(&POOL), p0 + ED + 250);
        assert!(heard().contains(&Heard::Dividend(POOL, TSLA, None, 250)));
        // Bob moves all his stock into the pot before the walk reaches him: he is paid on his
        // 50 shares first, and the pot is not paid again on them.
        assert_ok!(mover_transfer(BOB, POOL, 50 * SHARE));
        assert_eq!(Balances::balance(&BOB), b0 + 500);
        // Alice receives 10 shares from the pot: paid on her own 100 only.
        assert_ok!(mover_transfer(POOL, ALICE, 10 * SHARE));
        advance(4);
        assert!(!Actions::<Test>::contains_key(TSLA));
        assert_eq!(Balances::balance(&ALICE), a0 + 1000);
        assert_eq!(Balances::balance(&BOB), b0 + 500);
        assert_eq!(Balances::balance(&POOL), p0 + ED + 250);
        assert_eq!(Balances::balance(&Equities::account_id()), ED);
    });
}

#[test]
fn an_action_completes_only_when_the_pallets_have_carried_it_through() {
    new_test_ext().execute_with(|| {
        PENDING.with(|p| *p.borrow_mut() = 500);
        holders_per_block(100);
        assert_ok!(Equities::declare_split(RuntimeOrigin::root(), TSLA, 2, 1));
        // 100 steps per block: 3 holders, then the pallet's 500 entries.
        advance(5);
        assert!(Actions::<Test>::contains_key(TSLA));
        assert_noop!(
            Equities::declare_dividend(RuntimeOrigin::signed(CUSTODIAN), TSLA, None, 1),
            Error::<Test>::CorporateActionInProgress
        );
        advance(1);
        assert!(!Actions::<Test>::contains_key(TSLA));
        assert_eq!(bal(ALICE), 200 * SHARE);
    });
}

#[test]
fn a_dividend_on_any_asset_is_distributed_to_its_holders_but_the_payer() {
    new_test_ext().execute_with(|| {
        use perpetua_primitives::{DividendDistributor, DividendTerms};
        // USDX holders: Alice 300, Pool 100 (the payer, which holds some itself).
        assert_ok!(Assets::transfer(
            RuntimeOrigin::signed(CUSTODIAN),
            USDX.into(),
            ALICE,
            300
        ));
        let rest = Assets::balance(USDX, CUSTODIAN) - 600;
        assert_ok!(Assets::transfer(
            RuntimeOrigin::signed(CUSTODIAN),
            USDX.into(),
            POOL,
            rest
        ));
        assert_ok!(Balances::transfer_allow_death(
            RuntimeOrigin::signed(CUSTODIAN),
            POOL,
            1_000
        ));
        let custodian = Assets::balance(USDX, CUSTODIAN);
        let c_prp = Balances::balance(&CUSTODIAN);
        let p0 = Balances::balance(&POOL);
        // 1 PRP unit per 3 USDX: holders but the pool hold custodian + 300.
        let terms = DividendTerms {
            paid_in: None,
            per_share: 1,
            unit: 3,
            funder: CHARLIE,
        };
        let c0 = Balances::balance(&CHARLIE);
        let a0 = Balances::balance(&ALICE);
        let taken = Equities::distribute(USDX, &POOL, terms).unwrap();
        assert_eq!(taken, (custodian + 300) / 3);
        // The payer also gave the pot its minimum balance (1 in the mock), kept for good.
        assert_eq!(Balances::balance(&POOL), p0 - taken - ED);
        advance(1);
        assert!(!Actions::<Test>::contains_key(USDX));
        assert_eq!(Balances::balance(&ALICE), a0 + 100);
        assert_eq!(Balances::balance(&CUSTODIAN), c_prp + 200);
        assert_eq!(Balances::balance(&CHARLIE), c0);
        assert_eq!(Balances::balance(&Equities::account_id()), ED);
    });
}

#[test]
fn a_frozen_account_is_split_too_and_stays_frozen() {
    new_test_ext().execute_with(|| {
        assert_ok!(Equities::freeze_account(RuntimeOrigin::root(), TSLA, ALICE));
        assert_ok!(Equities::declare_split(RuntimeOrigin::root(), TSLA, 1, 10));
        advance(1);
        assert!(!Actions::<Test>::contains_key(TSLA));
        assert_eq!(bal(ALICE), 10 * SHARE);
        assert_eq!(Assets::total_issuance(TSLA), 175 * SHARE / 10);
        // Still frozen: the court order outlives the split.
        assert!(Assets::transfer(RuntimeOrigin::signed(ALICE), TSLA.into(), BOB, 1).is_err());
        assert_ok!(Assets::transfer(
            RuntimeOrigin::signed(BOB),
            TSLA.into(),
            ALICE,
            1
        ));
    });
}

#[test]
fn a_move_that_would_leave_dust_burns_it_off_the_supply() {
    new_test_ext().execute_with(|| {
        // TSLA's minimum balance raised to 1,000 base units.
        assert_ok!(Assets::force_asset_status(
            RuntimeOrigin::root(),
            TSLA.into(),
            Equities::account_id(),
            Equities::account_id(),
            Equities::account_id(),
            Equities::account_id(),
            1_000,
            true,
            false
        ));
        let supply = Assets::total_issuance(TSLA);
        let held = bal(ALICE);
        // Leaving the minimum moves exactly the amount.
        assert_ok!(mover_transfer(ALICE, BOB, held - 1_000));
        assert_eq!(bal(ALICE), 1_000);
        // Leaving 500 (under the minimum, above nothing): pallet-assets would debit all 1,000
        // and credit 500, the supply still counting the 500 of dust. The dust is burnt
        // instead: Bob gets exactly 500 and the supply falls by the dust.
        assert_ok!(mover_transfer(ALICE, BOB, 500));
        assert_eq!(bal(ALICE), 0);
        assert_eq!(bal(BOB), 50 * SHARE + held - 500);
        assert_eq!(Assets::total_issuance(TSLA), supply - 500);
        let sum: Balance = pallet_assets::Account::<Test>::iter_prefix(TSLA)
            .map(|(_, a)| a.balance)
            .sum();
        assert_eq!(sum, supply - 500);
        assert_ok!(Equities::do_try_state());
    });
}

#[test]
fn a_reserve_beyond_any_company_is_refused() {
    new_test_ext().execute_with(|| {
        // TSLA has 6 decimals in the mock: the cap is 10^12 whole shares.
        let cap = 10u128.pow(6) * MAX_RESERVE_SHARES;
        assert_noop!(
            Equities::attest_reserves(RuntimeOrigin::signed(CUSTODIAN), TSLA, u128::MAX, NOW),
            Error::<Test>::ReserveTooLarge
        );
        assert_noop!(
            Equities::attest_reserves(RuntimeOrigin::signed(CUSTODIAN), TSLA, cap + 1, NOW),
            Error::<Test>::ReserveTooLarge
        );
        assert_ok!(Equities::attest_reserves(
            RuntimeOrigin::signed(CUSTODIAN),
            TSLA,
            cap,
            NOW
        ));
    });
}
