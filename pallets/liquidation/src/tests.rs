use crate::{mock::*, *};
use codec::Decode;
use frame_support::unsigned::ValidateUnsigned;
use frame_support::{
    assert_noop, assert_ok,
    traits::{fungibles::Inspect, Hooks},
};
use perpetua_primitives::{MarginEngine, PriceError};
use sp_core::offchain::{
    testing::{TestOffchainExt, TestTransactionPoolExt},
    OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
};
use sp_runtime::{
    traits::Dispatchable,
    transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
    FixedU128,
};

fn risk(who: AccountId) -> AccountRisk {
    <Options as MarginEngine<AccountId>>::risk(&who, TSLA, &mut Default::default()).unwrap()
}

fn events() -> Vec<Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::Liquidation(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// (who, keeper, contracts, to keeper, to insurance, bad debt, partial) of each liquidation.
type Liquidated = (
    AccountId,
    Option<AccountId>,
    u128,
    Balance,
    Balance,
    Balance,
    bool,
);

fn liquidated() -> Vec<Liquidated> {
    events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Liquidated {
                who,
                keeper,
                contracts,
                to_keeper,
                to_insurance,
                bad_debt,
                partial,
                ..
            } => Some((
                who,
                keeper,
                contracts,
                to_keeper,
                to_insurance,
                bad_debt,
                partial,
            )),
            _ => None,
        })
        .collect()
}

/// Every TSLA unit in the system: holders, the pool, the options pot, the protocol.
fn tsla_total() -> Balance {
    <Assets as Inspect<AccountId>>::total_issuance(TSLA)
}

fn pool() -> (Balance, Balance) {
    let p = pallet_pool::Pools::<Test>::get(TSLA).unwrap();
    (p.main, p.insurance)
}

/// Sells `n` BTC 100k puts for `who` with `collateral` TSLA of margin.
fn short_puts(who: AccountId, n: i128, collateral: Balance) {
    assert_ok!(Options::deposit(
        RuntimeOrigin::signed(who),
        TSLA,
        collateral
    ));
    assert_ok!(Options::trade(
        RuntimeOrigin::signed(who),
        PUTS[0],
        -n,
        FixedU128::from_inner(0),
        Moment::MAX
    ));
}

/// Lowers BTC in steps of 250 until `who` is liquidatable; returns the price.
fn lower_btc_until_liquidatable(who: AccountId) -> u64 {
    let mut btc = 100_000;
    while !risk(who).liquidatable() {
        btc -= 250;
        assert!(btc > 10_000, "never liquidatable");
        MockPrices::set(BTC, Ok(p(btc)));
    }
    btc
}

#[test]
fn a_partial_liquidation_restores_initial_margin_and_splits_the_penalty() {
    new_test_ext().execute_with(|| {
        short_puts(BOB, 20, 40 * TSLA_UNIT);
        next_block();
        assert_noop!(
            Liquidation::liquidate(RuntimeOrigin::signed(KEEPER), BOB, TSLA),
            Error::<Test>::NotLiquidatable
        );
        lower_btc_until_liquidatable(BOB);
        let before = risk(BOB);
        assert!(before.equity.is_positive());
        let keeper_before = Assets::balance(TSLA, KEEPER);
        let (_, insurance_before) = pool();
        let total = tsla_total();
        assert_ok!(Liquidation::liquidate(
            RuntimeOrigin::signed(KEEPER),
            BOB,
            TSLA
        ));
        let l = liquidated();
        assert_eq!(l.len(), 1);
        let (who, keeper, contracts, to_keeper, to_insurance, bad_debt, partial) = l[0];
        assert_eq!((who, keeper, bad_debt), (BOB, Some(KEEPER), 0));
        // Partial: some contracts closed, the rest kept, and the account back above initial.
        assert!(partial && contracts > 0 && contracts < 20, "{contracts}");
        let after = risk(BOB);
        assert!(after.healthy(), "{after:?}");
        let left = pallet_options::Positions::<Test>::get(BOB, PUTS[0])
            .unwrap()
            .size;
        assert_eq!(left, -20 + contracts as i128);
        // The penalty: 30% to the keeper, 70% to insurance.
        let penalty = to_keeper + to_insurance;
        assert!(penalty > 0);
        assert_eq!(to_keeper, Perbill::from_percent(30).mul_floor(penalty));
        assert_eq!(Assets::balance(TSLA, KEEPER), keeper_before + to_keeper);
        assert!(pool().1 >= insurance_before + to_insurance);
        // Nothing minted or burnt.
        assert_eq!(tsla_total(), total);
        next_block();
    });
}

