//! Issue #15, "seed's peak hour, simulated": an open-arrival load generator for a
//! community seeded with `quorum seed-bench` (docs/benchmarks.md, `scripts/peak-hour`).
//!
//! Requests are launched on a fixed schedule (`--rate` per second, one every
//! `1/rate` s), whether or not earlier ones have finished: an open model, like many people
//! clicking independently, not a closed loop of clients that wait for their answer. Each
//! request's latency is measured from the moment it was *due* to the end of its answer's
//! body, so a server that falls behind cannot hide it (no coordinated omission).
//!
//! The mix, drawn with a seeded RNG (`--seed`, so a run can be replayed):
//!
//! | share | kind |
//! |---:|---|
//! | 85 % | reads: discussion pages of every size (visitors 23 %, signed-in members 15 %; one in ten is the 100-comment discussion), the JSON discussion 12 %, zone listing pages 13 %, zone listings as JSON 4 %, profiles 8 %, the home page 5 %, the live session as JSON 5 % |
//! | 5 % | votes (`value` 1, one in five 0) on random discussions and comments |
//! | 3 % | new comments on random discussions |
//! | 3 % | searches (two in three through the API, one through the page; one word, two words, a prefix as typed, or a typo) |
//! | 2 % | live questions (1 %) and question upvotes (1 %) in one live Q&A session |
//! | 2 % | password sign-ins (`POST /api/v1/auth/login`) |
//!
//! Signed-in requests use the bearer tokens of `DATA_DIR/bench/tokens.txt` (line N is
//! `memberN`); pages accept them as the API does. Page requests send a browser's
//! `Accept-Encoding` (`--page-encoding`), so the server compresses them as it would for a
//! browser; the body is read but not decoded.
//!
//! Before the run, through the HTTP API: a leader among the token holders (seed-bench
//! makes every 50th member a leader) opens a live Q&A session in the first zone, one
//! question is asked (so upvotes have a target from the start), and `--streams`
//! Server-Sent Events streams (`GET /api/v1/sessions/{id}/events`) are opened and held for
//! the whole run. Each live question carries a marker with the moment its POST was sent;
//! every stream notes when its `question_added` event arrives, which gives the delivery
//! latency over all streams (and any stream that missed it).
//!
//! ```text
//! quorum seed-bench --discussions 10000 --comments 100000          # writes DATA_DIR/bench/
//! QUORUM_RATE_LIMIT=off quorum serve &
//! cargo run --release -p quorum --example peak_hour -- --data-dir ./data --rate 200 --duration 60
//! ```

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, HeaderValue};
use reqwest::{Client, Method, StatusCode, Url};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

/// Drives a seeded Quorum at a fixed request rate with a peak hour's mix, holding live
/// Q&A event streams open, and reports latency per kind of request.
///
/// Open model: request i is launched at start + i/rate whether or not earlier ones have
/// finished, and its latency runs from that moment to the end of its answer. Mix: 85 %
/// reads (discussion pages of every size for visitors and members, the JSON discussion,
/// zone listings as pages and JSON, profiles, the home page, the live session), 5 % votes,
/// 3 % new comments, 3 % searches, 1 % live questions, 1 % question upvotes, 2 % password
/// sign-ins. Before the run a leader opens a live Q&A session through the API and
/// --streams event streams are held open; the delivery latency of each live question is
/// measured on every stream.
///
/// Needs a server started with QUORUM_RATE_LIMIT=off on a community seeded with `quorum
/// seed-bench` (its DATA_DIR/bench/seed.json and tokens.txt); scripts/peak-hour does all
/// of it. Prints a table per kind (count, p50/p99/max ms, errors) and a verdict against
/// the targets; exits non-zero only when the run itself could not be made. Raises its
/// open-files limit (soft, up to the hard one) to streams + max-in-flight + 256.
#[derive(Parser, Debug, Clone)]
#[command(name = "peak_hour", version)]
struct Args {
    /// The server under test (started with QUORUM_RATE_LIMIT=off).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base_url: String,
    /// The server's data directory: `quorum seed-bench` wrote bench/seed.json and
    /// bench/tokens.txt there.
    #[arg(long, default_value = "./data")]
    data_dir: PathBuf,
    /// Requests per second, launched on schedule whether or not earlier ones finished.
    #[arg(long, default_value_t = 200.0)]
    rate: f64,
    /// Measured seconds (after the warm-up).
    #[arg(long, default_value_t = 60.0)]
    duration: f64,
    /// Seconds at the same rate and mix before measuring; not counted.
    #[arg(long, default_value_t = 5.0)]
    warmup: f64,
    /// Live Q&A event streams held open for the whole run.
    #[arg(long, default_value_t = 1000)]
    streams: usize,
    /// Seed of the mix: the same seed draws the same sequence of requests.
    #[arg(long, default_value_t = 15)]
    seed: u64,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json_out: Option<PathBuf>,
    /// Seconds a request may take, waiting for a free slot included; past it, it counts
    /// as a transport error.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Requests in flight at most (the connection pool's size); a request due while all
    /// slots are busy waits for one, and the wait counts in its latency.
    #[arg(long, default_value_t = 512)]
    max_in_flight: usize,
    /// The verdict's p99 limit for every kind of request, in milliseconds.
    #[arg(long, default_value_t = 50.0)]
    p99_target_ms: f64,
    /// The verdict's p99 limit for live-event delivery, in milliseconds.
    #[arg(long, default_value_t = 250.0)]
    delivery_target_ms: f64,
    /// Seconds to wait after the last request for live events still on their way.
    #[arg(long, default_value_t = 2.0)]
    delivery_grace: f64,
    /// `Accept-Encoding` of page requests, as a browser sends it ("" for none).
    #[arg(long, default_value = "gzip, deflate, br")]
    page_encoding: String,
}

/// What `quorum seed-bench` wrote to DATA_DIR/bench/seed.json (the fields used here).
#[derive(Debug, Deserialize)]
struct SeedInfo {
    discussions: u64,
    comments: u64,
    members: u64,
    page_discussion_id: u64,
    tokens_file: PathBuf,
    password: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    PageVisitor,
    PageMember,
    DiscussionJson,
    ZonePage,
    ZoneJson,
    Profile,
    Home,
    SessionJson,
    Vote,
    Comment,
    Search,
    Question,
    Upvote,
    SignIn,
}

