//! Corporate actions of a settlement stock in the real runtime, with open positions, idle
//! collateral, LPs in both tranches and queued LP flows:
//!
//! - a 3:1 split and a 1:10 reverse split leave every party's value in USD where it was, to
//!   rounding in the pool's favour; no liquidation follows; every withdrawal afterwards is paid
//!   in full; every pallet's `try_state` holds after every block;
//! - a cash dividend in PRP and a dividend paid in another stock token (NVDA) reach margin
//!   accounts pro rata to their collateral, LPs pro rata to their shares, queued depositors on
//!   their deposit, to the unit, the rounding going back to the custodian;
//! - a BTC crash in the middle of a split's walk is liquidated at once;
//! - random sequences of splits, dividends, trades and LP flows conserve value.

mod common;
use common::*;

use frame_support::traits::{fungible::Inspect as _, fungibles::Inspect as _, Hooks};
use perpetua_primitives::{
    AssetMover, CryptoIndex, MarginEngine, OracleKey, Price, PriceProvider, Tranche,
};
use perpetua_runtime::{
    AccountId, Assets, Balances, Equities, Liquidation, Options, Pool, Prices, Runtime,
    RuntimeCall, RuntimeEvent, RuntimeOrigin,
};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave, Eve, Ferdie};
use sp_runtime::FixedU128;

const TSLA: u32 = 1;
const NVDA: u32 = 2;
const SHARE: u128 = 1_000_000_000_000;
/// 18 decimals: what the runtime's `FixedU128`/`FixedI128` inner values are scaled by.
const ONE: u128 = 1_000_000_000_000_000_000;
const PUT_100K: u32 = 3;
const CALL_100K: u32 = 2;
const PUT_90K: u32 = 1;
/// Monday 2026-11-30 09:30 New York.
const OPEN: u64 = GENESIS_TIME_MS + 30 * 60_000;
/// 10^-6 USD in the inner units of `FixedI128`: far above rounding of a base unit of TSLA or
/// of 10^-18 of a token per contract, far below anything a trader would notice.
const USD_TOLERANCE: i128 = 1_000_000_000_000;

/// The rescaled price is rounded to 10^-18 USD: what a party holds through USD claims (an
/// LP's share of the book, counted in TSLA at the new price) can round up by a few base
/// units of TSLA. Anything above this many is a real gain.
const PRICE_ROUNDING_UNITS: u128 = 10;

type PoolState_ = TxPool;

fn ext() -> (sp_io::TestExternalities, TxPool) {
    offchain_dev_ext()
}

fn prices(btc: u32, tsla: Price) -> Vec<(OracleKey, Price)> {
    vec![
        (OracleKey::Crypto(CryptoIndex::Btc), Price::from_u32(btc)),
        (
            OracleKey::ImpliedVol(CryptoIndex::Btc),
            Price::from_rational(60, 100),
        ),
        (OracleKey::Asset(TSLA), tsla),
    ]
}

/// The chain: the block number and time of the block being built, and the BTC price fed.
struct Chain {
    n: u32,
    t: u64,
    btc: u32,
    pool: PoolState_,
    /// Every event since the last `events.clear()`, across blocks.
    events: Vec<RuntimeEvent>,
}

impl Chain {
    /// The TSLA price the oracle holds (post-split after a split).
    fn tsla(&self) -> Price {
        <Prices as PriceProvider>::price(OracleKey::Asset(TSLA)).unwrap()
    }

    /// Starts the next block with a quorum feeding BTC and the current TSLA price.
    fn start(&mut self) {
        self.n += 1;
        self.t += 3_000;
        start_block_at(self.n, self.t);
        let tsla = <Prices as PriceProvider>::price(OracleKey::Asset(TSLA))
            .unwrap_or(Price::from_u32(400));
        let v = prices(self.btc, tsla);
        apply_signed(Alice, feed_values(v.clone()))
            .unwrap()
            .unwrap();
        apply_signed(Bob, feed_values(v)).unwrap().unwrap();
    }

    /// Ends the block: invariants, then the offchain worker. Returns the unsigned
    /// liquidations it submitted.
    fn finish(&mut self) -> usize {
        finish_block();
        check_invariants();
        // The test's worker runs on the block's state (a node's would run on a copy): what it
        // touches is carried through here, so its events count too.
        Liquidation::offchain_worker(self.n);
        self.events.extend(events());
        let txs = std::mem::take(&mut self.pool.write().transactions);
        txs.len()
    }

    /// A whole block with nothing but the feed; asserts no liquidation is submitted.
    fn quiet_block(&mut self) {
        self.start();
        assert_eq!(self.finish(), 0, "a liquidation in block {}", self.n);
    }

