//! Random calls to every extrinsic of the runtime, with arguments drawn from what the chain
//! holds (listed stocks, series, pools, balances, queued requests) or from edges: zero, one,
//! the largest value, just over what is held, unknown ids, expired deadlines, accounts that do
//! not exist, pallet accounts.
//!
//! Who signs depends on the call: traders trade, LPs provide liquidity, keepers liquidate, the
//! custodian mints and declares corporate actions, the admin (through `sudo`) changes
//! parameters and listings; and every call is also sent, now and then, by someone who may
//! not make it.

mod governance;

use crate::{
    actors::{Actors, ADMIN, CUSTODIAN, OPERATORS},
    rng::Rng,
};
use codec::Compact;
use frame_support::{traits::fungibles::Inspect as _, weights::Weight};
use pallet_market_calendar::{ExchangeRules, HolidayRules};
use pallet_options::{HaircutParams, MarketParams, OptionKind};
use pallet_pool::PoolParams;
use perpetua_primitives::{AssetId, Balance, CryptoIndex, OracleKey, Price, Tranche};
use perpetua_runtime::{
    AccountId, Address, Assets, Balances, OriginCaller, Runtime, RuntimeCall, System,
};
use sp_runtime::{
    traits::{One, Zero},
    FixedU128, MultiAddress, Perbill,
};

/// How a call is sent.
#[derive(Clone, Debug)]
pub enum Origin {
    /// Signed by this actor.
    Signed(usize),
    /// Through `sudo`, signed by whoever holds the sudo key (if no actor does, by the first
    /// admin, and it fails).
    Root,
    /// As an unsigned transaction, through the transaction pool's validation.
    Bare,
}

/// A call and who sends it.
#[derive(Clone, Debug)]
pub struct Planned {
    pub origin: Origin,
    pub call: RuntimeCall,
}

/// A call the fuzzer never makes, with the reason (listed in the coverage report).
pub const UNREACHABLE: [(&str, &str, &str); 2] = [
    (
        "Grandpa",
        "report_equivocation",
        "the runtime's key-owner proof type is `sp_core::Void`: no value of it exists",
    ),
    (
        "Grandpa",
        "report_equivocation_unsigned",
        "the runtime's key-owner proof type is `sp_core::Void`: no value of it exists",
    ),
];

/// What the generator reads from the chain.
pub struct View {
    pub stocks: Vec<AssetId>,
    pub share_tokens: Vec<AssetId>,
    pub pools: Vec<AssetId>,
    pub markets: Vec<u32>,
    pub series: Vec<u32>,
    /// The series settled in TSLA (the stock the fuzz traders mostly margin in): the preset
    /// lists twelve stocks' books, so a uniform pick would seldom reach a TSLA account's.
    pub tsla_series: Vec<u32>,
    pub now: u64,
}

impl View {
    pub fn read(now: u64) -> Self {
        let stocks: Vec<AssetId> = pallet_equities::Stocks::<Runtime>::iter_keys().collect();
        let mut share_tokens = Vec::new();
        let mut pools = Vec::new();
        for (asset, info) in pallet_pool::Pools::<Runtime>::iter() {
            pools.push(asset);
            share_tokens.push(info.main_share);
            share_tokens.push(info.insurance_share);
        }
        let mut stocks = stocks;
        stocks.sort();
        pools.sort();
        share_tokens.sort();
        let mut markets: Vec<u32> = pallet_options::Markets::<Runtime>::iter_keys().collect();
        markets.sort();
        View {
            stocks,
            share_tokens,
            pools,
            markets,
            series: pallet_options::AllSeries::<Runtime>::get().into_inner(),
            tsla_series: pallet_options::SettlementSeries::<Runtime>::get(1).into_inner(),
            now,
        }
    }
}

/// The generator of one sequence.
pub struct Gen<'a> {
    pub rng: &'a mut Rng,
    pub actors: &'a Actors,
    pub view: View,
}

fn fixed(x: u128) -> FixedU128 {
    FixedU128::from_inner(x)
}