/// Every kind, its name in the JSON, its label in the table, and its share in ‰.
const MIX: [(Kind, &str, &str, u32); 14] = [
    (
        Kind::PageVisitor,
        "discussion_page_visitor",
        "discussion page, visitor",
        230,
    ),
    (
        Kind::PageMember,
        "discussion_page_member",
        "discussion page, member",
        150,
    ),
    (
        Kind::DiscussionJson,
        "discussion_json",
        "JSON discussion",
        120,
    ),
    (Kind::ZonePage, "zone_page", "zone listing page", 130),
    (Kind::ZoneJson, "zone_json", "zone listing JSON", 40),
    (Kind::Profile, "profile_page", "profile page", 80),
    (Kind::Home, "home_page", "home page", 50),
    (Kind::SessionJson, "session_json", "live session JSON", 50),
    (Kind::Vote, "vote", "vote", 50),
    (Kind::Comment, "comment", "new comment", 30),
    (Kind::Search, "search", "search", 30),
    (Kind::Question, "live_question", "live question", 10),
    (Kind::Upvote, "question_upvote", "question upvote", 10),
    (Kind::SignIn, "sign_in", "sign-in", 20),
];

fn kind_index(kind: Kind) -> usize {
    MIX.iter().position(|(k, ..)| *k == kind).unwrap_or(0)
}

/// Refusals that are part of the mix, not errors: a random voter may meet their own post.
fn expected(kind: Kind, status: StatusCode, code: &str) -> bool {
    matches!(kind, Kind::Vote | Kind::Upvote)
        && status == StatusCode::FORBIDDEN
        && code == "self_vote"
}

/// A request drawn by the planner; questions and upvotes are completed when they run.
#[derive(Debug)]
struct Planned {
    kind: Kind,
    method: Method,
    url: String,
    /// Index into the tokens (member index + 1); `None` for visitors.
    token: Option<usize>,
    body: Option<Value>,
    page: bool,
    special: Special,
}

#[derive(Debug)]
enum Special {
    None,
    /// The n-th live question of the run.
    Question(u64),
    /// Upvote the asked question `pick % asked`.
    Upvote(usize),
}

#[derive(Debug)]
enum Outcome {
    Ok,
    Expected(String),
    Http(String),
    Transport(String),
}

#[derive(Debug)]
struct Sample {
    kind: Kind,
    measured: bool,
    latency: Duration,
    /// When the answer was complete, since the epoch.
    done_at: Duration,
    outcome: Outcome,
}

/// What every request needs.
struct Ctx {
    client: Client,
    base: Url,
    tokens: Vec<String>,
    page_encoding: Option<HeaderValue>,
    timeout: Duration,
    slots: Semaphore,
    epoch: Instant,
    /// Questions asked so far: (id, asker's token index).
    questions: Mutex<Vec<(i64, usize)>>,
    /// Numbers of the measured questions that were answered 201.
    asked_ok: Mutex<Vec<u64>>,
    in_flight: AtomicU64,
    in_flight_peak: AtomicU64,
    done: AtomicU64,
}

impl Ctx {
    fn url(&self, path: &str) -> Result<Url> {
        self.base
            .join(path)
            .with_context(|| format!("joining {path} to {}", self.base))
    }
}

/// Draws the requests.
struct Planner {
    discussions: u64,
    comments: u64,
    members: u64,
    page_discussion_id: u64,
    tokens: usize,
    password: String,
    session_id: i64,
    /// (slug, pages of 20 discussions).
    zones: Vec<(String, u64)>,
    words: Vec<String>,
    sentences: Vec<String>,
    cumulative: Vec<u32>,
    questions: u64,
    comments_made: u64,
}

impl Planner {
    fn member_token(&self, rng: &mut StdRng) -> usize {
        rng.random_range(0..self.tokens)
    }

    fn maybe_member(&self, rng: &mut StdRng) -> Option<usize> {
        rng.random_bool(0.5).then(|| self.member_token(rng))
    }

    fn discussion(&self, rng: &mut StdRng) -> u64 {
        if rng.random_range(0..10) == 0 {
            self.page_discussion_id
        } else {
            rng.random_range(1..=self.discussions)
        }
    }

    fn zone(&self, rng: &mut StdRng) -> (String, String) {
        let (slug, pages) = &self.zones[rng.random_range(0..self.zones.len())];
        let page = if rng.random_range(0..10) < 7 {
            1
        } else {
            rng.random_range(1..=(*pages).clamp(1, 50))
        };
        let sort = match rng.random_range(0..10) {
            0 => "&sort=top",
            1 => "&sort=active",
            _ => "",
        };
        (slug.clone(), format!("page={page}{sort}"))
    }

    fn sentence(&self, rng: &mut StdRng) -> String {
        self.sentences[rng.random_range(0..self.sentences.len())].clone()
    }

    /// A search as people type it: a word, two words, a prefix, or a word with a typo.
    fn query(&self, rng: &mut StdRng) -> String {
        let word = &self.words[rng.random_range(0..self.words.len())];
        match rng.random_range(0..20) {
            0..=8 => word.clone(),
            9..=12 => {
                let other = &self.words[rng.random_range(0..self.words.len())];
                format!("{word} {other}")
            }
            13..=16 => word.chars().take(rng.random_range(3..=4)).collect(),
            _ => {
                let mut chars: Vec<char> = word.chars().collect();
                let at = rng.random_range(1..chars.len().max(2));
                if let Some(c) = chars.get_mut(at) {
                    *c = if *c == 'e' { 'a' } else { 'e' };
                }
                chars.into_iter().collect()
            }
        }
    }

