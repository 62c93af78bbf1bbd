//! Perpetual options in the real runtime: the dev preset's BTC and ETH markets settled in TSLA,
//! real price feeds through pallet-prices and orml-oracle, signed extrinsics, funding every
//! block, and the pallets' invariants after every block.

mod common;
use common::*;

use perpetua_primitives::{CryptoIndex, OptionKind, OracleKey, Price};
use perpetua_runtime::{
    genesis_config_presets::{BTC_STRIKES, ETH_STRIKES},
    Assets, Options, Pool, Runtime, RuntimeCall, RuntimeEvent,
};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Dave, Ferdie};
use sp_runtime::{
    traits::{Saturating, Zero},
    DispatchError, FixedI128, FixedPointNumber, FixedU128,
};

const TSLA: u32 = 1;
const SHARE: u128 = 1_000_000_000_000;
/// The BTC 100,000 call and put of the dev preset.
const BTC_CALL_100K: u32 = 2;
const BTC_PUT_100K: u32 = 3;
/// Monday 2026-11-30 09:30 New York: Nasdaq opens.
const OPEN: u64 = GENESIS_TIME_MS + 30 * 60_000;

fn feed(btc: u32, tsla: u32) -> RuntimeCall {
    RuntimeCall::Prices(pallet_prices::Call::feed {
        values: vec![
            (OracleKey::Crypto(CryptoIndex::Btc), Price::from_u32(btc)),
            (
                OracleKey::ImpliedVol(CryptoIndex::Btc),
                Price::from_rational(60, 100),
            ),
            (OracleKey::Asset(TSLA), Price::from_u32(tsla)),
        ]
        .try_into()
        .unwrap(),
    })
}

fn deposit(amount: u128) -> RuntimeCall {
    RuntimeCall::Options(pallet_options::Call::deposit {
        settlement: TSLA,
        amount,
    })
}

fn withdraw(amount: u128) -> RuntimeCall {
    RuntimeCall::Options(pallet_options::Call::withdraw {
        settlement: TSLA,
        amount,
    })
}

fn trade(series: u32, size: i128, limit_price: FixedU128, deadline: u64) -> RuntimeCall {
    RuntimeCall::Options(pallet_options::Call::trade {
        series,
        size,
        limit_price,
        deadline,
    })
}

fn err(e: pallet_options::Error<Runtime>) -> Result<(), DispatchError> {
    Err(e.into())
}

/// Block `n` at `at`, with the oracle fed if `prices` is given, then `f`, then the block's end
/// and the invariants.
fn block(n: u32, at: u64, prices: Option<(u32, u32)>, f: impl FnOnce()) {
    start_block_at(n, at);
    if let Some((btc, tsla)) = prices {
        // A quorum: two of the three operators.
        apply_signed(Alice, feed(btc, tsla)).unwrap().unwrap();
        apply_signed(Bob, feed(btc, tsla)).unwrap().unwrap();
    }
    f();
    finish_block();
    check_invariants();
}

/// TSLA held by the pool's tranches, the protocol and the options pot: what the options
/// market moves between.
fn pool_capital() -> u128 {
    let info = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
    info.main + info.insurance
}

fn traded() -> Vec<(FixedU128, u128, i128)> {
    events()
        .into_iter()
        .filter_map(|e| match e {
            RuntimeEvent::Options(pallet_options::Event::Traded {
                price,
                fee,
                realised,
                ..
            }) => Some((price, fee, realised)),
            _ => None,
        })
        .collect()
}

/// What this block's trade fees credited to the pool's tranches: the split fee less the
/// protocol's share, and all of the latency fee.
fn fees_to_pool() -> u128 {
    use perpetua_primitives::Inflow;
    events()
        .into_iter()
        .filter_map(|e| match e {
            RuntimeEvent::Pool(pallet_pool::Event::Received {
                kind: Inflow::Fee | Inflow::LatencyFee,
                to_main,
                to_insurance,
                ..
            }) => Some(to_main + to_insurance),
            _ => None,
        })
        .sum()
}

