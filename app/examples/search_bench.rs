//! Search benchmark (not a test): indexes a real corpus into a fresh embedded (tantivy)
//! engine and measures indexing throughput and query latency.
//!
//! The corpus is the Chit Chat dataset (PyPI `chitchat-dataset==0.9.0`, MIT licence):
//! each conversation becomes a discussion (title: its first message, cut to ~80
//! characters; body: its first message) and each message a comment carrying the
//! discussion's title. Zones go round-robin over customers/people/stakeholders; authors
//! are the message senders.
//!
//! Run it through `scripts/search-bench`, or directly:
//!
//! ```text
//! cargo run --release -p quorum --example search_bench -- \
//!     --corpus /work/chitchat/chitchat_dataset/dataset.json --data-dir /tmp/bench
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use chrono::{DateTime, Utc};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use quorum::search::SearchKind as DocKind;
use quorum::search::{self, Search, SearchDoc, SearchQuery};
use serde_json::Value;

const ZONES: [&str; 3] = ["customers", "people", "stakeholders"];
const TITLE_CHARS: usize = 80;

/// Indexes the Chit Chat corpus into a fresh embedded search engine and measures
/// indexing throughput and query latency (one-word, three-word and typo queries).
#[derive(Parser, Debug)]
#[command(name = "search_bench")]
struct Args {
    /// Path to chitchat_dataset/dataset.json.
    #[arg(long)]
    corpus: PathBuf,
    /// Data directory; the index goes to DATA_DIR/search, which must be missing or empty
    /// (unless --queries-only).
    #[arg(long)]
    data_dir: PathBuf,
    /// Documents per `index` call (each call commits and reloads the reader).
    #[arg(long, default_value_t = 5_000)]
    batch: usize,
    /// Queries of each kind.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    /// Results per page requested by each query.
    #[arg(long, default_value_t = 20)]
    per_page: u64,
    /// Untimed queries run first (of each kind) to warm caches.
    #[arg(long, default_value_t = 20)]
    warmup: usize,
    /// Seed of the generator that draws query words from the corpus.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Only index the first N documents (0: all of them).
    #[arg(long, default_value_t = 0)]
    limit: usize,
    /// Skip indexing and query the index already in DATA_DIR/search.
    #[arg(long)]
    queries_only: bool,
    /// Also time, on one thread and outside the engine, the per-document work the
    /// embedded engine does besides tantivy's indexing: building the id, serialising the
    /// stored JSON copy, and tokenising title and body with the same analyzer chain.
    #[arg(long)]
    phases: bool,
    /// Also run each query kind with a trailing space (no prefix match on the last word),
    /// to show what prefix matching costs.
    #[arg(long)]
    no_prefix_variants: bool,
    /// A relevance test set (scripts/search-relevance.json): queries with the message each
    /// should find. Prints success@10 and MRR for every post and for the grouped view.
    #[arg(long)]
    relevance: Option<PathBuf>,
    /// Draw a new relevance test set from the corpus into this file, and stop.
    #[arg(long)]
    write_relevance: Option<PathBuf>,
    /// Queries of each kind in a drawn relevance set.
    #[arg(long, default_value_t = 50)]
    relevance_per_kind: usize,
}

/// Knuth's MMIX linear congruential generator: deterministic and dependency-free.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// Uniform-ish in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n).unwrap_or(u64::MAX).max(1);
        usize::try_from(self.next() % n).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        items.get(self.below(items.len()))
    }
}

fn parse_time(value: Option<&Value>, what: &str) -> anyhow::Result<DateTime<Utc>> {
    let raw = value
        .and_then(Value::as_str)
        .with_context(|| format!("{what}: missing timestamp"))?;
    Ok(DateTime::parse_from_rfc3339(raw)
        .with_context(|| format!("{what}: bad timestamp {raw:?}"))?
        .with_timezone(&Utc))
}

