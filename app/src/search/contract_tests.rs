//! The behaviour every [`SearchEngine`] must share, as checks generic over [`Search`].
//!
//! Each check clears the engine first, so they must run one at a time on a given engine.
//! `run_contract` runs them all. The embedded engine runs them in temporary directories;
//! Meilisearch runs them only when `MEILI_URL` is set (and `MEILI_API_KEY` if needed) —
//! note that they clear its `quorum` index.

use anyhow::{Context as _, ensure};
use chrono::{DateTime, Duration, TimeZone as _, Utc};

use super::engine::{
    Grouping, Search, SearchDoc, SearchHit, SearchKind, SearchQuery, SearchResults, SortOrder,
    question_key,
};
use crate::domain::Post;

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// A discussion `d-{id}` created `age_min` minutes before the base time.
pub fn discussion(id: i32, title: &str, body: &str, age_min: i64) -> SearchDoc {
    SearchDoc {
        kind: SearchKind::Discussion,
        discussion_id: Some(id),
        comment_id: None,
        session_id: None,
        question_id: None,
        title: title.to_string(),
        body: body.to_string(),
        zone: "general".to_string(),
        author: "alice".to_string(),
        created_at: base_time() - Duration::minutes(age_min),
        score: 0,
        recognized: false,
        idea: None,
    }
}

/// A comment `c-{id}` on discussion `discussion_id`.
pub fn comment(id: i32, discussion_id: i32, title: &str, body: &str, age_min: i64) -> SearchDoc {
    SearchDoc {
        kind: SearchKind::Comment,
        comment_id: Some(id),
        ..discussion(discussion_id, title, body, age_min)
    }
}

/// A question `q-{id}` asked in live session `session_id` (titled `title`).
pub fn question(id: i32, session_id: i32, title: &str, body: &str, age_min: i64) -> SearchDoc {
    SearchDoc {
        kind: SearchKind::Question,
        discussion_id: None,
        comment_id: None,
        session_id: Some(session_id),
        question_id: Some(id),
        ..discussion(0, title, body, age_min)
    }
}

/// A query for every matching post (`group=none`).
fn query(q: &str) -> SearchQuery {
    SearchQuery {
        q: q.to_string(),
        page: 1,
        per_page: 20,
        group: Grouping::None,
        ..SearchQuery::default()
    }
}

/// A query grouped by discussion (the default of the API).
fn grouped(q: &str) -> SearchQuery {
    SearchQuery {
        group: Grouping::Discussion,
        ..query(q)
    }
}

fn hit_id(h: &SearchHit) -> String {
    match (h.kind, h.comment_id, h.question_id) {
        (SearchKind::Comment, Some(c), _) => Post::Comment(c).key(),
        (SearchKind::Question, _, Some(q)) => question_key(q),
        _ => Post::Discussion(h.discussion_id.unwrap_or_default()).key(),
    }
}

fn ids(r: &SearchResults) -> Vec<String> {
    r.hits.iter().map(hit_id).collect()
}

async fn reset(e: &Search, docs: Vec<SearchDoc>) -> anyhow::Result<()> {
    e.clear().await.context("clear")?;
    e.index(docs).await.context("index")
}

async fn find(e: &Search, q: &str) -> anyhow::Result<SearchResults> {
    e.search(&query(q))
        .await
        .with_context(|| format!("searching {q:?}"))
}

/// Asserts the ids found for `q`, in order.
async fn expect_ids(e: &Search, q: &str, expected: &[&str]) -> anyhow::Result<()> {
    let r = find(e, q).await?;
    let got = ids(&r);
    ensure!(
        got == expected,
        "[{}] query {q:?}: expected {expected:?}, got {got:?}",
        e.name()
    );
    ensure!(
        r.total == expected.len() as u64,
        "[{}] query {q:?}: total {} for {} hits",
        e.name(),
        r.total,
        expected.len()
    );
    Ok(())
}

pub async fn check_empty_query(e: &Search) -> anyhow::Result<()> {
    reset(e, vec![discussion(1, "Hello", "world", 0)]).await?;
    for q in ["", "   ", "\t\n", "!!! ---"] {
        expect_ids(e, q, &[]).await?;
    }
    Ok(())
}

pub async fn check_hostile_syntax(e: &Search) -> anyhow::Result<()> {
    reset(
        e,
        vec![discussion(
            1,
            "Collaboration guide",
            "How teams work together",
            0,
        )],
    )
    .await?;
    for q in [
        "title:foo AND (",
        "\"unbalanced",
        "[a TO b}",
        "foo~2 bar^3 *",
        "-",
        "\\",
        "body:* OR NOT )",
        "zone = \"x\" OR 1=1",
        "<script>",
    ] {
        find(e, q).await?;
    }
    // Syntax characters are ignored rather than obeyed.
    expect_ids(e, "\"collaboration\"", &["d-1"]).await?;
    expect_ids(e, "title:collaboration", &[]).await?; // "title" is a word to match
    expect_ids(e, "(collaboration) teams", &["d-1"]).await?;
    Ok(())
}