fn funding_settled() -> Vec<i128> {
    events()
        .into_iter()
        .filter_map(|e| match e {
            RuntimeEvent::Options(pallet_options::Event::FundingSettled { amount, .. }) => {
                Some(amount)
            }
            _ => None,
        })
        .collect()
}

fn tsla(who: Sr25519Keyring) -> u128 {
    Assets::balance(TSLA, acc(who))
}

#[test]
fn the_dev_preset_lists_btc_and_eth_markets_settled_in_each_example_stock() {
    use perpetua_runtime::genesis_config_presets::EXAMPLE_STOCKS;
    dev_ext().execute_with(|| {
        let every = Options::all_series_info();
        let per_stock = 2 * (BTC_STRIKES.len() + ETH_STRIKES.len());
        assert_eq!(every.len(), EXAMPLE_STOCKS.len() * per_stock);
        for stock in &EXAMPLE_STOCKS {
            let of = every.iter().filter(|s| s.settlement == stock.id).count();
            assert_eq!(of, per_stock, "{}", stock.ticker);
            assert!(pallet_pool::Pools::<Runtime>::get(stock.id).is_some());
        }
        for s in &every {
            assert!(s.active);
            // No prices yet at genesis: every read says why.
            assert_eq!(s.price_error.as_deref(), Some("MissingPrice"));
        }
        // TSLA's markets come first (ids 0 and 1, series 0 to 11).
        let all: Vec<_> = every.iter().filter(|s| s.settlement == TSLA).collect();
        assert!(all.iter().all(|s| s.series < per_stock as u32));
        let btc: Vec<_> = all.iter().filter(|s| s.index == CryptoIndex::Btc).collect();
        assert_eq!(btc.len(), 6);
        let call = Options::series_info(BTC_CALL_100K).unwrap();
        assert_eq!(
            (call.strike, call.kind),
            (FixedU128::from_u32(100_000), OptionKind::Call)
        );
        let put = Options::series_info(BTC_PUT_100K).unwrap();
        assert_eq!(put.kind, OptionKind::Put);
        // The pool of the settlement asset counts the options pallet as its book.
        assert_eq!(Options::book_value(TSLA, 0), Ok(Default::default()));
        check_invariants();
    });
}