fn truncate_title(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= TITLE_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(TITLE_CHARS).collect();
    // Cut at the last word boundary when there is one reasonably far in.
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > TITLE_CHARS / 2 => cut[..i].trim_end().to_string(),
        _ => cut,
    };
    format!("{cut}…")
}

/// One message of the corpus: where it is, and the documents it became.
struct Message {
    conversation: String,
    /// Its place in the conversation, from 0.
    index: usize,
    discussion_id: i32,
    comment_id: i32,
    text: String,
    /// The conversation's title (its first message, cut).
    title: String,
}

/// Reads dataset.json (`{id: {messages: [[{text, timestamp, sender}, …], …], …}, …}`)
/// into discussions and comments, and the messages behind them.
fn load_corpus(path: &Path) -> anyhow::Result<(Vec<SearchDoc>, Vec<Message>)> {
    let raw =
        std::fs::read(path).with_context(|| format!("reading the corpus {}", path.display()))?;
    let data: Value = serde_json::from_slice(&raw).context("parsing the corpus as JSON")?;
    let conversations = data
        .as_object()
        .context("corpus: expected an object of conversations")?;
    let mut docs = Vec::with_capacity(270_000);
    let mut found = Vec::with_capacity(270_000);
    let mut comment_id: i32 = 0;
    for (n, (key, conversation)) in conversations.iter().enumerate() {
        let discussion_id = i32::try_from(n + 1).context("too many conversations")?;
        let zone = ZONES[n % ZONES.len()].to_string();
        let what = format!("conversation {key}");
        let turns = conversation
            .get("messages")
            .and_then(Value::as_array)
            .with_context(|| format!("{what}: no messages array"))?;
        let mut messages = Vec::new();
        for turn in turns {
            let turn = turn
                .as_array()
                .with_context(|| format!("{what}: a turn is not an array"))?;
            messages.extend(turn.iter());
        }
        let Some(first) = messages.first() else {
            continue;
        };
        let first_text = first
            .get("text")
            .and_then(Value::as_str)
            .with_context(|| format!("{what}: first message without text"))?;
        let title = truncate_title(first_text);
        let author_of = |m: &Value| {
            m.get("sender")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .unwrap_or("anonymous")
                .to_string()
        };
        let started = match conversation.get("start") {
            Some(v) => parse_time(Some(v), &what)?,
            None => parse_time(first.get("timestamp"), &what)?,
        };
        docs.push(SearchDoc {
            kind: DocKind::Discussion,
            discussion_id: Some(discussion_id),
            comment_id: None,
            session_id: None,
            question_id: None,
            title: title.clone(),
            body: first_text.to_string(),
            zone: zone.clone(),
            author: author_of(first),
            created_at: started,
            score: 0,
            recognized: false,
            idea: None,
        });
        for (index, message) in messages.into_iter().enumerate() {
            comment_id = comment_id.checked_add(1).context("too many messages")?;
            let text = message
                .get("text")
                .and_then(Value::as_str)
                .with_context(|| format!("{what}: message without text"))?;
            found.push(Message {
                conversation: key.clone(),
                index,
                discussion_id,
                comment_id,
                text: text.to_string(),
                title: title.clone(),
            });
            docs.push(SearchDoc {
                kind: DocKind::Comment,
                discussion_id: Some(discussion_id),
                comment_id: Some(comment_id),
                session_id: None,
                question_id: None,
                title: title.clone(),
                body: text.to_string(),
                zone: zone.clone(),
                author: author_of(message),
                created_at: parse_time(message.get("timestamp"), &what)?,
                score: 0,
                recognized: false,
                idea: None,
            });
        }
    }
    Ok((docs, found))
}

/// Lower-case ASCII words of at least `min` letters, in order.
fn words(text: &str, min: usize) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= min)
        .map(str::to_ascii_lowercase)
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    OneWord,
    ThreeWords,
    Typo,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::OneWord => "one word",
            Kind::ThreeWords => "three words",
            Kind::Typo => "typo (one letter changed)",
        }
    }
}

