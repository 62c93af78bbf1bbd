//! Who may change the chain, in the real runtime with signed extrinsics:
//! - nobody but the technical committee, and the committee only through the enactment delay,
//!   changes risk parameters, listings, oracle operators, the validator set or the code;
//! - a committee majority can veto a pending change and pull the emergency brake, which stops
//!   trading but never liquidations, margin top-ups or withdrawals of free collateral;
//! - validators join and leave through the committee, at session changes;
//! - the local testnet's custodian is a 2-of-3 multisig.

mod common;
use common::*;

use codec::Encode;
use frame_support::{dispatch::GetDispatchInfo, traits::Hooks};
use perpetua_primitives::{CryptoIndex, MarginEngine, OracleKey, Price, Tranche};
use perpetua_runtime::{
    genesis_config_presets::{
        custodian_signers, multisig_custodian, CUSTODIAN_THRESHOLD, LOCAL_SESSION_LENGTH,
        TEST_ENACTMENT_DELAY,
    },
    AccountId, Assets, Liquidation, Options, Runtime, RuntimeCall, RuntimeEvent, SessionKeys,
    UncheckedExtrinsic,
};
use sp_keyring::{
    Ed25519Keyring,
    Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve, Ferdie},
};
use sp_runtime::{DispatchError, DispatchResult, FixedU128};

const TSLA: u32 = 1;
const SHARE: u128 = 1_000_000_000_000;
/// Monday 2026-11-30 09:30 New York: Nasdaq opens.
const OPEN: u64 = GENESIS_TIME_MS + 30 * 60_000;
/// The dev preset's BTC 100,000 put.
const PUT_100K: u32 = 3;

/// Admin calls of every kind: risk parameters, a listing, an oracle operator, a validator, the
/// enactment delay, a runtime upgrade.
fn admin_calls() -> Vec<(&'static str, RuntimeCall)> {
    vec![
        (
            "pool risk parameters",
            RuntimeCall::Pool(pallet_pool::Call::set_params {
                asset: TSLA,
                params: pallet_pool::PoolParams::default(),
            }),
        ),
        (
            "liquidation parameters",
            RuntimeCall::Liquidation(pallet_liquidation::Call::set_params {
                params: pallet_liquidation::LiquidationParams::default(),
            }),
        ),
        (
            "collateral haircut",
            RuntimeCall::Options(pallet_options::Call::set_haircut {
                settlement: TSLA,
                params: pallet_options::HaircutParams::default(),
            }),
        ),
        (
            "a listing",
            RuntimeCall::Equities(pallet_equities::Call::list_stock {
                ticker: b"AMZN".to_vec().try_into().unwrap(),
                name: b"Amazon.com, Inc.".to_vec().try_into().unwrap(),
                decimals: 12,
                exchange: pallet_market_calendar::nyse::NASDAQ,
                custodian: acc(Eve).into(),
                isin: None,
                min_balance: 1_000_000,
            }),
        ),
        (
            "an oracle operator",
            RuntimeCall::OracleOperators(pallet_membership::Call::add_member {
                who: acc(Eve).into(),
            }),
        ),
        (
            "a validator",
            RuntimeCall::ValidatorSet(pallet_validator_set::Call::add_validator { who: acc(Eve) }),
        ),
        (
            "the enactment delay",
            RuntimeCall::Governance(pallet_governance::Call::set_enactment_delay { blocks: 20 }),
        ),
        (
            "a runtime upgrade",
            RuntimeCall::System(frame_system::Call::authorize_upgrade {
                code_hash: [7u8; 32].into(),
            }),
        ),
    ]
}

/// The dispatch error of an extrinsic that was included.
fn dispatch_error(who: Sr25519Keyring, call: RuntimeCall) -> DispatchResult {
    apply_signed(who, call).expect("the extrinsic is valid and included")
}

