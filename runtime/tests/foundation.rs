//! The runtime as the chain runs it: genesis presets, blocks with inherents and signed
//! extrinsics, fees, the oracle and its operators, and asset creation rules.

mod common;
use common::*;

use frame_support::traits::fungibles::{metadata::Inspect as MetaInspect, Inspect};
use perpetua_runtime::{
    configs::oracle::{MAX_FEED_VALUES, MAX_ORACLE_OPERATORS},
    genesis_config_presets::EXAMPLE_STOCKS,
    Assets, Balances, CryptoIndex, Oracle, OracleKey, OracleOperators, Price, Runtime, RuntimeCall,
    RuntimeEvent, System, UNIT,
};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave};
use sp_runtime::{traits::Get, DispatchError};

/// Operators feed through pallet-prices (orml-oracle's own call is filtered).

#[test]
fn development_preset_builds_the_expected_genesis() {
    dev_ext().execute_with(|| {
        assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(acc(Alice)));
        assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
        assert_eq!(Balances::free_balance(acc(Bob)), 1_000_000 * UNIT);
        for s in EXAMPLE_STOCKS {
            assert!(Assets::asset_exists(s.id));
            assert_eq!(
                <Assets as MetaInspect<_>>::symbol(s.id),
                s.ticker.as_bytes().to_vec()
            );
            assert_eq!(<Assets as MetaInspect<_>>::decimals(s.id), 12);
            assert_eq!(Assets::balance(s.id, acc(Dave)), 1_000 * 10u128.pow(12));
            // Sufficient: an account holding only a stock token exists without PRP.
            assert!(
                pallet_assets::Asset::<Runtime>::get(s.id)
                    .unwrap()
                    .is_sufficient
            );
        }
        let ops = OracleOperators::members();
        assert_eq!(ops.len(), 3);
        assert!(ops.contains(&acc(Alice)) && ops.contains(&acc(Charlie)));
    });
}

#[test]
fn local_testnet_preset_has_four_validators_and_no_sudo() {
    new_ext("local_testnet").execute_with(|| {
        assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 4);
        assert_eq!(
            pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(),
            4
        );
        assert_eq!(pallet_session::Validators::<Runtime>::get().len(), 4);
        assert_eq!(pallet_validator_set::Validators::<Runtime>::get().len(), 4);
        assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
    });
}

#[test]
fn blocks_carry_a_signed_transfer_and_its_fee() {
    dev_ext().execute_with(|| {
        run_to_block(2);
        start_block(3);
        let issuance = Balances::total_issuance();
        let bob_before = Balances::free_balance(acc(Bob));
        let dave_before = Balances::free_balance(acc(Dave));
        let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
            dest: acc(Dave).into(),
            value: 7 * UNIT,
        });
        apply_signed(Bob, call).unwrap().unwrap();
        let fee = events()
            .into_iter()
            .find_map(|e| match e {
                RuntimeEvent::TransactionPayment(
                    pallet_transaction_payment::Event::TransactionFeePaid { actual_fee, .. },
                ) => Some(actual_fee),
                _ => None,
            })
            .expect("fee event");
        assert!(fee > 0);
        assert!(events().iter().any(|e| matches!(e,
            RuntimeEvent::Balances(pallet_balances::Event::Transfer { amount, .. }) if *amount == 7 * UNIT)));
        assert_eq!(Balances::free_balance(acc(Dave)), dave_before + 7 * UNIT);
        assert_eq!(Balances::free_balance(acc(Bob)), bob_before - 7 * UNIT - fee);
        // Fees are burned.
        assert_eq!(Balances::total_issuance(), issuance - fee);
        let header = finish_block();
        assert_eq!(header.number, 3);
    });
}