/// Draws `count` queries of a kind from the bodies, deterministically.
fn draw_queries(bodies: &[&str], kind: Kind, count: usize, rng: &mut Lcg) -> Vec<String> {
    let mut out = Vec::with_capacity(count);
    // Bounded so that a corpus without suitable words cannot loop forever.
    for _ in 0..count.saturating_mul(1_000) {
        if out.len() == count {
            break;
        }
        let Some(body) = rng.pick(bodies) else { break };
        match kind {
            Kind::OneWord => {
                if let Some(w) = rng.pick(&words(body, 3)) {
                    out.push(w.clone());
                }
            }
            Kind::ThreeWords => {
                // Three distinct words of one message, in their order there.
                let distinct: Vec<String> = {
                    let mut seen = BTreeSet::new();
                    words(body, 3)
                        .into_iter()
                        .filter(|w| seen.insert(w.clone()))
                        .collect()
                };
                if distinct.len() < 3 {
                    continue;
                }
                let mut picked = BTreeSet::new();
                while picked.len() < 3 {
                    picked.insert(rng.below(distinct.len()));
                }
                let q: Vec<&str> = picked
                    .iter()
                    .filter_map(|&i| distinct.get(i).map(String::as_str))
                    .collect();
                out.push(q.join(" "));
            }
            Kind::Typo => {
                let candidates = words(body, 6);
                let Some(word) = rng.pick(&candidates) else {
                    continue;
                };
                let mut letters: Vec<u8> = word.bytes().collect();
                let at = rng.below(letters.len());
                if let Some(c) = letters.get_mut(at) {
                    let shift = u8::try_from(1 + rng.below(25)).unwrap_or(1);
                    *c = b'a' + (*c - b'a' + shift) % 26;
                }
                out.push(String::from_utf8_lossy(&letters).into_owned());
            }
        }
    }
    out
}

/// Nearest-rank percentile of sorted durations.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.clamp(1, sorted.len()) - 1)
        .copied()
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct KindResult {
    label: String,
    queries: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
    mean_total: f64,
    mean_returned: f64,
    zero_hits: usize,
    slowest: String,
}

async fn run_queries(
    engine: &Search,
    label: String,
    warm: &[String],
    queries: &[String],
    per_page: u64,
) -> anyhow::Result<KindResult> {
    let query = |q: &str| SearchQuery {
        q: q.to_string(),
        page: 1,
        per_page,
        ..SearchQuery::default()
    };
    for q in warm {
        engine.search(&query(q)).await?;
    }
    let mut timings = Vec::with_capacity(queries.len());
    let (mut total, mut returned, mut zero_hits) = (0u64, 0usize, 0usize);
    for q in queries {
        let sq = query(q);
        let start = Instant::now();
        let results = engine
            .search(&sq)
            .await
            .with_context(|| format!("searching {q:?}"))?;
        timings.push((start.elapsed(), q.clone()));
        total += results.total;
        returned += results.hits.len();
        zero_hits += usize::from(results.total == 0);
    }
    let slowest = timings
        .iter()
        .max_by_key(|(d, _)| *d)
        .map(|(d, q)| format!("{q:?} ({:.1} ms)", ms(*d)))
        .unwrap_or_default();
    let mut sorted: Vec<Duration> = timings.iter().map(|(d, _)| *d).collect();
    sorted.sort();
    let n = queries.len().max(1) as f64;
    Ok(KindResult {
        label,
        queries: queries.len(),
        p50: percentile(&sorted, 50.0),
        p99: percentile(&sorted, 99.0),
        max: sorted.last().copied().unwrap_or_default(),
        mean_total: total as f64 / n,
        mean_returned: returned as f64 / n,
        zero_hits,
        slowest,
    })
}

