//! Was the customer's problem left unresolved? Reasons: escalation_request, bot_fallback,
//! customer_repeat, unanswered, negative_close, abandoned_after_fallback, handoff,
//! explicit_status. Also reports whether the customer confirmed a fix.

use super::negation;
use super::phrases::PhraseList;
use super::text::{content_words, jaccard, Earlier};
use super::{Detectors, Prepared};
use crate::model::{Finding, Reason, Role};

/// Compound sentiment at or below which a closing customer message counts as a complaint
/// even without a listed phrase.
const NEGATIVE_CLOSE_SENTIMENT: f32 = -0.6;

pub struct Outcome {
    pub confirmed: bool,
    /// Highest similarity of a customer message to an earlier one compared (for calibration).
    pub max_similarity: f64,
    /// Pairs of customer messages compared: linear in messages (`text::SIMILARITY_WINDOW`).
    #[cfg_attr(not(test), allow(dead_code))] // the tests' bound on the work
    pub comparisons: u64,
}

pub fn detect(d: &Detectors, prep: &Prepared, out: &mut Vec<Finding>) -> Outcome {
    let msgs = &prep.conv.messages;
    let customer: Vec<usize> = prep.indices(Role::Customer).collect();
    let last_spoken = prep.last_spoken();
    let last_customer = customer.last().copied();
    let first_reply = prep.first_reply();

    // escalation_request
    // A list phrase is checked for negation scope ("no need for a human"); a message
    // without one may still ask in other words ("put me through to support staff").
    // Decided per message while preparing it (`memo::prepare`), so a repeated message
    // ("agent please") is analysed once.
    let asked: Vec<usize> = customer
        .iter()
        .copied()
        .filter(|&i| prep.asks_person[i])
        .collect();
    if let Some(&first) = asked.first() {
        let phrase = match d
            .phrases
            .find(PhraseList::Escalation, &prep.normalized[first])
        {
            Some(p) => format!("\"{p}\""),
            None => "in other words".to_string(),
        };
        out.push(Finding {
            reason: Reason::EscalationRequest,
            detail: format!(
                "customer asks for a person ({phrase}) in message {}",
                first + 1
            ),
            messages: asked,
        });
    }

    // bot_fallback
    let marked = &prep.conv.marks.fallbacks;
    let fallbacks: Vec<usize> = prep
        .indices(Role::Bot)
        .filter(|&i| marked.contains(&i) || prep.has(i, PhraseList::Fallback))
        .collect();
    if !fallbacks.is_empty() {
        out.push(Finding {
            reason: Reason::BotFallback,
            detail: format!(
                "bot could not understand or help {} time(s), first in message {}",
                fallbacks.len(),
                fallbacks[0] + 1
            ),
            messages: fallbacks.clone(),
        });
    }

    // customer_repeat: a later customer message restating an earlier one.
    let cfg = &d.config.detect;
    let sets: Vec<(usize, Vec<u64>)> = customer
        .iter()
        .map(|&i| (i, content_words(&prep.tokens[i])))
        .filter(|(_, s)| s.len() >= cfg.customer_repeat_min_words)
        .collect();
    let mut restated = Vec::new();
    let mut first_pair = None;
    let mut max_similarity = 0.0f64;
    let mut earlier = Earlier::default();
    for (k, (i, set)) in sets.iter().enumerate() {
        let mut found = None;
        for jk in earlier.candidates(k, set, |j| sets[j].1.as_slice()) {
            let sim = jaccard(&sets[jk].1, set);
            max_similarity = max_similarity.max(sim);
            if found.is_none() && sim >= cfg.customer_repeat_similarity {
                found = Some((sets[jk].0, sim));
            }
        }
        if let Some((j, sim)) = found {
            first_pair.get_or_insert((j, *i, sim));
            restated.push(*i);
        }
    }
    if let Some((j, i, sim)) = first_pair {
        out.push(Finding {
            reason: Reason::CustomerRepeat,
            detail: format!(
                "customer message {} restates message {} (similarity {sim:.2})",
                i + 1,
                j + 1
            ),
            messages: restated,
        });
    }

    // How the conversation ended.
    let closing_complaint = last_customer.filter(|&i| {
        first_reply.is_some_and(|r| r < i)
            && (prep.has(i, PhraseList::NegativeClose)
                || prep.sentiment[i] <= NEGATIVE_CLOSE_SENTIMENT
                || (negation::may_be_ironic(&prep.tokens[i])
                    && negation::ironic(&prep.normalized[i])))
    });
    let confirmed = closing_complaint.is_none()
        && last_customer.is_some_and(|i| prep.has(i, PhraseList::Confirmation));

    if let Some(i) = closing_complaint {
        let why = match d
            .phrases
            .find(PhraseList::NegativeClose, &prep.normalized[i])
        {
            Some(p) => format!("\"{p}\""),
            None if negation::ironic(&prep.normalized[i]) => "an ironic thanks".to_string(),
            None => format!("sentiment {:.2}", prep.sentiment[i]),
        };
        out.push(Finding {
            reason: Reason::NegativeClose,
            detail: format!(
                "customer's last message {} expresses failure ({why})",
                i + 1
            ),
            messages: vec![i],
        });
    }

    if let Some(i) = last_spoken {
        if msgs[i].role == Role::Customer && !confirmed && closing_complaint.is_none() {
            out.push(Finding {
                reason: Reason::Unanswered,
                detail: format!(
                    "conversation ends on customer message {} with no reply",
                    i + 1
                ),
                messages: vec![i],
            });
        }
        if msgs[i].role == Role::Bot && fallbacks.last() == Some(&i) {
            out.push(Finding {
                reason: Reason::AbandonedAfterFallback,
                detail: format!(
                    "customer left after the bot's fallback in message {}",
                    i + 1
                ),
                messages: vec![i],
            });
        }
    }

    // handoff: an agent took over from the bot, the platform recorded a handoff, or the
    // platform/bot announced a transfer. A conversation that humans handled from the start
    // (no bot before the first agent message) is not a bot failure.
    let platform_handoffs = &prep.conv.marks.handoffs;
    let first_bot = msgs.iter().position(|m| m.role == Role::Bot);
    let handed = msgs.iter().enumerate().find(|(i, m)| {
        (m.role == Role::Agent && first_bot.is_some_and(|b| b < *i))
            || platform_handoffs.contains(i)
            || (matches!(m.role, Role::System | Role::Bot) && prep.has(*i, PhraseList::Handoff))
    });
    if let Some((i, m)) = handed {
        let detail = if m.role == Role::Agent {
            format!("a human agent took over at message {}", i + 1)
        } else if platform_handoffs.contains(&i) {
            format!(
                "the platform recorded a handoff to a person at message {}",
                i + 1
            )
        } else {
            format!("transfer to a person announced in message {}", i + 1)
        };
        out.push(Finding {
            reason: Reason::Handoff,
            detail,
            messages: vec![i],
        });
    }

    // explicit_status
    if let Some(status) = prep.conv.status.as_deref() {
        let s = status.trim().to_ascii_lowercase();
        if d.phrases.entries(PhraseList::OpenStatuses).contains(&s) {
            out.push(Finding {
                reason: Reason::ExplicitStatus,
                detail: format!("platform status is \"{status}\""),
                messages: Vec::new(),
            });
        }
    }

    Outcome {
        confirmed,
        max_similarity,
        comparisons: earlier.comparisons,
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::tests::{assess, conv};
    use crate::model::{Reason, Role};
    use Role::{Agent, Bot, Customer, System};

    #[test]
    fn restatements_are_looked_for_in_a_bounded_window() {
        use crate::detect::text::SIMILARITY_WINDOW as W;
        use crate::detect::{CsatScale, DetectionSettings, Detectors, Prepared};
        let d = Detectors::new(DetectionSettings::default(), CsatScale::default());
        let run = |texts: &[String]| {
            let msgs: Vec<(Role, &str)> = texts.iter().map(|t| (Customer, t.as_str())).collect();
            let c = conv(&msgs);
            let prep = Prepared::analyse(&c, &d);
            let mut out = Vec::new();
            let o = super::detect(&d, &prep, &mut out);
            let restated = out.iter().find(|f| f.reason == Reason::CustomerRepeat);
            (o.comparisons, restated.map(|f| f.detail.clone()))
        };
        let distinct = |n: usize| -> Vec<String> {
            (0..n)
                .map(|k| format!("parcel {k} delivery w{k}a w{k}b w{k}c w{k}d"))
                .collect()
        };
        let (comparisons, _) = run(&distinct(20_000));
        assert!(comparisons <= 20_000 * (W as u64 + 1), "{comparisons}");
        // A restatement just inside the window is found; one just beyond it is not, unless
        // it is word for word the same.
        const ASK: &str = "my parcel never arrived and the tracking page shows nothing at all";
        const REWORDED: &str = "my parcel never arrived and the tracking page shows nothing";
        for (gap, found) in [(W - 1, true), (W, false)] {
            let mut texts = vec![ASK.to_string()];
            texts.extend(distinct(gap));
            texts.push(REWORDED.to_string());
            assert_eq!(run(&texts).1.is_some(), found, "gap {gap}");
        }
        let mut texts = vec![ASK.to_string()];
        texts.extend(distinct(3 * W));
        texts.push(ASK.to_string());
        let detail = run(&texts).1.unwrap_or_default();
        assert!(detail.contains("restates message 1 "), "{detail}");
    }

    #[test]
    fn escalation_request_positive_and_negative() {
        let a = assess(&conv(&[
            (Customer, "my card was declined"),
            (Bot, "Let me check that card for you."),
            (Customer, "can I talk to a real person please"),
        ]));
        assert!(a.has(Reason::EscalationRequest));
        let f = a
            .findings
            .iter()
            .find(|f| f.reason == Reason::EscalationRequest);
        assert_eq!(f.map(|f| f.messages.clone()), Some(vec![2]));
        let a = assess(&conv(&[
            (Customer, "my card was declined"),
            (Bot, "I have unblocked your card, please try again."),
            (Customer, "thanks, that worked"),
        ]));
        assert!(!a.has(Reason::EscalationRequest));
        assert!(!a.needs_human);
    }

    #[test]
    fn bot_fallback_positive_and_negative() {
        let a = assess(&conv(&[
            (Customer, "where is my refund"),
            (Bot, "Sorry, I didn't understand that."),
            (Customer, "the refund for order 123"),
            (Bot, "Your refund was issued on Monday and takes 3-5 days."),
        ]));
        assert!(a.has(Reason::BotFallback));
        assert!(
            a.unresolved,
            "a fallback without a confirmation stays unresolved"
        );
        let a = assess(&conv(&[
            (Customer, "where is my refund"),
            (Bot, "Your refund was issued on Monday and takes 3-5 days."),
            (Customer, "great, thanks"),
        ]));
        assert!(!a.has(Reason::BotFallback));
    }

    #[test]
    fn platform_marked_fallback_counts_whatever_the_wording() {
        let mut c = conv(&[
            (Customer, "I want to move my appointment"),
            (Bot, "Here is what I found about appointments."),
            (Customer, "that is not what I asked"),
        ]);
        assert!(!assess(&c).has(Reason::BotFallback), "no phrase matches");
        c.marks.fallbacks = vec![1];
        let a = assess(&c);
        let f = a.findings.iter().find(|f| f.reason == Reason::BotFallback);
        assert_eq!(f.map(|f| f.messages.clone()), Some(vec![1]));
        // A mark on a customer message is not a bot fallback.
        c.marks.fallbacks = vec![0];
        assert!(!assess(&c).has(Reason::BotFallback));
    }

    #[test]
    fn platform_handoff_event_is_a_handoff() {
        let mut c = conv(&[
            (Customer, "I need help with my bill"),
            (Bot, "One moment."),
            (System, "handoff.initiate"),
        ]);
        assert!(!assess(&c).has(Reason::Handoff));
        c.marks.handoffs = vec![2];
        let a = assess(&c);
        let f = a.findings.iter().find(|f| f.reason == Reason::Handoff);
        assert_eq!(f.map(|f| f.messages.clone()), Some(vec![2]));
        assert!(a.needs_human);
    }

    #[test]
    fn fallback_recovered_by_confirmation_is_resolved() {
        let a = assess(&conv(&[
            (Customer, "where is my refund"),
            (Bot, "Sorry, I didn't understand that."),
            (Customer, "the refund for order 123"),
            (Bot, "Your refund was issued on Monday and takes 3-5 days."),
            (Customer, "perfect, thank you"),
        ]));
        assert!(a.has(Reason::BotFallback));
        assert!(a.confirmed);
        assert!(!a.unresolved);
    }

    #[test]
    fn customer_repeat_positive_and_negative() {
        let a = assess(&conv(&[
            (Customer, "I need to cancel the payment to Acme Ltd today"),
            (Bot, "You can view your payments in the app."),
            (Customer, "no, I need to CANCEL the payment to Acme Ltd"),
            (Bot, "You can view your payments in the app under Payments."),
        ]));
        assert!(a.has(Reason::CustomerRepeat));
        let a = assess(&conv(&[
            (Customer, "I need to cancel the payment to Acme Ltd today"),
            (Bot, "Which payment? Please give the date."),
            (Customer, "the one from last Tuesday for 40 pounds"),
            (Bot, "Done, that payment is cancelled."),
        ]));
        assert!(!a.has(Reason::CustomerRepeat));
    }

    #[test]
    fn unanswered_positive_and_negative() {
        let a = assess(&conv(&[
            (Customer, "my parcel is late"),
            (Bot, "It is due tomorrow."),
            (Customer, "can you change the delivery address?"),
        ]));
        assert!(a.has(Reason::Unanswered));
        let a = assess(&conv(&[
            (Customer, "my parcel is late"),
            (Bot, "It is due tomorrow."),
            (Customer, "ok thanks"),
        ]));
        assert!(!a.has(Reason::Unanswered));
    }

    #[test]
    fn negative_close_positive_and_negative() {
        let a = assess(&conv(&[
            (Customer, "my login fails"),
            (Bot, "Please reset your password from the login page."),
            (Customer, "I did, still not working. This is useless"),
        ]));
        assert!(a.has(Reason::NegativeClose));
        assert!(
            !a.has(Reason::Unanswered),
            "a complaint is reported once, as negative_close"
        );
        let a = assess(&conv(&[
            (Customer, "my login fails, so annoying"),
            (Bot, "Please reset your password from the login page."),
            (Customer, "that worked, thanks"),
        ]));
        assert!(!a.has(Reason::NegativeClose));
    }

    #[test]
    fn abandoned_after_fallback_positive_and_negative() {
        let a = assess(&conv(&[
            (Customer, "dispute a charge"),
            (Bot, "I'm not sure I follow. Could you rephrase?"),
        ]));
        assert!(a.has(Reason::AbandonedAfterFallback));
        let a = assess(&conv(&[
            (Customer, "dispute a charge"),
            (Bot, "I'm not sure I follow. Could you rephrase?"),
            (Customer, "I want to dispute a card charge"),
            (Bot, "I have opened a dispute for you."),
            (Customer, "thanks"),
        ]));
        assert!(!a.has(Reason::AbandonedAfterFallback));
    }

    #[test]
    fn handoff_positive_and_negative() {
        let a = assess(&conv(&[
            (Customer, "my account is locked"),
            (System, "Conversation transferred to an agent"),
            (Agent, "Hi, Sam here, I've unlocked it."),
            (Customer, "thanks"),
        ]));
        assert!(a.has(Reason::Handoff));
        assert!(a.needs_human);
        let a = assess(&conv(&[
            (Customer, "my account is locked"),
            (Bot, "I can help with that. Which account?"),
            (Agent, "Hi, Sam here, I've unlocked it."),
        ]));
        assert!(
            a.has(Reason::Handoff),
            "an agent after the bot is a handoff"
        );
        // Human agents from the start (e.g. social-media care teams): no bot failed.
        let a = assess(&conv(&[
            (Customer, "my account is locked"),
            (Agent, "Hi, Sam here, I've unlocked it."),
            (Customer, "thanks"),
        ]));
        assert!(!a.has(Reason::Handoff));
        let a = assess(&conv(&[
            (Customer, "my account is locked"),
            (Bot, "I've sent an unlock link to your e-mail."),
            (Customer, "thanks"),
        ]));
        assert!(!a.has(Reason::Handoff));
    }

    #[test]
    fn explicit_status_positive_and_negative() {
        let mut c = conv(&[(Customer, "refund please"), (Bot, "Refund issued.")]);
        c.status = Some("Escalated".into());
        assert!(assess(&c).has(Reason::ExplicitStatus));
        c.status = Some("solved".into());
        assert!(!assess(&c).has(Reason::ExplicitStatus));
    }
}