#[test]
fn a_btc_call_bought_with_tsla_pays_funding_then_a_profit_in_tsla() {
    dev_ext().execute_with(|| {
        run_to_block(1);
        let mut n = 2;
        let mut t = OPEN;
        block(n, t, Some((100_000, 400)), || {});
        let dave_start = tsla(Dave);
        let pool_start = pool_capital();

        // Dave posts 100 TSLA and buys 10 BTC 100k calls within 1% of the quote.
        n += 1;
        t += 3_000;
        let mut fee_open = 0;
        let mut open_to_pool = 0;
        block(n, t, None, || {
            apply_signed(Dave, deposit(100 * SHARE)).unwrap().unwrap();
            let q = Options::quote(&acc(Dave), BTC_CALL_100K, 10).unwrap();
            assert_eq!(q.error, None);
            let limit = q
                .price
                .saturating_mul(FixedU128::saturating_from_rational(101, 100));
            apply_signed(Dave, trade(BTC_CALL_100K, 10, limit, t + 60_000))
                .unwrap()
                .unwrap();
            let fills = traded();
            assert_eq!(fills.len(), 1);
            assert_eq!((fills[0].0, fills[0].1), (q.price, q.fee));
            fee_open = fills[0].1;
            open_to_pool = fees_to_pool();
        });
        let index_after_open = pallet_options::SeriesBook::<Runtime>::get(BTC_CALL_100K)
            .unwrap()
            .funding_index;

        // 40 blocks (two minutes) at constant prices: each block's hook adds
        // (mark - intrinsic) * 3 s / 1 day / 400 TSLA per contract to the funding index.
        let rate = Options::series_info(BTC_CALL_100K)
            .unwrap()
            .funding_rate_per_day
            .unwrap();
        for i in 0..40 {
            n += 1;
            t += 3_000;
            let prices = (i % 10 == 0).then_some((100_000, 400));
            block(n, t, prices, || {});
        }
        let index = pallet_options::SeriesBook::<Runtime>::get(BTC_CALL_100K)
            .unwrap()
            .funding_index;
        let accrued = index.into_inner() - index_after_open.into_inner();
        let expected = rate.into_inner() / 28_800 * 40; // 3 s is 1/28,800 of a day
        assert!(accrued > 0);
        // (The curve's depth catches up with the fee income over a day, so the mark, and the
        // rate, drift by a few parts in 10^11 over these 40 blocks.)
        assert!(
            (accrued - expected).abs() <= 40 * 2 + expected / 1_000_000_000,
            "accrued {accrued}, expected {expected}"
        );

        // BTC rallies to 110,000; Dave closes. His funding is settled first: 10 contracts
        // times the index's move, rounded up to the next base unit (the pool's favour).
        n += 1;
        t += 3_000;
        let mut realised = 0;
        let mut fee_close = 0;
        let mut close_to_pool = 0;
        let mut funding_paid = 0;
        let pool_before_close = pool_capital();
        block(n, t, Some((110_000, 400)), || {
            let q = Options::quote(&acc(Dave), BTC_CALL_100K, -10).unwrap();
            let limit = q
                .price
                .saturating_mul(FixedU128::saturating_from_rational(99, 100));
            apply_signed(Dave, trade(BTC_CALL_100K, -10, limit, t + 60_000))
                .unwrap()
                .unwrap();
            let funding = funding_settled();
            assert_eq!(funding.len(), 1);
            funding_paid = funding[0];
            let index_now = pallet_options::SeriesBook::<Runtime>::get(BTC_CALL_100K)
                .unwrap()
                .funding_index;
            let owed = (index_now.into_inner() - index_after_open.into_inner()) * 10;
            // Tokens (18 decimals) to base units (12 decimals), rounded up.
            let units = (owed + 999_999) / 1_000_000;
            assert_eq!(funding_paid, units);
            let fills = traded();
            realised = fills[0].2;
            fee_close = fills[0].1;
            close_to_pool = fees_to_pool();
        });
        assert!(realised > 0, "a profit: {realised}");
        assert!(pallet_options::Positions::<Runtime>::get(acc(Dave), BTC_CALL_100K).is_none());
        // The pool paid the profit and received the funding and the close's fee (less the
        // protocol's share of the split part: the latency part is all the pool's).
        let params = pallet_pool::Params::<Runtime>::get(TSLA).unwrap_or_default();
        let split =
            |fee: u128| params.fee_to_main.mul_floor(fee) + params.fee_to_insurance.mul_floor(fee);
        assert!(close_to_pool > split(fee_close) && close_to_pool < fee_close);
        assert_eq!(
            pool_capital() as i128,
            pool_before_close as i128 + funding_paid + close_to_pool as i128 - realised
        );

        // Dave takes everything out: he started with 100 TSLA of collateral.
        n += 1;
        t += 3_000;
        block(n, t, None, || {
            let left = pallet_options::Accounts::<Runtime>::get(TSLA, acc(Dave)).collateral;
            assert_eq!(
                left as i128,
                (100 * SHARE) as i128 - fee_open as i128 - fee_close as i128 - funding_paid
                    + realised
            );
            apply_signed(Dave, withdraw(left)).unwrap().unwrap();
        });
        assert_eq!(
            tsla(Dave) as i128,
            dave_start as i128 - fee_open as i128 - fee_close as i128 - funding_paid + realised
        );
        // Nothing minted or lost: the pool's gain is Dave's loss less the protocol's fees.
        let protocol = fee_open - open_to_pool + fee_close - close_to_pool;
        assert_eq!(
            pool_capital() as i128 - pool_start as i128,
            dave_start as i128 - tsla(Dave) as i128 - protocol as i128
        );
    });
}

