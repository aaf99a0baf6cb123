//! Record selection on canonical fields (`--filter`, `--baseline-filter`,
//! `--candidate-filter`), so one export can hold both sides of a comparison, e.g.
//! `bot_version=4.1.0` against `bot_version=4.2.0`. Filtered-out records are counted in the
//! input accounting, never silently dropped.
//!
//! A filter is one or more clauses, all of which must hold:
//! `FIELD=V` (or `FIELD=V1|V2`), `FIELD!=V`, and for `started_at` the comparisons `>=`, `>`,
//! `<`, `<=` against a date or timestamp. Text comparisons are exact.

use crate::model::Conversation;
use crate::time::Timestamp;

const FIELDS: &str = "bot_version, channel, category, status, started_at";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    BotVersion,
    Channel,
    Category,
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Ge,
    Gt,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
enum Clause {
    In(Field, Vec<String>),
    NotIn(Field, Vec<String>),
    StartedAt(Cmp, Timestamp),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    clauses: Vec<Clause>,
    text: String,
}

impl Filter {
    /// Parses the clauses given (one per flag occurrence, or comma-separated); `None` when
    /// there are none. The error names the offending clause.
    pub fn parse(exprs: &[String]) -> Result<Option<Filter>, String> {
        let mut clauses = Vec::new();
        let mut texts = Vec::new();
        for expr in exprs {
            for part in expr.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                clauses.push(parse_clause(part)?);
                texts.push(part.to_string());
            }
        }
        Ok((!clauses.is_empty()).then(|| Filter {
            clauses,
            text: texts.join(", "),
        }))
    }

    /// The filter as given, for reports.
    pub fn describe(&self) -> &str {
        &self.text
    }

    /// Whether the record passes every clause except those on `category`, which is only
    /// known after detection (the taxonomy may assign it).
    pub fn matches_record(&self, conv: &Conversation) -> bool {
        self.clauses.iter().all(|c| match c {
            Clause::In(Field::Category, _) | Clause::NotIn(Field::Category, _) => true,
            Clause::In(f, values) => field(conv, *f).is_some_and(|v| values.iter().any(|x| x == v)),
            Clause::NotIn(f, values) => {
                !field(conv, *f).is_some_and(|v| values.iter().any(|x| x == v))
            }
            Clause::StartedAt(cmp, bound) => conv.started_at.is_some_and(|t| match cmp {
                Cmp::Ge => t >= *bound,
                Cmp::Gt => t > *bound,
                Cmp::Lt => t < *bound,
                Cmp::Le => t <= *bound,
            }),
        })
    }

    /// Whether the final category passes the `category` clauses.
    pub fn matches_category(&self, category: &str) -> bool {
        self.clauses.iter().all(|c| match c {
            Clause::In(Field::Category, values) => values.iter().any(|x| x == category),
            Clause::NotIn(Field::Category, values) => !values.iter().any(|x| x == category),
            _ => true,
        })
    }
}

fn field(conv: &Conversation, f: Field) -> Option<&str> {
    match f {
        Field::BotVersion => conv.bot_version.as_deref(),
        Field::Channel => conv.channel.as_deref(),
        Field::Category => conv.category.as_deref(),
        Field::Status => conv.status.as_deref(),
    }
}

