//! The module graph runs one way. Each top-level module of `src/` may use only modules
//! listed after it in `LAYERS` (test modules excepted), so the graph has no cycles and a
//! change low in the stack never needs a change above it. README "Architecture" shows the
//! same order.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Top to bottom. A module may depend on any module below it, never on one above or on a
/// module of its own rank (there are none: one module per rank).
const LAYERS: &[&str] = &[
    "main",
    "commands",
    "cli",
    "config",
    "report",
    "gate",
    "calibrate",
    "pipeline",
    "aggregate",
    "filter",
    "detect",
    "topics",
    "ingest",
    "summary",
    "redact",
    "model",
    "time",
    "numfmt",
    "stats",
    "rng",
    "output",
    "error",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `src/aggregate/frame.rs` -> `aggregate`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("non-empty path");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_string()
}

/// Crate modules a source text refers to (`crate::x`, `handoff::x`, `crate::{x, y}`),
/// ignoring comments and everything from the first `#[cfg(test)]` on.
fn references(text: &str) -> BTreeSet<String> {
    let code = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    let code: String = code
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let code = code.as_str();
    let mut found = BTreeSet::new();
    for prefix in ["crate::", "handoff::"] {
        for (at, _) in code.match_indices(prefix) {
            // `crate::` inside a longer identifier (`my_crate::`) is not a crate path.
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &code[at + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        found.insert(name);
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.insert(name);
            }
        }
    }
    found
}

#[test]
fn modules_depend_only_on_layers_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut violations = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        if module == "lib" {
            continue;
        }
        let Some(own) = rank(&module) else {
            violations.push(format!(
                "{}: module {module} is not in LAYERS",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("read source");
        for used in references(&text) {
            if used == module {
                continue;
            }
            match rank(&used) {
                Some(r) if r > own => {}
                Some(_) => violations.push(format!(
                    "{}: {module} uses {used}, which is not below it",
                    file.display()
                )),
                // Re-exported items at the crate root (`handoff::Summary`) are checked
                // where they are defined.
                None => {}
            }
        }
    }
    assert!(
        violations.is_empty(),
        "dependencies must point down LAYERS:\n{}",
        violations.join("\n")
    );
}

#[test]
fn references_are_found_in_paths_and_groups() {
    let refs = references(
        "use crate::{aggregate::x, detect};\nuse handoff::summary::Summary;\n\
         let a = crate::stats::rate(1, 2);\nmod my_crate::z;\n/// see crate::report\n\
         #[cfg(test)]\nuse crate::config;",
    );
    let want: BTreeSet<String> = ["aggregate", "detect", "summary", "stats"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(refs, want);
}
