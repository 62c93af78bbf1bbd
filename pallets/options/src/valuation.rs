//! Pricing a market's series, converting USD to settlement units and back, and valuing
//! accounts. Pure functions over the pricing crate's deterministic fixed point.

use crate::types::{Market, MarketParams, Series};
use perpetua_pricing::{
    margin::{self, MarginLevel},
    pool::{self, Curve, Limit},
    Fixed, Inputs, MarginParams, Quote, Rounding,
};
use perpetua_primitives::{Balance, FixedI128, FixedU128};
use sp_runtime::Perbill;

/// The prices a market needs, all in USD: the index, its implied volatility and the
/// settlement token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketPrices {
    pub spot: Fixed,
    pub vol: Fixed,
    pub settle: Fixed,
    /// The settlement price at which the pool receives: `settle` while the settlement stock's
    /// price is fresh, `settle * (1 - haircut)` while it is a stale close (more tokens per USD:
    /// the reopening gap is not a free option against the pool). Also what the pool's
    /// capital counts at for its limits.
    pub settle_low: Fixed,
    /// The settlement price at which the pool pays: `settle`, or `settle * (1 + haircut)` at
    /// a stale close (fewer tokens per USD).
    pub settle_high: Fixed,
}

/// An index's prices, shared by every market on it: USD, and the annualised implied
/// volatility.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexPrices {
    pub spot: Fixed,
    pub vol: Fixed,
}

/// A settlement asset's price, shared by every market settled in it (see
/// [`MarketPrices::settle_low`] and [`MarketPrices::settle_high`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettlementPrices {
    pub settle: Fixed,
    pub low: Fixed,
    pub high: Fixed,
}

impl MarketPrices {
    /// A market's prices from its index's and its settlement's.
    pub fn of(index: IndexPrices, settlement: SettlementPrices) -> Self {
        Self {
            spot: index.spot,
            vol: index.vol,
            settle: settlement.settle,
            settle_low: settlement.low,
            settle_high: settlement.high,
        }
    }
}

/// Why a valuation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValuationError {
    /// The pricing crate refused the inputs (out of domain or overflow).
    Pricing,
    /// The pool has no liquidity to price against.
    NoLiquidity,
    /// The trade would skew the pool beyond its limit.
    Skew,
    /// Arithmetic overflow.
    Overflow,
}

impl From<perpetua_pricing::PricingError> for ValuationError {
    fn from(e: perpetua_pricing::PricingError) -> Self {
        match e {
            perpetua_pricing::PricingError::NoLiquidity => ValuationError::NoLiquidity,
            perpetua_pricing::PricingError::SkewLimit => ValuationError::Skew,
            _ => ValuationError::Pricing,
        }
    }
}

type R<T> = Result<T, ValuationError>;

fn ov<T>(x: Option<T>) -> R<T> {
    x.ok_or(ValuationError::Overflow)
}

/// `FixedU128` -> `Fixed`.
pub fn fx(x: FixedU128) -> Fixed {
    Fixed::from_inner(x.into_inner().min(i128::MAX as u128) as i128)
}

/// `Perbill` -> `Fixed`.
pub fn fp(x: Perbill) -> Fixed {
    Fixed::from_inner(x.deconstruct() as i128 * 1_000_000_000)
}

/// `Fixed` (non-negative) -> `FixedU128`.
pub fn to_u(x: Fixed) -> FixedU128 {
    FixedU128::from_inner(x.into_inner().max(0) as u128)
}

/// `Fixed` -> `FixedI128`.
pub fn to_i(x: Fixed) -> FixedI128 {
    FixedI128::from_inner(x.into_inner())
}

/// `FixedI128` -> `Fixed`.
pub fn from_i(x: FixedI128) -> Fixed {
    Fixed::from_inner(x.into_inner())
}

/// An integer number of contracts as `Fixed`.
pub fn contracts(n: i128) -> R<Fixed> {
    ov(Fixed::from_integer(n))
}

/// The margin formula's parameters from a market's.
pub fn margin_params(p: &MarketParams) -> MarginParams {
    MarginParams {
        initial_shock: fp(p.initial_shock),
        maintenance_shock: fp(p.maintenance_shock),
        initial_time_value_ratio: fp(p.initial_time_value),
        maintenance_time_value_ratio: fp(p.maintenance_time_value),
        initial_floor: fp(p.initial_floor),
        maintenance_floor: fp(p.maintenance_floor),
    }
}

/// The pool curve from a market's parameters.
pub fn curve(p: &MarketParams) -> Curve {
    Curve {
        sensitivity: fx(p.curve_sensitivity),
        max_skew: fx(p.curve_max_skew),
    }
}

