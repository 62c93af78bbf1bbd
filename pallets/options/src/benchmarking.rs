//! Benchmarks (frame-benchmarking v2) for every call and for the block hook. The hook is also
//! benchmarked with 10 series against a growing number of positions (10 to 100,000): its cost
//! must not depend on it.

use super::*;
use crate::Pallet as Options;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::traits::EnsureOrigin;
use frame_system::RawOrigin;
use perpetua_primitives::CryptoIndex;

const UNIT: Balance = 1_000_000_000_000;

fn admin<T: Config>() -> T::RuntimeOrigin {
    T::AdminOrigin::try_successful_origin().unwrap_or_else(|_| RawOrigin::Root.into())
}

/// A settlement asset with a funded pool and usable prices (from the runtime's helper), and a
/// BTC market on it.
fn env<T: Config>() -> Result<(MarketId, AssetId), BenchmarkError> {
    let lp: T::AccountId = account("lp", 0, 0);
    let settlement = <T as Config>::BenchmarkHelper::settlement(&lp, 10_000_000 * UNIT);
    let market =
        Options::<T>::do_create_market(CryptoIndex::Btc, settlement, MarketParams::default())
            .map_err(|_| BenchmarkError::Stop("market"))?;
    Ok((market, settlement))
}

/// `n` series (calls, strikes around the money).
fn series<T: Config>(market: MarketId, n: u32) -> Result<Vec<SeriesId>, BenchmarkError> {
    (0..n)
        .map(|i| {
            let strike = FixedU128::from_u32(90_000 + 1_000 * i);
            Options::<T>::do_list_series(market, strike, OptionKind::Call)
                .map_err(|_| BenchmarkError::Stop("series"))
        })
        .collect()
}

/// A trader with collateral in `settlement`.
fn trader<T: Config>(settlement: AssetId, i: u32) -> Result<T::AccountId, BenchmarkError> {
    let who: T::AccountId = account("trader", i, 0);
    <pallet_assets::Pallet<T> as frame_support::traits::fungibles::Mutate<_>>::mint_into(
        settlement,
        &who,
        1_000_000 * UNIT,
    )
    .map_err(|_| BenchmarkError::Stop("fund"))?;
    Options::<T>::deposit(
        RawOrigin::Signed(who.clone()).into(),
        settlement,
        500_000 * UNIT,
    )
    .map_err(|_| BenchmarkError::Stop("deposit"))?;
    Ok(who)
}

fn far() -> Moment {
    Moment::MAX
}

/// A full book: `MaxSeriesPerSettlement` series, each with open interest (a holder long one
/// contract of each). The pool's delta check reads the book's aggregate (`BookDelta`), so a
/// trade's cost no longer grows with the book; the benchmarks keep the full book to show it.
/// Returns the series.
fn full_book<T: Config>(
    market: MarketId,
    settlement: AssetId,
) -> Result<Vec<SeriesId>, BenchmarkError> {
    let ids = series::<T>(market, T::MaxSeriesPerSettlement::get())?;
    // Holders of at most `MaxPositions` positions each.
    for (i, chunk) in ids
        .chunks(T::MaxPositions::get().max(1) as usize)
        .enumerate()
    {
        let holder = trader::<T>(settlement, 1_000 + i as u32)?;
        for id in chunk {
            Options::<T>::do_trade(&holder, *id, 1, None, TradeMode::Trader).map_err(|e| {
                let name: &'static str = e.into();
                BenchmarkError::Stop(name)
            })?;
        }
    }
    Ok(ids)
}

/// A settlement (the helper's) whose book has `s` series with open interest (a trader long
/// one contract of each), calls at distinct strikes, each on a BTC market of its own as far as
/// `MaxMarkets` allows: the most markets, prices and quotes a book of `s` series can need.
fn book_of_own_markets<T: Config>(s: u32) -> Result<(AssetId, Vec<SeriesId>), BenchmarkError> {
    let (first, settlement) = env::<T>()?;
    let room = T::MaxMarkets::get().saturating_sub(NextMarketId::<T>::get());
    let mut markets = alloc::vec![first];
    for _ in 1..s.min(room.saturating_add(1)) {
        markets.push(
            Options::<T>::do_create_market(CryptoIndex::Btc, settlement, MarketParams::default())
                .map_err(|_| BenchmarkError::Stop("market"))?,
        );
    }
    let mut ids = Vec::new();
    for i in 0..s {
        let market = markets[(i as usize) % markets.len()];
        let strike = FixedU128::from_u32(90_000 + 1_000 * i);
        let id = Options::<T>::do_list_series(market, strike, OptionKind::Call)
            .map_err(|_| BenchmarkError::Stop("series"))?;
        let who = trader::<T>(settlement, i)?;
        Options::<T>::do_trade(&who, id, 1, None, TradeMode::Trader)
            .map_err(|_| BenchmarkError::Stop("trade"))?;
        ids.push(id);
    }
    Ok((settlement, ids))
}