    /// Blocks until no corporate action is in progress.
    fn until_done(&mut self) -> u32 {
        let mut blocks = 0;
        while pallet_equities::ActiveActions::<Runtime>::decode_len().unwrap_or(0) > 0 {
            self.quiet_block();
            blocks += 1;
            assert!(blocks < 200, "the walk did not end");
        }
        blocks
    }
}

fn account(name: &str) -> AccountId {
    sp_core::sr25519::Pair::from_string(&format!("//corp/{name}"), None)
        .unwrap()
        .public()
        .into()
}

fn tsla(who: &AccountId) -> u128 {
    Assets::balance(TSLA, who)
}

/// A trader with `collateral` TSLA of margin and `positions`.
fn trader(name: &str, collateral: u128, positions: &[(u32, i128)]) -> AccountId {
    let who = account(name);
    // PRP for fees and to exist.
    Balances::transfer_allow_death(
        RuntimeOrigin::signed(acc(Dave)),
        who.clone().into(),
        1_000_000_000_000_000,
    )
    .unwrap();
    Equities::mint(
        RuntimeOrigin::signed(acc(Eve)),
        TSLA,
        who.clone().into(),
        collateral,
    )
    .unwrap();
    pallet_options::Pallet::<Runtime>::deposit(
        RuntimeOrigin::signed(who.clone()),
        TSLA,
        collateral,
    )
    .unwrap();
    for (series, size) in positions {
        trade(&who, *series, *size);
    }
    who
}

/// `who` deposits every TSLA of its wallet as margin and withdraws it again. The amount is
/// in post-split units: a wallet the walk has not reached still shows its pre-split balance
/// (the deposit brings it through first, so a reverse split's old balance would be refused).
fn round_trip_through_margin(who: &AccountId) {
    <Equities as AssetMover<AccountId>>::settle(TSLA, who);
    let all = tsla(who);
    pallet_options::Pallet::<Runtime>::deposit(RuntimeOrigin::signed(who.clone()), TSLA, all)
        .unwrap();
    let c = Options::collateral(who, TSLA);
    pallet_options::Pallet::<Runtime>::withdraw(RuntimeOrigin::signed(who.clone()), TSLA, c)
        .unwrap();
}

fn trade(who: &AccountId, series: u32, size: i128) {
    let limit = if size > 0 {
        FixedU128::from_u32(1_000_000)
    } else {
        FixedU128::from_u32(0)
    };
    pallet_options::Pallet::<Runtime>::trade(
        RuntimeOrigin::signed(who.clone()),
        series,
        size,
        limit,
        u64::MAX,
    )
    .unwrap();
}

fn equity(who: &AccountId) -> i128 {
    <Options as MarginEngine<AccountId>>::risk(who, TSLA, &mut Default::default())
        .unwrap()
        .equity
        .into_inner()
}

/// USD (inner units of 10^-18) of `amount` TSLA base units at the oracle's price.
fn usd(amount: u128) -> i128 {
    let p = <Prices as PriceProvider>::price(OracleKey::Asset(TSLA)).unwrap();
    sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
        amount,
        p.into_inner(),
        SHARE,
        sp_runtime::Rounding::Down,
    )
    .unwrap() as i128
}

/// What `who`'s shares of both tranches are worth at NAV, TSLA base units.
fn lp_value(who: &AccountId) -> u128 {
    let info = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
    let (main_nav, ins_nav) = Pool::navs(TSLA).unwrap();
    let part = |share: u32, nav: u128| {
        let supply = Assets::total_issuance(share);
        if supply == 0 {
            return 0;
        }
        sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
            Assets::balance(share, who),
            nav,
            supply,
            sp_runtime::Rounding::Down,
        )
        .unwrap()
    };
    part(info.main_share, main_nav) + part(info.insurance_share, ins_nav)
}

/// What a party owns, USD: its margin account's equity, its wallet's TSLA, its LP shares at
/// NAV and its queued deposits. A wallet the walk of a split has not reached yet is brought
/// through first (as the walk, or any pallet touching it, would).
fn value(who: &AccountId) -> i128 {
    <Equities as AssetMover<AccountId>>::settle(TSLA, who);
    let queued: u128 = pallet_pool::Queue::<Runtime>::get(TSLA)
        .iter()
        .filter(|r| r.who == *who)
        .map(|r| match r.kind {
            pallet_pool::RequestKind::Deposit { amount, .. } => amount,
            pallet_pool::RequestKind::Withdraw { .. } => 0,
        })
        .sum();
    let escrowed: u128 = pallet_pool::Queue::<Runtime>::get(TSLA)
        .iter()
        .filter(|r| r.who == *who)
        .map(|r| match r.kind {
            pallet_pool::RequestKind::Withdraw { shares, .. } => shares_value(r.tranche, shares),
            pallet_pool::RequestKind::Deposit { .. } => 0,
        })
        .sum();
    let margin = if pallet_options::Accounts::<Runtime>::contains_key(TSLA, who) {
        equity(who)
    } else {
        0
    };
    margin + usd(tsla(who) + lp_value(who) + queued + escrowed)
}