    fn next(&mut self, rng: &mut StdRng) -> Planned {
        let roll = rng.random_range(0..1000);
        let at = self.cumulative.iter().position(|&c| roll < c).unwrap_or(0);
        let kind = MIX[at].0;
        let get = |url: String, token: Option<usize>, page: bool| Planned {
            kind,
            method: Method::GET,
            url,
            token,
            body: None,
            page,
            special: Special::None,
        };
        match kind {
            Kind::PageVisitor => get(format!("/discussions/{}", self.discussion(rng)), None, true),
            Kind::PageMember => {
                let id = self.discussion(rng);
                get(
                    format!("/discussions/{id}"),
                    Some(self.member_token(rng)),
                    true,
                )
            }
            Kind::DiscussionJson => {
                let id = self.discussion(rng);
                get(
                    format!("/api/v1/discussions/{id}"),
                    self.maybe_member(rng),
                    false,
                )
            }
            Kind::ZonePage => {
                let (slug, query) = self.zone(rng);
                get(
                    format!("/zones/{slug}?{query}"),
                    self.maybe_member(rng),
                    true,
                )
            }
            Kind::ZoneJson => {
                let (slug, query) = self.zone(rng);
                get(
                    format!("/api/v1/zones/{slug}/discussions?{query}"),
                    self.maybe_member(rng),
                    false,
                )
            }
            Kind::Profile => {
                let n = rng.random_range(1..=self.members);
                get(format!("/members/member{n}"), self.maybe_member(rng), true)
            }
            Kind::Home => get("/".to_string(), self.maybe_member(rng), true),
            Kind::SessionJson => get(
                format!("/api/v1/sessions/{}", self.session_id),
                self.maybe_member(rng),
                false,
            ),
            Kind::Search => {
                let q = self.query(rng);
                let page = rng.random_range(0..3) == 0;
                let path = if page { "/search" } else { "/api/v1/search" };
                let url = Url::parse_with_params(&format!("http://x{path}"), &[("q", q)])
                    .map(|u| format!("{path}?{}", u.query().unwrap_or("")))
                    .unwrap_or_else(|_| format!("{path}?q=movie"));
                get(url, self.maybe_member(rng), page)
            }
            Kind::Vote => {
                let value = if rng.random_range(0..5) == 0 { 0 } else { 1 };
                let url = if rng.random_bool(0.5) {
                    format!("/api/v1/discussions/{}/vote", self.discussion(rng))
                } else {
                    format!(
                        "/api/v1/comments/{}/vote",
                        rng.random_range(1..=self.comments)
                    )
                };
                Planned {
                    kind,
                    method: Method::POST,
                    url,
                    token: Some(self.member_token(rng)),
                    body: Some(json!({ "value": value })),
                    page: false,
                    special: Special::None,
                }
            }
            Kind::Comment => {
                self.comments_made += 1;
                let text = format!(
                    "{} (peak-hour comment {})",
                    self.sentence(rng),
                    self.comments_made
                );
                Planned {
                    kind,
                    method: Method::POST,
                    url: format!("/api/v1/discussions/{}/comments", self.discussion(rng)),
                    token: Some(self.member_token(rng)),
                    body: Some(json!({ "body": text })),
                    page: false,
                    special: Special::None,
                }
            }
            Kind::Question => {
                self.questions += 1;
                Planned {
                    kind,
                    method: Method::POST,
                    url: format!("/api/v1/sessions/{}/questions", self.session_id),
                    token: Some(self.member_token(rng)),
                    body: Some(json!({ "body": self.sentence(rng) })),
                    page: false,
                    special: Special::Question(self.questions),
                }
            }
            Kind::Upvote => Planned {
                kind,
                method: Method::POST,
                url: String::new(),
                token: Some(self.member_token(rng)),
                body: None,
                page: false,
                special: Special::Upvote(rng.random_range(0..usize::MAX)),
            },
            Kind::SignIn => {
                let n = rng.random_range(1..=self.members);
                Planned {
                    kind,
                    method: Method::POST,
                    url: "/api/v1/auth/login".to_string(),
                    token: None,
                    body: Some(json!({ "login": format!("member{n}"), "password": self.password })),
                    page: false,
                    special: Special::None,
                }
            }
        }
    }
}

/// The marker a question carries: its number and when its POST was sent (µs since the
/// epoch). Letters, digits and colons only, so it survives Markdown and JSON unchanged.
fn marker(n: u64, sent_us: u128) -> String {
    format!("phq:{n}:{sent_us}:")
}

fn parse_marker(data: &str) -> Option<(u64, u64)> {
    let rest = &data[data.find("phq:")? + 4..];
    let mut parts = rest.splitn(3, ':');
    let n = parts.next()?.parse().ok()?;
    let sent = parts.next()?.parse().ok()?;
    Some((n, sent))
}

fn describe(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timeout"
    } else if err.is_connect() {
        "connect"
    } else if err.is_body() || err.is_decode() {
        "body"
    } else {
        "transport"
    };
    let mut text = format!("{kind}: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

fn error_code(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/code")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default()
}

async fn attempt(ctx: &Ctx, plan: &Planned, measured: bool) -> Outcome {
    let Ok(_slot) = ctx.slots.acquire().await else {
        return Outcome::Transport("the request slots closed".into());
    };
    let mut body = plan.body.clone();
    let mut token = plan.token;
    let path = match plan.special {
        Special::Upvote(pick) => {
            let questions = ctx.questions.lock().unwrap_or_else(PoisonError::into_inner);
            let Some(&(id, asker)) = questions.get(pick % questions.len().max(1)) else {
                return Outcome::Transport("no question to upvote".into());
            };
            // Nobody upvotes their own question: the next member does instead.
            if token == Some(asker) {
                token = Some((asker + 1) % ctx.tokens.len().max(1));
            }
            format!("/api/v1/questions/{id}/upvote")
        }
        _ => plan.url.clone(),
    };
    let url = match ctx.url(&path) {
        Ok(u) => u,
        Err(e) => return Outcome::Transport(format!("{e:#}")),
    };
    let mut req = ctx.client.request(plan.method.clone(), url);
    if let Some(t) = token.and_then(|t| ctx.tokens.get(t)) {
        req = req.bearer_auth(t);
    }
    if plan.page {
        req = req.header(ACCEPT, "text/html");
        if let Some(enc) = &ctx.page_encoding {
            req = req.header(ACCEPT_ENCODING, enc.clone());
        }
    }
    if let Special::Question(n) = plan.special {
        let sent = ctx.epoch.elapsed().as_micros();
        let text = body
            .as_ref()
            .and_then(|b| b.get("body"))
            .and_then(Value::as_str)
            .unwrap_or("What is next?");
        body = Some(json!({ "body": format!("{text} ({})", marker(n, sent)) }));
    }
    if let Some(b) = &body {
        req = req.json(b);
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return Outcome::Transport(describe(&e)),
    };
    let status = resp.status();
    let bytes = match resp.bytes().await {
        Ok(b) => b,
        Err(e) => return Outcome::Transport(describe(&e)),
    };
    if status.is_success() {
        if let Special::Question(n) = plan.special {
            let id = serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| v.get("id").and_then(Value::as_i64));
            if let (Some(id), Some(asker)) = (id, token) {
                ctx.questions
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((id, asker));
            }
            if measured {
                ctx.asked_ok
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(n);
            }
        }
        return Outcome::Ok;
    }
    let code = error_code(&bytes);
    let what = format!("{} {}", status.as_u16(), code).trim().to_string();
    if expected(plan.kind, status, &code) {
        Outcome::Expected(what)
    } else {
        Outcome::Http(what)
    }
}