pub async fn check_and_semantics(e: &Search) -> anyhow::Result<()> {
    reset(
        e,
        vec![
            discussion(1, "Alpha", "beta", 0),
            discussion(2, "Alpha", "gamma", 1),
            discussion(3, "Beta", "gamma delta", 2),
            discussion(4, "Other", "alpha and beta together", 3),
        ],
    )
    .await?;
    // Words may be split between title and body; every word must match somewhere.
    let r = find(e, "alpha beta").await?;
    let mut got = ids(&r);
    got.sort();
    ensure!(got == ["d-1", "d-4"], "[{}] alpha beta: {got:?}", e.name());
    ensure!(r.total == 2, "[{}] alpha beta total {}", e.name(), r.total);
    expect_ids(e, "gamma delta", &["d-3"]).await?;
    expect_ids(e, "alpha delta", &[]).await?;
    Ok(())
}

pub async fn check_case_and_accents(e: &Search) -> anyhow::Result<()> {
    reset(
        e,
        vec![discussion(
            1,
            "Café culture",
            "Ångström units in the NAÏVE model",
            0,
        )],
    )
    .await?;
    expect_ids(e, "CAFE", &["d-1"]).await?;
    expect_ids(e, "café", &["d-1"]).await?;
    expect_ids(e, "angstrom naive", &["d-1"]).await?;
    Ok(())
}

pub async fn check_title_ranking(e: &Search) -> anyhow::Result<()> {
    reset(
        e,
        vec![
            // Newer, and says "kubernetes" many times, but only in the body.
            discussion(1, "Deployments", "kubernetes kubernetes kubernetes", 0),
            // Older, "kubernetes" once in a long title.
            discussion(
                2,
                "Notes on the upgrade plan of our kubernetes clusters for the next quarter",
                "We upgrade the cluster soon, then we review how it went and write it down",
                600,
            ),
            comment(3, 1, "Deployments", "ask about kubernetes", 5),
        ],
    )
    .await?;
    let r = find(e, "kubernetes").await?;
    let got = ids(&r);
    ensure!(
        got.first().map(String::as_str) == Some("d-2") && got.len() == 3,
        "[{}] title match first: {got:?}",
        e.name()
    );
    Ok(())
}

pub async fn check_ties_newest_first(e: &Search) -> anyhow::Result<()> {
    reset(
        e,
        vec![
            discussion(1, "Weekly sync", "notes of the weekly sync", 30),
            discussion(2, "Weekly sync", "notes of the weekly sync", 10),
            discussion(3, "Weekly sync", "notes of the weekly sync", 20),
        ],
    )
    .await?;
    expect_ids(e, "weekly sync", &["d-2", "d-3", "d-1"]).await
}

pub async fn check_prefix_last_word(e: &Search) -> anyhow::Result<()> {
    reset(
        e,
        vec![
            discussion(1, "Collaboration tools", "wikis and chat", 0),
            discussion(2, "Lunch", "collaborative cooking", 1),
        ],
    )
    .await?;
    let r = find(e, "collab").await?;
    let mut got = ids(&r);
    got.sort();
    ensure!(
        got == ["d-1", "d-2"],
        "[{}] prefix collab: {got:?}",
        e.name()
    );
    expect_ids(e, "wikis collaborat", &["d-1"]).await?;
    // Only the last word is a prefix.
    expect_ids(e, "collab tools", &[]).await?;
    expect_ids(e, "tools collab", &["d-1"]).await?;
    Ok(())
}

pub async fn check_typos(e: &Search) -> anyhow::Result<()> {
    reset(
        e,
        vec![
            discussion(
                1,
                "Collaboration",
                "the house by the keyboard and the dashboard",
                0,
            ),
            discussion(2, "Other", "boat", 1),
        ],
    )
    .await?;
    // 13 letters: two typos.
    expect_ids(e, "colaboration", &["d-1"]).await?;
    expect_ids(e, "colaboraiton", &["d-1"]).await?; // missing letter + transposition
    // 5..=8 letters: one typo, not two.
    expect_ids(e, "hoase", &["d-1"]).await?;
    expect_ids(e, "haose", &[]).await?;
    expect_ids(e, "keybaord", &["d-1"]).await?; // transposition counts as one
    expect_ids(e, "keybaqrd", &[]).await?;
    // 9+ letters: two typos, not three.
    expect_ids(e, "dahsboqrd", &["d-1"]).await?;
    expect_ids(e, "dahsbqqrd", &[]).await?;
    // Under 5 letters: no typo.
    expect_ids(e, "teh", &[]).await?;
    expect_ids(e, "bost", &[]).await?;
    expect_ids(e, "boat", &["d-2"]).await?;
    Ok(())
}