/// `a` stocks listed as extra collateral (the helper's), each with 1,000,000 tokens for `who`.
fn collateral_stocks<T: Config>(a: u32, who: &T::AccountId) -> Vec<AssetId> {
    (0..a)
        .map(|i| {
            let asset = <T as Config>::BenchmarkHelper::collateral_stock(i, who);
            CollateralAssets::<T>::insert(
                asset,
                CollateralParams {
                    initial: sp_runtime::Perbill::from_percent(45),
                    maintenance: sp_runtime::Perbill::from_percent(35),
                    per_sqrt_hour: sp_runtime::Perbill::from_percent(1),
                    max: sp_runtime::Perbill::from_percent(90),
                    cap: Balance::MAX,
                    accepted: true,
                },
            );
            asset
        })
        .collect()
}

/// A trader of `settlement` with `a` stocks of extra collateral posted (100,000 tokens each).
fn basket_trader<T: Config>(
    settlement: AssetId,
    i: u32,
    a: u32,
) -> Result<(T::AccountId, Vec<AssetId>), BenchmarkError> {
    let who = trader::<T>(settlement, i)?;
    let stocks = collateral_stocks::<T>(a, &who);
    for asset in &stocks {
        Options::<T>::do_deposit_collateral(&who, settlement, *asset, 100_000 * UNIT)
            .map_err(|_| BenchmarkError::Stop("deposit collateral"))?;
    }
    Ok((who, stocks))
}

/// `who` owes `debt` and its extra collateral is being auctioned (its settlement collateral
/// taken first, as a loss beyond it would).
fn in_debt<T: Config>(who: &T::AccountId, settlement: AssetId, debt: Balance) {
    let cash = Accounts::<T>::get(settlement, who).collateral;
    let _ = Options::<T>::debit(who, settlement, cash);
    Options::<T>::borrow(who, settlement, debt);
    Options::<T>::start_auction(who, settlement);
}

#[benchmarks]
mod benches {
    use super::*;

    #[benchmark]
    fn create_market() -> Result<(), BenchmarkError> {
        let (_, settlement) = env::<T>()?;
        #[extrinsic_call]
        _(
            admin::<T>() as T::RuntimeOrigin,
            CryptoIndex::Eth,
            settlement,
            MarketParams::default(),
        );
        Ok(())
    }

    #[benchmark]
    fn update_market() -> Result<(), BenchmarkError> {
        let (market, _) = env::<T>()?;
        #[extrinsic_call]
        _(
            admin::<T>() as T::RuntimeOrigin,
            market,
            MarketParams::default(),
            false,
        );
        Ok(())
    }

    #[benchmark]
    fn list_series() -> Result<(), BenchmarkError> {
        let (market, _) = env::<T>()?;
        // The duplicate check walks the settlement's series: make it long.
        series::<T>(market, T::MaxSeriesPerSettlement::get().saturating_sub(1))?;
        #[extrinsic_call]
        _(
            admin::<T>() as T::RuntimeOrigin,
            market,
            FixedU128::from_u32(1),
            OptionKind::Put,
        );
        Ok(())
    }

    #[benchmark]
    fn set_series_active() -> Result<(), BenchmarkError> {
        let (market, _) = env::<T>()?;
        let s = series::<T>(market, 1)?;
        #[extrinsic_call]
        _(admin::<T>() as T::RuntimeOrigin, s[0], false);
        Ok(())
    }

