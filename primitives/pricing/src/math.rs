//! Elementary functions on [`Fixed`]: `exp`, `ln`, `pow`, `sqrt`, and the standard normal PDF
//! and CDF. Integer arithmetic only: every node computes the same bits.
//!
//! Accuracy (checked against `f64`/libm in the tests): `exp` and `ln` within a few units of
//! 10^-18 relative for results of order one; `normal_cdf` within ~10^-16 absolute.

use crate::{
    fixed::{isqrt_u256, mul_div_u128, OrOverflow, Rounding, ONE_INNER, U256},
    Fixed, MathError,
};

/// ln 2 with 36 decimals, for range reduction without losing the 18 decimals of the result.
const LN2_36: i128 = 693_147_180_559_945_309_417_232_121_458_176_568;
/// 10^18 as the factor between the 36- and 18-decimal scales.
const E18: i128 = ONE_INNER;
/// 1 / sqrt(2 pi) with 18 decimals.
const INV_SQRT_2PI: i128 = 398_942_280_401_432_678;
/// Below this, `exp` is under half an epsilon and rounds to 0: e^-42 < 5 * 10^-19.
const EXP_MIN: i128 = -42 * ONE_INNER;
/// Above this, `exp` overflows `Fixed`: ln(i128::MAX / 10^18) ~= 46.58.
const EXP_MAX: i128 = 46_580_000_000_000_000_000;
/// Beyond this many standard deviations the normal CDF is 0 or 1 to 18 decimals.
const CDF_TAIL: i128 = 40 * ONE_INNER;
/// Up to this |x| the CDF uses its power series, beyond it the continued fraction.
const CDF_SERIES_LIMIT: i128 = 3 * ONE_INNER;
/// Depth of the continued fraction for the normal tail (converges to 10^-18 for |x| >= 3).
const CDF_CF_DEPTH: i128 = 80;

fn mul(a: i128, b: i128) -> Result<i128, MathError> {
    crate::fixed::mul_div_i128(a, b, ONE_INNER, Rounding::Nearest).or_overflow()
}

fn div(a: i128, b: i128) -> Result<i128, MathError> {
    if b == 0 {
        return Err(MathError::DivisionByZero);
    }
    crate::fixed::mul_div_i128(a, ONE_INNER, b, Rounding::Nearest).or_overflow()
}

/// e^x. `Err(Overflow)` above ~46.58; 0 below -42.
pub fn exp(x: Fixed) -> Result<Fixed, MathError> {
    let x = x.into_inner();
    if x > EXP_MAX {
        return Err(MathError::Overflow);
    }
    if x < EXP_MIN {
        return Ok(Fixed::ZERO);
    }
    // x = k ln2 + r with |r| <= ln2 / 2, computed with 36 decimals.
    let x36 = x.checked_mul(E18).or_overflow()?;
    let half = LN2_36 / 2;
    let k = if x36 >= 0 {
        (x36 + half) / LN2_36
    } else {
        (x36 - half) / LN2_36
    };
    let r36 = x36 - k * LN2_36;
    let r = crate::fixed::mul_div_i128(r36, 1, E18, Rounding::Nearest).or_overflow()?;
    // e^r by its Taylor series; |r| <= 0.35 so terms vanish after ~15 steps.
    let mut sum = ONE_INNER;
    let mut term = ONE_INNER;
    let mut n: i128 = 1;
    while n < 40 {
        term =
            crate::fixed::mul_div_i128(term, r, ONE_INNER * n, Rounding::Nearest).or_overflow()?;
        if term == 0 {
            break;
        }
        sum += term;
        n += 1;
    }
    // Scale by 2^k.
    let result = if k >= 0 {
        let k = k as u32;
        if k >= 127 || sum.leading_zeros() <= k {
            return Err(MathError::Overflow);
        }
        sum << k
    } else {
        let s = k.unsigned_abs() as u32;
        if s >= 127 {
            0
        } else {
            // Round to nearest on the shift.
            (sum + (1i128 << (s - 1))) >> s
        }
    };
    Ok(Fixed::from_inner(result))
}

/// ln x for x > 0; `Err(Domain)` otherwise.
pub fn ln(x: Fixed) -> Result<Fixed, MathError> {
    let x = x.into_inner();
    if x <= 0 {
        return Err(MathError::Domain);
    }
    // x = m 2^k with m in [1/sqrt2, sqrt2).
    let msb = 127 - x.leading_zeros() as i32;
    let one_msb = 127 - ONE_INNER.leading_zeros() as i32; // 59
    let mut k = msb - one_msb;
    let mut m = shift(x, k);
    // sqrt(2) and 1/sqrt(2) with 18 decimals.
    const SQRT2: i128 = 1_414_213_562_373_095_049;
    const INV_SQRT2: i128 = 707_106_781_186_547_524;
    while m >= SQRT2 {
        k += 1;
        m = shift(x, k);
    }
    while m < INV_SQRT2 {
        k -= 1;
        m = shift(x, k);
    }
    // ln m = 2 atanh(z), z = (m - 1) / (m + 1), |z| <= 0.172: the series converges fast.
    let z = div(m - ONE_INNER, m + ONE_INNER)?;
    let z2 = mul(z, z)?;
    let mut power = z;
    let mut sum = z;
    let mut n: i128 = 3;
    while n < 80 {
        power = mul(power, z2)?;
        let term = power / n;
        if term == 0 {
            break;
        }
        sum += term;
        n += 2;
    }
    // k ln2 with 36 decimals, plus 2 * sum, back to 18 decimals.
    let k_ln2 = (k as i128).checked_mul(LN2_36).or_overflow()?;
    let total = k_ln2
        .checked_add((2 * sum).checked_mul(E18).or_overflow()?)
        .or_overflow()?;
    Ok(Fixed::from_inner(
        crate::fixed::mul_div_i128(total, 1, E18, Rounding::Nearest).or_overflow()?,
    ))
}

