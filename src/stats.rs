//! Small statistics used by the aggregate stage and the release gate: Wilson intervals for
//! a rate, Newcombe's interval for a difference of two rates, Welch's interval for a
//! difference of two means, and the normal and Student t quantiles they need (computed
//! here from the incomplete gamma and beta functions, so no statistics crate is needed).
//! One-sided p-values are read off the same intervals (so a test at `(1 - confidence) / 2`
//! agrees with the interval shown), adjusted for a family of tests by Holm or
//! Benjamini-Hochberg, and minimum detectable effects use the normal approximation.

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The logistic function: a logit as a probability (the dissatisfaction model, the
/// needs-human verdict and its fit share it).
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// 95% Wilson score interval for `successes` out of `n` (z = 1.96). Unlike the normal
/// approximation it stays inside [0, 1] and behaves at rates near 0 or 1 and small n.
pub fn wilson(successes: u64, n: u64) -> [f64; 2] {
    wilson_z(successes, n, Z95)
}

/// Wilson score interval with critical value `z` (see [`z_critical`]).
pub fn wilson_z(successes: u64, n: u64, z: f64) -> [f64; 2] {
    if n == 0 {
        return [0.0, 0.0];
    }
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    [(center - half).max(0.0), (center + half).min(1.0)]
}

/// Two-sided critical value of the standard normal: 0.95 -> 1.96.
pub fn z_critical(confidence: f64) -> f64 {
    normal_quantile(0.5 + confidence / 2.0)
}

/// Two-sided critical value of Student's t with `df` (possibly fractional) degrees of freedom.
pub fn t_critical(confidence: f64, df: f64) -> f64 {
    t_quantile(0.5 + confidence / 2.0, df)
}

/// An estimate with a two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    /// The interval lies entirely above zero.
    pub fn above_zero(&self) -> bool {
        self.low > 0.0
    }

    /// The interval lies entirely below zero.
    pub fn below_zero(&self) -> bool {
        self.high < 0.0
    }
}

/// Difference of two proportions, `candidate - baseline`, with Newcombe's hybrid score
/// interval (Newcombe 1998, method 10): it combines the two Wilson intervals, so like them
/// it stays sensible for small samples and rates near 0 or 1, where the Wald interval
/// behind the textbook two-proportion z-test is too narrow. `None` when a side is empty.
pub fn newcombe_difference(
    baseline: (u64, u64),
    candidate: (u64, u64),
    confidence: f64,
) -> Option<Estimate> {
    let ((x1, n1), (x2, n2)) = (baseline, candidate);
    if n1 == 0 || n2 == 0 {
        return None;
    }
    Some(newcombe_z((x1, n1), (x2, n2), z_critical(confidence)))
}

/// Newcombe's interval with critical value `z`; both sides non-empty.
fn newcombe_z(baseline: (u64, u64), candidate: (u64, u64), z: f64) -> Estimate {
    let ((x1, n1), (x2, n2)) = (baseline, candidate);
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let [l1, u1] = wilson_z(x1, n1, z);
    let [l2, u2] = wilson_z(x2, n2, z);
    let d = p2 - p1;
    Estimate {
        value: d,
        low: d - ((p2 - l2).powi(2) + (u1 - p1).powi(2)).sqrt(),
        high: d + ((u2 - p2).powi(2) + (p1 - l1).powi(2)).sqrt(),
    }
}