/// A committee motion of `call` proposed by the first of `ayes` and approved by all of them
/// (with one aye it executes when proposed); returns the result the call was dispatched with.
fn motion(ayes: &[Sr25519Keyring], call: RuntimeCall) -> DispatchResult {
    let length_bound = call.encoded_size() as u32;
    let weight = call.get_dispatch_info().call_weight;
    let proposal_hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
    let index = pallet_collective::ProposalCount::<Runtime, pallet_collective::Instance1>::get();
    apply_signed(
        ayes[0],
        RuntimeCall::TechnicalCommittee(pallet_collective::Call::propose {
            threshold: ayes.len() as u32,
            proposal: Box::new(call),
            length_bound,
        }),
    )
    .unwrap()
    .unwrap();
    if ayes.len() > 1 {
        for who in ayes {
            apply_signed(
                *who,
                RuntimeCall::TechnicalCommittee(pallet_collective::Call::vote {
                    proposal: proposal_hash,
                    index,
                    approve: true,
                }),
            )
            .unwrap()
            .unwrap();
        }
        apply_signed(
            ayes[0],
            RuntimeCall::TechnicalCommittee(pallet_collective::Call::close {
                proposal_hash,
                index,
                proposal_weight_bound: weight,
                length_bound,
            }),
        )
        .unwrap()
        .unwrap();
    }
    events()
        .into_iter()
        .rev()
        .find_map(|e| match e {
            RuntimeEvent::TechnicalCommittee(pallet_collective::Event::Executed {
                proposal_hash: h,
                result,
            }) if h == proposal_hash => Some(result),
            _ => None,
        })
        .expect("the motion was executed")
}

use sp_runtime::traits::Hash as _;

/// Schedules `call` through a two-thirds committee motion (Alice and Bob of three); returns
/// the change's id and its enactment block.
fn schedule(call: RuntimeCall) -> (u32, u32) {
    motion(
        &[Alice, Bob],
        RuntimeCall::Governance(pallet_governance::Call::schedule {
            call: Box::new(call),
        }),
    )
    .expect("a two-thirds motion schedules");
    events()
        .into_iter()
        .rev()
        .find_map(|e| match e {
            RuntimeEvent::Governance(pallet_governance::Event::Scheduled {
                id, enact_at, ..
            }) => Some((id, enact_at)),
            _ => None,
        })
        .expect("scheduled")
}

fn enacted(id: u32) -> Option<DispatchResult> {
    events().into_iter().find_map(|e| match e {
        RuntimeEvent::Governance(pallet_governance::Event::Enacted { id: i, result })
            if i == id =>
        {
            Some(result)
        }
        _ => None,
    })
}

/// Runs block `n` with `f` applying its extrinsics; the invariants hold after it.
fn block(n: u32, f: impl FnOnce()) {
    start_block(n);
    f();
    finish_block();
    check_invariants();
}

fn is_operator(who: Sr25519Keyring) -> bool {
    perpetua_runtime::OracleOperators::members().contains(&acc(who))
}

#[test]
fn nobody_but_the_committee_through_its_delay_changes_the_chain() {
    new_ext("local_testnet").execute_with(|| {
        run_to_block(1);
        block(2, || {
            for (what, call) in admin_calls() {
                // A stranger, and a committee member signing alone.
                for who in [Eve, Bob] {
                    assert_eq!(
                        dispatch_error(who, call.clone()),
                        Err(DispatchError::BadOrigin),
                        "{what} by {who:?}"
                    );
                }
                // Sudo holds nothing outside the development chain.
                assert_eq!(
                    dispatch_error(Alice, sudo(call.clone())),
                    Err(pallet_sudo::Error::<Runtime>::RequireSudo.into()),
                    "{what} through sudo"
                );
            }
        });
        block(3, || {
            let add = RuntimeCall::OracleOperators(pallet_membership::Call::add_member {
                who: acc(Eve).into(),
            });
            // A committee majority calling the admin call itself, without the delay.
            assert_eq!(
                motion(&[Alice, Bob], add.clone()),
                Err(DispatchError::BadOrigin)
            );
            // One member of three cannot schedule; nor can a member sign `schedule` alone.
            let schedule = RuntimeCall::Governance(pallet_governance::Call::schedule {
                call: Box::new(add),
            });
            assert_eq!(
                motion(&[Charlie], schedule.clone()),
                Err(DispatchError::BadOrigin)
            );
            assert_eq!(
                dispatch_error(Charlie, schedule),
                Err(DispatchError::BadOrigin)
            );
        });
        assert!(!is_operator(Eve));
        assert!(pallet_governance::Pending::<Runtime>::iter()
            .next()
            .is_none());
    });
}

