//! L2-regularised logistic regression by Newton's method: how the needs-human probability's
//! weights are fitted (by `examples/eval.rs` on the labelled sets, by `calibrate` on a
//! team's labels). A handful of features and a few thousand rows: a dense Newton step on a
//! K x K system converges in under 20 iterations, no library needed.

// Dense linear algebra on a K x K matrix reads as the textbook formulas with indices.
#![allow(clippy::needless_range_loop)]

use crate::stats::sigmoid;

/// Fits `P(y) = 1 / (1 + exp(-(b0 + w . x)))` by maximising the log-likelihood minus
/// `l2 / 2 * |w|^2` (the intercept is not penalised). Returns `(b0, w)`, or `None` when
/// there are no rows, one class only, or the system is singular.
pub fn fit(x: &[Vec<f64>], y: &[bool], l2: f64) -> Option<(f64, Vec<f64>)> {
    let n = x.len();
    let positives = y.iter().filter(|v| **v).count();
    if n == 0 || n != y.len() || positives == 0 || positives == n {
        return None;
    }
    let k = x[0].len() + 1;
    if x.iter()
        .any(|r| r.len() + 1 != k || r.iter().any(|v| !v.is_finite()))
    {
        return None;
    }
    // beta[0] is the intercept, started at the base rate's logit.
    let base = positives as f64 / n as f64;
    let mut beta = vec![0.0; k];
    beta[0] = (base / (1.0 - base)).ln();
    for _ in 0..100 {
        let mut grad = vec![0.0; k];
        let mut hess = vec![vec![0.0; k]; k];
        for (row, &label) in x.iter().zip(y) {
            let z = beta[0] + row.iter().zip(&beta[1..]).map(|(a, b)| a * b).sum::<f64>();
            let p = sigmoid(z);
            let r = label as u8 as f64 - p;
            let w = p * (1.0 - p);
            let xi = |j: usize| if j == 0 { 1.0 } else { row[j - 1] };
            for a in 0..k {
                grad[a] += r * xi(a);
                for b in 0..=a {
                    hess[a][b] += w * xi(a) * xi(b);
                }
            }
        }
        for a in 0..k {
            for b in 0..a {
                hess[b][a] = hess[a][b];
            }
            if a > 0 {
                grad[a] -= l2 * beta[a];
                hess[a][a] += l2;
            }
        }
        let step = solve(hess, grad)?;
        let mut largest: f64 = 0.0;
        for (b, s) in beta.iter_mut().zip(&step) {
            *b += s;
            largest = largest.max(s.abs());
        }
        if largest < 1e-9 {
            break;
        }
    }
    Some((beta[0], beta[1..].to_vec()))
}

/// [`fit`], with the weights of the inputs in `non_negative` kept at 0 or above: an input
/// whose weight comes out negative is zeroed and the rest refitted, until none is.
pub fn fit_non_negative(
    x: &[Vec<f64>],
    y: &[bool],
    l2: f64,
    non_negative: &[usize],
) -> Option<(f64, Vec<f64>)> {
    let k = x.first()?.len();
    let mut dropped = vec![false; k];
    loop {
        let masked: Vec<Vec<f64>> = x
            .iter()
            .map(|r| {
                r.iter()
                    .zip(&dropped)
                    .map(|(v, d)| if *d { 0.0 } else { *v })
                    .collect()
            })
            .collect();
        let (b0, w) = fit(&masked, y, l2)?;
        match non_negative
            .iter()
            .find(|&&j| j < k && !dropped[j] && w[j] < 0.0)
        {
            Some(&j) => dropped[j] = true,
            None => return Some((b0, w)),
        }
    }
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..n {
            let f = a[row][col] / a[col][col];
            for c in col..n {
                a[row][c] -= f * a[col][c];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|c| a[row][c] * x[c]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// Brier score (mean squared error of the probabilities).
pub fn brier(p: &[f64], y: &[bool]) -> f64 {
    let n = p.len().max(1) as f64;
    p.iter()
        .zip(y)
        .map(|(p, y)| (p - (*y as u8 as f64)).powi(2))
        .sum::<f64>()
        / n
}

/// Reliability table: the rows sorted by probability and cut into `bins` groups of (almost)
/// equal size; per group (count, mean predicted, observed share).
pub fn reliability(p: &[f64], y: &[bool], bins: usize) -> Vec<(usize, f64, f64)> {
    let mut rows: Vec<(f64, bool)> = p.iter().copied().zip(y.iter().copied()).collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = rows.len();
    let bins = bins.max(1).min(n.max(1));
    (0..bins)
        .filter_map(|b| {
            let part = &rows[b * n / bins..(b + 1) * n / bins];
            let m = part.len();
            (m > 0).then(|| {
                let pred = part.iter().map(|r| r.0).sum::<f64>() / m as f64;
                let obs = part.iter().filter(|r| r.1).count() as f64 / m as f64;
                (m, pred, obs)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_model() {
        // y = 1 exactly when a deterministic pseudo-random draw falls under the model's p.
        let (b0, w1) = (-1.0, 2.0);
        let mut rng = crate::rng::Rng::new(12345);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for _ in 0..20_000 {
            let v = rng.unit() * 4.0 - 2.0;
            let u = rng.unit();
            let p = sigmoid(b0 + w1 * v);
            x.push(vec![v]);
            y.push(u < p);
        }
        let (b, w) = fit(&x, &y, 0.0).expect("fits");
        assert!((b - b0).abs() < 0.1, "{b}");
        assert!((w[0] - w1).abs() < 0.1, "{w:?}");
        // A strong penalty shrinks the weight towards 0.
        let (_, shrunk) = fit(&x, &y, 1e5).expect("fits");
        assert!(shrunk[0].abs() < 0.5, "{shrunk:?}");
    }

    #[test]
    fn a_constrained_weight_never_goes_negative() {
        // The second input is anti-correlated with y; constrained, its weight is 0.
        let x: Vec<Vec<f64>> = (0..200)
            .map(|i| vec![(i % 7) as f64, ((i + 1) % 2) as f64])
            .collect();
        let y: Vec<bool> = (0..200).map(|i| i % 7 >= 3 || i % 2 == 1).collect();
        let (_, free) = fit(&x, &y, 0.1).expect("fits");
        assert!(free[1] < 0.0, "{free:?}");
        let (_, kept) = fit_non_negative(&x, &y, 0.1, &[1]).expect("fits");
        assert_eq!(kept[1], 0.0);
        assert!(kept[0] > 0.0);
    }

    #[test]
    fn refuses_one_class_or_empty_input() {
        assert!(fit(&[], &[], 1.0).is_none());
        assert!(fit(&[vec![1.0], vec![2.0]], &[true, true], 1.0).is_none());
        assert!(fit(&[vec![f64::NAN], vec![2.0]], &[true, false], 1.0).is_none());
    }

    #[test]
    fn reliability_bins_are_equal_sized_and_ordered() {
        let p = [0.1, 0.9, 0.2, 0.8];
        let y = [false, true, false, false];
        let t = reliability(&p, &y, 2);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0], (2, 0.15000000000000002, 0.0));
        assert_eq!(t[1].2, 0.5);
        assert!((brier(&p, &y) - (0.01 + 0.01 + 0.04 + 0.64) / 4.0).abs() < 1e-12);
    }
}
