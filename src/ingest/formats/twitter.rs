//! The public "Customer Support on Twitter" CSV layout: `tweet_id, author_id, inbound,
//! created_at, text, response_tweet_id, in_response_to_tweet_id`. Threads are rebuilt from
//! the reply links in both directions (a tweet's parent, a tweet's listed responses), so a
//! whole file is held in memory until it ends. Inbound tweets are the customer's; the brand
//! account (the author of non-inbound tweets) is the agent and its handle is the category.
//! Tweet text escapes `&`, `<` and `>` as HTML entities, which are decoded.

use std::collections::HashMap;
use std::io::BufRead;

use super::csv::{next_row, Row};
use super::{CsvFormat, FormatSpec, Reader};
use crate::error::Result;
use crate::ingest::{html, time, Batch, IngestOptions, Input, Skip, SkipKind, CHUNK_RECORDS};
use crate::model::{Conversation, Location, Message, Role};

pub static FORMAT: FormatSpec = FormatSpec {
    name: "twitter",
    summary: "Customer Support on Twitter CSV (tweet_id, author_id, inbound, created_at, \
              text, response_tweet_id, in_response_to_tweet_id); threads rebuilt from replies",
    reader: Reader::Csv(CsvFormat { sniff, read }),
};

const REQUIRED: [&str; 5] = [
    "tweet_id",
    "author_id",
    "inbound",
    "text",
    "in_response_to_tweet_id",
];

fn sniff(headers: &csv::StringRecord, _: &IngestOptions) -> bool {
    REQUIRED
        .iter()
        .all(|name| headers.iter().any(|h| h.trim().eq_ignore_ascii_case(name)))
}

struct Tweet {
    id: String,
    author: String,
    inbound: bool,
    created: Option<(String, i64)>,
    text: String,
    links: Vec<String>,
    line: u64,
}

/// A tweet id as written: `119237`, or `119237.0` where a spreadsheet or dataframe stored the
/// reply column as floating point.
fn tweet_id(s: &str) -> &str {
    s.strip_suffix(".0")
        .filter(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or(s)
}

/// Union-find over row indices.
fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (root(parent, a), root(parent, b));
    if ra != rb {
        // The earlier row stays the root, so threads come out in file order.
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[hi] = lo;
    }
}

fn read(
    input: &Input,
    reader: &mut dyn BufRead,
    _: &IngestOptions,
    sink: &mut dyn FnMut(Batch) -> Result<()>,
) -> Result<u64> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = rdr
        .headers()
        .map_err(|e| input.format_error(format!("cannot read the CSV header: {e}")))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(id_col), Some(author_col), Some(inbound_col), Some(text_col)) = (
        col("tweet_id"),
        col("author_id"),
        col("inbound"),
        col("text"),
    ) else {
        return Err(input.format_error(format!(
            "Twitter CSV needs the columns {} (columns: {})",
            REQUIRED.join(", "),
            headers.iter().collect::<Vec<_>>().join(", ")
        )));
    };
    let created_col = col("created_at");
    let parent_col = col("in_response_to_tweet_id");
    let children_col = col("response_tweet_id");

    let mut tweets: Vec<Tweet> = Vec::new();
    let mut skips: Vec<Skip> = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let location = match next_row(&mut rdr, &mut record, input)? {
            Row::End => break,
            Row::Read(location) => location,
            Row::Unreadable(skip) => {
                skips.push(skip);
                continue;
            }
        };
        let bad = |message: String| Skip {
            kind: SkipKind::InvalidCsvRow,
            location,
            message,
        };
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).map(str::trim).unwrap_or("");
        let id = tweet_id(get(Some(id_col)));
        if id.is_empty() {
            skips.push(bad("row has no tweet_id".into()));
            continue;
        }
        let inbound = match get(Some(inbound_col)).to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            other => {
                skips.push(bad(format!(
                    "tweet {id}: inbound is \"{other}\", expected True or False"
                )));
                continue;
            }
        };
        let mut links: Vec<String> = get(children_col)
            .split(',')
            .map(|s| tweet_id(s.trim()))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let parent = tweet_id(get(parent_col));
        if !parent.is_empty() {
            links.push(parent.to_string());
        }
        tweets.push(Tweet {
            id: id.to_string(),
            author: get(Some(author_col)).to_string(),
            inbound,
            created: time::twitter(get(created_col)),
            text: html::decode_entities(get(Some(text_col))).into_owned(),
            links,
            line: location.line,
        });
    }

    let index: HashMap<&str, usize> = tweets
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    let mut parent: Vec<usize> = (0..tweets.len()).collect();
    for (i, t) in tweets.iter().enumerate() {
        for link in &t.links {
            if let Some(&j) = index.get(link.as_str()) {
                union(&mut parent, i, j);
            }
        }
    }
    let mut threads: Vec<Vec<usize>> = Vec::new();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    for i in 0..tweets.len() {
        let r = root(&mut parent, i);
        let k = *slot.entry(r).or_insert_with(|| {
            threads.push(Vec::new());
            threads.len() - 1
        });
        threads[k].push(i);
    }

    let records = (threads.len() + skips.len()) as u64;
    let mut batch: Vec<std::result::Result<Conversation, Skip>> =
        skips.into_iter().map(Err).collect();
    for mut thread in threads {
        let location = Location {
            file: input.index,
            line: tweets[thread[0]].line,
            element: 0,
        };
        thread.sort_by_key(|&i| {
            let t = &tweets[i];
            (
                t.created.as_ref().map_or(i64::MAX, |c| c.1),
                t.id.parse::<u64>().unwrap_or(u64::MAX),
                i,
            )
        });
        batch.push(build(&tweets, &thread, location));
        if batch.len() >= CHUNK_RECORDS {
            sink(Batch::Parsed(std::mem::take(&mut batch)))?;
        }
    }
    if !batch.is_empty() {
        sink(Batch::Parsed(batch))?;
    }
    Ok(records)
}