#[test]
fn bad_debt_is_absorbed_by_insurance_before_main() {
    new_test_ext().execute_with(|| {
        short_puts(CAROL, 30, 30 * TSLA_UNIT);
        next_block();
        let (main_before, insurance_before) = pool();
        // BTC -50%: the puts are deep in the money, Carol's collateral does not cover them.
        MockPrices::set(BTC, Ok(p(50_000)));
        assert!(risk(CAROL).equity.is_negative());
        assert_ok!(Liquidation::liquidate(
            RuntimeOrigin::signed(KEEPER),
            CAROL,
            TSLA
        ));
        let (_, _, contracts, to_keeper, to_insurance, bad_debt, partial) = liquidated()[0];
        assert_eq!(
            (contracts, partial, to_keeper, to_insurance),
            (30, false, 0, 0)
        );
        assert!(bad_debt > 0);
        assert_eq!(
            pallet_options::Accounts::<Test>::get(TSLA, CAROL).collateral,
            0
        );
        let (main, insurance) = pool();
        // The pool's waterfall: insurance makes main whole for main's share of the missing
        // gain; nothing is beyond the pool's capital.
        let absorbed = System::events()
            .into_iter()
            .find_map(|r| match r.event {
                RuntimeEvent::Pool(pallet_pool::Event::LossAbsorbed {
                    amount,
                    covered,
                    main_bore,
                    ..
                }) => Some((amount, covered, main_bore)),
                _ => None,
            })
            .unwrap();
        let share = pallet_pool::Params::<Test>::get(TSLA)
            .unwrap()
            .insurance_share;
        let main_share = bad_debt - share.mul_floor(bad_debt);
        assert_eq!(absorbed, (bad_debt, main_share, 0));
        assert!(insurance < insurance_before, "insurance pays first");
        assert!(main >= main_before + main_share, "main is made whole");
        // Bad debt is not a deficit: the pool owes nobody for it.
        assert!(pallet_pool::Deficits::<Test>::get(TSLA).is_none());
        next_block();
    });
}

fn claims_owed() -> Balance {
    pallet_pool::Deficits::<Test>::get(TSLA).map_or(0, |d| d.owed)
}

