//! `Fixed`: a signed fixed-point number with 18 decimals on an `i128`.
//!
//! The inner representation (`value * 10^18`) is the same as Substrate's `FixedI128` and
//! `FixedU128`, so pallets convert with `from_inner`/`into_inner` at no cost. Every operation is
//! checked: overflow and division by zero return `None` (or a [`MathError`]), never panic.
//! Products and quotients go through a 256-bit intermediate, so no precision is lost before the
//! final rounding, and every rounding direction is explicit.

use crate::MathError;

// The macro's expansion trips a clippy lint we cannot fix from here.
#[allow(clippy::manual_div_ceil)]
mod wide {
    uint::construct_uint! {
        /// 256-bit unsigned integer for exact intermediates.
        pub struct U256(4);
    }
}
pub(crate) use wide::U256;

/// Number of decimal digits after the point.
pub const DECIMALS: u32 = 18;
/// The inner value of 1.
pub const ONE_INNER: i128 = 1_000_000_000_000_000_000;
const ONE_U: u128 = ONE_INNER as u128;

/// How a result that is not exactly representable is rounded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rounding {
    /// Towards negative infinity.
    Down,
    /// Towards positive infinity.
    Up,
    /// To the nearest representable value, ties away from zero.
    Nearest,
}

impl Rounding {
    /// The rounding to apply to a magnitude when the signed result is negative.
    fn for_magnitude(self, negative: bool) -> Rounding {
        match (self, negative) {
            (Rounding::Down, true) => Rounding::Up,
            (Rounding::Up, true) => Rounding::Down,
            (r, _) => r,
        }
    }
}

/// `a * b / c` on magnitudes, rounded as asked. `None` if `c == 0` or the result exceeds
/// `u128`.
pub fn mul_div_u128(a: u128, b: u128, c: u128, rounding: Rounding) -> Option<u128> {
    if c == 0 {
        return None;
    }
    if let Some(p) = a.checked_mul(b) {
        let q = p / c;
        let r = p % c;
        return round_up_if(q, r, c, rounding);
    }
    // Two values below 2^128 multiply to below 2^256: `checked_mul` cannot fail here.
    let p = U256::from(a).checked_mul(U256::from(b))?;
    let (q, r) = p.div_mod(U256::from(c));
    if q.bits() > 128 {
        return None;
    }
    let q = q.low_u128();
    let r = r.low_u128();
    round_up_if(q, r, c, rounding)
}

fn round_up_if(q: u128, r: u128, c: u128, rounding: Rounding) -> Option<u128> {
    if r == 0 {
        return Some(q);
    }
    let up = match rounding {
        Rounding::Down => false,
        Rounding::Up => true,
        // r >= c - r  <=>  r / c >= 1/2 (ties away from zero), without overflow.
        Rounding::Nearest => r >= c - r,
    };
    if up {
        q.checked_add(1)
    } else {
        Some(q)
    }
}

/// Signed `a * b / c`, rounded as asked (directions refer to the signed result).
pub fn mul_div_i128(a: i128, b: i128, c: i128, rounding: Rounding) -> Option<i128> {
    let negative = (a < 0) ^ (b < 0) ^ (c < 0) && a != 0 && b != 0;
    let m = mul_div_u128(
        a.unsigned_abs(),
        b.unsigned_abs(),
        c.unsigned_abs(),
        rounding.for_magnitude(negative),
    )?;
    from_magnitude(m, negative)
}

fn from_magnitude(m: u128, negative: bool) -> Option<i128> {
    if negative {
        if m <= i128::MAX as u128 {
            Some(-(m as i128))
        } else if m == i128::MIN.unsigned_abs() {
            Some(i128::MIN)
        } else {
            None
        }
    } else if m <= i128::MAX as u128 {
        Some(m as i128)
    } else {
        None
    }
}

/// A signed fixed-point number with 18 decimals.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug)]
pub struct Fixed(i128);

impl Fixed {
    /// 0.
    pub const ZERO: Fixed = Fixed(0);
    /// 1.
    pub const ONE: Fixed = Fixed(ONE_INNER);
    /// 1/2.
    pub const HALF: Fixed = Fixed(ONE_INNER / 2);
    /// The largest value.
    pub const MAX: Fixed = Fixed(i128::MAX);
    /// The smallest positive value, 10^-18.
    pub const EPSILON: Fixed = Fixed(1);

    /// From the inner representation (`value * 10^18`).
    pub const fn from_inner(inner: i128) -> Self {
        Fixed(inner)
    }

    /// The inner representation (`value * 10^18`).
    pub const fn into_inner(self) -> i128 {
        self.0
    }

    /// An integer; `None` if it does not fit.
    pub fn from_integer(n: i128) -> Option<Self> {
        n.checked_mul(ONE_INNER).map(Fixed)
    }

    /// `n / d`, rounded to nearest; `None` if `d == 0` or on overflow.
    pub fn from_rational(n: i128, d: i128) -> Option<Self> {
        mul_div_i128(n, ONE_INNER, d, Rounding::Nearest).map(Fixed)
    }

    /// `n / d` rounded as asked.
    pub fn from_rational_round(n: i128, d: i128, rounding: Rounding) -> Option<Self> {
        mul_div_i128(n, ONE_INNER, d, rounding).map(Fixed)
    }