/// `shares` of `tranche` at NAV, TSLA base units.
fn shares_value(tranche: Tranche, shares: u128) -> u128 {
    let info = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
    let (main_nav, ins_nav) = Pool::navs(TSLA).unwrap();
    let (share, nav) = match tranche {
        Tranche::Main => (info.main_share, main_nav),
        Tranche::Insurance => (info.insurance_share, ins_nav),
    };
    sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
        shares,
        nav,
        Assets::total_issuance(share),
        sp_runtime::Rounding::Down,
    )
    .unwrap()
}

struct World {
    chain: Chain,
    traders: Vec<AccountId>,
    idle: AccountId,
    lps: Vec<AccountId>,
}

impl World {
    fn parties(&self) -> Vec<AccountId> {
        let mut v = self.traders.clone();
        v.push(self.idle.clone());
        v.extend(self.lps.iter().cloned());
        v
    }
}

/// The dev chain with four traders (short and long puts and calls), an account with idle
/// collateral only, LPs in both tranches (Alice and Bob main, Charlie insurance), and walks of
/// two holders per block, so that each action spans blocks.
fn world(pool: PoolState_) -> World {
    run_to_block(1);
    let mut chain = Chain {
        n: 1,
        t: OPEN - 3_000,
        btc: 100_000,
        pool,
        events: Vec::new(),
    };
    chain.start();
    // First feed includes TSLA at 400 (the `start` fallback).
    chain.finish();
    chain.start();
    holders_per_block(2);
    let supply = Assets::total_issuance(TSLA);
    Equities::attest_reserves(
        RuntimeOrigin::signed(acc(Eve)),
        TSLA,
        supply + 1_000_000 * SHARE,
        now(),
    )
    .unwrap();
    let traders = vec![
        trader("short-put", 10 * SHARE, &[(PUT_100K, -3), (PUT_90K, -1)]),
        trader("long-put", 10 * SHARE, &[(PUT_100K, 3)]),
        trader("short-call", 20 * SHARE, &[(CALL_100K, -2)]),
        trader("long-call", 10 * SHARE, &[(CALL_100K, 2), (PUT_90K, 1)]),
    ];
    let idle = trader("idle", 5 * SHARE + 7, &[]);
    assert_eq!(chain.finish(), 0);
    chain.quiet_block();
    World {
        chain,
        traders,
        idle,
        lps: vec![acc(Alice), acc(Bob), acc(Charlie), acc(Ferdie)],
    }
}

/// Queues an LP deposit by Ferdie and a withdrawal of a tenth of Charlie's insurance shares,
/// in the block being built: both wait in the queue over the action's start.
fn queue_flows() {
    apply_signed(
        Ferdie,
        RuntimeCall::Pool(pallet_pool::Call::deposit {
            asset: TSLA,
            tranche: Tranche::Main,
            amount: 100 * SHARE + 3,
            min_shares: 0,
        }),
    )
    .unwrap()
    .unwrap();
    let info = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
    let shares = Assets::balance(info.insurance_share, acc(Charlie)) / 10;
    apply_signed(
        Charlie,
        RuntimeCall::Pool(pallet_pool::Call::withdraw {
            asset: TSLA,
            tranche: Tranche::Insurance,
            shares,
            min_amount: 1,
        }),
    )
    .unwrap()
    .unwrap();
}

/// Corporate actions walk `n` wallets per block from now on (the admin's parameter).
fn holders_per_block(n: u32) {
    apply_signed(
        Alice,
        sudo(RuntimeCall::Equities(pallet_equities::Call::set_params {
            params: pallet_equities::Params {
                max_attestation_age: 86_400_000,
                holders_per_block: n,
            },
        })),
    )
    .unwrap()
    .unwrap();
}

fn split(numerator: u32, denominator: u32) -> RuntimeCall {
    sudo(RuntimeCall::Equities(
        pallet_equities::Call::declare_split {
            asset: TSLA,
            numerator,
            denominator,
        },
    ))
}