/// Issue 12, item 4. Bad debt beyond both tranches is not a deficit (the phantom): nothing is
/// deleveraged for it. A real shortfall (the pool cannot pay Bob's profit) does not revert Bob's
/// close: he gets what can be paid and a claim for the rest; the pool's shortfall is then
/// cleared by deleveraging Dave's profitable puts just enough, and falls by what Dave forfeits.
#[test]
fn only_a_real_shortfall_is_a_deficit_and_deleveraging_clears_it() {
    // A small pool: 100 TSLA main, 10 insurance.
    new_test_ext_with_pool(100, 10).execute_with(|| {
        for (who, amount) in [(BOB, 500), (DAVE, 500), (CAROL, 200)] {
            assert_ok!(Options::deposit(
                RuntimeOrigin::signed(who),
                TSLA,
                amount * TSLA_UNIT
            ));
        }
        // Bob and Dave buy puts, Carol sells them: the pool stays flat.
        for i in 0..80 {
            for (who, size) in [(BOB, 4i128), (DAVE, 1), (CAROL, -5)] {
                let r = Options::trade(
                    RuntimeOrigin::signed(who),
                    PUTS[0],
                    size,
                    FixedU128::from_u32(if size > 0 { 1_000_000 } else { 0 }),
                    Moment::MAX,
                );
                assert!(r.is_ok(), "round {i}, account {who}: {r:?}");
            }
        }
        next_block();
        MockPrices::set(BTC, Ok(p(40_000)));
        assert_ok!(Liquidation::liquidate(
            RuntimeOrigin::signed(KEEPER),
            CAROL,
            TSLA
        ));
        assert!(liquidated()[0].5 > 0, "Carol leaves bad debt");
        // The phantom: no claim, no shortfall, nothing deleveraged.
        assert_eq!(claims_owed(), 0);
        assert_eq!(Pool::insolvency(TSLA), 0);
        next_block();
        assert!(!events()
            .iter()
            .any(|e| matches!(e, Event::Deleveraged { .. })));
        assert_eq!(
            pallet_options::Positions::<Test>::get(DAVE, PUTS[0])
                .unwrap()
                .size,
            80
        );

        // Bob closes: the pool pays what it has; the rest is Bob's claim, not a revert.
        let bob_before = pallet_options::Accounts::<Test>::get(TSLA, BOB).collateral;
        let capital = Pool::capital(TSLA);
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(BOB),
            PUTS[0],
            -320,
            FixedU128::from_u32(0),
            Moment::MAX
        ));
        let claim = pallet_pool::Claims::<Test>::get(TSLA, BOB).unwrap();
        assert!(claim > 0);
        assert_eq!(claims_owed(), claim);
        assert_eq!(Pool::capital(TSLA), 0);
        let bob_after = pallet_options::Accounts::<Test>::get(TSLA, BOB).collateral;
        assert!(
            bob_after + TSLA_UNIT >= bob_before + capital,
            "Bob got what the pool had"
        );
        // Bob can withdraw his free collateral at once.
        assert_ok!(Options::withdraw(
            RuntimeOrigin::signed(BOB),
            TSLA,
            bob_after
        ));
        let shortfall = Pool::insolvency(TSLA);
        assert!(
            shortfall > claim,
            "Dave's open profit is owed too: {shortfall} vs {claim}"
        );

        // The next block deleverages Dave, just enough, and the shortfall falls by what he
        // forfeits.
        let dave_collateral = pallet_options::Accounts::<Test>::get(TSLA, DAVE).collateral;
        next_block();
        let dl: Vec<_> = events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Deleveraged {
                    who, size, unpaid, ..
                } => Some((who, size, unpaid)),
                _ => None,
            })
            .collect();
        assert_eq!(dl.len(), 1, "{dl:?}");
        assert_eq!((dl[0].0, dl[0].1), (DAVE, -80));
        assert!(dl[0].2 > 0);
        // (Dave's close also settled his funding into the claims' cash: at least that much.)
        assert!(Pool::insolvency(TSLA) <= shortfall - dl[0].2);
        // Dave keeps his own collateral (less the block's funding his long owed); only the
        // profit the pool cannot pay is gone.
        let dave_after = pallet_options::Accounts::<Test>::get(TSLA, DAVE).collateral;
        assert!(dave_after <= dave_collateral && dave_collateral - dave_after < TSLA_UNIT / 100);
        // Bob's claim is still owed, to be paid from the pool's next inflows.
        assert_eq!(claims_owed(), claim);
        next_block();
    });
}

/// Deleveraging closes only what clears the shortfall: a small claim against a large
/// profitable position closes a few contracts, not the position.
#[test]
fn deleveraging_closes_just_enough() {
    new_test_ext_with_pool(100, 10).execute_with(|| {
        for (who, amount) in [(BOB, 500), (CAROL, 500)] {
            assert_ok!(Options::deposit(
                RuntimeOrigin::signed(who),
                TSLA,
                amount * TSLA_UNIT
            ));
        }
        for _ in 0..20 {
            for (who, size) in [(BOB, 5i128), (CAROL, -5)] {
                assert_ok!(Options::trade(
                    RuntimeOrigin::signed(who),
                    PUTS[0],
                    size,
                    FixedU128::from_u32(if size > 0 { 1_000_000 } else { 0 }),
                    Moment::MAX,
                ));
            }
        }
        next_block();
        // The pool owes a claim of 1 TSLA it cannot cover: capital all paid out.
        MockPrices::set(BTC, Ok(p(90_000)));
        let capital = Pool::capital(TSLA);
        assert_eq!(Pool::pay(TSLA, &KEEPER, capital), Ok(0));
        Pool::record_claim(TSLA, &KEEPER, TSLA_UNIT);
        let shortfall = Pool::insolvency(TSLA);
        assert!(shortfall > 0);
        next_block();
        let closed: Vec<i128> = events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Deleveraged { size, .. } => Some(size),
                _ => None,
            })
            .collect();
        let closed: i128 = closed.iter().sum();
        let bob = pallet_options::Positions::<Test>::get(BOB, PUTS[0])
            .unwrap()
            .size;
        assert!(
            closed < 0 && bob > 0,
            "partial: closed {closed}, left {bob}"
        );
        assert_eq!(bob - closed, 100);
        // Cleared, to rounding of one contract's profit into units.
        assert!(
            Pool::insolvency(TSLA) < TSLA_UNIT / 1_000,
            "{}",
            Pool::insolvency(TSLA)
        );
        next_block();
    });
}