/// Price and greeks of one unit of the index (not one contract) for `series` at `spot`.
pub fn quote_at(series: &Series, market: &Market, spot: Fixed, vol: Fixed) -> R<Quote> {
    let inputs = Inputs {
        spot,
        strike: fx(series.strike),
        volatility: vol,
        funding_period_secs: market.params.funding_period_secs,
    };
    Ok(perpetua_pricing::quote(
        crate::types::pricing_kind(series.kind),
        &inputs,
    )?)
}

/// A whole contract's worth of a per-unit amount.
pub fn per_contract(x: Fixed, market: &Market) -> R<Fixed> {
    ov(x.checked_mul(fx(market.params.contract_size)))
}

/// USD -> settlement-asset base units at `settle` USD per whole token.
pub fn usd_to_units(usd: Fixed, settle: Fixed, decimals: u8, rounding: Rounding) -> R<Balance> {
    if usd.is_negative() {
        return Err(ValuationError::Overflow);
    }
    let tokens = ov(usd.div_round(settle, rounding))?;
    ov(tokens.to_units(decimals as u32, rounding))
}

/// Settlement-asset base units -> USD.
pub fn units_to_usd(units: Balance, settle: Fixed, decimals: u8) -> R<Fixed> {
    ov(Fixed::from_units(units, decimals as u32).and_then(|t| t.checked_mul(settle)))
}

/// Whole settlement tokens (signed) -> base units, rounded in the pool's favour: an amount a
/// trader owes (positive) rounds up, an amount owed to a trader (negative) rounds toward zero;
/// both are rounding toward positive infinity.
pub fn tokens_to_units_for_pool(tokens: Fixed, decimals: u8) -> R<i128> {
    let scale = ov(10i128.checked_pow(decimals as u32))?;
    ov(perpetua_pricing::fixed::mul_div_i128(
        tokens.into_inner(),
        scale,
        perpetua_pricing::fixed::ONE_INNER,
        Rounding::Up,
    ))
}

/// The pool's liquidity expressed in contracts: its capital's USD value over one contract's
/// notional.
pub fn liquidity_contracts(
    capital: Balance,
    prices: &MarketPrices,
    market: &Market,
    decimals: u8,
) -> R<Fixed> {
    let capital_usd = units_to_usd(capital, prices.settle_low, decimals)?;
    let notional = per_contract(prices.spot, market)?;
    ov(capital_usd.checked_div(notional))
}

/// A series' price per contract: the theoretical price and its time value (the part the
/// pool's curve skews).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContractPrice {
    pub theo: Fixed,
    pub time_value: Fixed,
}

/// The price per contract of a series with per-unit quote `q`.
pub fn contract_price(q: &Quote, market: &Market) -> R<ContractPrice> {
    Ok(ContractPrice {
        theo: per_contract(q.price, market)?,
        time_value: per_contract(q.time_value.max(Fixed::ZERO), market)?,
    })
}

/// The pool's mark per contract when the traders' net position is `net`: the theoretical
/// price with its time value skewed by the curve (see [`pool`]); the theoretical price
/// without depth.
pub fn mark_at(price: ContractPrice, net: i128, liquidity: Fixed, market: &Market) -> R<Fixed> {
    if !liquidity.is_positive() {
        return Ok(price.theo);
    }
    Ok(pool::mark_price(
        price.theo,
        price.time_value,
        contracts(net)?,
        liquidity,
        &curve(&market.params),
    )?)
}

/// What `size` contracts cost along the pool's curve from the traders' net position `net`
/// (negative: what the trader receives); at the theoretical price without depth when the
/// limit is waived. `limit`: [`Limit::Enforced`] for a trade that opens risk, refused beyond
/// the curve's skew limit; [`Limit::Waived`] for one that only reduces a position (the
/// trader's own close or a forced one), which always fills.
pub fn cost_along_curve(
    price: ContractPrice,
    net: i128,
    size: i128,
    liquidity: Fixed,
    market: &Market,
    limit: Limit,
) -> R<Fixed> {
    if !liquidity.is_positive() && limit == Limit::Waived {
        return ov(price.theo.checked_mul(contracts(size)?));
    }
    Ok(pool::trade_cost(
        price.theo,
        price.time_value,
        contracts(net)?,
        contracts(size)?,
        liquidity,
        &curve(&market.params),
        limit,
    )?)
}

/// What unwinding the traders' net position in `series` along the pool's curve would pay them,
/// USD (negative: they would pay): `-cost(net -> 0)`. A trade along the curve changes the
/// traders' entry sum by exactly the change of this value, so no trade moves the pool's book
/// valued with it.
pub fn unwind_value(
    price: ContractPrice,
    series: &Series,
    liquidity: Fixed,
    market: &Market,
) -> R<Fixed> {
    let net = series.net();
    if net == 0 {
        return Ok(Fixed::ZERO);
    }
    let back = net.checked_neg().ok_or(ValuationError::Overflow)?;
    ov(cost_along_curve(price, net, back, liquidity, market, Limit::Waived)?.checked_neg())
}

