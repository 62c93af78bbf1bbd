//! Stock tokens and market hours in the real runtime: genesis listings on the NYSE calendar,
//! sessions across real dates, custodian mint and redemption, halts, and a dividend paid over
//! blocks with the pallets' invariants checked after every block.

mod common;
use common::*;

use frame_support::traits::fungibles::Inspect;
use perpetua_primitives::{runtime_api::SessionInfo, Session, StockRegistry, StockStatus};
use perpetua_runtime::{
    genesis_config_presets::{example_custodian, EXAMPLE_STOCKS},
    Assets, Balances, Equities, MarketCalendar, Runtime, RuntimeCall, UNIT,
};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Dave, Eve};

const TSLA: u32 = 1;
const SHARE: u128 = 1_000_000_000_000;

#[test]
fn genesis_lists_the_example_stocks_on_the_nyse_calendar() {
    dev_ext().execute_with(|| {
        for s in EXAMPLE_STOCKS {
            assert_eq!(<Equities as StockRegistry>::exchange_of(s.id), Some(1));
            assert_eq!(
                <Equities as StockRegistry>::status(s.id),
                Some(StockStatus::Active)
            );
            let info = pallet_equities::Stocks::<Runtime>::get(s.id).unwrap();
            assert_eq!(info.custodian, example_custodian());
            assert_eq!(info.ticker.to_vec(), s.ticker.as_bytes().to_vec());
            let reserve = pallet_equities::Reserves::<Runtime>::get(s.id)
                .unwrap()
                .reserve;
            assert_eq!(reserve, Assets::total_issuance(s.id));
        }
        // The NYSE and Nasdaq follow the NYSE's holiday rules for every year: no year list,
        // and Thanksgiving 2031 (November 27) is known to be closed.
        assert_eq!(pallet_market_calendar::Years::<Runtime>::iter().count(), 0);
        let thanksgiving = pallet_market_calendar::time::days_from_civil(2031, 11, 27);
        for ex in [0u16, 1] {
            let rules = pallet_market_calendar::Exchanges::<Runtime>::get(ex)
                .unwrap()
                .rules;
            assert_eq!(
                rules.holidays,
                pallet_market_calendar::HolidayRules::UsEquity
            );
            assert_eq!(
                perpetua_runtime::MarketCalendar::day_kind(ex, thanksgiving),
                pallet_market_calendar::DayKind::Closed
            );
        }
        check_invariants();
    });
}

#[test]
fn sessions_follow_the_clock_of_the_chain() {
    dev_ext().execute_with(|| {
        // Block 1 at Monday 2026-11-30 09:00 New York: closed until 09:30 (14:30 UTC).
        run_to_block(1);
        let open = GENESIS_TIME_MS + 30 * 60_000;
        let s = MarketCalendar::stock_session_at(TSLA, now()).unwrap();
        assert_eq!(s, Session::Closed { next_open: Some(open) });
        // The runtime API answers the same for the block's own time.
        let api = <Runtime as perpetua_primitives::runtime_api::runtime_decl_for_market_calendar_api::MarketCalendarApiV1<
            perpetua_runtime::Block,
        >>::stock_session(TSLA, None);
        assert_eq!(api, Some(SessionInfo { at: now(), exchange: 1, session: s }));
        // A block at 09:30:00 sees the market open until 16:00.
        start_block_at(2, open);
        assert_eq!(
            MarketCalendar::stock_session_at(TSLA, now()),
            Some(Session::Open { closes_at: open + 390 * 60_000 })
        );
        finish_block();
        check_invariants();
    });
}

#[test]
fn custodian_mints_against_a_fresh_attestation_and_holders_redeem() {
    dev_ext().execute_with(|| {
        run_to_block(1);
        start_block(2);
        let supply = Assets::total_issuance(TSLA);
        // Genesis attestation is dated 0: minting waits for a fresh one.
        let mint = |amount| RuntimeCall::Equities(pallet_equities::Call::mint {
            asset: TSLA,
            beneficiary: acc(Dave).into(),
            amount,
        });
        assert_eq!(
            apply_signed(Eve, mint(SHARE)).unwrap(),
            Err(pallet_equities::Error::<Runtime>::AttestationStale.into())
        );
        let attest = RuntimeCall::Equities(pallet_equities::Call::attest_reserves {
            asset: TSLA,
            reserve: supply + 10 * SHARE,
            as_of: now(),
        });
        apply_signed(Eve, attest).unwrap().unwrap();
        apply_signed(Eve, mint(10 * SHARE)).unwrap().unwrap();
        assert_eq!(
            apply_signed(Eve, mint(1)).unwrap(),
            Err(pallet_equities::Error::<Runtime>::ExceedsReserve.into())
        );
        assert_eq!(
            apply_signed(Bob, mint(1)).unwrap(),
            Err(pallet_equities::Error::<Runtime>::NotMinter.into())
        );
        let dave_before = Assets::balance(TSLA, acc(Dave));
        let redeem = RuntimeCall::Equities(pallet_equities::Call::redeem {
            asset: TSLA,
            amount: 3 * SHARE,
            delivery_ref: b"DTC 0123 / acct 42".to_vec().try_into().unwrap(),
        });
        apply_signed(Dave, redeem).unwrap().unwrap();
        assert_eq!(Assets::balance(TSLA, acc(Dave)), dave_before - 3 * SHARE);
        assert!(events().iter().any(|e| matches!(e,
            perpetua_runtime::RuntimeEvent::Equities(pallet_equities::Event::Redeemed { amount, .. })
                if *amount == 3 * SHARE)));
        // Root halts TSLA: the calendar reports it halted.
        let halt = RuntimeCall::Equities(pallet_equities::Call::set_halted { asset: TSLA, halted: true });
        apply_signed(Alice, sudo(halt)).unwrap().unwrap();
        assert_eq!(MarketCalendar::stock_session_at(TSLA, now()), Some(Session::Halted));
        finish_block();
        check_invariants();
    });
}