/// One-sided p-value for "the candidate's rate is higher", read off Newcombe's interval: the
/// `p` at which the two-sided `1 - 2p` interval's lower end touches zero. So
/// `p < (1 - confidence) / 2` exactly when [`newcombe_difference`] at `confidence` lies above
/// zero, and a multiple-comparison correction of these p-values is a correction of the
/// intervals the gate shows. Above 0.5 when the rate fell. `None` when a side is empty.
pub fn newcombe_p_higher(baseline: (u64, u64), candidate: (u64, u64)) -> Option<f64> {
    if baseline.1 == 0 || candidate.1 == 0 {
        return None;
    }
    let at = |z: f64| newcombe_z(baseline, candidate, z);
    let d = at(0.0).value;
    if d == 0.0 {
        return Some(0.5);
    }
    // The bound moving toward zero as z grows: the low end for a rise, the high end for a fall.
    let crosses = |z: f64| {
        let e = at(z);
        if d > 0.0 {
            e.low <= 0.0
        } else {
            e.high >= 0.0
        }
    };
    if !crosses(Z_MAX) {
        return Some(if d > 0.0 { 0.0 } else { 1.0 });
    }
    let z = bisect(|z| !crosses(z), 0.0, Z_MAX);
    let tail = 1.0 - normal_cdf(z);
    Some(if d > 0.0 { tail } else { 1.0 - tail })
}

/// Beyond this z a tail probability is below f64's resolution near 1.
const Z_MAX: f64 = 40.0;

/// One-sided p-value for "the candidate's mean is lower", from Welch's t statistic and its
/// Welch-Satterthwaite degrees of freedom: `p < (1 - confidence) / 2` exactly when
/// [`welch_difference`] at `confidence` lies below zero. `None` with fewer than two values
/// on a side.
pub fn welch_p_lower(baseline: Moments, candidate: Moments) -> Option<f64> {
    let (v1, v2) = (baseline.variance()?, candidate.variance()?);
    let d = candidate.mean()? - baseline.mean()?;
    let (n1, n2) = (baseline.n as f64, candidate.n as f64);
    let (a, b) = (v1 / n1, v2 / n2);
    let se2 = a + b;
    if se2 <= 0.0 {
        // The difference is exact (every rating the same on both sides).
        return Some(if d < 0.0 {
            0.0
        } else if d > 0.0 {
            1.0
        } else {
            0.5
        });
    }
    let df = se2 * se2 / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0));
    Some(t_cdf(d / se2.sqrt(), df))
}

/// How the p-values of a family of tests are adjusted for their number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjustment {
    /// Holm (1979) step-down: controls the chance of any false rejection (family-wise).
    Holm,
    /// Benjamini-Hochberg (1995) step-up: controls the expected share of false rejections.
    BenjaminiHochberg,
    /// Each test on its own.
    None,
}

impl Adjustment {
    /// As `[gate] correction` names it.
    pub fn code(self) -> &'static str {
        match self {
            Adjustment::Holm => "holm",
            Adjustment::BenjaminiHochberg => "bh",
            Adjustment::None => "none",
        }
    }
}

/// Adjusted p-values, in the order given: a test is rejected at level `a` (one-sided here)
/// when its adjusted p-value is below `a`. Ties and the order of equal p-values do not
/// change the result.
pub fn adjust(p: &[f64], how: Adjustment) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]).then(i.cmp(&j)));
    let mut out = vec![0.0; m];
    match how {
        Adjustment::None => out.copy_from_slice(p),
        Adjustment::Holm => {
            let mut running = 0.0f64;
            for (rank, &i) in order.iter().enumerate() {
                running = running.max(((m - rank) as f64 * p[i]).min(1.0));
                out[i] = running;
            }
        }
        Adjustment::BenjaminiHochberg => {
            let mut running = 1.0f64;
            for (rank, &i) in order.iter().enumerate().rev() {
                running = running.min((m as f64 / (rank + 1) as f64 * p[i]).min(1.0));
                out[i] = running;
            }
        }
    }
    out
}

