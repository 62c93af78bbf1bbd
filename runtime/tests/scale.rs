//! 250 stocks at once (issue 17): the `scale` preset's genesis lists 250 stocks, each with a
//! pool and BTC and ETH markets of six series (500 markets, 3,000 series). Every series gets
//! open interest, every pool a queued LP deposit, and then one block is run as the node runs
//! it: its hooks (funding of every series, every pool's margin, the prices' EMAs, the pools'
//! queue), the three operators' feeds of all 255 keys, and the block's end. The block must fit,
//! its hooks in 15% of the block's weight, and the work must have been done; the same block
//! over one stock is the baseline of the ratio reported (docs/SCALE.md).

mod common;
use common::*;

use frame_support::{dispatch::DispatchClass, traits::Get};
use perpetua_primitives::{CryptoIndex, OracleKey, Price, Tranche};
use perpetua_runtime::{
    configs::oracle::MAX_FEED_VALUES,
    genesis_config_presets::{dev_genesis, Listing, SCALE_STOCKS},
    Options, Pool, Runtime, RuntimeCall, RuntimeOrigin, UncheckedExtrinsic, SLOT_DURATION,
};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve};
use sp_runtime::{FixedU128, Perbill};

const SHARE: u128 = 1_000_000_000_000;
/// Monday 2026-11-30 09:30 New York: Nasdaq opens.
const OPEN: u64 = GENESIS_TIME_MS + 30 * 60_000;

/// Every feed key of `listing`: BTC and ETH, their volatilities, and each stock at a price of
/// its own (USD 50 to 449).
fn all_prices(listing: &Listing) -> Vec<(OracleKey, Price)> {
    let mut v = vec![
        (
            OracleKey::Crypto(CryptoIndex::Btc),
            Price::from_u32(100_000),
        ),
        (
            OracleKey::ImpliedVol(CryptoIndex::Btc),
            Price::from_rational(60, 100),
        ),
        (OracleKey::Crypto(CryptoIndex::Eth), Price::from_u32(3_500)),
        (
            OracleKey::ImpliedVol(CryptoIndex::Eth),
            Price::from_rational(70, 100),
        ),
    ];
    v.extend(listing.stocks.iter().map(|s| {
        (
            OracleKey::Asset(s.id),
            Price::from_u32(50 + (s.id * 37) % 400),
        )
    }));
    v
}

/// All three operators feed every key, as signed extrinsics of the current block.
fn feed_all(listing: &Listing) {
    let values = all_prices(listing);
    for op in [Alice, Bob, Charlie] {
        apply_signed(op, feed_values(values.clone()))
            .unwrap()
            .unwrap();
    }
}

fn signed(who: Sr25519Keyring) -> RuntimeOrigin {
    RuntimeOrigin::signed(acc(who))
}

/// What one block at the scene's load weighed, and what it did.
#[derive(Debug)]
struct Figures {
    /// Weight the block hooks claimed at the block's start (funding, pool margins, EMAs, the
    /// pools' queue and the rest), excluding the block's fixed base.
    hooks: u64,
    /// The block's whole weight: base, hooks, inherent and the feeds.
    block: u64,
    series: usize,
    accrued: usize,
    flows_before: usize,
    flows_after: usize,
}

/// `listing`'s genesis; block 1 gives every series open interest (Dave, one contract of each,
/// through direct calls: setup, not measured) and queues an LP deposit by Eve in every pool;
/// block 3 (when those execute) is the one measured.
fn scene(listing: &Listing) -> Figures {
    let mut ext = ext_of(dev_genesis(listing));
    ext.execute_with(|| {
        start_block_at(1, OPEN);
        feed_all(listing);
        let all = pallet_options::AllSeries::<Runtime>::get();
        for settlement in &listing.pooled {
            Options::deposit(signed(Dave), *settlement, 300 * SHARE).unwrap();
            Pool::deposit(signed(Eve), *settlement, Tranche::Main, 10 * SHARE, 0).unwrap();
        }
        for id in all.iter() {
            Options::trade(
                signed(Dave),
                *id,
                1,
                FixedU128::from_u32(1_000_000),
                u64::MAX,
            )
            .unwrap();
        }
        finish_block();
        check_invariants();
        let queued = || {
            pallet_pool::Queue::<Runtime>::iter_values()
                .map(|q| q.len())
                .sum::<usize>()
        };
        // Block 2: prices again; the deposits execute from block 3 on (b + 2).
        start_block_at(2, OPEN + SLOT_DURATION);
        feed_all(listing);
        finish_block();
        let flows_before = queued();

        // Block 3: the block measured.
        let at = OPEN + 2 * SLOT_DURATION;
        start_block_at(3, at);
        let weights = <Runtime as frame_system::Config>::BlockWeights::get();
        let mandatory = frame_system::BlockWeight::<Runtime>::get()
            .get(DispatchClass::Mandatory)
            .ref_time();
        // The hooks' claim: what is mandatory less the block's base and the timestamp
        // inherent's own weight.
        let inherent =
            UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set {
                now: at,
            }));
        let inherent_weight = {
            use frame_support::dispatch::GetDispatchInfo;
            let info = inherent.function.get_dispatch_info();
            weights
                .get(DispatchClass::Mandatory)
                .base_extrinsic
                .saturating_add(info.call_weight)
                .ref_time()
        };
        let hooks = mandatory
            .saturating_sub(weights.base_block.ref_time())
            .saturating_sub(inherent_weight);
        feed_all(listing);
        finish_block();
        let block = frame_system::BlockWeight::<Runtime>::get()
            .total()
            .ref_time();
        let accrued = all
            .iter()
            .filter(|id| {
                pallet_options::SeriesBook::<Runtime>::get(**id)
                    .is_some_and(|s| s.funding_time == at)
            })
            .count();
        check_invariants();
        Figures {
            hooks,
            block,
            series: all.len(),
            accrued,
            flows_before,
            flows_after: queued(),
        }
    })
}

