//! Any bytes as an input file: format sniffing, the reader it picks, detection and the
//! aggregate. An input either fails with an error or is fully accounted for, and the
//! terminal report carries no control character but newlines.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("temp dir");
    // The name's extension picks the CSV and transcript readers: vary it with the data.
    let ext = ["jsonl", "json", "csv", "transcript"][data.first().map_or(0, |b| *b as usize % 4)];
    let path = dir.path().join(format!("input.{ext}"));
    std::fs::write(&path, data).expect("write input");
    if let Ok(s) = handoff::fuzzing::audit(&path) {
        let i = &s.input;
        assert_eq!(i.records_read, i.audited + i.skipped + i.filtered_out);
        let out = handoff::fuzzing::table(&s);
        assert!(out.chars().all(|c| c == '\n' || !c.is_control()));
    }
});