#[test]
fn a_keeper_cannot_liquidate_itself() {
    new_test_ext().execute_with(|| {
        short_puts(BOB, 20, 40 * TSLA_UNIT);
        next_block();
        lower_btc_until_liquidatable(BOB);
        assert_noop!(
            Liquidation::liquidate(RuntimeOrigin::signed(BOB), BOB, TSLA),
            Error::<Test>::SelfLiquidation
        );
        assert_ok!(Liquidation::liquidate(
            RuntimeOrigin::signed(KEEPER),
            BOB,
            TSLA
        ));
        next_block();
    });
}

#[test]
fn no_liquidation_on_a_stale_held_or_pre_open_price() {
    new_test_ext().execute_with(|| {
        short_puts(BOB, 20, 40 * TSLA_UNIT);
        next_block();
        let btc = lower_btc_until_liquidatable(BOB);
        MockPrices::set(BTC, Err(PriceError::Stale));
        assert_noop!(
            Liquidation::liquidate(RuntimeOrigin::signed(KEEPER), BOB, TSLA),
            pallet_options::Error::<Test>::StalePrice
        );
        MockPrices::set(BTC, Ok(p(btc)));
        MockPrices::set(TSLA_KEY, Err(PriceError::CircuitOpen));
        assert_noop!(
            Liquidation::liquidate(RuntimeOrigin::signed(KEEPER), BOB, TSLA),
            pallet_options::Error::<Test>::CircuitOpen
        );
        // The market is open but TSLA's price is Friday's close carried over: wait.
        MockPrices::carried(TSLA_KEY, p(400));
        assert_noop!(
            Liquidation::liquidate(RuntimeOrigin::signed(KEEPER), BOB, TSLA),
            Error::<Test>::AwaitingOpenPrice
        );
        assert_eq!(
            Liquidation::check_liquidatable(&BOB, TSLA),
            Err(invalid::AWAITING_OPEN_PRICE)
        );
        // While the market is closed, the carried close is the price to use.
        close_until(Some(START + 86_400_000));
        assert_ok!(Liquidation::liquidate(
            RuntimeOrigin::signed(KEEPER),
            BOB,
            TSLA
        ));
    });
}

#[test]
fn caps_per_account_and_per_block() {
    new_test_ext().execute_with(|| {
        short_puts(BOB, 20, 40 * TSLA_UNIT);
        short_puts(CAROL, 20, 40 * TSLA_UNIT);
        next_block();
        lower_btc_until_liquidatable(BOB);
        lower_btc_until_liquidatable(CAROL);
        let mut params = Params::<Test>::get();
        params.max_per_block = 1;
        assert_ok!(Liquidation::set_params(RuntimeOrigin::root(), params));
        params.max_per_block = 0;
        assert_noop!(
            Liquidation::set_params(RuntimeOrigin::root(), params),
            Error::<Test>::InvalidParams
        );
        assert_noop!(
            Liquidation::set_params(RuntimeOrigin::signed(BOB), params),
            sp_runtime::DispatchError::BadOrigin
        );
        assert_ok!(Liquidation::liquidate(
            RuntimeOrigin::signed(KEEPER),
            BOB,
            TSLA
        ));
        assert_noop!(
            Liquidation::liquidate(RuntimeOrigin::signed(KEEPER), CAROL, TSLA),
            Error::<Test>::BlockCapReached
        );
        let call = Call::<Test>::liquidate_unsigned {
            who: CAROL,
            settlement: TSLA,
        };
        assert_eq!(
            Liquidation::pre_dispatch(&call),
            Err(TransactionValidityError::Invalid(
                InvalidTransaction::ExhaustsResources
            ))
        );
        next_block();
        // A new block: Carol goes; Bob, liquidated last block and healthy again, does not.
        assert_ok!(Liquidation::liquidate(
            RuntimeOrigin::signed(KEEPER),
            CAROL,
            TSLA
        ));
        let mut params = Params::<Test>::get();
        params.max_per_block = 10;
        assert_ok!(Liquidation::set_params(RuntimeOrigin::root(), params));
        assert_noop!(
            Liquidation::liquidate(RuntimeOrigin::signed(KEEPER), CAROL, TSLA),
            Error::<Test>::AlreadyLiquidatedThisBlock
        );
        assert_noop!(
            Liquidation::liquidate(RuntimeOrigin::signed(KEEPER), BOB, TSLA),
            Error::<Test>::NotLiquidatable
        );
    });
}