/// Minimum detectable rise of a rate (normal approximation, unpooled variances): the
/// smallest `d` with `d = (z_alpha + z_power) * sqrt(p(1-p)/n1 + (p+d)(1-p-d)/n2)`, where
/// `p` is the baseline rate, `alpha` the one-sided level and `power` the chance of a
/// significant result when the rate truly rose by `d`. `None` when even a rise to 100%
/// could not be seen (or a side is empty).
pub fn min_detectable_rise(p: f64, n1: u64, n2: u64, alpha: f64, power: f64) -> Option<f64> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let k = normal_quantile(1.0 - alpha) + normal_quantile(power);
    let (n1, n2) = (n1 as f64, n2 as f64);
    let short = |d: f64| {
        let q = (p + d).clamp(0.0, 1.0);
        d < k * (p * (1.0 - p) / n1 + q * (1.0 - q) / n2).sqrt()
    };
    let room = 1.0 - p;
    if room <= 0.0 || short(room) {
        return None;
    }
    Some(bisect(short, 0.0, room))
}

/// Minimum detectable fall of a mean (normal approximation, both sides with the baseline's
/// variance `var`): `(z_alpha + z_power) * sqrt(var/n1 + var/n2)`.
pub fn min_detectable_shift(var: f64, n1: u64, n2: u64, alpha: f64, power: f64) -> Option<f64> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let k = normal_quantile(1.0 - alpha) + normal_quantile(power);
    Some(k * (var / n1 as f64 + var / n2 as f64).sqrt())
}

/// Count, sum and sum of squares of a sample: enough for its mean and variance, and
/// mergeable across chunks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    pub n: u64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Moments {
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }

    /// Sample variance (n - 1 in the denominator); needs two values.
    pub fn variance(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        let n = self.n as f64;
        Some(((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0))
    }

    /// Mean with its t interval.
    pub fn mean_interval(&self, confidence: f64) -> Option<Estimate> {
        let mean = self.mean()?;
        let var = self.variance()?;
        let half = t_critical(confidence, (self.n - 1) as f64) * (var / self.n as f64).sqrt();
        Some(Estimate {
            value: mean,
            low: mean - half,
            high: mean + half,
        })
    }
}

/// Difference of two means, `candidate - baseline`, with Welch's interval (unequal
/// variances, Welch-Satterthwaite degrees of freedom). `None` with fewer than two values
/// on a side.
pub fn welch_difference(
    baseline: Moments,
    candidate: Moments,
    confidence: f64,
) -> Option<Estimate> {
    let (v1, v2) = (baseline.variance()?, candidate.variance()?);
    let d = candidate.mean()? - baseline.mean()?;
    let (n1, n2) = (baseline.n as f64, candidate.n as f64);
    let (a, b) = (v1 / n1, v2 / n2);
    let se2 = a + b;
    if se2 <= 0.0 {
        // Every rating the same on both sides: the difference is exact.
        return Some(Estimate {
            value: d,
            low: d,
            high: d,
        });
    }
    let df = se2 * se2 / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0));
    let half = t_critical(confidence, df) * se2.sqrt();
    Some(Estimate {
        value: d,
        low: d - half,
        high: d + half,
    })
}

/// Inverse of the standard normal distribution function, for 0 < p < 1.
pub fn normal_quantile(p: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -normal_quantile(1.0 - p);
    }
    bisect(|x| normal_cdf(x) < p, 0.0, 40.0)
}

pub fn normal_cdf(x: f64) -> f64 {
    // erf(y) = P(1/2, y^2) for y >= 0.
    let y = x.abs() / std::f64::consts::SQRT_2;
    let upper = 0.5 * gamma_q(0.5, y * y);
    if x >= 0.0 {
        1.0 - upper
    } else {
        upper
    }
}

/// Inverse of Student's t distribution function, for 0 < p < 1 and df > 0.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    let mut hi = 2.0;
    while t_cdf(hi, df) < p && hi < 1e12 {
        hi *= 2.0;
    }
    bisect(|x| t_cdf(x, df) < p, 0.0, hi)
}

