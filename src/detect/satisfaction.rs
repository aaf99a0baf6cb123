//! Was the customer left dissatisfied? `low_csat` from the survey; inferred from text:
//! `sentiment_drop` (customer sentiment falls from the first to a later message) and
//! `frustration` (markers such as "I already told you", "!!!", shouting, swearing).

use super::{Detectors, Prepared};
use crate::model::{Finding, Reason, Role};

pub struct Satisfaction {
    /// Low CSAT or a sentiment drop: the report's satisfaction-drop rate.
    pub dropped: bool,
    /// Sentiment of the first customer message and of the lowest later one.
    pub first_and_lowest: Option<(f64, f64)>,
}

pub fn detect(d: &Detectors, prep: &Prepared, out: &mut Vec<Finding>) -> Satisfaction {
    let cfg = &d.config.detect;
    let msgs = &prep.conv.messages;
    let mut dropped = false;
    let mut first_and_lowest = None;

    if let Some(csat) = prep.conv.csat {
        let five = d.csat_scale.to_five(csat);
        if five <= cfg.low_csat {
            dropped = true;
            out.push(Finding {
                reason: Reason::LowCsat,
                detail: format!("survey CSAT {csat} (≤ {} on a 1-5 scale)", cfg.low_csat),
                messages: Vec::new(),
            });
        }
    }

    let customer: Vec<usize> = prep.indices(Role::Customer).collect();
    if let Some((&first, later)) = customer.split_first() {
        let start = prep.sentiment[first] as f64;
        // The lowest later message; on ties the earliest, where the drop happened.
        let lowest = later
            .iter()
            .copied()
            .fold(None::<usize>, |best, i| match best {
                Some(b) if prep.sentiment[b] <= prep.sentiment[i] => Some(b),
                _ => Some(i),
            });
        if let Some(low) = lowest {
            let end = prep.sentiment[low] as f64;
            first_and_lowest = Some((start, end));
            if start - end >= cfg.sentiment_drop && end <= cfg.sentiment_negative {
                dropped = true;
                let bot_before = (first..low).rev().find(|&i| msgs[i].role == Role::Bot);
                let mut messages = vec![first, low];
                let after = match bot_before {
                    Some(b) => {
                        messages.insert(1, b);
                        format!(" after bot message {}", b + 1)
                    }
                    None => String::new(),
                };
                out.push(Finding {
                    reason: Reason::SentimentDrop,
                    detail: format!(
                        "customer sentiment fell from {start:.2} (message {}) to {end:.2} (message {}){after}",
                        first + 1,
                        low + 1
                    ),
                    messages,
                });
            }
        }
    }

    // Frustration at the bot shows after the bot has spoken; the opening message often
    // describes an annoying problem, which is not the bot's failure.
    let first_reply = prep.first_reply();
    let mut frustrated = Vec::new();
    let mut markers: Vec<&'static str> = Vec::new();
    for &i in &customer {
        if first_reply.is_some_and(|r| r < i) {
            let found = &prep.markers[i];
            if !found.is_empty() {
                frustrated.push(i);
                for &m in found {
                    if !markers.contains(&m) {
                        markers.push(m);
                    }
                }
            }
        }
    }
    if !frustrated.is_empty() {
        out.push(Finding {
            reason: Reason::Frustration,
            detail: format!(
                "frustration markers ({}) in customer message(s) {}",
                markers.join(", "),
                frustrated
                    .iter()
                    .map(|i| (i + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            messages: frustrated,
        });
    }

    Satisfaction {
        dropped,
        first_and_lowest,
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::tests::{assess, conv};
    use crate::model::{Reason, Role};
    use Role::{Bot, Customer};

    #[test]
    fn low_csat_positive_and_negative() {
        let mut c = conv(&[(Customer, "refund?"), (Bot, "Refund issued today.")]);
        c.csat = Some(1.0);
        let a = assess(&c);
        assert!(a.has(Reason::LowCsat));
        assert!(a.satisfaction_drop && a.needs_human);
        c.csat = Some(4.0);
        assert!(!assess(&c).has(Reason::LowCsat));
    }

    #[test]
    fn sentiment_drop_names_the_message_and_the_bot_message_before() {
        let a = assess(&conv(&[
            (Customer, "Hi, I would like some help with my card please"),
            (Bot, "Sure, what is the problem?"),
            (Customer, "It was declined at the shop"),
            (Bot, "Please check your balance in the app."),
            (
                Customer,
                "This is terrible and awful, I hate this stupid service",
            ),
        ]));
        let f = a
            .findings
            .iter()
            .find(|f| f.reason == Reason::SentimentDrop);
        assert_eq!(
            f.map(|f| f.messages.clone()),
            Some(vec![0, 3, 4]),
            "{:?}",
            a.findings
        );
        let a = assess(&conv(&[
            (Customer, "Hi, I would like some help with my card please"),
            (Bot, "Sure, what is the problem?"),
            (Customer, "It was declined at the shop"),
            (Bot, "I have lifted the block; please try again."),
            (Customer, "Lovely, it works now, thank you"),
        ]));
        assert!(!a.has(Reason::SentimentDrop));
    }

    #[test]
    fn frustration_positive_and_negative() {
        let a = assess(&conv(&[
            (Customer, "my transfer is missing"),
            (Bot, "Transfers can take up to 2 hours."),
            (Customer, "I ALREADY TOLD YOU it has been 3 days!!!"),
        ]));
        assert!(a.has(Reason::Frustration));
        // The opening message describing an annoying problem is not frustration at the bot.
        let a = assess(&conv(&[
            (Customer, "my transfer is missing!!! SO ANNOYING"),
            (Bot, "It arrived this morning, check your balance."),
            (Customer, "oh yes, got it, thanks"),
        ]));
        assert!(!a.has(Reason::Frustration));
    }
}
