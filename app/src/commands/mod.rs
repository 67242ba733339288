//! What each command-line command does.

pub mod demo;
pub mod seed_bench;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::config::Settings;
use crate::domain::Post;
use crate::domain::{Body, Role};
use crate::services::accounts::{self, NewMember};
use crate::services::discussions::{self, NewDiscussion};
use crate::services::recognition;
use crate::services::votes::{self, VoteValue};
use crate::services::{Actor, comments};
use crate::startup::Application;
use crate::{db, telemetry};

pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    crate::services::passwords::return_big_blocks_to_the_system();
    let app = Application::build(settings.clone()).await?;
    tracing::info!(
        "Quorum is serving on http://{} (data in {})",
        settings.bind.replace(":0", &format!(":{}", app.port())),
        settings.data_dir.display()
    );
    app.run_until_stopped().await.context("serving")
}

pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let conn = db::connect(&settings.database_url()).await?;
    db::migrate(&conn).await?;
    println!("The database is up to date.");
    Ok(())
}

pub async fn set_role(settings: Settings, username: &str, role: &str) -> anyhow::Result<()> {
    let role = Role::parse(role).map_err(|e| anyhow::anyhow!("{e}"))?;
    let conn = db::connect(&settings.database_url()).await?;
    db::migrate(&conn).await?;
    let member = accounts::set_role(&conn, None, username, role)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{} is now {}.", member.username, role.as_str());
    Ok(())
}

/// Prints the audit log (oldest first), from `since` (a date or an RFC 3339 time) on.
pub async fn audit(settings: Settings, since: Option<&str>) -> anyhow::Result<()> {
    let since = match since.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(parse_since(raw)?),
    };
    let conn = db::connect(&settings.database_url()).await?;
    db::migrate(&conn).await?;
    let entries = crate::services::audit::since(&conn, since, 100_000)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if entries.is_empty() {
        println!(
            "The audit log is empty{}.",
            if since.is_some() {
                " for that period"
            } else {
                ""
            }
        );
    }
    for e in entries {
        println!(
            "{}  {:<16} by {:<20} on {:<20} {}",
            e.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
            e.action,
            e.actor.as_deref().unwrap_or("(command line or system)"),
            e.target.as_deref().unwrap_or("-"),
            e.details
        );
    }
    Ok(())
}

fn parse_since(raw: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    crate::services::audit::parse_time(raw)
        .with_context(|| format!("--since {raw}: expected a date (2026-12-01) or an RFC 3339 time"))
}