    #[benchmark]
    fn set_haircut() -> Result<(), BenchmarkError> {
        let (_, settlement) = env::<T>()?;
        #[extrinsic_call]
        _(
            admin::<T>() as T::RuntimeOrigin,
            settlement,
            HaircutParams::default(),
        );
        Ok(())
    }

    #[benchmark]
    fn deposit() -> Result<(), BenchmarkError> {
        let (market, settlement) = env::<T>()?;
        series::<T>(market, 1)?;
        let who = trader::<T>(settlement, 0)?;
        #[extrinsic_call]
        _(RawOrigin::Signed(who), settlement, UNIT);
        Ok(())
    }

    /// A withdrawal by an account with `p` positions (funding settled and health valued on each).
    /// A withdrawal by an account with `p` positions, in a settlement whose every series has
    /// open interest.
    #[benchmark]
    fn withdraw(p: Linear<1, { T::MaxPositions::get() }>) -> Result<(), BenchmarkError> {
        let (market, settlement) = env::<T>()?;
        let s = full_book::<T>(market, settlement)?;
        let who = trader::<T>(settlement, 0)?;
        for id in s.iter().take(p as usize) {
            Options::<T>::do_trade(&who, *id, 1, None, TradeMode::Trader)
                .map_err(|_| BenchmarkError::Stop("trade"))?;
        }
        <T as Config>::BenchmarkHelper::advance_time(3_000);
        #[extrinsic_call]
        _(RawOrigin::Signed(who), settlement, UNIT);
        Ok(())
    }

    /// A trade by an account that already holds `p - 1` positions (its health is valued over
    /// all `p` after the trade), opening risk (every check runs) in a settlement whose every
    /// series has open interest (the pool's delta check values them all).
    #[benchmark]
    fn trade(p: Linear<1, { T::MaxPositions::get() }>) -> Result<(), BenchmarkError> {
        let (market, settlement) = env::<T>()?;
        let s = full_book::<T>(market, settlement)?;
        let who = trader::<T>(settlement, 0)?;
        for id in s.iter().take(p as usize).skip(1) {
            Options::<T>::do_trade(&who, *id, 1, None, TradeMode::Trader)
                .map_err(|_| BenchmarkError::Stop("trade"))?;
        }
        <T as Config>::BenchmarkHelper::advance_time(3_000);
        #[extrinsic_call]
        _(
            RawOrigin::Signed(who.clone()),
            s[0],
            1,
            FixedU128::from_u32(1_000_000),
            far(),
        );
        assert!(Positions::<T>::contains_key(&who, s[0]));
        Ok(())
    }

    /// `n` traders, each opening one contract of its own series of one market, in one block
    /// of a full book. The slope over `n` is what one more trade adds to a block that has
    /// already traded on the market: its own series, position and margin account, while the
    /// market's prices, the pool, the ledger totals and the pool's receivable are read and
    /// written once for the block (`Pallet::trade_weight`'s warm case).
    #[benchmark]
    fn trades_in_block(
        n: Linear<1, { T::MaxSeriesPerSettlement::get() }>,
    ) -> Result<(), BenchmarkError> {
        let (market, settlement) = env::<T>()?;
        let s = full_book::<T>(market, settlement)?;
        let traders = (0..n)
            .map(|i| trader::<T>(settlement, i))
            .collect::<Result<alloc::vec::Vec<_>, _>>()?;
        <T as Config>::BenchmarkHelper::advance_time(3_000);
        #[block]
        {
            for (who, id) in traders.iter().zip(s.iter()) {
                Options::<T>::trade(
                    RawOrigin::Signed(who.clone()).into(),
                    *id,
                    1,
                    FixedU128::from_u32(1_000_000),
                    far(),
                )
                .map_err(|e| BenchmarkError::Stop(e.error.into()))?;
            }
        }
        for (who, id) in traders.iter().zip(s.iter()) {
            assert!(Positions::<T>::contains_key(who, id));
        }
        Ok(())
    }

