//! Any other JSON/JSONL export, described by a small TOML file (`--mapping FILE`) that names
//! where each field lives, so an unknown export can be read without code:
//!
//! ```toml
//! id = "ticket.number"            # dotted paths, array indices allowed ("a.0.b")
//! messages = "history"            # the array of messages
//! role = "who"                    # relative to one message
//! text = "said"
//! timestamp = "at"                # optional; numbers are read in timestamp_unit
//! category = "meta.queue"         # optional
//! csat = "survey.score"           # optional, with csat_scale (default: the run's scale)
//! csat_scale = "0-10"
//! [roles]                         # the export's role values (case does not matter)
//! customer = ["caller"]
//! bot = ["ivr"]
//! ```

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::common::{self, json_error, lookup, scalar, Messages};
use super::{FormatSpec, JsonFormat, Reader, Shape};
use crate::error::{Error, Result};
use crate::ingest::time::{from_json, Unit};
use crate::ingest::{html, Ctx, IngestOptions, Skip, SkipKind};
use crate::model::{Conversation, CsatScale, Role};

pub static FORMAT: FormatSpec = FormatSpec {
    name: "mapping",
    summary: "any other JSON / JSON lines export, described by --mapping FILE (TOML: paths \
              of id, messages, role, text, timestamp, category, csat, and the role values)",
    reader: Reader::Json(JsonFormat {
        sniff,
        parse,
        events: None,
    }),
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    id: Option<String>,
    messages: String,
    role: String,
    text: String,
    timestamp: Option<String>,
    timestamp_unit: Option<String>,
    category: Option<String>,
    csat: Option<String>,
    csat_scale: Option<String>,
    status: Option<String>,
    started_at: Option<String>,
    channel: Option<String>,
    #[serde(default)]
    html: bool,
    #[serde(default)]
    roles: Roles,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Roles {
    #[serde(default)]
    customer: Vec<String>,
    #[serde(default)]
    bot: Vec<String>,
    #[serde(default)]
    agent: Vec<String>,
    #[serde(default)]
    system: Vec<String>,
}

type KeyPath = Vec<String>;

/// A loaded mapping file.
#[derive(Debug)]
pub struct Mapping {
    id: Option<KeyPath>,
    messages: KeyPath,
    role: KeyPath,
    text: KeyPath,
    timestamp: Option<KeyPath>,
    unit: Unit,
    category: Option<KeyPath>,
    csat: Option<KeyPath>,
    csat_scale: Option<CsatScale>,
    status: Option<KeyPath>,
    started_at: Option<KeyPath>,
    channel: Option<KeyPath>,
    html: bool,
    roles: HashMap<String, Role>,
}

fn split(path: &str) -> std::result::Result<KeyPath, String> {
    let parts: KeyPath = path.split('.').map(|p| p.trim().to_string()).collect();
    if parts.iter().any(String::is_empty) {
        return Err(format!(
            "\"{path}\" is not a dotted path such as meta.queue or turns.0.text"
        ));
    }
    Ok(parts)
}

impl Mapping {
    pub fn load(path: &Path) -> Result<Mapping> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: format!("cannot read the mapping file: {e}"),
        })?;
        Mapping::parse(&text).map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })
    }

    pub fn parse(text: &str) -> std::result::Result<Mapping, String> {
        let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let opt = |p: &Option<String>| p.as_deref().map(split).transpose();
        let unit = match f.timestamp_unit.as_deref() {
            None | Some("seconds") | Some("s") => Unit::Seconds,
            Some("milliseconds") | Some("ms") => Unit::Millis,
            Some("microseconds") | Some("us") => Unit::Micros,
            Some(other) => {
                return Err(format!(
                    "timestamp_unit \"{other}\": expected seconds, milliseconds or microseconds"
                ))
            }
        };
        let csat_scale = f
            .csat_scale
            .as_deref()
            .map(|s| {
                CsatScale::parse(s).ok_or_else(|| {
                    format!("csat_scale \"{s}\": expected MIN-MAX with MIN < MAX, e.g. 1-5")
                })
            })
            .transpose()?;
        let mut roles = HashMap::new();
        for (role, values) in [
            (Role::Customer, &f.roles.customer),
            (Role::Bot, &f.roles.bot),
            (Role::Agent, &f.roles.agent),
            (Role::System, &f.roles.system),
        ] {
            for v in values {
                roles.insert(v.trim().to_lowercase(), role);
            }
        }
        Ok(Mapping {
            id: opt(&f.id)?,
            messages: split(&f.messages)?,
            role: split(&f.role)?,
            text: split(&f.text)?,
            timestamp: opt(&f.timestamp)?,
            unit,
            category: opt(&f.category)?,
            csat: opt(&f.csat)?,
            csat_scale,
            status: opt(&f.status)?,
            started_at: opt(&f.started_at)?,
            channel: opt(&f.channel)?,
            html: f.html,
            roles,
        })
    }

    fn role_of(&self, value: &str) -> Option<Role> {
        self.roles
            .get(&value.trim().to_lowercase())
            .copied()
            .or_else(|| Role::parse(value))
    }
}

