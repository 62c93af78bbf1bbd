//! Build stand-in for `pallet-revive-fixtures`.
//!
//! pallet-assets 43 depends on pallet-revive, whose `runtime-benchmarks` feature pulls in
//! pallet-revive-fixtures; its build script compiles RISC-V contracts against a polkavm target
//! specification that the Rust 1.95/1.96 toolchains here reject. Perpetua's runtime does not
//! contain pallet-revive and never runs its benchmarks, so this crate, patched in by the
//! workspace, only provides the same items with no contract code behind them.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

/// There are no compiled fixtures here.
#[cfg(feature = "std")]
pub fn compile_module(fixture_name: &str) -> anyhow::Result<(alloc::vec::Vec<u8>, sp_core::H256)> {
    anyhow::bail!("contract fixture {fixture_name} is not built in this workspace")
}

/// The benchmark fixtures pallet-revive names; empty programs.
pub mod bench {
    use alloc::vec::Vec;
    /// Not a contract: only the marker pallet-revive's helpers patch.
    pub const DUMMY: &[u8] = &[0xDE, 0xAD, 0xBE, 0xEF];
    /// Not a contract.
    pub const NOOP: &[u8] = &[];

    /// `DUMMY` with its marker replaced, as in the original crate.
    pub fn dummy_unique(replace_with: u32) -> Vec<u8> {
        replace_with.to_le_bytes().to_vec()
    }
}