#[test]
fn operators_feed_prices_and_others_cannot() {
    dev_ext().execute_with(|| {
        run_to_block(1);
        start_block(2);
        let btc = OracleKey::Crypto(CryptoIndex::Btc);
        let tsla = OracleKey::Asset(1);
        let p = |x: u128| Price::from_u32(x as u32);
        apply_signed(Alice, feed_values(vec![(btc, p(100_000)), (tsla, p(400))]))
            .unwrap()
            .unwrap();
        apply_signed(Bob, feed_values(vec![(btc, p(100_100))]))
            .unwrap()
            .unwrap();
        apply_signed(Charlie, feed_values(vec![(btc, p(10_000_000))]))
            .unwrap()
            .unwrap();
        // The quorum median of three ignores the one outlier; TSLA, fed by Alice alone, has
        // no price: one operator is not a quorum. orml-oracle only keeps the raw values.
        use perpetua_primitives::PriceProvider;
        assert_eq!(perpetua_runtime::Prices::price(btc), Ok(p(100_100)));
        assert_eq!(
            perpetua_runtime::Prices::price(tsla),
            Err(perpetua_primitives::PriceError::Missing)
        );
        assert!(Oracle::get(&btc).is_none());
        assert_eq!(
            orml_oracle::RawValues::<Runtime>::get(acc(Alice), tsla).map(|v| v.value),
            Some(p(400))
        );
        // A second feed in the same block, or a stranger's, never gets into a block: the
        // transaction extension refuses it at validation.
        use sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError};
        let again = apply_signed(Alice, feed_values(vec![(btc, p(1))]));
        assert_eq!(
            again,
            Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
        );
        let dave = apply_signed(Dave, feed_values(vec![(btc, p(1))]));
        assert_eq!(
            dave,
            Err(TransactionValidityError::Invalid(
                InvalidTransaction::BadSigner
            ))
        );
        // orml-oracle's own feed_values is filtered: every feed goes through pallet-prices.
        let direct = RuntimeCall::Oracle(orml_oracle::Call::feed_values {
            values: vec![(btc, p(1))].try_into().unwrap(),
        });
        assert_eq!(
            apply_signed(Alice, direct).unwrap(),
            Err(frame_system::Error::<Runtime>::CallFiltered.into())
        );
        finish_block();

        // Root removes Charlie: his raw values stop counting.
        start_block(3);
        let remove = RuntimeCall::OracleOperators(pallet_membership::Call::remove_member {
            who: acc(Charlie).into(),
        });
        apply_signed(
            Alice,
            RuntimeCall::Sudo(pallet_sudo::Call::sudo {
                call: Box::new(remove),
            }),
        )
        .unwrap()
        .unwrap();
        assert!(!OracleOperators::members().contains(&acc(Charlie)));
        assert!(Oracle::raw_values(acc(Charlie), btc).is_none());
        // Only root changes operators.
        let add = RuntimeCall::OracleOperators(pallet_membership::Call::add_member {
            who: acc(Dave).into(),
        });
        assert_eq!(
            apply_signed(Bob, add).unwrap(),
            Err(DispatchError::BadOrigin)
        );
        finish_block();
    });
}

#[test]
fn nobody_creates_assets_with_a_signed_call() {
    dev_ext().execute_with(|| {
        run_to_block(1);
        start_block(2);
        let create = RuntimeCall::Assets(pallet_assets::Call::create {
            id: 99.into(),
            admin: acc(Bob).into(),
            min_balance: 1,
        });
        assert_eq!(
            apply_signed(Bob, create).unwrap(),
            Err(DispatchError::BadOrigin)
        );
        assert!(!Assets::asset_exists(99));
    });
}

#[test]
fn oracle_bounds_cover_operators_and_keys() {
    // Every operator can feed in every block, and one feed carries every key.
    let has_dispatched: u32 = <Runtime as orml_oracle::Config>::MaxHasDispatchedSize::get();
    let members: u32 =
        <Runtime as pallet_membership::Config<pallet_membership::Instance1>>::MaxMembers::get();
    let feed_values: u32 = <Runtime as orml_oracle::Config>::MaxFeedValues::get();
    assert_eq!(has_dispatched, MAX_ORACLE_OPERATORS);
    assert_eq!(members, MAX_ORACLE_OPERATORS);
    assert_eq!(feed_values, MAX_FEED_VALUES);
    // BTC, ETH, two volatilities, PRP and the example stocks.
    assert!(MAX_FEED_VALUES as usize >= 5 + EXAMPLE_STOCKS.len());
}

#[test]
fn metadata_lists_check_metadata_hash() {
    use frame_support::__private::metadata::RuntimeMetadata;
    dev_ext().execute_with(|| {
        let meta = Runtime::metadata();
        let RuntimeMetadata::V14(m) = meta.1 else {
            panic!("metadata v14 expected")
        };
        let names: Vec<_> = m
            .extrinsic
            .signed_extensions
            .iter()
            .map(|e| e.identifier.clone())
            .collect();
        assert!(names.iter().any(|n| n == "CheckMetadataHash"), "{names:?}");
        assert_eq!(System::block_number(), 0);
    });
}