pub async fn check_snippets(e: &Search) -> anyhow::Result<()> {
    let filler: Vec<String> = (0..120).map(|i| format!("filler{i}")).collect();
    let long_body = format!(
        "{} the needle is here {}",
        filler[..60].join(" "),
        filler[60..].join(" ")
    );
    reset(
        e,
        vec![
            discussion(
                1,
                "Security review",
                "Beware <script>alert(\"x\")</script> & 'quotes' in collaboration posts",
                0,
            ),
            discussion(2, "Haystack", &long_body, 1),
            discussion(
                3,
                "Quarterly roadmap",
                "First words of the body come here.",
                2,
            ),
        ],
    )
    .await?;

    let name = e.name();
    let check_escaped = |s: &str| -> anyhow::Result<()> {
        let bare = s.replace("<mark>", "").replace("</mark>", "");
        ensure!(
            !bare.contains(['<', '>', '"', '\'']),
            "[{name}] unescaped markup in snippet {s:?}"
        );
        Ok(())
    };

    for q in ["collaboration", "colaboration", "collab"] {
        let r = find(e, q).await?;
        let snippet = r
            .hits
            .first()
            .map(|h| h.snippet.clone())
            .unwrap_or_default();
        check_escaped(&snippet)?;
        ensure!(
            snippet.contains("&lt;script&gt;") && snippet.contains("&amp;"),
            "[{name}] {q:?}: escaped body text expected in {snippet:?}"
        );
        ensure!(
            snippet.contains("<mark>collab"),
            "[{name}] {q:?}: <mark> expected in {snippet:?}"
        );
    }

    let r = find(e, "needle").await?;
    let snippet = r
        .hits
        .first()
        .map(|h| h.snippet.clone())
        .unwrap_or_default();
    check_escaped(&snippet)?;
    let words = snippet.split_whitespace().count();
    ensure!(
        snippet.contains("<mark>needle</mark>")
            && !snippet.contains("filler0 ")
            && !snippet.contains("filler119")
            && (20..=45).contains(&words),
        "[{name}] cropped snippet around the match expected, got {snippet:?}"
    );

    let r = find(e, "roadmap").await?;
    let snippet = r
        .hits
        .first()
        .map(|h| h.snippet.clone())
        .unwrap_or_default();
    ensure!(
        snippet.starts_with("First words of the body") && !snippet.contains("<mark>"),
        "[{name}] title-only match shows the start of the body, got {snippet:?}"
    );
    Ok(())
}

