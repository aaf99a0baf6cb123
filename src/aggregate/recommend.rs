//! `[recommend]`: when a category's needs-human rate calls for humans.

use serde::Deserialize;

/// Default `max_categories`: far more than a report can usefully show, and a bound on its
/// size (see `aggregate::categories`).
pub const MAX_CATEGORIES: usize = 1_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecommendConfig {
    /// Needs-human rate at or above which a category should be routed to humans.
    pub route_to_humans: f64,
    /// Needs-human rate at or above which a category needs human review of the bot flows.
    pub human_review: f64,
    /// Fewer conversations than this: "insufficient data" instead of a recommendation.
    pub min_conversations: u64,
    /// Categories shown; the rest are folded into one `other (N categories)` row.
    pub max_categories: usize,
}

impl Default for RecommendConfig {
    fn default() -> Self {
        RecommendConfig {
            route_to_humans: 0.35,
            human_review: 0.15,
            min_conversations: 30,
            max_categories: MAX_CATEGORIES,
        }
    }
}

impl RecommendConfig {
    /// Range checks; the message names the offending key.
    pub fn validate(&self) -> Result<(), String> {
        for (key, v) in [
            ("recommend.route_to_humans", self.route_to_humans),
            ("recommend.human_review", self.human_review),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{key} = {v}: must be between 0 and 1"));
            }
        }
        if self.max_categories == 0 {
            return Err("recommend.max_categories must be at least 1".into());
        }
        if self.human_review > self.route_to_humans {
            return Err("recommend.human_review must not exceed recommend.route_to_humans".into());
        }
        Ok(())
    }
}