/// A split with everything open: values before and after, in the same block (no funding or
/// price moves between), within rounding and never in a party's favour; the walk ends with no
/// liquidation; then everyone takes everything out and is paid in full.
fn a_split_leaves_every_value_where_it_was(numerator: u32, denominator: u32) {
    let (mut ext, pool) = ext();
    ext.execute_with(|| {
        let mut w = world(pool);
        w.chain.start();
        queue_flows();
        let parties = w.parties();
        let before: Vec<i128> = parties.iter().map(value).collect();
        let price_before = w.chain.tsla();
        let queued_before = pallet_pool::Queue::<Runtime>::get(TSLA);
        let dave = acc(Dave);
        let dave_before = tsla(&dave);
        apply_signed(Alice, split(numerator, denominator))
            .unwrap()
            .unwrap();
        // Dave tries to be split twice: before the walk reaches his wallet, he moves all of it
        // into margin and back out (the pot was split already). He ends with his own balance
        // split once, to the base unit (checked when the walk has ended).
        round_trip_through_margin(&dave);
        // The oracle's price moved with the unit; the pots were split at once.
        let expected_price = sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
            price_before.into_inner(),
            denominator as u128,
            numerator as u128,
            sp_runtime::Rounding::Down,
        )
        .unwrap();
        assert_eq!(w.chain.tsla().into_inner(), expected_price);
        let after: Vec<i128> = parties.iter().map(value).collect();
        for ((who, b), a) in parties.iter().zip(&before).zip(&after) {
            assert!(
                (a - b).abs() <= USD_TOLERANCE,
                "{who:?}: {b} before, {a} after ({numerator}:{denominator})"
            );
            // Rounding is the pool's: nobody gains (beyond the price's own rounding).
            assert!(
                *a <= b + usd(PRICE_ROUNDING_UNITS),
                "{who:?} gained {}",
                a - b
            );
        }
        // Queued deposits were split; withdrawals' floors never lowered.
        let queued_after = pallet_pool::Queue::<Runtime>::get(TSLA);
        for (b, a) in queued_before.iter().zip(queued_after.iter()) {
            match (b.kind, a.kind) {
                (
                    pallet_pool::RequestKind::Deposit { amount: x, .. },
                    pallet_pool::RequestKind::Deposit { amount: y, .. },
                ) => assert_eq!(y, x * numerator as u128 / denominator as u128),
                (
                    pallet_pool::RequestKind::Withdraw {
                        shares: s,
                        min_amount: m,
                    },
                    pallet_pool::RequestKind::Withdraw {
                        shares: s2,
                        min_amount: m2,
                    },
                ) => {
                    assert_eq!(s, s2);
                    assert!(m2 * denominator as u128 >= m * numerator as u128);
                }
                _ => panic!("queue reordered"),
            }
        }
        // What a wallet sees (the runtime API behind `equities_corporateActions`).
        let info = Equities::actions_info();
        assert_eq!(info.len(), 1);
        assert_eq!(
            info[0].kind,
            perpetua_primitives::runtime_api::CorporateActionKind::Split {
                numerator,
                denominator
            }
        );
        assert!(!info[0].wallets_done && info[0].ledgers_pending);
        assert_eq!(w.chain.finish(), 0, "the split triggered a liquidation");
        let blocks = w.chain.until_done();
        assert!(Equities::actions_info().is_empty());
        assert!(blocks >= 3, "the walk took {blocks} blocks");
        assert_eq!(
            tsla(&dave),
            perpetua_primitives::split_amount(dave_before, numerator, denominator),
            "Dave was split more than once"
        );
        // Carried through, once: the walk changed nobody's collateral again.
        for (who, a) in parties.iter().zip(&after) {
            let now = value(who);
            // Funding and the flows executed since move values a little; the split did not.
            assert!(
                (now - a).abs() <= a.abs() / 1_000 + USD_TOLERANCE,
                "{who:?} moved from {a} to {now} during the walk"
            );
        }
        // The queued flows executed on post-split terms.
        assert!(pallet_pool::Queue::<Runtime>::get(TSLA).is_empty());
        let info = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
        assert!(Assets::balance(info.main_share, acc(Ferdie)) > 0);

        // Everyone out, paid in full: positions closed, collateral withdrawn.
        w.chain.start();
        for who in w.traders.iter() {
            for id in pallet_options::AccountSeries::<Runtime>::get(who, TSLA) {
                let size = pallet_options::Positions::<Runtime>::get(who, id)
                    .unwrap()
                    .size;
                trade(who, id, -size);
            }
        }
        for who in w.traders.iter().chain([&w.idle]) {
            let c = Options::collateral(who, TSLA);
            let wallet = tsla(who);
            pallet_options::Pallet::<Runtime>::withdraw(
                RuntimeOrigin::signed(who.clone()),
                TSLA,
                c,
            )
            .unwrap();
            assert_eq!(tsla(who), wallet + c, "{who:?} not paid in full");
            assert_eq!(Options::collateral(who, TSLA), 0);
        }
        assert_eq!(pallet_options::TotalCollateral::<Runtime>::get(TSLA), 0);
        // The LPs of both tranches leave too (the book is flat now).
        let mut paid = Vec::new();
        for lp in [Alice, Bob, Charlie, Ferdie] {
            for (tranche, share) in [
                (Tranche::Main, info.main_share),
                (Tranche::Insurance, info.insurance_share),
            ] {
                let shares = Assets::balance(share, acc(lp));
                if shares == 0 {
                    continue;
                }
                apply_signed(
                    lp,
                    RuntimeCall::Pool(pallet_pool::Call::withdraw {
                        asset: TSLA,
                        tranche,
                        shares,
                        min_amount: 1,
                    }),
                )
                .unwrap()
                .unwrap();
                paid.push((lp, share, tsla(&acc(lp))));
            }
        }
        w.chain.finish();
        w.chain.quiet_block();
        w.chain.quiet_block();
        for (lp, share, wallet) in paid {
            assert_eq!(
                Assets::balance(share, acc(lp)),
                0,
                "{lp:?} still holds shares"
            );
            assert!(tsla(&acc(lp)) > wallet, "{lp:?} was not paid");
        }
        println!(
            "{numerator}:{denominator} split: {} parties within 1e-6 USD, walk {blocks} blocks",
            parties.len()
        );
    });
}