pub async fn check_filters(e: &Search) -> anyhow::Result<()> {
    let mut d1 = discussion(1, "Release notes", "release planning", 0);
    d1.zone = "engineering".to_string();
    d1.author = "bob".to_string();
    let mut c2 = comment(2, 1, "Release notes", "release date?", 1);
    c2.zone = "engineering".to_string();
    c2.author = "carol".to_string();
    let mut d3 = discussion(3, "Release party", "release the balloons", 2);
    d3.zone = "social".to_string();
    d3.author = "bob".to_string();
    d3.recognized = true;
    // Discussion 1 is an idea: its reply carries the status too.
    d1.idea = Some(crate::domain::IdeaStatus::Planned);
    c2.idea = Some(crate::domain::IdeaStatus::Planned);
    reset(e, vec![d1, c2, d3]).await?;

    let run = |zone: Option<&str>, author: Option<&str>, kind: Option<SearchKind>| SearchQuery {
        zone: zone.map(str::to_string),
        author: author.map(str::to_string),
        kind,
        ..query("release")
    };
    let cases: Vec<(SearchQuery, Vec<&str>)> = vec![
        (run(None, None, None), vec!["d-1", "c-2", "d-3"]),
        (run(Some("engineering"), None, None), vec!["d-1", "c-2"]),
        (run(Some("social"), None, None), vec!["d-3"]),
        (run(None, Some("bob"), None), vec!["d-1", "d-3"]),
        (run(None, None, Some(SearchKind::Comment)), vec!["c-2"]),
        (
            run(
                Some("engineering"),
                Some("bob"),
                Some(SearchKind::Discussion),
            ),
            vec!["d-1"],
        ),
        (run(Some("nowhere"), None, None), vec![]),
        (run(Some("engineer"), None, None), vec![]), // exact, no prefix or typo
        (run(Some("\" OR zone = \"social"), None, None), vec![]),
        (
            SearchQuery {
                discussion: Some(1),
                ..run(None, None, None)
            },
            vec!["d-1", "c-2"],
        ),
        (
            SearchQuery {
                recognized: true,
                ..run(None, None, None)
            },
            vec!["d-3"],
        ),
        (
            SearchQuery {
                idea: Some(crate::domain::IdeaStatus::Planned),
                ..run(None, None, None)
            },
            vec!["d-1", "c-2"],
        ),
        (
            SearchQuery {
                idea: Some(crate::domain::IdeaStatus::Adopted),
                ..run(None, None, None)
            },
            vec![],
        ),
        (
            SearchQuery {
                from: Some(base_time() - Duration::minutes(1)),
                ..run(None, None, None)
            },
            vec!["d-1", "c-2"],
        ),
        (
            SearchQuery {
                to: Some(base_time() - Duration::minutes(1)),
                ..run(None, None, None)
            },
            vec!["d-3"],
        ),
        (
            SearchQuery {
                from: Some(base_time() - Duration::minutes(1)),
                to: Some(base_time()),
                ..run(None, None, None)
            },
            vec!["c-2"],
        ),
    ];
    for (q, expected) in cases {
        let r = e.search(&q).await?;
        let mut got = ids(&r);
        got.sort();
        let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        want.sort();
        ensure!(
            got == want && r.total == want.len() as u64,
            "[{}] filters {q:?}: expected {want:?}, got {got:?} (total {})",
            e.name(),
            r.total
        );
    }
    // A hit names its idea's status.
    let r = e.search(&run(Some("engineering"), None, None)).await?;
    ensure!(
        r.hits
            .iter()
            .all(|h| h.idea_status == Some(crate::domain::IdeaStatus::Planned)),
        "[{}] hits of an idea carry its status: {:?}",
        e.name(),
        r.hits
    );
    let r = e.search(&run(Some("social"), None, None)).await?;
    ensure!(
        r.hits.iter().all(|h| h.idea_status.is_none()),
        "[{}] a plain discussion has no idea status",
        e.name()
    );
    Ok(())
}

pub async fn check_paging(e: &Search) -> anyhow::Result<()> {
    let mut docs: Vec<SearchDoc> = (1..=25)
        .map(|i| discussion(i, "Standup", "daily standup notes", i64::from(i)))
        .collect();
    docs.push(discussion(100, "Unrelated", "nothing to see", 0));
    reset(e, docs).await?;
    let page = |page: u64| SearchQuery {
        page,
        per_page: 10,
        ..query("standup")
    };
    let mut seen = Vec::new();
    for (p, len) in [(1, 10), (2, 10), (3, 5), (4, 0)] {
        let r = e.search(&page(p)).await?;
        ensure!(
            r.hits.len() == len && r.total == 25,
            "[{}] page {p}: {} hits, total {}",
            e.name(),
            r.hits.len(),
            r.total
        );
        seen.extend(ids(&r));
    }
    // Same text everywhere: newest first, i.e. d-1 .. d-25, no duplicates across pages.
    let expected: Vec<String> = (1..=25).map(|i| format!("d-{i}")).collect();
    ensure!(seen == expected, "[{}] paging order: {seen:?}", e.name());
    Ok(())
}

pub async fn check_upsert_replaces(e: &Search) -> anyhow::Result<()> {
    reset(
        e,
        vec![
            discussion(1, "Original title", "pineapple pizza", 0),
            comment(7, 1, "Original title", "mango smoothie", 1),
        ],
    )
    .await?;
    expect_ids(e, "pineapple", &["d-1"]).await?;
    e.index(vec![
        discussion(1, "Edited title", "banana bread", 0),
        comment(7, 1, "Edited title", "kiwi salad", 1),
    ])
    .await?;
    expect_ids(e, "pineapple", &[]).await?;
    expect_ids(e, "mango", &[]).await?;
    expect_ids(e, "banana", &["d-1"]).await?;
    expect_ids(e, "kiwi", &["c-7"]).await?;
    // The reply is not found by its discussion's title, but carries the new one.
    expect_ids(e, "edited", &["d-1"]).await?;
    let r = find(e, "kiwi").await?;
    ensure!(
        r.hits.iter().all(|h| h.title == "Edited title"),
        "[{}] upsert: {:?}",
        e.name(),
        r.hits
    );
    Ok(())
}