    /// The block hook's work for one settlement's book (`accrue_book`; the hook is one per
    /// settlement, charged per book and per series): `s` series with open interest at
    /// distinct strikes, each on a market of its own as far as `MaxMarkets` allows (the most
    /// markets, prices and quotes a book can need), the index and the settlement's price moved
    /// 1% since the trades, as in a live block (every series' risk, the book's aggregates and
    /// the pool's margin in tokens change). The quotes are priced afresh: books sharing them
    /// in one block cost less than charged.
    #[benchmark]
    fn accrue_book(
        s: Linear<1, { T::MaxSeriesPerSettlement::get() }>,
    ) -> Result<(), BenchmarkError> {
        let (settlement, ids) = book_of_own_markets::<T>(s)?;
        <T as Config>::BenchmarkHelper::advance_time(3_000);
        for key in [
            OracleKey::Crypto(CryptoIndex::Btc),
            OracleKey::Asset(settlement),
        ] {
            let price = T::Prices::price(key).map_err(|_| BenchmarkError::Stop("no price"))?;
            let moved = price.saturating_add(price / perpetua_primitives::Price::from_u32(100));
            <T as Config>::BenchmarkHelper::set_price(key, moved);
        }
        let now = T::Time::now();
        let margin_before = PoolMargin::<T>::get(settlement);
        #[block]
        {
            Options::<T>::accrue_book(settlement, now, &mut Default::default());
        }
        // The hook did the work measured: every series accrued to now, the book's margin moved.
        for id in ids {
            let accrued = SeriesBook::<T>::get(id).is_some_and(|x| x.funding_time == now);
            if !accrued {
                return Err(BenchmarkError::Stop("a series was not accrued"));
            }
        }
        if PoolMargin::<T>::get(settlement) == margin_before {
            return Err(BenchmarkError::Stop("the book's margin did not move"));
        }
        Ok(())
    }

    /// A pool's book valued, as every LP flow values it (the pool charges it per flow as
    /// `BookValuationWeight`): `s` series with open interest at distinct strikes, each on a
    /// market of its own as far as `MaxMarkets` allows.
    #[benchmark]
    fn book_value(
        s: Linear<1, { T::MaxSeriesPerSettlement::get() }>,
    ) -> Result<(), BenchmarkError> {
        let (settlement, _) = book_of_own_markets::<T>(s)?;
        let depth = T::Pool::depth(settlement);
        let value;
        #[block]
        {
            value = Options::<T>::book_value(settlement, depth);
        }
        if value.is_err() {
            return Err(BenchmarkError::Stop("the book could not be valued"));
        }
        Ok(())
    }

    /// The block hook with 10 series and `n` open positions, written straight into storage:
    /// the hook never reads positions, so its cost must not depend on `n`.
    #[benchmark]
    fn accrue_funding_positions(n: Linear<10, 100_000>) -> Result<(), BenchmarkError> {
        let (market, settlement) = env::<T>()?;
        let ids = series::<T>(market, 10)?;
        for i in 0..n {
            let id = ids[(i % 10) as usize];
            let holder: T::AccountId = account("holder", i, 0);
            let series = SeriesBook::<T>::get(id).ok_or(BenchmarkError::Stop("no series"))?;
            let long = perpetua_pricing::position::Holding {
                size: 1,
                entry: valuation::fx(FixedU128::from_u32(10)),
            };
            Options::<T>::store_position(&holder, id, settlement, long, &series)?;
            SeriesBook::<T>::mutate(id, |x| {
                if let Some(x) = x {
                    x.long += 1;
                    x.entry_sum = x.entry_sum.saturating_add(FixedI128::from_u32(10));
                }
            });
        }
        <T as Config>::BenchmarkHelper::advance_time(3_000);
        #[block]
        {
            Options::<T>::accrue_all();
        }
        Ok(())
    }

    #[benchmark]
    fn set_collateral_params() -> Result<(), BenchmarkError> {
        let lp: T::AccountId = account("lp", 0, 0);
        let asset = <T as Config>::BenchmarkHelper::collateral_stock(0, &lp);
        let params = CollateralParams {
            initial: sp_runtime::Perbill::from_percent(45),
            maintenance: sp_runtime::Perbill::from_percent(35),
            per_sqrt_hour: sp_runtime::Perbill::from_percent(1),
            max: sp_runtime::Perbill::from_percent(90),
            cap: Balance::MAX,
            accepted: true,
        };
        #[extrinsic_call]
        _(admin::<T>() as T::RuntimeOrigin, asset, params);
        assert!(CollateralAssets::<T>::contains_key(asset));
        Ok(())
    }

