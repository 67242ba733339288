//! What each command-line command does.

pub mod demo;
pub mod demo_topics;
pub mod import_discourse;
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
    let topics = &demo_topics::TOPICS[..count.min(demo_topics::TOPICS.len())];
    let now = chrono::Utc::now();
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e}");
    let mut started = Vec::new();
    for (i, topic) in topics.iter().enumerate() {
        let author = &actors[topic.by % actors.len()];
        let view = discussions::create(
            &conn,
            topic.zone,
            author,
            NewDiscussion::parse(topic.title, topic.body).map_err(err)?,
        )
        .await
        .map_err(err)?;
        let mut replies: Vec<(i32, &Actor)> = Vec::new();
        for reply in topic.replies {
            let who = &actors[reply.by % actors.len()];
            let parent = reply.to.and_then(|k| replies.get(k)).map(|(id, _)| *id);
            let c = comments::create(
                &conn,
                view.id,
                who,
                Body::parse(reply.text).map_err(err)?,
                parent,
            )
            .await
            .map_err(err)?;
            replies.push((c.id, who));
        }
        // Colleagues upvote the idea and the replies that answer it; leaders now and
        // then recognise a great idea.
        let upvote = |post: Post, voter: &Actor| {
            let conn = &conn;
            let voter = voter.clone();
            async move {
                votes::vote(conn, &voter, post, VoteValue::parse(1).map_err(err)?, now)
                    .await
                    .map_err(err)
            }
        };
        for k in 0..(i * 7 % 11) {
            let voter = &actors[(i + k * 5 + 2) % actors.len()];
            if voter.id != author.id {
                upvote(Post::Discussion(view.id), voter).await?;
            }
        }
        for (r, (id, who)) in replies.iter().enumerate() {
            for k in 0..((i + r) % 4) {
                let voter = &actors[(i + r + k * 3 + 1) % actors.len()];
                if voter.id != who.id {
                    upvote(Post::Comment(*id), voter).await?;
                }
            }
        }
        if i % 7 == 3
            && let Some(leader) = actors
                .iter()
                .find(|a| a.role == Role::Leader && a.id != author.id)
        {
            recognition::recognize(&conn, leader, Post::Discussion(view.id), true, now)
                .await
                .map_err(err)?;
        }
        // Spread over the last weeks, the first topics newest, each thread's replies
        // following its opening post.
        let hours = i64::try_from(i).unwrap_or(0) * 11 + 2;
        backdate(
            &conn,
            view.id,
            &replies,
            now - chrono::Duration::hours(hours),
        )
        .await?;
        started.push(demo::Started {
            id: view.id,
            at: now - chrono::Duration::hours(hours),
            author: author.id,
        });
        bar.inc(1);
    }
    demo::extras(&conn, &actors).await?;
    bar.set_message("insights");
    demo::ideas_and_insights(&conn, &actors, &started).await?;
    bar.finish_with_message("done");
    println!(
        "Seeded {} members, 30 colleagues who read, and {} discussions with replies, votes and ideas. Sign in as any of them (e.g. amara, a leader who sees /insights) with the password {password:?}.",
        PEOPLE.len(),
        topics.len()
    );
    Ok(())
}

/// Dates a demo thread as if it had been written from `start` on: the opening post at
/// `start`, each reply a while after the one before.
async fn backdate(
    conn: &sea_orm::DatabaseConnection,
    discussion: i32,
    replies: &[(i32, &Actor)],
    start: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use entity::vote;
    use entity::{comment, discussion};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    // Votes come an hour after what they are on.
    let votes_on = |kind: &'static str, id: i32, at: chrono::DateTime<chrono::Utc>| {
        vote::Entity::update_many()
            .col_expr(
                vote::Column::CreatedAt,
                Expr::value(at + chrono::Duration::hours(1)),
            )
            .col_expr(
                vote::Column::UpdatedAt,
                Expr::value(at + chrono::Duration::hours(1)),
            )
            .filter(vote::Column::TargetKind.eq(kind))
            .filter(vote::Column::TargetId.eq(id))
            .exec(conn)
    };
    let mut at = start;
    for (n, (id, _)) in replies.iter().enumerate() {
        at += chrono::Duration::minutes(17 + 23 * i64::try_from(n % 5).unwrap_or(0));
        comment::Entity::update_many()
            .col_expr(comment::Column::CreatedAt, Expr::value(at))
            .col_expr(comment::Column::UpdatedAt, Expr::value(at))
            .filter(comment::Column::Id.eq(*id))
            .exec(conn)
            .await?;
        votes_on("comment", *id, at).await?;
    }
    votes_on("discussion", discussion, start).await?;
    discussion::Entity::update_many()
        .col_expr(discussion::Column::CreatedAt, Expr::value(start))
        .col_expr(discussion::Column::UpdatedAt, Expr::value(start))
        .col_expr(discussion::Column::LastActivityAt, Expr::value(at))
        // Read by more people than write: a few dozen, more for the longer threads.
        .col_expr(
            discussion::Column::ViewCount,
            Expr::value(i32::try_from(18 + replies.len() * 11).unwrap_or(0) + discussion * 37 % 53),
        )
        .filter(discussion::Column::Id.eq(discussion))
        .exec(conn)
        .await?;
    // The thread's search documents carry the new dates.
    crate::jobs::search::enqueue(
        conn,
        crate::jobs::search::SearchJob::Thread { id: discussion },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// `quorum ingest-mail`: one message on stdin becomes a comment or a polite bounce.
pub async fn ingest_mail(settings: Settings) -> anyhow::Result<()> {
    use crate::services::inbound_mail::{self, Inbox, IngestError, Outcome};
    use tokio::io::AsyncReadExt;
    let limit = inbound_mail::MAX_BYTES;
    let mut raw = Vec::new();
    let mut stdin = tokio::io::stdin();
    (&mut stdin)
        .take(limit as u64 + 1)
        .read_to_end(&mut raw)
        .await
        .context("reading the message on stdin")?;
    // A larger message is bounced from its headers; the rest is read and dropped so
    // the MTA's pipe does not break.
    tokio::io::copy(&mut stdin, &mut tokio::io::sink()).await?;
    let conn = db::connect(&settings.database_url()).await?;
    db::migrate(&conn).await?;
    let keys = crate::keys::Keys::load(&conn).await?;
    let inbox = Inbox {
        db: &conn,
        key: &keys.replies,
        domain: settings.reply_domain(),
        rate_limits: settings.rate_limits_on(),
        verification: settings.email_verification_on(),
    };
    match inbound_mail::ingest(&inbox, &raw, &[], chrono::Utc::now()).await {
        Ok(Outcome::Posted {
            discussion_id,
            comment_id,
        }) => println!("posted: comment {comment_id} in discussion {discussion_id}"),
        Ok(Outcome::Bounced(why)) => println!("bounced: {why}"),
        Ok(Outcome::Ignored(why)) => println!("dropped: {why}"),
        Ok(Outcome::Repeated) => println!("already handled: this Message-ID came before"),
        Err(IngestError::Unreadable) => anyhow::bail!("the message could not be read as e-mail"),
        Err(IngestError::Failed(e)) => anyhow::bail!("the message could not be handled: {e}"),
    }
    Ok(())
}