pub async fn reindex(settings: Settings) -> anyhow::Result<()> {
    let conn = db::connect(&settings.database_url()).await?;
    db::migrate(&conn).await?;
    let engine = match crate::startup::open_search(&settings, false).await {
        Ok(engine) => engine,
        Err(err) => {
            // The embedded index is held by a running server: let its worker rebuild it.
            println!(
                "The search index is in use ({err:#}); asking the running server to rebuild it."
            );
            let ids: Vec<i32> = entity::discussion::Entity::find()
                .all(&conn)
                .await?
                .into_iter()
                .map(|d| d.id)
                .collect();
            let bar = ProgressBar::new(ids.len() as u64);
            for id in ids {
                crate::jobs::search::enqueue(&conn, crate::jobs::search::SearchJob::Thread { id })
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                bar.inc(1);
            }
            bar.finish_and_clear();
            println!("Queued every discussion for reindexing.");
            return Ok(());
        }
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "reindexing [{bar:40.cyan/blue}] {pos}/{len} documents ({eta})",
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .progress_chars("=> "),
    );
    let count = crate::jobs::search::reindex_all(&conn, &engine, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await?;
    bar.finish_and_clear();
    println!(
        "Indexed {count} documents with the {} engine.",
        engine.name()
    );
    Ok(())
}

pub async fn recompute_reputation(settings: Settings) -> anyhow::Result<()> {
    let conn = db::connect(&settings.database_url()).await?;
    db::migrate(&conn).await?;
    let drift = crate::services::ledger::recompute(&conn)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if drift.is_empty() {
        println!("Every member's reputation matches the ledger.");
    } else {
        println!(
            "Fixed {} member(s) whose reputation differed from the ledger:",
            drift.len()
        );
        for d in drift {
            println!("  {}: stored {}, ledger {}", d.username, d.stored, d.ledger);
        }
    }
    Ok(())
}

/// Demo people: username, display name, role.
const PEOPLE: &[(&str, &str, Role)] = &[
    ("amara", "Amara Okafor", Role::Leader),
    ("ben", "Ben Whitfield", Role::Member),
    ("chen", "Chen Wei", Role::Member),
    ("dolores", "Dolores Ruiz", Role::Moderator),
    ("emil", "Emil Lindqvist", Role::Member),
    ("farah", "Farah Haddad", Role::Leader),
    ("gus", "Gus Novak", Role::Member),
    ("hana", "Hana Sato", Role::Member),
    ("ivan", "Ivan Petrov", Role::Member),
    ("joanna", "Joanna Mensah", Role::Admin),
    ("kiri", "Kiri Walker", Role::Member),
    ("lena", "Lena Fischer", Role::Member),
];

const TOPICS: &[(&str, &str, &str)] = &[
    (
        "customers",
        "Should support see the product roadmap?",
        "Customers keep asking our support team what's coming next, and we have nothing to tell them.\n\nWould a **public roadmap** help, or would it set expectations we can't meet?",
    ),
    (
        "customers",
        "Answer every ticket within one working day",
        "We measured it: tickets answered within a day get *twice* the satisfaction score.\n\nWhat would it take to make that our standard?",
    ),
    (
        "customers",
        "Collect customer quotes in one place",
        "Sales, support and product each keep their own notes. A shared page of real customer words would help everyone.",
    ),
    (
        "customers",
        "Onboarding calls for new accounts",
        "A 30-minute call in the first week might save a lot of churn later. Has anyone tried it?",
    ),
    (
        "people",
        "Meeting-free Wednesday afternoons",
        "Deep work needs long blocks. Could we keep Wednesday afternoons free of meetings across the company?",
    ),
    (
        "people",
        "A mentoring circle for new managers",
        "First-time managers learn alone. A monthly circle with experienced leads could change that.",
    ),
    (
        "people",
        "Written decisions, not hallway decisions",
        "Decisions made in corridors leave remote colleagues out. Let's write them down where everyone can find them.",
    ),
    (
        "people",
        "Recognise the quiet work",
        "Some of the most valuable work (reviews, docs, mentoring) is invisible. How do we see it?",
    ),
    (
        "stakeholders",
        "Quarterly results in plain language",
        "Our quarterly report is written for analysts. A one-page version for everyone would help people see the link between their work and results.",
    ),
    (
        "stakeholders",
        "Local suppliers first",
        "Where quality and price are close, could we prefer suppliers from the communities we work in?",
    ),
    (
        "stakeholders",
        "Share our energy use openly",
        "We track it already. Publishing it would keep us honest and might inspire others.",
    ),
    (
        "stakeholders",
        "A partner advisory group",
        "Our biggest partners know things about our market we don't. Should we meet them twice a year?",
    ),
];

const REPLIES: &[&str] = &[
    "Great idea: we tried something similar in my last team and it worked well.",
    "I like it, but who would own this day to day?",
    "+1. Could we start with a small pilot and measure it?",
    "We should ask the people most affected before deciding.",
    "I can help with this. Happy to set up a first draft.",
    "What does success look like after three months?",
    "This came up in our team meeting too, so there's real demand.",
    "Agreed, and let's write down what we learn either way.",
];

pub async fn seed_demo(settings: Settings, count: usize) -> anyhow::Result<()> {
    telemetry::init();
    let conn = db::connect(&settings.database_url()).await?;
    db::migrate(&conn).await?;
    if entity::discussion::Entity::find().count(&conn).await? > 0
        || entity::member::Entity::find().count(&conn).await? > 0
    {
        anyhow::bail!(
            "the community already has members or discussions; seed-demo only fills an empty one"
        );
    }
    let password = "quorum-demo-password";
    let bar = ProgressBar::new((PEOPLE.len() + count) as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40.cyan/blue}] {pos}/{len} ({eta})")
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .progress_chars("=> "),
    );
    bar.set_message("members");
    let mut actors = Vec::new();
    let hasher = crate::services::passwords::Hasher::new(crate::services::passwords::pool_size());
    for (username, name, role) in PEOPLE {
        let new = NewMember::parse(
            username,
            &format!("{username}@example.com"),
            password,
            Some(name),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let member = match accounts::create_verified(&conn, &hasher, new).await {
            Ok(m) => m,
            Err(_) => accounts::find_by_username(&conn, username)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        };
        let member = accounts::set_role(&conn, None, &member.username, *role)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        actors.push(Actor::from_model(&member));
        bar.inc(1);
    }
    bar.set_message("discussions");
    for i in 0..count {
        let (zone, title, body) = TOPICS[i % TOPICS.len()];
        let round = i / TOPICS.len();
        let title = if round == 0 {
            title.to_string()
        } else {
            format!("{title} (round {})", round + 1)
        };
        let author = &actors[i % actors.len()];
        let view = discussions::create(
            &conn,
            zone,
            author,
            NewDiscussion::parse(&title, body).map_err(|e| anyhow::anyhow!("{e}"))?,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut last: Option<i32> = None;
        for r in 0..(i % 5 + 1) {
            let who = &actors[(i + r * 7 + 1) % actors.len()];
            let text = REPLIES[(i + r) % REPLIES.len()];
            // Every other reply answers the one before it, so threads have depth.
            let parent = if r % 2 == 1 { last } else { None };
            let c = comments::create(
                &conn,
                view.id,
                who,
                Body::parse(text).map_err(|e| anyhow::anyhow!("{e}"))?,
                parent,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            last = Some(c.id);
        }
        // A few colleagues upvote it; leaders now and then recognise a great idea.
        for k in 0..(i % 7) {
            let voter = &actors[(i + k * 5 + 2) % actors.len()];
            if voter.id != author.id {
                votes::vote(
                    &conn,
                    voter,
                    Post::Discussion(view.id),
                    VoteValue::parse(1).map_err(|e| anyhow::anyhow!("{e}"))?,
                    chrono::Utc::now(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
        if i % 9 == 4
            && let Some(leader) = actors
                .iter()
                .find(|a| a.role == Role::Leader && a.id != author.id)
        {
            recognition::recognize(
                &conn,
                leader,
                Post::Discussion(view.id),
                true,
                chrono::Utc::now(),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        bar.inc(1);
    }
    demo::extras(&conn, &actors).await?;
    bar.finish_with_message("done");
    println!(
        "Seeded {} members and {count} discussions with replies and votes. Sign in as any of them (e.g. amara) with the password {password:?}.",
        PEOPLE.len()
    );
    Ok(())
}