#[test]
fn a_short_put_a_friday_night_haircut_and_the_errors_a_wallet_sees() {
    dev_ext().execute_with(|| {
        run_to_block(1);
        let mut n = 2;
        let mut t = OPEN;
        block(n, t, Some((100_000, 400)), || {
            apply_signed(Ferdie, deposit(200 * SHARE)).unwrap().unwrap();
            // Sells 5 BTC 100k puts: receives funding while the put has time value.
            let q = Options::quote(&acc(Ferdie), BTC_PUT_100K, -5).unwrap();
            let limit = q
                .price
                .saturating_mul(FixedU128::saturating_from_rational(99, 100));
            apply_signed(Ferdie, trade(BTC_PUT_100K, -5, limit, t + 60_000))
                .unwrap()
                .unwrap();
            // A limit above the fill, an expired deadline, a delisted series: named errors.
            let greedy = q
                .price
                .saturating_mul(FixedU128::saturating_from_rational(2, 1));
            assert_eq!(
                apply_signed(Ferdie, trade(BTC_PUT_100K, -1, greedy, t + 60_000)).unwrap(),
                err(pallet_options::Error::SlippageExceeded)
            );
            assert_eq!(
                apply_signed(Ferdie, trade(BTC_PUT_100K, -1, limit, t - 1)).unwrap(),
                err(pallet_options::Error::DeadlineExpired)
            );
            assert_eq!(
                apply_signed(Ferdie, trade(9_999, 1, limit, t + 60_000)).unwrap(),
                err(pallet_options::Error::UnknownSeries)
            );
            let left = pallet_options::Accounts::<Runtime>::get(TSLA, acc(Ferdie)).collateral;
            assert_eq!(
                apply_signed(Ferdie, withdraw(left + 1)).unwrap(),
                err(pallet_options::Error::InsufficientCollateral)
            );
            assert_eq!(
                apply_signed(Ferdie, withdraw(left - SHARE / 100)).unwrap(),
                err(pallet_options::Error::InsufficientMargin)
            );
        });
        for i in 0..20 {
            n += 1;
            t += 3_000;
            block(n, t, (i % 10 == 0).then_some((100_000, 400)), || {});
        }
        let a = Options::account_info(&acc(Ferdie), TSLA);
        assert!(
            a.positions[0].funding_owed < FixedI128::zero(),
            "shorts receive"
        );
        let monday = a.health.unwrap();
        // Monday in session: the base haircut, 5%.
        assert_eq!(monday.haircut, FixedU128::saturating_from_rational(5, 100));

        // Friday 2026-12-04 17:00 New York (22:00 UTC): Nasdaq closed until Monday 09:30,
        // 64.5 hours away. The TSLA price is Friday's close, carried over the weekend.
        let friday_close = GENESIS_TIME_MS + 4 * 86_400_000 + 7 * 3_600_000 - 3_000;
        n += 1;
        block(n, friday_close, Some((100_000, 400)), || {});
        let friday_night = GENESIS_TIME_MS + 4 * 86_400_000 + 8 * 3_600_000;
        n += 1;
        block(n, friday_night, None, || {
            // BTC trades all weekend: a fresh BTC price (TSLA's stays Friday's close).
            let btc_only = RuntimeCall::Prices(pallet_prices::Call::feed {
                values: vec![
                    (
                        OracleKey::Crypto(CryptoIndex::Btc),
                        Price::from_u32(100_000),
                    ),
                    (
                        OracleKey::ImpliedVol(CryptoIndex::Btc),
                        Price::from_rational(60, 100),
                    ),
                ]
                .try_into()
                .unwrap(),
            });
            apply_signed(Alice, btc_only.clone()).unwrap().unwrap();
            apply_signed(Bob, btc_only).unwrap().unwrap();
            // The whole weekend is unpriced, from Friday's last in-session price (15:59:57)
            // to Monday's open: 5% + 2% * sqrt(65.5 h) = 21.19%. Collateral counts for less,
            // so the same trade that was fine on Monday needs more margin.
            let h = Options::health(&acc(Ferdie), TSLA).unwrap();
            let haircut = h.haircut.into_inner() as f64 / 1e18;
            let hours: f64 = 65.5 + 3.0 / 3600.0;
            assert!(
                (haircut - (0.05 + 0.02 * hours.sqrt())).abs() < 1e-9,
                "{haircut}"
            );
            let friday = Options::account_info(&acc(Ferdie), TSLA).health.unwrap();
            assert!(friday.equity < monday.equity);
            let q = Options::quote(&acc(Ferdie), BTC_PUT_100K, -1).unwrap();
            assert!(q.health_after.unwrap().haircut > monday.haircut);
        });
    });
}