fn with_offchain(
    ext: &mut sp_io::TestExternalities,
) -> std::sync::Arc<parking_lot::RwLock<sp_core::offchain::testing::PoolState>> {
    let (offchain, _) = TestOffchainExt::new();
    let (pool, state) = TestTransactionPoolExt::new();
    ext.register_extension(OffchainDbExt::new(offchain.clone()));
    ext.register_extension(OffchainWorkerExt::new(offchain));
    ext.register_extension(TransactionPoolExt::new(pool));
    state
}

#[test]
fn the_worker_submits_one_valid_liquidation_per_unhealthy_account_and_nothing_else() {
    let mut ext = new_test_ext();
    let pool_state = with_offchain(&mut ext);
    ext.execute_with(|| {
        short_puts(BOB, 20, 40 * TSLA_UNIT);
        short_puts(CAROL, 20, 40 * TSLA_UNIT);
        // Dave is well collateralised.
        short_puts(DAVE, 20, 2_000 * TSLA_UNIT);
        next_block();
        lower_btc_until_liquidatable(BOB);
        lower_btc_until_liquidatable(CAROL);
        assert!(!risk(DAVE).liquidatable());
        Liquidation::offchain_worker(System::block_number());
        let txs = std::mem::take(&mut pool_state.write().transactions);
        assert_eq!(txs.len(), 2);
        let mut targets = Vec::new();
        for raw in &txs {
            let xt = Extrinsic::decode(&mut &raw[..]).unwrap();
            let RuntimeCall::Liquidation(call) = xt.function else {
                panic!("not a liquidation")
            };
            let Call::liquidate_unsigned { who, settlement } = call.clone() else {
                panic!()
            };
            assert_eq!(settlement, TSLA);
            targets.push(who);
            let valid = Liquidation::validate_unsigned(TransactionSource::External, &call).unwrap();
            assert_eq!(valid.priority, u64::MAX);
            assert_eq!(valid.longevity, 3);
            assert_eq!(valid.provides.len(), 1);
            assert_ok!(Liquidation::pre_dispatch(&call));
            assert_ok!(RuntimeCall::Liquidation(call.clone()).dispatch(RuntimeOrigin::none()));
            // The same again in this block: refused before execution.
            assert_eq!(
                Liquidation::pre_dispatch(&call),
                Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
            );
            // And invalid in the pool now that the account is healthy.
            assert_eq!(
                Liquidation::validate_unsigned(TransactionSource::External, &call),
                Err(TransactionValidityError::Invalid(
                    InvalidTransaction::Custom(invalid::NOT_LIQUIDATABLE)
                ))
            );
        }
        targets.sort();
        assert_eq!(targets, vec![BOB, CAROL]);
        // Dave was never touched.
        assert_eq!(
            pallet_options::Positions::<Test>::get(DAVE, PUTS[0])
                .unwrap()
                .size,
            -20
        );
        let dave = Call::<Test>::liquidate_unsigned {
            who: DAVE,
            settlement: TSLA,
        };
        assert_eq!(
            Liquidation::validate_unsigned(TransactionSource::External, &dave),
            Err(TransactionValidityError::Invalid(
                InvalidTransaction::Custom(invalid::NOT_LIQUIDATABLE)
            ))
        );
        assert_noop!(
            RuntimeCall::Liquidation(dave)
                .dispatch(RuntimeOrigin::signed(KEEPER))
                .map_err(|e| e.error),
            sp_runtime::DispatchError::BadOrigin
        );
        next_block();

        // The next run checks the watch list first and submits nothing for healthy accounts.
        let report = Liquidation::run_worker();
        assert!(report.watched >= 2, "{report:?}");
        assert_eq!(report.submitted, 0);
        assert!(pool_state.read().transactions.is_empty());
        // A stale price: nothing valued, nothing submitted.
        MockPrices::set(BTC, Err(PriceError::Stale));
        let report = Liquidation::run_worker();
        assert_eq!(report.submitted, 0);
        assert_eq!(report.unpriced, report.scanned);
    });
}

