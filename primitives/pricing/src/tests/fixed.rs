//! Unit tests of `fixed.rs` (test-only code: unwraps are the assertions).

use super::*;

#[test]
fn mul_div_rounds_as_asked() {
    assert_eq!(mul_div_u128(7, 1, 2, Rounding::Down), Some(3));
    assert_eq!(mul_div_u128(7, 1, 2, Rounding::Up), Some(4));
    assert_eq!(mul_div_u128(7, 1, 2, Rounding::Nearest), Some(4));
    assert_eq!(mul_div_u128(5, 1, 3, Rounding::Nearest), Some(2));
    assert_eq!(mul_div_u128(4, 1, 3, Rounding::Nearest), Some(1));
    assert_eq!(mul_div_u128(1, 1, 0, Rounding::Down), None);
    assert_eq!(mul_div_i128(-7, 1, 2, Rounding::Down), Some(-4));
    assert_eq!(mul_div_i128(-7, 1, 2, Rounding::Up), Some(-3));
    assert_eq!(mul_div_i128(7, -1, -2, Rounding::Up), Some(4));
}

#[test]
fn wide_products_keep_precision() {
    // (2^100 * 3^40) / 3^40 == 2^100 needs 256 bits in between.
    let a = 1u128 << 100;
    let b = 3u128.pow(40);
    assert_eq!(mul_div_u128(a, b, b, Rounding::Down), Some(a));
    assert_eq!(
        mul_div_u128(u128::MAX, u128::MAX, u128::MAX, Rounding::Down),
        Some(u128::MAX)
    );
    assert_eq!(mul_div_u128(u128::MAX, 2, 1, Rounding::Down), None);
}

#[test]
fn fixed_arithmetic() {
    let a = Fixed::from_decimal(15, 1).unwrap();
    let b = Fixed::from_integer(2).unwrap();
    assert_eq!(a.checked_mul(b), Fixed::from_integer(3));
    assert_eq!(
        b.checked_div(a).unwrap().into_inner(),
        1_333_333_333_333_333_333
    );
    assert_eq!(
        b.div_round(a, Rounding::Up).unwrap().into_inner(),
        1_333_333_333_333_333_334
    );
    assert_eq!(Fixed::ONE.checked_div(Fixed::ZERO), None);
    assert_eq!(Fixed::MAX.checked_add(Fixed::EPSILON), None);
    assert_eq!(Fixed::MAX.checked_mul(b), None);
    assert_eq!(
        Fixed::from_rational(-1, 3).unwrap().into_inner(),
        -333_333_333_333_333_333
    );
}

#[test]
fn units_conversion() {
    let price = Fixed::from_decimal(123_456, 3).unwrap(); // 123.456
    assert_eq!(price.to_units(6, Rounding::Down), Some(123_456_000));
    let third = Fixed::from_rational(1, 3).unwrap();
    assert_eq!(third.to_units(2, Rounding::Down), Some(33));
    assert_eq!(third.to_units(2, Rounding::Up), Some(34));
    assert_eq!(
        Fixed::from_integer(-1).unwrap().to_units(2, Rounding::Up),
        None
    );
    assert_eq!(Fixed::from_units(1_500_000, 6), Fixed::from_decimal(15, 1));
}

#[test]
fn isqrt_wide() {
    let n = U256::from(u128::MAX) * U256::from(u128::MAX);
    assert_eq!(isqrt_u256(n), Some(u128::MAX));
    assert_eq!(isqrt_u256(n - U256::one()), Some(u128::MAX - 1));
    assert_eq!(isqrt_u256(U256::from(99u8)), Some(9));
}