fn btc_feed(btc: u32) -> RuntimeCall {
    RuntimeCall::Prices(pallet_prices::Call::feed {
        values: vec![
            (OracleKey::Crypto(CryptoIndex::Btc), Price::from_u32(btc)),
            (
                OracleKey::ImpliedVol(CryptoIndex::Btc),
                Price::from_rational(60, 100),
            ),
        ]
        .try_into()
        .unwrap(),
    })
}

/// Prices item 5, at the real runtime: Monday 09:31 New York, TSLA's Friday close is still
/// carried (the grace after the open) and no fresh price has come. Dave closes BTC calls at a
/// loss. He pays at the close less the haircut, so what he pays is worth his loss even if TSLA
/// reopens that much lower: the reopening gap is not his free option against the pool.
#[test]
fn a_loss_realised_in_the_grace_after_the_open_pays_at_least_its_post_open_value() {
    dev_ext().execute_with(|| {
        run_to_block(1);
        let day = 86_400_000;
        // Friday 14:00: Dave buys 10 BTC 100,000 calls at fresh prices.
        let friday = GENESIS_TIME_MS + 4 * day + 5 * 3_600_000;
        let mut entry = FixedU128::zero();
        block(2, friday, Some((100_000, 400)), || {
            apply_signed(Dave, deposit(100 * SHARE)).unwrap().unwrap();
            apply_signed(Dave, buy(BTC_CALL_100K, 10, friday))
                .unwrap()
                .unwrap();
            entry = traded()[0].0;
        });
        // Friday 15:59:57: the closing price.
        block(
            3,
            GENESIS_TIME_MS + 4 * day + 7 * 3_600_000 - 3_000,
            Some((100_000, 400)),
            || {},
        );
        // Monday 09:31: BTC is 5% lower; TSLA's price is Friday's close, usable, not fresh.
        let monday = GENESIS_TIME_MS + 7 * day + 31 * 60_000;
        block(4, monday, None, || {
            apply_signed(Alice, btc_feed(95_000)).unwrap().unwrap();
            apply_signed(Bob, btc_feed(95_000)).unwrap().unwrap();
            use perpetua_primitives::PriceProvider;
            let tsla_key = OracleKey::Asset(TSLA);
            assert!(perpetua_runtime::Prices::price(tsla_key).is_ok());
            assert!(!perpetua_runtime::Prices::is_fresh(tsla_key));
            let h = Options::haircut(TSLA).into_inner() as f64 / 1e18;
            // The whole weekend is still unpriced: 65.5 h and more.
            assert!(h > 0.05 + 0.02 * 65.5f64.sqrt() - 1e-9, "{h}");
            apply_signed(Dave, sell(BTC_CALL_100K, 10, monday))
                .unwrap()
                .unwrap();
            let (exit, _, realised) = traded()[0];
            let usd = |x: FixedU128| x.into_inner() as f64 / 1e18;
            let loss = (usd(entry) - usd(exit)) * 10.0;
            assert!(loss > 0.0 && realised < 0, "{loss} {realised}");
            let paid = -realised as f64 / 1e12;
            // Worth the loss at a reopening as low as the close less the haircut...
            assert!(
                paid * 400.0 * (1.0 - h) >= loss * (1.0 - 1e-12),
                "{paid} TSLA for {loss} USD"
            );
            // ...which is more than converting at the stale close would have taken.
            assert!(paid > loss / 400.0 * 1.2);
        });
    });
}

/// The BTC 90,000 call and 110,000 put of the dev preset: in the money at 100,000.
const BTC_CALL_90K: u32 = 0;
const BTC_PUT_110K: u32 = 5;

fn buy(series: u32, size: i128, t: u64) -> RuntimeCall {
    trade(series, size, FixedU128::from_u32(u32::MAX), t + 600_000)
}