#[test]
fn a_committee_change_waits_for_its_delay_and_a_majority_can_veto_it() {
    new_ext("local_testnet").execute_with(|| {
        run_to_block(1);
        let mut change = (0, 0);
        block(2, || {
            change = schedule(RuntimeCall::OracleOperators(
                pallet_membership::Call::add_member {
                    who: acc(Dave).into(),
                },
            ));
        });
        let (id, enact_at) = change;
        assert_eq!(enact_at, 2 + TEST_ENACTMENT_DELAY);
        let mut vetoed = (0, 0);
        block(3, || {
            vetoed = schedule(RuntimeCall::OracleOperators(
                pallet_membership::Call::add_member {
                    who: acc(Eve).into(),
                },
            ));
            assert_eq!(
                motion(
                    &[Bob, Charlie],
                    RuntimeCall::Governance(pallet_governance::Call::veto { id: vetoed.0 })
                ),
                Ok(())
            );
        });
        for n in 4..enact_at {
            block(n, || {});
            assert!(!is_operator(Dave), "applied before its block");
        }
        block(enact_at, || {});
        assert_eq!(enacted(id), Some(Ok(())));
        assert!(is_operator(Dave));
        run_to_block(vetoed.1 + 2);
        assert!(!is_operator(Eve), "a vetoed change applied");
        assert!(pallet_governance::Pending::<Runtime>::iter()
            .next()
            .is_none());
    });
}

/// Eve's session keys: her sr25519 key for Aura, her ed25519 key for GRANDPA.
fn eve_keys() -> SessionKeys {
    SessionKeys {
        aura: Eve.public().into(),
        grandpa: Ed25519Keyring::Eve.public().into(),
    }
}

fn aura_authorities() -> Vec<sp_consensus_aura::sr25519::AuthorityId> {
    pallet_aura::Authorities::<Runtime>::get().into_inner()
}

#[test]
fn a_validator_joins_and_leaves_through_the_committee_at_session_changes() {
    new_ext("local_testnet").execute_with(|| {
        assert_eq!(aura_authorities().len(), 4);
        run_to_block(1);
        let mut change = (0, 0);
        block(2, || {
            // Without keys, the change is enacted but fails: nobody validates without keys.
            change = schedule(RuntimeCall::ValidatorSet(
                pallet_validator_set::Call::add_validator { who: acc(Eve) },
            ));
        });
        run_to_block(change.1);
        assert_eq!(
            enacted(change.0),
            Some(Err(
                pallet_validator_set::Error::<Runtime>::NoSessionKeys.into()
            ))
        );
        let n = change.1 + 1;
        block(n, || {
            apply_signed(
                Eve,
                RuntimeCall::Session(pallet_session::Call::set_keys {
                    keys: eve_keys(),
                    proof: vec![],
                }),
            )
            .unwrap()
            .unwrap();
            change = schedule(RuntimeCall::ValidatorSet(
                pallet_validator_set::Call::add_validator { who: acc(Eve) },
            ));
        });
        run_to_block(change.1);
        assert_eq!(enacted(change.0), Some(Ok(())));
        let eve_aura: sp_consensus_aura::sr25519::AuthorityId = Eve.public().into();
        assert!(!aura_authorities().contains(&eve_aura));
        // Active from the second session change on, not before.
        let session = LOCAL_SESSION_LENGTH;
        let second_change = (change.1 / session + 2) * session;
        run_to_block(second_change - 1);
        assert!(!aura_authorities().contains(&eve_aura));
        run_to_block(second_change);
        assert!(aura_authorities().contains(&eve_aura));
        assert_eq!(aura_authorities().len(), 5);
        assert!(
            pallet_grandpa::Pallet::<Runtime>::pending_change().is_some()
                || pallet_grandpa::Pallet::<Runtime>::grandpa_authorities()
                    .iter()
                    .any(|(k, _)| *k == Ed25519Keyring::Eve.public().into()),
            "GRANDPA was told of Eve"
        );

        // Alice leaves the same way.
        let n = second_change + 1;
        block(n, || {
            change = schedule(RuntimeCall::ValidatorSet(
                pallet_validator_set::Call::remove_validator { who: acc(Alice) },
            ));
        });
        run_to_block(change.1);
        assert_eq!(enacted(change.0), Some(Ok(())));
        let alice_aura: sp_consensus_aura::sr25519::AuthorityId = Alice.public().into();
        let second_change = (change.1 / session + 2) * session;
        run_to_block(second_change - 1);
        assert!(aura_authorities().contains(&alice_aura));
        run_to_block(second_change);
        assert!(!aura_authorities().contains(&alice_aura));
        assert_eq!(aura_authorities().len(), 4);
        check_invariants();

        // The block a session changes in carries transactions like any other: it is charged
        // the rotation, not the whole block.
        let change = second_change + session;
        run_to_block(change - 1);
        block(change, || {
            let index = pallet_session::CurrentIndex::<Runtime>::get();
            assert!(index >= 5, "session {index}");
            apply_signed(
                Bob,
                RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
                    dest: acc(Ferdie).into(),
                    value: 1,
                }),
            )
            .unwrap()
            .unwrap();
        });
    });
}