pub async fn check_remove_and_clear(e: &Search) -> anyhow::Result<()> {
    reset(
        e,
        vec![
            discussion(1, "Retro", "sprint retrospective", 0),
            comment(2, 1, "Retro", "retrospective actions", 1),
            discussion(3, "Planning", "sprint planning", 2),
        ],
    )
    .await?;
    e.remove(vec!["c-2".to_string(), "c-999".to_string()])
        .await?;
    expect_ids(e, "retrospective", &["d-1"]).await?;
    e.remove(Vec::new()).await?;
    e.clear().await?;
    expect_ids(e, "sprint", &[]).await?;
    Ok(())
}

pub async fn check_hit_fields(e: &Search) -> anyhow::Result<()> {
    let mut c = comment(42, 9, "Budget thread", "approved budget", 3);
    c.zone = "finance".to_string();
    c.author = "dave".to_string();
    c.score = 17;
    reset(e, vec![c.clone()]).await?;
    let r = find(e, "budget").await?;
    let h = r.hits.first().context("one hit expected")?;
    ensure!(
        h.kind == SearchKind::Comment
            && h.discussion_id == Some(9)
            && h.comment_id == Some(42)
            && h.session_id.is_none()
            && h.question_id.is_none()
            && h.title == "Budget thread"
            && h.zone == "finance"
            && h.author.as_deref() == Some("dave")
            && h.created_at == c.created_at
            && h.score == 17
            && h.title_html == "<mark>Budget</mark> thread"
            && h.matches == 1,
        "[{}] hit fields: {h:?}",
        e.name()
    );
    e.health().await?;
    Ok(())
}

/// A reply matches on its own text: the discussion's title counts toward the
/// discussion only, so a search for a title finds the discussion, not every reply.
pub async fn check_replies_not_found_by_title(e: &Search) -> anyhow::Result<()> {
    reset(
        e,
        vec![
            discussion(
                1,
                "Onboarding checklist",
                "What should a new starter get?",
                10,
            ),
            comment(2, 1, "Onboarding checklist", "I can help with this.", 5),
            comment(
                3,
                1,
                "Onboarding checklist",
                "Happy to set up a first draft.",
                1,
            ),
        ],
    )
    .await?;
    expect_ids(e, "onbording", &["d-1"]).await?;
    expect_ids(e, "onboarding draft", &[]).await?;
    expect_ids(e, "first draft", &["c-3"]).await?;
    Ok(())
}

/// One hit per discussion: its best matching post, how many of its posts match, its
/// title marked; paging and `total` count discussions.
pub async fn check_grouped(e: &Search) -> anyhow::Result<()> {
    reset(
        e,
        vec![
            discussion(
                1,
                "Coffee machine",
                "The machine on floor two is broken",
                30,
            ),
            comment(11, 1, "Coffee machine", "The coffee is cold again", 20),
            comment(
                12,
                1,
                "Coffee machine",
                "More coffee please, any coffee",
                10,
            ),
            discussion(2, "Tea corner", "Tea or coffee for the visitors?", 40),
            comment(21, 2, "Tea corner", "Green tea, please", 5),
            discussion(3, "Lunch", "Sandwiches on Friday", 0),
        ],
    )
    .await?;
    let name = e.name();
    let r = e.search(&grouped("coffee")).await?;
    let got: Vec<(String, u64)> = r.hits.iter().map(|h| (hit_id(h), h.matches)).collect();
    ensure!(
        got == [("d-1".to_string(), 3), ("d-2".to_string(), 1)] && r.total == 2,
        "[{name}] grouped coffee: {got:?}, total {}",
        r.total
    );
    let first = r.hits.first().context("a hit")?;
    ensure!(
        first.title_html == "<mark>Coffee</mark> machine",
        "[{name}] title_html {:?}",
        first.title_html
    );
    // The best post of a discussion can be a reply; its discussion's title is shown.
    let r = e.search(&grouped("cold")).await?;
    let hit = r.hits.first().context("a hit for cold")?;
    ensure!(
        r.total == 1
            && hit_id(hit) == "c-11"
            && hit.discussion_id == Some(1)
            && hit.title == "Coffee machine"
            && hit.title_html == "Coffee machine"
            && hit.snippet.contains("<mark>cold</mark>"),
        "[{name}] grouped cold: {hit:?}"
    );
    // Pages count discussions.
    let page_two = SearchQuery {
        page: 2,
        per_page: 1,
        ..grouped("coffee")
    };
    let r = e.search(&page_two).await?;
    ensure!(
        ids(&r) == ["d-2"] && r.total == 2,
        "[{name}] grouped page 2: {:?}, total {}",
        ids(&r),
        r.total
    );
    // Within one discussion, every matching post, the best first.
    let within = SearchQuery {
        discussion: Some(1),
        ..query("coffee")
    };
    let r = e.search(&within).await?;
    ensure!(
        ids(&r) == ["d-1", "c-12", "c-11"],
        "[{name}] within discussion 1: {:?}",
        ids(&r)
    );
    Ok(())
}

