//! `handoff topics`: one reading pass samples the customers' requests (a bounded
//! reservoir), the topics are learned from the sample and printed; `--output` saves them as
//! the TOML file `audit --topics` assigns conversations with.

use handoff::error::{Error, Result};
use handoff::ingest;
use handoff::pipeline;
use handoff::topics::{LearnOptions, TopicModel, SAMPLE_SIZE};

use super::setup::Setup;
use super::{create_output, write_output, write_stdout, Outcome};
use crate::cli::TopicsArgs;

pub fn run(args: TopicsArgs) -> Result<Outcome> {
    let setup = Setup::new(&args.read, None, false)?;
    let out = create_output(args.output.as_deref())?;
    let expanded = ingest::expand_inputs(&args.inputs, setup.ingest.follow)?;
    let pool = pipeline::thread_pool(setup.threads)?;
    let sample = pipeline::sample_requests(&expanded.files, &setup.ingest, &pool, SAMPLE_SIZE)?;
    if sample.requests.len() < 10 {
        return Err(Error::Usage(format!(
            "{} customer requests found in {} conversations: too few to learn topics from",
            sample.requests.len(),
            sample.sampled
        )));
    }
    let opts = LearnOptions {
        max_topics: usize::from(args.max_topics),
        k: args.topics_k.map(usize::from),
        redact: !args.no_redact,
    };
    let model = pool.install(|| TopicModel::learn(&sample.requests, &opts));
    write_stdout(&describe(&model, &sample))?;
    if let Some(file) = out {
        write_output(file, &model.to_toml()?)?;
    }
    Ok(Outcome::Success)
}

fn describe(model: &TopicModel, sample: &pipeline::RequestSample) -> String {
    let mut s = format!(
        "{} topics from {} requests ({} conversations sampled of {} records, {} without a \
         request beyond a greeting); {} requests in no topic (other)\n\n",
        model.labels().len(),
        model.sample,
        sample.sampled,
        sample.records,
        sample.without_request,
        model.other
    );
    for (i, t) in model.topics.iter().enumerate() {
        s.push_str(&format!(
            "{:>2}. {}  —  {} requests ({:.1}%), coherence {:.2}\n",
            i + 1,
            handoff::terminal(&t.name),
            t.size,
            t.share * 100.0,
            t.coherence
        ));
        for e in &t.examples {
            s.push_str(&format!("      \"{}\"\n", handoff::terminal(e)));
        }
    }
    s
}