/// A multisig call of the custodian's signers: `signer` approves `call`, first (`at` none) or
/// at the first approval's block and index.
fn as_custodian(
    signer: Sr25519Keyring,
    call: &RuntimeCall,
    at: Option<pallet_multisig::Timepoint<u32>>,
) -> DispatchResult {
    let others: Vec<AccountId> = custodian_signers()
        .into_iter()
        .filter(|a| *a != acc(signer))
        .collect();
    dispatch_error(
        signer,
        RuntimeCall::Multisig(pallet_multisig::Call::as_multi {
            threshold: CUSTODIAN_THRESHOLD,
            other_signatories: others,
            maybe_timepoint: at,
            call: Box::new(call.clone()),
            max_weight: call.get_dispatch_info().call_weight,
        }),
    )
}

#[test]
fn the_local_custodian_is_a_two_of_three_multisig() {
    new_ext("local_testnet").execute_with(|| {
        run_to_block(1);
        let custodian = multisig_custodian();
        assert_eq!(
            pallet_equities::Stocks::<Runtime>::get(TSLA)
                .unwrap()
                .custodian,
            custodian
        );
        let supply =
            <Assets as frame_support::traits::fungibles::Inspect<AccountId>>::total_issuance(TSLA);
        let attest = RuntimeCall::Equities(pallet_equities::Call::attest_reserves {
            asset: TSLA,
            reserve: supply + 1_000 * SHARE,
            as_of: GENESIS_TIME_MS,
        });
        let mint = RuntimeCall::Equities(pallet_equities::Call::mint {
            asset: TSLA,
            beneficiary: acc(Ferdie).into(),
            amount: 100 * SHARE,
        });
        let before = Assets::balance(TSLA, acc(Ferdie));
        let reserve = || pallet_equities::Reserves::<Runtime>::get(TSLA).map(|a| a.reserve);
        let genesis_reserve = reserve();
        block(2, || {
            // One signer alone mints nothing, directly or through the multisig.
            assert_eq!(
                dispatch_error(Eve, mint.clone()),
                Err(pallet_equities::Error::<Runtime>::NotMinter.into())
            );
            assert_eq!(as_custodian(Dave, &attest, None), Ok(()));
            assert_eq!(reserve(), genesis_reserve, "one approval attested");
        });
        block(3, || {
            assert_eq!(
                as_custodian(Eve, &attest, Some(first_approval(&attest))),
                Ok(())
            );
            assert_eq!(reserve(), Some(supply + 1_000 * SHARE));
            assert_eq!(as_custodian(Ferdie, &mint, None), Ok(()));
            assert_eq!(
                Assets::balance(TSLA, acc(Ferdie)),
                before,
                "one approval minted"
            );
        });
        block(4, || {
            assert_eq!(
                as_custodian(Dave, &mint, Some(first_approval(&mint))),
                Ok(())
            );
        });
        assert_eq!(Assets::balance(TSLA, acc(Ferdie)), before + 100 * SHARE);
    });
}

