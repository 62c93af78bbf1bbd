//! Who acts: the development chain's keys in their genesis roles, plus traders the fuzzer
//! funds at the start of every sequence and one account that holds nothing.

use perpetua_runtime::AccountId;
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring as K;

/// A signer.
#[derive(Clone)]
pub struct Actor {
    pub name: String,
    pub pair: sr25519::Pair,
    pub account: AccountId,
}

/// Alice: the sudo key (the admin), an oracle operator and a main-tranche LP.
pub const ADMIN: usize = 0;
/// The oracle operators of the development preset: Alice, Bob, Charlie.
pub const OPERATORS: [usize; 3] = [0, 1, 2];
/// Eve: the custodian of every example stock token.
pub const CUSTODIAN: usize = 4;
/// Traders of the fuzzer, funded with PRP and every example stock at the start.
pub const FUZZ_TRADERS: usize = 6;

pub struct Actors {
    pub all: Vec<Actor>,
}

impl Actors {
    pub fn new() -> Self {
        let mut all: Vec<Actor> = [
            K::Alice,
            K::Bob,
            K::Charlie,
            K::Dave,
            K::Eve,
            K::Ferdie,
            K::AliceStash,
            K::BobStash,
        ]
        .into_iter()
        .map(|k| Actor {
            name: format!("{k:?}"),
            pair: k.pair(),
            account: k.to_account_id(),
        })
        .collect();
        for i in 0..FUZZ_TRADERS {
            all.push(Self::derived(&format!("trader{i}")));
        }
        all.push(Self::derived("nobody"));
        Actors { all }
    }

    fn derived(name: &str) -> Actor {
        let pair = sr25519::Pair::from_string(&format!("//fuzz/{name}"), None).expect("seed");
        Actor {
            name: name.into(),
            account: pair.public().into(),
            pair,
        }
    }

    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// Indices of the fuzzer's own traders.
    pub fn fuzz_traders(&self) -> std::ops::Range<usize> {
        8..8 + FUZZ_TRADERS
    }

    /// The account that holds nothing (every call it signs fails to pay).
    pub fn nobody(&self) -> usize {
        self.all.len() - 1
    }

    pub fn index_of(&self, who: &AccountId) -> Option<usize> {
        self.all.iter().position(|a| &a.account == who)
    }
}

impl Default for Actors {
    fn default() -> Self {
        Self::new()
    }
}