/// Times the engine's per-document preparation and its analyzer, outside the engine.
fn time_phases(docs: &[SearchDoc]) -> anyhow::Result<()> {
    use tantivy::tokenizer::TokenStream as _;
    let n = docs.len() as f64;
    let report = |what: &str, d: Duration| {
        println!(
            "phase {what}: {:.2} s ({:.0} documents/s on one thread)",
            d.as_secs_f64(),
            n / d.as_secs_f64().max(f64::EPSILON)
        );
    };
    let start = Instant::now();
    let mut bytes = 0usize;
    for doc in docs {
        bytes += doc.id().len() + serde_json::to_string(doc)?.len();
    }
    report("id + stored JSON copy", start.elapsed());
    println!("  stored JSON: {:.1} MB", bytes as f64 / 1e6);

    // The analyzer the engine indexes with.
    let mut analyzer = search::text::analyzer();
    let mut count = |text: &str| {
        let mut stream = analyzer.token_stream(text);
        let mut tokens = 0usize;
        while stream.advance() {
            tokens += 1;
        }
        tokens
    };
    let start = Instant::now();
    let (mut title_tokens, mut body_tokens) = (0usize, 0usize);
    for doc in docs {
        title_tokens += count(&doc.title);
        body_tokens += count(&doc.body);
    }
    report("tokenising title + body", start.elapsed());
    println!(
        "  tokens: {title_tokens} in titles, {body_tokens} in bodies ({:.1} + {:.1} per document)",
        title_tokens as f64 / n.max(1.0),
        body_tokens as f64 / n.max(1.0)
    );
    Ok(())
}

/// Segments listed in tantivy's meta.json (merges may still be running).
fn segment_count(dir: &Path) -> Option<usize> {
    let current = std::fs::read_to_string(dir.join("current")).ok()?;
    let meta = std::fs::read(dir.join(current.trim()).join("meta.json")).ok()?;
    let meta: Value = serde_json::from_slice(&meta).ok()?;
    meta.get("segments").and_then(Value::as_array).map(Vec::len)
}

fn is_empty_dir(dir: &Path) -> anyhow::Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e).with_context(|| format!("reading {}", dir.display())),
    }
}

/// Words nobody remembers a message by.
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    "anyone", "anything", "aren", "couldn", "hasn", "haven", "hello", "into", "isnt", "okay",
    "shouldn", "wasn", "weren", "wouldn", "yours",
    "about",
    "after",
    "again",
    "also",
    "always",
    "been",
    "before",
    "being",
    "both",
    "cause",
    "could",
    "didn",
    "does",
    "doesn",
    "doing",
    "done",
    "down",
    "each",
    "even",
    "ever",
    "every",
    "from",
    "getting",
    "going",
    "gonna",
    "good",
    "great",
    "have",
    "having",
    "here",
    "just",
    "know",
    "like",
    "little",
    "lots",
    "make",
    "many",
    "maybe",
    "more",
    "most",
    "much",
    "must",
    "need",
    "never",
    "nice",
    "only",
    "other",
    "over",
    "pretty",
    "really",
    "right",
    "same",
    "should",
    "some",
    "something",
    "still",
    "such",
    "sure",
    "take",
    "than",
    "thank",
    "thanks",
    "that",
    "thats",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "thing",
    "things",
    "think",
    "this",
    "those",
    "though",
    "through",
    "very",
    "want",
    "well",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "will",
    "with",
    "would",
    "yeah",
    "your",
    "youre",
];

/// The words someone might remember a message by: four letters or more, not a stop
/// word, each once, in their order.
fn memorable(text: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    words(text, 4)
        .into_iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()) && seen.insert(w.clone()))
        .collect()
}

/// A word misspelt by as many letters as search forgives it (one from 5 letters, two
/// from 9): letters replaced, never the first.
fn misspell(word: &str, rng: &mut Lcg) -> String {
    let edits = match word.len() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    };
    let mut letters: Vec<u8> = word.bytes().collect();
    let mut changed = BTreeSet::new();
    while changed.len() < edits {
        let at = 1 + rng.below(letters.len() - 1);
        if changed.insert(at)
            && let Some(c) = letters.get_mut(at)
        {
            let shift = u8::try_from(1 + rng.below(25)).unwrap_or(1);
            *c = b'a' + (*c - b'a' + shift) % 26;
        }
    }
    String::from_utf8_lossy(&letters).into_owned()
}