/// The price a holder of `size` contracts is valued at for their health: the worse for them
/// of the pool's mark and the theoretical price (a long at the lower, a short at the higher).
/// The mark moves with the pool's exposure, so a trade lifts the mark it was filled along: at
/// the mark alone a fresh position would show a profit it could not close at.
pub fn holder_price(theo: Fixed, mark: Fixed, size: i128) -> Fixed {
    if size >= 0 {
        theo.min(mark)
    } else {
        theo.max(mark)
    }
}

/// Dollar delta (USD per 100% move of the index) of `size` contracts of a series given its
/// per-unit quote at `spot`.
pub fn dollar_delta(quote: &Quote, spot: Fixed, size: i128, market: &Market) -> R<Fixed> {
    let units = per_contract(contracts(size)?, market)?;
    ov(quote
        .delta
        .checked_mul(units)
        .and_then(|d| d.checked_mul(spot)))
}

/// Margin (USD) of `size` contracts of a series given its per-unit quote.
pub fn margin_of(
    quote: &Quote,
    spot: Fixed,
    size: i128,
    market: &Market,
    level: MarginLevel,
) -> R<Fixed> {
    let units = per_contract(contracts(size)?, market)?;
    Ok(margin::requirement(
        quote,
        spot,
        units,
        &margin_params(&market.params),
        level,
    )?)
}

/// The haircut of settlement collateral `hours` before its market opens (`None`: unknown,
/// the maximum): `min(max, base + per_sqrt_hour * sqrt(hours))`.
pub fn haircut(params: &crate::types::HaircutParams, hours: Option<Fixed>) -> Fixed {
    let max = fp(params.max);
    let Some(hours) = hours else { return max };
    let root = perpetua_pricing::math::sqrt(hours.max(Fixed::ZERO)).unwrap_or(Fixed::MAX);
    fp(params.per_sqrt_hour)
        .checked_mul(root)
        .and_then(|g| g.checked_add(fp(params.base)))
        .unwrap_or(max)
        .min(max)
}

/// Average price per contract of a trade that cost `cost` for `size` contracts.
pub fn average_price(cost: Fixed, size: i128) -> R<Fixed> {
    ov(cost
        .checked_abs()
        .and_then(|c| c.checked_div(Fixed::from_integer(size.abs())?)))
}

/// The fee of a trade: `min(fee_on_notional * notional, fee_cap_on_premium * |cost|)`, USD.
pub fn trade_fee(cost: Fixed, size: i128, spot: Fixed, market: &Market) -> R<Fixed> {
    let notional = per_contract(ov(spot.checked_mul(contracts(size.abs())?))?, market)?;
    let on_notional = ov(notional.mul_round(fp(market.params.fee_on_notional), Rounding::Up))?;
    let cap =
        ov(ov(cost.checked_abs())?.mul_round(fp(market.params.fee_cap_on_premium), Rounding::Up))?;
    Ok(on_notional.min(cap))
}

/// The latency fee of `size` contracts with per-unit quote `q`, USD:
/// `band * |size| * contract size * (|delta| * spot + |vega| * vol)`, rounded up.
pub fn latency_fee(
    q: &perpetua_pricing::Quote,
    size: i128,
    spot: Fixed,
    vol: Fixed,
    market: &Market,
) -> R<Fixed> {
    let units = per_contract(contracts(size.abs())?, market)?;
    let delta_usd = ov(ov(q.delta.checked_abs())?.checked_mul(spot))?;
    let vega_usd = ov(ov(q.vega.checked_abs())?.checked_mul(vol))?;
    let exposure = ov(ov(delta_usd.checked_add(vega_usd))?.checked_mul(units))?;
    ov(exposure.mul_round(fp(market.params.latency_band), Rounding::Up))
}

/// `price * (1 - h)` and `price * (1 + h)`.
pub fn widen(price: Fixed, h: Fixed) -> R<(Fixed, Fixed)> {
    let low = ov(price.checked_mul(ov(Fixed::ONE.checked_sub(h))?))?;
    let high = ov(price.checked_mul(ov(Fixed::ONE.checked_add(h))?))?;
    Ok((low.max(Fixed::ZERO), high))
}

/// `Fixed` with the sign of `n` and magnitude `|x|`.
pub fn signed(x: Fixed, negative: bool) -> R<Fixed> {
    if negative {
        ov(x.checked_neg())
    } else {
        Ok(x)
    }
}
