//! Hostile transcripts (docs/security.md): category names, ids, file names, bot answers and
//! customer messages carrying terminal escape sequences, Markdown and HTML, spreadsheet
//! formulas and PII typed every which way. Every output is checked for what must not get
//! through: a control character on a terminal, markup or a mention in Markdown, a formula
//! in a CSV cell, PII anywhere.

use serde_json::json;

use crate::harness::{handoff, Handoff, TestDir};

/// Clears the screen, sets the window title, and turns the rest of the line right to left.
const TERMINAL: &str = "\x1b[2J\x1b]0;pwned\x07billing\u{202e}";
/// Closes the gate's <details>, shows an image, links, mentions, references an issue.
const MARKUP: &str =
    "</details><img src=x onerror=alert(1)> [x](https://evil.example) @team #1 **b** | `c`";
/// Runs in a spreadsheet.
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"open\")";

/// A bot answer given in every conversation, so it is a repeated answer in the report and a
/// new loop in the gate's release diff; an OSC 8 hyperlink hides where it goes.
const ANSWER: &str = "To change it, open <b>Orders</b> [here](https://evil.example/x) or \
     \x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\, call +44\u{2009}20\u{2009}7946\u{2009}0958, \
     and ask @team for help with the delivery address before it is dispatched.";

/// PII as it is typed, and a fragment of each that must not appear in any output.
const PII: [(&str, &str); 6] = [
    ("+44\u{a0}20\u{a0}7946\u{a0}0958", "7946"),
    ("4111  1111  1111  1111", "4111"),
    ("ｊｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", "ｅｘａｍｐｌｅ"),
    ("GB82-WEST-1234-5698-7654-32", "WEST"),
    ("zoë@bücher.de", "bücher"),
    ("5555\u{200b}5555\u{200b}5555\u{200b}4444", "5555"),
];

fn conversation(id: String, category: &str, needs_human: bool, answer_times: usize) -> String {
    let details = format!(
        "call me on {} or mail {} — card {}, iban {}, {}, {} \x1b[31m",
        PII[0].0, PII[2].0, PII[1].0, PII[3].0, PII[4].0, PII[5].0
    );
    let mut messages = vec![json!({"role": "customer", "text": format!(
        "my card was declined, {details}"
    )})];
    for _ in 0..answer_times {
        messages.push(json!({"role": "bot", "text": ANSWER}));
        messages.push(json!({"role": "customer", "text": "that does not help"}));
    }
    if needs_human {
        messages.push(json!({"role": "bot", "text": "Sorry, I didn't understand that."}));
        // Cited as evidence: shown in the report and the findings.
        messages
            .push(json!({"role": "customer", "text": format!("get me a human please, {details}")}));
    } else {
        messages.push(json!({"role": "customer", "text": "great, thanks!"}));
    }
    json!({
        "id": id,
        "category": category,
        "started_at": "2025-03-04T10:00:00Z",
        "csat": if needs_human { 1 } else { 5 },
        "messages": messages,
    })
    .to_string()
}

/// Six conversations in each hostile category; `candidate`: the bot now loops on its
/// answer and more conversations need a human (the release diff lists them).
fn transcripts(candidate: bool) -> String {
    let mut lines = Vec::new();
    for (c, category) in [TERMINAL, MARKUP, FORMULA].iter().enumerate() {
        for i in 0..6 {
            let id = match c {
                0 => format!("\x1b]8;;http://evil.example\x1b\\id\x1b]8;;\x1b\\-{i}"),
                1 => format!("`x` <b>@team-{i}"),
                _ => format!("=1+{i}"),
            };
            let needs_human = if candidate { i < 4 } else { i < 2 };
            lines.push(conversation(
                id,
                category,
                needs_human,
                if candidate { 3 } else { 1 },
            ));
        }
    }
    // Skipped records whose messages quote raw values.
    lines.push(
        json!({"id": "skip-1", "csat": format!("call me on {} \x1b[2J", PII[0].0),
               "messages": [{"role": "customer", "text": "hi"}]})
        .to_string(),
    );
    lines.push(
        json!({"id": "skip-2\x1b[2J", "messages": [
            {"role": format!("\x1b]0;x\x07 {}", PII[0].0), "text": "hi"}]})
        .to_string(),
    );
    lines.join("\n") + "\n"
}