#[test]
fn the_scan_resumes_where_it_stopped_and_covers_every_account() {
    let mut ext = new_test_ext();
    let _pool_state = with_offchain(&mut ext);
    ext.execute_with(|| {
        for who in 100..140 {
            open_book(who, 1, 20 * TSLA_UNIT);
        }
        next_block();
        let mut params = Params::<Test>::get();
        params.scan_per_run = 15;
        assert_ok!(Liquidation::set_params(RuntimeOrigin::root(), params));
        // Three runs of 15 cover the 40 open accounts; each run values exactly its budget.
        let mut scanned = 0;
        for _ in 0..3 {
            let r = Liquidation::run_worker();
            assert!(r.scanned <= 15, "{r:?}");
            scanned += r.scanned;
        }
        assert!(scanned >= 40, "{scanned}");
        // Validators start at their share of the account space: the two halves partition it.
        let all = <Options as MarginEngine<AccountId>>::open_accounts(TSLA, None, 1_000).0;
        let half = <Options as MarginEngine<AccountId>>::cursor_at(TSLA, 500_000_000);
        let upper = <Options as MarginEngine<AccountId>>::open_accounts(TSLA, Some(half), 1_000).0;
        assert!(!upper.is_empty() && upper.len() < all.len());
        assert_eq!(&all[all.len() - upper.len()..], &upper[..]);
    });
}

// Issue 14: liquidation at prices no same-block trade can move, a penalty that never makes
// bad debt by itself, and unsigned liquidations that never fail in a block.

/// Everything `who` holds in TSLA outside positions: wallet, margin collateral, claims.
fn holdings(who: AccountId) -> Balance {
    Assets::balance(TSLA, who)
        + pallet_options::Accounts::<Test>::get(TSLA, who).collateral
        + pallet_pool::Claims::<Test>::get(TSLA, who).unwrap_or(0)
}

fn trade(
    who: AccountId,
    series: u32,
    size: i128,
) -> sp_runtime::DispatchResultWithInfo<frame_support::dispatch::PostDispatchInfo> {
    let limit = if size > 0 {
        FixedU128::from_u32(u32::MAX)
    } else {
        FixedU128::from_inner(0)
    };
    Options::trade(RuntimeOrigin::signed(who), series, size, limit, Moment::MAX)
}

/// Bob's short puts are close to the line. Carol buys puts to push their mark up and tries to
/// liquidate Bob as keeper in the same block: refused, his liquidation price starts the block.
/// She unwinds and ends with less than she began (the fees). If she holds her push into the
/// next block and liquidates him then, she still ends with less: the keeper's share of a
/// penalty that is a share of the maintenance margin does not pay for the push.
#[test]
fn pushing_a_short_under_and_liquidating_it_does_not_pay() {
    for hold_a_block in [false, true] {
        new_test_ext().execute_with(|| {
            // Bob's puts are at the money (the curve skews time value, all of an at-the-money
            // option's price); his collateral's haircut grows until he is just above the line.
            short_puts(BOB, 5, 3 * TSLA_UNIT);
            next_block();
            let haircut = |permille: u32| {
                assert_ok!(Options::set_haircut(
                    RuntimeOrigin::root(),
                    TSLA,
                    pallet_options::HaircutParams {
                        base: Perbill::from_perthousand(permille),
                        per_sqrt_hour: Perbill::zero(),
                        max: Perbill::from_percent(95),
                    }
                ));
            };
            let mut permille = 50;
            while !risk(BOB).liquidatable() {
                permille += 1;
                haircut(permille);
            }
            haircut(permille - 1);
            assert!(!risk(BOB).liquidatable());
            next_block();
            let before = holdings(CAROL);
            assert_ok!(Options::deposit(
                RuntimeOrigin::signed(CAROL),
                TSLA,
                3_000 * TSLA_UNIT
            ));
            assert_ok!(trade(CAROL, PUTS[0], 3_000));
            assert_noop!(
                Liquidation::liquidate(RuntimeOrigin::signed(CAROL), BOB, TSLA),
                Error::<Test>::NotLiquidatable
            );
            if hold_a_block {
                next_block();
                // Her push is the block's book now: Bob is under, and she liquidates him.
                assert!(risk(BOB).liquidatable());
                assert_ok!(Liquidation::liquidate(
                    RuntimeOrigin::signed(CAROL),
                    BOB,
                    TSLA
                ));
            }
            assert_ok!(trade(CAROL, PUTS[0], -3_000));
            let left = pallet_options::Accounts::<Test>::get(TSLA, CAROL).collateral;
            assert_ok!(Options::withdraw(RuntimeOrigin::signed(CAROL), TSLA, left));
            let after = holdings(CAROL);
            println!(
                "push-under (held a block: {hold_a_block}): the attacker lost {} TSLA units",
                before.saturating_sub(after)
            );
            assert!(
                after < before,
                "held a block: {hold_a_block}: {after} >= {before}"
            );
            next_block();
        });
    }
}