fn sell(series: u32, size: i128, t: u64) -> RuntimeCall {
    trade(series, -size, FixedU128::zero(), t + 600_000)
}

fn pool_flow(deposit: bool, tranche: perpetua_primitives::Tranche, amount: u128) -> RuntimeCall {
    RuntimeCall::Pool(if deposit {
        pallet_pool::Call::deposit {
            asset: TSLA,
            tranche,
            amount,
            min_shares: 0,
        }
    } else {
        pallet_pool::Call::withdraw {
            asset: TSLA,
            tranche,
            shares: amount,
            min_amount: 0,
        }
    })
}

fn margin_of(who: Sr25519Keyring) -> u128 {
    pallet_options::Accounts::<Runtime>::get(TSLA, acc(who)).collateral
}

fn insurance_value_of(who: Sr25519Keyring) -> u128 {
    let info = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
    let (_, nav) = Pool::navs(TSLA).unwrap();
    let supply = Assets::total_supply(info.insurance_share);
    nav * Assets::balance(info.insurance_share, acc(who)) / supply
}

fn fees_of(who: Sr25519Keyring) -> u128 {
    events()
        .into_iter()
        .filter_map(|e| match e {
            RuntimeEvent::Options(pallet_options::Event::Traded { who: w, fee, .. })
                if w == acc(who) =>
            {
                Some(fee)
            }
            _ => None,
        })
        .sum()
}

/// Issue 12, item 2, as an attacker would send it: one `utility.batch_all` that skews the book
/// with in-the-money calls and puts, deposits into insurance and unwinds. The deposit only
/// queues (it executes at the next block's start, valued along the curve at the index); the
/// attacker then withdraws. Dave ends no better off than before his fees; Charlie's insurance
/// shares keep their value.
#[test]
fn a_skew_deposit_unwind_batch_gains_nothing() {
    use perpetua_primitives::Tranche::Insurance;
    dev_ext().execute_with(|| {
        run_to_block(1);
        let mut t = OPEN;
        block(2, t, Some((100_000, 400)), || {});
        let dave_start = tsla(Dave);
        let charlie = insurance_value_of(Sr25519Keyring::Charlie);
        let mut fees = 0;
        t += 3_000;
        block(3, t, None, || {
            apply_signed(Dave, deposit(500 * SHARE)).unwrap().unwrap();
            let calls = vec![
                buy(BTC_CALL_90K, 100, t),
                buy(BTC_PUT_110K, 100, t),
                buy(BTC_CALL_90K, 100, t),
                buy(BTC_PUT_110K, 100, t),
                pool_flow(true, Insurance, 300 * SHARE),
                sell(BTC_CALL_90K, 200, t),
                sell(BTC_PUT_110K, 200, t),
            ];
            let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all { calls });
            apply_signed(Dave, batch).unwrap().unwrap();
            // Queued: nothing priced inside the batch.
            let share = pallet_pool::Pools::<Runtime>::get(TSLA)
                .unwrap()
                .insurance_share;
            assert_eq!(Assets::balance(share, acc(Dave)), 0);
            fees += fees_of(Dave);
        });
        // The start of the second block after executes the deposit (`FlowDelay`); Dave asks
        // for all of it back.
        t += 3_000;
        block(4, t, Some((100_000, 400)), || {});
        t += 3_000;
        block(5, t, None, || {
            let share = pallet_pool::Pools::<Runtime>::get(TSLA)
                .unwrap()
                .insurance_share;
            let mine = Assets::balance(share, acc(Dave));
            assert!(mine > 0);
            apply_signed(Dave, pool_flow(false, Insurance, mine))
                .unwrap()
                .unwrap();
            apply_signed(Dave, withdraw(margin_of(Dave)))
                .unwrap()
                .unwrap();
        });
        for n in 6..8 {
            t += 3_000;
            block(n, t, None, || {});
        }
        let share = pallet_pool::Pools::<Runtime>::get(TSLA)
            .unwrap()
            .insurance_share;
        assert_eq!(Assets::balance(share, acc(Dave)), 0);
        let dave_end = tsla(Dave);
        assert!(
            dave_end + fees <= dave_start,
            "Dave gained: {dave_end} + fees {fees} > {dave_start}"
        );
        assert!(insurance_value_of(Sr25519Keyring::Charlie) >= charlie);
    });
}