fn sniff(v: &Value, opts: &IngestOptions) -> Option<Shape> {
    let m = opts.mapping.as_ref()?;
    lookup(v, &m.messages)?
        .is_array()
        .then_some(Shape::Conversation)
}

/// The text parts at the message's text path: a string, or the strings / `text` fields of
/// a list (one line each).
fn text_parts(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| match i {
                Value::String(s) => Some(s.as_str()),
                Value::Object(o) => o.get("text").and_then(Value::as_str),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

pub fn parse(bytes: &[u8], ctx: &Ctx) -> std::result::Result<Conversation, Skip> {
    let Some(m) = ctx.opts.mapping.as_deref() else {
        return Err(ctx.skip(
            SkipKind::InvalidField,
            "the mapping format needs --mapping FILE",
        ));
    };
    let v: Value = common::from_json(bytes).map_err(|e| json_error(ctx, "JSON record", e))?;
    let at = |p: &Option<KeyPath>| p.as_ref().and_then(|p| lookup(&v, p));
    let id = match &m.id {
        Some(path) => lookup(&v, path).and_then(scalar).ok_or_else(|| {
            common::missing_id(ctx, "record", &format!("id at \"{}\"", path.join(".")))
        })?,
        None => ctx.location_id(),
    };
    let Some(list) = lookup(&v, &m.messages).and_then(Value::as_array) else {
        return Err(ctx.skip(
            SkipKind::NoMessages,
            format!(
                "record {id} has no messages array at \"{}\"",
                m.messages.join(".")
            ),
        ));
    };
    let mut messages = Messages::default();
    for (i, msg) in list.iter().enumerate() {
        let value = lookup(msg, &m.role).and_then(scalar).unwrap_or_default();
        let role = m.role_of(&value).ok_or_else(|| {
            ctx.skip(
                SkipKind::UnknownRole,
                format!(
                    "record {id}, messages[{i}]: role value \"{value}\" is not listed in the \
                     mapping's [roles]"
                ),
            )
        })?;
        let field = lookup(msg, &m.text);
        let parts = text_parts(field);
        let text = if parts.is_empty() {
            field.and_then(scalar).unwrap_or_default()
        } else if m.html {
            parts
                .iter()
                .map(|p| html::to_text(p))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            parts.join("\n")
        };
        let ts = m
            .timestamp
            .as_ref()
            .and_then(|p| lookup(msg, p))
            .and_then(|t| from_json(t, m.unit));
        messages.push(role, &text, ts);
    }
    let csat = match at(&m.csat) {
        None | Some(Value::Null) => None,
        Some(c) => {
            let n = match c {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            }
            .ok_or_else(|| {
                ctx.skip(
                    SkipKind::InvalidField,
                    format!("record {id}: csat is not a number: {c}"),
                )
            })?;
            match m.csat_scale {
                Some(scale) => Some(common::csat_onto_run(n, scale, ctx).ok_or_else(|| {
                    ctx.skip(
                        SkipKind::InvalidField,
                        format!("record {id}: csat {n} is outside the mapping's csat_scale"),
                    )
                })?),
                None => Some(n),
            }
        }
    };
    let start = common::Start::parse(
        at(&m.started_at)
            .and_then(|t| from_json(t, m.unit))
            .as_deref(),
    )
    .or_else(|| common::first_message_time(&messages.list));
    let conv = Conversation {
        category: common::category_field(bytes, ctx).or_else(|| at(&m.category).and_then(scalar)),
        channel: at(&m.channel).and_then(scalar),
        status: at(&m.status).and_then(scalar),
        started_at: start.at,
        undated: start.undated,
        csat,
        id,
        messages: messages.list,
        location: ctx.location,
        ..Default::default()
    };
    common::finish(conv, ctx, "record")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Location;
    use std::sync::Arc;

    const TOML: &str = r#"
        id = "case.ref"
        messages = "case.turns"
        role = "by"
        text = "body"
        timestamp = "t"
        timestamp_unit = "milliseconds"
        category = "case.queue"
        csat = "survey.stars"
        csat_scale = "0-10"
        status = "case.state"
        html = true
        [roles]
        customer = ["Member"]
        bot = ["VA", "ivr"]
        agent = ["Rep"]
    "#;

    fn run(json: &str) -> std::result::Result<Conversation, Skip> {
        let opts = IngestOptions {
            mapping: Some(Arc::new(Mapping::parse(TOML).expect("valid mapping"))),
            ..Default::default()
        };
        let ctx = Ctx {
            location: Location::default(),
            file: "export.jsonl",
            opts: &opts,
        };
        parse(json.as_bytes(), &ctx)
    }

    #[test]
    fn paths_roles_scale_and_html() {
        let c = run(r#"{"case": {"ref": 991, "queue": "mortgages", "state": "Open",
            "turns": [
              {"by": "member", "body": "<p>Can I overpay&nbsp;my mortgage?</p>", "t": 1717236000000},
              {"by": "VA", "body": "Yes, up to 10% a year."},
              {"by": "customer", "body": ""},
              {"by": "rep", "body": ["Hi, Rep here.", "Anything else?"]}]},
            "survey": {"stars": 8}}"#)
        .expect("valid");
        assert_eq!(c.id, "991");
        let roles: Vec<Role> = c.messages.iter().map(|m| m.role).collect();
        assert_eq!(roles, [Role::Customer, Role::Bot, Role::Agent]);
        assert_eq!(c.messages[0].text, "Can I overpay my mortgage?");
        assert_eq!(c.messages[2].text, "Hi, Rep here.\nAnything else?");
        assert_eq!(c.messages[0].ts.as_deref(), Some("2024-06-01T10:00:00Z"));
        assert_eq!(c.category.as_deref(), Some("mortgages"));
        assert_eq!(c.status.as_deref(), Some("Open"));
        assert_eq!(c.csat, Some(4.2), "8 of 0-10 is 4.2 on 1-5");
    }

    #[test]
    fn unlisted_role_missing_id_and_bad_csat_are_skips() {
        let kind = |s: &str| run(s).err().map(|e| e.kind);
        assert_eq!(
            kind(r#"{"case": {"ref": 1, "turns": [{"by": "auditor", "body": "x"}]}}"#),
            Some(SkipKind::UnknownRole)
        );
        assert_eq!(
            kind(r#"{"case": {"turns": [{"by": "member", "body": "x"}]}}"#),
            Some(SkipKind::MissingId)
        );
        assert_eq!(
            kind(
                r#"{"case": {"ref": 1, "turns": [{"by": "member", "body": "x"}]}, "survey": {"stars": "lots"}}"#
            ),
            Some(SkipKind::InvalidField)
        );
    }

    #[test]
    fn mapping_file_errors_name_the_problem() {
        let err = |t: &str| Mapping::parse(t).err().unwrap_or_default();
        assert!(
            err("messages = \"m\"\nrole = \"r\"\ntext = \"t\"\nspeaker = \"s\"")
                .contains("speaker")
        );
        assert!(err("messages = \"m\"\nrole = \"r\"").contains("text"));
        assert!(err("messages = \"a..b\"\nrole = \"r\"\ntext = \"t\"").contains("dotted path"));
        assert!(
            err("messages = \"m\"\nrole = \"r\"\ntext = \"t\"\ncsat_scale = \"5-1\"")
                .contains("csat_scale")
        );
    }
}