/// Where the first approval of the custodian's pending `call` was included.
fn first_approval(call: &RuntimeCall) -> pallet_multisig::Timepoint<u32> {
    let hash = sp_core::blake2_256(&call.encode());
    pallet_multisig::Multisigs::<Runtime>::get(multisig_custodian(), hash)
        .expect("a pending multisig operation")
        .when
}

// --- The emergency brake, on the development chain (Alice, Bob and Charlie sit on its
// committee too).

fn btc(price: u32) -> Vec<(OracleKey, Price)> {
    vec![
        (OracleKey::Crypto(CryptoIndex::Btc), Price::from_u32(price)),
        (
            OracleKey::ImpliedVol(CryptoIndex::Btc),
            Price::from_rational(60, 100),
        ),
        (OracleKey::Asset(TSLA), Price::from_u32(400)),
    ]
}

fn trade(size: i128) -> RuntimeCall {
    RuntimeCall::Options(pallet_options::Call::trade {
        series: PUT_100K,
        size,
        limit_price: if size > 0 {
            FixedU128::from_u32(1_000_000)
        } else {
            FixedU128::from_u32(0)
        },
        deadline: u64::MAX,
    })
}

fn margin(call: pallet_options::Call<Runtime>) -> RuntimeCall {
    RuntimeCall::Options(call)
}

fn tsla(who: Sr25519Keyring) -> u128 {
    Assets::balance(TSLA, acc(who))
}

fn liquidatable(who: Sr25519Keyring) -> bool {
    <Options as MarginEngine<AccountId>>::risk(&acc(who), TSLA, &mut Default::default())
        .map(|r| r.liquidatable())
        .unwrap_or(false)
}

fn filtered(who: Sr25519Keyring, call: RuntimeCall) -> bool {
    dispatch_error(who, call) == Err(frame_system::Error::<Runtime>::CallFiltered.into())
}