/// Dave's short puts are far out of the money, margined at the floor. TSLA falls until his
/// equity is just under maintenance: the liquidation closes what restores initial margin and
/// charges a penalty of half the maintenance margin it frees, from his collateral, with no
/// bad debt; he keeps the rest. (With a penalty of 1% of notional against a 0.5% floor, the
/// first pass took all of it.)
#[test]
fn a_floor_margined_short_keeps_its_collateral_above_the_penalty() {
    new_test_ext().execute_with(|| {
        assert_ok!(Options::deposit(
            RuntimeOrigin::signed(DAVE),
            TSLA,
            2 * TSLA_UNIT
        ));
        assert_ok!(trade(DAVE, PUTS[3], -50));
        next_block();
        let mut tsla = 400;
        while !risk(DAVE).liquidatable() {
            tsla -= 2;
            assert!(tsla > 50, "never liquidatable");
            MockPrices::set(TSLA_KEY, Ok(p(tsla)));
        }
        let (r, positions) =
            <Options as MarginEngine<AccountId>>::positions(&DAVE, TSLA, &mut Default::default())
                .unwrap();
        assert!(r.equity.is_positive());
        // Floor-margined: the maintenance margin is 0.5% of notional per contract.
        let floor = positions[0].notional.into_inner() / 200;
        assert!((positions[0].maintenance.into_inner() - floor).abs() <= floor / 1_000);
        // Funding up to now first, so that the close and the penalty are all that move.
        assert_ok!(Options::settle_account_funding(&DAVE, TSLA));
        let collateral = pallet_options::Accounts::<Test>::get(TSLA, DAVE).collateral;
        assert_ok!(Liquidation::liquidate(
            RuntimeOrigin::signed(KEEPER),
            DAVE,
            TSLA
        ));
        let (_, _, contracts, to_keeper, to_insurance, bad_debt, _) = liquidated()[0];
        assert_eq!(bad_debt, 0);
        let left = pallet_options::Accounts::<Test>::get(TSLA, DAVE).collateral;
        assert!(left > 0);
        // The penalty is at most half the maintenance margin of the closed contracts.
        let freed = positions[0].maintenance.into_inner() as f64 / 1e18 * contracts as f64 / 50.0;
        let penalty = (to_keeper + to_insurance) as f64 / 1e12 * tsla as f64;
        assert!(
            penalty <= freed / 2.0 * 1.001 + 1e-9,
            "{penalty} vs {freed}"
        );
        // Charged in full from his collateral, after what the close realised.
        let realised: i128 = System::events()
            .into_iter()
            .rev()
            .find_map(|r| match r.event {
                RuntimeEvent::Options(pallet_options::Event::Traded {
                    who: DAVE,
                    realised,
                    ..
                }) => Some(realised),
                _ => None,
            })
            .unwrap();
        assert!(to_keeper + to_insurance > 0);
        assert_eq!(
            collateral as i128 + realised - left as i128,
            (to_keeper + to_insurance) as i128
        );
        // The account is back above initial margin (or flat).
        let after = risk(DAVE);
        assert!(after.healthy() || contracts == 50, "{after:?}");
    });
}

/// A candidate with no positions is refused at once (one read): a flood of made-up candidates
/// costs the node no valuation.
#[test]
fn a_candidate_without_positions_is_refused_before_any_valuation() {
    new_test_ext().execute_with(|| {
        let call = Call::<Test>::liquidate_unsigned {
            who: DAVE,
            settlement: TSLA,
        };
        assert_eq!(
            Liquidation::validate_unsigned(TransactionSource::External, &call),
            Err(TransactionValidityError::Invalid(
                InvalidTransaction::Custom(invalid::NO_POSITIONS)
            ))
        );
        assert_eq!(
            Liquidation::pre_dispatch(&call),
            Err(TransactionValidityError::Invalid(
                InvalidTransaction::Custom(invalid::NO_POSITIONS)
            ))
        );
    });
}