/// Live questions: found by their text and answer (not by their session's title),
/// grouped by session apart from discussions with the same number, filtered by kind and
/// session; an anonymous question names nobody and no author filter finds it.
pub async fn check_questions(e: &Search) -> anyhow::Result<()> {
    let mut anonymous = question(
        7,
        3,
        "Town hall",
        "Will the parking garage reopen? Yes, in March.",
        10,
    );
    anonymous.author = String::new();
    let mut upvoted = question(8, 3, "Town hall", "When does the garage open?", 20);
    upvoted.score = 4;
    reset(
        e,
        vec![
            anonymous,
            upvoted,
            question(9, 4, "Town hall", "Garage fees next year?", 5),
            discussion(3, "Garage", "The garage by the river", 30),
            comment(31, 3, "Garage", "The garage is full by nine", 1),
        ],
    )
    .await?;
    let name = e.name();
    // Grouped: the discussion and each session apart, though discussion 3 and session 3
    // share a number.
    let r = e.search(&grouped("garage")).await?;
    let mut got: Vec<(String, u64)> = r.hits.iter().map(|h| (hit_id(h), h.matches)).collect();
    got.sort();
    ensure!(
        got == [
            ("d-3".to_string(), 2),
            ("q-8".to_string(), 2),
            ("q-9".to_string(), 1)
        ] && r.total == 3,
        "[{name}] grouped garage: {got:?}, total {}",
        r.total
    );
    let q8 = r
        .hits
        .iter()
        .find(|h| hit_id(h) == "q-8")
        .context("q-8 is a hit")?;
    ensure!(
        q8.kind == SearchKind::Question
            && q8.discussion_id.is_none()
            && q8.session_id == Some(3)
            && q8.title == "Town hall"
            && q8.score == 4,
        "[{name}] question hit: {q8:?}"
    );
    // The answer is found; the anonymous asker is not named.
    let r = e.search(&query("march")).await?;
    let hit = r.hits.first().context("a hit for march")?;
    ensure!(
        ids(&r) == ["q-7"] && hit.author.is_none() && hit.snippet.contains("<mark>March</mark>"),
        "[{name}] answer search: {r:?}"
    );
    // The session's title is not searchable on its questions.
    expect_ids(e, "town hall", &[]).await?;
    // Kind, session and author filters.
    let kind = SearchQuery {
        kind: Some(SearchKind::Question),
        ..query("garage")
    };
    let r = e.search(&kind).await?;
    ensure!(
        r.total == 3 && r.hits.iter().all(|h| h.kind == SearchKind::Question),
        "[{name}] kind=question: {:?}",
        ids(&r)
    );
    let session = SearchQuery {
        session: Some(3),
        ..query("garage")
    };
    let r = e.search(&session).await?;
    ensure!(
        ids(&r) == ["q-8", "q-7"],
        "[{name}] session 3: {:?}",
        ids(&r)
    );
    let discussion = SearchQuery {
        discussion: Some(3),
        ..query("garage")
    };
    let r = e.search(&discussion).await?;
    ensure!(
        ids(&r) == ["d-3", "c-31"],
        "[{name}] discussion 3: {:?}",
        ids(&r)
    );
    let by_alice = SearchQuery {
        author: Some("alice".to_string()),
        kind: Some(SearchKind::Question),
        ..query("garage")
    };
    let r = e.search(&by_alice).await?;
    let mut got = ids(&r);
    got.sort();
    ensure!(got == ["q-8", "q-9"], "[{name}] alice's questions: {got:?}");
    let both = SearchQuery {
        discussion: Some(3),
        session: Some(3),
        ..query("garage")
    };
    let r = e.search(&both).await?;
    ensure!(
        r.total == 0,
        "[{name}] discussion and session: {:?}",
        ids(&r)
    );
    e.remove(vec![question_key(8)]).await?;
    let r = e.search(&session).await?;
    ensure!(ids(&r) == ["q-7"], "[{name}] after removal: {:?}", ids(&r));
    Ok(())
}

