//! Liquidation in the real runtime: the offchain worker runs against the block's state with
//! the test offchain, keystore and transaction-pool extensions, its unsigned transactions go
//! through `Executive::apply_extrinsic` (validation, per-block caps, weight limits) in the next
//! block, and every pallet's invariants are checked after every block.
//!
//! - A crash: 1,000 accounts, BTC -40% in one move (held by the circuit breaker, then
//!   confirmed): every liquidatable account is cleared within a few blocks, bad debt is
//!   absorbed by the insurance tranche before the main one.
//! - A Monday gap: TSLA margin closes Friday at 400 and reopens 25% lower; liquidations wait
//!   for the fresh post-open price, then clear.

mod common;
use common::*;

use codec::Decode;
use frame_support::traits::Hooks;
use perpetua_primitives::{AccountRisk, CryptoIndex, MarginEngine, OracleKey, Price};
use perpetua_runtime::{
    AccountId, Balances, Equities, Executive, Liquidation, Options, Pool, Runtime, RuntimeCall,
    RuntimeEvent, RuntimeOrigin, UncheckedExtrinsic,
};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Eve};
use sp_runtime::FixedU128;

const TSLA: u32 = 1;
const SHARE: u128 = 1_000_000_000_000;
/// Dev preset series: BTC 100k put and call, 90k put.
const PUT_100K: u32 = 3;
const CALL_100K: u32 = 2;
const PUT_90K: u32 = 1;
/// Monday 2026-11-30 09:30 New York.
const OPEN: u64 = GENESIS_TIME_MS + 30 * 60_000;

type Pool_ = TxPool;

fn ext() -> (sp_io::TestExternalities, TxPool) {
    offchain_dev_ext()
}

fn btc(price: u32) -> Vec<(OracleKey, Price)> {
    vec![
        (OracleKey::Crypto(CryptoIndex::Btc), Price::from_u32(price)),
        (
            OracleKey::ImpliedVol(CryptoIndex::Btc),
            Price::from_rational(60, 100),
        ),
    ]
}

fn btc_and_tsla(b: u32, t: u32) -> Vec<(OracleKey, Price)> {
    let mut v = btc(b);
    v.push((OracleKey::Asset(TSLA), Price::from_u32(t)));
    v
}

fn risk(who: &AccountId) -> Result<AccountRisk, sp_runtime::DispatchError> {
    <Options as MarginEngine<AccountId>>::risk(who, TSLA, &mut Default::default())
}

/// A trader account with `collateral` TSLA of margin (minted for the test) and positions.
fn trader(i: u32, collateral: u128, positions: &[(u32, i128)]) -> AccountId {
    let who: AccountId = sp_core::sr25519::Pair::from_string(&format!("//trader/{i}"), None)
        .unwrap()
        .public()
        .into();
    custodian_mint(&who, collateral);
    pallet_options::Pallet::<Runtime>::deposit(
        RuntimeOrigin::signed(who.clone()),
        TSLA,
        collateral,
    )
    .unwrap();
    for (series, size) in positions {
        let limit = if *size > 0 {
            FixedU128::from_u32(1_000_000)
        } else {
            FixedU128::from_u32(0)
        };
        pallet_options::Pallet::<Runtime>::trade(
            RuntimeOrigin::signed(who.clone()),
            *series,
            *size,
            limit,
            u64::MAX,
        )
        .unwrap_or_else(|e| {
            panic!(
                "trader {i} {series} {size}: {e:?}; haircut {:?} unpriced {:?} health {:?}",
                pallet_options::Pallet::<Runtime>::haircut(TSLA),
                <perpetua_runtime::Prices as perpetua_primitives::PriceProvider>::unpriced_interval(
                    TSLA
                ),
                pallet_options::Pallet::<Runtime>::health(&who, TSLA)
            )
        });
    }
    who
}

/// The custodian (Eve) attests a reserve large enough for the test's accounts.
fn attest() {
    let supply = <perpetua_runtime::Assets as frame_support::traits::fungibles::Inspect<
        AccountId,
    >>::total_issuance(TSLA);
    Equities::attest_reserves(
        RuntimeOrigin::signed(acc(Eve)),
        TSLA,
        supply + 1_000_000 * SHARE,
        now(),
    )
    .unwrap();
}

/// TSLA for `who`, minted by the custodian against its attested reserve.
fn custodian_mint(who: &AccountId, amount: u128) {
    Equities::mint(
        RuntimeOrigin::signed(acc(Eve)),
        TSLA,
        who.clone().into(),
        amount,
    )
    .unwrap();
}

/// Liquidations pending from the last worker run.
fn take_pool(state: &Pool_) -> Vec<UncheckedExtrinsic> {
    std::mem::take(&mut state.write().transactions)
        .into_iter()
        .map(|raw| UncheckedExtrinsic::decode(&mut &raw[..]).unwrap())
        .collect()
}