async fn execute(
    ctx: Arc<Ctx>,
    plan: Planned,
    due: Instant,
    measured: bool,
    tx: mpsc::UnboundedSender<Sample>,
) {
    let now = ctx.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
    ctx.in_flight_peak.fetch_max(now, Ordering::Relaxed);
    let outcome = match tokio::time::timeout(ctx.timeout, attempt(&ctx, &plan, measured)).await {
        Ok(outcome) => outcome,
        Err(_) => Outcome::Transport(format!(
            "timeout: no complete answer within {:.1} s",
            ctx.timeout.as_secs_f64()
        )),
    };
    let done = Instant::now();
    ctx.in_flight.fetch_sub(1, Ordering::Relaxed);
    ctx.done.fetch_add(1, Ordering::Relaxed);
    // The collector outlives every request; a send can only fail after it stopped.
    let _ = tx.send(Sample {
        kind: plan.kind,
        measured,
        latency: done.saturating_duration_since(due),
        done_at: done.saturating_duration_since(ctx.epoch),
        outcome,
    });
}

/// What one event stream saw.
#[derive(Debug, Default)]
struct StreamReport {
    /// (question number, delivery latency in µs) of each `question_added` of ours.
    deliveries: Vec<(u64, u64)>,
    events: u64,
    resyncs: u64,
    /// Why the stream ended before the run did, if it did.
    ended: Option<String>,
}

async fn open_stream(client: &Client, url: Url) -> Result<reqwest::Response> {
    let mut resp = client
        .get(url.clone())
        .header(ACCEPT, "text/event-stream")
        .send()
        .await
        .with_context(|| format!("opening {url}"))?;
    if resp.status() != StatusCode::OK {
        bail!("{url} answered {}", resp.status());
    }
    // The first frame (`retry:`) shows the stream is subscribed and flowing.
    let first = tokio::time::timeout(Duration::from_secs(10), resp.chunk())
        .await
        .with_context(|| format!("{url}: no first frame within 10 s"))?
        .with_context(|| format!("reading {url}"))?;
    if first.is_none() {
        bail!("{url} ended at once");
    }
    Ok(resp)
}

async fn hold_stream(
    mut resp: reqwest::Response,
    epoch: Instant,
    mut stop: watch::Receiver<bool>,
) -> StreamReport {
    let mut report = StreamReport::default();
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    loop {
        tokio::select! {
            chunk = resp.chunk() => match chunk {
                Ok(Some(bytes)) => {
                    let arrived = epoch.elapsed().as_micros();
                    buf.extend_from_slice(&bytes);
                    while let Some(end) = buf.windows(2).position(|w| w == b"\n\n") {
                        let frame: Vec<u8> = buf.drain(..end + 2).collect();
                        let frame = String::from_utf8_lossy(&frame);
                        let mut event = "";
                        let mut data = "";
                        for line in frame.lines() {
                            if let Some(v) = line.strip_prefix("event:") {
                                event = v.trim();
                            } else if let Some(v) = line.strip_prefix("data:") {
                                data = v.trim();
                            }
                        }
                        match event {
                            "" => {}
                            "resync" => report.resyncs += 1,
                            "question_added" => {
                                report.events += 1;
                                if let Some((n, sent)) = parse_marker(data) {
                                    let latency = u64::try_from(arrived).unwrap_or(u64::MAX)
                                        .saturating_sub(sent);
                                    report.deliveries.push((n, latency));
                                }
                            }
                            _ => report.events += 1,
                        }
                    }
                }
                Ok(None) => {
                    report.ended = Some("the server ended the stream".into());
                    break;
                }
                Err(e) => {
                    report.ended = Some(describe(&e));
                    break;
                }
            },
            _ = stop.changed() => break,
        }
    }
    report
}

/// Raises the soft open-files limit to `wanted` (up to the hard limit); returns it.
fn raise_open_files(wanted: libc::rlim_t) -> Result<libc::rlim_t> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes into the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        bail!(
            "getrlimit(RLIMIT_NOFILE): {}",
            std::io::Error::last_os_error()
        );
    }
    let current = lim.rlim_cur;
    if current >= wanted {
        return Ok(current);
    }
    let target = wanted.min(lim.rlim_max);
    lim.rlim_cur = target;
    // SAFETY: setrlimit only reads the struct it is given.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
        bail!(
            "setrlimit(RLIMIT_NOFILE, {target}): {}",
            std::io::Error::last_os_error()
        );
    }
    if target < wanted {
        bail!(
            "the open-files limit is {target} (hard limit) but {wanted} are needed: raise it \
             (`ulimit -n {wanted}` as root) or lower --streams / --max-in-flight"
        );
    }
    Ok(target)
}

async fn get_json(client: &Client, url: Url, token: Option<&str>) -> Result<Value> {
    let mut req = client.get(url.clone());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.with_context(|| format!("GET {url}"))?;
    let status = resp.status();
    let text = resp
        .text()
        .await
        .with_context(|| format!("reading GET {url}"))?;
    if !status.is_success() {
        bail!("GET {url} answered {status}: {}", snippet(&text));
    }
    serde_json::from_str(&text).with_context(|| format!("GET {url}: not JSON"))
}

async fn post_json(client: &Client, url: Url, token: &str, body: &Value) -> Result<Value> {
    let resp = client
        .post(url.clone())
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .with_context(|| format!("POST {url}"))?;
    let status = resp.status();
    let text = resp
        .text()
        .await
        .with_context(|| format!("reading POST {url}"))?;
    if !status.is_success() {
        bail!("POST {url} answered {status}: {}", snippet(&text));
    }
    serde_json::from_str(&text).with_context(|| format!("POST {url}: not JSON"))
}

