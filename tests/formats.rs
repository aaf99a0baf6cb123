//! Vendor exports end to end: every fixture in tests/fixtures/<format>/ (built from the
//! vendor's documented schema, with the noise real exports carry) is audited by the binary,
//! detected without being told its format, and mapped onto the conversations the detectors
//! expect. Plus compression, forcing and failing detection, the TOML mapping and the real
//! Twitter threads in ../shared/data.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::harness::{handoff, Handoff, TestDir};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture(rel: &str) -> PathBuf {
    fixtures().join(rel)
}

/// A JSON report plus the findings rows by conversation id.
struct Audit {
    report: Value,
    rows: HashMap<String, Value>,
    findings_text: String,
}

impl Audit {
    fn run(cmd: Handoff) -> Audit {
        let dir = TestDir::new();
        let findings = dir.path("findings.jsonl");
        let report = cmd.arg("--findings").arg(&findings).json();
        let findings_text = dir.read("findings.jsonl");
        let rows = findings_text
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("findings row is JSON"))
            .map(|r| (r["id"].as_str().unwrap_or_default().to_string(), r))
            .collect();
        Audit {
            report,
            rows,
            findings_text,
        }
    }

    fn of(paths: &[&str]) -> Audit {
        let mut cmd = handoff().arg("audit");
        for p in paths {
            cmd = cmd.arg(fixture(p));
        }
        Audit::run(cmd)
    }

    fn input(&self, key: &str) -> u64 {
        self.report["input"][key].as_u64().unwrap_or(u64::MAX)
    }

    /// Formats the inputs were read as, by file name.
    fn formats(&self) -> Vec<(String, String)> {
        self.report["input"]["files"]
            .as_array()
            .map(|fs| {
                fs.iter()
                    .map(|f| {
                        let path = f["path"].as_str().unwrap_or_default();
                        let name = path.rsplit('/').next().unwrap_or(path).to_string();
                        (name, f["format"].as_str().unwrap_or("?").to_string())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first recorded location of each skip reason.
    fn skips(&self) -> Vec<(String, String)> {
        self.report["input"]["skip_reasons"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .map(|r| {
                        let first = r["first"][0].as_str().unwrap_or_default();
                        let at = first.split(": ").next().unwrap_or_default();
                        let at = at.rsplit('/').next().unwrap_or(at).to_string();
                        (r["reason"].as_str().unwrap_or_default().to_string(), at)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn row(&self, id: &str) -> &Value {
        self.rows
            .get(id)
            .unwrap_or_else(|| panic!("no findings row for {id}: {:?}", self.rows.keys()))
    }

    fn reasons(&self, id: &str) -> Vec<String> {
        self.row(id)["reasons"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_str())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn has(&self, id: &str, reason: &str) -> bool {
        self.reasons(id).iter().any(|r| r == reason)
    }

    /// The evidence for `reason`: detail and the cited (role, text) pairs.
    fn evidence(&self, id: &str, reason: &str) -> (String, Vec<(String, String)>) {
        let ev = self.row(id)["evidence"]
            .as_array()
            .and_then(|e| e.iter().find(|e| e["reason"] == reason))
            .unwrap_or_else(|| panic!("{id} has no {reason} evidence"));
        let cited = ev["messages"]
            .as_array()
            .map(|ms| {
                ms.iter()
                    .map(|m| {
                        (
                            m["role"].as_str().unwrap_or_default().to_string(),
                            m["text"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        (ev["detail"].as_str().unwrap_or_default().to_string(), cited)
    }
}

fn strings(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn formats_lists_every_format_on_one_line() {
    let out = handoff().arg("formats").ok();
    for name in [
        "zendesk",
        "zendesk-messaging",
        "intercom",
        "ccai-insights",
        "dialogflow-cx",
        "botframework",
        "rasa",
        "openai",
        "twitter",
        "mapping",
        "canonical",
        "csv",
    ] {
        let lines: Vec<&str> = out
            .stdout
            .lines()
            .filter(|l| l.split_whitespace().next() == Some(name))
            .collect();
        assert_eq!(lines.len(), 1, "{name}:\n{}", out.stdout);
        assert!(lines[0].len() > name.len() + 10, "{name} has a description");
    }
    assert!(out.stdout.contains("--input-format"), "{}", out.stdout);
}

#[test]
fn zendesk_tickets_from_the_export_and_from_api_responses() {
    let a = Audit::of(&["zendesk"]);
    assert_eq!(
        a.formats(),
        strings(&[
            ("ticket-4711.json", "zendesk"),
            ("tickets.jsonl", "zendesk")
        ])
    );
    assert_eq!((a.input("audited"), a.input("skipped")), (4, 2));
    assert_eq!(
        a.skips(),
        strings(&[
            ("invalid_json", "tickets.jsonl:5"),
            ("no_messages", "tickets.jsonl:3")
        ]),
        "a truncated line, and a ticket of internal notes and attachments only"
    );

    // Answer Bot answered, the requester confirmed: solved, rated good (top of 1-5).
    let refund = a.row("1001");
    assert_eq!(refund["category"], "refunds");
    assert_eq!(refund["needs_human"], false);
    assert_eq!(refund["csat"], 5.0);

    // Rated bad, still pending, the customer unhappy after the agent's reply. No bot spoke,
    // so the agent's reply is service, not a handoff.
    assert_eq!(a.row("1002")["csat"], 1.0);
    for r in ["low_csat", "explicit_status", "negative_close"] {
        assert!(a.has("1002", r), "{r}: {:?}", a.reasons("1002"));
    }
    assert!(!a.has("1002", "handoff"));
    let (_, cited) = a.evidence("1002", "negative_close");
    assert_eq!(
        cited[0].1,
        "It's still showing on my statement a week later. This is useless."
    );
    assert!(
        !a.findings_text.contains("Stripe"),
        "internal notes never become messages"
    );

    // Answer Bot first, then the agent: a handoff. The users side-load makes the CC'd
    // colleague (index 2) a customer, so the agent takes over at index 3: "message 4" in
    // the detail, which counts from 1 for readers.
    let (detail, cited) = a.evidence("4711", "handoff");
    assert!(detail.contains("message 4"), "{detail}");
    assert_eq!(cited[0].1, "I've unlocked both accounts, please try again.");
    assert_eq!(a.row("4711")["category"], "account_access");

    // Unicode passes through untouched.
    assert_eq!(a.row("1004")["category"], "delivery");
    assert!(a.has("1004", "explicit_status"), "status open");
}

#[test]
fn zendesk_html_only_body_is_readable_text() {
    let dir = TestDir::new();
    let line = std::fs::read_to_string(fixture("zendesk/tickets.jsonl"))
        .expect("fixture")
        .lines()
        .nth(1)
        .expect("ticket 1002")
        .replace(
            "see the attached statement.</p>",
            "see the attached statement. Can I talk to a human?</p>",
        );
    let path = dir.write("t.jsonl", &line);
    let a = Audit::run(handoff().arg("audit").arg(&path));
    let (_, cited) = a.evidence("1002", "escalation_request");
    assert_eq!(
        cited,
        strings(&[(
            "customer",
            "I was charged twice for March — see the attached statement. Can I talk to a \
             human?\n\nOrder ref: 88"
        )])
    );
}

#[test]
fn zendesk_messaging_conversations() {
    let a = Audit::of(&["zendesk-messaging"]);
    assert_eq!(a.formats()[0].1, "zendesk-messaging");
    assert_eq!((a.input("audited"), a.input("skipped")), (2, 2));
    let skips: Vec<String> = a.skips().into_iter().map(|s| s.0).collect();
    assert_eq!(skips, ["missing_id", "no_messages"]);
    let id = "dbd8bb1e2c3a4f1a9a1c0e11";
    assert!(a.has(id, "escalation_request"));
    let (_, cited) = a.evidence(id, "handoff");
    assert_eq!(cited[0].0, "agent", "sent from the Agent Workspace");
    assert_eq!(a.row("e71f0c9b55aa4e0b8f21aa02")["needs_human"], false);
}

#[test]
fn intercom_conversations_parts_notes_rating_and_fin() {
    let a = Audit::of(&["intercom"]);
    assert_eq!((a.input("audited"), a.input("skipped")), (2, 1));
    assert_eq!(
        a.skips(),
        strings(&[("no_messages", "conversation-2001.json:1")]),
        "a screenshot and a note are not messages"
    );
    let id = "1911149811";
    assert_eq!(a.row(id)["category"], "billing");
    assert_eq!(a.row(id)["csat"], 2.0);
    for r in [
        "escalation_request",
        "bot_fallback",
        "handoff",
        "explicit_status",
        "low_csat",
    ] {
        assert!(a.has(id, r), "{r}: {:?}", a.reasons(id));
    }
    let (detail, _) = a.evidence(id, "explicit_status");
    assert!(
        detail.contains("escalated"),
        "Fin routed it to a team: {detail}"
    );
    let (_, cited) = a.evidence(id, "handoff");
    assert_eq!(
        cited,
        strings(&[(
            "agent",
            "Hi Jane, I've refunded the duplicate charge. Receipt attached."
        )])
    );
    let (_, cited) = a.evidence(id, "bot_fallback");
    assert_eq!(cited[0].0, "bot");
    assert!(!a.findings_text.contains("<p>") && !a.findings_text.contains("VIP"));

    // Fin (an admin author flagged from_ai_agent) answered and the customer confirmed.
    let fin = a.row("2000");
    assert_eq!(fin["needs_human"], false);
    assert_eq!(fin["csat"], 5.0);
    assert_eq!(fin["category"], "shipping");
}

#[test]
fn vendor_ratings_follow_the_run_csat_scale() {
    let a = Audit::run(
        handoff()
            .arg("audit")
            .arg(fixture("intercom"))
            .args(["--csat-scale", "0-10"]),
    );
    assert_eq!(a.row("1911149811")["csat"], 2.5, "2 of 1-5 is 2.5 of 0-10");
    assert!(a.has("1911149811", "low_csat"));
    assert_eq!(a.row("2000")["csat"], 10.0);
    let z = Audit::run(
        handoff()
            .arg("audit")
            .arg(fixture("zendesk/tickets.jsonl"))
            .args(["--csat-scale", "0-10"]),
    );
    assert_eq!(z.row("1001")["csat"], 10.0, "good is the top of the scale");
    assert_eq!(z.row("1002")["csat"], 0.0, "bad is the bottom");
}

#[test]
fn ccai_insights_transcripts() {
    let a = Audit::of(&["ccai-insights"]);
    assert_eq!((a.input("audited"), a.input("skipped")), (2, 0));
    let id = "call-0001.json:1";
    assert_eq!(a.row(id)["category"], "Billing");
    for r in ["escalation_request", "bot_fallback", "handoff"] {
        assert!(a.has(id, r), "{r}: {:?}", a.reasons(id));
    }
    let (_, cited) = a.evidence(id, "handoff");
    assert_eq!(cited[0].0, "agent", "AGENT is the human agent");
    assert_eq!(a.row("call-0002.json:1")["category"], "uncategorized");
}

#[test]
fn dialogflow_cx_history_and_bigquery_rows() {
    let a = Audit::of(&["dialogflow-cx"]);
    assert_eq!((a.input("audited"), a.input("skipped")), (4, 0));
    let dispute = "8c2d1f44";
    assert_eq!(
        a.row(dispute)["category"],
        "card_dispute",
        "welcome intent skipped"
    );
    let (detail, cited) = a.evidence(dispute, "handoff");
    assert!(detail.contains("platform recorded a handoff"), "{detail}");
    assert_eq!(cited[0].0, "system");
    let (_, cited) = a.evidence(dispute, "bot_fallback");
    assert_eq!(
        cited.len(),
        2,
        "both messages of the NO_MATCH turn: {cited:?}"
    );
    assert_eq!(a.row("91aa0c07")["needs_human"], false);

    // BigQuery rows arrive interleaved and out of order; turns are put back in order.
    let outage = "s-100";
    assert_eq!(a.row(outage)["category"], "internet_outage");
    let (_, cited) = a.evidence(outage, "negative_close");
    assert_eq!(cited[0].1, "that's useless, still broken");
    assert!(
        a.has(outage, "abandoned_after_fallback"),
        "NO_MATCH was the last turn"
    );
    assert_eq!(a.row("s-200")["needs_human"], false);
}

#[test]
fn bot_framework_transcripts_and_copilot_studio() {
    let a = Audit::of(&["botframework"]);
    assert_eq!((a.input("audited"), a.input("skipped")), (3, 1));
    assert_eq!(
        a.skips(),
        strings(&[(
            "test_conversation",
            "copilot-transcripts.json:1 (element 3)"
        )])
    );
    let conv = "8a1f3c5e-2b7d-4e55-9d0a-1c2b3d4e5f60|livechat";
    assert!(a.has(conv, "escalation_request"));
    assert!(a.has(conv, "bot_repeat"), "the same answer twice");
    let (detail, _) = a.evidence(conv, "handoff");
    assert!(
        detail.contains("platform recorded"),
        "handoff.initiate: {detail}"
    );

    let escalated = "802a9ad2-157a-4f9d-b576-2762c06917b7_0f1b3dac-0e03-2458-d311-1ac1fb4c8f61";
    let row = a.row(escalated);
    assert_eq!(row["category"], "Pensions");
    assert_eq!(row["csat"], 2.0);
    for r in ["handoff", "explicit_status", "low_csat", "bot_fallback"] {
        assert!(a.has(escalated, r), "{r}: {:?}", a.reasons(escalated));
    }
    let (_, cited) = a.evidence(escalated, "bot_fallback");
    assert_eq!(cited[0].1, "I'm not sure how to help with that yet.");
    let resolved = "55aa9ad2-157a-4f9d-b576-2762c06917b7_0f1b3dac-0e03-2458-d311-1ac1fb4c8f61";
    assert_eq!(a.row(resolved)["needs_human"], false);
    assert_eq!(a.row(resolved)["csat"], 5.0);
}

#[test]
fn rasa_trackers_and_exported_events() {
    let a = Audit::of(&["rasa"]);
    assert_eq!(
        a.formats(),
        strings(&[("events.jsonl", "rasa"), ("trackers.jsonl", "rasa")])
    );
    assert_eq!((a.input("audited"), a.input("skipped")), (4, 1));
    assert_eq!(a.skips(), strings(&[("missing_id", "events.jsonl:10")]));
    assert_eq!(
        a.row("c0ffee-01")["category"],
        "fee_dispute",
        "greet is small talk"
    );
    let (_, cited) = a.evidence("c0ffee-01", "bot_fallback");
    assert_eq!(
        cited.len(),
        2,
        "fallback action and utter_default: {cited:?}"
    );
    assert_eq!(a.row("c0ffee-02")["needs_human"], false);
    // Events of two senders, interleaved in one export, are two conversations.
    assert_eq!(a.row("tg-555")["category"], "change_address");
    assert_eq!(a.row("tg-555")["needs_human"], false);
    let (_, cited) = a.evidence("tg-777", "bot_fallback");
    assert_eq!(
        cited,
        strings(&[("bot", "Did you mean 'cancel a subscription'?")]),
        "marked by action_two_stage_fallback, not by its wording"
    );
}

#[test]
fn openai_chat_logs() {
    let a = Audit::of(&["openai"]);
    assert_eq!((a.input("audited"), a.input("skipped")), (2, 1));
    assert_eq!(a.skips(), strings(&[("unknown_role", "chats.jsonl:3")]));
    assert!(a.has("chat_8f3a", "escalation_request"));
    assert!(
        a.has("chat_8f3a", "bot_repeat"),
        "string and part contents compare"
    );
    assert_eq!(
        a.row("chats.jsonl:2")["needs_human"],
        false,
        "id from the line"
    );
    let a = Audit::run(
        handoff()
            .arg("audit")
            .arg(fixture("openai"))
            .args(["--category-field", "metadata.category"]),
    );
    assert_eq!(a.row("chat_8f3a")["category"], "orders");
}

#[test]
fn twitter_threads_rebuilt_from_replies() {
    let a = Audit::of(&["twitter"]);
    assert_eq!(a.formats()[0].1, "twitter");
    assert_eq!((a.input("audited"), a.input("skipped")), (4, 2));
    assert_eq!(
        a.skips(),
        strings(&[
            ("invalid_csv_row", "twcs-sample.csv:13"),
            ("no_customer", "twcs-sample.csv:12")
        ])
    );
    // A thread is named after its earliest tweet, though a reply is the file's first row.
    for (thread, brand) in [
        ("119236", "sprintcare"),
        ("220001", "AmazonHelp"),
        ("330010", "SpotifyCares"),
    ] {
        assert_eq!(a.row(thread)["category"], brand);
        // Brand replies are human agents, with no bot before them: not a handoff.
        assert!(
            !a.has(thread, "handoff"),
            "{thread}: {:?}",
            a.reasons(thread)
        );
    }
    // The thread ends on the customer's thanks, after the brand's reply.
    assert!(!a.has("220001", "unanswered"));
    assert!(a.has("660001", "unanswered"), "nobody answered this one");
}

#[test]
fn toml_mapping_reads_a_made_up_export() {
    let a = Audit::run(
        handoff()
            .arg("audit")
            .arg(fixture("mapping/helpdesk-x-export.json"))
            .arg("--mapping")
            .arg(fixture("mapping/helpdesk-x.toml")),
    );
    assert_eq!(a.formats()[0].1, "mapping");
    assert_eq!((a.input("audited"), a.input("skipped")), (2, 2));
    let skips: Vec<String> = a.skips().into_iter().map(|s| s.0).collect();
    assert_eq!(skips, ["missing_id", "unknown_role"]);
    let calm = a.row("HX-1001");
    assert_eq!(calm["category"], "mortgages");
    assert_eq!(calm["needs_human"], false);
    assert_eq!(calm["csat"], 4.6, "9 on the export's 0-10 scale");
    let cards = "HX-1002";
    assert_eq!(a.row(cards)["csat"], 1.4);
    for r in [
        "escalation_request",
        "handoff",
        "explicit_status",
        "low_csat",
    ] {
        assert!(a.has(cards, r), "{r}: {:?}", a.reasons(cards));
    }
    let (_, cited) = a.evidence(cards, "handoff");
    assert_eq!(
        cited[0].1,
        "Hi, I'm Rui from the cards team.\nI can arrange an emergency cash pickup."
    );
    assert_eq!(
        a.report["period"][0], "2024-07-02T06:00:00Z",
        "started_at from the export's epoch milliseconds"
    );
}

#[test]
fn unknown_exports_fail_with_the_candidates_and_how_to_force() {
    let dir = TestDir::new();
    let path = dir.write(
        "export.jsonl",
        "{\"case\": 1, \"chat\": [{\"who\": \"c\", \"what\": \"hi\"}]}\n",
    );
    let out = handoff().arg("audit").arg(&path).run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    for needle in [
        "cannot tell which export format",
        "case, chat",
        "zendesk",
        "openai",
        "--input-format NAME",
        "--mapping FILE",
    ] {
        assert!(out.stderr.contains(needle), "{needle}: {}", out.stderr);
    }
    let csv = dir.write("export.csv", "who,what\nc,hi\n");
    let out = handoff().arg("audit").arg(&csv).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("CSV formats: twitter, csv") && out.stderr.contains("--csv-id"),
        "{}",
        out.stderr
    );
    // The same export, described by a mapping, reads.
    let toml = dir.write(
        "m.toml",
        "id = \"case\"\nmessages = \"chat\"\nrole = \"who\"\ntext = \"what\"\n[roles]\ncustomer = [\"c\"]\n",
    );
    let report = handoff()
        .arg("audit")
        .arg(&path)
        .arg("--mapping")
        .arg(&toml)
        .json();
    assert_eq!(report["input"]["audited"], 1);
}

#[test]
fn input_format_forces_and_is_validated() {
    let out = handoff()
        .args(["audit", "--input-format", "freshdesk"])
        .arg(fixture("openai"))
        .run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("freshdesk") && out.stderr.contains("zendesk-messaging"),
        "{}",
        out.stderr
    );
    let out = handoff()
        .args(["audit", "--input-format", "twitter"])
        .arg(fixture("openai"))
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("reads CSV"), "{}", out.stderr);
    let out = handoff()
        .args(["audit", "--input-format", "mapping"])
        .arg(fixture("openai"))
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--mapping FILE"), "{}", out.stderr);

    // Forced, the chat log is read as Rasa trackers: nothing maps, so nothing is audited
    // (exit 2, the report still written).
    let out = handoff()
        .args(["audit", "--input-format", "rasa", "--format", "json"])
        .arg(fixture("openai/chats.jsonl"))
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("× missing_id"), "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(report["input"]["files"][0]["format"], "rasa");
    assert_eq!(report["input"]["audited"], 0);
    assert_eq!(report["input"]["skip_reasons"][0]["reason"], "missing_id");
}

/// (fixture directory, conversations audited) for every format.
const EXPECTED: &[(&str, u64)] = &[
    ("botframework", 3),
    ("ccai-insights", 2),
    ("dialogflow-cx", 4),
    ("intercom", 2),
    ("mapping", 2),
    ("openai", 2),
    ("rasa", 4),
    ("twitter", 4),
    ("zendesk", 4),
    ("zendesk-messaging", 2),
];

#[test]
fn every_fixture_is_detected_in_one_mixed_run() {
    let report = handoff()
        .arg("audit")
        .arg(fixtures())
        .arg("--mapping")
        .arg(fixture("mapping/helpdesk-x.toml"))
        .json();
    let files = report["input"]["files"].as_array().expect("files");
    let mut dirs: Vec<&str> = Vec::new();
    for f in files {
        let path = f["path"].as_str().unwrap_or_default();
        let dir = Path::new(path)
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        assert_eq!(f["format"], dir, "{path}");
        dirs.push(dir);
    }
    dirs.dedup();
    let expected: Vec<&str> = EXPECTED.iter().map(|(d, _)| *d).collect();
    assert_eq!(dirs, expected, "every fixture directory was read");
    let audited: u64 = EXPECTED.iter().map(|(_, n)| n).sum();
    assert_eq!(report["input"]["audited"], audited);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("compress");
    e.finish().expect("finish")
}

#[test]
fn gzip_and_zstd_inputs_read_like_plain_ones() {
    let dir = TestDir::new();
    let copy = |from: &str, to: &str, f: &dyn Fn(&[u8]) -> Vec<u8>| {
        let bytes = std::fs::read(fixture(from)).expect("fixture");
        let path = dir.path(to);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, f(&bytes)).expect("write");
    };
    copy("zendesk/tickets.jsonl", "in/tickets.jsonl.gz", &|b| gzip(b));
    copy("twitter/twcs-sample.csv", "in/twcs.csv.gz", &|b| gzip(b));
    copy(
        "intercom/conversation-1911149811.json",
        "in/deep/conv.json.zst",
        &|b| zstd::stream::encode_all(b, 3).expect("zstd"),
    );
    copy(
        "botframework/support.transcript",
        "in/deep/chat.transcript.zst",
        &|b| zstd::stream::encode_all(b, 3).expect("zstd"),
    );
    dir.write("in/readme.txt.gz", "not an input");
    let a = Audit::run(handoff().arg("audit").arg(dir.path("in")));
    assert_eq!(
        a.formats(),
        strings(&[
            ("chat.transcript.zst", "botframework"),
            ("conv.json.zst", "intercom"),
            ("tickets.jsonl.gz", "zendesk"),
            ("twcs.csv.gz", "twitter"),
        ])
    );
    // Same conversations as the plain fixtures: zendesk 3 of tickets.jsonl, twitter 4,
    // one Intercom conversation, one transcript.
    assert_eq!(a.input("audited"), 3 + 4 + 1 + 1);
    assert_eq!(a.row("1002")["csat"], 1.0);

    // Compressed stdin, recognised by its magic bytes.
    let chats = std::fs::read(fixture("openai/chats.jsonl")).expect("fixture");
    let report = handoff()
        .args(["audit", "-"])
        .stdin_bytes(gzip(&chats))
        .json();
    assert_eq!(report["input"]["files"][0]["format"], "openai");
    assert_eq!(report["input"]["audited"], 2);
}

#[test]
fn empty_inputs_are_zero_records_and_garbage_is_located() {
    let dir = TestDir::new();
    dir.write("d/empty.jsonl", "");
    dir.write("d/blank.json", "\n  \n");
    dir.write("d/list.json", "[ ]\n");
    // Nothing audited is exit 2 (README "Exit codes"), after the report is written.
    let out = handoff()
        .arg("audit")
        .arg(dir.path("d"))
        .args(["--format", "json", "-q"])
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out
        .stderr
        .contains("nothing audited: no record in 3 file(s)"));
    let report: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(report["input"]["records_read"], 0);
    let formats: Vec<&Value> = report["input"]["files"]
        .as_array()
        .map(|fs| fs.iter().map(|f| &f["format"]).collect())
        .unwrap_or_default();
    assert_eq!(formats, [&Value::Null, &Value::Null, &Value::Null]);

    // Nothing parses, so nothing can be detected: every line is an invalid_json skip.
    let path = dir.write("junk.jsonl", "{oops\n{\"id\": \n");
    let out = handoff()
        .arg("audit")
        .arg(&path)
        .args(["--format", "json"])
        .run();
    assert_eq!(out.code, 2, "every record skipped: {}", out.stderr);
    assert!(
        out.stderr.contains("2 × invalid_json, first"),
        "{}",
        out.stderr
    );
    let report: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(report["input"]["skipped"], 2);
    assert_eq!(report["input"]["skip_reasons"][0]["reason"], "invalid_json");
}

/// The shared folder next to the repository, or `HANDOFF_SHARED_DATA`.
fn shared_data() -> PathBuf {
    std::env::var_os("HANDOFF_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
}

#[test]
fn real_twitter_care_threads_audit_without_errors() {
    let dir = shared_data().join("twitter-care");
    let file = dir.join("twitter-care.jsonl");
    if !file.exists() {
        let msg = format!(
            "real_twitter_care_threads_audit_without_errors: {} is absent, so the real \
             threads were not audited (set HANDOFF_SHARED_DATA to the shared data folder).",
            file.display()
        );
        // As the browser test: CI has ../shared beside the clone, so there a missing folder
        // is a broken setup, not a reason to pass.
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg} CI=true: failing instead of skipping.");
        }
        // Straight to stderr, past the harness's capture, so the skip shows in the summary.
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "SKIPPED {msg}");
        return;
    }
    let lines = std::fs::read_to_string(&file)
        .expect("readable")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count() as u64;
    let out = handoff()
        .arg("audit")
        .arg(&dir)
        .args(["--format", "json"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.is_empty(), "no warnings: {}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).expect("JSON report");
    assert_eq!(report["input"]["files"][0]["format"], "canonical");
    assert_eq!(report["input"]["records_read"], lines);
    assert_eq!(report["input"]["audited"], lines, "every thread audited");
    assert_eq!(report["input"]["skipped"], 0);
    let categories = report["categories"].as_array().map_or(0, Vec::len);
    assert!(categories >= 20, "one category per brand: {categories}");

    // Human agents from the first reply, no bot: no thread is flagged as a bot handoff.
    let tmp = TestDir::new();
    let findings = tmp.path("f.jsonl");
    handoff()
        .arg("audit")
        .arg(&dir)
        .arg("--findings")
        .arg(&findings)
        .arg("-q")
        .ok();
    assert!(
        !tmp.read("f.jsonl").contains("\"handoff\""),
        "a human-only thread counted as a handoff"
    );

    // Real PII in real text is masked in what is written: cite every customer message that
    // names a mail provider (as escalation evidence), with and without redaction.
    let config = tmp.write(
        "pii.toml",
        "[phrases]\nescalation = [\"gmail\", \"hotmail\", \"yahoo\", \"outlook\"]\n",
    );
    let raw_email =
        regex::Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}").expect("regex");
    let cite = |name: &str, extra: &[&str]| {
        let out = tmp.path(name);
        handoff()
            .arg("audit")
            .arg(&dir)
            .arg("--config")
            .arg(&config)
            .arg("--findings")
            .arg(&out)
            .args(extra)
            .arg("-q")
            .ok();
        tmp.read(name)
    };
    let plain = cite("plain.jsonl", &["--no-redact"]);
    let addresses = raw_email.find_iter(&plain).count();
    assert!(addresses > 0, "this data holds e-mail addresses");
    let redacted = cite("redacted.jsonl", &[]);
    assert!(
        !raw_email.is_match(&redacted),
        "{:?}",
        raw_email.find(&redacted).map(|m| m.as_str())
    );
    assert!(redacted.matches("[email]").count() >= addresses);
}