/// The ranking rules in order, each deciding one case against recency: fewer typos,
/// words closer together, title before body, exact before prefix, votes, recognition.
pub async fn check_ranking_rules(e: &Search) -> anyhow::Result<()> {
    let name = e.name();
    // Each case: the documents (the one that should win is older), the query.
    let mut voted = discussion(1, "Notes", "quarterly budget review", 10);
    voted.score = 5;
    let mut recognized = discussion(1, "Notes", "quarterly budget review", 10);
    recognized.recognized = true;
    let cases: Vec<(&str, Vec<SearchDoc>, &str)> = vec![
        (
            "typo",
            vec![
                discussion(1, "Notes", "dashboard review", 10),
                discussion(2, "Notes", "dashbord review", 0),
            ],
            "dashboard",
        ),
        (
            "proximity",
            vec![
                discussion(1, "Notes", "release plan for march", 10),
                discussion(2, "Notes", "release notes and the march plan", 0),
            ],
            "release plan",
        ),
        (
            "attribute",
            vec![
                discussion(1, "Budget", "numbers for review", 10),
                discussion(2, "Numbers", "budget for review", 0),
            ],
            "budget",
        ),
        (
            "exactness",
            vec![
                discussion(1, "Notes", "plan for review", 10),
                discussion(2, "Notes", "planning for review", 0),
            ],
            "plan",
        ),
        (
            "votes",
            vec![voted, discussion(2, "Notes", "quarterly budget review", 0)],
            "budget",
        ),
        (
            "recognition",
            vec![
                recognized,
                discussion(2, "Notes", "quarterly budget review", 0),
            ],
            "budget",
        ),
        (
            "recency",
            vec![
                discussion(1, "Notes", "quarterly budget review", 0),
                discussion(2, "Notes", "quarterly budget review", 10),
            ],
            "budget",
        ),
    ];
    for (rule, docs, q) in cases {
        reset(e, docs).await?;
        let r = find(e, q).await?;
        ensure!(
            ids(&r) == ["d-1", "d-2"],
            "[{name}] {rule} should decide {q:?}: got {:?}",
            ids(&r)
        );
    }
    // Sorting by date or votes overrides relevance.
    let mut popular = discussion(3, "Notes", "budget later", 20);
    popular.score = 9;
    reset(
        e,
        vec![
            discussion(1, "Budget", "budget", 10),
            discussion(2, "Notes", "budget now", 0),
            popular,
        ],
    )
    .await?;
    for (sort, expected) in [
        (SortOrder::Relevance, ["d-1", "d-3", "d-2"]),
        (SortOrder::Newest, ["d-2", "d-1", "d-3"]),
        (SortOrder::Votes, ["d-3", "d-1", "d-2"]),
    ] {
        let r = e
            .search(&SearchQuery {
                sort,
                ..query("budget")
            })
            .await?;
        ensure!(
            ids(&r) == expected,
            "[{name}] sort {}: got {:?}",
            sort.as_str(),
            ids(&r)
        );
    }
    Ok(())
}

/// A rebuild fills a new index while the old one keeps answering, then swaps it in.
pub async fn check_rebuild_swaps(e: &Search) -> anyhow::Result<()> {
    reset(
        e,
        vec![discussion(1, "Old harbour", "the old harbour walk", 0)],
    )
    .await?;
    let mut rebuild = e.rebuild().await?;
    rebuild
        .index(vec![discussion(
            2,
            "New harbour",
            "the new harbour walk",
            0,
        )])
        .await?;
    // Still the live index until the swap.
    expect_ids(e, "harbour", &["d-1"]).await?;
    rebuild.finish().await?;
    expect_ids(e, "harbour", &["d-2"]).await?;
    // Writes go to the new index from now on.
    e.index(vec![discussion(3, "Harbour tours", "boats", 0)])
        .await?;
    let r = find(e, "harbour").await?;
    let mut got = ids(&r);
    got.sort();
    ensure!(
        got == ["d-2", "d-3"],
        "[{}] after the swap: {got:?}",
        e.name()
    );
    Ok(())
}

