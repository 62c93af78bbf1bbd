//! THIS FILE WAS AUTO-GENERATED USING THE SUBSTRATE BENCHMARK CLI VERSION 49.1.0
//! DATE: 2026-12-02 (Y/M/D)
//! HOSTNAME: `vm`, CPU: `Intel(R) Xeon(R) Processor`
//!
//! DATABASE: `ParityDb`, RUNTIME: `Perpetua Development`
//! BLOCK-NUM: `BlockId::Number(96)`
//! SKIP-WRITE: `false`, SKIP-READ: `false`, WARMUPS: `1`
//! STATE-VERSION: `V1`, STATE-CACHE-SIZE: ``
//! WEIGHT-PATH: `runtime/src/weights`
//! METRIC: `P95Percentile`, WEIGHT-MUL: `1.0`, WEIGHT-ADD: `0`

// Executed Command:
//   /root/.cache/perpetua/target/release/perpetua-node
//   benchmark
//   storage
//   --dev
//   --base-path
//   /tmp/loadbase/trade
//   --database
//   paritydb
//   --state-version
//   1
//   --metric
//   p95
//   --batch-size
//   10
//   --weight-path
//   runtime/src/weights

/// Storage DB weights for the `Perpetua Development` runtime and `ParityDb`.
pub mod constants {
    use frame_support::weights::constants;
    use frame_support::weights::RuntimeDbWeight;
    use sp_core::parameter_types;

    parameter_types! {
        /// `ParityDB` can be enabled with a feature flag, but is still experimental. These weights
        /// are available for brave runtime engineers who may want to try this out as default.
        pub const ParityDbWeight: RuntimeDbWeight = RuntimeDbWeight {
            // Time to read one storage item.
            // Calculated by multiplying the *P95Percentile* of all values with `1.0` and adding `0`.
            //
            // Stats nanoseconds:
            //   Min, Max: 1_491, 4_518_318
            //   Average:  11_245
            //   Median:   6_463
            //   Std-Dev:  135619.11
            //
            // Percentiles nanoseconds:
            //   99th: 20_264
            //   95th: 11_596
            //   75th: 8_112
            read: 11_596 * constants::WEIGHT_REF_TIME_PER_NANOS,

            // Time to write one storage item.
            // Calculated by multiplying the *P95Percentile* of all values with `1.0` and adding `0`.
            //
            // Stats nanoseconds:
            //   Min, Max: 21_537, 1_446_927
            //   Average:  39_620
            //   Median:   26_117
            //   Std-Dev:  134835.59
            //
            // Percentiles nanoseconds:
            //   99th: 41_779
            //   95th: 35_357
            //   75th: 27_902
            write: 35_357 * constants::WEIGHT_REF_TIME_PER_NANOS,
        };
    }

    #[cfg(test)]
    mod test_db_weights {
        use super::constants::ParityDbWeight as W;
        use frame_support::weights::constants;

        /// Checks that all weights exist and have sane values.
        // NOTE: If this test fails but you are sure that the generated values are fine,
        // you can delete it.
        #[test]
        fn bound() {
            // At least 1 µs.
            assert!(
                W::get().reads(1).ref_time() >= constants::WEIGHT_REF_TIME_PER_MICROS,
                "Read weight should be at least 1 µs."
            );
            assert!(
                W::get().writes(1).ref_time() >= constants::WEIGHT_REF_TIME_PER_MICROS,
                "Write weight should be at least 1 µs."
            );
            // At most 1 ms.
            assert!(
                W::get().reads(1).ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS,
                "Read weight should be at most 1 ms."
            );
            assert!(
                W::get().writes(1).ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS,
                "Write weight should be at most 1 ms."
            );
        }
    }
}