#[test]
fn a_3_for_1_split_leaves_every_value_where_it_was() {
    a_split_leaves_every_value_where_it_was(3, 1);
}

#[test]
fn a_1_for_10_reverse_split_leaves_every_value_where_it_was() {
    a_split_leaves_every_value_where_it_was(1, 10);
}

/// Who was owed what by a dividend of `per_share` per whole TSLA, recorded at its start.
fn dividend_owed(w: &World, per_share: u128) -> Vec<(AccountId, u128)> {
    let payout = |b: u128| {
        sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
            b,
            per_share,
            SHARE,
            sp_runtime::Rounding::Down,
        )
        .unwrap()
    };
    let mut owed: Vec<(AccountId, u128)> = Vec::new();
    let mut add = |who: &AccountId, x: u128| match owed.iter_mut().find(|(w, _)| w == who) {
        Some((_, o)) => *o += x,
        None => owed.push((who.clone(), x)),
    };
    // Wallets (but pallet pots), margin accounts on their collateral, queued deposits on
    // their escrow, each tranche's LPs on its capital per share (escrowed shares included).
    let pots = [
        Pool::account(TSLA),
        Options::pot(TSLA),
        Equities::account_id(),
    ];
    for (who, a) in pallet_assets::Account::<Runtime>::iter_prefix(TSLA) {
        if !pots.contains(&who) {
            add(&who, payout(a.balance));
        }
    }
    for who in w.traders.iter().chain([&w.idle]) {
        add(who, payout(Options::collateral(who, TSLA)));
    }
    let queue = pallet_pool::Queue::<Runtime>::get(TSLA);
    for r in queue.iter() {
        if let pallet_pool::RequestKind::Deposit { amount, .. } = r.kind {
            add(&r.who, payout(amount));
        }
    }
    let info = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
    for (tranche, capital, share) in [
        (Tranche::Main, info.main, info.main_share),
        (Tranche::Insurance, info.insurance, info.insurance_share),
    ] {
        let per = payout(capital) * ONE / Assets::total_issuance(share);
        let of = |s: u128| {
            sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
                s,
                per,
                ONE,
                sp_runtime::Rounding::Down,
            )
            .unwrap()
        };
        for (who, a) in pallet_assets::Account::<Runtime>::iter_prefix(share) {
            if who != Pool::account(TSLA) {
                add(&who, of(a.balance));
            }
        }
        for r in queue.iter() {
            if let pallet_pool::RequestKind::Withdraw { shares, .. } = r.kind {
                if r.tranche == tranche {
                    add(&r.who, of(shares));
                }
            }
        }
    }
    owed
}