impl Gen<'_> {
    // ---------- actors and ids

    /// A trader: mostly the fuzzer's funded traders and the dev traders, sometimes an LP or
    /// the account that holds nothing.
    fn trader(&mut self) -> usize {
        match self.rng.below(20) {
            0 => self.actors.nobody(),
            1..=2 => *self.rng.pick(&OPERATORS),
            3..=6 => *self.rng.pick(&[3usize, 5, 6, 7]),
            _ => {
                let r = self.actors.fuzz_traders();
                r.start + self.rng.below((r.end - r.start) as u64) as usize
            }
        }
    }

    fn anyone(&mut self) -> usize {
        self.rng.below(self.actors.len() as u64) as usize
    }

    /// An admin call's origin: mostly root, sometimes someone who may not make it.
    fn admin(&mut self) -> Origin {
        if self.rng.chance(85) {
            Origin::Root
        } else {
            Origin::Signed(self.anyone())
        }
    }

    /// The custodian's calls: mostly the custodian.
    fn custodian(&mut self) -> Origin {
        match self.rng.below(10) {
            0 => Origin::Root,
            1 => Origin::Signed(self.anyone()),
            _ => Origin::Signed(CUSTODIAN),
        }
    }

    /// An account: an actor's, a pallet's, or one nobody controls.
    fn account(&mut self) -> AccountId {
        match self.rng.below(20) {
            0 => pallet_options::Pallet::<Runtime>::pot(self.stock()),
            1 => pallet_pool::Pallet::<Runtime>::account(self.stock()),
            2 => pallet_equities::Pallet::<Runtime>::account_id(),
            3 => AccountId::new([self.rng.below(256) as u8; 32]),
            _ => {
                let i = self.anyone();
                self.actors.all[i].account.clone()
            }
        }
    }

    fn address(&mut self) -> Address {
        if self.rng.chance(3) {
            return MultiAddress::Address20([7; 20]);
        }
        MultiAddress::Id(self.account())
    }

    fn actor_address(&mut self, i: usize) -> Address {
        MultiAddress::Id(self.actors.all[i].account.clone())
    }

    /// A listed stock (mostly the settlement stock TSLA), or an id that is not one.
    fn stock(&mut self) -> AssetId {
        match self.rng.below(20) {
            0 => *self.rng.pick(&[0, 999, u32::MAX]),
            1 if !self.view.share_tokens.is_empty() => *self.rng.pick(&self.view.share_tokens),
            2..=9 => 1,
            _ if !self.view.stocks.is_empty() => *self.rng.pick(&self.view.stocks),
            _ => 1,
        }
    }

    /// Any asset id: stocks, share tokens, unknown ids.
    fn asset(&mut self) -> AssetId {
        if self.rng.chance(30) && !self.view.share_tokens.is_empty() {
            *self.rng.pick(&self.view.share_tokens)
        } else {
            self.stock()
        }
    }

    fn series(&mut self) -> u32 {
        if self.rng.chance(5) || self.view.series.is_empty() {
            *self.rng.pick(&[0, 9_999, u32::MAX])
        } else if self.rng.chance(80) && !self.view.tsla_series.is_empty() {
            *self.rng.pick(&self.view.tsla_series)
        } else {
            *self.rng.pick(&self.view.series)
        }
    }

    fn market(&mut self) -> u32 {
        if self.rng.chance(10) || self.view.markets.is_empty() {
            *self.rng.pick(&[7, 999, u32::MAX])
        } else {
            *self.rng.pick(&self.view.markets)
        }
    }

    fn tranche(&mut self) -> Tranche {
        if self.rng.chance(70) {
            Tranche::Main
        } else {
            Tranche::Insurance
        }
    }

    fn index(&mut self) -> CryptoIndex {
        if self.rng.chance(50) {
            CryptoIndex::Btc
        } else {
            CryptoIndex::Eth
        }
    }

    // ---------- values

    /// An amount near `typical` (a balance held, a size that would pass), or an edge.
    fn amount(&mut self, typical: Balance) -> Balance {
        match self.rng.below(20) {
            0 => 0,
            1 => 1,
            2 => u128::MAX,
            3 => typical.saturating_add(1),
            4 => typical,
            5 => 1_000_000,
            6 => self.rng.u128(),
            _ => {
                let t = typical.max(1);
                // A fraction of typical, log-uniform down to a millionth.
                let e = self.rng.below(7) as u32;
                (t / 10u128.pow(e))
                    .max(1)
                    .saturating_mul(self.rng.range(1, 10) as u128)
                    / 10
            }
        }
        .max(if self.rng.chance(95) { 1 } else { 0 })
    }

    fn perbill(&mut self) -> Perbill {
        match self.rng.below(6) {
            0 => Perbill::zero(),
            1 => Perbill::from_parts(1),
            2 => Perbill::one(),
            _ => Perbill::from_parts(self.rng.below(1_000_000_001) as u32),
        }
    }

    /// A perbill near `current` (half to twice), or an edge.
    fn perbill_near(&mut self, current: Perbill) -> Perbill {
        if self.rng.chance(40) {
            self.perbill()
        } else {
            let f = 0.5 + self.rng.unit() * 1.5;
            Perbill::from_parts(
                ((current.deconstruct() as f64 * f) as u64).min(1_000_000_000) as u32,
            )
        }
    }

    fn fixed_near(&mut self, current: FixedU128) -> FixedU128 {
        match self.rng.below(10) {
            0 => FixedU128::zero(),
            1 => fixed(1),
            2 => fixed(u128::MAX),
            3 => FixedU128::one(),
            _ => {
                let f = 0.5 + self.rng.unit() * 1.5;
                fixed((current.into_inner() as f64 * f) as u128)
            }
        }
    }

    fn moment_near(&mut self, current: u64) -> u64 {
        match self.rng.below(8) {
            0 => 0,
            1 => 1,
            2 => u64::MAX,
            _ => ((current as f64) * (0.5 + self.rng.unit() * 1.5)) as u64,
        }
    }

    fn u32_near(&mut self, current: u32) -> u32 {
        match self.rng.below(8) {
            0 => 0,
            1 => 1,
            2 => u32::MAX,
            _ => ((current as f64) * (0.5 + self.rng.unit() * 1.5)) as u32,
        }
    }

    /// A price in USD: mostly near `level`, sometimes an edge.
    fn price_near(&mut self, level: f64) -> Price {
        match self.rng.below(10) {
            0 => Price::zero(),
            1 => fixed(1),
            2 => fixed(u128::MAX),
            _ => fixed((level * (0.2 + self.rng.unit() * 2.0) * 1e18) as u128),
        }
    }

    /// A deadline: mostly a minute ahead, sometimes passed or now.
    fn deadline(&mut self) -> u64 {
        let now = self.view.now;
        match self.rng.below(20) {
            0 => 0,
            1 => now.saturating_sub(1),
            2 => now,
            3 => u64::MAX,
            _ => now + 60_000,
        }
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = match self.rng.below(5) {
            0 => 0,
            1 => max,
            2 => max + 1,
            _ => self.rng.below(max as u64 + 1) as usize,
        };
        (0..n).map(|_| self.rng.below(256) as u8).collect()
    }

    fn ticker(&mut self) -> Vec<u8> {
        match self.rng.below(6) {
            0 => b"TSLA".to_vec(),
            1 => b"".to_vec(),
            2 => b"toolongticker".to_vec(),
            3 => b"bad$".to_vec(),
            _ => {
                let n = self.rng.range(1, 5) as usize;
                (0..n).map(|_| b'A' + self.rng.below(26) as u8).collect()
            }
        }
    }

    // ---------- what accounts hold

    fn stock_balance(&self, asset: AssetId, who: usize) -> Balance {
        Assets::balance(asset, &self.actors.all[who].account)
    }

    fn collateral(&self, who: usize, settlement: AssetId) -> Balance {
        pallet_options::Accounts::<Runtime>::get(settlement, &self.actors.all[who].account)
            .collateral
    }

    fn has_basket(&self, who: usize, settlement: AssetId) -> bool {
        pallet_options::Baskets::<Runtime>::contains_key(settlement, &self.actors.all[who].account)
    }

    /// The tokens of `asset` in `who`'s basket of extra collateral in `settlement`.
    fn extra_collateral(&self, who: usize, settlement: AssetId, asset: AssetId) -> Balance {
        pallet_options::Pallet::<Runtime>::extra_collateral(
            &self.actors.all[who].account,
            settlement,
        )
        .into_iter()
        .find(|(a, _)| *a == asset)
        .map_or(0, |(_, n)| n)
    }

    fn free(&self, who: usize) -> Balance {
        pallet_balances::Pallet::<Runtime>::free_balance(&self.actors.all[who].account)
    }

    // ---------- the calls

    /// One random call. Pallets are drawn by weight: what traders and LPs do most, admin and
    /// FRAME calls less, so that state builds up between the edges.
    pub fn call(&mut self) -> Planned {
        let weights = [
            30, // options
            14, // pool
            6,  // liquidation
            8,  // equities
            4,  // prices
            2,  // calendar
            6,  // assets
            4,  // balances
            2,  // utility
            2,  // sudo
            1,  // system
            1,  // membership, oracle, timestamp, grandpa
            6,  // governance, the brake, multisig, scheduler, session, validators
        ];
        match self.rng.weighted(&weights) {
            0 => self.options(),
            1 => self.pool(),
            2 => self.liquidation(),
            3 => self.equities(),
            4 => self.prices(),
            5 => self.calendar(),
            6 => self.assets(),
            7 => self.balances(),
            8 => self.utility(),
            9 => self.sudo(),
            10 => self.system(),
            11 => self.misc(),
            _ => self.governance(),
        }
    }

    fn options(&mut self) -> Planned {
        use pallet_options::Call as C;
        let who = self.trader();
        // Mostly the settlement stock of the markets.
        let settlement = if self.rng.chance(80) { 1 } else { self.stock() };
        let (origin, call) = match self
            .rng
            .weighted(&[20, 45, 12, 2, 2, 2, 2, 2, 10, 4, 4, 1, 1])
        {
            0 => {
                let held = self.stock_balance(settlement, who);
                (
                    Origin::Signed(who),
                    C::deposit {
                        settlement,
                        amount: self.amount(held / 2),
                    },
                )
            }
            1 => {
                let size = match self.rng.below(10) {
                    0 => *self.rng.pick(&[0i128, i128::MAX, i128::MIN, 1_000_000_000]),
                    1..=2 => {
                        // Large: most of the margin, so that shocks liquidate.
                        let s = self.rng.range(50, 400) as i128;
                        if self.rng.chance(50) {
                            s
                        } else {
                            -s
                        }
                    }
                    _ => {
                        let s = self.rng.range(1, 60) as i128;
                        if self.rng.chance(50) {
                            s
                        } else {
                            -s
                        }
                    }
                };
                let limit = match self.rng.below(10) {
                    0 => self.price_near(1_000.0),
                    _ if size > 0 => fixed(u128::MAX / 2),
                    _ => FixedU128::zero(),
                };
                (
                    Origin::Signed(who),
                    C::trade {
                        series: self.series(),
                        size,
                        limit_price: limit,
                        deadline: self.deadline(),
                    },
                )
            }
            2 => {
                let c = self.collateral(who, settlement);
                // An account margined in other stocks often takes all its settlement stock
                // out: its next fee or loss is debt, and its liquidation an auction.
                let all = self.has_basket(who, settlement) && self.rng.chance(50);
                (
                    Origin::Signed(who),
                    C::withdraw {
                        settlement,
                        amount: if all { c } else { self.amount(c) },
                    },
                )
            }
            3 => (
                self.admin(),
                C::create_market {
                    index: self.index(),
                    settlement,
                    params: self.market_params(MarketParams::default()),
                },
            ),
            4 => {
                let market = self.market();
                let current = pallet_options::Markets::<Runtime>::get(market)
                    .map(|m| m.params)
                    .unwrap_or_default();
                (
                    self.admin(),
                    C::update_market {
                        market,
                        params: self.market_params(current),
                        active: self.rng.chance(80),
                    },
                )
            }
            5 => {
                let strike = match self.rng.below(4) {
                    0 => self.price_near(1.0),
                    _ => fixed(self.rng.range(1, 200) as u128 * 1_000 * 10u128.pow(18)),
                };
                (
                    self.admin(),
                    C::list_series {
                        market: self.market(),
                        strike,
                        kind: if self.rng.chance(50) {
                            OptionKind::Call
                        } else {
                            OptionKind::Put
                        },
                    },
                )
            }
            6 => (
                self.admin(),
                C::set_series_active {
                    series: self.series(),
                    active: self.rng.chance(70),
                },
            ),
            7 => {
                let current = pallet_options::Haircuts::<Runtime>::get(settlement);
                let params = HaircutParams {
                    base: self.perbill_near(current.base),
                    per_sqrt_hour: self.perbill_near(current.per_sqrt_hour),
                    max: self.perbill_near(current.max),
                };
                (self.admin(), C::set_haircut { settlement, params })
            }
            8 => {
                // Another stock posted as extra collateral (sometimes the settlement stock
                // itself, or one that is not listed as collateral).
                let asset = self.stock();
                let held = self.stock_balance(asset, who);
                (
                    Origin::Signed(who),
                    C::deposit_collateral {
                        settlement,
                        asset,
                        amount: self.amount(held / 3),
                    },
                )
            }
            9 => {
                let asset = self.stock();
                let held = self.extra_collateral(who, settlement, asset);
                (
                    Origin::Signed(who),
                    C::withdraw_collateral {
                        settlement,
                        asset,
                        amount: self.amount(held),
                    },
                )
            }
            10 => {
                // A keeper buys from an auction: mostly of an account that has one running,
                // at a limit around the auction's price.
                let auctioned: Vec<usize> = (0..self.actors.len())
                    .filter(|i| {
                        pallet_options::Baskets::<Runtime>::get(
                            settlement,
                            &self.actors.all[*i].account,
                        )
                        .auction
                        .is_some()
                    })
                    .collect();
                let owner = if !auctioned.is_empty() && self.rng.chance(80) {
                    *self.rng.pick(&auctioned)
                } else {
                    self.trader()
                };
                // Mostly a stock the owner holds, at a limit a keeper who wants it would set.
                let held_stocks: Vec<AssetId> =
                    pallet_options::Pallet::<Runtime>::extra_collateral(
                        &self.actors.all[owner].account,
                        settlement,
                    )
                    .into_iter()
                    .map(|(a, _)| a)
                    .collect();
                let asset = if !held_stocks.is_empty() && self.rng.chance(80) {
                    *self.rng.pick(&held_stocks)
                } else {
                    self.stock()
                };
                let held = self.extra_collateral(owner, settlement, asset);
                let max_price = if self.rng.chance(60) {
                    fixed(10u128.pow(19))
                } else {
                    self.price_near(0.5)
                };
                (
                    Origin::Signed(self.trader()),
                    C::buy_collateral {
                        settlement,
                        who: self.actors.all[owner].account.clone(),
                        asset,
                        amount: self.amount(held).max(1),
                        max_price,
                    },
                )
            }
            11 => {
                let asset = self.stock();
                let current = pallet_options::CollateralAssets::<Runtime>::get(asset).unwrap_or(
                    pallet_options::CollateralParams {
                        initial: Perbill::from_percent(45),
                        maintenance: Perbill::from_percent(35),
                        per_sqrt_hour: Perbill::from_percent(1),
                        max: Perbill::from_percent(90),
                        cap: 1_000_000 * 10u128.pow(12),
                        accepted: true,
                    },
                );
                let params = pallet_options::CollateralParams {
                    initial: self.perbill_near(current.initial),
                    maintenance: self.perbill_near(current.maintenance),
                    per_sqrt_hour: self.perbill_near(current.per_sqrt_hour),
                    max: self.perbill_near(current.max),
                    cap: self.amount(current.cap),
                    accepted: self.rng.chance(90),
                };
                (self.admin(), C::set_collateral_params { asset, params })
            }
            _ => {
                let current = pallet_options::Auction::<Runtime>::get();
                let params = pallet_options::AuctionParams {
                    start_discount: self.perbill_near(current.start_discount),
                    step: self.perbill_near(current.step),
                    max_discount: self.perbill_near(current.max_discount),
                    max_buys_per_block: self.rng.range(0, 100) as u32,
                };
                (self.admin(), C::set_auction_params { params })
            }
        };
        Planned {
            origin,
            call: RuntimeCall::Options(call),
        }
    }

    fn market_params(&mut self, mut p: MarketParams) -> MarketParams {
        for _ in 0..self.rng.range(1, 3) {
            match self.rng.below(16) {
                0 => p.contract_size = self.fixed_near(p.contract_size),
                1 => p.funding_period_secs = self.moment_near(p.funding_period_secs),
                2 => p.fee_on_notional = self.perbill_near(p.fee_on_notional),
                3 => p.fee_cap_on_premium = self.perbill_near(p.fee_cap_on_premium),
                4 => p.initial_shock = self.perbill_near(p.initial_shock),
                5 => p.maintenance_shock = self.perbill_near(p.maintenance_shock),
                6 => p.initial_time_value = self.perbill_near(p.initial_time_value),
                7 => p.maintenance_time_value = self.perbill_near(p.maintenance_time_value),
                8 => p.initial_floor = self.perbill_near(p.initial_floor),
                9 => p.maintenance_floor = self.perbill_near(p.maintenance_floor),
                10 => p.curve_sensitivity = self.fixed_near(p.curve_sensitivity),
                11 => p.curve_max_skew = self.fixed_near(p.curve_max_skew),
                12 => p.max_open_interest = self.amount(p.max_open_interest),
                13 => p.liquidation_penalty = self.perbill_near(p.liquidation_penalty),
                14 => p.funding_cap = self.perbill_near(p.funding_cap),
                _ => p.latency_band = self.perbill_near(p.latency_band),
            }
        }
        p
    }

    fn pool(&mut self) -> Planned {
        use pallet_pool::Call as C;
        let asset = self.stock();
        let tranche = self.tranche();
        if self.rng.chance(4) {
            // A donation straight to the pool's account (the classic attack on share prices;
            // the admin sweeps it into the insurance tranche).
            let who = self.trader();
            let held = self.stock_balance(asset, who);
            return Planned {
                origin: Origin::Signed(who),
                call: RuntimeCall::Assets(pallet_assets::Call::transfer {
                    id: asset.into(),
                    target: MultiAddress::Id(pallet_pool::Pallet::<Runtime>::account(asset)),
                    amount: self.amount(held / 100),
                }),
            };
        }
        let (origin, call) = match self.rng.weighted(&[30, 25, 10, 6, 6, 2, 2, 2, 4]) {
            0 => {
                let who = self.trader();
                let held = self.stock_balance(asset, who);
                let min_shares = if self.rng.chance(90) {
                    0
                } else {
                    self.amount(held)
                };
                (
                    Origin::Signed(who),
                    C::deposit {
                        asset,
                        tranche,
                        amount: self.amount(held / 4),
                        min_shares,
                    },
                )
            }
            1 => {
                let share = pallet_pool::Pools::<Runtime>::get(asset)
                    .map(|i| i.tranche(tranche).1)
                    .unwrap_or(0);
                // Mostly someone who holds shares of the tranche.
                let holders: Vec<usize> = (0..self.actors.len())
                    .filter(|i| self.stock_balance(share, *i) > 0)
                    .collect();
                let who = if !holders.is_empty() && self.rng.chance(80) {
                    *self.rng.pick(&holders)
                } else {
                    self.trader()
                };
                let shares = self.stock_balance(share, who);
                let min_amount = if self.rng.chance(90) {
                    0
                } else {
                    self.amount(shares)
                };
                (
                    Origin::Signed(who),
                    C::withdraw {
                        asset,
                        tranche,
                        shares: self.amount(shares),
                        min_amount,
                    },
                )
            }
            2 => {
                // Someone's own request, another's, or none.
                let queue = pallet_pool::Queue::<Runtime>::get(asset);
                let (who, request) =
                    match queue.get(self.rng.below(queue.len() as u64 + 1) as usize) {
                        Some(r) if self.rng.chance(80) => (
                            self.actors
                                .index_of(&r.who)
                                .unwrap_or_else(|| self.trader()),
                            r.id,
                        ),
                        Some(r) => (self.trader(), r.id),
                        None => (self.trader(), self.rng.below(1_000)),
                    };
                (Origin::Signed(who), C::cancel_request { asset, request })
            }
            3 => (Origin::Signed(self.trader()), C::claim { asset }),
            4 => {
                let owed = pallet_pool::Deficits::<Runtime>::get(asset)
                    .map(|d| d.owed)
                    .unwrap_or(0);
                (
                    self.admin(),
                    C::settle_deficit {
                        asset,
                        amount: self.amount(owed),
                    },
                )
            }
            5 => (
                self.admin(),
                C::create_pool {
                    asset,
                    params: self.pool_params(PoolParams::default()),
                },
            ),
            6 => {
                let current = pallet_pool::Params::<Runtime>::get(asset).unwrap_or_default();
                (
                    self.admin(),
                    C::set_params {
                        asset,
                        params: self.pool_params(current),
                    },
                )
            }
            7 => (
                self.admin(),
                C::set_open {
                    asset,
                    open: self.rng.chance(70),
                },
            ),
            _ => (self.admin(), C::sweep_surplus { asset }),
        };
        Planned {
            origin,
            call: RuntimeCall::Pool(call),
        }
    }

    fn pool_params(&mut self, mut p: PoolParams) -> PoolParams {
        for _ in 0..self.rng.range(1, 3) {
            match self.rng.below(10) {
                0 => p.min_liquidity_ratio = self.fixed_near(p.min_liquidity_ratio),
                1 => p.max_net_delta = self.perbill_near(p.max_net_delta),
                2 => p.fee_to_main = self.perbill_near(p.fee_to_main),
                3 => p.fee_to_insurance = self.perbill_near(p.fee_to_insurance),
                4 => p.insurance_share = self.perbill_near(p.insurance_share),
                5 => p.withdrawal_fee = self.perbill_near(p.withdrawal_fee),
                6 => p.early_withdrawal_fee = self.perbill_near(p.early_withdrawal_fee),
                7 => p.cooldown = self.moment_near(p.cooldown),
                8 => p.min_flow = self.amount(p.min_flow),
                _ => p.depth_smoothing = self.moment_near(p.depth_smoothing),
            }
        }
        p
    }

    fn liquidation(&mut self) -> Planned {
        use pallet_liquidation::Call as C;
        let settlement = self.stock();
        // Keepers watch: mostly an account that can be liquidated now, if there is one.
        let liquidatable: Vec<AccountId> =
            pallet_options::OpenAccounts::<Runtime>::iter_key_prefix(1)
                .filter(|w| pallet_liquidation::Pallet::<Runtime>::check_liquidatable(w, 1).is_ok())
                .collect();
        let (who, settlement) = if !liquidatable.is_empty() && self.rng.chance(70) {
            (self.rng.pick(&liquidatable).clone(), 1)
        } else {
            let i = self.trader();
            if self.rng.chance(90) {
                (self.actors.all[i].account.clone(), settlement)
            } else {
                (self.account(), settlement)
            }
        };
        let (origin, call) = match self.rng.weighted(&[80, 15, 5]) {
            0 => (
                Origin::Signed(self.anyone()),
                C::liquidate { who, settlement },
            ),
            1 => {
                let origin = if self.rng.chance(70) {
                    Origin::Bare
                } else {
                    Origin::Signed(self.anyone())
                };
                (origin, C::liquidate_unsigned { who, settlement })
            }
            _ => {
                let mut p = pallet_liquidation::Params::<Runtime>::get();
                for _ in 0..self.rng.range(1, 2) {
                    match self.rng.below(6) {
                        0 => p.keeper_share = self.perbill_near(p.keeper_share),
                        1 => p.max_per_block = self.u32_near(p.max_per_block),
                        2 => p.scan_per_run = self.u32_near(p.scan_per_run),
                        3 => p.watch_ratio = self.perbill_near(p.watch_ratio),
                        4 => p.close_buffer = self.perbill_near(p.close_buffer),
                        _ => p.adl_scan = self.u32_near(p.adl_scan),
                    }
                }
                (self.admin(), C::set_params { params: p })
            }
        };
        Planned {
            origin,
            call: RuntimeCall::Liquidation(call),
        }
    }

    fn equities(&mut self) -> Planned {
        use pallet_equities::Call as C;
        let asset = self.stock();
        let (origin, call) = match self
            .rng
            .weighted(&[2, 1, 2, 1, 8, 12, 10, 2, 2, 2, 2, 5, 4, 4, 1])
        {
            0 => {
                let name = self.bytes(20);
                let isin = if self.rng.chance(50) {
                    None
                } else {
                    let mut i = *b"US88160R1014";
                    if self.rng.chance(30) {
                        i[self.rng.below(12) as usize] = b'0' + self.rng.below(10) as u8;
                    }
                    Some(i)
                };
                (
                    self.admin(),
                    C::list_stock {
                        ticker: self.ticker().try_into().unwrap_or_default(),
                        name: name.try_into().unwrap_or_default(),
                        decimals: *self.rng.pick(&[0u8, 6, 12, 18, 30]),
                        exchange: *self.rng.pick(&[pallet_market_calendar::nyse::NASDAQ, 0, 9]),
                        custodian: self.actor_address(CUSTODIAN),
                        isin,
                        min_balance: *self.rng.pick(&[0u128, 1, 1_000_000]),
                    },
                )
            }
            1 => (self.admin(), C::delist { asset }),
            2 => (
                self.admin(),
                C::set_halted {
                    asset,
                    halted: self.rng.chance(50),
                },
            ),
            3 => {
                let who = if self.rng.chance(80) {
                    CUSTODIAN
                } else {
                    self.anyone()
                };
                let custodian = self.actor_address(who);
                (self.admin(), C::set_custodian { asset, custodian })
            }
            4 => {
                let supply = Assets::total_issuance(asset);
                let reserve = match self.rng.below(4) {
                    0 => self.amount(supply),
                    _ => supply.saturating_mul(2),
                };
                let as_of = match self.rng.below(10) {
                    0 => 0,
                    1 => u64::MAX,
                    2 => self.view.now + 1,
                    3..=4 => self.view.now.saturating_sub(self.rng.below(3_600_000)),
                    _ => self.view.now,
                };
                (
                    self.custodian(),
                    C::attest_reserves {
                        asset,
                        reserve,
                        as_of,
                    },
                )
            }
            5 => {
                let i = self.trader();
                let beneficiary = if self.rng.chance(90) {
                    self.actor_address(i)
                } else {
                    self.address()
                };
                (
                    self.custodian(),
                    C::mint {
                        asset,
                        beneficiary,
                        amount: self.amount(100 * 10u128.pow(12)),
                    },
                )
            }
            6 => {
                let who = self.trader();
                let held = self.stock_balance(asset, who);
                (
                    Origin::Signed(who),
                    C::redeem {
                        asset,
                        amount: self.amount(held / 10),
                        delivery_ref: self.bytes(40).try_into().unwrap_or_default(),
                    },
                )
            }
            7 => {
                let i = self.anyone();
                (
                    self.admin(),
                    C::add_minter {
                        asset,
                        who: self.actor_address(i),
                    },
                )
            }
            8 => {
                // Mostly a minter there is.
                let minters: Vec<(AssetId, AccountId)> =
                    pallet_equities::Minters::<Runtime>::iter_keys().collect();
                let (asset, who) = if !minters.is_empty() && self.rng.chance(70) {
                    let (a, w) = self.rng.pick(&minters).clone();
                    (a, MultiAddress::Id(w))
                } else {
                    let i = self.anyone();
                    (asset, self.actor_address(i))
                };
                (self.admin(), C::remove_minter { asset, who })
            }
            9 => {
                let who = self.address();
                (self.admin(), C::freeze_account { asset, who })
            }
            10 => {
                let who = self.address();
                (self.admin(), C::thaw_account { asset, who })
            }
            11 => {
                let paid_in = match self.rng.below(4) {
                    0 => Some(self.stock()),
                    _ => None,
                };
                let per_share = match self.rng.below(5) {
                    0 => self.amount(10u128.pow(12)),
                    _ => self.rng.range(1, 5_000) as u128 * 10u128.pow(9),
                };
                (
                    self.custodian(),
                    C::declare_dividend {
                        asset,
                        paid_in,
                        per_share,
                    },
                )
            }
            12 => {
                let (numerator, denominator) = match self.rng.below(8) {
                    0 => (0, 1),
                    1 => (1, 0),
                    2 => (u32::MAX, 1),
                    3 => (1, u32::MAX),
                    4 => (1, 1),
                    5 => (1, 10),
                    6 => (3, 1),
                    _ => (self.rng.range(1, 20) as u32, self.rng.range(1, 20) as u32),
                };
                (
                    self.admin(),
                    C::declare_split {
                        asset,
                        numerator,
                        denominator,
                    },
                )
            }
            13 => (
                Origin::Signed(self.anyone()),
                C::process_actions {
                    max_holders: *self.rng.pick(&[0, 1, 10, 100, u32::MAX]),
                },
            ),
            _ => {
                let p = pallet_equities::ParamsStore::<Runtime>::get();
                let params = pallet_equities::Params {
                    max_attestation_age: self.moment_near(p.max_attestation_age),
                    holders_per_block: self.u32_near(p.holders_per_block),
                };
                (self.admin(), C::set_params { params })
            }
        };
        Planned {
            origin,
            call: RuntimeCall::Equities(call),
        }
    }

    fn prices(&mut self) -> Planned {
        use pallet_prices::Call as C;
        let held: Vec<OracleKey> = pallet_prices::Held::<Runtime>::iter_keys().collect();
        let key = match self.rng.below(6) {
            _ if !held.is_empty() && self.rng.chance(70) => *self.rng.pick(&held),
            0 => OracleKey::Crypto(self.index()),
            1 => OracleKey::ImpliedVol(self.index()),
            2 => OracleKey::Native,
            _ => OracleKey::Asset(self.stock()),
        };
        let (origin, call) = match self.rng.weighted(&[6, 3, 3, 2]) {
            0 => {
                // A stray feed: an operator or anyone, one key, any value, sometimes more
                // values than a feed may carry.
                let who = if self.rng.chance(60) {
                    *self.rng.pick(&OPERATORS)
                } else {
                    self.anyone()
                };
                let n = if self.rng.chance(5) { 200 } else { 1 };
                let values: Vec<_> = (0..n).map(|_| (key, self.price_near(1_000.0))).collect();
                match values.try_into() {
                    Ok(values) => (Origin::Signed(who), C::feed { values }),
                    Err(_) => (
                        Origin::Signed(who),
                        C::feed {
                            values: Default::default(),
                        },
                    ),
                }
            }
            1 => (self.admin(), C::confirm_held { key }),
            2 => (self.admin(), C::reject_held { key }),
            _ => {
                let mut p = pallet_prices::Params::<Runtime>::get();
                for _ in 0..self.rng.range(1, 2) {
                    match self.rng.below(10) {
                        0 => p.crypto_max_age = self.moment_near(p.crypto_max_age),
                        1 => p.stock_max_age = self.moment_near(p.stock_max_age),
                        2 => p.open_grace = self.moment_near(p.open_grace),
                        3 => p.max_closed_age = self.moment_near(p.max_closed_age),
                        4 => p.breaker_threshold = self.perbill_near(p.breaker_threshold),
                        5 => p.quorum_spread = self.perbill_near(p.quorum_spread),
                        6 => p.close_ramp = self.moment_near(p.close_ramp),
                        7 => p.ema_period = self.moment_near(p.ema_period),
                        8 => p.min_vol = self.fixed_near(p.min_vol),
                        _ => p.max_vol = self.fixed_near(p.max_vol),
                    }
                }
                (self.admin(), C::set_params { params: p })
            }
        };
        Planned {
            origin,
            call: RuntimeCall::Prices(call),
        }
    }

    fn calendar(&mut self) -> Planned {
        use pallet_market_calendar::Call as C;
        // Mostly an (exchange, year) the calendar holds.
        let held: Vec<(u16, u16)> = pallet_market_calendar::Years::<Runtime>::iter_keys().collect();
        let (exchange, year) = if !held.is_empty() && self.rng.chance(60) {
            *self.rng.pick(&held)
        } else {
            (
                *self.rng.pick(&[
                    pallet_market_calendar::nyse::NASDAQ,
                    pallet_market_calendar::nyse::NYSE,
                    77,
                ]),
                *self.rng.pick(&[2026u16, 2027, 1969, 9999]),
            )
        };
        let call = match self.rng.weighted(&[2, 3, 1, 4]) {
            0 => {
                let mut rules = ExchangeRules::US_EQUITIES;
                match self.rng.below(6) {
                    0 => rules.open_minute = self.rng.below(1_500) as u16,
                    1 => rules.close_minute = self.rng.below(1_500) as u16,
                    2 => rules.early_close_minute = self.rng.below(1_500) as u16,
                    3 => rules.holidays = HolidayRules::None,
                    4 => rules.time_zone.std_offset_minutes = self.rng.range(0, 1_800) as i16 - 900,
                    _ => {}
                }
                C::set_exchange {
                    exchange,
                    name: self.bytes(10).try_into().unwrap_or_default(),
                    rules,
                }
            }
            1 => {
                let days = |g: &mut Self, n: u64| -> Vec<(u8, u8)> {
                    (0..g.rng.below(n))
                        .map(|_| (g.rng.range(0, 13) as u8, g.rng.range(0, 32) as u8))
                        .collect()
                };
                let holidays = days(self, 6);
                let early = days(self, 3);
                C::set_year {
                    exchange,
                    year,
                    holidays: holidays.try_into().unwrap_or_default(),
                    early_closes: early.try_into().unwrap_or_default(),
                }
            }
            2 => C::remove_year { exchange, year },
            _ => C::set_exchange_halt {
                exchange,
                halted: self.rng.chance(50),
            },
        };
        Planned {
            origin: self.admin(),
            call: RuntimeCall::MarketCalendar(call),
        }
    }

    fn assets(&mut self) -> Planned {
        use pallet_assets::Call as C;
        let id: Compact<AssetId> = Compact(self.asset());
        let who = self.trader();
        let held = self.stock_balance(id.0, who);
        let amount = self.amount(held / 3);
        let (origin, call) = match self.rng.below(33) {
            0 => (
                Origin::Signed(who),
                C::create {
                    id: Compact(1_000 + self.rng.below(10) as u32),
                    admin: self.actor_address(who),
                    min_balance: 1,
                },
            ),
            1 => (
                self.admin(),
                C::force_create {
                    id: Compact(1_000 + self.rng.below(10) as u32),
                    owner: self.actor_address(who),
                    is_sufficient: self.rng.chance(50),
                    min_balance: self.amount(10),
                },
            ),
            2 => (self.admin_or(who), C::start_destroy { id }),
            3 => (Origin::Signed(who), C::destroy_accounts { id }),
            4 => (Origin::Signed(who), C::destroy_approvals { id }),
            5 => (Origin::Signed(who), C::finish_destroy { id }),
            6 => (
                Origin::Signed(who),
                C::mint {
                    id,
                    beneficiary: self.address(),
                    amount,
                },
            ),
            7 => (
                Origin::Signed(who),
                C::burn {
                    id,
                    who: self.address(),
                    amount,
                },
            ),
            8 | 9 => (
                Origin::Signed(who),
                C::transfer {
                    id,
                    target: self.address(),
                    amount,
                },
            ),
            10 => (
                Origin::Signed(who),
                C::transfer_keep_alive {
                    id,
                    target: self.address(),
                    amount,
                },
            ),
            11 => (
                Origin::Signed(who),
                C::force_transfer {
                    id,
                    source: self.address(),
                    dest: self.address(),
                    amount,
                },
            ),
            12 => (
                Origin::Signed(who),
                C::freeze {
                    id,
                    who: self.address(),
                },
            ),
            13 => (
                Origin::Signed(who),
                C::thaw {
                    id,
                    who: self.address(),
                },
            ),
            14 => (Origin::Signed(who), C::freeze_asset { id }),
            15 => (Origin::Signed(who), C::thaw_asset { id }),
            16 => (
                Origin::Signed(who),
                C::transfer_ownership {
                    id,
                    owner: self.address(),
                },
            ),
            17 => (
                Origin::Signed(who),
                C::set_team {
                    id,
                    issuer: self.address(),
                    admin: self.address(),
                    freezer: self.address(),
                },
            ),
            18 => (
                Origin::Signed(who),
                C::set_metadata {
                    id,
                    name: self.bytes(8),
                    symbol: self.bytes(4),
                    decimals: 12,
                },
            ),
            19 => (Origin::Signed(who), C::clear_metadata { id }),
            20 => (
                self.admin_or(who),
                C::force_set_metadata {
                    id,
                    name: self.bytes(8),
                    symbol: self.bytes(4),
                    decimals: *self.rng.pick(&[0u8, 12, 255]),
                    is_frozen: self.rng.chance(50),
                },
            ),
            21 => (self.admin_or(who), C::force_clear_metadata { id }),
            22 => (
                self.admin_or(who),
                C::force_asset_status {
                    id,
                    owner: self.address(),
                    issuer: self.address(),
                    admin: self.address(),
                    freezer: self.address(),
                    min_balance: self.amount(1_000_000),
                    is_sufficient: self.rng.chance(50),
                    is_frozen: self.rng.chance(50),
                },
            ),
            23 => (
                Origin::Signed(who),
                C::approve_transfer {
                    id,
                    delegate: self.address(),
                    amount,
                },
            ),
            24 => (
                Origin::Signed(who),
                C::cancel_approval {
                    id,
                    delegate: self.address(),
                },
            ),
            25 => (
                self.admin_or(who),
                C::force_cancel_approval {
                    id,
                    owner: self.address(),
                    delegate: self.address(),
                },
            ),
            26 => {
                // A delegate spends what an owner approved.
                let owner = self.trader();
                (
                    Origin::Signed(who),
                    C::transfer_approved {
                        id,
                        owner: self.actor_address(owner),
                        destination: self.address(),
                        amount,
                    },
                )
            }
            27 => (Origin::Signed(who), C::touch { id }),
            28 => (
                Origin::Signed(who),
                C::refund {
                    id,
                    allow_burn: self.rng.chance(50),
                },
            ),
            29 => (
                Origin::Signed(who),
                C::set_min_balance {
                    id,
                    min_balance: self.amount(1_000_000),
                },
            ),
            30 => (
                Origin::Signed(who),
                C::touch_other {
                    id,
                    who: self.address(),
                },
            ),
            31 => {
                if self.rng.chance(50) {
                    (
                        Origin::Signed(who),
                        C::refund_other {
                            id,
                            who: self.address(),
                        },
                    )
                } else {
                    (
                        Origin::Signed(who),
                        C::block {
                            id,
                            who: self.address(),
                        },
                    )
                }
            }
            _ => (
                Origin::Signed(who),
                C::transfer_all {
                    id,
                    dest: self.address(),
                    keep_alive: self.rng.chance(50),
                },
            ),
        };
        Planned {
            origin,
            call: RuntimeCall::Assets(call),
        }
    }

    /// Root for a `ForceOrigin` call, or the signer `who`.
    fn admin_or(&mut self, who: usize) -> Origin {
        if self.rng.chance(60) {
            Origin::Root
        } else {
            Origin::Signed(who)
        }
    }

    /// An account for root's balance-forcing calls: any but a pallet's. Root can rewrite
    /// any balance or storage item; that power is the admin's, not a pallet's bug (see
    /// docs/FUZZING.md).
    fn user_account(&mut self) -> AccountId {
        let i = self.anyone();
        self.actors.all[i].account.clone()
    }

    fn balances(&mut self) -> Planned {
        use pallet_balances::Call as C;
        let who = self.trader();
        let free = self.free(who);
        let value = self.amount(free / 10);
        let (origin, call) = match self.rng.weighted(&[6, 1, 4, 1, 1, 1, 1, 1, 1]) {
            0 => (
                Origin::Signed(who),
                C::transfer_allow_death {
                    dest: self.address(),
                    value,
                },
            ),
            1 => (
                self.admin(),
                C::force_transfer {
                    source: MultiAddress::Id(self.user_account()),
                    dest: self.address(),
                    value,
                },
            ),
            2 => (
                Origin::Signed(who),
                C::transfer_keep_alive {
                    dest: self.address(),
                    value,
                },
            ),
            3 => (
                Origin::Signed(who),
                C::transfer_all {
                    dest: self.address(),
                    keep_alive: self.rng.chance(70),
                },
            ),
            4 => (
                self.admin(),
                C::force_unreserve {
                    who: MultiAddress::Id(self.user_account()),
                    amount: value,
                },
            ),
            5 => (
                Origin::Signed(who),
                C::upgrade_accounts {
                    who: vec![self.account(), self.account()],
                },
            ),
            // At most 10^30 (a million times the dev supply): near `u128::MAX`, pallet-balances
            // saturates the total issuance, so a later decrease leaves it below the accounts'
            // sum (upstream behaviour, reachable by root only; docs/FUZZING.md).
            6 => (
                self.admin(),
                C::force_set_balance {
                    who: MultiAddress::Id(self.user_account()),
                    new_free: self.amount(free).min(10u128.pow(30)),
                },
            ),
            // Small corrections only: a forced issuance far from the accounts' sum saturates
            // at zero or `u128::MAX` on later changes (pallet-balances' imbalances saturate;
            // root only; docs/FUZZING.md).
            7 => (
                self.admin(),
                C::force_adjust_total_issuance {
                    direction: if self.rng.chance(50) {
                        pallet_balances::AdjustmentDirection::Increase
                    } else {
                        pallet_balances::AdjustmentDirection::Decrease
                    },
                    delta: self.amount(1_000).min(10u128.pow(15)),
                },
            ),
            _ => (
                Origin::Signed(who),
                C::burn {
                    value: self.amount(free / 1_000),
                    keep_alive: self.rng.chance(70),
                },
            ),
        };
        Planned {
            origin,
            call: RuntimeCall::Balances(call),
        }
    }

    /// A call that may sit inside a batch or a dispatch: a trader's, an LP's, a keeper's.
    fn inner(&mut self) -> RuntimeCall {
        match self.rng.below(4) {
            0 => self.pool().call,
            1 => self.liquidation().call,
            2 => self.balances().call,
            _ => self.options().call,
        }
    }

    fn utility(&mut self) -> Planned {
        use pallet_utility::Call as C;
        let who = self.trader();
        let calls = |g: &mut Self| {
            (0..g.rng.range(0, 4))
                .map(|_| g.inner())
                .collect::<Vec<_>>()
        };
        let (origin, call) = match self.rng.below(8) {
            0 => (Origin::Signed(who), C::batch { calls: calls(self) }),
            1 => (
                Origin::Signed(who),
                C::as_derivative {
                    index: self.rng.below(3) as u16,
                    call: Box::new(self.inner()),
                },
            ),
            2 => (Origin::Signed(who), C::batch_all { calls: calls(self) }),
            3 => {
                let as_origin = if self.rng.chance(50) {
                    OriginCaller::system(frame_system::RawOrigin::Signed(
                        self.actors.all[who].account.clone(),
                    ))
                } else {
                    OriginCaller::system(frame_system::RawOrigin::None)
                };
                (
                    self.admin(),
                    C::dispatch_as {
                        as_origin: Box::new(as_origin),
                        call: Box::new(self.inner()),
                    },
                )
            }
            4 => (Origin::Signed(who), C::force_batch { calls: calls(self) }),
            5 => (
                self.admin(),
                C::with_weight {
                    call: Box::new(self.inner()),
                    weight: Weight::from_parts(self.rng.below(1_000_000_000), 0),
                },
            ),
            6 => (
                Origin::Signed(who),
                C::if_else {
                    main: Box::new(self.inner()),
                    fallback: Box::new(self.inner()),
                },
            ),
            _ => (
                self.admin(),
                C::dispatch_as_fallible {
                    as_origin: Box::new(OriginCaller::system(frame_system::RawOrigin::Signed(
                        self.actors.all[who].account.clone(),
                    ))),
                    call: Box::new(self.inner()),
                },
            ),
        };
        Planned {
            origin,
            call: RuntimeCall::Utility(call),
        }
    }

    /// Sudo's own calls, signed directly (as the key holder or not). Handing the key on or
    /// removing it is rare: the admin of the rest of the sequence is whoever holds it.
    fn sudo(&mut self) -> Planned {
        use pallet_sudo::Call as C;
        let key_holder = pallet_sudo::Key::<Runtime>::get()
            .and_then(|k| self.actors.index_of(&k))
            .unwrap_or(ADMIN);
        let signer = if self.rng.chance(80) {
            key_holder
        } else {
            self.anyone()
        };
        let call = match self.rng.weighted(&[10, 5, 2, 10, 1]) {
            0 => C::sudo {
                call: Box::new(self.inner()),
            },
            1 => C::sudo_unchecked_weight {
                call: Box::new(self.inner()),
                weight: Weight::from_parts(self.rng.below(1_000_000_000), 0),
            },
            2 => {
                let i = *self.rng.pick(&[ADMIN, ADMIN, ADMIN, 1, 3]);
                C::set_key {
                    new: self.actor_address(i),
                }
            }
            3 => {
                let who = self.trader();
                C::sudo_as {
                    who: self.actor_address(who),
                    call: Box::new(self.inner()),
                }
            }
            // Rarely: without a key the rest of the sequence has no admin.
            _ if self.rng.chance(40) => C::remove_key {},
            _ => C::sudo {
                call: Box::new(self.inner()),
            },
        };
        Planned {
            origin: Origin::Signed(signer),
            call: RuntimeCall::Sudo(call),
        }
    }

    fn system(&mut self) -> Planned {
        use frame_system::Call as C;
        // Keys under a prefix no pallet uses: root can write any storage item, which no
        // invariant survives (see docs/FUZZING.md).
        let key = |g: &mut Self| {
            let mut k = b":fuzz:".to_vec();
            k.extend(g.bytes(4));
            k
        };
        let (origin, call) = match self.rng.below(11) {
            0 => (
                Origin::Signed(self.anyone()),
                C::remark {
                    remark: self.bytes(64),
                },
            ),
            1 => (
                self.admin(),
                C::set_heap_pages {
                    pages: *self.rng.pick(&[0u64, 64, 1 << 20]),
                },
            ),
            2 => (
                self.admin(),
                C::set_code {
                    code: self.bytes(64),
                },
            ),
            3 => (
                self.admin(),
                C::set_code_without_checks {
                    code: self.bytes(64),
                },
            ),
            4 => (
                self.admin(),
                C::set_storage {
                    items: vec![(key(self), self.bytes(8))],
                },
            ),
            5 => (
                self.admin(),
                C::kill_storage {
                    keys: vec![key(self)],
                },
            ),
            6 => (
                self.admin(),
                C::kill_prefix {
                    prefix: key(self),
                    subkeys: self.rng.below(4) as u32,
                },
            ),
            7 => (
                Origin::Signed(self.anyone()),
                C::remark_with_event {
                    remark: self.bytes(64),
                },
            ),
            8 => (
                self.admin(),
                C::authorize_upgrade {
                    code_hash: sp_core::H256::repeat_byte(self.rng.below(256) as u8),
                },
            ),
            9 => (
                self.admin(),
                C::authorize_upgrade_without_checks {
                    code_hash: sp_core::H256::repeat_byte(self.rng.below(256) as u8),
                },
            ),
            _ => (
                Origin::Signed(self.anyone()),
                C::apply_authorized_upgrade {
                    code: self.bytes(16),
                },
            ),
        };
        Planned {
            origin,
            call: RuntimeCall::System(call),
        }
    }

    fn misc(&mut self) -> Planned {
        match self.rng.below(10) {
            0 => Planned {
                origin: if self.rng.chance(50) {
                    Origin::Bare
                } else {
                    Origin::Signed(self.anyone())
                },
                call: RuntimeCall::Timestamp(pallet_timestamp::Call::set {
                    now: self.view.now + 3_000,
                }),
            },
            1 => Planned {
                origin: self.admin(),
                call: RuntimeCall::Grandpa(pallet_grandpa::Call::note_stalled {
                    delay: self.rng.below(100) as u32,
                    best_finalized_block_number: System::block_number().saturating_sub(1),
                }),
            },
            2 => Planned {
                // The raw orml-oracle feed is filtered: feeds go through pallet-prices.
                origin: Origin::Signed(*self.rng.pick(&OPERATORS)),
                call: RuntimeCall::Oracle(orml_oracle::Call::feed_values {
                    values: vec![(OracleKey::Native, Price::one())]
                        .try_into()
                        .unwrap_or_default(),
                }),
            },
            _ => self.membership(),
        }
    }

    fn membership(&mut self) -> Planned {
        // Mostly the operators and the traders: removing every operator stops prices, and
        // the chain must stay sound through that too.
        let (origin, call) = self.membership_call(&OPERATORS, Some(20));
        Planned {
            origin,
            call: RuntimeCall::OracleOperators(call),
        }
    }

    /// A call of a pallet-membership instance whose members are usually `base`: adds,
    /// removals and swaps of anyone, a reset to `base` (sometimes with one more, and with
    /// chance `truncate` percent to its first member only), key changes and the prime.
    fn membership_call<I: 'static>(
        &mut self,
        base: &[usize],
        truncate: Option<u8>,
    ) -> (Origin, pallet_membership::Call<Runtime, I>)
    where
        Runtime: pallet_membership::Config<I>,
    {
        use pallet_membership::Call as C;
        let a = self.anyone();
        let b = self.anyone();
        match self.rng.below(7) {
            0 => (
                self.admin(),
                C::add_member {
                    who: self.actor_address(a),
                },
            ),
            1 => (
                self.admin(),
                C::remove_member {
                    who: self.actor_address(a),
                },
            ),
            2 => (
                self.admin(),
                C::swap_member {
                    remove: self.actor_address(a),
                    add: self.actor_address(b),
                },
            ),
            3 => {
                let mut members: Vec<AccountId> = base
                    .iter()
                    .map(|i| self.actors.all[*i].account.clone())
                    .collect();
                if self.rng.chance(30) {
                    members.push(self.actors.all[a].account.clone());
                }
                if truncate.is_some_and(|p| self.rng.chance(p.into())) {
                    members.truncate(1);
                }
                (self.admin(), C::reset_members { members })
            }
            4 => (
                Origin::Signed(a),
                C::change_key {
                    new: self.actor_address(b),
                },
            ),
            5 => (
                self.admin(),
                C::set_prime {
                    who: self.actor_address(a),
                },
            ),
            _ => (self.admin(), C::clear_prime {}),
        }
    }
}

/// The operators' feed calls of one block.
pub fn feed(values: Vec<(OracleKey, Price)>) -> RuntimeCall {
    let values: Vec<_> = values
        .into_iter()
        .take(perpetua_runtime::configs::oracle::MAX_FEED_VALUES as usize)
        .collect();
    RuntimeCall::Prices(pallet_prices::Call::feed {
        values: values.try_into().unwrap_or_default(),
    })
}

/// Balances available to the generator.
pub fn free_balance(who: &AccountId) -> Balance {
    Balances::free_balance(who)
}