#[test]
fn a_block_at_250_stocks_feeds_accrues_and_queues_within_its_budget() {
    let wide = Listing::generated(SCALE_STOCKS);
    assert_eq!(wide.pooled.len(), SCALE_STOCKS as usize);
    // One feed carries every key.
    assert!(all_prices(&wide).len() <= MAX_FEED_VALUES as usize);
    let one = Listing {
        stocks: wide.stocks[..1].to_vec(),
        pooled: wide.pooled[..1].to_vec(),
        collateral: Vec::new(),
    };
    let at_one = scene(&one);
    let at_scale = scene(&wide);

    let max = <Runtime as frame_system::Config>::BlockWeights::get()
        .max_block
        .ref_time();
    let share = |w: u64| Perbill::from_rational(w, max);
    println!(
        "hooks at 1 stock: {} us ({:?} of the block); at {} stocks: {} us ({:?}); ratio {:.1}x; \
         whole block at {} stocks: {} us ({:?}); series {}, flows {} -> {}",
        at_one.hooks / 1_000_000,
        share(at_one.hooks),
        SCALE_STOCKS,
        at_scale.hooks / 1_000_000,
        share(at_scale.hooks),
        at_scale.hooks as f64 / at_one.hooks as f64,
        SCALE_STOCKS,
        at_scale.block / 1_000_000,
        share(at_scale.block),
        at_scale.series,
        at_scale.flows_before,
        at_scale.flows_after,
    );
    ext_of(dev_genesis(&one)).execute_with(|| {
        use pallet_options::WeightInfo as _;
        use pallet_prices::WeightInfo as _;
        // The options hook's charge: one book per stock, and each series.
        let book = pallet_options::weights::SubstrateWeight::<Runtime>::accrue_book(0);
        let per_series = pallet_options::weights::SubstrateWeight::<Runtime>::accrue_book(1)
            .saturating_sub(book);
        let funding = book
            .saturating_mul(SCALE_STOCKS as u64)
            .saturating_add(per_series.saturating_mul(at_scale.series as u64));
        let flows = pallet_pool::Pallet::<Runtime>::process_weight(
            <Runtime as pallet_pool::Config>::FlowsPerBlock::get(),
        );
        let emas = pallet_prices::weights::SubstrateWeight::<Runtime>::update_emas(
            all_prices(&wide).len() as u32,
        );
        let feed = pallet_prices::weights::SubstrateWeight::<Runtime>::feed(
            all_prices(&wide).len() as u32,
        );
        println!(
            "of which funding {} us, pool queue {} us, EMAs {} us; one operator's feed {} us",
            funding.ref_time() / 1_000_000,
            flows.ref_time() / 1_000_000,
            emas.ref_time() / 1_000_000,
            feed.ref_time() / 1_000_000,
        );
    });
    // 500 markets of six series, every one accrued to the measured block.
    assert_eq!(at_scale.series, 6 * 2 * SCALE_STOCKS as usize);
    assert_eq!(at_scale.accrued, at_scale.series);
    assert_eq!(at_one.accrued, 12);
    // The pools' queue did its block's share: `FlowsPerBlock` of the 250 deposits.
    let per_block: u32 = <Runtime as pallet_pool::Config>::FlowsPerBlock::get();
    let per_block = per_block as usize;
    assert_eq!(at_scale.flows_before, SCALE_STOCKS as usize);
    assert_eq!(at_scale.flows_before - at_scale.flows_after, per_block);
    // The hooks within 15% of the block, the whole block within it.
    assert!(
        share(at_scale.hooks) <= Perbill::from_percent(15),
        "hooks take {:?} of the block",
        share(at_scale.hooks)
    );
    assert!(at_scale.block <= max);
    assert!(at_scale.hooks > at_one.hooks);
}