/// A dividend paid in `paid_in` (`None`: PRP) with everything open: every party is paid what
/// it was owed at the start, to the unit; the rest goes back to the custodian; nothing stays
/// in a pallet's pot but the minimum balance it keeps.
fn a_dividend_reaches_every_holder(paid_in: Option<u32>, per_share: u128) {
    let (mut ext, pool) = ext();
    ext.execute_with(|| {
        let mut w = world(pool);
        w.chain.start();
        queue_flows();
        let balance = |who: &AccountId| match paid_in {
            None => Balances::balance(who),
            Some(a) => Assets::balance(a, who),
        };
        let owed = dividend_owed(&w, per_share);
        let before: Vec<u128> = owed.iter().map(|(who, _)| balance(who)).collect();
        let custodian = acc(Eve);
        let custodian_before = balance(&custodian);
        let supply = Assets::total_issuance(TSLA);
        w.chain.events.clear();
        apply_signed(
            Eve,
            RuntimeCall::Equities(pallet_equities::Call::declare_dividend {
                asset: TSLA,
                paid_in,
                per_share,
            }),
        )
        .unwrap()
        .unwrap();
        // Trading, deposits and withdrawals of margin go on during the walk.
        let t0 = &w.traders[0];
        let c = Options::collateral(t0, TSLA);
        pallet_options::Pallet::<Runtime>::withdraw(RuntimeOrigin::signed(t0.clone()), TSLA, c / 10)
            .unwrap();
        trade(&w.traders[1], PUT_100K, -1);
        // Two try to be paid twice: Dave moves his whole wallet into margin and back out, Alice
        // escrows LP shares for a withdrawal. Each is paid once, on what it held at the
        // declaration (the check below covers them as every other holder).
        round_trip_through_margin(&acc(Dave));
        let info = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
        let shares = Assets::balance(info.main_share, acc(Alice)) / 10;
        apply_signed(
            Alice,
            RuntimeCall::Pool(pallet_pool::Call::withdraw {
                asset: TSLA,
                tranche: Tranche::Main,
                shares,
                min_amount: 1,
            }),
        )
        .unwrap()
        .unwrap();
        assert_eq!(w.chain.finish(), 0);
        let blocks = w.chain.until_done();
        let minimum = match paid_in {
            None => Balances::minimum_balance(),
            Some(a) => Assets::minimum_balance(a),
        };
        let mut total = 0;
        let mut skipped_total = 0;
        for ((who, o), b) in owed.iter().zip(&before) {
            if *who == custodian {
                continue;
            }
            // Signed transactions pay fees in PRP: count the PRP received through events.
            let got = match paid_in {
                None => received_prp(&w.chain.events, who),
                Some(_) => balance(who) - b,
            };
            // A payout too small to open an account of the payout asset is skipped (and goes
            // back to the custodian).
            let skipped = w.chain.events.iter().any(|e| {
                matches!(e, RuntimeEvent::Equities(pallet_equities::Event::DividendSkipped { holder, .. }) if holder == who)
            });
            if skipped {
                assert_eq!(got, 0);
                assert!(*o < minimum && b < &minimum, "{who:?} skipped with {o}");
                skipped_total += o;
                continue;
            }
            assert_eq!(got, *o, "{who:?} owed {o}, got {got}");
            total += o;
        }
        // The custodian funded ceil(supply * per_share), got back what nobody was owed, and
        // paid the minimum balance the pots keep.
        let funded = (supply * per_share).div_ceil(SHARE);
        let own: u128 = owed
            .iter()
            .filter(|(w, _)| *w == custodian)
            .map(|(_, o)| *o)
            .sum();
        let spent = custodian_before - balance(&custodian);
        let dust = funded - total - own;
        if paid_in.is_some() {
            assert!(spent <= funded - own - dust + 3 * minimum, "{spent}");
            assert!(spent + dust + own >= funded, "{spent} + {dust}");
        }
        for pot in [Pool::account(TSLA), Options::pot(TSLA), Equities::account_id()] {
            assert!(balance(&pot) <= minimum, "{pot:?} keeps {}", balance(&pot));
        }
        println!(
            "dividend in {paid_in:?}: {} holders paid {total} to the unit in {blocks} blocks; {skipped_total} skipped and {dust} in all back to the custodian",
            owed.len()
        );
    });
}

/// PRP received by `who` as dividends (events of the equities walk, the margin accounts and
/// the pool's pass-through): fees make PRP balances a poor witness.
fn received_prp(events: &[RuntimeEvent], who: &AccountId) -> u128 {
    events
        .iter()
        .cloned()
        .filter_map(|e| match e {
            RuntimeEvent::Equities(pallet_equities::Event::DividendPaid {
                holder, amount, ..
            }) if holder == *who => Some(amount),
            RuntimeEvent::Options(pallet_options::Event::DividendPaid {
                who: w, amount, ..
            }) if w == *who => Some(amount),
            RuntimeEvent::Balances(pallet_balances::Event::Transfer { from, to, amount })
                if to == *who && from == Pool::account(TSLA) =>
            {
                Some(amount)
            }
            _ => None,
        })
        .sum()
}

