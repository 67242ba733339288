//! `quorum seed-bench`: a large, realistic community for the load benchmark (
//! docs/benchmarks.md), written straight into the database in big multi-row inserts
//! inside transactions, not through the services: a million comments take minutes.
//!
//! The text is real: the Chit Chat dataset (PyPI `chitchat-dataset==0.9.0`, MIT), 7,168
//! conversations with 258,145 messages, repeated to reach larger sizes. Each discussion
//! is one conversation (title: its first message cut to ~80 characters, body: its first
//! turn); its comments are the messages that follow, about a third of them replies to an
//! earlier comment (so threads nest). Votes and their reputation ledger rows are written
//! with them, and every member's cached reputation is set from the ledger at the end, so
//! `quorum recompute-reputation` finds nothing to fix.
//!
//! What the benchmark needs to find is written to `DATA_DIR/bench/seed.json`: the
//! discussion with exactly 100 comments (the page benchmark), a discussion nobody has
//! voted on yet (the vote benchmark), and `DATA_DIR/bench/tokens.txt`, one bearer token
//! per line for the members who vote.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{DateTime, Duration, Utc};
use entity::{comment, discussion, discussion_read, member, reputation_event, session, vote, zone};
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};
use serde_json::Value;

use crate::config::Settings;
use crate::domain::PostKind;
use crate::markdown;
use crate::services::ledger::{RULES, kind};

/// The page benchmark's discussion has exactly this many comments.
pub const PAGE_COMMENTS: usize = 100;
/// Password of every seeded member.
pub const PASSWORD: &str = "quorum-bench-password";
const TITLE_CHARS: usize = 80;
/// Rows per INSERT statement (13 columns × 1,000 stays under SQLite's 32,766 variables).
const ROWS_PER_INSERT: usize = 1_000;
/// Discussions per transaction (with their comments, votes and ledger rows).
const DISCUSSIONS_PER_TXN: usize = 1_000;
/// Deepest reply the seed makes (depth 0 is a reply to the discussion).
const MAX_DEPTH: i32 = 6;

#[derive(Debug, Clone)]
pub struct Options {
    pub discussions: usize,
    /// Total comments.
    pub comments: usize,
    pub members: usize,
    /// Members (the first ones) that get a bearer token for the vote benchmark.
    pub tokens: usize,
    /// chitchat_dataset/dataset.json; installed with pip when missing.
    pub corpus: Option<PathBuf>,
    /// Build the search index at the end.
    pub search: bool,
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
}

/// The corpus: every message's text, and where each conversation starts.
struct Corpus {
    messages: Vec<String>,
    /// (first message, number of messages) of each conversation with two or more.
    conversations: Vec<(usize, usize)>,
    /// Rendered HTML per message, filled on first use (the corpus repeats at size).
    html: Vec<Option<String>>,
}

impl Corpus {
    fn load(path: &Path) -> anyhow::Result<Self> {
        let raw =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let json: Value = serde_json::from_str(&raw).context("parsing the chitchat dataset")?;
        let Some(convs) = json.as_object() else {
            bail!("{}: expected an object of conversations", path.display());
        };
        let mut keys: Vec<&String> = convs.keys().collect();
        keys.sort();
        let mut messages = Vec::new();
        let mut conversations = Vec::new();
        for key in keys {
            let start = messages.len();
            let turns = convs
                .get(key)
                .and_then(|c| c.get("messages"))
                .and_then(Value::as_array);
            for turn in turns.into_iter().flatten() {
                for msg in turn.as_array().into_iter().flatten() {
                    let text = msg.get("text").and_then(Value::as_str).unwrap_or("").trim();
                    if !text.is_empty() {
                        messages.push(text.to_string());
                    }
                }
            }
            if messages.len() - start >= 2 {
                conversations.push((start, messages.len() - start));
            } else {
                messages.truncate(start);
            }
        }
        if conversations.is_empty() {
            bail!("{}: no conversations found", path.display());
        }
        let html = vec![None; messages.len()];
        Ok(Self {
            messages,
            conversations,
            html,
        })
    }

    fn text(&self, i: usize) -> &str {
        &self.messages[i % self.messages.len()]
    }

    fn html(&mut self, i: usize) -> String {
        let i = i % self.messages.len();
        if let Some(h) = &self.html[i] {
            return h.clone();
        }
        let h = markdown::render(&self.messages[i]);
        self.html[i] = Some(h.clone());
        h
    }
}