    /// A decimal given as `mantissa * 10^-exp`, e.g. `from_decimal(65, 2)` is 0.65.
    pub fn from_decimal(mantissa: i128, exp: u32) -> Option<Self> {
        if exp > DECIMALS {
            let d = 10i128.checked_pow(exp - DECIMALS)?;
            return Fixed::from_rational_round(
                mantissa,
                d.checked_mul(ONE_INNER)?,
                Rounding::Nearest,
            );
        }
        mantissa
            .checked_mul(10i128.checked_pow(DECIMALS - exp)?)
            .map(Fixed)
    }

    /// Whether it is 0.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Whether it is below 0.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Whether it is above 0.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// `|self|`; `None` only for the most negative value.
    pub fn checked_abs(self) -> Option<Self> {
        self.0.checked_abs().map(Fixed)
    }

    /// `-self`; `None` only for the most negative value.
    pub fn checked_neg(self) -> Option<Self> {
        self.0.checked_neg().map(Fixed)
    }

    /// `self + rhs`.
    pub fn checked_add(self, rhs: Self) -> Option<Self> {
        self.0.checked_add(rhs.0).map(Fixed)
    }

    /// `self - rhs`.
    pub fn checked_sub(self, rhs: Self) -> Option<Self> {
        self.0.checked_sub(rhs.0).map(Fixed)
    }

    /// `self * rhs`, rounded to nearest.
    pub fn checked_mul(self, rhs: Self) -> Option<Self> {
        self.mul_round(rhs, Rounding::Nearest)
    }

    /// `self * rhs`, rounded as asked.
    pub fn mul_round(self, rhs: Self, rounding: Rounding) -> Option<Self> {
        mul_div_i128(self.0, rhs.0, ONE_INNER, rounding).map(Fixed)
    }

    /// `self / rhs`, rounded to nearest; `None` if `rhs == 0`.
    pub fn checked_div(self, rhs: Self) -> Option<Self> {
        self.div_round(rhs, Rounding::Nearest)
    }

    /// `self / rhs`, rounded as asked; `None` if `rhs == 0`.
    pub fn div_round(self, rhs: Self, rounding: Rounding) -> Option<Self> {
        mul_div_i128(self.0, ONE_INNER, rhs.0, rounding).map(Fixed)
    }

    /// `self * n` for an integer `n`.
    pub fn checked_mul_int(self, n: i128) -> Option<Self> {
        self.0.checked_mul(n).map(Fixed)
    }

    /// `self / n` for an integer `n`, rounded as asked.
    pub fn div_int_round(self, n: i128, rounding: Rounding) -> Option<Self> {
        mul_div_i128(self.0, 1, n, rounding).map(Fixed)
    }

    /// `self * a / b` with one rounding at the end.
    pub fn mul_div(self, a: Self, b: Self, rounding: Rounding) -> Option<Self> {
        mul_div_i128(self.0, a.0, b.0, rounding).map(Fixed)
    }

    /// The larger of two values.
    pub fn max(self, other: Self) -> Self {
        if self >= other {
            self
        } else {
            other
        }
    }

    /// The smaller of two values.
    pub fn min(self, other: Self) -> Self {
        if self <= other {
            self
        } else {
            other
        }
    }

    /// Rounds a non-negative value to an integer amount of base units: `self * 10^decimals`,
    /// rounded as asked. `None` if negative or on overflow. This is how a price or a per-unit
    /// amount becomes a balance.
    pub fn to_units(self, decimals: u32, rounding: Rounding) -> Option<u128> {
        if self.0 < 0 {
            return None;
        }
        let scale = 10u128.checked_pow(decimals)?;
        mul_div_u128(self.0 as u128, scale, ONE_U, rounding)
    }

    /// A balance of `units` base units of a `decimals`-decimal asset as a number of whole tokens.
    pub fn from_units(units: u128, decimals: u32) -> Option<Self> {
        let scale = 10u128.checked_pow(decimals)?;
        let m = mul_div_u128(units, ONE_U, scale, Rounding::Nearest)?;
        from_magnitude(m, false).map(Fixed)
    }
}

/// Maps an overflow (`None`) to [`MathError::Overflow`].
pub(crate) trait OrOverflow<T> {
    fn or_overflow(self) -> Result<T, MathError>;
}

impl<T> OrOverflow<T> for Option<T> {
    fn or_overflow(self) -> Result<T, MathError> {
        self.ok_or(MathError::Overflow)
    }
}

/// Integer square root of a 256-bit value whose root fits 128 bits, rounded down.
pub(crate) fn isqrt_u256(n: U256) -> Option<u128> {
    if n.bits() <= 128 {
        return Some(n.low_u128().isqrt());
    }
    // Start above the root: 2^ceil(bits/2), then Newton's iteration decreases monotonically.
    let shift = n.bits().div_ceil(2);
    let mut x = U256::one() << shift;
    loop {
        let y = x.checked_add(n.checked_div(x)?)? >> 1;
        if y >= x {
            break;
        }
        x = y;
    }
    if x.bits() > 128 {
        return None;
    }
    Some(x.low_u128())
}

#[cfg(test)]
#[path = "tests/fixed.rs"]
mod tests;