#[test]
fn a_cash_dividend_in_prp_reaches_margin_holders_and_lps_to_the_unit() {
    a_dividend_reaches_every_holder(None, SHARE / 2 + 7);
}

#[test]
fn a_dividend_in_another_stock_reaches_margin_holders_and_lps_to_the_unit() {
    // 0.01 NVDA per TSLA (a spin-off paid in a listed stock).
    a_dividend_reaches_every_holder(Some(NVDA), SHARE / 100 + 3);
}

#[test]
fn a_btc_crash_during_a_split_walk_is_liquidated_at_once() {
    let (mut ext, pool) = ext();
    ext.execute_with(|| {
        let mut w = world(pool);
        w.chain.start();
        // A thin short put: liquidatable after BTC -20%.
        let thin = trader("thin", 14 * SHARE / 10, &[(PUT_100K, -3)]);
        holders_per_block(1);
        apply_signed(Alice, split(3, 1)).unwrap().unwrap();
        assert_eq!(w.chain.finish(), 0);
        // BTC -20%: the circuit breaker holds it one block, then two operators confirm.
        w.chain.btc = 80_000;
        w.chain.start();
        w.chain.finish();
        let mut liquidated = false;
        for _ in 0..4 {
            w.chain.start();
            let walking = pallet_equities::Actions::<Runtime>::contains_key(TSLA);
            finish_block();
            check_invariants();
            Liquidation::offchain_worker(w.chain.n);
            let txs: Vec<_> = std::mem::take(&mut w.chain.pool.write().transactions);
            if !txs.is_empty() {
                assert!(walking, "the walk ended before the crash was liquidated");
                w.chain.start();
                for raw in txs {
                    let xt: perpetua_runtime::UncheckedExtrinsic =
                        codec::Decode::decode(&mut &raw[..]).unwrap();
                    assert_eq!(perpetua_runtime::Executive::apply_extrinsic(xt), Ok(Ok(())));
                }
                assert!(pallet_equities::Actions::<Runtime>::contains_key(TSLA));
                let events = events();
                assert!(events.iter().any(|e| matches!(
                    e,
                    RuntimeEvent::Liquidation(pallet_liquidation::Event::Liquidated { who, .. })
                        if *who == thin
                )));
                w.chain.finish();
                liquidated = true;
                break;
            }
        }
        assert!(liquidated, "no liquidation during the walk");
        w.chain.until_done();
    });
}

