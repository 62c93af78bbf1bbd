//! Builds the wasm runtime. With the `metadata-hash` feature (on for the node) the wasm is built
//! twice: once to read the metadata, then with its hash baked in for `CheckMetadataHash`.

#[cfg(all(feature = "std", feature = "metadata-hash"))]
fn main() {
    substrate_wasm_builder::WasmBuilder::init_with_defaults()
        .enable_metadata_hash("PRP", 12)
        .build();
}

#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
fn main() {
    substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// The wasm builder is off when this crate is itself compiled to wasm.
#[cfg(not(feature = "std"))]
fn main() {}