#[test]
fn the_brake_stops_trading_but_not_liquidations_or_withdrawals_of_free_collateral() {
    let (mut ext, pool) = offchain_dev_ext();
    ext.execute_with(|| {
        run_to_block(1);
        let mut t = OPEN;
        let mut n = 2;
        let mut next = |f: &mut dyn FnMut()| {
            start_block_at(n, t);
            f();
            finish_block();
            check_invariants();
            Liquidation::offchain_worker(n);
            n += 1;
            t += 3_000;
        };
        next(&mut || {
            apply_signed(Alice, feed_values(btc(100_000))).unwrap().unwrap();
            apply_signed(Bob, feed_values(btc(100_000))).unwrap().unwrap();
        });
        // Dave sells puts on thin margin; Ferdie buys puts on plenty.
        next(&mut || {
            apply_signed(Dave, margin(pallet_options::Call::deposit { settlement: TSLA, amount: 14 * SHARE / 10 }))
                .unwrap()
                .unwrap();
            apply_signed(Dave, trade(-3)).unwrap().unwrap();
            apply_signed(Ferdie, margin(pallet_options::Call::deposit { settlement: TSLA, amount: 50 * SHARE }))
                .unwrap()
                .unwrap();
            apply_signed(Ferdie, trade(1)).unwrap().unwrap();
        });
        assert!(!liquidatable(Dave));

        // The committee's majority brakes: no delay.
        next(&mut || {
            assert_eq!(
                motion(
                    &[Alice, Charlie],
                    RuntimeCall::SafeMode(pallet_safe_mode::Call::force_enter {})
                ),
                Ok(())
            );
        });
        assert!(pallet_safe_mode::EnteredUntil::<Runtime>::get().is_some());

        // BTC falls 15%; the feeds still go through, trading stops, margin moves do not.
        let ferdie_before = tsla(Ferdie);
        next(&mut || {
            apply_signed(Alice, feed_values(btc(85_000))).unwrap().unwrap();
            apply_signed(Bob, feed_values(btc(85_000))).unwrap().unwrap();
            assert!(filtered(Ferdie, trade(1)), "a trade went through the brake");
            assert!(filtered(
                Bob,
                RuntimeCall::Pool(pallet_pool::Call::deposit {
                    asset: TSLA,
                    tranche: Tranche::Main,
                    amount: SHARE,
                    min_shares: 0,
                })
            ));
            assert!(filtered(
                Bob,
                RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
                    dest: acc(Eve).into(),
                    value: 1,
                })
            ));
            // Free collateral leaves; collateral the position needs does not (its own error).
            apply_signed(Ferdie, margin(pallet_options::Call::withdraw { settlement: TSLA, amount: 10 * SHARE }))
                .unwrap()
                .unwrap();
            let needed = dispatch_error(
                Dave,
                margin(pallet_options::Call::withdraw { settlement: TSLA, amount: SHARE / 10 }),
            );
            assert!(
                needed.is_err() && needed != Err(frame_system::Error::<Runtime>::CallFiltered.into()),
                "{needed:?}"
            );
            // A top-up works too.
            apply_signed(Ferdie, margin(pallet_options::Call::deposit { settlement: TSLA, amount: SHARE }))
                .unwrap()
                .unwrap();
        });
        assert_eq!(tsla(Ferdie), ferdie_before + 10 * SHARE - SHARE);
        assert!(liquidatable(Dave), "the fall makes Dave's account liquidatable");

        // The worker's liquidation lands in the next block, brake or not.
        let txs: Vec<UncheckedExtrinsic> = std::mem::take(&mut pool.write().transactions)
            .into_iter()
            .map(|raw| codec::Decode::decode(&mut &raw[..]).unwrap())
            .collect();
        assert!(!txs.is_empty(), "the worker found Dave");
        next(&mut || {
            for xt in txs.clone() {
                perpetua_runtime::Executive::apply_extrinsic(xt).unwrap().unwrap();
            }
        });
        assert!(events().iter().any(|e| matches!(e,
            RuntimeEvent::Liquidation(pallet_liquidation::Event::Liquidated { who, .. }) if *who == acc(Dave))));
        assert!(!liquidatable(Dave));

        // The majority releases the brake; trading resumes.
        next(&mut || {
            assert_eq!(
                motion(
                    &[Bob, Charlie],
                    RuntimeCall::SafeMode(pallet_safe_mode::Call::force_exit {})
                ),
                Ok(())
            );
            apply_signed(Ferdie, trade(1)).unwrap().unwrap();
        });
    });
}

#[test]
fn a_paused_call_stops_but_liquidation_cannot_be_paused() {
    dev_ext().execute_with(|| {
        run_to_block(1);
        let name = |p: &str, c: &str| -> pallet_tx_pause::RuntimeCallNameOf<Runtime> {
            (
                p.as_bytes().to_vec().try_into().unwrap(),
                c.as_bytes().to_vec().try_into().unwrap(),
            )
        };
        block(2, || {
            let pause = |p: &str, c: &str| {
                RuntimeCall::TxPause(pallet_tx_pause::Call::pause {
                    full_name: name(p, c),
                })
            };
            assert_eq!(motion(&[Alice, Bob], pause("Options", "trade")), Ok(()));
            assert!(filtered(Ferdie, trade(1)));
            for (p, c) in [
                ("Liquidation", "liquidate"),
                ("Liquidation", "liquidate_unsigned"),
                ("Options", "withdraw"),
                ("Options", "deposit"),
                ("Prices", "feed"),
                ("Governance", "veto"),
                ("Timestamp", "set"),
            ] {
                assert_eq!(
                    motion(&[Alice, Bob], pause(p, c)),
                    Err(pallet_tx_pause::Error::<Runtime>::Unpausable.into()),
                    "{p}.{c} was paused"
                );
            }
            // One member of three cannot pause.
            assert_eq!(
                motion(&[Charlie], pause("Pool", "deposit")),
                Err(DispatchError::BadOrigin)
            );
        });
    });
}