/// Runs every check, one after the other, on one engine.
pub async fn run_contract(e: &Search) -> anyhow::Result<()> {
    check_empty_query(e).await?;
    check_hostile_syntax(e).await?;
    check_and_semantics(e).await?;
    check_case_and_accents(e).await?;
    check_title_ranking(e).await?;
    check_ties_newest_first(e).await?;
    check_prefix_last_word(e).await?;
    check_typos(e).await?;
    check_snippets(e).await?;
    check_filters(e).await?;
    check_paging(e).await?;
    check_upsert_replaces(e).await?;
    check_remove_and_clear(e).await?;
    check_hit_fields(e).await?;
    check_replies_not_found_by_title(e).await?;
    check_grouped(e).await?;
    check_questions(e).await?;
    check_ranking_rules(e).await?;
    check_rebuild_swaps(e).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn embedded() -> anyhow::Result<(tempfile::TempDir, Search)> {
        let dir = tempfile::tempdir()?;
        let engine = crate::search::open(dir.path(), None, None, "quorum").await?;
        anyhow::ensure!(engine.name() == "embedded");
        Ok((dir, engine))
    }

    macro_rules! embedded_checks {
        ($($check:ident),* $(,)?) => {
            $(
                #[tokio::test]
                async fn $check() -> anyhow::Result<()> {
                    let (_dir, e) = embedded().await?;
                    super::$check(&e).await
                }
            )*
        };
    }

    mod embedded_engine {
        use super::embedded;

        embedded_checks!(
            check_empty_query,
            check_hostile_syntax,
            check_and_semantics,
            check_case_and_accents,
            check_title_ranking,
            check_ties_newest_first,
            check_prefix_last_word,
            check_typos,
            check_snippets,
            check_filters,
            check_paging,
            check_upsert_replaces,
            check_remove_and_clear,
            check_hit_fields,
            check_replies_not_found_by_title,
            check_grouped,
            check_questions,
            check_ranking_rules,
            check_rebuild_swaps,
        );
    }

    #[tokio::test]
    async fn embedded_full_contract_and_reopen() -> anyhow::Result<()> {
        let (dir, e) = embedded().await?;
        run_contract(&e).await?;
        e.index(vec![discussion(
            5,
            "Persisted",
            "still here after reopen",
            0,
        )])
        .await?;
        drop(e);
        // Reopened, it is the rebuilt generation that answers, with what came after.
        let e = crate::search::open(dir.path(), None, None, "quorum").await?;
        expect_ids(&e, "persisted", &["d-5"]).await?;
        let mut got = ids(&find(&e, "harbour").await?);
        got.sort();
        ensure!(got == ["d-2", "d-3"], "after reopening: {got:?}");
        let generations = std::fs::read_dir(dir.path().join("search"))?
            .flatten()
            .filter(|entry| entry.path().is_dir())
            .count();
        ensure!(
            generations == 1,
            "old generations are removed: {generations}"
        );
        Ok(())
    }

    /// Only a generation a rebuild filled counts as complete: one that is new, or whose
    /// rebuild was cut short, asks to be rebuilt at the next start.
    #[tokio::test]
    async fn embedded_asks_for_a_rebuild_until_one_finishes() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let e = crate::search::open(dir.path(), None, None, "quorum").await?;
        ensure!(e.needs_rebuild(), "a new index asks to be built");
        e.index(vec![discussion(1, "Kept", "served meanwhile", 0)])
            .await?;
        drop(e);
        let e = crate::search::open(dir.path(), None, None, "quorum").await?;
        ensure!(e.needs_rebuild(), "still not built from the database");
        expect_ids(&e, "kept", &["d-1"]).await?;
        // A rebuild cut short (dropped before it finished) changes nothing.
        let mut cut = e.rebuild().await?;
        cut.index(vec![discussion(2, "Half", "never finished", 0)])
            .await?;
        drop(cut);
        expect_ids(&e, "kept", &["d-1"]).await?;
        let mut rebuild = e.rebuild().await?;
        rebuild
            .index(vec![discussion(1, "Kept", "served meanwhile", 0)])
            .await?;
        rebuild.finish().await?;
        drop(e);
        let e = crate::search::open(dir.path(), None, None, "quorum").await?;
        ensure!(!e.needs_rebuild(), "a finished rebuild is complete");
        expect_ids(&e, "kept", &["d-1"]).await?;
        expect_ids(&e, "half", &[]).await?;
        Ok(())
    }

    #[tokio::test]
    async fn embedded_recreates_index_of_another_version() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let e = crate::search::open(dir.path(), None, None, "quorum").await?;
        e.index(vec![discussion(1, "Old", "old schema", 0)]).await?;
        drop(e);
        let root = dir.path().join("search");
        let current = std::fs::read_to_string(root.join("current"))?;
        std::fs::write(
            root.join(current.trim()).join("quorum-search.version"),
            "quorum-search-0",
        )?;
        let e = crate::search::open(dir.path(), None, None, "quorum").await?;
        expect_ids(&e, "old", &[]).await?;
        e.index(vec![discussion(2, "New", "new schema", 0)]).await?;
        expect_ids(&e, "new", &["d-2"]).await?;
        Ok(())
    }

    /// Runs the whole contract against a live Meilisearch when `MEILI_URL` is set.
    /// It clears the `quorum` index there.
    #[tokio::test]
    async fn meilisearch_contract() -> anyhow::Result<()> {
        let Ok(url) = std::env::var("MEILI_URL") else {
            println!("MEILI_URL not set: skipping the Meilisearch contract tests");
            return Ok(());
        };
        let key = std::env::var("MEILI_API_KEY").ok();
        let dir = tempfile::tempdir()?;
        let e = crate::search::open(dir.path(), Some(&url), key.as_deref(), "quorum").await?;
        anyhow::ensure!(e.name() == "meilisearch");
        run_contract(&e).await
    }
}
