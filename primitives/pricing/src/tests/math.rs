//! Unit tests of `math.rs` (test-only code: unwraps are the assertions).

use super::*;

fn fx(v: f64) -> Fixed {
    Fixed::from_inner((v * 1e18).round() as i128)
}
fn f(v: Fixed) -> f64 {
    v.into_inner() as f64 / 1e18
}
fn close(got: f64, want: f64, rel: f64, abs: f64) -> bool {
    (got - want).abs() <= (want.abs() * rel).max(abs)
}

#[test]
fn exp_matches_f64() {
    let mut x = -41.0;
    while x < 46.0 {
        let got = f(exp(fx(x)).unwrap());
        let want = x.exp();
        assert!(
            close(got, want, 1e-14, 2e-18),
            "exp({x}) = {got}, want {want}"
        );
        x += 0.137;
    }
    assert_eq!(exp(Fixed::ZERO), Ok(Fixed::ONE));
    assert_eq!(exp(fx(-50.0)), Ok(Fixed::ZERO));
    assert_eq!(exp(fx(47.0)), Err(MathError::Overflow));
    assert_eq!(exp(Fixed::MAX), Err(MathError::Overflow));
    assert_eq!(exp(Fixed::from_inner(i128::MIN)), Ok(Fixed::ZERO));
}

#[test]
fn ln_matches_f64() {
    let mut x = 1e-15;
    while x < 1e19 {
        let got = f(ln(fx(x)).unwrap());
        // Against the logarithm of the input as the fixed point holds it.
        let want = f(fx(x)).ln();
        assert!(
            close(got, want, 1e-14, 1e-15),
            "ln({x}) = {got}, want {want}"
        );
        x *= 1.37;
    }
    assert_eq!(ln(Fixed::ONE), Ok(Fixed::ZERO));
    assert_eq!(ln(Fixed::ZERO), Err(MathError::Domain));
    assert_eq!(ln(fx(-1.0)), Err(MathError::Domain));
    assert!(ln(Fixed::MAX).is_ok());
    assert!(ln(Fixed::EPSILON).is_ok());
}

#[test]
fn pow_and_sqrt() {
    assert!(close(
        f(pow(fx(2.0), fx(10.0)).unwrap()),
        1024.0,
        1e-15,
        0.0
    ));
    assert!(close(
        f(pow(fx(5.0), fx(-0.5)).unwrap()),
        5f64.powf(-0.5),
        1e-15,
        0.0
    ));
    assert_eq!(pow(Fixed::ZERO, Fixed::ONE), Ok(Fixed::ZERO));
    assert_eq!(pow(Fixed::ZERO, Fixed::ZERO), Err(MathError::Domain));
    assert_eq!(pow(fx(-2.0), Fixed::ONE), Err(MathError::Domain));
    assert_eq!(pow(fx(10.0), fx(100.0)), Err(MathError::Overflow));
    assert_eq!(sqrt(fx(4.0)), Ok(fx(2.0)));
    assert_eq!(
        sqrt(fx(2.0)).unwrap().into_inner(),
        1_414_213_562_373_095_049
    );
    assert_eq!(sqrt(fx(-1.0)), Err(MathError::Domain));
    assert!(sqrt(Fixed::MAX).is_ok());
}

#[test]
fn normal_cdf_matches_libm() {
    let mut x = -38.0;
    while x < 38.0 {
        let got = f(normal_cdf(fx(x)).unwrap());
        let want = 0.5 * libm::erfc(-x / core::f64::consts::SQRT_2);
        // Relative in the lower tail, absolute near and above the middle.
        assert!(
            close(got, want, 1e-12, 1e-16),
            "cdf({x}) = {got:e}, want {want:e}"
        );
        x += 0.0173;
    }
    assert_eq!(normal_cdf(Fixed::ZERO), Ok(Fixed::HALF));
    assert_eq!(normal_cdf(Fixed::MAX), Ok(Fixed::ONE));
    assert_eq!(normal_cdf(Fixed::from_inner(i128::MIN)), Ok(Fixed::ZERO));
}

#[test]
fn normal_pdf_matches_f64() {
    let mut x = -10.0;
    while x < 10.0 {
        let got = f(normal_pdf(fx(x)).unwrap());
        let want = (-x * x / 2.0).exp() / (2.0 * core::f64::consts::PI).sqrt();
        assert!(
            close(got, want, 1e-14, 1e-18),
            "pdf({x}) = {got}, want {want}"
        );
        x += 0.0731;
    }
}