/// `x / 2^k` with rounding to nearest (or `x * 2^-k` for negative `k`, which is exact).
fn shift(x: i128, k: i32) -> i128 {
    if k > 0 {
        let k = k as u32;
        // Round half up without overflowing near i128::MAX.
        (x >> k) + ((x >> (k - 1)) & 1)
    } else {
        x << ((-k) as u32)
    }
}

/// x^y for x > 0 (any real y), 0^y = 0 for y > 0; `Err(Domain)` otherwise.
pub fn pow(x: Fixed, y: Fixed) -> Result<Fixed, MathError> {
    if x.is_zero() {
        return if y.is_positive() {
            Ok(Fixed::ZERO)
        } else {
            Err(MathError::Domain)
        };
    }
    if y.is_zero() {
        return Ok(Fixed::ONE);
    }
    let l = ln(x)?;
    exp(l.checked_mul(y).or_overflow()?)
}

/// sqrt x for x >= 0, rounded to nearest; `Err(Domain)` for x < 0.
pub fn sqrt(x: Fixed) -> Result<Fixed, MathError> {
    let x = x.into_inner();
    if x < 0 {
        return Err(MathError::Domain);
    }
    // sqrt(x / 10^18) * 10^18 = sqrt(x * 10^18).
    let n = U256::from(x as u128)
        .checked_mul(U256::from(ONE_INNER as u128))
        .or_overflow()?;
    let r = isqrt_u256(n).or_overflow()?;
    // Round to nearest: (r + 1/2)^2 = r^2 + r + 1/4 <= n  <=>  n >= r^2 + r + 1.
    let r2 = U256::from(r).checked_mul(U256::from(r)).or_overflow()?;
    let threshold = r2
        .checked_add(U256::from(r))
        .or_overflow()?
        .checked_add(U256::one())
        .or_overflow()?;
    let r = if n >= threshold {
        r.checked_add(1).or_overflow()?
    } else {
        r
    };
    if r > i128::MAX as u128 {
        return Err(MathError::Overflow);
    }
    Ok(Fixed::from_inner(r as i128))
}

/// The standard normal density: e^(-x^2/2) / sqrt(2 pi).
pub fn normal_pdf(x: Fixed) -> Result<Fixed, MathError> {
    let a = x.into_inner().unsigned_abs();
    if a > CDF_TAIL as u128 {
        return Ok(Fixed::ZERO);
    }
    let half_x2 = mul_div_u128(a, a, 2 * ONE_INNER as u128, Rounding::Nearest).or_overflow()?;
    let e = exp(Fixed::from_inner(-(half_x2 as i128)))?;
    Ok(Fixed::from_inner(mul(e.into_inner(), INV_SQRT_2PI)?))
}

/// The standard normal cumulative distribution function.
pub fn normal_cdf(x: Fixed) -> Result<Fixed, MathError> {
    let xi = x.into_inner();
    if xi <= -CDF_TAIL {
        return Ok(Fixed::ZERO);
    }
    if xi >= CDF_TAIL {
        return Ok(Fixed::ONE);
    }
    if xi > CDF_SERIES_LIMIT {
        // Phi(x) = 1 - Phi(-x): the tail is computed with full relative precision.
        let lower = lower_tail(-xi)?;
        return Ok(Fixed::from_inner(ONE_INNER - lower));
    }
    if xi < -CDF_SERIES_LIMIT {
        return Ok(Fixed::from_inner(lower_tail(xi)?));
    }
    // Phi(x) = 1/2 + pdf(x) * sum_{n>=0} x^(2n+1) / (1 * 3 * ... * (2n+1)).
    // All terms share the sign of x: no cancellation inside the sum.
    let x2 = mul(xi, xi)?;
    let mut term = xi;
    let mut sum = xi;
    let mut n: i128 = 1;
    while n < 200 {
        term = crate::fixed::mul_div_i128(term, x2, ONE_INNER * (2 * n + 1), Rounding::Nearest)
            .or_overflow()?;
        if term == 0 {
            break;
        }
        sum += term;
        n += 1;
    }
    let pdf = normal_pdf(x)?.into_inner();
    Ok(Fixed::from_inner(ONE_INNER / 2 + mul(pdf, sum)?))
}

/// Phi(x) for x < -3 by the continued fraction of the Mills ratio:
/// Phi(x) = pdf(x) / (t + 1/(t + 2/(t + 3/(t + ...)))), t = -x.
fn lower_tail(x: i128) -> Result<i128, MathError> {
    let t = -x;
    let mut f = t;
    let mut n = CDF_CF_DEPTH;
    while n >= 1 {
        f = t + div(n * ONE_INNER, f)?;
        n -= 1;
    }
    let pdf = normal_pdf(Fixed::from_inner(x))?.into_inner();
    div(pdf, f)
}

#[cfg(test)]
#[path = "tests/math.rs"]
mod tests;