fn title_of(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= TITLE_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(TITLE_CHARS).collect();
    match cut.rfind(char::is_whitespace) {
        Some(i) if i > TITLE_CHARS / 2 => format!("{}…", cut[..i].trim_end()),
        _ => format!("{cut}…"),
    }
}

/// Where the corpus is, installing it with pip when it is missing.
fn corpus_path(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = given {
        return Ok(path.to_path_buf());
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = home.join(".cache/quorum/chitchat");
    let path = dir.join("chitchat_dataset/dataset.json");
    if !path.exists() {
        println!(
            "Installing the Chit Chat corpus (pip chitchat-dataset==0.9.0) into {}",
            dir.display()
        );
        let status = std::process::Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--no-deps", "--target"])
            .arg(&dir)
            .arg("chitchat-dataset==0.9.0")
            .status()
            .context("running python3 -m pip (pass --corpus PATH to use a copy you have)")?;
        if !status.success() || !path.exists() {
            bail!("could not install chitchat-dataset==0.9.0; pass --corpus PATH/dataset.json");
        }
    }
    Ok(path)
}

/// How many comments each discussion gets: `total` in all, `known` exactly
/// [`PAGE_COMMENTS`], the others spread around the mean (±50 %), summing exactly.
fn comment_plan(discussions: usize, total: usize, known: usize, rng: &mut Lcg) -> Vec<usize> {
    let others = discussions - 1;
    let rest = total - PAGE_COMMENTS;
    let mut counts = vec![0usize; discussions];
    let mut slot = 0usize;
    for (i, count) in counts.iter_mut().enumerate() {
        if i == known {
            *count = PAGE_COMMENTS;
            continue;
        }
        *count = rest / others + usize::from(slot < rest % others);
        slot += 1;
    }
    // Move comments between neighbours so sizes vary; sums stay exact.
    let mut i = 0;
    while i + 1 < discussions {
        let (a, b) = (i, i + 1);
        if a != known && b != known {
            let moved = rng.below(counts[a] / 2 + 1);
            counts[a] -= moved;
            counts[b] += moved;
        }
        i += 2;
    }
    counts
}

async fn insert_chunks<A, C>(db: &C, rows: Vec<A>) -> anyhow::Result<()>
where
    A: sea_orm::ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(ROWS_PER_INSERT).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// A progress bar for long command-line work (also `import_discourse`).
pub(crate) fn bar(len: u64, what: &str) -> anyhow::Result<ProgressBar> {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:>12} [{bar:40.cyan/blue}] {human_pos}/{human_len} ({per_sec}, {eta})",
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    Ok(bar)
}

/// What the benchmark script reads back.
#[derive(Debug, serde::Serialize)]
struct SeedInfo {
    discussions: usize,
    comments: usize,
    members: usize,
    votes: usize,
    page_discussion_id: i32,
    page_discussion_comments: usize,
    vote_discussion_id: i32,
    zone_slug: String,
    zone_discussions: usize,
    tokens_file: PathBuf,
    password: &'static str,
    seconds: f64,
}