/// What the block's fee inflows credited to insurance.
fn fees_to_insurance() -> u128 {
    events()
        .into_iter()
        .filter_map(|e| match e {
            RuntimeEvent::Pool(pallet_pool::Event::Received {
                kind: perpetua_primitives::Inflow::Fee,
                to_insurance,
                ..
            }) => Some(to_insurance),
            _ => None,
        })
        .sum()
}

/// Issue 12, item 1, in the real runtime: Dave long and Ferdie short 100 BTC 90,000 calls,
/// BTC +1%, both close. Insurance ends exactly where it was plus its share of the fees (it
/// used to pay Dave's profit and receive a tenth of Ferdie's loss).
#[test]
fn a_wash_pair_leaves_insurance_where_it_was_but_for_fees() {
    dev_ext().execute_with(|| {
        run_to_block(1);
        let mut t = OPEN;
        block(2, t, Some((100_000, 400)), || {});
        let insurance = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap().insurance;
        let mut fee_credits = 0;
        t += 3_000;
        block(3, t, None, || {
            for who in [Dave, Ferdie] {
                apply_signed(who, deposit(300 * SHARE)).unwrap().unwrap();
            }
            apply_signed(Dave, buy(BTC_CALL_90K, 100, t))
                .unwrap()
                .unwrap();
            apply_signed(Ferdie, sell(BTC_CALL_90K, 100, t))
                .unwrap()
                .unwrap();
            fee_credits += fees_to_insurance();
        });
        t += 3_000;
        block(4, t, Some((101_000, 400)), || {
            apply_signed(Dave, sell(BTC_CALL_90K, 100, t))
                .unwrap()
                .unwrap();
            apply_signed(Ferdie, buy(BTC_CALL_90K, 100, t))
                .unwrap()
                .unwrap();
            fee_credits += fees_to_insurance();
        });
        let after = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap().insurance;
        assert!(fee_credits > 0);
        assert_eq!(after, insurance + fee_credits);
    });
}

/// Issue 19: a block's trades book their fees into the pool at once and pay the cash at the
/// block's end, in one move from the pot to the pool account and one on to the protocol's.
/// Within the block the pool's ledger already counts every fee (the pot holds their cash and
/// owes it); the block ends with every account holding what its ledger says, no token minted
/// or lost.
#[test]
fn a_blocks_trades_pay_the_pool_in_one_move_at_its_end() {
    dev_ext().execute_with(|| {
        run_to_block(1);
        let (mut n, mut t) = (2, OPEN);
        block(n, t, Some((100_000, 400)), || {});
        n += 1;
        t += 3_000;
        let traders = [Dave, Ferdie];
        block(n, t, None, || {
            for who in traders {
                apply_signed(who, deposit(100 * SHARE)).unwrap().unwrap();
            }
        });
        let pot = Options::pot(TSLA);
        let pool = Pool::account(TSLA);
        let protocol = <Runtime as pallet_pool::Config>::ProtocolAccount::get();
        let (pot0, pool0, protocol0) = (
            Assets::balance(TSLA, &pot),
            Assets::balance(TSLA, &pool),
            Assets::balance(TSLA, &protocol),
        );
        let capital0 = pool_capital();
        let supply = Assets::total_supply(TSLA);
        n += 1;
        t += 3_000;
        let mut fees = 0;
        let mut to_tranches = 0;
        start_block_at(n, t);
        // Opening trades only: the block's inflows are its fees.
        for (i, who) in traders.iter().cycle().take(6).enumerate() {
            let series = if i % 2 == 0 {
                BTC_CALL_100K
            } else {
                BTC_PUT_100K
            };
            let limit = FixedU128::from_u32(1_000_000);
            apply_signed(*who, trade(series, 1, limit, t + 60_000))
                .unwrap()
                .unwrap();
        }
        fees += traded().iter().map(|f| f.1).sum::<u128>();
        to_tranches += fees_to_pool();
        assert!(fees > 0 && to_tranches > 0 && to_tranches < fees);
        // Within the block: the ledger has every fee, the token accounts none of them.
        assert_eq!(pool_capital(), capital0 + to_tranches);
        assert_eq!(
            <Pool as perpetua_primitives::PoolLedger<_>>::receivable(TSLA, &pot),
            fees
        );
        assert_eq!(Assets::balance(TSLA, &pool), pool0);
        assert_eq!(Assets::balance(TSLA, &protocol), protocol0);
        check_invariants();
        finish_block();
        check_invariants();
        // At its end: exactly the fees moved, in one move to the pool and one on.
        assert_eq!(
            <Pool as perpetua_primitives::PoolLedger<_>>::receivable(TSLA, &pot),
            0
        );
        assert_eq!(Assets::balance(TSLA, &pot), pot0 - fees);
        assert_eq!(
            Assets::balance(TSLA, &pool) + Assets::balance(TSLA, &protocol),
            pool0 + protocol0 + fees
        );
        assert_eq!(Assets::balance(TSLA, &pool), pool0 + to_tranches);
        assert_eq!(Assets::total_supply(TSLA), supply);
        let moves: Vec<_> = events()
            .into_iter()
            .filter_map(|e| match e {
                RuntimeEvent::Assets(pallet_assets::Event::Transferred {
                    asset_id: TSLA,
                    from,
                    to,
                    ..
                }) => Some((from, to)),
                _ => None,
            })
            .collect();
        assert_eq!(moves, vec![(pot.clone(), pool.clone()), (pool, protocol)]);
    });
}