/// A small deterministic generator (xorshift), so that a failing sequence is reproducible
/// from its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Random sequences of splits, dividends, trades, margin and LP flows: after every block
/// every pallet's invariants hold; across each split every party's USD value is unchanged to
/// rounding and never in its favour; each dividend's payouts and refund add up to what was
/// funded; TSLA and PRP are never created: the supply of TSLA changes only by splits (by at
/// most n/d of it, less dust) and PRP's total issuance only by fees burned.
#[test]
fn random_sequences_of_actions_trades_and_flows_conserve_value() {
    for seed in [
        0x9e37_79b9_7f4a_7c15u64,
        0x2545_f491_4f6c_dd1d,
        0xdead_beef_cafe_f00d,
    ] {
        let (mut ext, pool) = ext();
        ext.execute_with(|| {
            let mut rng = Rng(seed);
            let mut w = world(pool);
            let mut log: Vec<String> = Vec::new();
            let mut splits = 0;
            let mut dividends = 0;
            for step in 0..40 {
                w.chain.start();
                let issuance = Balances::total_issuance();
                let parties = w.parties();
                let mut accounts = w.traders.clone();
                accounts.push(w.idle.clone());
                let who = &accounts[rng.below(accounts.len() as u64) as usize];
                let idle = pallet_equities::ActiveActions::<Runtime>::decode_len().unwrap_or(0) == 0;
                let op = rng.below(8);
                match op {
                    0 if idle => {
                        let (n, d) = [(3, 1), (1, 10), (2, 1), (1, 3), (7, 5)][rng.below(5) as usize];
                        let before: Vec<i128> = parties.iter().map(value).collect();
                        let supply = Assets::total_issuance(TSLA);
                        apply_signed(Alice, split(n, d)).unwrap().unwrap();
                        for ((p, b), a) in parties.iter().zip(&before).zip(parties.iter().map(value)) {
                            assert!((a - b).abs() <= USD_TOLERANCE, "seed {seed:x} step {step} {p:?}: {b} -> {a}\n{log:?}");
                            assert!(a <= b + usd(PRICE_ROUNDING_UNITS), "seed {seed:x} step {step}: {p:?} gained {} of {b} on {n}:{d}\n{log:?}", a - b);
                        }
                        // The pots were split at once, wallets follow the walk: the supply
                        // ends at most n/d of what it was.
                        assert!(Assets::total_issuance(TSLA) <= supply.max(supply * n as u128 / d as u128));
                        log.push(format!("split {n}:{d}"));
                        splits += 1;
                    }
                    1 if idle => {
                        let per_share = 1 + rng.below(SHARE as u64) as u128;
                        let eve_before = Balances::balance(&acc(Eve));
                        apply_signed(
                            Eve,
                            RuntimeCall::Equities(pallet_equities::Call::declare_dividend {
                                asset: TSLA,
                                paid_in: None,
                                per_share,
                            }),
                        )
                        .unwrap()
                        .unwrap();
                        assert!(Balances::balance(&acc(Eve)) < eve_before);
                        log.push(format!("dividend {per_share}"));
                        dividends += 1;
                    }
                    0..=3 => {
                        let series = [PUT_100K, CALL_100K, PUT_90K][rng.below(3) as usize];
                        let size = if rng.below(2) == 0 { 1 } else { -1 };
                        let r = pallet_options::Pallet::<Runtime>::trade(
                            RuntimeOrigin::signed(who.clone()),
                            series,
                            size,
                            if size > 0 { FixedU128::from_u32(1_000_000) } else { FixedU128::from_u32(0) },
                            u64::MAX,
                        );
                        log.push(format!("trade {series} {size}: {}", r.is_ok()));
                    }
                    4 => {
                        let c = Options::collateral(who, TSLA) / (2 + rng.below(5) as u128);
                        let wallet = tsla(who);
                        if pallet_options::Pallet::<Runtime>::withdraw(RuntimeOrigin::signed(who.clone()), TSLA, c).is_ok() {
                            assert_eq!(tsla(who), wallet + c, "seed {seed:x} step {step}\n{log:?}");
                            log.push(format!("withdraw {c}"));
                        }
                    }
                    5 => {
                        let amount = tsla(who) / 2;
                        if amount > 0 {
                            pallet_options::Pallet::<Runtime>::deposit(RuntimeOrigin::signed(who.clone()), TSLA, amount).unwrap();
                            log.push(format!("deposit {amount}"));
                        }
                    }
                    6 => {
                        let lp = [Alice, Bob, Charlie, Ferdie][rng.below(4) as usize];
                        let amount = tsla(&acc(lp)) / 10;
                        if amount >= SHARE {
                            let r = apply_signed(
                                lp,
                                RuntimeCall::Pool(pallet_pool::Call::deposit {
                                    asset: TSLA,
                                    tranche: if rng.below(2) == 0 { Tranche::Main } else { Tranche::Insurance },
                                    amount,
                                    min_shares: 0,
                                }),
                            );
                            log.push(format!("lp deposit {amount}: {:?}", r.map(|x| x.is_ok())));
                        }
                    }
                    _ => {
                        let lp = [Alice, Bob, Charlie, Ferdie][rng.below(4) as usize];
                        let info = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
                        let (tranche, share) = if rng.below(2) == 0 {
                            (Tranche::Main, info.main_share)
                        } else {
                            (Tranche::Insurance, info.insurance_share)
                        };
                        let shares = Assets::balance(share, acc(lp)) / 5;
                        if shares > 0 {
                            let r = apply_signed(
                                lp,
                                RuntimeCall::Pool(pallet_pool::Call::withdraw {
                                    asset: TSLA,
                                    tranche,
                                    shares,
                                    min_amount: 1,
                                }),
                            );
                            log.push(format!("lp withdraw {shares}: {:?}", r.map(|x| x.is_ok())));
                        }
                    }
                }
                w.chain.finish();
                // PRP is never created: dividends move it, fees burn or pay it.
                assert!(Balances::total_issuance() <= issuance, "seed {seed:x} step {step}: PRP created\n{log:?}");
            }
            w.chain.until_done();
            // Every dividend reached its holders: the pots keep no more than their minimum.
            for pot in [Pool::account(TSLA), Options::pot(TSLA), Equities::account_id()] {
                assert!(Balances::balance(&pot) <= Balances::minimum_balance(), "seed {seed:x}: {pot:?} kept PRP");
            }
            println!("seed {seed:x}: {splits} splits, {dividends} dividends, 40 steps: {log:?}");
        });
    }
}
