//! Reading inputs: formats, malformed records, accounting and exit codes.

use crate::harness::{category, conversation, handoff, TestDir};

fn good(id: &str) -> String {
    conversation(
        id,
        "refunds",
        &[
            ("customer", "where is my refund"),
            (
                "bot",
                "Your refund was sent on Monday and arrives in 3 days.",
            ),
            ("customer", "thanks, that helps"),
        ],
    )
}

fn escalated(id: &str) -> String {
    conversation(
        id,
        "refunds",
        &[
            ("customer", "where is my refund"),
            ("bot", "Sorry, I didn't understand that."),
            ("customer", "let me talk to a human"),
        ],
    )
}

#[test]
fn malformed_lines_are_reported_with_file_and_line_and_skipped() {
    let dir = TestDir::new();
    let text = [
        good("a"),
        "{not json".to_string(),
        String::new(),
        escalated("b"),
        r#"{"id": "c", "messages": [{"role": "robot", "text": "hi"}]}"#.to_string(),
        r#"{"messages": [{"role": "bot", "text": "hi"}]}"#.to_string(),
    ]
    .join("\n");
    let path = dir.write("in.jsonl", &text);
    let report = handoff().arg("audit").arg(&path).json();
    let input = &report["input"];
    assert_eq!(input["records_read"], 5, "the blank line is not a record");
    assert_eq!(input["audited"], 2);
    assert_eq!(input["skipped"], 3);
    let reasons = input["skip_reasons"].as_array().expect("skip reasons");
    let find = |code: &str| {
        reasons
            .iter()
            .find(|r| r["reason"] == code)
            .unwrap_or_else(|| panic!("{code} missing: {reasons:?}"))
    };
    let invalid = find("invalid_json")["first"][0].as_str().unwrap_or("");
    assert!(
        invalid.starts_with(&format!("{}:2:", path.display())),
        "{invalid}"
    );
    let role = find("unknown_role")["first"][0].as_str().unwrap_or("");
    assert!(role.contains(":5:") && role.contains("robot"), "{role}");
    assert_eq!(find("missing_id")["count"], 1);
    // Accounting adds up.
    assert_eq!(category(&report, "refunds")["conversations"], 2);
}

#[test]
fn strict_turns_skips_into_exit_2_but_still_reports() {
    let dir = TestDir::new();
    let path = dir.write("in.jsonl", &format!("{}\n{{oops\n", good("a")));
    let out = handoff().arg("audit").arg(&path).arg("--strict").run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--strict: 1 record(s) were skipped"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("refunds"),
        "the report is still printed"
    );
    let out = handoff().arg("audit").arg(&path).run();
    assert_eq!(out.code, 0);
    assert!(
        out.stderr.contains("1 of 2 records skipped"),
        "{}",
        out.stderr
    );
}

#[test]
fn missing_input_is_exit_2_naming_the_path() {
    let out = handoff().args(["audit", "/no/such/file.jsonl"]).run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("/no/such/file.jsonl"), "{}", out.stderr);
}

#[test]
fn json_array_directories_and_stdin() {
    let dir = TestDir::new();
    dir.write(
        "export/a.json",
        &format!("[\n  {},\n  {}\n]\n", good("a1"), escalated("a2")),
    );
    dir.write("export/nested/b.jsonl", &format!("{}\n", escalated("b1")));
    dir.write("export/notes.txt", "not a transcript");
    let report = handoff().arg("audit").arg(dir.path("export")).json();
    assert_eq!(report["input"]["files"].as_array().map(Vec::len), Some(2));
    assert_eq!(report["input"]["audited"], 3);
    assert_eq!(category(&report, "refunds")["needs_human"], 2);

    let report = handoff()
        .args(["audit", "-"])
        .stdin(&format!("[{}, {}]", good("s1"), escalated("s2")))
        .json();
    assert_eq!(report["input"]["files"][0]["path"], "<stdin>");
    assert_eq!(report["input"]["audited"], 2);
}

#[test]
fn broken_json_array_element_is_located_by_line_and_element() {
    let dir = TestDir::new();
    let path = dir.write(
        "a.json",
        &format!(
            "[\n{},\n{{\"id\": 5, \"messages\": 3}},\n{}\n]",
            good("a"),
            good("b")
        ),
    );
    let report = handoff().arg("audit").arg(&path).json();
    assert_eq!(report["input"]["audited"], 2);
    let first = report["input"]["skip_reasons"][0]["first"][0]
        .as_str()
        .unwrap_or("");
    assert!(first.contains(":3 (element 2)"), "{first}");
}

#[test]
fn a_cut_off_json_array_keeps_what_was_read_and_the_run_goes_on() {
    let dir = TestDir::new();
    let cut = format!(
        "[{},\n{},\n{{\"id\": \"c\", \"mess",
        good("a"),
        escalated("b")
    );
    let path = dir.write("a.json", &cut);
    let next = dir.write("b.jsonl", &good("d"));
    let report = handoff().arg("audit").arg(&path).arg(&next).json();
    let input = &report["input"];
    assert_eq!(input["records_read"], 4, "{input}");
    assert_eq!(input["audited"], 3);
    assert_eq!(input["skipped"], 1);
    let first = input["skip_reasons"][0]["first"][0].as_str().unwrap_or("");
    assert!(
        first.contains(":3 (element 3)") && first.contains("cut off"),
        "{first}"
    );
}