/// The inputs under names that are hostile too; runs happen in the directory, so the
/// report quotes the names as written.
struct Inputs {
    dir: TestDir,
}

const BASELINE: &str = "=base\x1b[2J.jsonl";
const CANDIDATE: &str = "@cand\x1b]0;t\x07.jsonl";

impl Inputs {
    fn new() -> Inputs {
        let dir = TestDir::new();
        dir.write(BASELINE, &transcripts(false));
        dir.write(CANDIDATE, &transcripts(true));
        dir.write(
            "gate.toml",
            "[gate]\nmin_conversations = 2\nmin_csat_responses = 2\n\
             [gate.needs_human]\nlimit = 10.0\n[recommend]\nmin_conversations = 2\n",
        );
        Inputs { dir }
    }

    fn run(&self, command: &str) -> Handoff {
        handoff()
            .current_dir(self.dir.path(""))
            .arg(command)
            .args(["--config", "gate.toml"])
    }

    fn audit(&self, args: &[&str]) -> String {
        self.run("audit").arg(BASELINE).args(args).ok().stdout
    }

    fn gate(&self, args: &[&str]) -> (String, String) {
        let out = self
            .run("gate")
            .args(["--baseline", BASELINE, "--candidate", CANDIDATE])
            .args(args)
            .run();
        assert_eq!(out.code, 1, "the gate should fail:\n{}", out.stderr);
        (out.stdout, out.stderr)
    }
}

fn unsafe_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn assert_terminal_safe(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|&c| unsafe_on_terminal(c)) {
        panic!("{what}: {c:?} reaches the terminal:\n{text}");
    }
}

fn assert_no_pii(what: &str, text: &str) {
    for (pii, fragment) in PII {
        assert!(
            !text.contains(fragment),
            "{what}: {pii:?} is shown ({fragment:?}):\n{text}"
        );
    }
}

#[test]
fn terminal_outputs_show_control_characters_escaped() {
    let inputs = Inputs::new();
    let table = inputs.audit(&["--compare-periods", "week"]);
    assert_terminal_safe("audit table", &table);
    // Shown, escaped, rather than dropped: the reader sees what the data holds.
    assert!(
        table.contains(r"\u{1b}[2J\u{1b}]0;pwned\u{7}billing\u{202e}"),
        "{table}"
    );
    assert!(table.contains(r"=base\u{1b}[2J.jsonl"), "{table}");
    assert!(table.contains(r"unknown role "), "{table}");

    let (gate, stderr) = inputs.gate(&[]);
    assert_terminal_safe("gate terminal", &gate);
    assert_terminal_safe("gate stderr", &stderr);
    assert!(gate.contains("Release diff"), "{gate}");
    assert!(
        gate.contains(r"\u{1b}]8;;http://evil.example\u{1b}\id"),
        "{gate}"
    );

    let calibrate = inputs
        .run("calibrate")
        .arg(BASELINE)
        .args(["--min-conversations", "2"])
        .ok();
    assert_terminal_safe("calibrate table", &calibrate.stdout);
    assert!(
        calibrate.stdout.contains(r"\u{1b}[2J"),
        "{}",
        calibrate.stdout
    );
    assert_terminal_safe("calibrate stderr", &calibrate.stderr);
}

#[test]
fn messages_on_stderr_show_control_characters_escaped() {
    let inputs = Inputs::new();
    let missing = inputs.run("audit").arg("gone\x1b]0;pwned\x07.jsonl").run();
    assert_eq!(missing.code, 2);
    assert_terminal_safe("error", &missing.stderr);
    assert!(
        missing.stderr.contains(r"gone\u{1b}]0;pwned\u{7}.jsonl"),
        "{}",
        missing.stderr
    );
    let init = handoff()
        .current_dir(inputs.dir.path(""))
        .args(["init", "new\x1b[2J.toml"])
        .ok();
    assert_terminal_safe("init", &init.stderr);
    assert!(
        init.stderr.contains(r"new\u{1b}[2J.toml"),
        "{}",
        init.stderr
    );
}