fn parse_clause(part: &str) -> Result<Clause, String> {
    // Two-character operators first, so "a>=b" is not read as "a>" "=b".
    let ops = ["!=", ">=", "<=", "=", ">", "<"];
    let Some((pos, op)) = ops
        .iter()
        .filter_map(|op| part.find(op).map(|pos| (pos, *op)))
        .min_by_key(|(pos, op)| (*pos, std::cmp::Reverse(op.len())))
    else {
        return Err(format!(
            "filter {part:?}: expected FIELD=VALUE, FIELD!=VALUE or started_at>=DATE \
             (fields: {FIELDS})"
        ));
    };
    let name = part[..pos].trim();
    let value = part[pos + op.len()..].trim();
    if value.is_empty() {
        return Err(format!("filter {part:?}: no value after {op}"));
    }
    if name == "started_at" {
        let cmp = match op {
            ">=" => Cmp::Ge,
            ">" => Cmp::Gt,
            "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            _ => {
                return Err(format!(
                    "filter {part:?}: started_at takes >=, >, < or <= with a date or timestamp"
                ))
            }
        };
        let bound = Timestamp::parse(value).ok_or_else(|| {
            format!("filter {part:?}: {value:?} is not a date or timestamp (e.g. 2025-03-24)")
        })?;
        return Ok(Clause::StartedAt(cmp, bound));
    }
    let f = match name {
        "bot_version" => Field::BotVersion,
        "channel" => Field::Channel,
        "category" => Field::Category,
        "status" => Field::Status,
        _ => {
            return Err(format!(
                "filter {part:?}: unknown field {name:?} (expected one of {FIELDS})"
            ))
        }
    };
    let values: Vec<String> = value.split('|').map(|v| v.trim().to_string()).collect();
    match op {
        "=" => Ok(Clause::In(f, values)),
        "!=" => Ok(Clause::NotIn(f, values)),
        _ => Err(format!(
            "filter {part:?}: {name} takes = or != (only started_at can be compared with {op})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(bot_version: Option<&str>, channel: &str, started_at: &str) -> Conversation {
        Conversation {
            id: "x".into(),
            bot_version: bot_version.map(str::to_string),
            channel: Some(channel.into()),
            started_at: Timestamp::parse(started_at),
            ..Default::default()
        }
    }

    fn filter(exprs: &[&str]) -> Filter {
        let exprs: Vec<String> = exprs.iter().map(|s| s.to_string()).collect();
        Filter::parse(&exprs).expect("valid").expect("some clauses")
    }

    #[test]
    fn equality_alternatives_and_negation() {
        let f = filter(&["bot_version=4.1.0|4.1.1", "channel!=web"]);
        assert!(f.matches_record(&conv(Some("4.1.1"), "chat", "2025-03-03")));
        assert!(!f.matches_record(&conv(Some("4.2.0"), "chat", "2025-03-03")));
        assert!(!f.matches_record(&conv(Some("4.1.0"), "web", "2025-03-03")));
        // A record without the field never equals a value.
        assert!(!f.matches_record(&conv(None, "chat", "2025-03-03")));
        assert_eq!(f.describe(), "bot_version=4.1.0|4.1.1, channel!=web");
    }

    #[test]
    fn started_at_ranges_compare_instants() {
        let f = filter(&["started_at>=2025-03-24,started_at<2025-04-01T00:00:00+00:00"]);
        assert!(f.matches_record(&conv(None, "chat", "2025-03-24T00:00:00Z")));
        assert!(f.matches_record(&conv(None, "chat", "2025-03-31T23:59:59Z")));
        assert!(!f.matches_record(&conv(None, "chat", "2025-03-23T23:59:59Z")));
        assert!(!f.matches_record(&conv(None, "chat", "2025-04-01T00:00:00Z")));
        // Instants, not text: 20:00 five hours behind UTC on the 23rd is 01:00 UTC on the
        // 24th.
        assert!(f.matches_record(&conv(None, "chat", "2025-03-23T20:00:00-05:00")));
        assert!(!f.matches_record(&conv(None, "chat", "2025-03-24T01:00:00+02:00")));
        assert!(f.matches_record(&conv(None, "chat", "1742774400")));
        // A conversation whose start could not be read cannot be placed in the range.
        assert!(!f.matches_record(&conv(None, "chat", "last tuesday")));
    }

    #[test]
    fn category_is_checked_separately() {
        let f = filter(&["category=fraud|card"]);
        assert!(f.matches_record(&conv(None, "chat", "2025-03-03")));
        assert!(f.matches_category("card"));
        assert!(!f.matches_category("delivery"));
    }

    #[test]
    fn bad_clauses_are_named() {
        let err = |s: &str| Filter::parse(&[s.to_string()]).expect_err(s);
        assert!(err("version=4").contains("unknown field \"version\""));
        assert!(err("bot_version>4").contains("takes = or !="));
        assert!(err("started_at=2025-03-01").contains("started_at takes"));
        assert!(err("started_at>=soon").contains("not a date"));
        assert!(err("channel=").contains("no value"));
        assert!(err("chat").contains("expected FIELD=VALUE"));
        assert_eq!(Filter::parse(&[]), Ok(None));
    }
}