/// While the settlement stock is frozen (as by a dividend or split walk), a liquidation that
/// would fail at dispatch is refused at validation and in the block, never included to fail
/// for free; once the stock thaws it is valid and executes.
#[test]
fn a_liquidation_that_would_fail_is_refused_at_validation() {
    new_test_ext().execute_with(|| {
        short_puts(BOB, 20, 40 * TSLA_UNIT);
        next_block();
        lower_btc_until_liquidatable(BOB);
        assert_ok!(Assets::freeze_asset(RuntimeOrigin::signed(LP), TSLA.into()));
        let call = Call::<Test>::liquidate_unsigned {
            who: BOB,
            settlement: TSLA,
        };
        let would_fail = Err(TransactionValidityError::Invalid(
            InvalidTransaction::Custom(invalid::WOULD_FAIL),
        ));
        assert_eq!(
            Liquidation::validate_unsigned(TransactionSource::External, &call).map(|_| ()),
            would_fail
        );
        assert_eq!(Liquidation::pre_dispatch(&call), would_fail);
        // Nothing changed.
        assert_eq!(
            pallet_options::Positions::<Test>::get(BOB, PUTS[0])
                .unwrap()
                .size,
            -20
        );
        assert!(liquidated().is_empty());
        assert_ok!(Assets::thaw_asset(RuntimeOrigin::signed(LP), TSLA.into()));
        assert!(Liquidation::validate_unsigned(TransactionSource::External, &call).is_ok());
        assert_ok!(Liquidation::pre_dispatch(&call));
        assert_ok!(RuntimeCall::Liquidation(call).dispatch(RuntimeOrigin::none()));
        assert_eq!(liquidated().len(), 1);
    });
}

/// A trader under water lets a keeper account it controls liquidate it, to exit without the
/// trading fee and get back the keeper's share of the penalty. Trader and keeper together end
/// with no more than a voluntary close of the same contracts would have left (its realised
/// PnL less its fee): the penalty's insurance part alone is more than the fee.
#[test]
fn being_liquidated_by_ones_own_keeper_is_no_cheaper_than_closing() {
    use frame_support::storage::{with_transaction, TransactionOutcome};
    new_test_ext().execute_with(|| {
        // Dave is long at-the-money puts (a long's maintenance margin is at most its premium).
        assert_ok!(Options::deposit(
            RuntimeOrigin::signed(DAVE),
            TSLA,
            TSLA_UNIT
        ));
        assert_ok!(trade(DAVE, PUTS[0], 10));
        next_block();
        let mut permille = 50;
        while !risk(DAVE).liquidatable() {
            permille += 5;
            assert_ok!(Options::set_haircut(
                RuntimeOrigin::root(),
                TSLA,
                pallet_options::HaircutParams {
                    base: Perbill::from_perthousand(permille),
                    per_sqrt_hour: Perbill::zero(),
                    max: Perbill::from_percent(95),
                }
            ));
        }
        assert_ok!(Options::settle_account_funding(&DAVE, TSLA));
        // How many contracts the liquidation closes (run and rolled back).
        let closed = with_transaction(|| -> TransactionOutcome<Result<u128, DispatchError>> {
            let r = Liquidation::liquidate(RuntimeOrigin::signed(KEEPER), DAVE, TSLA);
            let n = liquidated().last().map_or(0, |l| l.2);
            TransactionOutcome::Rollback(r.map(|_| n).map_err(|e| e.error))
        })
        .unwrap();
        assert!(closed > 0);
        // What closing them himself would do now.
        let close = Options::quote(&DAVE, PUTS[0], -(closed as i128)).unwrap();
        assert!(close.error.is_none() && close.fee > 0);
        let together = || holdings(DAVE) + Assets::balance(TSLA, KEEPER);
        let before = together();
        assert_ok!(Liquidation::liquidate(
            RuntimeOrigin::signed(KEEPER),
            DAVE,
            TSLA
        ));
        let after = together();
        let by_closing = (before as i128 + close.realised - close.fee as i128) as u128;
        println!(
            "self-liquidation by proxy: {} TSLA units worse than closing (fee {})",
            by_closing - after,
            close.fee
        );
        assert!(after < by_closing, "{after} >= {by_closing}");
    });
}