fn snippet(text: &str) -> String {
    text.chars().take(300).collect()
}

fn read_seed(data_dir: &Path) -> Result<(SeedInfo, Vec<String>)> {
    let seed_file = data_dir.join("bench/seed.json");
    let raw = std::fs::read_to_string(&seed_file).with_context(|| {
        format!(
            "reading {} (seed the community first: `quorum seed-bench`)",
            seed_file.display()
        )
    })?;
    let seed: SeedInfo =
        serde_json::from_str(&raw).with_context(|| format!("parsing {}", seed_file.display()))?;
    // The tokens beside seed.json; the path recorded at seed time if the directory moved.
    let local = data_dir.join("bench/tokens.txt");
    let tokens_file = if local.exists() {
        local
    } else {
        seed.tokens_file.clone()
    };
    let tokens: Vec<String> = std::fs::read_to_string(&tokens_file)
        .with_context(|| format!("reading {}", tokens_file.display()))?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if tokens.is_empty() {
        bail!("{} holds no token", tokens_file.display());
    }
    if seed.discussions < 1 || seed.comments < 1 || seed.members < 1 {
        bail!("{}: an empty community", seed_file.display());
    }
    Ok((seed, tokens))
}

/// Words of 4+ letters from the titles, for searches.
fn words_of(titles: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut words = Vec::new();
    for title in titles {
        for w in title.split(|c: char| !c.is_ascii_alphabetic()) {
            let w = w.to_ascii_lowercase();
            if w.len() >= 4 && seen.insert(w.clone()) {
                words.push(w);
            }
        }
    }
    words
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64 / 1000.0
}

#[derive(Debug, Default)]
struct KindStats {
    latencies_us: Vec<u64>,
    ok: u64,
    expected: u64,
    http_errors: u64,
    transport_errors: u64,
    by_answer: BTreeMap<String, u64>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("peak_hour: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn check_args(args: &Args) -> Result<()> {
    let positive = [
        ("--rate", args.rate),
        ("--duration", args.duration),
        ("--timeout", args.timeout),
    ];
    for (name, value) in positive {
        if !(value.is_finite() && value > 0.0) {
            bail!("{name} must be a positive number");
        }
    }
    for (name, value) in [
        ("--warmup", args.warmup),
        ("--delivery-grace", args.delivery_grace),
    ] {
        if !(value.is_finite() && value >= 0.0) {
            bail!("{name} must be zero or more seconds");
        }
    }
    if args.max_in_flight == 0 {
        bail!("--max-in-flight must be at least 1");
    }
    Ok(())
}

/// The one connection pool of the run: requests and held streams alike.
fn http_client(max_in_flight: usize) -> Result<Client> {
    Client::builder()
        // The server (actix-web) closes idle connections after 5 s; ours go first, so a
        // request never lands on a connection the server is closing.
        .pool_max_idle_per_host(max_in_flight)
        .pool_idle_timeout(Duration::from_secs(3))
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("quorum-peak-hour/1")
        .build()
        .context("building the HTTP client")
}

fn join(base: &Url, path: &str) -> Result<Url> {
    base.join(path)
        .with_context(|| format!("joining {path} to {base}"))
}

/// What the setup found or made through the API.
struct Prepared {
    /// (slug, pages of 20 discussions).
    zones: Vec<(String, u64)>,
    host_name: String,
    session_id: i64,
    /// (id, asker's token index) of the question asked before the run.
    first_question: (i64, usize),
    titles: Vec<String>,
    words: Vec<String>,
}

/// A token holder who may open a live session: seed-bench makes every 50th member a
/// leader, and line N of tokens.txt is memberN's.
async fn find_host(client: &Client, base: &Url, tokens: &[String]) -> Result<(usize, String)> {
    let candidates = (50..=tokens.len())
        .step_by(50)
        .chain(1..=tokens.len().min(10));
    for line in candidates {
        let token = &tokens[line - 1];
        let me = get_json(client, join(base, "/api/v1/me")?, Some(token))
            .await
            .with_context(|| format!("checking the token on tokens.txt line {line}"))?;
        let role = me.get("role").and_then(Value::as_str).unwrap_or("member");
        if matches!(role, "leader" | "moderator" | "admin") {
            let name = me.get("username").and_then(Value::as_str).unwrap_or("?");
            return Ok((line - 1, name.to_string()));
        }
    }
    bail!(
        "no leader, moderator or admin among the members with a token (seed-bench makes \
         every 50th member a leader): give one a role, e.g. `quorum set-role member1 leader`"
    )
}

async fn prepare(
    client: &Client,
    base: &Url,
    seed: &SeedInfo,
    tokens: &[String],
    session_length: chrono::Duration,
) -> Result<Prepared> {
    get_json(client, join(base, "/healthz")?, None)
        .await
        .context("the server is not up")?;
    let zones_json = get_json(client, join(base, "/api/v1/zones")?, None).await?;
    let mut zones = Vec::new();
    for z in zones_json
        .get("zones")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let slug = z.get("slug").and_then(Value::as_str).unwrap_or_default();
        let count = z
            .get("discussion_count")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if !slug.is_empty() {
            zones.push((slug.to_string(), count.div_ceil(20).max(1)));
        }
    }
    let Some((first_zone, _)) = zones.first().cloned() else {
        bail!("GET /api/v1/zones lists no zone");
    };

    // A leader opens a live Q&A session; someone asks the first question.
    let (host, host_name) = find_host(client, base, tokens).await?;
    let now = chrono::Utc::now();
    let session = post_json(
        client,
        join(base, &format!("/api/v1/zones/{first_zone}/sessions"))?,
        &tokens[host],
        &json!({
            "title": format!("Peak hour Q&A, {}", now.format("%Y-%m-%d %H:%M:%S UTC")),
            "description": "Opened by the peak-hour load generator (issue #15).",
            "starts_at": now.to_rfc3339(),
            "ends_at": (now + session_length).to_rfc3339(),
        }),
    )
    .await
    .with_context(|| format!("{host_name} opening a live Q&A session in {first_zone}"))?;
    let session_id = session.get("id").and_then(Value::as_i64).ok_or_else(|| {
        anyhow!(
            "the new session has no id: {}",
            snippet(&session.to_string())
        )
    })?;
    let asker = (host + 1) % tokens.len();
    let question = post_json(
        client,
        join(base, &format!("/api/v1/sessions/{session_id}/questions"))?,
        &tokens[asker],
        &json!({ "body": "What should we ask first?" }),
    )
    .await
    .context("asking the first question")?;
    let question_id = question
        .get("id")
        .and_then(Value::as_i64)
        .ok_or_else(|| anyhow!("the first question has no id"))?;
    eprintln!("peak_hour: {host_name} opened live session {session_id} in {first_zone}");

