//! THIS FILE WAS AUTO-GENERATED USING THE SUBSTRATE BENCHMARK CLI VERSION 49.1.0
//! DATE: 2026-12-04 (Y/M/D)
//! HOSTNAME: `vm`, CPU: `Intel(R) Xeon(R) Processor`
//!
//! SHORT-NAME: `block`, LONG-NAME: `BlockExecution`, RUNTIME: `Perpetua Development`
//! WARMUPS: `3`, REPEAT: `10`
//! WEIGHT-PATH: `/tmp/tmp.3hc9y3xozj`
//! WEIGHT-METRIC: `Average`, WEIGHT-MUL: `1.0`, WEIGHT-ADD: `0`

// Executed Command:
//   /root/.cache/perpetua/target/release/perpetua-node
//   benchmark
//   overhead
//   --dev
//   --database
//   paritydb
//   --warmup
//   3
//   --repeat
//   10
//   --weight-path
//   /tmp/tmp.3hc9y3xozj

use frame_support::parameter_types;
use frame_support::weights::{constants::WEIGHT_REF_TIME_PER_NANOS, Weight};

parameter_types! {
    /// Weight of executing an empty block.
    /// Calculated by multiplying the *Average* with `1.0` and adding `0`.
    ///
    /// Stats nanoseconds:
    ///   Min, Max: 260_152, 333_901
    ///   Average:  293_261
    ///   Median:   294_784
    ///   Std-Dev:  21375.86
    ///
    /// Percentiles nanoseconds:
    ///   99th: 333_901
    ///   95th: 333_901
    ///   75th: 301_037
    pub const BlockExecutionWeight: Weight =
        Weight::from_parts(WEIGHT_REF_TIME_PER_NANOS.saturating_mul(293_261), 0);
}

#[cfg(test)]
mod test_weights {
    use frame_support::weights::constants;

    /// Checks that the weight exists and is sane.
    // NOTE: If this test fails but you are sure that the generated values are fine,
    // you can delete it.
    #[test]
    fn sane() {
        let w = super::BlockExecutionWeight::get();

        // At least 100 µs.
        assert!(
            w.ref_time() >= 100u64 * constants::WEIGHT_REF_TIME_PER_MICROS,
            "Weight should be at least 100 µs."
        );
        // At most 50 ms.
        assert!(
            w.ref_time() <= 50u64 * constants::WEIGHT_REF_TIME_PER_MILLIS,
            "Weight should be at most 50 ms."
        );
    }
}
