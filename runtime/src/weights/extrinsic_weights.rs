//! THIS FILE WAS AUTO-GENERATED USING THE SUBSTRATE BENCHMARK CLI VERSION 49.1.0
//! DATE: 2026-12-04 (Y/M/D)
//! HOSTNAME: `vm`, CPU: `Intel(R) Xeon(R) Processor`
//!
//! SHORT-NAME: `extrinsic`, LONG-NAME: `ExtrinsicBase`, RUNTIME: `Perpetua Development`
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
    /// Weight of executing a NO-OP extrinsic, for example `System::remark`.
    /// Calculated by multiplying the *Average* with `1.0` and adding `0`.
    ///
    /// Stats nanoseconds:
    ///   Min, Max: 85_022, 93_607
    ///   Average:  88_706
    ///   Median:   87_193
    ///   Std-Dev:  2920.14
    ///
    /// Percentiles nanoseconds:
    ///   99th: 93_607
    ///   95th: 93_607
    ///   75th: 90_320
    pub const ExtrinsicBaseWeight: Weight =
        Weight::from_parts(WEIGHT_REF_TIME_PER_NANOS.saturating_mul(88_706), 0);
}

#[cfg(test)]
mod test_weights {
    use frame_support::weights::constants;

    /// Checks that the weight exists and is sane.
    // NOTE: If this test fails but you are sure that the generated values are fine,
    // you can delete it.
    #[test]
    fn sane() {
        let w = super::ExtrinsicBaseWeight::get();

        // At least 10 µs.
        assert!(
            w.ref_time() >= 10u64 * constants::WEIGHT_REF_TIME_PER_MICROS,
            "Weight should be at least 10 µs."
        );
        // At most 1 ms.
        assert!(
            w.ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS,
            "Weight should be at most 1 ms."
        );
    }
}