/// Block `n` at `at`: the oracle fed (`values`), the transactions, the end, the invariants,
/// then the offchain worker. Returns how many of the transactions applied successfully.
fn block(
    n: u32,
    at: u64,
    values: Option<Vec<(OracleKey, Price)>>,
    txs: Vec<UncheckedExtrinsic>,
) -> u32 {
    start_block_at(n, at);
    if let Some(v) = values {
        // A quorum: two of the three operators.
        apply_signed(Alice, feed_values(v.clone()))
            .unwrap()
            .unwrap();
        apply_signed(Bob, feed_values(v)).unwrap().unwrap();
    }
    let mut ok = 0;
    for xt in txs {
        if let Ok(Ok(())) = Executive::apply_extrinsic(xt) {
            ok += 1;
        }
    }
    finish_block();
    check_invariants();
    Liquidation::offchain_worker(n);
    ok
}

fn liquidations_in_block() -> Vec<(AccountId, u128)> {
    events()
        .into_iter()
        .filter_map(|e| match e {
            RuntimeEvent::Liquidation(pallet_liquidation::Event::Liquidated {
                who,
                bad_debt,
                ..
            }) => Some((who, bad_debt)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_40_percent_crash_clears_1000_accounts_in_a_few_blocks() {
    let (mut ext, pool_state) = ext();
    ext.execute_with(|| {
        run_to_block(1);
        let mut n = 2;
        let mut t = OPEN;
        block(n, t, Some(btc_and_tsla(100_000, 400)), vec![]);
        // Another 10,000 TSLA for the pool (Bob's LP deposit): room for the book. It executes
        // at the start of the second block after.
        n += 1;
        t += 3_000;
        start_block_at(n, t);
        attest();
        custodian_mint(&acc(Bob), 10_000 * SHARE);
        apply_signed(
            Bob,
            RuntimeCall::Pool(pallet_pool::Call::deposit {
                asset: TSLA,
                tranche: perpetua_primitives::Tranche::Main,
                amount: 10_000 * SHARE,
                min_shares: 0,
            }),
        )
        .unwrap()
        .unwrap();
        finish_block();
        n += 1;
        t += 3_000;
        start_block_at(n, t);
        finish_block();

        // 1,000 accounts in blocks of 100: puts sold by thin, medium and thick accounts,
        // bought by others, and calls both ways, keeping the pool's book near flat.
        let mut accounts = Vec::new();
        for batch in 0..10 {
            n += 1;
            t += 3_000;
            start_block_at(n, t);
            for j in 0..100u32 {
                let i = batch * 100 + j;
                let who = match i % 10 {
                    // Short puts: thin margin (bad debt at -40%), medium, thick.
                    0 | 1 => trader(i, 14 * SHARE / 10, &[(PUT_100K, -3)]),
                    2 | 3 => trader(i, 4 * SHARE, &[(PUT_100K, -3), (PUT_90K, -1)]),
                    4 => trader(i, 200 * SHARE, &[(PUT_100K, -3)]),
                    // Long puts: the other side.
                    5..=7 => trader(i, 10 * SHARE, &[(PUT_100K, 3), (PUT_90K, 1)]),
                    // Calls both ways.
                    8 => trader(i, 20 * SHARE, &[(CALL_100K, -2)]),
                    _ => trader(i, 10 * SHARE, &[(CALL_100K, 2)]),
                };
                accounts.push(who);
            }
            finish_block();
            check_invariants();
        }
        assert_eq!(accounts.len(), 1_000);
        assert!(accounts.iter().all(|a| !risk(a).unwrap().liquidatable()));
        let (main_before, insurance_before) = {
            let p = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
            (p.main, p.insurance)
        };

        // BTC -40% in one round: the circuit breaker holds it; nothing is liquidated on it.
        n += 1;
        t += 3_000;
        block(n, t, Some(btc(60_000)), vec![]);
        assert!(take_pool(&pool_state).is_empty(), "no liquidation on a held price");
        assert!(risk(&accounts[0]).is_err());

        // The next round confirms it: the worker finds the accounts under water.
        n += 1;
        t += 3_000;
        block(n, t, Some(btc(60_000)), vec![]);
        let liquidatable = accounts.iter().filter(|a| risk(a).unwrap().liquidatable()).count();
        assert!(liquidatable >= 300, "{liquidatable} liquidatable");

        // Blocks until none is left: the worker's transactions of one block execute in the
        // next; prices are fed every 10 blocks.
        let mut cleared = 0;
        let mut bad_debt = 0;
        let mut liquidations_with_bad_debt = 0;
        let mut blocks = 0;
        let mut absorbed = Vec::new();
        loop {
            let txs = take_pool(&pool_state);
            let left = accounts.iter().filter(|a| risk(a).unwrap().liquidatable()).count();
            if left == 0 {
                break;
            }
            assert!(blocks < 12, "{left} accounts still liquidatable after {blocks} blocks");
            n += 1;
            t += 3_000;
            let values = (blocks % 10 == 9).then(|| btc(60_000));
            let applied = block(n, t, values, txs);
            let done = liquidations_in_block();
            absorbed.extend(events().into_iter().filter_map(|e| match e {
                RuntimeEvent::Pool(pallet_pool::Event::LossAbsorbed { amount, covered, main_bore, .. }) => {
                    Some((amount, covered, main_bore))
                }
                _ => None,
            }));
            assert_eq!(done.len() as u32, applied);
            cleared += done.len();
            bad_debt += done.iter().map(|d| d.1).sum::<u128>();
            liquidations_with_bad_debt += done.iter().filter(|d| d.1 > 0).count();
            blocks += 1;
        }
        println!("cleared {cleared} liquidations ({liquidatable} accounts) in {blocks} blocks, bad debt {bad_debt}");
        assert!(cleared >= liquidatable);
        assert!(bad_debt > 0, "the thin accounts went under");
        // Insurance paid for the bad debt before main: each loss made main whole for its share
        // (while insurance lasted), main ended no lower, insurance lower.
        let params = pallet_pool::Params::<Runtime>::get(TSLA).unwrap_or_default();
        let p = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
        assert_eq!(absorbed.len(), liquidations_with_bad_debt);
        for (amount, covered, main_bore) in &absorbed {
            let main_share = amount - params.insurance_share.mul_floor(*amount);
            assert!(*covered == main_share || p.insurance == 0, "{amount} {covered}");
            assert!(*main_bore == 0 || p.insurance == 0, "{amount} {main_bore}");
        }
        assert!(p.insurance < insurance_before, "insurance paid");
        assert!(p.main >= main_before, "main did not pay for bad debt");
        // Every margin account and tranche is non-negative by type; the invariants held after
        // every block. Bad debt opened no deficit: the pool owes nobody for it.
        assert!(pallet_pool::Deficits::<Runtime>::get(TSLA).is_none());
    });
}

#[test]
fn after_a_monday_gap_liquidations_wait_for_the_fresh_open_price() {
    let (mut ext, pool_state) = ext();
    ext.execute_with(|| {
        run_to_block(1);
        // Friday 2026-12-04 14:59 New York, before the haircut's ramp to the close: BTC
        // 100,000, TSLA 400.
        let friday = GENESIS_TIME_MS + 4 * 86_400_000 + 6 * 3_600_000 - 60_000;
        block(2, friday, Some(btc_and_tsla(100_000, 400)), vec![]);
        start_block_at(3, friday + 3_000);
        attest();
        // Short puts, margined from barely above the initial margin up.
        let accounts: Vec<AccountId> = (0..80)
            .map(|i| {
                trader(
                    5_000 + i,
                    132 * SHARE / 100 + i as u128 * SHARE / 20,
                    &[(PUT_100K, -3)],
                )
            })
            .collect();
        finish_block();
        check_invariants();
        assert!(accounts.iter().all(|a| !risk(a).unwrap().liquidatable()));
        // 15:59: TSLA closes at 400. The haircut has ramped up to the weekend's over the last
        // hour (no cliff at 16:00): the thinnest accounts are liquidated now, while the stock
        // still trades, rather than at a jump after the close.
        let close = friday + 3_600_000;
        block(4, close, Some(btc_and_tsla(100_000, 400)), vec![]);
        let txs = take_pool(&pool_state);
        let at_close = txs.len();
        block(5, close + 3_000, None, txs);
        take_pool(&pool_state);
        // 16:00:03: closed, the weekend haircut in full: no one newly under water.
        block(6, close + 63_000, Some(btc(100_000)), vec![]);
        assert!(accounts.iter().all(|a| !risk(a).unwrap().liquidatable()));
        assert!(
            take_pool(&pool_state).is_empty(),
            "no liquidations at the close's jump"
        );
        let n = 6;

        // Saturday noon UTC: BTC trades (down 8%), TSLA's Friday close is carried with the
        // weekend haircut. The worker liquidates the accounts BTC's move put under water.
        let saturday = GENESIS_TIME_MS + 5 * 86_400_000 - 2 * 3_600_000;
        block(n + 1, saturday, Some(btc(92_000)), vec![]);
        let txs = take_pool(&pool_state);
        let weekend = txs.len();
        block(n + 2, saturday + 3_000, None, txs);
        assert!(accounts.iter().all(|a| !risk(a).unwrap().liquidatable()));
        take_pool(&pool_state);

        // Monday 09:30:00: Nasdaq opens. TSLA's Friday close is still usable (until 09:35)
        // but not fresh: no liquidation on it.
        let monday = GENESIS_TIME_MS + 7 * 86_400_000 + 30 * 60_000;
        block(n + 3, monday, Some(btc(92_000)), vec![]);
        assert!(Liquidation::awaiting_open_price(TSLA));
        assert!(
            take_pool(&pool_state).is_empty(),
            "the worker waits for the open price"
        );
        start_block_at(n + 4, monday + 3_000);
        let r = Liquidation::liquidate(RuntimeOrigin::signed(acc(Bob)), accounts[0].clone(), TSLA);
        assert_eq!(
            r.map_err(|e| e.error),
            Err(pallet_liquidation::Error::<Runtime>::AwaitingOpenPrice.into())
        );
        finish_block();
        check_invariants();

        // 09:30:06: the first post-open TSLA price, 35% down: a gap the breaker holds (the
        // EMA stood still all weekend) until another operator's round confirms it.
        block(
            n + 5,
            monday + 6_000,
            Some(btc_and_tsla(92_000, 260)),
            vec![],
        );
        assert_eq!(
            perpetua_runtime::Prices::status(OracleKey::Asset(TSLA)),
            perpetua_primitives::PriceStatus::CircuitOpen
        );
        assert!(
            take_pool(&pool_state).is_empty(),
            "no liquidation on a held price"
        );
        // 09:30:09: the next round confirms it. The worker liquidates.
        block(
            n + 6,
            monday + 9_000,
            Some(btc_and_tsla(92_000, 260)),
            vec![],
        );
        assert!(!Liquidation::awaiting_open_price(TSLA));
        let under = accounts
            .iter()
            .filter(|a| risk(a).unwrap().liquidatable())
            .count();
        println!(
            "{at_close} liquidated at Friday's close, {weekend} on Saturday's BTC move, \
             {under} by Monday's TSLA gap"
        );
        assert!(under > 0, "the gap put accounts under water");
        let txs = take_pool(&pool_state);
        assert_eq!(txs.len(), under);
        let applied = block(n + 7, monday + 12_000, None, txs);
        assert_eq!(applied as usize, under);
        let bad_debt: u128 = liquidations_in_block().iter().map(|l| l.1).sum();
        println!("the Monday gap's liquidations cleared in one block, bad debt {bad_debt}");
        assert!(accounts.iter().all(|a| !risk(a).unwrap().liquidatable()));
    });
}

/// With the runtime's weights (release-node benchmarks, ParityDB read/write costs) the default
/// per-block cap of unsigned one-close liquidations, each with its `pre_dispatch` valuation,
/// fits in a block's operational weight, on top of the block's base weight and the worst-case
/// pre-dispatch weight of the last one admitted.
#[test]
fn the_per_block_cap_of_liquidations_fits_in_one_block() {
    use frame_support::dispatch::{DispatchClass, GetDispatchInfo};
    dev_ext().execute_with(|| {
        let weights: frame_system::limits::BlockWeights =
            <Runtime as frame_system::Config>::BlockWeights::get();
        let class = weights.get(DispatchClass::Operational);
        let max = class.max_total.expect("operational class has a limit");
        let one_close =
            Liquidation::unsigned_liquidate_weight(1, Default::default()).saturating_add(class.base_extrinsic);
        let call = RuntimeCall::Liquidation(pallet_liquidation::Call::liquidate_unsigned {
            who: Bob.to_account_id(),
            settlement: TSLA,
        });
        let worst = call.get_dispatch_info().call_weight;
        assert!(worst.all_gte(Liquidation::unsigned_liquidate_weight(16, Default::default())));
        let cap = pallet_liquidation::LiquidationParams::default().max_per_block as u64;
        let needed = weights
            .base_block
            .saturating_add(one_close.saturating_mul(cap))
            .saturating_add(worst);
        assert!(
            max.all_gte(needed),
            "{cap} liquidations need {} ps of {} ps",
            needed.ref_time(),
            max.ref_time()
        );
        let fit = (max.ref_time() - weights.base_block.ref_time()) / one_close.ref_time();
        // While a corporate action is in progress every liquidation is charged the worst case
        // of carrying its account through too: fewer fit, the rest wait for the next block.
        pallet_equities::ActiveActions::<Runtime>::put(
            frame_support::BoundedVec::truncate_from(vec![TSLA]),
        );
        let walking = Liquidation::unsigned_liquidate_weight(1, Default::default()).saturating_add(class.base_extrinsic);
        assert!(walking.ref_time() > one_close.ref_time());
        let fit_walking = (max.ref_time() - weights.base_block.ref_time()) / walking.ref_time();
        assert!(fit_walking >= 50, "{fit_walking}");
        println!(
            "one-close liquidations per block: {fit} (cap {cap}); during a corporate action {fit_walking}"
        );
    });
}

/// Issue 12, item 4, in the real runtime. BTC doubles: five traders' calls are worth more
/// than the TSLA pool holds. Closing them never reverts: the first are paid, the pool's last
/// capital goes to the next, and the rest is that trader's claim on the pool, senior to the
/// LPs. Traders still holding calls are then deleveraged in the next block, just enough, each
/// close forfeiting the profit the pool cannot pay, and the pool's shortfall falls by what they
/// forfeit. The bad-debt-free pool opens no deficit until a payment fails.
#[test]
fn a_real_shortfall_is_a_claim_and_deleveraging_clears_it() {
    let (mut ext, _pool_state) = ext();
    ext.execute_with(|| {
        run_to_block(1);
        let mut t = OPEN;
        block(2, t, Some(btc_and_tsla(100_000, 400)), vec![]);
        t += 3_000;
        start_block_at(3, t);
        attest();
        // Each trader buys 100 calls and 100 puts: the pool's net delta stays near zero.
        let traders: Vec<AccountId> = (0..5)
            .map(|i| trader(100 + i, 200 * SHARE, &[(CALL_100K, 100), (PUT_100K, 100)]))
            .collect();
        finish_block();
        check_invariants();
        // BTC doubles: held by the breaker for one round, confirmed by the next.
        let mut n = 4;
        for _ in 0..2 {
            t += 3_000;
            block(n, t, Some(btc_and_tsla(200_000, 400)), vec![]);
            n += 1;
        }
        assert!(pallet_pool::Deficits::<Runtime>::get(TSLA).is_none());
        let capital = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
        assert!(capital.main + capital.insurance > 0);
        // Three traders close their calls.
        t += 3_000;
        start_block_at(n, t);
        for who in &traders[..3] {
            let before = pallet_options::Accounts::<Runtime>::get(TSLA, who).collateral;
            pallet_options::Pallet::<Runtime>::trade(
                RuntimeOrigin::signed(who.clone()),
                CALL_100K,
                -100,
                FixedU128::from_u32(0),
                u64::MAX,
            )
            .unwrap();
            let after = pallet_options::Accounts::<Runtime>::get(TSLA, who).collateral;
            let claim = pallet_pool::Claims::<Runtime>::get(TSLA, who).unwrap_or(0);
            assert!(
                after + claim >= before,
                "a profitable close is never a loss"
            );
        }
        let info = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
        assert_eq!(info.main + info.insurance, 0, "the pool paid all it had");
        let owed = pallet_pool::Deficits::<Runtime>::get(TSLA).unwrap().owed;
        let claims: u128 = traders[..3]
            .iter()
            .filter_map(|w| pallet_pool::Claims::<Runtime>::get(TSLA, w))
            .sum();
        assert!(owed > 0 && claims == owed, "{owed} {claims}");
        // A claimant can still withdraw free collateral (the pool owes funding to nobody here,
        // and a shortfall never makes a withdrawal revert).
        let last = &traders[2];
        let free = pallet_options::Accounts::<Runtime>::get(TSLA, last).collateral;
        pallet_options::Pallet::<Runtime>::withdraw(
            RuntimeOrigin::signed(last.clone()),
            TSLA,
            free / 2,
        )
        .unwrap();
        let shortfall = <Pool as perpetua_primitives::PoolLedger<AccountId>>::insolvency(TSLA);
        assert!(
            shortfall > owed,
            "the open calls are owed too: {shortfall} vs {owed}"
        );
        finish_block();
        check_invariants();
        // The next block deleverages the two traders still holding calls.
        n += 1;
        t += 3_000;
        start_block_at(n, t);
        let dl: Vec<(AccountId, i128, u128)> = events()
            .into_iter()
            .filter_map(|e| match e {
                RuntimeEvent::Liquidation(pallet_liquidation::Event::Deleveraged {
                    who,
                    size,
                    unpaid,
                    ..
                }) => Some((who, size, unpaid)),
                _ => None,
            })
            .collect();
        assert!(!dl.is_empty());
        assert!(
            dl.iter().all(|(w, _, _)| traders[3..].contains(w)),
            "{dl:?}"
        );
        let forfeited: u128 = dl.iter().map(|d| d.2).sum();
        let after = <Pool as perpetua_primitives::PoolLedger<AccountId>>::insolvency(TSLA);
        assert!(
            after + forfeited <= shortfall + SHARE / 1_000,
            "{after} + {forfeited} vs {shortfall}"
        );
        // The claims are still owed, to be paid from the pool's next inflows.
        assert_eq!(
            pallet_pool::Deficits::<Runtime>::get(TSLA).unwrap().owed,
            owed
        );
        finish_block();
        check_invariants();
    });
}

/// Issue 14: while a dividend walk freezes TSLA, the settlement stock, a liquidation of a TSLA
/// margin account cannot execute (its transfers would fail). The worker's unsigned
/// transactions are refused at validation, in the block as in the pool: never included to
/// fail for free. When the walk ends, the next one executes.
#[test]
fn during_a_dividend_walk_a_crash_still_liquidates_and_the_account_is_paid_its_dividend() {
    let (mut ext, pool_state) = ext();
    ext.execute_with(|| {
        run_to_block(1);
        let mut t = OPEN;
        block(2, t, Some(btc_and_tsla(100_000, 400)), vec![]);
        t += 3_000;
        start_block_at(3, t);
        attest();
        let who = trader(7_000, 14 * SHARE / 10, &[(PUT_100K, -3)]);
        // One holder per block: the walk spans many blocks.
        apply_signed(
            Alice,
            RuntimeCall::Sudo(pallet_sudo::Call::sudo {
                call: Box::new(RuntimeCall::Equities(pallet_equities::Call::set_params {
                    params: pallet_equities::Params {
                        max_attestation_age: 86_400_000,
                        holders_per_block: 1,
                    },
                })),
            }),
        )
        .unwrap()
        .unwrap();
        finish_block();
        check_invariants();
        // BTC -20%: held, then confirmed.
        t += 3_000;
        block(4, t, Some(btc(80_000)), vec![]);
        take_pool(&pool_state);
        t += 3_000;
        start_block_at(5, t);
        apply_signed(Alice, feed_values(btc(80_000)))
            .unwrap()
            .unwrap();
        apply_signed(Bob, feed_values(btc(80_000)))
            .unwrap()
            .unwrap();
        assert!(risk(&who).unwrap().liquidatable());
        // The custodian declares a dividend (1 PRP per share): the walk starts, holders'
        // own TSLA transfers wait for it, margin accounts are paid on the collateral they held.
        let record = pallet_options::Pallet::<Runtime>::collateral(&who, TSLA);
        let prp_before = Balances::free_balance(&who);
        apply_signed(
            Eve,
            RuntimeCall::Equities(pallet_equities::Call::declare_dividend {
                asset: TSLA,
                paid_in: None,
                per_share: 1_000_000_000_000,
            }),
        )
        .unwrap()
        .unwrap();
        finish_block();
        check_invariants();
        Liquidation::offchain_worker(5);
        let call = RuntimeCall::Liquidation(pallet_liquidation::Call::liquidate_unsigned {
            who: who.clone(),
            settlement: TSLA,
        });
        let xt = UncheckedExtrinsic::new_bare(call);
        take_pool(&pool_state);
        t += 3_000;
        start_block_at(6, t);
        apply_signed(Alice, feed_values(btc(80_000)))
            .unwrap()
            .unwrap();
        apply_signed(Bob, feed_values(btc(80_000)))
            .unwrap()
            .unwrap();
        // One holder per block: the walk is far from over...
        assert!(pallet_equities::Actions::<Runtime>::contains_key(TSLA));
        // ...and the liquidation goes through at once.
        assert_eq!(Executive::apply_extrinsic(xt), Ok(Ok(())));
        assert_eq!(liquidations_in_block().len(), 1);
        finish_block();
        check_invariants();
        // The liquidation touched the account first: it was paid on its collateral at the
        // record moment, not on what the liquidation left: 10^12 PRP base units per whole TSLA
        // (10^12 base units), so one PRP base unit per TSLA base unit.
        let owed = record;
        assert!(owed > 0);
        assert_eq!(Balances::free_balance(&who), prp_before + owed);
        let mut n = 7;
        while pallet_equities::Actions::<Runtime>::contains_key(TSLA) {
            take_pool(&pool_state);
            t += 3_000;
            block(n, t, Some(btc(80_000)), vec![]);
            check_invariants();
            n += 1;
            assert!(n < 60, "the walk did not end");
        }
        // Paid once: the walk did not pay the account again.
        assert_eq!(Balances::free_balance(&who), prp_before + owed);
        println!(
            "liquidated during a dividend walk that took {} more blocks",
            n - 7
        );
    });
}

const NVDA: u32 = 2;
const AAPL: u32 = 3;

fn stocks(b: u32, tsla: u32, nvda: Price, aapl: u32) -> Vec<(OracleKey, Price)> {
    let mut v = btc_and_tsla(b, tsla);
    v.push((OracleKey::Asset(NVDA), nvda));
    v.push((OracleKey::Asset(AAPL), Price::from_u32(aapl)));
    v
}

/// The custodian attests reserves of every example stock and mints `amount` of `asset` to
/// `who`.
fn mint_stock(asset: u32, who: &AccountId, amount: u128) {
    Equities::mint(
        RuntimeOrigin::signed(acc(Eve)),
        asset,
        who.clone().into(),
        amount,
    )
    .unwrap();
}

fn attest_all() {
    for asset in [TSLA, NVDA, AAPL] {
        let supply = <perpetua_runtime::Assets as frame_support::traits::fungibles::Inspect<
            AccountId,
        >>::total_issuance(asset);
        Equities::attest_reserves(
            RuntimeOrigin::signed(acc(Eve)),
            asset,
            supply + 10_000_000 * SHARE,
            now(),
        )
        .unwrap();
    }
}

/// A trader margined in NVDA and AAPL (and a few cents of TSLA for fees): short `puts` of
/// the 100k put, then NVDA withdrawn down to the initial margin plus `buffer` of what it had.
fn stock_margined_trader(i: u32, puts: i128, buffer: u32) -> AccountId {
    use frame_support::storage::{with_transaction, TransactionOutcome};
    let who: AccountId = sp_core::sr25519::Pair::from_string(&format!("//stocks/{i}"), None)
        .unwrap()
        .public()
        .into();
    let o = || RuntimeOrigin::signed(who.clone());
    custodian_mint(&who, SHARE);
    mint_stock(NVDA, &who, 1_000 * SHARE);
    mint_stock(AAPL, &who, 1_000 * SHARE);
    Options::deposit(o(), TSLA, SHARE / 20).unwrap();
    Options::deposit_collateral(o(), TSLA, NVDA, 200 * SHARE).unwrap();
    Options::deposit_collateral(o(), TSLA, AAPL, 2 * SHARE).unwrap();
    Options::trade(o(), PUT_100K, -puts, FixedU128::from_u32(0), u64::MAX).unwrap();
    // The most NVDA that can go, to a hundredth of a share.
    let (mut lo, mut hi) = (0u128, 20_000u128);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let ok = with_transaction(|| {
            let r = Options::withdraw_collateral(o(), TSLA, NVDA, mid * SHARE / 100);
            TransactionOutcome::Rollback(Ok::<_, sp_runtime::DispatchError>(r.is_ok()))
        })
        .unwrap();
        if ok {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let left = 20_000 - lo;
    let take = lo.saturating_sub(left * buffer as u128 / 100);
    if take > 0 {
        Options::withdraw_collateral(o(), TSLA, NVDA, take * SHARE / 100).unwrap();
    }
    who
}

/// The BTC price (whole dollars) at which `who` keeps `margin` USD of equity above its
/// maintenance margin (on the liquidation basis, at this block's haircuts): found by trying
/// prices in a storage transaction that is rolled back.
fn btc_where_margin_left(who: &AccountId, margin: f64) -> u32 {
    use frame_support::storage::{with_transaction, TransactionOutcome};
    let key = OracleKey::Crypto(CryptoIndex::Btc);
    let left_at = |btc: u32| -> f64 {
        with_transaction(|| {
            pallet_prices::Accepted::<Runtime>::mutate(key, |p| {
                if let Some(p) = p {
                    p.value = Price::from_u32(btc);
                }
            });
            let r = risk(who).unwrap();
            let left = (r.equity.into_inner() - r.maintenance.into_inner()) as f64 / 1e18;
            TransactionOutcome::Rollback(Ok::<_, sp_runtime::DispatchError>(left))
        })
        .unwrap()
    };
    let (mut lo, mut hi) = (50_000u32, 100_000u32);
    while hi - lo > 10 {
        let mid = (lo + hi) / 2;
        if left_at(mid) > margin {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

fn debt(who: &AccountId) -> u128 {
    Options::debt(who, TSLA)
}

/// A TSLA-settled BTC position margined in NVDA and AAPL. NVDA closes Friday at 150 and
/// opens Monday 25% lower; TSLA opens where it closed. NVDA's own weekend haircut (its tier
/// plus 1% per square root of an unpriced hour) held the gap: the accounts the gap puts
/// under water are liquidated once the post-open prices are in, their losses beyond their
/// TSLA become debt, their NVDA is auctioned to a keeper for TSLA, and nothing is bad debt.
#[test]
fn a_monday_gap_in_a_stock_posted_as_margin_is_auctioned_without_bad_debt() {
    let (mut ext, pool_state) = ext();
    ext.execute_with(|| {
        run_to_block(1);
        let nvda_close = Price::from_u32(150);
        let friday = GENESIS_TIME_MS + 4 * 86_400_000 + 6 * 3_600_000 - 60_000;
        block(
            2,
            friday,
            Some(stocks(100_000, 400, nvda_close, 200)),
            vec![],
        );
        start_block_at(3, friday + 3_000);
        attest_all();
        // Accounts from the initial margin's edge to 30% of their NVDA beyond it.
        let accounts: Vec<AccountId> = (0..30).map(|i| stock_margined_trader(i, 5, i)).collect();
        finish_block();
        check_invariants();
        let nvda_posted: u128 = accounts
            .iter()
            .map(|a| Options::extra_collateral(a, TSLA)[0].1)
            .sum();
        assert!(accounts.iter().all(|a| !risk(a).unwrap().liquidatable()));

        // Friday's close, then Saturday: BTC falls over the weekend, to where the thinnest
        // account is just above its maintenance margin at the weekend's haircuts.
        let close = friday + 3_600_000;
        let mut n = 4;
        let mut before_monday = 0;
        for (at, prices) in [
            (close, Some(stocks(100_000, 400, nvda_close, 200))),
            (close + 3_000, None),
            (close + 63_000, Some(btc(100_000))),
        ] {
            let txs = take_pool(&pool_state);
            before_monday += block(n, at, prices, txs);
            n += 1;
        }
        let saturday = GENESIS_TIME_MS + 5 * 86_400_000 - 2 * 3_600_000;
        block(n, saturday - 3_000, Some(btc(100_000)), vec![]);
        n += 1;
        start_block_at(n, saturday);
        let btc_level = btc_where_margin_left(&accounts[0], 20.0);
        finish_block();
        check_invariants();
        n += 1;
        for k in 0..2u64 {
            let txs = take_pool(&pool_state);
            before_monday += block(n, saturday + 3_000 * (k + 1), Some(btc(btc_level)), txs);
            n += 1;
        }
        let txs = take_pool(&pool_state);
        before_monday += block(n, saturday + 9_000, None, txs);
        n += 1;
        let thin: Vec<bool> = accounts.iter().map(|a| debt(a) > 0).collect();
        assert!(accounts.iter().all(|a| !risk(a).unwrap().liquidatable()));

        // Monday 09:30:06: the first post-open prices. NVDA 25% down, held by the breaker
        // until 09:30:09 confirms it; TSLA 400 as it closed.
        let monday = GENESIS_TIME_MS + 7 * 86_400_000 + 30 * 60_000;
        let nvda_open = Price::from_rational(1125, 10);
        println!("BTC {btc_level} on Saturday");
        block(
            n,
            monday + 6_000,
            Some(stocks(btc_level, 400, nvda_open, 200)),
            take_pool(&pool_state),
        );
        n += 1;
        block(
            n,
            monday + 9_000,
            Some(stocks(btc_level, 400, nvda_open, 200)),
            vec![],
        );
        n += 1;
        let under: Vec<usize> = (0..accounts.len())
            .filter(|i| risk(&accounts[*i]).unwrap().liquidatable())
            .collect();
        println!(
            "{before_monday} liquidated before Monday, {} by NVDA's gap (of {})",
            under.len(),
            accounts.len()
        );
        assert!(!under.is_empty(), "the gap put accounts under water");
        assert!(
            under.iter().all(|i| !thin[*i]),
            "none of them owed before the gap"
        );
        let txs = take_pool(&pool_state);
        assert_eq!(txs.len(), under.len());
        let monday_block = n;
        assert_eq!(block(n, monday + 12_000, None, txs) as usize, under.len());
        n += 1;
        let liquidated = liquidations_in_block();
        assert!(
            liquidated.iter().all(|l| l.1 == 0),
            "no bad debt at the liquidation"
        );
        let auctioned: Vec<AccountId> = accounts
            .iter()
            .filter(|a| {
                pallet_options::Baskets::<Runtime>::get(TSLA, *a)
                    .auction
                    .is_some()
            })
            .cloned()
            .collect();
        assert!(
            !auctioned.is_empty(),
            "losses beyond the accounts' TSLA are debt"
        );
        let owed: u128 = auctioned.iter().map(debt).sum();

        // A keeper who waits for a 3% discount: the auction starts at 1% and falls 0.5% a
        // block. It buys each account's NVDA for TSLA, as much as the debt needs.
        let keeper = acc(Charlie);
        let mut cleared_at = None;
        let mut bad: u128 = 0;
        for _ in 0..20 {
            start_block_at(n, monday + 3_000 * (n - monday_block + 4) as u64);
            let feed = stocks(btc_level, 400, nvda_open, 200);
            apply_signed(Alice, feed_values(feed.clone()))
                .unwrap()
                .unwrap();
            apply_signed(Bob, feed_values(feed)).unwrap().unwrap();
            for who in &auctioned {
                let Some(info) = (debt(who) > 0).then(|| Options::collateral_info(who, TSLA))
                else {
                    continue;
                };
                let nvda = info.assets.iter().find(|a| a.asset == NVDA).unwrap();
                let oracle = 1125.0 / 10.0 / 400.0;
                let price = nvda.auction_price.unwrap().into_inner() as f64 / 1e18;
                if price > oracle * 0.97 {
                    continue;
                }
                let limit = FixedU128::from_float(oracle * 0.97);
                // Not below the auction's price: a limit under it is refused.
                let low = FixedU128::from_float(price * 0.999);
                assert!(Options::buy_collateral(
                    RuntimeOrigin::signed(keeper.clone()),
                    TSLA,
                    who.clone(),
                    NVDA,
                    nvda.amount,
                    low
                )
                .is_err());
                // The debt repaid is cash the pool's book counted already: no LP's NAV moves.
                let navs = pallet_pool::Pallet::<Runtime>::navs(TSLA).unwrap();
                Options::buy_collateral(
                    RuntimeOrigin::signed(keeper.clone()),
                    TSLA,
                    who.clone(),
                    NVDA,
                    nvda.amount,
                    limit,
                )
                .unwrap();
                let after = pallet_pool::Pallet::<Runtime>::navs(TSLA).unwrap();
                assert!(
                    after.0.abs_diff(navs.0) <= 1 && after.1.abs_diff(navs.1) <= 1,
                    "{navs:?} -> {after:?}"
                );
            }
            finish_block();
            check_invariants();
            bad += events()
                .iter()
                .filter_map(|e| match e {
                    RuntimeEvent::Options(pallet_options::Event::AuctionEnded {
                        bad_debt, ..
                    }) => Some(*bad_debt),
                    _ => None,
                })
                .sum::<u128>();
            n += 1;
            if auctioned.iter().all(|a| debt(a) == 0) {
                cleared_at = Some(n - monday_block - 1);
                break;
            }
        }
        let blocks = cleared_at.expect("the auctions cleared");
        assert_eq!(bad, 0, "the haircuts held: no bad debt");
        // Each auctioned account kept the NVDA its debt did not need.
        assert!(auctioned.iter().all(|a| Options::extra_collateral(a, TSLA)
            .iter()
            .any(|(s, n)| *s == NVDA && *n > 0)));
        let sold: u128 = nvda_posted
            - accounts
                .iter()
                .map(|a| {
                    Options::extra_collateral(a, TSLA)
                        .iter()
                        .filter(|(s, _)| *s == NVDA)
                        .map(|(_, n)| *n)
                        .sum::<u128>()
                })
                .sum::<u128>();
        println!(
            "{} accounts auctioned, {:.2} TSLA of debt repaid by {:.2} NVDA, cleared {blocks} \
             blocks after the liquidation, bad debt 0",
            auctioned.len(),
            owed as f64 / 1e12,
            sold as f64 / 1e12,
        );
    });
}
