//! How many categories are tracked. A category per conversation (an id put in the category
//! field, a free-text intent) made per-category state grow with the input: 1M distinct
//! categories used 9.5 GB and aborted, 100k gave a 644 MB JSON report and a 10k-category
//! HTML page was 101 MB. The report shows the `max_categories` largest (by conversations,
//! ties by name) and folds the rest into one counted `other (N categories)` row.
//!
//! Which are the largest cannot be known before the end of a stream, so the fold thread
//! keeps exact state (sums, examples, answers, days) for up to `TRACKED_PER_SHOWN` times
//! `max_categories` categories. When a new category arrives with that many tracked, the
//! smaller half (by conversations so far, ties by name) is folded into `other` for good:
//! their state moves there and freed, and only a 64-bit hash of each name is kept (8 bytes
//! a name, so a later conversation of theirs is folded too and `N` counts names once).
//! Every row shown is therefore exact, and `other` is exactly the rest. With at most
//! `TRACKED_PER_SHOWN * max_categories` distinct categories (4,000 by default) the rows
//! shown are exactly the largest; beyond that a category first seen after a fold may lose
//! its place to one that was larger when the fold happened. All of this runs per
//! conversation in input order on the fold thread, so it does not depend on `--threads`
//! or on how the input is chunked.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

/// Categories tracked exactly per category shown.
pub const TRACKED_PER_SHOWN: usize = 4;

/// What the folded conversations are aggregated under until the end. Categories read from
/// a record are trimmed, so none starts with a space and this cannot meet a real one.
pub const OTHER_KEY: &str = " other";

/// The tracked categories and the names folded into `other`.
pub struct Tracker {
    shown: usize,
    /// Tracked category -> conversations so far.
    counts: HashMap<String, u64>,
    /// Hashes of the names folded so far.
    folded: HashSet<u64>,
}

/// A [`Tracker`] as a partial stores it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoredTracker {
    counts: Vec<(String, u64)>,
    folded: Vec<u64>,
}

/// Where a conversation's category goes.
pub enum Admit {
    /// Under its own name.
    Own,
    /// Into `other`.
    Other,
}

impl Tracker {
    pub fn new(shown: usize) -> Tracker {
        Tracker {
            shown: shown.max(1),
            counts: HashMap::new(),
            folded: HashSet::new(),
        }
    }

    /// Counts a conversation of `category`; names the categories folded to make room
    /// (their state must move into `other`) in `newly_folded`.
    pub fn admit(&mut self, category: &str, newly_folded: &mut Vec<String>) -> Admit {
        if let Some(n) = self.counts.get_mut(category) {
            *n += 1;
            return Admit::Own;
        }
        if self.folded.contains(&hash(category)) {
            return Admit::Other;
        }
        if self.counts.len() >= TRACKED_PER_SHOWN * self.shown {
            let before = newly_folded.len();
            newly_folded.extend(self.fold_smallest(self.counts.len() / 2));
            for name in &newly_folded[before..] {
                self.folded.insert(hash(name));
            }
        }
        self.counts.insert(category.to_string(), 1);
        Admit::Own
    }

    /// Removes and returns all but the `keep` largest tracked categories.
    fn fold_smallest(&mut self, keep: usize) -> Vec<String> {
        let mut all: Vec<(String, u64)> = self.counts.drain().collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let folded = all.split_off(keep.min(all.len()));
        self.counts = all.into_iter().collect();
        folded.into_iter().map(|(name, _)| name).collect()
    }

    /// The state a partial keeps (docs/scale-out.md): counts by name, folded hashes sorted.
    pub fn to_stored(&self) -> StoredTracker {
        let mut counts: Vec<(String, u64)> =
            self.counts.iter().map(|(k, v)| (k.clone(), *v)).collect();
        counts.sort();
        let mut folded: Vec<u64> = self.folded.iter().copied().collect();
        folded.sort_unstable();
        StoredTracker { counts, folded }
    }

