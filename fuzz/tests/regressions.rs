//! Every sequence the fuzzer once broke the chain with, shrunk, replayed: none may break an
//! invariant again. Each file in `fuzz/regressions/` is a `.steps` file written by the
//! fuzzer (`perpetua-fuzz --replay FILE` replays one by hand); its first line says what it
//! broke and the fix is named in docs/FUZZING.md.

use perpetua_fuzz::{actors::Actors, replay, runner::parse_steps};

#[test]
fn every_recorded_failure_replays_clean() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/regressions");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("fuzz/regressions exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "steps"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no regression sequences in {dir}");
    let actors = Actors::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        let steps = parse_steps(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            steps
                .iter()
                .any(|s| matches!(s, perpetua_fuzz::Step::Call { .. })),
            "{}: no call",
            path.display()
        );
        if let Some((block, what)) = replay(&steps, &actors) {
            panic!("{} breaks block {block} again: {what}", path.display());
        }
    }
}

mod by_hand {
    //! The fuzzer's first finds, shrunk by hand to the calls they need.
    use super::*;
    use perpetua_fuzz::{
        calls::{Origin, Planned},
        chain::GENESIS_TIME_MS,
        Step,
    };
    use perpetua_runtime::RuntimeCall;
    use sp_keyring::Sr25519Keyring::{Bob, Eve};
    use sp_runtime::MultiAddress;

    fn block(n: u32) -> Step {
        Step::Block {
            number: n,
            time: GENESIS_TIME_MS + (n as u64 - 1) * 3_000,
        }
    }

    fn call(origin: Origin, call: RuntimeCall) -> Step {
        Step::Call {
            planned: Planned { origin, call },
            random: true,
        }
    }

    /// The first fuzz trader (actor 8).
    const TRADER: usize = 8;

    /// Seed 11: a trader sent all its TSLA but the minimum balance away, then deposited half
    /// of the minimum as margin. pallet-assets took the whole minimum from the wallet and
    /// credited half to the pot: half a minimum balance left every account while still
    /// counted in the supply. Now the dust is burnt, off the supply.
    #[test]
    fn a_deposit_that_would_leave_dust_loses_nothing() {
        let steps = vec![
            block(2),
            call(
                Origin::Signed(TRADER),
                RuntimeCall::Assets(pallet_assets::Call::transfer_all {
                    id: 1.into(),
                    dest: MultiAddress::Id(Bob.to_account_id()),
                    keep_alive: true,
                }),
            ),
            call(
                Origin::Signed(TRADER),
                RuntimeCall::Options(pallet_options::Call::deposit {
                    settlement: 1,
                    amount: 500_000,
                }),
            ),
            block(3),
        ];
        assert_eq!(replay(&steps, &Actors::new()), None);
    }

    /// Seed 1: root's `Assets.force_asset_status` thawed TSLA in the middle of its
    /// dividend's walk (holders could then move balances the walk had not reached, and be
    /// paid twice). pallet-assets' force calls are now closed to root.
    #[test]
    fn root_cannot_thaw_a_stock_during_its_corporate_action() {
        let eve = || MultiAddress::Id(Eve.to_account_id());
        let steps = vec![
            block(2),
            call(
                Origin::Signed(perpetua_fuzz::actors::CUSTODIAN),
                RuntimeCall::Equities(pallet_equities::Call::declare_dividend {
                    asset: 1,
                    paid_in: None,
                    per_share: 1_000_000_000,
                }),
            ),
            call(
                Origin::Root,
                RuntimeCall::Assets(pallet_assets::Call::force_asset_status {
                    id: 1.into(),
                    owner: eve(),
                    issuer: eve(),
                    admin: eve(),
                    freezer: eve(),
                    min_balance: 1,
                    is_sufficient: true,
                    is_frozen: false,
                }),
            ),
            block(3),
        ];
        assert_eq!(replay(&steps, &Actors::new()), None);
    }
}