pub fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * beta_i(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// The point where `below` turns false, for a monotone predicate on [lo, hi].
fn bisect(below: impl Fn(f64) -> bool, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if below(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

const EPS: f64 = 1e-15;
const TINY: f64 = 1e-300;

/// ln Γ(x) for x > 0 (Lanczos, as in Numerical Recipes; relative error below 2e-10).
fn ln_gamma(x: f64) -> f64 {
    const COF: [f64; 6] = [
        76.180_091_729_471_46,
        -86.505_320_329_416_77,
        24.014_098_240_830_91,
        -1.231_739_572_450_155,
        0.120_865_097_386_617_9e-2,
        -0.539_523_938_495_3e-5,
    ];
    let tmp = x + 5.5;
    let tmp = tmp - (x + 0.5) * tmp.ln();
    let mut ser = 1.000_000_000_190_015;
    let mut y = x;
    for c in COF {
        y += 1.0;
        ser += c / y;
    }
    -tmp + (2.506_628_274_631_000_5 * ser / x).ln()
}

/// Regularised upper incomplete gamma function Q(a, x).
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let front = (-x + a * x.ln() - ln_gamma(a)).exp();
    if x < a + 1.0 {
        // Series for P.
        let (mut ap, mut del) = (a, 1.0 / a);
        let mut sum = del;
        for _ in 0..1000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * EPS {
                break;
            }
        }
        1.0 - sum * front
    } else {
        // Continued fraction for Q (modified Lentz).
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < EPS {
                break;
            }
        }
        front * h
    }
}