    // Titles (for searches, comments and questions) from the zones' first pages.
    let mut titles = Vec::new();
    for (slug, _) in &zones {
        let path = format!("/api/v1/zones/{slug}/discussions?per_page=100");
        let page = get_json(client, join(base, &path)?, None).await?;
        for d in page
            .get("discussions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(t) = d.get("title").and_then(Value::as_str) {
                titles.push(t.to_string());
            }
        }
    }
    let mut words = words_of(&titles);
    if words.is_empty() {
        words = ["movie", "weekend", "music", "travel", "coffee"]
            .map(str::to_string)
            .to_vec();
    }
    if titles.is_empty() {
        titles.push("What do you think about this".to_string());
    }

    // Every kind of read answers before the load starts: a broken route fails here, not
    // thousands of times.
    for path in [
        format!("/discussions/{}", seed.page_discussion_id),
        format!("/api/v1/discussions/{}", seed.page_discussion_id),
        format!("/zones/{first_zone}"),
        "/members/member1".to_string(),
        "/".to_string(),
        format!("/api/v1/sessions/{session_id}"),
        format!("/api/v1/search?q={}", words[0]),
    ] {
        let url = join(base, &path)?;
        let resp = client
            .get(url.clone())
            .send()
            .await
            .with_context(|| format!("GET {url}"))?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .with_context(|| format!("reading GET {url}"))?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&body);
            bail!("probe GET {url} answered {status}: {}", snippet(&text));
        }
    }
    Ok(Prepared {
        zones,
        host_name,
        session_id,
        first_question: (question_id, asker),
        titles,
        words,
    })
}

/// Opens `n` event streams, 50 at a time.
async fn open_streams(client: &Client, url: &Url, n: usize) -> Result<Vec<reqwest::Response>> {
    let mut responses = Vec::with_capacity(n);
    while responses.len() < n {
        let batch = (n - responses.len()).min(50);
        let mut opening = JoinSet::new();
        for _ in 0..batch {
            let client = client.clone();
            let url = url.clone();
            opening.spawn(async move { open_stream(&client, url).await });
        }
        while let Some(res) = opening.join_next().await {
            responses.push(res.context("a stream-opening task failed")??);
        }
    }
    Ok(responses)
}

/// What the schedule gave.
struct Driven {
    stats: Vec<KindStats>,
    /// When the last measured answer was complete, since the epoch.
    last_done: Duration,
    warmup_requests: u64,
    launched_measured: u64,
    /// How late a measured request was launched, at most.
    max_lag: Duration,
    schedule_end: Duration,
}

/// Launches request i at epoch + i / rate, whatever became of the earlier ones, and
/// collects every answer.
async fn drive(ctx: &Arc<Ctx>, mut planner: Planner, args: &Args) -> Result<Driven> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Sample>();
    let collector = tokio::spawn(async move {
        let mut stats: Vec<KindStats> = MIX.iter().map(|_| KindStats::default()).collect();
        let mut last_done = Duration::ZERO;
        let mut warmup_requests = 0u64;
        while let Some(s) = rx.recv().await {
            if !s.measured {
                warmup_requests += 1;
                continue;
            }
            last_done = last_done.max(s.done_at);
            let k = &mut stats[kind_index(s.kind)];
            k.latencies_us
                .push(u64::try_from(s.latency.as_micros()).unwrap_or(u64::MAX));
            let answer = match s.outcome {
                Outcome::Ok => {
                    k.ok += 1;
                    continue;
                }
                Outcome::Expected(what) => {
                    k.expected += 1;
                    what
                }
                Outcome::Http(what) => {
                    k.http_errors += 1;
                    what
                }
                Outcome::Transport(what) => {
                    k.transport_errors += 1;
                    what
                }
            };
            *k.by_answer.entry(answer).or_default() += 1;
        }
        (stats, last_done, warmup_requests)
    });

    let total = ((args.warmup + args.duration) * args.rate).ceil() as u64;
    let warmup = Duration::from_secs_f64(args.warmup);
    let period = 1.0 / args.rate;
    let mut rng = StdRng::seed_from_u64(args.seed);
    let mut tasks = JoinSet::new();
    let mut max_lag = Duration::ZERO;
    let mut launched_measured = 0u64;
    let mut next_progress = Duration::from_secs(10);
    eprintln!(
        "peak_hour: {} req/s for {} s warm-up + {} s measured ({total} requests)",
        args.rate, args.warmup, args.duration
    );
    for i in 0..total {
        let offset = Duration::from_secs_f64(i as f64 * period);
        let due = ctx.epoch + offset;
        tokio::time::sleep_until(due.into()).await;
        let measured = offset >= warmup;
        if measured {
            launched_measured += 1;
            max_lag = max_lag.max(Instant::now().saturating_duration_since(due));
        }
        let plan = planner.next(&mut rng);
        tasks.spawn(execute(ctx.clone(), plan, due, measured, tx.clone()));
        while tasks.try_join_next().is_some() {}
        if offset >= next_progress {
            eprintln!(
                "peak_hour: t={:>4.0} s launched {:>7} answered {:>7} outstanding {:>4}",
                offset.as_secs_f64(),
                i + 1,
                ctx.done.load(Ordering::Relaxed),
                ctx.in_flight.load(Ordering::Relaxed)
            );
            next_progress += Duration::from_secs(10);
        }
    }
    let schedule_end = ctx.epoch.elapsed();
    while tasks.join_next().await.is_some() {}
    drop(tx);
    let (stats, last_done, warmup_requests) =
        collector.await.context("the result collector failed")?;
    Ok(Driven {
        stats,
        last_done,
        warmup_requests,
        launched_measured,
        max_lag,
        schedule_end,
    })
}

