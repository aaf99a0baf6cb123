//! Many categories (issue 16 item 6): the report shows the largest `--max-categories`
//! (default 1,000) and folds the rest into one counted row, says so in every format, and
//! picks the same rows for any --threads.

use serde_json::json;

use crate::harness::{category, handoff, TestDir};

/// `sizes[k]` conversations of category `c{k}`, interleaved so that categories arrive in
/// no particular order; one conversation of each size needs a human.
fn transcripts(sizes: &[usize]) -> String {
    let mut lines = Vec::new();
    let most = sizes.iter().copied().max().unwrap_or(0);
    for round in 0..most {
        for (k, &n) in sizes.iter().enumerate() {
            if round < n {
                let customer = if round == 0 {
                    "can I talk to a real person please"
                } else {
                    "where is my parcel"
                };
                let line = json!({
                    "id": format!("c{k}-{round}"),
                    "category": format!("c{k}"),
                    "messages": [
                        {"role": "customer", "text": customer},
                        {"role": "bot", "text": "It arrives tomorrow."},
                        {"role": "customer", "text": "great, thanks!"},
                    ],
                });
                lines.push(line.to_string());
            }
        }
    }
    lines.join("\n") + "\n"
}

#[test]
fn categories_beyond_the_cap_are_folded_into_one_counted_row() {
    let dir = TestDir::new();
    // c0..c4 have 5..1 conversations; c5..c9 have 1 each. Three are shown: c0, c1, c2.
    let sizes = [5, 4, 3, 2, 1, 1, 1, 1, 1, 1];
    let input = dir.write("t.jsonl", &transcripts(&sizes));
    let report = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--max-categories", "3"])
        .json();
    let names: Vec<&str> = report["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .filter_map(|c| c["category"].as_str())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    assert_eq!(
        names[3], "other (7 categories)",
        "the folded row comes last"
    );
    let mut shown = names[..3].to_vec();
    shown.sort();
    assert_eq!(shown, ["c0", "c1", "c2"]);
    let other = category(&report, "other (7 categories)");
    assert_eq!(other["conversations"], 8);
    assert_eq!(
        other["needs_human"], 7,
        "one escalation per folded category"
    );
    assert_eq!(
        report["folded_categories"],
        json!({"row": "other (7 categories)", "categories": 7, "conversations": 8, "max_categories": 3})
    );
    assert_eq!(report["overall"]["conversations"], 20);

    // The same categories without a cap: nothing folded, and the field is left out.
    let report = handoff().arg("audit").arg(&input).json();
    assert_eq!(report["categories"].as_array().map(Vec::len), Some(10));
    assert!(report.get("folded_categories").is_none());

    // Every human-readable format says so.
    for format in ["table", "markdown", "html"] {
        let out = handoff()
            .arg("audit")
            .arg(&input)
            .args(["--max-categories", "3", "--quiet", "--format", format])
            .ok();
        assert!(
            out.stdout
                .contains("Only the 3 largest categories are shown: 7 more (8 conversations)"),
            "{format}:\n{}",
            out.stdout
        );
    }
    let table = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--quiet", "--format", "table"])
        .ok();
    assert!(!table.stdout.contains("largest categories are shown"));
}

#[test]
fn ties_are_broken_by_name_whatever_the_threads() {
    let dir = TestDir::new();
    // 3,000 categories of 1 conversation and c0 of 3: with the default cap of 1,000 and
    // 4,000 tracked, c0 and the first 999 names (c1, c10, c100, ...) are shown.
    let mut sizes = vec![1; 3000];
    sizes[0] = 3;
    let input = dir.write("t.jsonl", &transcripts(&sizes));
    let run = |threads: &str| {
        handoff()
            .arg("audit")
            .arg(&input)
            .args(["--threads", threads])
            .json()
    };
    let one = run("1");
    assert_eq!(one, run("3"));
    assert_eq!(one["folded_categories"]["categories"], 2000);
    let names: Vec<&str> = one["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .filter_map(|c| c["category"].as_str())
        .collect();
    assert_eq!(names.len(), 1001);
    let mut expected: Vec<String> = (1..3000).map(|k| format!("c{k}")).collect();
    expected.sort();
    expected.truncate(999);
    for name in expected.iter().map(String::as_str).chain(["c0"]) {
        assert!(names.contains(&name), "{name} shown");
    }
    assert!(
        !names.contains(&"c999"),
        "c999 sorts after the first 999 names"
    );
}

#[test]
fn the_cap_is_a_config_key_too() {
    let dir = TestDir::new();
    let input = dir.write("t.jsonl", &transcripts(&[2, 1, 1]));
    let config = dir.write("handoff.toml", "[recommend]\nmax_categories = 1\n");
    let report = handoff()
        .arg("audit")
        .arg(&input)
        .arg("--config")
        .arg(&config)
        .json();
    assert_eq!(report["folded_categories"]["row"], "other (2 categories)");
    let bad = dir.write("bad.toml", "[recommend]\nmax_categories = 0\n");
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .arg("--config")
        .arg(&bad)
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("max_categories"), "{}", out.stderr);
}