/// Issue 19: how many trades a block holds once the market has traded in it, by the runtime's
/// own accounting: the normal-class weight `CheckWeight` and `WeightReclaim` record for one
/// more signed trade (its base, its transaction extensions and the trade's actual weight), out
/// of the block's normal budget. The weights are measured on this machine (pallet benchmarks,
/// `scripts/base-weights.sh`); the load test (docs/THROUGHPUT.md) fills real blocks with them.
#[test]
fn a_block_holds_three_thousand_trades_after_the_markets_first() {
    use frame_support::dispatch::DispatchClass;
    dev_ext().execute_with(|| {
        run_to_block(1);
        block(2, OPEN, Some((100_000, 400)), || {});
        block(3, OPEN + 3_000, None, || {
            for who in [Dave, Ferdie] {
                apply_signed(who, deposit(100 * SHARE)).unwrap().unwrap();
            }
        });
        let t = OPEN + 6_000;
        start_block_at(4, t);
        let normal = || {
            frame_system::BlockWeight::<Runtime>::get()
                .get(DispatchClass::Normal)
                .ref_time()
        };
        let limit = FixedU128::from_u32(1_000_000);
        let mut charged = Vec::new();
        for (i, who) in [Dave, Ferdie, Dave, Ferdie, Dave].into_iter().enumerate() {
            let before = normal();
            let size = if i % 2 == 0 { 1 } else { -1 };
            let limit = if size > 0 { limit } else { FixedU128::zero() };
            apply_signed(who, trade(BTC_CALL_100K, size, limit, t + 60_000))
                .unwrap()
                .unwrap();
            charged.push(normal() - before);
        }
        finish_block();
        check_invariants();
        // The first trade pays the market's shared state and the block's end; the others the
        // same marginal weight each.
        assert!(charged[0] > charged[1], "{charged:?}");
        assert!(charged[1..].windows(2).all(|w| w[0] == w[1]), "{charged:?}");
        let budget = <Runtime as frame_system::Config>::BlockWeights::get()
            .get(DispatchClass::Normal)
            .max_total
            .expect("normal extrinsics have a budget")
            .ref_time();
        let per_block = (budget - charged[0]) / charged[1] + 1;
        println!(
            "a trade after the market's first: {} us of weight; the first {} us; a block of {} ms \
             of normal weight holds {per_block}",
            charged[1] / 1_000_000,
            charged[0] / 1_000_000,
            budget / 1_000_000_000,
        );
        assert!(per_block >= 3_000, "{per_block} trades per block");
    });
}