fn build(
    tweets: &[Tweet],
    thread: &[usize],
    location: Location,
) -> std::result::Result<Conversation, Skip> {
    let id = tweets[thread[0]].id.clone();
    let skip = |kind, message: String| Skip {
        kind,
        location,
        message,
    };
    let messages: Vec<Message> = thread
        .iter()
        .map(|&i| &tweets[i])
        .filter(|t| !t.text.trim().is_empty())
        .map(|t| Message {
            role: if t.inbound {
                Role::Customer
            } else {
                Role::Agent
            },
            text: t.text.trim().to_string(),
            ts: t.created.as_ref().map(|c| c.0.clone()),
        })
        .collect();
    if messages.is_empty() {
        return Err(skip(
            SkipKind::NoMessages,
            format!("thread {id} has no tweet with text"),
        ));
    }
    if !messages.iter().any(|m| m.role == Role::Customer) {
        return Err(skip(
            SkipKind::NoCustomer,
            format!("thread {id} has only brand tweets (the customer's tweet is not in the file)"),
        ));
    }
    let brand = thread
        .iter()
        .map(|&i| &tweets[i])
        .find(|t| !t.inbound && !t.author.is_empty())
        .map(|t| t.author.clone());
    let start = super::common::first_message_time(&messages);
    Ok(Conversation {
        started_at: start.at,
        undated: start.undated,
        id,
        category: brand,
        channel: Some("twitter".into()),
        messages,
        location,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(csv_text: &str) -> Vec<std::result::Result<Conversation, Skip>> {
        let input = Input::new(0, "twcs.csv", crate::ingest::Container::Csv);
        let mut out = Vec::new();
        let mut reader = csv_text.as_bytes();
        let n = read(&input, &mut reader, &IngestOptions::default(), &mut |b| {
            if let Batch::Parsed(items) = b {
                out.extend(items);
            }
            Ok(())
        })
        .expect("reads");
        assert_eq!(n as usize, out.len());
        out
    }

    const CSV: &str = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n\
        2,AppleSupport,False,Tue Oct 31 22:12:00 +0000 2017,@115712 Let's look into it &amp; help.,,1\n\
        1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@AppleSupport my iPhone keeps restarting,2,\n\
        3,115712,True,Tue Oct 31 22:15:00 +0000 2017,@AppleSupport still restarting 😡,,2.0\n\
        10,AmazonHelp,False,Wed Nov 01 09:00:00 +0000 2017,@998 Sorry to hear that!,,9\n\
        20,442,maybe,Wed Nov 01 09:00:00 +0000 2017,hm,,\n\
        30,4455,True,Wed Nov 01 10:00:00 +0000 2017,@VirginTrains anyone there?,,\n";

    #[test]
    fn threads_from_reply_links_in_time_order() {
        let out = read_str(CSV);
        assert_eq!(out.len(), 4);
        let skip = out[0].as_ref().err().map(|s| (s.kind, s.location.line));
        assert_eq!(
            skip,
            Some((SkipKind::InvalidCsvRow, 6)),
            "inbound \"maybe\""
        );
        let apple = out[1].as_ref().expect("thread");
        assert_eq!(apple.id, "1");
        assert_eq!(apple.category.as_deref(), Some("AppleSupport"));
        let texts: Vec<(Role, &str)> = apple
            .messages
            .iter()
            .map(|m| (m.role, m.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                (Role::Customer, "@AppleSupport my iPhone keeps restarting"),
                (Role::Agent, "@115712 Let's look into it & help."),
                (Role::Customer, "@AppleSupport still restarting 😡"),
            ]
        );
        assert_eq!(
            apple.started_at.map(|t| t.to_string()).as_deref(),
            Some("2017-10-31T22:10:47Z")
        );
        assert_eq!(apple.location.line, 2);
        let orphan = out[2].as_ref().err().map(|s| s.kind);
        assert_eq!(
            orphan,
            Some(SkipKind::NoCustomer),
            "brand reply without its customer tweet"
        );
        let lone = out[3].as_ref().expect("unanswered tweet is a conversation");
        assert_eq!(lone.category, None);
        assert_eq!(lone.messages.len(), 1);
    }

    #[test]
    fn sniffs_the_twitter_header_only() {
        let h = |s: &str| csv::StringRecord::from(s.split(',').collect::<Vec<_>>());
        let o = IngestOptions::default();
        assert!(sniff(&h("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"), &o));
        assert!(!sniff(&h("conversation_id,role,text"), &o));
    }
}