/// `md` without its code spans (CommonMark: a run of n backticks up to the next run of
/// exactly n), where nothing is markup.
fn without_code_spans(md: &str) -> String {
    let run_at = |s: &str| s.chars().take_while(|&c| c == '`').count();
    let mut out = String::new();
    let mut rest = md;
    while let Some(open) = rest.find('`') {
        out.push_str(&rest[..open]);
        let n = run_at(&rest[open..]);
        let after = &rest[open + n..];
        let mut search = 0;
        let close = loop {
            match after[search..].find('`') {
                None => break None,
                Some(i) => {
                    let m = run_at(&after[search + i..]);
                    if m == n {
                        break Some(search + i);
                    }
                    search += i + m;
                }
            }
        };
        match close {
            Some(c) => rest = &after[c + n..],
            None => {
                out.push_str(&rest[open..open + n]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every `<` in `md` that could start a tag opens or closes one of the renderer's own.
fn assert_markdown_inert(what: &str, md: &str) {
    assert_terminal_safe(what, md);
    let md = &without_code_spans(md);
    const OWN: [&str; 6] = [
        "<details>",
        "</details>",
        "<summary>",
        "</summary>",
        "<sub>",
        "</sub>",
    ];
    for (at, _) in md.match_indices('<') {
        let tag_like = md[at + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || "/!?".contains(c));
        assert!(
            !tag_like || OWN.iter().any(|tag| md[at..].starts_with(tag)),
            "{what}: raw HTML at {:?}",
            &md[at..md.len().min(at + 40)]
        );
    }
    assert!(
        md.matches("</details>").count() <= 1,
        "{what}: details closed early"
    );
    for link in ["](", "]["] {
        for (at, _) in md.match_indices(link) {
            assert!(
                md[..at].ends_with('\\'),
                "{what}: {link:?} makes a link:\n{md}"
            );
        }
    }
    for autolink in ["://", "www."] {
        assert!(
            !md.contains(autolink),
            "{what}: {autolink:?} makes a link:\n{md}"
        );
    }
    // A mention or an issue reference: `@` or `#` directly before a word, once the
    // entities are read (`&#8203;` is the zero-width space that breaks them).
    let md = md.replace("&#8203;", "\u{200B}");
    for (at, c) in md.char_indices() {
        if c == '@' || c == '#' {
            let next = md[at + 1..].chars().next();
            assert!(
                !next.is_some_and(|n| n.is_alphanumeric()),
                "{what}: a mention or reference at {:?}",
                &md[at..md.len().min(at + 20)]
            );
        }
    }
}

#[test]
fn markdown_carries_no_markup_from_the_data() {
    let inputs = Inputs::new();
    let md = inputs.audit(&["--format", "markdown", "--compare-periods", "week"]);
    assert_markdown_inert("audit markdown", &md);
    // The category is there, as text.
    assert!(md.contains("&lt;/details>&lt;img src=x"), "{md}");

    let file = inputs.dir.path("gate.md");
    let summary = inputs.dir.path("step-summary.md");
    let (stdout, _) = inputs.gate(&[
        "--format",
        "markdown",
        "--markdown",
        &file.display().to_string(),
    ]);
    assert_markdown_inert("gate markdown", &stdout);
    assert!(stdout.contains("Release diff"), "{stdout}");
    // Ids are code spans, which nothing in the id can close.
    assert!(
        stdout.contains("- `` `x` <b>@team-2 `` (&lt;/details>"),
        "{stdout}"
    );
    assert_markdown_inert("gate --markdown", &inputs.dir.read("gate.md"));

    let out = inputs
        .run("gate")
        .args(["--baseline", BASELINE, "--candidate", CANDIDATE])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_markdown_inert("step summary", &inputs.dir.read("step-summary.md"));
}

/// A CSV cell that is text must not start a formula; numbers are numbers.
fn assert_no_formula(what: &str, csv_text: &str) -> usize {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let mut guarded = 0;
    for record in reader.records() {
        let record = record.expect("a CSV record");
        for cell in record.iter() {
            if cell.parse::<f64>().is_ok() {
                continue;
            }
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{what}: {cell:?} starts a formula"
            );
            guarded += usize::from(cell.starts_with('\''));
        }
    }
    guarded
}

#[test]
fn csv_cells_never_start_a_formula() {
    let inputs = Inputs::new();
    let report = inputs.audit(&["--format", "csv"]);
    assert_eq!(assert_no_formula("report csv", &report), 1, "{report}");
    assert!(report.contains("'=HYPERLINK"), "{report}");

    let findings = inputs.dir.path("findings.csv");
    inputs.audit(&["--quiet", "--findings", &findings.display().to_string()]);
    let text = inputs.dir.read("findings.csv");
    // Each formula conversation's id, category and location; the other two locations;
    // the input file column of all 18 rows.
    assert_eq!(
        assert_no_formula("findings csv", &text),
        6 * 3 + 12 + 18,
        "{text}"
    );
    assert!(text.contains("'=1+0,'=base"), "{text}");
}

#[test]
fn pii_is_masked_however_it_is_typed_in_every_output() {
    let inputs = Inputs::new();
    for format in ["table", "markdown", "json", "html"] {
        let out = inputs.audit(&["--format", format]);
        assert_no_pii(format, &out);
        assert!(out.contains("[phone]"), "{format}:\n{out}");
    }
    // Skip messages quote the raw values, here in the role and the CSAT fields.
    let table = inputs.audit(&[]);
    assert!(table.contains("is not a number"), "{table}");
    let findings = inputs.dir.path("findings.jsonl");
    inputs.audit(&["--quiet", "--findings", &findings.display().to_string()]);
    let text = inputs.dir.read("findings.jsonl");
    assert_no_pii("findings", &text);
    for mask in ["[phone]", "[card]", "[email]", "[iban]"] {
        assert!(text.contains(mask), "{mask} missing:\n{text}");
    }
    let (gate, _) = inputs.gate(&["--format", "markdown"]);
    assert_no_pii("gate", &gate);
}

/// An LLM's long answer is kept cut (about 1,000 characters, docs/security.md) without
/// showing a number or an address that straddles the cut.
#[test]
fn a_long_answer_cut_for_memory_shows_no_pii() {
    let prose = "Open the settings page, choose Billing, then pick the plan you want. ";
    for shift in [0, 9, 17] {
        let answer = format!(
            "{} call {} or use card {} or mail jo.smith@example.com today. {}",
            &prose.repeat(20)[..960 + shift],
            PII[0].0,
            PII[1].0,
            prose.repeat(40)
        );
        let lines: Vec<String> = (0..16)
            .map(|i| {
                let needs_human = i < 8;
                let mut messages =
                    vec![json!({"role": "customer", "text": "how do I change plan"})];
                messages.push(json!({"role": "bot", "text": match needs_human {
                    true => answer.as_str(),
                    false => "Tap Plans, then Change.",
                }}));
                messages.push(json!({"role": "customer", "text": match needs_human {
                    true => "get me a human please",
                    false => "great, thanks!",
                }}));
                json!({"id": format!("c{i}"), "category": "billing",
                       "csat": if needs_human { 1 } else { 5 }, "messages": messages})
                .to_string()
            })
            .collect();
        let dir = TestDir::new();
        let input = dir.write("llm.jsonl", &(lines.join("\n") + "\n"));
        let report = handoff().arg("audit").arg(&input).json();
        let text = report["categories"][0]["repeated_answers"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(text.starts_with("Open the settings"), "{report}");
        assert!(text.ends_with('…') && text.chars().count() < 1100, "{text}");
        for fragment in ["7946", "4111", "1111", "smith", "example"] {
            assert!(
                !text.contains(fragment),
                "{fragment} shown at {shift}:\n{text}"
            );
        }
    }
}