/// Live-event delivery over every stream.
struct Delivery {
    streams: usize,
    questions: usize,
    /// Sorted, µs.
    latencies_us: Vec<u64>,
    expected: u64,
    missing: u64,
    resyncs: u64,
    ended_early: BTreeMap<String, u64>,
}

/// Every measured question answered 201 must reach every stream.
fn delivery(reports: &[StreamReport], asked_ok: &HashSet<u64>) -> Delivery {
    let mut latencies_us = Vec::new();
    let mut ended_early = BTreeMap::<String, u64>::new();
    let mut resyncs = 0;
    for r in reports {
        latencies_us.extend(
            r.deliveries
                .iter()
                .filter(|(n, _)| asked_ok.contains(n))
                .map(|(_, us)| *us),
        );
        resyncs += r.resyncs;
        if let Some(why) = &r.ended {
            *ended_early.entry(why.clone()).or_default() += 1;
        }
    }
    latencies_us.sort_unstable();
    let expected = asked_ok.len() as u64 * reports.len() as u64;
    Delivery {
        streams: reports.len(),
        questions: asked_ok.len(),
        missing: expected.saturating_sub(latencies_us.len() as u64),
        expected,
        latencies_us,
        resyncs,
        ended_early,
    }
}

/// p50, p99 and max in ms of sorted µs.
fn summary(sorted_us: &[u64]) -> (f64, f64, f64) {
    (
        percentile(sorted_us, 0.50),
        percentile(sorted_us, 0.99),
        sorted_us.last().copied().unwrap_or(0) as f64 / 1000.0,
    )
}

struct Finished<'a> {
    args: &'a Args,
    seed: &'a SeedInfo,
    prepared: &'a Prepared,
    ctx: &'a Ctx,
    driven: &'a Driven,
    delivery: &'a Delivery,
    started_at: chrono::DateTime<chrono::Utc>,
}

