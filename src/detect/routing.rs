//! Routing by design: a bot that hands over on purpose ("I'm passing you over to the fraud
//! team now") with nothing gone wrong before is routing, not failing. Such a conversation
//! still needs a human (the handoff says so), but it gets the `routed_by_design` reason so
//! that "route these to people" and "the bot is failing here" read differently.

use crate::model::{Finding, Reason, ReasonKind};

/// The `routed_by_design` finding, when the conversation has a handoff, the customer did not
/// ask for a person, no cause of failure was found at or before the handoff message, and
/// the customer's turns do not read as dissatisfied (`calm`: the needs-human model, before
/// the hard-evidence floor, is below its threshold).
pub fn routed_by_design(findings: &[Finding], calm: bool) -> Option<Finding> {
    let handoff = findings.iter().find(|f| f.reason == Reason::Handoff)?;
    let at = *handoff.messages.first()?;
    let asked = findings
        .iter()
        .any(|f| f.reason == Reason::EscalationRequest);
    let failed_before = findings.iter().any(|f| {
        f.reason.kind() == ReasonKind::Cause && f.messages.first().is_some_and(|&m| m <= at)
    });
    (calm && !asked && !failed_before).then(|| Finding {
        reason: Reason::RoutedByDesign,
        detail: format!(
            "the bot handed over at message {} with no failure before it",
            at + 1
        ),
        messages: vec![at],
    })
}

#[cfg(test)]
mod tests {
    use crate::detect::tests::{assess, conv};
    use crate::model::Reason;
    use crate::model::Role::{Agent, Bot, Customer};

    #[test]
    fn a_clean_transfer_is_routing_and_still_needs_a_human() {
        let a = assess(&conv(&[
            (Customer, "I think someone used my card in another country"),
            (
                Bot,
                "I'm passing you over to the fraud team now, they will be with you shortly.",
            ),
            (
                Agent,
                "Hello, this is Kim from the fraud team. Let's block the card.",
            ),
            (Customer, "ok"),
        ]));
        assert!(a.has(Reason::Handoff), "{:?}", a.findings);
        assert!(a.has(Reason::RoutedByDesign), "{:?}", a.findings);
        assert!(a.needs_human);
    }

    #[test]
    fn a_transfer_after_a_failure_or_a_request_is_not_routing() {
        let after_fallback = assess(&conv(&[
            (Customer, "I think someone used my card in another country"),
            (Bot, "Sorry, I didn't understand that."),
            (Customer, "fraud on my card"),
            (Bot, "Sorry, I didn't understand that."),
            (Agent, "Hello, this is Kim. Let's block the card."),
        ]));
        assert!(after_fallback.has(Reason::Handoff));
        assert!(!after_fallback.has(Reason::RoutedByDesign));
        let asked = assess(&conv(&[
            (Customer, "I want to talk to a human agent"),
            (Bot, "I'm passing you over to a colleague now."),
            (Agent, "Hello, this is Kim."),
        ]));
        assert!(asked.has(Reason::EscalationRequest));
        assert!(!asked.has(Reason::RoutedByDesign));
    }
}
