//! The HTML report (`--format html`, `--html FILE`): content, escaping of hostile
//! transcript text, PII redaction, no external references, weekly flags, and the page as a
//! real browser (headless Chromium) renders it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use regex::Regex;

use crate::harness::{handoff, sample_data, TestDir};

/// A fixed clock so two renders of the same input are byte-identical.
const EPOCH: &str = "1741000000";

fn line(id: &str, category: &str, started_at: Option<&str>, messages: &[(&str, &str)]) -> String {
    let messages: Vec<serde_json::Value> = messages
        .iter()
        .map(|(role, text)| serde_json::json!({"role": role, "text": text}))
        .collect();
    let mut v = serde_json::json!({"id": id, "category": category, "messages": messages});
    if let Some(ts) = started_at {
        v["started_at"] = serde_json::json!(ts);
    }
    v.to_string()
}

fn html_report(input: &Path, extra: &[&str]) -> String {
    handoff()
        .arg("audit")
        .arg(input)
        .args(["--format", "html", "--quiet"])
        .args(extra)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .ok()
        .stdout
}

/// Values of `attr="..."` in document order.
fn attribute_values(html: &str, attr: &str) -> Vec<String> {
    let re = Regex::new(&format!(r#"\s{attr}="([^"]*)""#)).expect("regex");
    re.captures_iter(html).map(|c| c[1].to_string()).collect()
}

/// Asserts the page can make no network request: no element that loads anything, no
/// http(s) or protocol-relative URL in any attribute (transcript text is escaped, so it can
/// never form a tag), links only to fragments of the page, nothing fetched from CSS, and a
/// Content-Security-Policy that forbids fetching.
fn assert_no_external_references(html: &str) {
    let loaders = Regex::new(
        r"(?i)<(link|img|image|iframe|frame|object|embed|video|audio|source|track|base|use|portal|form)\b",
    )
    .expect("regex");
    if let Some(m) = loaders.find(html) {
        panic!("element that loads content: {}", m.as_str());
    }
    let tags = Regex::new(r"<[A-Za-z][^>]*>").expect("regex");
    let url_attr = Regex::new(
        r#"(?i)\s(src|href|xlink:href|action|formaction|srcset|poster|data|background|ping|manifest)\s*=\s*["']?\s*(https?:|//|ftp:)"#,
    )
    .expect("regex");
    for tag in tags.find_iter(html) {
        assert!(
            !url_attr.is_match(tag.as_str()),
            "external reference in {}",
            tag.as_str()
        );
    }
    for href in attribute_values(html, "href") {
        assert!(href.starts_with('#'), "link out of the page: {href}");
    }
    let style = html
        .split("<style>")
        .nth(1)
        .and_then(|rest| rest.split("</style>").next())
        .expect("inline stylesheet");
    assert!(!style.contains("url(") && !style.contains("@import"));
    assert!(
        html.contains(
            "http-equiv=\"Content-Security-Policy\" content=\"default-src &#x27;none&#x27;"
        ),
        "CSP forbidding fetches"
    );
}

fn ranking(report: &serde_json::Value) -> Vec<String> {
    report["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .filter_map(|c| c["category"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn sample_report_has_every_category_ranked_with_charts_and_drill_down() {
    let dir = TestDir::new();
    let expected = ranking(&handoff().arg("audit").arg(sample_data()).json());
    // The seven planted categories, and the conversations the generator left without one
    // (the keyword taxonomy that would name them is opt-in).
    assert_eq!(expected.len(), 8, "{expected:?}");
    assert!(expected.contains(&"uncategorized".to_string()));

    let html_file = dir.path("report.html");
    let out = handoff()
        .arg("audit")
        .arg(sample_data())
        .arg("--html")
        .arg(&html_file)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .ok();
    assert!(
        out.stdout.contains("conversations audited"),
        "the table still goes to stdout"
    );
    let html = dir.read("report.html");
    assert_eq!(
        html,
        html_report(&sample_data(), &[]),
        "--html FILE and --format html write the same page"
    );

    assert!(html.starts_with("<!DOCTYPE html>"));
    // The ranked table, then the drill-down, each in ranking order.
    let rows = attribute_values(&html, "data-category");
    assert_eq!(rows.len(), 2 * expected.len(), "{rows:?}");
    assert_eq!(rows[..expected.len()], expected[..]);
    assert_eq!(rows[expected.len()..], expected[..]);
    // Header: inputs, period, accounting, when.
    assert!(html.contains("transcripts.jsonl</code> — 3,000 records"));
    assert!(html.contains("2025-03-03T00:56:30Z to 2025-04-13"));
    assert!(html.contains("3,060 read, 3,060 audited, 0 skipped"));
    assert!(html.contains("2025-03-03T11:06:40Z by handoff"));
    // Charts: ranked bars, volume bubbles (one per category), weekly small multiples for
    // overall and every category.
    assert_eq!(
        html.matches("class=\"bubble ").count(),
        expected.len(),
        "one bubble per category"
    );
    assert_eq!(
        html.matches("<figure class=\"weekly").count(),
        expected.len() + 1
    );
    assert!(
        html.contains("aria-label=\"Needs-human rate by category, with 95% intervals, ranked\"")
    );
    // Example conversations with the triggering messages marked and the reason beside them.
    assert!(html.matches("class=\"msg role-customer flagged\"").count() >= 7);
    assert!(html.contains("<span class=\"why\"><code class=\"reason\""));
    assert_no_external_references(&html);
}

/// Payloads that would run script, load content or break out of the stylesheet if they were
/// not escaped. Each would mark the document if it ever ran.
const HOSTILE: [&str; 4] = [
    "<script>document.documentElement.setAttribute('data-pwned','script')</script> I want to talk to a human",
    "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\"> get me an agent",
    "</style><script>document.documentElement.setAttribute('data-pwned','style')</script> real person please",
    "see <a href=\"https://evil.example/\">this</a> and https://evil.example/x.js — representative now",
];
const HOSTILE_CATEGORY: &str =
    "<b onmouseover=\"document.documentElement.setAttribute('data-pwned','cat')\">cards</b>";

/// Conversations in two weeks, each holding every payload (each also asks for a person, so
/// each is cited as evidence and shown in the examples).
fn hostile_corpus(dir: &TestDir) -> PathBuf {
    let fallback = "Sorry, I didn't understand that. <svg onload=alert(2)> Could you rephrase your question please?";
    let mut messages = vec![
        ("customer", "my card <svg onload=alert(1)> was declined"),
        ("bot", fallback),
    ];
    for payload in HOSTILE {
        messages.push(("customer", payload));
        messages.push(("bot", fallback));
    }
    let mut lines = Vec::new();
    for (i, week) in ["2025-03-04T10:00:00Z", "2025-03-11T10:00:00Z"]
        .iter()
        .enumerate()
    {
        for j in 0..2 {
            lines.push(line(
                &format!("h{i}{j}"),
                HOSTILE_CATEGORY,
                Some(week),
                &messages,
            ));
        }
    }
    dir.write("hostile.jsonl", &lines.join("\n"))
}

#[test]
fn transcript_markup_renders_as_text_never_as_markup() {
    let dir = TestDir::new();
    let html = html_report(&hostile_corpus(&dir), &[]);
    let lower = html.to_lowercase();
    assert_eq!(
        lower.matches("<script").count(),
        1,
        "only the report's own script"
    );
    assert_eq!(lower.matches("</script").count(), 1);
    assert_eq!(lower.matches("<style").count(), 1);
    assert_eq!(
        lower.matches("</style").count(),
        1,
        "no early end of the stylesheet"
    );
    for raw in [
        "<img",
        "<svg onload",
        "<b onmouseover",
        "<a href=\"https",
        "onerror=\"",
    ] {
        assert!(!lower.contains(raw), "{raw} reached the page unescaped");
    }
    // Shown as text: in the examples, the repeated answers and the category names (table,
    // SVG charts, drill-down).
    assert!(html.contains("&lt;script&gt;document.documentElement"));
    assert!(html.contains("&lt;img src=x onerror="));
    assert!(html.contains("&lt;&#x2f;style&gt;&lt;script&gt;"));
    assert!(
        html.contains("&lt;svg onload=alert(2)&gt;"),
        "repeated bot answer"
    );
    assert!(
        html.matches("&lt;b onmouseover=").count() >= 4,
        "category name everywhere"
    );
    assert_no_external_references(&html);
}

#[test]
fn pii_is_masked_in_the_whole_conversation_unless_no_redact() {
    let dir = TestDir::new();
    let email = "jane.doe@example.com";
    let lines = [line(
        "p1",
        "account_access",
        None,
        &[
            (
                "customer",
                &format!("hi, my login is {email} and my number 07700 900123"),
            ),
            ("bot", "Thanks. What seems to be the problem?"),
            ("customer", "locked out again"),
            ("bot", "Sorry, I didn't understand that."),
            ("customer", "let me talk to a human"),
        ],
    )];
    let input = dir.write("pii.jsonl", &lines.join("\n"));

    let html = html_report(&input, &[]);
    assert!(!html.contains(email), "e-mail address shown");
    assert!(!html.contains("07700 900123"), "phone number shown");
    assert!(html.contains("[email]") && html.contains("[phone]"));
    assert!(!html.contains("without PII redaction"));

    // The control: the same message is in the report, and only redaction hides the address.
    let raw = html_report(&input, &["--no-redact"]);
    assert!(raw.contains(email));
    assert!(raw.contains("without PII redaction"));
}

#[test]
fn long_conversations_are_elided_around_the_evidence() {
    let dir = TestDir::new();
    // Words made of letters only and never reused, so no two messages look alike (which
    // would cite them as repeats).
    let word = |n: usize| -> String {
        let mut n = n + 26;
        let mut w = String::new();
        while n > 0 {
            w.insert(0, char::from(b'a' + (n % 26) as u8));
            n /= 26;
        }
        w
    };
    let mut messages: Vec<(String, String)> = Vec::new();
    for i in 0..60 {
        let role = if i % 2 == 0 { "customer" } else { "bot" };
        let text: Vec<String> = (0..6).map(|k| word(i * 6 + k)).collect();
        messages.push((role.into(), text.join(" ")));
    }
    messages[45] = ("customer".into(), "I want to talk to a human".into());
    let refs: Vec<(&str, &str)> = messages
        .iter()
        .map(|(r, t)| (r.as_str(), t.as_str()))
        .collect();
    let input = dir.write("long.jsonl", &line("l1", "delivery", None, &refs));

    let report = handoff().arg("audit").arg(&input).json();
    let example = &report["categories"][0]["examples"][0];
    assert_eq!(example["total_messages"], 60);
    let shown = example["messages"].as_array().expect("messages");
    assert_eq!(shown.len(), 30);
    let indices: Vec<u64> = shown.iter().filter_map(|m| m["index"].as_u64()).collect();
    assert!(
        indices.contains(&0) && indices.contains(&59),
        "opening and close"
    );
    let flagged = shown
        .iter()
        .find(|m| m["index"] == 45)
        .expect("the cited message is kept");
    assert_eq!(flagged["reasons"][0], "escalation_request");
    assert!(
        indices.contains(&44) && indices.contains(&46),
        "its neighbours"
    );
    let omitted: u64 = shown
        .iter()
        .filter_map(|m| m["omitted_before"].as_u64())
        .sum::<u64>()
        + example["omitted_after"].as_u64().unwrap_or(0);
    assert_eq!(omitted, 30, "every left-out message is accounted for");

    let html = html_report(&input, &[]);
    assert!(html.contains("messages not shown"));
}

#[test]
fn weekly_rise_is_flagged_and_steady_categories_are_not() {
    let dir = TestDir::new();
    let human: &[(&str, &str)] = &[("customer", "I want to talk to a human")];
    let fine: &[(&str, &str)] = &[
        ("customer", "where is my parcel"),
        ("bot", "It arrives tomorrow before noon."),
        ("customer", "thanks"),
    ];
    let mut lines = Vec::new();
    for i in 0..40 {
        // card: 4 of 40 need a human in week 10, 24 of 40 in week 11.
        let (a, b) = (i < 4, i < 24);
        lines.push(line(
            &format!("a{i}"),
            "card",
            Some("2025-03-04T09:00:00Z"),
            if a { human } else { fine },
        ));
        lines.push(line(
            &format!("b{i}"),
            "card",
            Some("2025-03-12T09:00:00Z"),
            if b { human } else { fine },
        ));
        // delivery: 8 of 40 both weeks.
        let c = i < 8;
        lines.push(line(
            &format!("c{i}"),
            "delivery",
            Some("2025-03-05"),
            if c { human } else { fine },
        ));
        lines.push(line(
            &format!("d{i}"),
            "delivery",
            Some("2025-03-13"),
            if c { human } else { fine },
        ));
    }
    let input = dir.write("weeks.jsonl", &lines.join("\n"));

    let report = handoff().arg("audit").arg(&input).json();
    let flags = report["weekly"]["flags"].as_array().expect("flags");
    let card: Vec<&serde_json::Value> = flags.iter().filter(|f| f["category"] == "card").collect();
    assert_eq!(card.len(), 1, "{flags:?}");
    assert_eq!(card[0]["week"], "2025-W11");
    assert_eq!(card[0]["metric"], "needs_human_rate");
    assert!(flags.iter().all(|f| f["category"] != "delivery"));

    let html = html_report(&input, &[]);
    let flag_rows = html
        .split("<table class=\"flags\">")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("flags table");
    assert!(flag_rows.contains("<td>card</td>") && flag_rows.contains("2025-W11"));
    assert!(!flag_rows.contains("delivery"));
    assert!(flag_rows.contains("10.0% → 60.0%"));
    // The rise's interval (Newcombe, at [gate] confidence) lies above zero.
    let interval = Regex::new(r"\+(\d+\.\d) to \+(\d+\.\d) pp").expect("regex");
    let card_row = flag_rows
        .split("<tr>")
        .find(|r| r.contains("<td>card</td>"))
        .expect("card row");
    let bounds = interval.captures(card_row).expect("interval of the change");
    let (low, high): (f64, f64) = (
        bounds[1].parse().expect("number"),
        bounds[2].parse().expect("number"),
    );
    assert!(0.0 < low && low < 50.0 && 50.0 < high, "{low} {high}");
    // The method text gives the test's parameters: the [gate] defaults here.
    assert!(html.contains("the 95% interval lying entirely on the worse side of zero"));
    assert!(html.contains("at least 30 conversations, mean CSAT when both have at least 30"));

    // The weekly test is the [gate] one: with more conversations required per week than
    // either week has, the same rise is not judged.
    let config = dir.write("strict.toml", "[gate]\nmin_conversations = 100\n");
    let strict = handoff()
        .arg("audit")
        .arg(&input)
        .arg("--config")
        .arg(&config)
        .json();
    assert_eq!(strict["weekly"]["flags"], serde_json::json!([]));
    assert_eq!(strict["weekly"]["min_conversations"], 100);

    // Without timestamps there is no series, and the page says so.
    let undated = dir.write("undated.jsonl", &line("u", "card", None, human));
    let report = handoff().arg("audit").arg(&undated).json();
    assert!(report["weekly"].is_null());
    assert!(html_report(&undated, &[]).contains("so there are no weekly series"));
}

// --- A real browser -----------------------------------------------------------------

fn find_browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// The browser, or `None` after saying plainly why the test is skipped; under CI=true a
/// missing browser fails the test instead.
fn browser_or_skip(test: &str) -> Option<PathBuf> {
    if let Some(b) = find_browser() {
        return Some(b);
    }
    let msg = format!(
        "{test}: no chromium (or chromium-browser, google-chrome) on PATH, so the page was \
         not checked in a browser. Install Debian's `chromium` (`.ci/run` does)."
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg} CI=true: failing instead of skipping.");
    }
    // Straight to stderr, past the test harness's capture, so the skip is visible.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED {msg}");
    None
}

/// Runs headless Chromium on `page` with the fixed flags plus `extra`; returns stdout.
fn chromium(browser: &Path, page: &Path, extra: &[String]) -> String {
    let profile = TestDir::new();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.path("profile").display()
        ))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let stdout = child.stdout.take().expect("stdout pipe");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let mut stdout = stdout;
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        match child.try_wait().expect("wait for chromium") {
            Some(status) => {
                assert!(status.success(), "chromium exited with {status}");
                break;
            }
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within 120 s");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    reader.join().expect("read chromium output")
}

#[test]
fn browser_renders_the_sample_report_and_runs_no_transcript_script() {
    let Some(browser) = browser_or_skip("browser_renders_the_sample_report") else {
        return;
    };
    let dir = TestDir::new();
    let expected = ranking(&handoff().arg("audit").arg(sample_data()).json());
    let page = dir.path("report.html");
    handoff()
        .arg("audit")
        .arg(sample_data())
        .arg("--html")
        .arg(&page)
        .arg("--quiet")
        .ok();

    let dom = chromium(&browser, &page, &["--dump-dom".into()]);
    assert!(
        dom.contains("<html lang=\"en\" class=\"js\">"),
        "the page's own script ran (its CSP hash is right): {}",
        &dom[..dom.len().min(300)]
    );
    let ranked_rows =
        Regex::new(r#"<tr class="rec-[a-z]+" data-category="([^"]+)">"#).expect("regex");
    let shown: Vec<String> = ranked_rows
        .captures_iter(&dom)
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(shown, expected, "ranked table as the browser built it");
    for name in &expected {
        assert!(dom.contains(&format!("<span class=\"cat-name\">{name}</span>")));
    }

    let shot = dir.path("report.png");
    chromium(
        &browser,
        &page,
        &[
            "--hide-scrollbars".into(),
            "--window-size=1280,2400".into(),
            format!("--screenshot={}", shot.display()),
        ],
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    assert_eq!((width, height), (1280, 2400));
    // A blank page of this size compresses to a few kilobytes; text and charts do not.
    assert!(png.len() > 60_000, "screenshot only {} bytes", png.len());
    // Narrow windows (a laptop split screen, a phone) render the page too.
    for (w, h) in [(900, 1600), (420, 1600)] {
        let narrow = dir.path(&format!("report-{w}.png"));
        chromium(
            &browser,
            &page,
            &[
                "--hide-scrollbars".into(),
                format!("--window-size={w},{h}"),
                format!("--screenshot={}", narrow.display()),
            ],
        );
        let png = std::fs::read(&narrow).expect("screenshot written");
        let size = (
            u32::from_be_bytes([png[16], png[17], png[18], png[19]]),
            u32::from_be_bytes([png[20], png[21], png[22], png[23]]),
        );
        assert_eq!(size, (w, h), "{w} px screenshot");
        assert!(png.len() > 20_000, "{w} px: only {} bytes", png.len());
    }

    // Hostile transcript text stays text in a real DOM: nothing marked the document.
    let hostile = dir.path("hostile.html");
    std::fs::write(&hostile, html_report(&hostile_corpus(&dir), &[])).expect("write page");
    let dom = chromium(&browser, &hostile, &["--dump-dom".into()]);
    assert!(dom.contains("class=\"js\""), "scripts were enabled");
    assert!(!dom.contains("data-pwned=\""), "transcript markup executed");
    assert!(
        dom.contains("&lt;script&gt;document.documentElement.setAttribute('data-pwned','script')")
    );
}
