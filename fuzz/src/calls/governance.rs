//! Governance, the brake and the validator set: committee motions (whose proposals are
//! delayed changes, vetoes, the brake or any other call), the delayed changes themselves,
//! multisig operations, preimages, the scheduler, session keys and the validator set. The
//! development preset's committee is Alice, Bob and Charlie.
//!
//! The brake is pulled rarely and released often: safe mode lasts a day, and a run where it
//! held throughout would only show that trades are filtered.

use super::{Gen, Origin, Planned};
use codec::Encode;
use frame_support::{dispatch::GetDispatchInfo, weights::Weight};
use perpetua_runtime::{AccountId, Runtime, RuntimeCall, SessionKeys};
use sp_core::{Pair, H256};
use sp_runtime::traits::{BlakeTwo256, Hash};

/// The committee of the development preset: Alice, Bob, Charlie.
const COMMITTEE: [usize; 3] = [0, 1, 2];

impl Gen<'_> {
    pub(super) fn governance(&mut self) -> Planned {
        match self.rng.weighted(&[12, 6, 3, 3, 4, 4, 3, 3, 2, 2]) {
            0 => self.committee(),
            1 => self.delayed_change(),
            2 => self.safe_mode(),
            3 => self.tx_pause(),
            4 => self.multisig(),
            5 => self.preimage(),
            6 => self.scheduler(),
            7 => self.session(),
            8 => self.validator_set(),
            _ => self.technical_membership(),
        }
    }

    fn member(&mut self) -> usize {
        if self.rng.chance(85) {
            *self.rng.pick(&COMMITTEE)
        } else {
            self.anyone()
        }
    }

    /// What a motion proposes: mostly a delayed change or a veto, then the brake, then
    /// anything.
    fn proposal(&mut self) -> RuntimeCall {
        match self.rng.weighted(&[8, 3, 2, 3, 2, 2]) {
            0 => RuntimeCall::Governance(pallet_governance::Call::schedule {
                call: Box::new(self.admin_call()),
            }),
            1 => RuntimeCall::Governance(pallet_governance::Call::veto {
                id: self.change_id(),
            }),
            2 => RuntimeCall::SafeMode(if self.rng.chance(30) {
                pallet_safe_mode::Call::force_enter {}
            } else {
                pallet_safe_mode::Call::force_exit {}
            }),
            3 => self.tx_pause().call,
            4 => self.inner(),
            _ => self.admin_call(),
        }
    }

    /// An admin call, as a delayed change would carry it.
    fn admin_call(&mut self) -> RuntimeCall {
        match self.rng.below(4) {
            0 => self.validator_set().call,
            1 => self.technical_membership().call,
            2 => RuntimeCall::Governance(pallet_governance::Call::set_enactment_delay {
                blocks: *self.rng.pick(&[0u32, 9, 10, 30, 1_000_000]),
            }),
            _ => self.inner(),
        }
    }

    fn change_id(&mut self) -> u32 {
        let next = pallet_governance::NextChangeId::<Runtime>::get();
        match self.rng.below(5) {
            0 => u32::MAX,
            _ => next.saturating_sub(1 + self.rng.below(3) as u32),
        }
    }

    /// The hash and index of an open motion, or made up ones.
    fn motion(&mut self) -> (H256, u32) {
        let open = pallet_collective::Proposals::<Runtime, pallet_collective::Instance1>::get();
        if !open.is_empty() && self.rng.chance(85) {
            let hash = *self.rng.pick(&open);
            let index =
                pallet_collective::Voting::<Runtime, pallet_collective::Instance1>::get(hash)
                    // `Votes`' fields are private; its encoding starts with the motion's index.
                    .and_then(|v| <u32 as codec::Decode>::decode(&mut &v.encode()[..]).ok())
                    .unwrap_or(0);
            (hash, index)
        } else {
            (
                H256::repeat_byte(self.rng.below(256) as u8),
                self.rng.below(4) as u32,
            )
        }
    }

    fn committee(&mut self) -> Planned {
        use pallet_collective::Call as C;
        let who = self.member();
        let (origin, call) = match self.rng.weighted(&[10, 12, 10, 2, 2, 2, 1, 1]) {
            0 => {
                let proposal = self.proposal();
                let length_bound = proposal.encoded_size() as u32 + self.rng.below(2) as u32;
                (
                    Origin::Signed(who),
                    C::propose {
                        threshold: *self.rng.pick(&[1u32, 2, 2, 3, 4]),
                        proposal: Box::new(proposal),
                        length_bound,
                    },
                )
            }
            1 => {
                let (proposal, index) = self.motion();
                (
                    Origin::Signed(who),
                    C::vote {
                        proposal,
                        index,
                        approve: self.rng.chance(80),
                    },
                )
            }
            2 => {
                let (proposal_hash, index) = self.motion();
                let (weight, length_bound) = pallet_collective::ProposalOf::<
                    Runtime,
                    pallet_collective::Instance1,
                >::get(proposal_hash)
                .map(|p| (p.get_dispatch_info().call_weight, p.encoded_size() as u32))
                .unwrap_or((Weight::zero(), 0));
                (
                    Origin::Signed(who),
                    C::close {
                        proposal_hash,
                        index,
                        proposal_weight_bound: weight,
                        length_bound,
                    },
                )
            }
            3 => {
                let proposal = self.proposal();
                let length_bound = proposal.encoded_size() as u32;
                (
                    Origin::Signed(who),
                    C::execute {
                        proposal: Box::new(proposal),
                        length_bound,
                    },
                )
            }
            4 => (
                self.admin(),
                C::disapprove_proposal {
                    proposal_hash: self.motion().0,
                },
            ),
            5 => (
                self.admin(),
                C::kill {
                    proposal_hash: self.motion().0,
                },
            ),
            6 => (
                Origin::Signed(who),
                C::release_proposal_cost {
                    proposal_hash: self.motion().0,
                },
            ),
            _ => {
                let take = 1 + self.rng.below(3) as usize;
                let old_count =
                    pallet_collective::Members::<Runtime, pallet_collective::Instance1>::get().len()
                        as u32;
                let members: Vec<AccountId> = COMMITTEE
                    .iter()
                    .take(take)
                    .map(|i| self.actors.all[*i].account.clone())
                    .collect();
                let prime = members.first().cloned().filter(|_| self.rng.chance(50));
                (
                    self.admin(),
                    C::set_members {
                        new_members: members,
                        prime,
                        old_count,
                    },
                )
            }
        };
        Planned {
            origin,
            call: RuntimeCall::TechnicalCommittee(call),
        }
    }

    /// Governance's calls sent directly: `schedule` and `veto` only work as a motion's
    /// proposal, so signed ones fail; `enact` and the delay are root's.
    fn delayed_change(&mut self) -> Planned {
        use pallet_governance::Call as C;
        let (origin, call) = match self.rng.below(4) {
            0 => (
                Origin::Signed(self.member()),
                C::schedule {
                    call: Box::new(self.admin_call()),
                },
            ),
            1 => (
                Origin::Signed(self.member()),
                C::veto {
                    id: self.change_id(),
                },
            ),
            2 => (
                self.admin(),
                C::enact {
                    id: self.change_id(),
                    call: Box::new(self.admin_call()),
                },
            ),
            _ => (
                self.admin(),
                C::set_enactment_delay {
                    blocks: *self.rng.pick(&[0u32, 10, 20, 100_000_000]),
                },
            ),
        };
        Planned {
            origin,
            call: RuntimeCall::Governance(call),
        }
    }

    fn safe_mode(&mut self) -> Planned {
        use pallet_safe_mode::Call as C;
        let who = self.anyone();
        let account = self.actors.all[who].account.clone();
        let block = perpetua_runtime::System::block_number();
        let (origin, call) = match self.rng.weighted(&[2, 2, 2, 2, 8, 2, 2, 2]) {
            // Nobody enters or extends for a deposit: these always fail.
            0 => (Origin::Signed(who), C::enter {}),
            1 => (self.admin(), C::force_enter {}),
            2 => (Origin::Signed(who), C::extend {}),
            3 => (self.admin(), C::force_extend {}),
            4 => (self.admin(), C::force_exit {}),
            5 => (self.admin(), C::force_slash_deposit { account, block }),
            6 => (Origin::Signed(who), C::release_deposit { account, block }),
            _ => (self.admin(), C::force_release_deposit { account, block }),
        };
        Planned {
            origin,
            call: RuntimeCall::SafeMode(call),
        }
    }

    fn tx_pause(&mut self) -> Planned {
        use pallet_tx_pause::Call as C;
        let names: [(&[u8], &[u8]); 7] = [
            (b"Options", b"trade"),
            (b"Pool", b"deposit"),
            (b"Liquidation", b"liquidate"),
            (b"Options", b"withdraw"),
            (b"Balances", b"transfer_keep_alive"),
            (b"TxPause", b"unpause"),
            (b"Nope", b"nothing"),
        ];
        let (p, c) = *self.rng.pick(&names);
        let full_name = (
            p.to_vec().try_into().unwrap_or_default(),
            c.to_vec().try_into().unwrap_or_default(),
        );
        // Unpausing is the commoner: a paused trade call stops most of the run.
        let call = if self.rng.chance(30) {
            C::pause { full_name }
        } else {
            C::unpause { ident: full_name }
        };
        Planned {
            origin: self.admin(),
            call: RuntimeCall::TxPause(call),
        }
    }

    /// Multisig operations of two of the first three traders' accounts (Dave, Eve, Ferdie).
    fn multisig(&mut self) -> Planned {
        use pallet_multisig::Call as C;
        let signers = [3usize, 4, 5];
        let who = if self.rng.chance(85) {
            *self.rng.pick(&signers)
        } else {
            self.anyone()
        };
        let me = self.actors.all[who].account.clone();
        let mut others: Vec<AccountId> = signers
            .iter()
            .map(|i| self.actors.all[*i].account.clone())
            .filter(|a| *a != me)
            .collect();
        others.sort();
        let inner = self.inner();
        let hash: [u8; 32] = sp_core::blake2_256(&inner.encode());
        let multisig = pallet_multisig::Pallet::<Runtime>::multi_account_id(
            &{
                let mut all = others.clone();
                all.push(me.clone());
                all.sort();
                all
            },
            2,
        );
        let timepoint = pallet_multisig::Multisigs::<Runtime>::get(&multisig, hash).map(|m| m.when);
        let max_weight = if self.rng.chance(80) {
            inner.get_dispatch_info().call_weight
        } else {
            Weight::zero()
        };
        let call = match self.rng.weighted(&[3, 6, 2, 2, 1]) {
            0 => C::as_multi_threshold_1 {
                other_signatories: others,
                call: Box::new(inner),
            },
            1 => C::as_multi {
                threshold: 2,
                other_signatories: others,
                maybe_timepoint: timepoint,
                call: Box::new(inner),
                max_weight,
            },
            2 => C::approve_as_multi {
                threshold: 2,
                other_signatories: others,
                maybe_timepoint: timepoint,
                call_hash: hash,
                max_weight,
            },
            3 => C::cancel_as_multi {
                threshold: 2,
                other_signatories: others,
                timepoint: timepoint.unwrap_or_default(),
                call_hash: hash,
            },
            _ => C::poke_deposit {
                threshold: 2,
                other_signatories: others,
                call_hash: hash,
            },
        };
        Planned {
            origin: Origin::Signed(who),
            call: RuntimeCall::Multisig(call),
        }
    }

    fn preimage(&mut self) -> Planned {
        use pallet_preimage::Call as C;
        let bytes = self.bytes(256);
        let hash = BlakeTwo256::hash(&bytes);
        let who = self.anyone();
        let (origin, call) = match self.rng.weighted(&[4, 2, 2, 2, 1]) {
            0 => (Origin::Signed(who), C::note_preimage { bytes }),
            1 => (Origin::Signed(who), C::unnote_preimage { hash }),
            2 => (self.admin(), C::request_preimage { hash }),
            3 => (self.admin(), C::unrequest_preimage { hash }),
            _ => (
                Origin::Signed(who),
                C::ensure_updated { hashes: vec![hash] },
            ),
        };
        Planned {
            origin,
            call: RuntimeCall::Preimage(call),
        }
    }

    /// The scheduler: root schedules any call (it dispatches as root later).
    fn scheduler(&mut self) -> Planned {
        use pallet_scheduler::Call as C;
        let now = perpetua_runtime::System::block_number();
        let when = now + self.rng.below(5) as u32;
        let id = [self.rng.below(4) as u8; 32];
        let periodic = self.rng.chance(10).then_some((2u32, 2u32));
        let call = match self.rng.below(10) {
            0 => C::schedule {
                when,
                maybe_periodic: periodic,
                priority: 127,
                call: Box::new(self.inner()),
            },
            1 => C::cancel {
                when,
                index: self.rng.below(3) as u32,
            },
            2 => C::schedule_named {
                id,
                when,
                maybe_periodic: periodic,
                priority: 127,
                call: Box::new(self.inner()),
            },
            3 => C::cancel_named { id },
            4 => C::schedule_after {
                after: self.rng.below(5) as u32,
                maybe_periodic: periodic,
                priority: 127,
                call: Box::new(self.inner()),
            },
            5 => C::schedule_named_after {
                id,
                after: self.rng.below(5) as u32,
                maybe_periodic: periodic,
                priority: 127,
                call: Box::new(self.inner()),
            },
            6 => C::set_retry {
                task: (when, self.rng.below(3) as u32),
                retries: 2,
                period: 2,
            },
            7 => C::set_retry_named {
                id,
                retries: 2,
                period: 2,
            },
            8 => C::cancel_retry {
                task: (when, self.rng.below(3) as u32),
            },
            _ => C::cancel_retry_named { id },
        };
        Planned {
            origin: self.admin(),
            call: RuntimeCall::Scheduler(call),
        }
    }

    /// Session keys: an actor's own keys (its sr25519 key for Aura, a derived ed25519 one for
    /// GRANDPA), someone else's (refused as a duplicate), or none.
    fn session(&mut self) -> Planned {
        use pallet_session::Call as C;
        let who = self.anyone();
        let owner = if self.rng.chance(80) {
            who
        } else {
            self.anyone()
        };
        let pair = &self.actors.all[owner].pair;
        let grandpa = sp_core::ed25519::Pair::from_seed(&pair.public().0);
        let keys = SessionKeys {
            aura: pair.public().into(),
            grandpa: grandpa.public().into(),
        };
        let call = if self.rng.chance(70) {
            C::set_keys {
                keys,
                proof: vec![],
            }
        } else {
            C::purge_keys {}
        };
        Planned {
            origin: Origin::Signed(who),
            call: RuntimeCall::Session(call),
        }
    }

    fn validator_set(&mut self) -> Planned {
        use pallet_validator_set::Call as C;
        let who = self.anyone();
        let account = self.actors.all[who].account.clone();
        let call = match self.rng.weighted(&[4, 3, 2]) {
            0 => C::add_validator { who: account },
            1 => C::remove_validator { who: account },
            _ => C::set_session_length {
                blocks: *self.rng.pick(&[0u32, 9, 10, 50, 1_000_000]),
            },
        };
        Planned {
            origin: self.admin(),
            call: RuntimeCall::ValidatorSet(call),
        }
    }

    fn technical_membership(&mut self) -> Planned {
        let (origin, call) = self.membership_call(&COMMITTEE, None);
        Planned {
            origin,
            call: RuntimeCall::TechnicalMembership(call),
        }
    }
}
