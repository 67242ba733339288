//! Micro-benchmarks of the hot code behind the pages (issues #8 and #15,
//! docs/benchmarks.md): Markdown rendering and sanitising, thread ordering of 1,000
//! comments, applying a vote to the reputation ledger on a real SQLite file, and reading
//! a 100-comment discussion through the page cache (warm, and cold: rebuilt each time).
//!
//! `cargo bench -p quorum --bench hot_paths` (criterion; HTML reports in
//! target/criterion).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use entity::comment;
use quorum::domain::Post as Target;
use quorum::markdown;
use quorum::services::Actor;
use quorum::services::accounts::{self, NewMember};
use quorum::services::discussions::{self, NewDiscussion};
use quorum::services::votes::{self as reputation, VoteValue};
use quorum::views::posts::thread_order;

/// A short chat message, as most comments in the benchmark corpus are.
const SHORT: &str =
    "Im alright, I just took a nap. But it was one of those naps that doesnt help anything.";

/// A longer comment with most of what members write: emphasis, a list, a link, code,
/// a mention and something the sanitiser has to remove.
const LONG: &str = r#"I like the idea, but **who owns it** day to day? A few thoughts:

1. Start with a *small pilot* in one team, say [support](https://example.com/support).
2. Measure the ticket backlog before and after.
3. Write down what we learn, either way.

> Customers keep asking what's coming next.

Something like this would do for the first report:

```sql
SELECT zone_id, count(*) FROM discussions GROUP BY zone_id;
```

cc @amara, and <script>alert("no")</script> <a href="javascript:alert(1)">nope</a>.
"#;

fn bench_markdown(c: &mut Criterion) {
    let mut group = c.benchmark_group("markdown");
    group.bench_function("render_short_chat_message", |b| {
        b.iter(|| markdown::render(black_box(SHORT)))
    });
    group.bench_function("render_long_comment", |b| {
        b.iter(|| markdown::render(black_box(LONG)))
    });
    group.finish();
}

/// 1,000 comments of one discussion: a third reply to an earlier comment, up to depth 6,
/// in id order as the query returns them.
fn thousand_comments() -> Vec<comment::Model> {
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 8, 0, 0).single().unwrap();
    let mut seed: u64 = 42;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let mut rows: Vec<comment::Model> = Vec::with_capacity(1_000);
    for id in 1..=1_000i32 {
        let (parent_id, depth) = if id > 1 && next(3) == 0 {
            let p = &rows[next(u64::try_from(id - 1).unwrap()) as usize];
            if p.depth < 6 {
                (Some(p.id), p.depth + 1)
            } else {
                (None, 0)
            }
        } else {
            (None, 0)
        };
        let at = start + Duration::seconds(i64::from(id) * 37);
        rows.push(comment::Model {
            id,
            discussion_id: 1,
            parent_id,
            author_id: 1 + (id % 50),
            depth,
            body: SHORT.to_string(),
            body_html: format!("<p>{SHORT}</p>"),
            score: 0,
            recognized: false,
            created_at: at,
            updated_at: at,
            edited_at: None,
            deleted_at: None,
            hidden: false,
            edited_by_moderator: false,
            thread_path: None,
        });
    }
    rows
}

fn bench_thread_order(c: &mut Criterion) {
    let rows = thousand_comments();
    c.bench_function("thread_order_1000_comments", |b| {
        b.iter_batched(
            || rows.clone(),
            |rows| black_box(thread_order(rows)),
            BatchSize::SmallInput,
        )
    });
}

/// `n` confirmed members named `{prefix}{i}`, as actors.
async fn members(db: &sea_orm::DatabaseConnection, prefix: &str, n: usize) -> Vec<Actor> {
    let hasher = quorum::services::passwords::Hasher::new(2);
    let mut actors = Vec::new();
    for i in 0..n {
        let new = NewMember::parse(
            &format!("{prefix}{i}"),
            &format!("{prefix}{i}@example.com"),
            "bench-password-123",
            None,
        )
        .unwrap();
        let m = accounts::create_verified(db, &hasher, new).await.unwrap();
        actors.push(Actor::from_model(&m));
    }
    actors
}