    #[benchmark]
    fn set_auction_params() -> Result<(), BenchmarkError> {
        #[extrinsic_call]
        _(admin::<T>() as T::RuntimeOrigin, AuctionParams::default());
        Ok(())
    }

    /// The last stock a basket takes (`MaxCollateralAssets - 1` there already).
    #[benchmark]
    fn deposit_collateral() -> Result<(), BenchmarkError> {
        let (market, settlement) = env::<T>()?;
        series::<T>(market, 1)?;
        let a = T::MaxCollateralAssets::get();
        let (who, _) = basket_trader::<T>(settlement, 0, a.saturating_sub(1))?;
        let last = collateral_stocks::<T>(a, &who)[a.saturating_sub(1) as usize];
        #[extrinsic_call]
        _(RawOrigin::Signed(who.clone()), settlement, last, UNIT);
        assert_eq!(Baskets::<T>::get(settlement, &who).assets.len() as u32, a);
        Ok(())
    }

    /// A withdrawal of extra collateral by an account with `p` positions and a full basket,
    /// in a full book (funding settled and health valued on each position and stock).
    #[benchmark]
    fn withdraw_collateral(p: Linear<1, { T::MaxPositions::get() }>) -> Result<(), BenchmarkError> {
        let (market, settlement) = env::<T>()?;
        let s = full_book::<T>(market, settlement)?;
        let (who, stocks) = basket_trader::<T>(settlement, 0, T::MaxCollateralAssets::get())?;
        for id in s.iter().take(p as usize) {
            Options::<T>::do_trade(&who, *id, 1, None, TradeMode::Trader)
                .map_err(|_| BenchmarkError::Stop("trade"))?;
        }
        <T as Config>::BenchmarkHelper::advance_time(3_000);
        #[extrinsic_call]
        _(RawOrigin::Signed(who), settlement, stocks[0], UNIT);
        Ok(())
    }

    /// A keeper's purchase that takes the last of an account's last stock and leaves debt:
    /// the auction ends in bad debt absorbed by the pool (every branch of a purchase but the
    /// owner's surplus, which is a credit like a deposit's).
    #[benchmark]
    fn buy_collateral() -> Result<(), BenchmarkError> {
        let (market, settlement) = env::<T>()?;
        series::<T>(market, 1)?;
        let (who, stocks) = basket_trader::<T>(settlement, 0, 1)?;
        // Far more debt than the stock fetches at the auction's price.
        in_debt::<T>(&who, settlement, 10_000_000 * UNIT);
        let keeper = trader::<T>(settlement, 1)?;
        #[extrinsic_call]
        _(
            RawOrigin::Signed(keeper),
            settlement,
            who.clone(),
            stocks[0],
            Balance::MAX,
            FixedU128::from_u32(1_000_000),
        );
        assert!(!Baskets::<T>::contains_key(settlement, &who));
        Ok(())
    }

    /// What an account's basket of `a` stocks adds to a call that values it: the basket's
    /// read, each stock's valuation (its parameters, holding, price and gap term) and a
    /// repayment of debt from the pot to the pool.
    #[benchmark]
    fn basket_touch(a: Linear<0, { T::MaxCollateralAssets::get() }>) -> Result<(), BenchmarkError> {
        let (market, settlement) = env::<T>()?;
        series::<T>(market, 1)?;
        let (who, _) = basket_trader::<T>(settlement, 0, a)?;
        if a > 0 {
            in_debt::<T>(&who, settlement, UNIT);
            <pallet_assets::Pallet<T> as frame_support::traits::fungibles::Mutate<_>>::mint_into(
                settlement,
                &Options::<T>::pot(settlement),
                UNIT,
            )
            .map_err(|_| BenchmarkError::Stop("fund pot"))?;
        }
        #[block]
        {
            let basket = Baskets::<T>::get(settlement, &who);
            if !basket.assets.is_empty() {
                Options::<T>::basket_value(settlement, &basket, false)
                    .map_err(|_| BenchmarkError::Stop("value"))?;
                Options::<T>::repay_from_pot(&who, settlement, UNIT / 2)
                    .map_err(|_| BenchmarkError::Stop("repay"))?;
            }
        }
        Ok(())
    }

    impl_benchmark_test_suite!(Options, crate::mock::new_test_ext(), crate::mock::Test);
}