#[test]
fn per_message_csv_groups_non_adjacent_rows() {
    let dir = TestDir::new();
    let path = dir.write(
        "m.csv",
        "conversation_id,role,text,category,csat\n\
         x,customer,my parcel is late,delivery,\n\
         y,user,\"card declined, help\",card,5\n\
         x,bot,It arrives tomorrow.,delivery,\n\
         y,assistant,I have unblocked your card.,card,\n\
         x,customer,I want to speak to a real person,delivery,1\n\
         y,customer,\"great, thanks\",card,\n",
    );
    let report = handoff().arg("audit").arg(&path).json();
    assert_eq!(report["input"]["audited"], 2);
    let delivery = category(&report, "delivery");
    assert_eq!(delivery["needs_human"], 1);
    assert_eq!(delivery["escalation_request_rate"], 1.0);
    assert_eq!(delivery["mean_csat"], 1.0);
    assert_eq!(category(&report, "card")["needs_human"], 0);
}

#[test]
fn unreadable_csv_rows_are_skipped_with_their_line_in_both_csv_formats() {
    // A row with bytes that are not UTF-8 cannot be read as text; the rest of the file is.
    let dir = TestDir::new();
    let per_message = dir.path("m.csv");
    std::fs::write(
        &per_message,
        b"conversation_id,role,text\n\
          x,customer,my parcel is late\n\
          y,customer,bad \xff\xfe bytes\n\
          x,bot,It arrives tomorrow.\n",
    )
    .expect("write csv");
    let twitter = dir.path("twcs.csv");
    std::fs::write(
        &twitter,
        b"tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n\
          1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@AppleSupport my iPhone keeps restarting,2,\n\
          5,115712,True,Tue Oct 31 22:11:00 +0000 2017,bad \xff bytes,,\n\
          2,AppleSupport,False,Tue Oct 31 22:12:00 +0000 2017,@115712 Let's look,,1\n",
    )
    .expect("write csv");
    for (path, audited) in [(&per_message, 1), (&twitter, 1)] {
        let report = handoff().arg("audit").arg(path).json();
        assert_eq!(report["input"]["audited"], audited, "{}", path.display());
        let reason = &report["input"]["skip_reasons"][0];
        assert_eq!(reason["reason"], "invalid_csv_row", "{reason}");
        let first = reason["first"][0].as_str().unwrap_or("");
        let at = format!("{}:3: unreadable CSV row", path.display());
        assert!(first.starts_with(&at), "located at line 3: {first}");
    }
}

#[test]
fn csv_columns_can_be_renamed_and_missing_ones_are_named() {
    let dir = TestDir::new();
    let path = dir.write(
        "m.csv",
        "ticket,speaker,body\n1,customer,where is my refund\n1,bot,Sorry I didn't understand\n",
    );
    let out = handoff().arg("audit").arg(&path).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no column \"conversation_id\"") && out.stderr.contains("--csv-id"),
        "{}",
        out.stderr
    );
    let report = handoff()
        .arg("audit")
        .arg(&path)
        .args([
            "--csv-id",
            "ticket",
            "--csv-role",
            "speaker",
            "--csv-text",
            "body",
        ])
        .json();
    assert_eq!(report["input"]["audited"], 1);
    assert_eq!(report["overall"]["needs_human"], 1);
}

#[test]
fn category_field_and_taxonomy_fill_in_missing_categories() {
    let dir = TestDir::new();
    let lines = [
        r#"{"id": "1", "metadata": {"queue": "vip"}, "messages": [{"role": "customer", "text": "hello"}, {"role": "bot", "text": "Hi there, how can I help?"}]}"#,
        r#"{"id": "2", "messages": [{"role": "customer", "text": "my parcel has not arrived"}, {"role": "bot", "text": "It is with the courier."}]}"#,
        r#"{"id": "3", "messages": [{"role": "customer", "text": "hello"}, {"role": "bot", "text": "Hi!"}]}"#,
    ];
    let path = dir.write("c.jsonl", &lines.join("\n"));
    let names = |extra: &[&str]| {
        let report = handoff()
            .arg("audit")
            .arg(&path)
            .args(["--category-field", "metadata.queue"])
            .args(extra)
            .json();
        let mut names: Vec<String> = report["categories"]
            .as_array()
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| c["category"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    // The keyword taxonomy fills in only when opted into.
    assert_eq!(
        names(&["--categories", "taxonomy"]),
        ["delivery", "uncategorized", "vip"]
    );
    assert_eq!(names(&[]), ["uncategorized", "vip"]);
}

#[test]
fn bad_config_names_the_key() {
    let dir = TestDir::new();
    let input = dir.write("in.jsonl", &good("a"));
    let cfg = dir.write("handoff.toml", "[detect]\nrepeat_similarty = 0.9\n");
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .arg("--config")
        .arg(&cfg)
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("repeat_similarty"), "{}", out.stderr);
    let cfg = dir.write("weights.toml", "[score.weights]\nnot_a_reason = 0.5\n");
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .arg("--config")
        .arg(&cfg)
        .run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("score.weights.not_a_reason"),
        "{}",
        out.stderr
    );
}

#[test]
fn config_phrase_lists_replace_the_builtin_ones() {
    let dir = TestDir::new();
    let input = dir.write(
        "in.jsonl",
        &conversation(
            "a",
            "refunds",
            &[
                ("customer", "refund please"),
                ("bot", "Refund sent."),
                ("customer", "I would rather deal with Kim from billing"),
                ("bot", "Done, anything else?"),
            ],
        ),
    );
    let report = handoff().arg("audit").arg(&input).json();
    assert_eq!(report["overall"]["escalation_request_rate"], 0.0);
    let cfg = dir.write("h.toml", "[phrases]\nescalation = [\"kim from billing\"]\n");
    let report = handoff()
        .arg("audit")
        .arg(&input)
        .arg("--config")
        .arg(&cfg)
        .json();
    assert_eq!(report["overall"]["escalation_request_rate"], 1.0);
}