    /// Adds another run's categories: counts add, a name folded in either is folded, and
    /// beyond the tracking limit the smaller half is folded as `admit` does. Returns the
    /// names newly folded here (their merged state must move into `other`). Below the
    /// limit nothing folds, so shards merge to exactly one run's rows.
    pub fn merge(&mut self, other: StoredTracker) -> Vec<String> {
        self.folded.extend(other.folded);
        for (name, n) in other.counts {
            *self.counts.entry(name).or_default() += n;
        }
        let mut newly: Vec<String> = self
            .counts
            .keys()
            .filter(|name| self.folded.contains(&hash(name)))
            .cloned()
            .collect();
        for name in &newly {
            self.counts.remove(name);
        }
        if self.counts.len() > TRACKED_PER_SHOWN * self.shown {
            let folded = self.fold_smallest(self.counts.len() / 2);
            for name in &folded {
                self.folded.insert(hash(name));
            }
            newly.extend(folded);
        }
        newly
    }

    /// At the end: the tracked categories beyond the `max_categories` largest (to fold),
    /// and how many names `other` holds in all.
    pub fn finish(mut self) -> (HashSet<String>, u64) {
        let beyond = self.fold_smallest(self.shown);
        let names = self.folded.len() as u64 + beyond.len() as u64;
        (beyond.into_iter().collect(), names)
    }
}

/// SipHash with fixed keys: the same on every run.
fn hash(name: &str) -> u64 {
    let mut h = DefaultHasher::new();
    name.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(shown: usize, names: &[&str]) -> (Vec<String>, u64, usize) {
        let mut t = Tracker::new(shown);
        let mut folded = Vec::new();
        let mut other = 0;
        for n in names {
            if matches!(t.admit(n, &mut folded), Admit::Other) {
                other += 1;
            }
        }
        let (beyond, total) = t.finish();
        let mut kept: Vec<String> = names
            .iter()
            .map(|n| n.to_string())
            .filter(|n| !folded.contains(n) && !beyond.contains(n))
            .collect();
        kept.sort();
        kept.dedup();
        (kept, total, other)
    }

    #[test]
    fn merging_trackers_adds_counts_and_folds_names_folded_in_either() {
        let mut a = Tracker::new(1);
        let mut b = Tracker::new(1);
        let mut folded = Vec::new();
        for n in ["x", "x", "y", "y"] {
            a.admit(n, &mut folded);
        }
        for n in ["x", "s1", "s2", "s3", "s4"] {
            b.admit(n, &mut folded);
        }
        // b tracks 4; s4 folds the smaller half, all of one conversation: ties by name
        // keep s1 and s2.
        assert_eq!(folded, ["s3", "x"]);
        // x was folded in b, so the merge folds it too: its merged state goes to `other`.
        assert_eq!(a.merge(b.to_stored()), ["x"]);
        let stored = a.to_stored();
        assert_eq!(
            stored.counts,
            [
                ("s1".into(), 1),
                ("s2".into(), 1),
                ("s4".into(), 1),
                ("y".into(), 2)
            ]
        );
        // Below the limit and with nothing folded, merging only adds counts.
        let (mut c, mut d) = (Tracker::new(2), Tracker::new(2));
        c.admit("p", &mut folded);
        d.admit("p", &mut folded);
        d.admit("q", &mut folded);
        assert!(c.merge(d.to_stored()).is_empty());
        assert_eq!(c.to_stored().counts, [("p".into(), 2), ("q".into(), 1)]);
    }

    #[test]
    fn under_the_tracking_limit_the_largest_are_kept_ties_by_name() {
        // 2 shown, 8 tracked: c (3), a and b (2 each, a first by name), d (1).
        let (kept, names, _) = run(2, &["d", "c", "b", "a", "c", "b", "a", "c"]);
        assert_eq!(kept, ["a", "c"]);
        assert_eq!(names, 2);
    }

    #[test]
    fn beyond_the_tracking_limit_the_smaller_half_is_folded_for_good() {
        // 1 shown, 4 tracked: "big" is counted 3 times; s4 finds 4 tracked and folds the
        // smaller half (s2 and s3: ties by name keep s1); s2 seen again goes to other.
        let names = ["big", "big", "big", "s1", "s2", "s3", "s4", "s2"];
        let (kept, total, other) = run(1, &names);
        assert_eq!(kept, ["big"]);
        assert_eq!(other, 1, "s2 came back after being folded");
        // s2 and s3 folded on the way, s1 and s4 at the end.
        assert_eq!(total, 4);
    }
}