/// Regularised incomplete beta function I_x(a, b).
fn beta_i(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// Continued fraction for the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let fix = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / fix(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..1000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / fix(1.0 + aa * d);
        c = fix(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / fix(1.0 + aa * d);
        c = fix(1.0 + aa / c);
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

pub fn rate(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

pub fn mean(sum: f64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

/// Rounds for stable, readable output (reports are compared across runs and thread counts).
pub fn round(v: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_reference_values() {
        // Reference: 10 of 100 -> [0.0552, 0.1744] (Wilson 1927, as in R's prop.test without correction).
        let [lo, hi] = wilson(10, 100);
        assert!(
            (lo - 0.0552).abs() < 1e-3 && (hi - 0.1744).abs() < 1e-3,
            "{lo} {hi}"
        );
        let [lo, hi] = wilson(0, 10);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 1e-3);
        assert_eq!(wilson(0, 0), [0.0, 0.0]);
    }

    fn close(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol
    }

    #[test]
    fn quantiles_match_reference_values() {
        // Reference values from scipy.stats (norm.ppf, t.ppf).
        assert!(close(z_critical(0.95), 1.959_963_984_540_054, 1e-9));
        assert!(close(z_critical(0.90), 1.644_853_626_951_472, 1e-9));
        assert!(close(z_critical(0.99), 2.575_829_303_548_9, 1e-9));
        for (df, want) in [
            (1.0, 12.706_204_736_174_694),
            (2.5, 3.574_654_842_003_681_7),
            (10.0, 2.228_138_851_986_274),
            (30.0, 2.042_272_456_301_238),
            (57.3, 2.002_238_268_231_336),
            (1000.0, 1.962_339_080_826_408),
        ] {
            let got = t_critical(0.95, df);
            assert!(close(got, want, 1e-7), "df {df}: {got} vs {want}");
        }
        assert!(close(normal_quantile(0.025), -1.959_963_984_540_054, 1e-9));
    }

    #[test]
    fn newcombe_matches_the_published_examples() {
        // Newcombe (1998), Statistics in Medicine 17:873-890, table II, method 10.
        let d = newcombe_difference((48, 80), (56, 70), 0.95).expect("both sides");
        assert!(close(d.value, 0.2, 1e-12));
        assert!(
            close(d.low, 0.0524, 1e-4) && close(d.high, 0.3339, 1e-4),
            "{d:?}"
        );
        let d = newcombe_difference((3, 10), (9, 10), 0.95).expect("both sides");
        assert!(
            close(d.low, 0.1705, 1e-4) && close(d.high, 0.8090, 1e-4),
            "{d:?}"
        );
        assert!(d.above_zero());
        // Same rates on both sides: the interval straddles zero.
        let d = newcombe_difference((10, 100), (10, 100), 0.95).expect("both sides");
        assert!(!d.above_zero() && !d.below_zero());
        assert_eq!(newcombe_difference((0, 0), (1, 2), 0.95), None);
    }

    #[test]
    fn welch_matches_scipy() {
        let moments = |xs: &[f64]| Moments {
            n: xs.len() as u64,
            sum: xs.iter().sum(),
            sum_sq: xs.iter().map(|x| x * x).sum(),
        };
        let a = moments(&[4., 5., 3., 4., 5., 2., 4., 4., 5., 3.]);
        let b = moments(&[3., 2., 4., 3., 1., 2., 3., 4., 2., 3., 3., 2.]);
        // scipy.stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
        let d = welch_difference(a, b, 0.95).expect("enough values");
        assert!(close(d.value, -1.233_333_333_333_333_4, 1e-12));
        assert!(close(d.low, -2.084_511_807_908_014, 1e-6), "{d:?}");
        assert!(close(d.high, -0.382_154_858_758_653, 1e-6), "{d:?}");
        assert!(d.below_zero());
        assert_eq!(welch_difference(moments(&[4.0]), b, 0.95), None);
        let same = moments(&[4.0, 4.0, 4.0]);
        let d = welch_difference(same, same, 0.95).expect("enough values");
        assert_eq!((d.low, d.high), (0.0, 0.0));
    }

    #[test]
    fn one_sided_p_values_are_the_intervals_read_the_other_way() {
        // Newcombe's example: the 95% interval (0.0524, 0.3339) excludes zero, so p < 0.025,
        // and the interval at 1 - 2p just touches zero.
        let p = newcombe_p_higher((48, 80), (56, 70)).expect("both sides");
        assert!(p > 0.0 && p < 0.025, "{p}");
        let edge = newcombe_difference((48, 80), (56, 70), 1.0 - 2.0 * p).expect("both sides");
        assert!(close(edge.low, 0.0, 1e-9), "{edge:?}");
        // A fall reads as p above one half, the mirror image of the rise.
        let fall = newcombe_p_higher((56, 70), (48, 80)).expect("both sides");
        assert!(close(fall, 1.0 - p, 1e-9), "{fall} vs {p}");
        assert_eq!(newcombe_p_higher((10, 100), (10, 100)), Some(0.5));
        assert_eq!(newcombe_p_higher((0, 0), (1, 2)), None);
        // A rise whose 95% interval includes zero: p above 0.025.
        let p = newcombe_p_higher((8, 40), (10, 40)).expect("both sides");
        assert!(p > 0.025 && p < 0.5, "{p}");

        let moments = |xs: &[f64]| Moments {
            n: xs.len() as u64,
            sum: xs.iter().sum(),
            sum_sq: xs.iter().map(|x| x * x).sum(),
        };
        let a = moments(&[4., 5., 3., 4., 5., 2., 4., 4., 5., 3.]);
        let b = moments(&[3., 2., 4., 3., 1., 2., 3., 4., 2., 3., 3., 2.]);
        let p = welch_p_lower(a, b).expect("enough values");
        // t = -3.0404 on 18.31 df (Welch); one-sided p = 0.003468 (the t density integrated
        // numerically, Simpson's rule).
        assert!(close(p, 0.003_468, 2e-6), "{p}");
        let edge = welch_difference(a, b, 1.0 - 2.0 * p).expect("enough values");
        assert!(close(edge.high, 0.0, 1e-6), "{edge:?}");
        assert!(close(welch_p_lower(b, a).expect("enough"), 1.0 - p, 1e-9));
        let same = moments(&[4.0, 4.0, 4.0]);
        assert_eq!(welch_p_lower(same, same), Some(0.5));
        assert_eq!(welch_p_lower(moments(&[4.0]), b), None);
    }

    #[test]
    fn holm_and_benjamini_hochberg_match_worked_examples() {
        // As R's p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm" / "BH").
        let p = [0.01, 0.04, 0.03, 0.005];
        let holm = adjust(&p, Adjustment::Holm);
        for (got, want) in holm.iter().zip([0.03, 0.06, 0.06, 0.02]) {
            assert!(close(*got, want, 1e-12), "{holm:?}");
        }
        let bh = adjust(&p, Adjustment::BenjaminiHochberg);
        for (got, want) in bh.iter().zip([0.02, 0.04, 0.04, 0.02]) {
            assert!(close(*got, want, 1e-12), "{bh:?}");
        }
        assert_eq!(adjust(&p, Adjustment::None), p);
        // Capped at 1; an empty family stays empty.
        assert_eq!(adjust(&[0.6, 0.7], Adjustment::Holm), [1.0, 1.0]);
        assert!(adjust(&[], Adjustment::Holm).is_empty());
        // At a one-sided 0.025, Holm rejects only the smallest here; uncorrected, all four.
        assert_eq!(holm.iter().filter(|q| **q < 0.025).count(), 1);
        assert_eq!(p.iter().filter(|q| **q < 0.05).count(), 4);
    }

    #[test]
    fn minimum_detectable_effects_match_the_normal_approximation() {
        // 10% on 1000 per side, one-sided 2.5%, 80% power: 4.07 pp (solved by hand with
        // k = 1.95996 + 0.84162).
        let d = min_detectable_rise(0.1, 1000, 1000, 0.025, 0.8).expect("detectable");
        assert!(close(d, 0.040_685, 1e-5), "{d}");
        // Smaller samples or a stricter level need a larger rise.
        let small = min_detectable_rise(0.1, 100, 100, 0.025, 0.8).expect("detectable");
        let strict = min_detectable_rise(0.1, 1000, 1000, 0.025 / 48.0, 0.8).expect("detectable");
        assert!(small > d && strict > d, "{small} {strict}");
        // A rate at zero can still be seen to rise; at 100% it cannot rise.
        assert!(min_detectable_rise(0.0, 500, 500, 0.025, 0.8).is_some_and(|d| d > 0.0));
        assert_eq!(min_detectable_rise(1.0, 500, 500, 0.025, 0.8), None);
        assert_eq!(min_detectable_rise(0.5, 1, 1, 0.0001, 0.99), None);
        // Means: (1.95996 + 0.84162) * sqrt(1/100 + 1/100).
        let s = min_detectable_shift(1.0, 100, 100, 0.025, 0.8).expect("sized");
        assert!(close(s, 0.396_203, 1e-5), "{s}");
    }

    #[test]
    fn uncorrected_p_values_reproduce_the_interval_rule_exactly() {
        // The gate with correction "none" and the trend flags judge by the interval; the
        // corrected ones by the p-value. On a grid of counts both must agree at every level.
        for confidence in [0.9, 0.95, 0.99] {
            let level = (1.0 - confidence) / 2.0;
            for (n1, n2) in [(30, 30), (40, 90), (500, 480), (1000, 1000)] {
                for x1 in (0..=n1).step_by((n1 / 10).max(1) as usize) {
                    for x2 in (0..=n2).step_by((n2 / 25).max(1) as usize) {
                        let d = newcombe_difference((x1, n1), (x2, n2), confidence).expect("sides");
                        let p = newcombe_p_higher((x1, n1), (x2, n2)).expect("sides");
                        assert_eq!(
                            p < level,
                            d.above_zero(),
                            "{x1}/{n1} {x2}/{n2} at {confidence}: p {p} {d:?}"
                        );
                    }
                }
            }
        }
    }
}