/// Prints the table and the verdict; writes the JSON when asked.
fn report(f: &Finished<'_>) -> Result<()> {
    let (args, driven, dl) = (f.args, f.driven, f.delivery);
    let warmup = Duration::from_secs_f64(args.warmup);
    let window = driven
        .last_done
        .saturating_sub(warmup)
        .max(Duration::from_secs_f64(args.duration));
    let requests: u64 = driven
        .stats
        .iter()
        .map(|k| k.latencies_us.len() as u64)
        .sum();
    let answered: u64 = driven.stats.iter().map(|k| k.ok + k.expected).sum();
    let achieved_rate = answered as f64 / window.as_secs_f64();
    let sent_rate = driven.launched_measured as f64
        / driven
            .schedule_end
            .saturating_sub(warmup)
            .as_secs_f64()
            .max(f64::EPSILON);
    let max_lag_ms = driven.max_lag.as_secs_f64() * 1000.0;
    let in_flight_peak = f.ctx.in_flight_peak.load(Ordering::Relaxed);

    let mut failures = Vec::new();
    let mut kinds = Vec::new();
    let mut table = format!(
        "{:<26} {:>7} {:>8} {:>8} {:>8} {:>7}  {}\n",
        "kind", "count", "p50 ms", "p99 ms", "max ms", "errors", "other answers"
    );
    for ((_, name, label, share), k) in MIX.iter().zip(&driven.stats) {
        let mut lat = k.latencies_us.clone();
        lat.sort_unstable();
        let (p50, p99, max) = summary(&lat);
        let errors = k.http_errors + k.transport_errors;
        if !lat.is_empty() && p99 >= args.p99_target_ms {
            failures.push(format!(
                "{label}: p99 {p99:.1} ms ≥ {} ms",
                args.p99_target_ms
            ));
        }
        if errors > 0 {
            failures.push(format!("{label}: {errors} errors"));
        }
        let answers: Vec<String> = k
            .by_answer
            .iter()
            .map(|(what, n)| format!("{what} ×{n}"))
            .collect();
        table.push_str(&format!(
            "{label:<26} {:>7} {p50:>8.2} {p99:>8.2} {max:>8.2} {errors:>7}  {}\n",
            lat.len(),
            answers.join(", ")
        ));
        let mean = if lat.is_empty() {
            0.0
        } else {
            lat.iter().sum::<u64>() as f64 / lat.len() as f64 / 1000.0
        };
        kinds.push(json!({
            "kind": name,
            "label": label,
            "share_permille": share,
            "count": lat.len(),
            "ok": k.ok,
            "expected": k.expected,
            "errors": errors,
            "http_errors": k.http_errors,
            "transport_errors": k.transport_errors,
            "answers": k.by_answer,
            "p50_ms": round2(p50),
            "p99_ms": round2(p99),
            "max_ms": round2(max),
            "mean_ms": round2(mean),
            "rate": round2(lat.len() as f64 / args.duration),
        }));
    }
    let (d50, d99, dmax) = summary(&dl.latencies_us);
    let stream_errors: u64 = dl.ended_early.values().sum();
    if dl.streams > 0 {
        table.push_str(&format!(
            "{:<26} {:>7} {d50:>8.2} {d99:>8.2} {dmax:>8.2} {:>7}  {} questions × {} streams; missing {}, resyncs {}\n",
            "live delivery",
            dl.latencies_us.len(),
            dl.missing + stream_errors,
            dl.questions,
            dl.streams,
            dl.missing,
            dl.resyncs,
        ));
        if !dl.latencies_us.is_empty() && d99 >= args.delivery_target_ms {
            failures.push(format!(
                "live delivery: p99 {d99:.1} ms ≥ {} ms",
                args.delivery_target_ms
            ));
        }
        if dl.missing > 0 {
            failures.push(format!(
                "live delivery: {} events never arrived",
                dl.missing
            ));
        }
        if dl.resyncs > 0 {
            failures.push(format!("live delivery: {} resync events", dl.resyncs));
        }
        if stream_errors > 0 {
            failures.push(format!(
                "live delivery: {stream_errors} streams ended early"
            ));
        }
        if dl.questions == 0 {
            failures.push("live delivery: no measured question was asked".into());
        }
    }
    if achieved_rate < 0.95 * args.rate {
        failures.push(format!(
            "answered {achieved_rate:.1} req/s, under 95 % of {}",
            args.rate
        ));
    }
    let pass = failures.is_empty();

    println!(
        "\nPeak hour at {} req/s for {} s (after {} s of warm-up), {} held streams, seed {}",
        args.rate, args.duration, args.warmup, dl.streams, args.seed
    );
    print!("{table}");
    println!(
        "requests: {requests} measured ({} in the warm-up); sent {sent_rate:.1}/s, answered \
         {achieved_rate:.1}/s; schedule lag at most {max_lag_ms:.1} ms; at most \
         {in_flight_peak} outstanding (in flight or waiting for a slot)",
        driven.warmup_requests
    );
    if pass {
        println!(
            "verdict: PASS (every kind p99 < {} ms, delivery p99 < {} ms, no error)",
            args.p99_target_ms, args.delivery_target_ms
        );
    } else {
        println!("verdict: FAIL");
        for failure in &failures {
            println!("  - {failure}");
        }
    }

    let Some(path) = &args.json_out else {
        return Ok(());
    };
    let doc = json!({
        "base_url": args.base_url,
        "started_at": f.started_at.to_rfc3339(),
        "rate": args.rate,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "seed": args.seed,
        "streams": args.streams,
        "timeout_s": args.timeout,
        "max_in_flight": args.max_in_flight,
        "page_encoding": args.page_encoding,
        "community": {
            "discussions": f.seed.discussions,
            "comments": f.seed.comments,
            "members": f.seed.members,
            "tokens": f.ctx.tokens.len(),
            "page_discussion_id": f.seed.page_discussion_id,
        },
        "session_id": f.prepared.session_id,
        "host": f.prepared.host_name,
        "requests": requests,
        "warmup_requests": driven.warmup_requests,
        "sent_rate": round2(sent_rate),
        "achieved_rate": round2(achieved_rate),
        "max_schedule_lag_ms": round2(max_lag_ms),
        "in_flight_peak": in_flight_peak,
        "kinds": kinds,
        "delivery": {
            "streams": dl.streams,
            "questions": dl.questions,
            "expected": dl.expected,
            "received": dl.latencies_us.len(),
            "missing": dl.missing,
            "resyncs": dl.resyncs,
            "streams_ended_early": dl.ended_early,
            "p50_ms": round2(d50),
            "p99_ms": round2(d99),
            "max_ms": round2(dmax),
        },
        "targets": {
            "p99_ms": args.p99_target_ms,
            "delivery_p99_ms": args.delivery_target_ms,
        },
        "pass": pass,
        "failures": failures,
    });
    let text = serde_json::to_string_pretty(&doc).context("serialising the results")?;
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

async fn run(args: Args) -> Result<()> {
    check_args(&args)?;
    let fd_limit = raise_open_files(
        libc::rlim_t::try_from(args.streams + args.max_in_flight + 256)
            .unwrap_or(libc::rlim_t::MAX),
    )?;
    let base = Url::parse(&args.base_url)
        .with_context(|| format!("--base-url {} is not a URL", args.base_url))?;
    let page_encoding = match args.page_encoding.trim() {
        "" => None,
        enc => Some(
            HeaderValue::from_str(enc).context("--page-encoding is not a valid header value")?,
        ),
    };
    let (seed, tokens) = read_seed(&args.data_dir)?;
    let client = http_client(args.max_in_flight)?;
    let started_at = chrono::Utc::now();

    eprintln!("peak_hour: setting up against {base}");
    let run_seconds = args.warmup + args.duration + args.timeout + args.delivery_grace;
    let session_length = chrono::Duration::seconds(run_seconds.ceil() as i64 + 3600);
    let prepared = prepare(&client, &base, &seed, &tokens, session_length).await?;

    let stream_url = join(
        &base,
        &format!("/api/v1/sessions/{}/events", prepared.session_id),
    )?;
    let opening = Instant::now();
    let responses = open_streams(&client, &stream_url, args.streams).await?;
    if args.streams > 0 {
        eprintln!(
            "peak_hour: {} event streams open in {:.1} s (open-files limit {fd_limit})",
            args.streams,
            opening.elapsed().as_secs_f64()
        );
    }
    let epoch = Instant::now();
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut streams = JoinSet::new();
    for resp in responses {
        streams.spawn(hold_stream(resp, epoch, stop_rx.clone()));
    }

    let ctx = Arc::new(Ctx {
        client,
        base,
        tokens,
        page_encoding,
        timeout: Duration::from_secs_f64(args.timeout),
        slots: Semaphore::new(args.max_in_flight),
        epoch,
        questions: Mutex::new(vec![prepared.first_question]),
        asked_ok: Mutex::new(Vec::new()),
        in_flight: AtomicU64::new(0),
        in_flight_peak: AtomicU64::new(0),
        done: AtomicU64::new(0),
    });
    let cumulative = MIX
        .iter()
        .scan(0, |sum, (.., share)| {
            *sum += share;
            Some(*sum)
        })
        .collect();
    let planner = Planner {
        discussions: seed.discussions,
        comments: seed.comments,
        members: seed.members,
        page_discussion_id: seed.page_discussion_id,
        tokens: ctx.tokens.len(),
        password: seed.password.clone(),
        session_id: prepared.session_id,
        zones: prepared.zones.clone(),
        words: prepared.words.clone(),
        sentences: prepared.titles.clone(),
        cumulative,
        questions: 0,
        comments_made: 0,
    };
    let driven = drive(&ctx, planner, &args).await?;

    // Live events still on their way, then the streams' reports.
    tokio::time::sleep(Duration::from_secs_f64(args.delivery_grace)).await;
    // Every stream task holds a receiver until it stops, so the send finds them.
    let _ = stop_tx.send(true);
    let mut reports = Vec::new();
    while let Some(r) = streams.join_next().await {
        reports.push(r.context("a stream task failed")?);
    }
    let asked_ok: HashSet<u64> = ctx
        .asked_ok
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .copied()
        .collect();
    let delivery = delivery(&reports, &asked_ok);
    report(&Finished {
        args: &args,
        seed: &seed,
        prepared: &prepared,
        ctx: &ctx,
        driven: &driven,
        delivery: &delivery,
        started_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_adds_up_to_a_thousand() {
        assert_eq!(MIX.iter().map(|m| m.3).sum::<u32>(), 1000);
    }

    #[test]
    fn markers_round_trip() {
        let data = format!("{{\"body\":\"Why? ({})\"}}", marker(17, 123_456));
        assert_eq!(parse_marker(&data), Some((17, 123_456)));
    }
}