/// The kinds of query in a relevance set, and how they are drawn from a message.
const RELEVANCE_KINDS: [&str; 4] = [
    "two words",
    "two words, one misspelt",
    "a word and the start of another",
    "two words of a discussion's title",
];

/// Draws a relevance set: for each kind, messages picked at random and a query made the
/// way someone remembering them would type it.
fn draw_relevance(messages: &[Message], per_kind: usize, rng: &mut Lcg) -> Value {
    let mut queries = Vec::new();
    for kind in RELEVANCE_KINDS {
        let mut made = 0;
        for _ in 0..per_kind.saturating_mul(1_000) {
            if made == per_kind {
                break;
            }
            let Some(m) = rng.pick(messages) else { break };
            let source = if kind == "two words of a discussion's title" {
                if m.index != 0 {
                    continue;
                }
                &m.title
            } else {
                &m.text
            };
            let words = memorable(source);
            if words.len() < 2 {
                continue;
            }
            let a = rng.below(words.len());
            let mut b = rng.below(words.len());
            if a == b {
                b = (a + 1) % words.len();
            }
            let (first, second) = (&words[a.min(b)], &words[a.max(b)]);
            let q = match kind {
                "two words, one misspelt" => {
                    if first.len() < 5 && second.len() < 5 {
                        continue;
                    }
                    if first.len() >= second.len() {
                        format!("{} {second}", misspell(first, rng))
                    } else {
                        format!("{first} {}", misspell(second, rng))
                    }
                }
                "a word and the start of another" => {
                    if second.len() < 6 {
                        continue;
                    }
                    format!("{first} {}", &second[..4])
                }
                _ => format!("{first} {second}"),
            };
            queries.push(serde_json::json!({
                "q": q,
                "kind": kind,
                "conversation": m.conversation,
                "message": m.index,
            }));
            made += 1;
        }
    }
    serde_json::json!({
        "corpus": "chitchat-dataset 0.9.0 (PyPI), dataset.json",
        "about": "Each query names the message it should find: the conversation's key and the message's place in it (0 is the opening post). Every post: the message must be among the first ten posts. Grouped: its discussion must be among the first ten discussions. Drawn by `search_bench --write-relevance`.",
        "queries": queries,
    })
}

/// One line of the relevance table.
struct Relevance {
    kind: String,
    queries: usize,
    found: [usize; 2],
    reciprocal: [f64; 2],
    first: [usize; 2],
}

/// Runs a relevance set: success@10 (the expected post, or its discussion when grouped,
/// among the first ten hits), MRR over the first ten, and first place, by kind.
async fn evaluate_relevance(
    engine: &Search,
    set: &Value,
    messages: &[Message],
) -> anyhow::Result<Vec<Relevance>> {
    use std::collections::HashMap;
    let by_place: HashMap<(&str, usize), &Message> = messages
        .iter()
        .map(|m| ((m.conversation.as_str(), m.index), m))
        .collect();
    let mut lines: Vec<Relevance> = Vec::new();
    for query in set["queries"].as_array().context("a set has queries")? {
        let q = query["q"].as_str().context("a query has q")?;
        let kind = query["kind"].as_str().unwrap_or("?").to_string();
        let conversation = query["conversation"].as_str().context("conversation")?;
        let index = query["message"].as_u64().context("message")? as usize;
        let m = by_place
            .get(&(conversation, index))
            .with_context(|| format!("{conversation}/{index} is not in the corpus"))?;
        let mut ranks = [None, None];
        for (n, group) in [search::Grouping::None, search::Grouping::Discussion]
            .into_iter()
            .enumerate()
        {
            let results = engine
                .search(&SearchQuery {
                    q: q.to_string(),
                    page: 1,
                    per_page: 10,
                    group,
                    ..SearchQuery::default()
                })
                .await?;
            ranks[n] = results.hits.iter().position(|h| match group {
                // The opening message is both the discussion's body and its first reply.
                search::Grouping::None => {
                    h.comment_id == Some(m.comment_id)
                        || (m.index == 0
                            && h.comment_id.is_none()
                            && h.discussion_id == Some(m.discussion_id))
                }
                search::Grouping::Discussion => h.discussion_id == Some(m.discussion_id),
            });
        }
        let line = match lines.iter_mut().find(|l| l.kind == kind) {
            Some(line) => line,
            None => {
                lines.push(Relevance {
                    kind: kind.clone(),
                    queries: 0,
                    found: [0; 2],
                    reciprocal: [0.0; 2],
                    first: [0; 2],
                });
                lines.last_mut().context("just pushed")?
            }
        };
        line.queries += 1;
        for (n, rank) in ranks.iter().enumerate() {
            if let Some(r) = rank {
                line.found[n] += 1;
                line.reciprocal[n] += 1.0 / (*r as f64 + 1.0);
                line.first[n] += usize::from(*r == 0);
            }
        }
    }
    Ok(lines)
}