#[test]
fn a_dividend_is_paid_over_blocks_with_invariants_after_each() {
    dev_ext().execute_with(|| {
        run_to_block(1);
        let params = pallet_equities::Params {
            max_attestation_age: 86_400_000,
            holders_per_block: 2,
        };
        start_block(2);
        apply_signed(
            Alice,
            sudo(RuntimeCall::Equities(pallet_equities::Call::set_params {
                params,
            })),
        )
        .unwrap()
        .unwrap();
        // Alice..Ferdie, and the TSLA pool's account (its LPs' tokens).
        let holders: Vec<_> = pallet_assets::Account::<Runtime>::iter_prefix(TSLA).collect();
        assert_eq!(holders.len(), 7);
        assert!(holders
            .iter()
            .any(|(a, _)| *a == perpetua_runtime::Pool::account(TSLA)));
        let before: Vec<_> = holders
            .iter()
            .map(|(a, _)| Balances::free_balance(a))
            .collect();
        // 0.5 PRP per share: every dev account holds 1,000 shares.
        let declare = RuntimeCall::Equities(pallet_equities::Call::declare_dividend {
            asset: TSLA,
            paid_in: None,
            per_share: UNIT / 2,
        });
        // Eve (custodian) holds shares too; measure her payout separately from her funding.
        apply_signed(Eve, declare).unwrap().unwrap();
        finish_block();
        check_invariants();
        let mut n = 3;
        while pallet_equities::Actions::<Runtime>::contains_key(TSLA) {
            start_block(n);
            finish_block();
            check_invariants();
            n += 1;
            assert!(n < 12, "dividend did not finish");
        }
        // Two holders per block: four blocks for seven holders, then the pool's LPs through
        // the walk of its share tokens.
        assert!(n >= 7, "{n}");
        // What the pool passes on to its LPs: each tranche's dividend on its capital, per
        // share of the tranche.
        let pool = perpetua_runtime::Pool::account(TSLA);
        let info = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
        let mut from_pool: Vec<(perpetua_runtime::AccountId, u128)> = Vec::new();
        for (capital, share) in [
            (info.main, info.main_share),
            (info.insurance, info.insurance_share),
        ] {
            let owed = capital / SHARE * (UNIT / 2);
            let supply = pallet_assets::Pallet::<Runtime>::total_supply(share);
            let per_share = owed * 1_000_000_000_000_000_000 / supply;
            for (lp, a) in pallet_assets::Account::<Runtime>::iter_prefix(share) {
                let x = sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
                    a.balance,
                    per_share,
                    1_000_000_000_000_000_000,
                    sp_runtime::Rounding::Down,
                )
                .unwrap();
                from_pool.push((lp, x));
            }
        }
        assert!(from_pool.len() >= 3);
        for ((who, account), b) in holders.iter().zip(before) {
            if *who == acc(Eve) || *who == pool {
                continue;
            }
            // 0.5 PRP per whole share held, and the LP's part of the pool's dividend.
            let lp: u128 = from_pool
                .iter()
                .filter(|(w, _)| w == who)
                .map(|(_, x)| *x)
                .sum();
            let expected = account.balance / SHARE * (UNIT / 2) + lp;
            assert_eq!(Balances::free_balance(who), b + expected);
        }
        // Nothing is left in the pots but the minimum balance they keep of PRP.
        let ed = <Balances as frame_support::traits::fungible::Inspect<_>>::minimum_balance();
        assert_eq!(Balances::free_balance(Equities::account_id()), ed);
        assert!(Balances::free_balance(&pool) <= ed.max(1));
    });
}
