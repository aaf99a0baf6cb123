//! The manifest of a sharded audit (docs/scale-out.md): the canonical list of input files,
//! one `rank<TAB>name` line each, in exactly the order `audit` reads them. Shards name their
//! files by rank, locations in every output use the manifest's names, and partials carry
//! the manifest's digest so that partials of different listings never merge. Paths the walk
//! passed over follow the files as `#skipped<TAB>{json}` lines, so that the shard of rank 0
//! reports them as one `audit` does.

use std::path::Path;

use crate::error::{Error, Result};

use super::inputs::{is_transcript_name, Expanded, InputSource, PathSkip};

/// The names of a manifest, rank by rank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub names: Vec<String>,
    /// Paths the walk passed over, in walk order.
    pub skipped: Vec<PathSkip>,
}

const SKIPPED: &str = "#skipped\t";

impl Manifest {
    /// The files a walk of the inputs found, in the order `audit` reads them.
    pub fn of(expanded: &Expanded) -> Manifest {
        Manifest {
            names: expanded
                .files
                .iter()
                .map(|f| match &f.source {
                    InputSource::Stdin => "-".to_string(),
                    InputSource::Path(p) => p.display().to_string(),
                })
                .collect(),
            skipped: expanded.skipped.clone(),
        }
    }

    /// A foreign listing (one name a line, e.g. an object-store listing, which is sorted by
    /// bytes) in the order a directory walk gives: names compared component by component
    /// (`a/b.jsonl` before `a.jsonl`, as the walk reads directory `a` before file
    /// `a.jsonl`); hidden names and names without a transcript extension are left out, as
    /// the walk leaves them, and a name listed twice is kept once.
    pub fn from_listing(text: &str) -> Manifest {
        let mut names: Vec<&str> = text
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .filter(|l| !l.trim().is_empty())
            .filter(|l| {
                let p = Path::new(l);
                let hidden = p.components().any(|c| {
                    c.as_os_str()
                        .to_str()
                        .is_some_and(|s| s.starts_with('.') && s != "." && s != "..")
                });
                !hidden && is_transcript_name(p)
            })
            .collect();
        names.sort_by(|a, b| Path::new(a).cmp(Path::new(b)).then(a.cmp(b)));
        names.dedup();
        Manifest {
            names: names.into_iter().map(str::to_string).collect(),
            skipped: Vec::new(),
        }
    }

    /// The manifest's text: `rank<TAB>name` lines.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (rank, name) in self.names.iter().enumerate() {
            out.push_str(&format!("{rank}\t{name}\n"));
        }
        for s in &self.skipped {
            // JSON: a path may hold a tab or a newline.
            let json = serde_json::to_string(s).unwrap_or_default();
            out.push_str(&format!("{SKIPPED}{json}\n"));
        }
        out
    }

    /// Reads a manifest written by [`Manifest::text`]; `path` is for messages.
    pub fn parse(path: &str, text: &str) -> Result<Manifest> {
        let mut names = Vec::new();
        let mut skipped = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let bad = |message: String| Error::InputFormat {
                path: format!("{path}:{}", i + 1),
                message,
            };
            let line = line.trim_end_matches('\r');
            if let Some(json) = line.strip_prefix(SKIPPED) {
                let skip = serde_json::from_str(json)
                    .map_err(|e| bad(format!("a #skipped line that does not read: {e}")))?;
                skipped.push(skip);
                continue;
            }
            let (rank, name) = line
                .split_once('\t')
                .ok_or_else(|| bad("expected rank<TAB>name (see `handoff manifest`)".into()))?;
            let rank: usize = rank
                .parse()
                .map_err(|_| bad(format!("rank {rank:?} is not a number")))?;
            if rank != names.len() {
                return Err(bad(format!(
                    "rank {rank} where rank {} was expected (ranks count from 0, one a line)",
                    names.len()
                )));
            }
            if name.is_empty() || name.contains(['\t', '\n']) {
                return Err(bad("empty name".into()));
            }
            names.push(name.to_string());
        }
        if names.is_empty() {
            return Err(Error::InputFormat {
                path: path.to_string(),
                message: "the manifest lists no file".into(),
            });
        }
        Ok(Manifest { names, skipped })
    }

    /// SHA-256 of [`Manifest::text`], in hex.
    pub fn digest(&self) -> String {
        let d = ring::digest::digest(&ring::digest::SHA256, self.text().as_bytes());
        d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// `A-B` (inclusive) or `A`, checked against a manifest of `files` files.
pub fn parse_ranks(text: &str, files: usize) -> Result<(usize, usize)> {
    let bad = |why: &str| Error::Usage(format!("--ranks {text}: {why}"));
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    let a: usize = a
        .trim()
        .parse()
        .map_err(|_| bad("expected A-B, e.g. 0-9"))?;
    let b: usize = b
        .trim()
        .parse()
        .map_err(|_| bad("expected A-B, e.g. 0-9"))?;
    if a > b {
        return Err(bad("the first rank is after the last"));
    }
    if b >= files {
        return Err(bad(&format!(
            "the manifest has {files} files (ranks 0-{})",
            files - 1
        )));
    }
    Ok((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_sorted_listing_is_put_in_walk_order() {
        let listing = "s3://b/a.jsonl\ns3://b/a/z.jsonl.gz\ns3://b/.hidden/x.jsonl\ns3://b/notes.txt\ns3://b/a.jsonl\n";
        let m = Manifest::from_listing(listing);
        assert_eq!(m.names, ["s3://b/a/z.jsonl.gz", "s3://b/a.jsonl"]);
        assert_eq!(m.text(), "0\ts3://b/a/z.jsonl.gz\n1\ts3://b/a.jsonl\n");
        assert_eq!(Manifest::parse("m", &m.text()).expect("parses"), m);
        let with_skip = Manifest {
            skipped: vec![PathSkip {
                kind: super::super::PathSkipKind::SpecialFile,
                path: "d/a\tb.jsonl".into(),
                message: "a FIFO".into(),
            }],
            ..m
        };
        let text = with_skip.text();
        assert!(text.ends_with("\n#skipped\t{\"kind\":\"SpecialFile\",\"path\":\"d/a\\tb.jsonl\",\"message\":\"a FIFO\"}\n"), "{text}");
        assert_eq!(Manifest::parse("m", &text).expect("parses"), with_skip);
    }

    #[test]
    fn bad_manifests_and_ranks_are_named() {
        let e = Manifest::parse("m.tsv", "0\ta\n2\tb\n").expect_err("gap");
        assert!(e.to_string().contains("m.tsv:2"), "{e}");
        assert!(Manifest::parse("m", "a\n").is_err());
        assert_eq!(parse_ranks("2-4", 5).expect("ok"), (2, 4));
        assert_eq!(parse_ranks("3", 5).expect("ok"), (3, 3));
        assert!(parse_ranks("4-2", 5).is_err());
        assert!(parse_ranks("0-5", 5).is_err());
    }
}