/// One `reputation::vote` through the service on a SQLite file: each iteration toggles a
/// voter's upvote on one discussion (on, off, on, ...), cycling over 50 voters, so every
/// iteration writes the vote row, the ledger events, the score and the cached reputation.
fn bench_vote(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let (db, voters, discussion_id) = rt.block_on(async {
        let db = quorum::db::connect(&url).await.unwrap();
        quorum::db::migrate(&db).await.unwrap();
        let mut actors = members(&db, "voter", 51).await;
        let author = actors.remove(0);
        let d = discussions::create(
            &db,
            "customers",
            &author,
            NewDiscussion::parse("A discussion to vote on", SHORT).unwrap(),
        )
        .await
        .unwrap();
        (db, actors, d.id)
    });
    let mut turn = 0usize;
    c.bench_function("reputation_vote_sqlite", |b| {
        b.iter(|| {
            let voter = &voters[turn % voters.len()];
            // Each voter's votes alternate on/off across its turns.
            let value = if (turn / voters.len()).is_multiple_of(2) {
                1
            } else {
                0
            };
            turn += 1;
            rt.block_on(reputation::vote(
                &db,
                voter,
                Target::Discussion(discussion_id),
                VoteValue::parse(value).unwrap(),
                Utc::now(),
            ))
            .unwrap()
        })
    });
}

/// `discussions::page` for a 100-comment discussion on a SQLite file, as a visitor and
/// signed in: with the page cache warm (one version query, the viewer's votes laid over
/// the copy) and cold (a fresh cache each time: the thread, authors, zone, quizzes and
/// related discussions are read again).
fn bench_thread_cache(c: &mut Criterion) {
    use quorum::services::comments;
    use quorum::services::reads::ReadBuffer;
    use quorum::services::thread_cache::ThreadCache;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let (db, search, reader, id) = rt.block_on(async {
        let db = quorum::db::connect(&url).await.unwrap();
        quorum::db::migrate(&db).await.unwrap();
        let search = quorum::search::open(dir.path(), None, None, "quorum")
            .await
            .unwrap();
        let mut actors = members(&db, "member", 5).await;
        let d = discussions::create(
            &db,
            "customers",
            &actors[0],
            NewDiscussion::parse("A long thread", LONG).unwrap(),
        )
        .await
        .unwrap();
        for i in 0..100 {
            let body = quorum::domain::Body::parse(if i % 3 == 0 { LONG } else { SHORT }).unwrap();
            comments::create(&db, d.id, &actors[1 + i % 4], body, None)
                .await
                .unwrap();
        }
        let reader = actors.pop().unwrap();
        (db, search, reader, d.id)
    });
    let warm = ThreadCache::default();
    let reads = ReadBuffer::default();
    let mut group = c.benchmark_group("discussion_page_100_comments");
    for (label, viewer) in [("visitor", None), ("signed_in", Some(&reader))] {
        group.bench_function(format!("warm_cache_{label}"), |b| {
            b.iter(|| {
                let r = discussions::Reader {
                    db: &db,
                    search: &search,
                    threads: &warm,
                    reads: &reads,
                };
                black_box(rt.block_on(discussions::page(r, id, viewer, None)).unwrap())
            })
        });
        group.bench_function(format!("cold_cache_{label}"), |b| {
            b.iter(|| {
                let cold = ThreadCache::default();
                let r = discussions::Reader {
                    db: &db,
                    search: &search,
                    threads: &cold,
                    reads: &reads,
                };
                black_box(rt.block_on(discussions::page(r, id, viewer, None)).unwrap())
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_markdown,
    bench_thread_order,
    bench_vote,
    bench_thread_cache
);
criterion_main!(benches);