fn print_relevance(lines: &[Relevance]) {
    let mut all = Relevance {
        kind: "all".into(),
        queries: 0,
        found: [0; 2],
        reciprocal: [0.0; 2],
        first: [0; 2],
    };
    for l in lines {
        all.queries += l.queries;
        for k in 0..2 {
            all.found[k] += l.found[k];
            all.reciprocal[k] += l.reciprocal[k];
            all.first[k] += l.first[k];
        }
    }
    println!();
    println!(
        "| queries | n | every post: success@10 | MRR | first | grouped: success@10 | MRR | first |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for l in lines.iter().chain(std::iter::once(&all)) {
        let n = l.queries.max(1) as f64;
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            l.kind,
            l.queries,
            l.found[0] as f64 / n,
            l.reciprocal[0] / n,
            l.first[0] as f64 / n,
            l.found[1] as f64 / n,
            l.reciprocal[1] / n,
            l.first[1] as f64 / n,
        );
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.batch == 0 {
        bail!("--batch must be at least 1");
    }

    let start = Instant::now();
    let (mut docs, messages) = load_corpus(&args.corpus)?;
    if let Some(path) = &args.write_relevance {
        let mut rng = Lcg(args.seed);
        let set = draw_relevance(&messages, args.relevance_per_kind, &mut rng);
        std::fs::write(path, serde_json::to_string_pretty(&set)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote a relevance set to {}", path.display());
        return Ok(());
    }
    let relevance: Option<Value> = match &args.relevance {
        Some(path) => Some(
            serde_json::from_slice(
                &std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
            )
            .with_context(|| format!("parsing {}", path.display()))?,
        ),
        None => None,
    };
    if args.limit > 0 {
        docs.truncate(args.limit);
    }
    let discussions = docs
        .iter()
        .filter(|d| d.kind == DocKind::Discussion)
        .count();
    println!(
        "corpus: {} documents ({} discussions, {} comments) loaded in {:.1} s",
        docs.len(),
        discussions,
        docs.len() - discussions,
        start.elapsed().as_secs_f64()
    );

    let search_dir = args.data_dir.join("search");
    if !args.queries_only && !is_empty_dir(&search_dir)? {
        bail!(
            "{} is not empty: give a fresh --data-dir (or pass --queries-only)",
            search_dir.display()
        );
    }
    // Meilisearch when MEILI_URL is set (its index MEILI_INDEX, `quorum_bench` by
    // default, is emptied first), otherwise the embedded engine.
    let meili = std::env::var("MEILI_URL").ok().filter(|u| !u.is_empty());
    let index = std::env::var("MEILI_INDEX").unwrap_or_else(|_| "quorum_bench".into());
    let key = std::env::var("MEILI_API_KEY").ok();
    let engine = search::open(&args.data_dir, meili.as_deref(), key.as_deref(), &index).await?;
    if meili.is_some() && !args.queries_only {
        engine.clear().await?;
    }
    match &meili {
        Some(url) => println!("engine: {} at {url}, index {index}", engine.name()),
        None => println!("engine: {} at {}", engine.name(), search_dir.display()),
    }

    // Query words are drawn before indexing consumes the documents.
    let bodies: Vec<&str> = docs.iter().map(|d| d.body.as_str()).collect();
    let mut rng = Lcg(args.seed);
    let n = args.queries + args.warmup;
    let sets = [Kind::OneWord, Kind::ThreeWords, Kind::Typo]
        .map(|kind| (kind, draw_queries(&bodies, kind, n, &mut rng)));
    drop(bodies);
    for (kind, queries) in &sets {
        let sample: Vec<&String> = queries.iter().skip(args.warmup).take(5).collect();
        println!("{} queries, e.g. {sample:?}", kind.label());
    }

    if args.phases {
        time_phases(&docs)?;
    }

    if !args.queries_only {
        let total = docs.len();
        let bar = ProgressBar::new(u64::try_from(total).unwrap_or(u64::MAX));
        bar.set_style(
            ProgressStyle::with_template(
                "indexing [{elapsed_precise}] {wide_bar} {pos}/{len} docs ({per_sec}, eta {eta})",
            )
            .context("progress bar template")?,
        );
        let mut batch_times = Vec::new();
        let start = Instant::now();
        let mut rest = docs;
        while !rest.is_empty() {
            let tail = rest.split_off(args.batch.min(rest.len()));
            let batch = std::mem::replace(&mut rest, tail);
            let len = batch.len();
            let t = Instant::now();
            engine.index(batch).await.context("indexing a batch")?;
            batch_times.push(t.elapsed());
            bar.inc(u64::try_from(len).unwrap_or(0));
        }
        let secs = start.elapsed().as_secs_f64();
        bar.finish_and_clear();
        println!(
            "indexed {total} documents in {secs:.1} s: {:.0} documents/s (batches of {}, {} index calls)",
            total as f64 / secs.max(f64::EPSILON),
            args.batch,
            batch_times.len()
        );
        let mut sorted = batch_times.clone();
        sorted.sort();
        let head: Duration = batch_times.iter().take(5).sum();
        let tail: Duration = batch_times.iter().rev().take(5).sum();
        let k = batch_times.len().clamp(1, 5) as f64;
        println!(
            "index call time: median {:.0} ms, max {:.0} ms; first 5 calls mean {:.0} ms, last 5 mean {:.0} ms",
            ms(percentile(&sorted, 50.0)),
            ms(sorted.last().copied().unwrap_or_default()),
            ms(head) / k,
            ms(tail) / k,
        );
    } else {
        drop(docs);
    }

    if let Some(segments) = segment_count(&search_dir) {
        println!("index segments at query time: {segments}");
    }

    let mut results = Vec::new();
    for (kind, queries) in &sets {
        let (warm, timed) = queries.split_at(args.warmup.min(queries.len()));
        results.push(
            run_queries(
                &engine,
                kind.label().to_string(),
                warm,
                timed,
                args.per_page,
            )
            .await?,
        );
        if args.no_prefix_variants {
            let spaced =
                |qs: &[String]| -> Vec<String> { qs.iter().map(|q| format!("{q} ")).collect() };
            let label = format!("{}, no prefix", kind.label());
            results.push(
                run_queries(&engine, label, &spaced(warm), &spaced(timed), args.per_page).await?,
            );
        }
    }

    println!();
    println!(
        "| query kind | queries | p50 (ms) | p99 (ms) | max (ms) | mean matches | mean hits returned | no match |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in &results {
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.0} | {:.1} | {} |",
            r.label,
            r.queries,
            ms(r.p50),
            ms(r.p99),
            ms(r.max),
            r.mean_total,
            r.mean_returned,
            r.zero_hits
        );
    }
    println!();
    for r in &results {
        println!("slowest {}: {}", r.label, r.slowest);
    }
    if let Some(set) = &relevance {
        print_relevance(&evaluate_relevance(&engine, set, &messages).await?);
    }
    Ok(())
}