pub async fn run(settings: Settings, opts: Options) -> anyhow::Result<()> {
    let started = Instant::now();
    if opts.discussions < 2 {
        bail!("--discussions must be at least 2 (one for the page benchmark, one for votes)");
    }
    if opts.comments < PAGE_COMMENTS {
        bail!(
            "at least {PAGE_COMMENTS} comments are needed (one discussion has exactly that many)"
        );
    }
    if opts.members < 100 || opts.tokens >= opts.members {
        bail!("--members must be at least 100 and more than --tokens");
    }
    let (discussions, total_comments, members) = (opts.discussions, opts.comments, opts.members);
    let corpus_file = corpus_path(opts.corpus.as_deref())?;
    let mut corpus = Corpus::load(&corpus_file)?;
    println!(
        "Corpus: {} conversations, {} messages ({})",
        corpus.conversations.len(),
        corpus.messages.len(),
        corpus_file.display()
    );

    let conn = crate::db::connect(&settings.database_url()).await?;
    crate::db::migrate(&conn).await?;
    if discussion::Entity::find().count(&conn).await? > 0
        || member::Entity::find().count(&conn).await? > 0
    {
        bail!(
            "the community already has members or discussions; seed-bench only fills an empty one"
        );
    }
    let zones = zone::Entity::find()
        .filter(zone::Column::Kind.eq(crate::services::zones::DISCUSSIONS))
        .order_by_asc(zone::Column::Position)
        .order_by_asc(zone::Column::Id)
        .all(&conn)
        .await?;
    if zones.is_empty() {
        bail!("no zones: the migrations should have created the three default ones");
    }

    let mut rng = Lcg(8);
    let now = Utc::now();
    // A discussion every five minutes, the last a few days ago: everything happened in
    // the last year or so, as insights look at it (issue #17). Whole seconds, so runs
    // differ only by their start.
    let base: DateTime<Utc> = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
        - Duration::minutes(5 * discussions as i64)
        - Duration::days(3);

    // Members: one password hash for all (argon2 takes tens of milliseconds each).
    let password = crate::domain::Password::parse(PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = crate::services::passwords::Hasher::new(1)
        .hash(&password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let progress = bar(members as u64, "members")?;
    let txn = conn.begin().await?;
    let mut rows = Vec::with_capacity(members);
    for i in 1..=members {
        let role = if i.is_multiple_of(50) {
            "leader"
        } else {
            "member"
        };
        rows.push(member::ActiveModel {
            id: Set(i32::try_from(i)?),
            username: Set(format!("member{i}")),
            email: Set(format!("member{i}@bench.example")),
            display_name: Set(format!("Member {i}")),
            password_hash: Set(hash.clone()),
            role: Set(role.to_string()),
            reputation: Set(1),
            created_at: Set(base - Duration::days(30) + Duration::seconds(i as i64)),
            email_on_discussion_reply: Set(true),
            email_on_comment_reply: Set(true),
            email_on_mention: Set(true),
            digest: Set("never".to_string()),
            last_digest_at: Set(None),
            avatar_version: Set(None),
            email_verified: Set(true),
            oidc_subject: Set(None),
            deleted_at: Set(None),
            ..Default::default()
        });
        progress.inc(1);
    }
    insert_chunks(&txn, rows).await?;

    // Bearer tokens for the vote benchmark (members 1..=tokens).
    let bench_dir = settings.data_dir.join("bench");
    std::fs::create_dir_all(&bench_dir)
        .with_context(|| format!("creating {}", bench_dir.display()))?;
    let tokens_file = bench_dir.join("tokens.txt");
    let mut tokens = String::new();
    let mut rows = Vec::with_capacity(opts.tokens);
    for i in 1..=opts.tokens {
        let token = crate::keys::random_token(32);
        rows.push(session::ActiveModel {
            id: Set(i32::try_from(i)?),
            member_id: Set(i32::try_from(i)?),
            token_hash: Set(crate::keys::hash_token(&token)),
            kind: Set("api".to_string()),
            created_at: Set(now),
            expires_at: Set(now + Duration::days(30)),
            last_used_at: Set(None),
            user_agent: Set(None),
            ip_prefix: Set(None),
        });
        tokens.push_str(&token);
        tokens.push('\n');
    }
    insert_chunks(&txn, rows).await?;
    txn.commit().await?;
    std::fs::write(&tokens_file, tokens)
        .with_context(|| format!("writing {}", tokens_file.display()))?;
    progress.finish_and_clear();
    println!(
        "Members: {members}, {} with a bearer token in {}",
        opts.tokens,
        tokens_file.display()
    );

    // Discussions, comments, votes and ledger rows, a thousand discussions per transaction.
    let known = discussions / 2;
    let vote_target = known + 1;
    let plan = comment_plan(discussions, total_comments, known, &mut rng);
    let progress = bar((discussions + total_comments) as u64, "discussions")?;
    let (mut comment_id, mut vote_id, mut event_id) = (0i32, 0i32, 0i32);
    let mut zone_counts = vec![0usize; zones.len()];
    let voter_of = |author: usize, j: usize| (author + 1 + j * 13) % members + 1;
    for first in (0..discussions).step_by(DISCUSSIONS_PER_TXN) {
        let last = (first + DISCUSSIONS_PER_TXN).min(discussions);
        let mut d_rows = Vec::new();
        let mut c_rows = Vec::new();
        let mut v_rows = Vec::new();
        let mut e_rows = Vec::new();
        let mut r_rows = Vec::new();
        let mut new_vote = |voter: usize,
                            kind_: &str,
                            target: i32,
                            author: usize,
                            value: i32,
                            d_id: i32,
                            c_id: Option<i32>,
                            zone_id: i32,
                            at: DateTime<Utc>|
         -> anyhow::Result<()> {
            vote_id += 1;
            event_id += 1;
            v_rows.push(vote::ActiveModel {
                id: Set(vote_id),
                member_id: Set(i32::try_from(voter)?),
                target_kind: Set(kind_.to_string()),
                target_id: Set(target),
                author_id: Set(i32::try_from(author)?),
                value: Set(value),
                created_at: Set(at),
                updated_at: Set(at),
            });
            let (ev_kind, points, actor) = if value > 0 {
                (
                    kind::UPVOTE_RECEIVED,
                    RULES.upvote_received,
                    Some(i32::try_from(voter)?),
                )
            } else {
                (kind::DOWNVOTE_RECEIVED, RULES.downvote_received, None)
            };
            e_rows.push(reputation_event::ActiveModel {
                id: Set(event_id),
                member_id: Set(i32::try_from(author)?),
                kind: Set(ev_kind.to_string()),
                points: Set(points),
                discussion_id: Set(Some(d_id)),
                comment_id: Set(c_id),
                vote_id: Set(Some(vote_id)),
                actor_id: Set(actor),
                zone_id: Set(Some(zone_id)),
                created_at: Set(at),
            });
            Ok(())
        };
        for (d, &count) in plan.iter().enumerate().take(last).skip(first) {
            let d_id = i32::try_from(d + 1)?;
            let zone_ix = d % zones.len();
            zone_counts[zone_ix] += 1;
            let zone_id = zones[zone_ix].id;
            // The vote benchmark's discussion is by the last member, who holds no token.
            let author = if d == vote_target {
                members
            } else {
                rng.below(members) + 1
            };
            let (conv_start, _) = corpus.conversations[d % corpus.conversations.len()];
            let title = title_of(corpus.text(conv_start));
            // The body: the first message and, in a longer conversation, its answer.
            let body = format!(
                "{}\n\n{}",
                corpus.text(conv_start),
                corpus.text(conv_start + 1)
            );
            let body_html = markdown::render(&body);
            let created = base + Duration::minutes(5 * d as i64);
            // Read by far more members than write in it: 4 to 11 of them, within days.
            let mut readers = std::collections::BTreeSet::new();
            for _ in 0..4 + rng.below(8) {
                readers.insert(rng.below(members) + 1);
            }
            for reader in readers {
                let at = (created + Duration::minutes(30 + rng.below(4 * 24 * 60) as i64)).min(now);
                r_rows.push(discussion_read::ActiveModel {
                    member_id: Set(i32::try_from(reader)?),
                    discussion_id: Set(d_id),
                    read_at: Set(at),
                    ..Default::default()
                });
            }
            let mut last_activity = created;
            let mut depths: Vec<(i32, i32, String)> = Vec::with_capacity(count);
            for k in 0..count {
                comment_id += 1;
                let msg = conv_start + 2 + k;
                let (parent, depth, path) = if k > 0 && rng.below(100) < 35 {
                    let (pid, pdepth, ppath) = &depths[rng.below(k)];
                    if *pdepth < MAX_DEPTH {
                        (
                            Some(*pid),
                            pdepth + 1,
                            crate::views::posts::child_path(Some(ppath), comment_id),
                        )
                    } else {
                        (None, 0, crate::views::posts::child_path(None, comment_id))
                    }
                } else {
                    (None, 0, crate::views::posts::child_path(None, comment_id))
                };
                depths.push((comment_id, depth, path.clone()));
                let at = created + Duration::seconds(37 * (k as i64 + 1));
                last_activity = at;
                let c_author = rng.below(members) + 1;
                // One comment in four has an upvote.
                let mut score = 0;
                if d != vote_target && rng.below(4) == 0 {
                    let voter = voter_of(c_author, 0);
                    new_vote(
                        voter,
                        PostKind::Comment.as_str(),
                        comment_id,
                        c_author,
                        1,
                        d_id,
                        Some(comment_id),
                        zone_id,
                        at + Duration::minutes(3),
                    )?;
                    score = 1;
                }
                c_rows.push(comment::ActiveModel {
                    id: Set(comment_id),
                    discussion_id: Set(d_id),
                    parent_id: Set(parent),
                    thread_path: Set(Some(path)),
                    author_id: Set(i32::try_from(c_author)?),
                    depth: Set(depth),
                    body: Set(corpus.text(msg).to_string()),
                    body_html: Set(corpus.html(msg)),
                    score: Set(score),
                    recognized: Set(false),
                    created_at: Set(at),
                    updated_at: Set(at),
                    edited_at: Set(None),
                    deleted_at: Set(None),
                    ..Default::default()
                });
            }
            // 0–4 votes on each discussion (the fifth voter, when there is one, downvotes).
            let mut score = 0;
            if d != vote_target {
                for j in 0..(d % 6) {
                    let value = if j == 4 { -1 } else { 1 };
                    new_vote(
                        voter_of(author, j),
                        PostKind::Discussion.as_str(),
                        d_id,
                        author,
                        value,
                        d_id,
                        None,
                        zone_id,
                        created + Duration::minutes(10 + j as i64),
                    )?;
                    score += value;
                }
            }
            d_rows.push(discussion::ActiveModel {
                id: Set(d_id),
                zone_id: Set(zone_id),
                author_id: Set(i32::try_from(author)?),
                title: Set(title),
                body: Set(body),
                body_html: Set(body_html),
                score: Set(score),
                comment_count: Set(i32::try_from(count)?),
                view_count: Set(0),
                recognized: Set(false),
                locked: Set(false),
                pinned: Set(false),
                created_at: Set(created),
                updated_at: Set(created),
                edited_at: Set(None),
                last_activity_at: Set(last_activity),
                deleted_at: Set(None),
                ..Default::default()
            });
        }
        let rows_done = (d_rows.len() + c_rows.len()) as u64;
        let txn = conn.begin().await?;
        insert_chunks(&txn, d_rows).await?;
        progress.set_message("comments");
        insert_chunks(&txn, c_rows).await?;
        insert_chunks(&txn, v_rows).await?;
        insert_chunks(&txn, e_rows).await?;
        insert_chunks(&txn, r_rows).await?;
        txn.commit().await?;
        progress.inc(rows_done);
    }
    progress.finish_and_clear();
    println!(
        "Discussions: {discussions}, comments: {comment_id}, votes: {vote_id} ({:.0} s so far)",
        started.elapsed().as_secs_f64()
    );

    // Reputation cache from the ledger, sequences past the explicit ids, planner stats.
    let backend = conn.get_database_backend();
    conn.execute_unprepared(
        "UPDATE members SET points = COALESCE((SELECT SUM(points) FROM reputation_events \
         WHERE reputation_events.member_id = members.id), 0)",
    )
    .await?;
    conn.execute_unprepared(
        "UPDATE members SET reputation = CASE WHEN points < 0 THEN 1 ELSE 1 + points END",
    )
    .await?;
    if backend == DbBackend::Sqlite {
        // Planner statistics, as PostgreSQL gets below.
        conn.execute_unprepared("ANALYZE").await?;
    }
    if backend == DbBackend::Postgres {
        for table in [
            "members",
            "sessions",
            "discussions",
            "comments",
            "votes",
            "reputation_events",
        ] {
            conn.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            ))
            .await?;
        }
    }
    // Planner statistics (PostgreSQL's autovacuum would do this on its own, later; the
    // VACUUM also sets the visibility map that index-only scans need).
    if backend == DbBackend::Postgres {
        conn.execute_unprepared("VACUUM (ANALYZE)").await?;
    } else {
        conn.execute_unprepared("ANALYZE").await?;
    }
    drop(conn);

    if opts.search {
        crate::commands::reindex(settings.clone()).await?;
    } else {
        println!("Search index not built (--no-search): run `quorum reindex` when needed.");
    }

    let info = SeedInfo {
        discussions,
        comments: total_comments,
        members,
        votes: usize::try_from(vote_id)?,
        page_discussion_id: i32::try_from(known + 1)?,
        page_discussion_comments: PAGE_COMMENTS,
        vote_discussion_id: i32::try_from(vote_target + 1)?,
        zone_slug: zones[0].slug.clone(),
        zone_discussions: zone_counts[0],
        tokens_file,
        password: PASSWORD,
        seconds: started.elapsed().as_secs_f64(),
    };
    let info_file = bench_dir.join("seed.json");
    std::fs::write(&info_file, serde_json::to_string_pretty(&info)?)
        .with_context(|| format!("writing {}", info_file.display()))?;
    println!(
        "Seeded in {:.0} s. Page benchmark: /discussions/{} ({PAGE_COMMENTS} comments); vote benchmark: discussion {}; details in {}",
        info.seconds,
        info.page_discussion_id,
        info.vote_discussion_id,
        info_file.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_sums_exactly_and_has_one_known_discussion() {
        let mut rng = Lcg(1);
        for (n, total) in [(2, 100), (100, 1_000), (1_001, 123_457)] {
            let known = n / 2;
            let plan = comment_plan(n, total, known, &mut rng);
            assert_eq!(plan.iter().sum::<usize>(), total);
            assert_eq!(plan[known], PAGE_COMMENTS);
        }
    }

    #[test]
    fn titles_are_cut_at_a_word() {
        let t = title_of(&"word ".repeat(40));
        assert!(t.chars().count() <= TITLE_CHARS + 1);
        assert!(t.ends_with('…'));
    }
}
