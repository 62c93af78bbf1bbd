//! Price + greeks of one everlasting option: fixed-point against the f64 closed form, measured
//! in the same run. `cargo bench -p perpetua-pricing`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use perpetua_pricing::{quote, Fixed, Inputs, OptionKind};

fn fx(v: f64) -> Fixed {
    Fixed::from_inner((v * 1e18).round() as i128)
}

fn f64_quote(s: f64, k: f64, sigma: f64, t_secs: u64) -> (f64, f64, f64, f64) {
    let t = t_secs as f64 / 31_536_000.0;
    let q = 8.0 / (sigma * sigma * t);
    let u = (1.0 + q).sqrt();
    let a = if s >= k {
        (1.0 - u) / 2.0
    } else {
        (1.0 + u) / 2.0
    };
    let x = s / k;
    let v = k / u * (a * x.ln()).exp();
    let price = (s - k).max(0.0) + v;
    let delta = if s >= k { 1.0 } else { 0.0 } + a * v / s;
    let gamma = q * v / (4.0 * s * s);
    let vega = v * (1.0 / u + x.ln().abs() / 2.0) * q / (u * sigma);
    (price, delta, gamma, vega)
}

fn bench(c: &mut Criterion) {
    let cases = [
        (97_000.0, 100_000.0, 0.6, 7 * 86_400),
        (104_000.0, 100_000.0, 0.8, 86_400),
    ];
    let mut g = c.benchmark_group("everlasting price+greeks");
    g.bench_function("fixed-point (perpetua-pricing)", |b| {
        let inputs: Vec<Inputs> = cases
            .iter()
            .map(|&(s, k, sig, t)| Inputs {
                spot: fx(s),
                strike: fx(k),
                volatility: fx(sig),
                funding_period_secs: t,
            })
            .collect();
        b.iter(|| {
            for i in &inputs {
                black_box(quote(OptionKind::Call, black_box(i)).ok());
            }
        })
    });
    g.bench_function("f64 reference", |b| {
        b.iter(|| {
            for &(s, k, sig, t) in &cases {
                black_box(f64_quote(
                    black_box(s),
                    black_box(k),
                    black_box(sig),
                    black_box(t),
                ));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
