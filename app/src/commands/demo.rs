//! The parts of the demo community beyond discussions: a live Q&A session (one question
//! answered, one waiting), a poll, a quiz and two leadership updates — so `seed-demo`
//! shows every page.

use chrono::{Duration, Utc};

use crate::domain::Role;
use crate::live::LiveHub;
use crate::services::live::questions::{self, Change};
use crate::services::live::{self, NewSession, Text, sessions};
use crate::services::polls::NewPoll;
use crate::services::quizzes::{self, NewQuestion, NewQuiz};
use crate::services::updates::{self, NewUpdate};
use crate::services::{Actor, discussions, polls};

fn err(e: crate::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

pub async fn extras(conn: &sea_orm::DatabaseConnection, actors: &[Actor]) -> anyhow::Result<()> {
    let Some(leader) = actors.iter().find(|a| a.role == Role::Leader) else {
        return Ok(());
    };
    let members: Vec<&Actor> = actors.iter().filter(|a| a.id != leader.id).collect();
    let hub = LiveHub::new(sea_orm::ConnectionTrait::get_database_backend(conn));
    let now = Utc::now();
    let session = sessions::create(
        conn,
        "people",
        leader,
        NewSession::parse(
            "Ask the leadership team anything",
            Some("Our monthly open Q&A. Ask ahead, upvote what matters to you."),
            &(now - Duration::minutes(10)).to_rfc3339(),
            &(now + Duration::days(2)).to_rfc3339(),
            None,
        )
        .map_err(err)?,
    )
    .await
    .map_err(err)?;
    let questions = [
        "How do we decide which ideas get funded?",
        "Will hybrid work stay as it is next year?",
        "What is the one thing you want us to stop doing?",
    ];
    let mut asked = Vec::new();
    for (i, body) in questions.iter().enumerate() {
        if let Some(who) = members.get(i) {
            let q = questions::ask(
                conn,
                &hub,
                session.session.id,
                who,
                Text::parse("body", body, live::QUESTION_MAX).map_err(err)?,
                i == 2,
            )
            .await
            .map_err(err)?;
            asked.push(q.id);
        }
    }
    for (i, voter) in members.iter().enumerate().skip(3).take(4) {
        if let Some(&q) = asked.get(i % 2) {
            questions::toggle_upvote(conn, &hub, q, voter)
                .await
                .map_err(err)?;
        }
    }
    if let Some(&first) = asked.first() {
        questions::change(
            conn,
            &hub,
            first,
            leader,
            Change::Answer(
                Text::parse(
                    "body",
                    "Every idea with a **Great Idea** mark gets a review within a month; we publish the decisions.",
                    live::ANSWER_MAX,
                )
                .map_err(err)?,
            ),
        )
        .await
        .map_err(err)?;
    }

    let latest = discussions::latest(conn, 1).await.map_err(err)?;
    if let Some(d) = latest.first() {
        let author = actors
            .iter()
            .find(|a| a.username == d.author.username)
            .unwrap_or(leader);
        let options: Vec<String> = ["Try it next month", "Pilot with one team", "Not now"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        polls::attach(
            conn,
            d.id,
            author,
            NewPoll::parse("What should we do?", &options, false, None, now).map_err(err)?,
        )
        .await
        .map_err(err)?;
    }

    quizzes::create(
        conn,
        "customers",
        leader,
        NewQuiz::parse(
            "Know our customers",
            Some("Five minutes on how we serve customers."),
            None,
            None,
            vec![
                NewQuestion {
                    prompt: "What is our target first response time?".into(),
                    explanation: "Four working hours, so nobody waits a whole day.".into(),
                    choices: vec![
                        ("Four working hours".into(), true),
                        ("Two days".into(), false),
                        ("A week".into(), false),
                    ],
                },
                NewQuestion {
                    prompt: "Which channels do customers reach us on?".into(),
                    explanation: "E-mail and chat; phone is for escalations only.".into(),
                    choices: vec![
                        ("E-mail".into(), true),
                        ("Chat".into(), true),
                        ("Fax".into(), false),
                    ],
                },
            ],
        )
        .map_err(err)?,
    )
    .await
    .map_err(err)?;

    // Two leadership updates: one pointing to the live session, one asking a pulse that
    // a few members answered.
    let to_session = NewUpdate::parse(
        "Our monthly **open Q&A** is live now: ask anything, upvote what matters to you.",
        None,
        Some(i64::from(session.session.id)),
        None,
    )
    .map_err(err)?;
    updates::create(conn, leader, to_session)
        .await
        .map_err(err)?;
    let with_pulse = NewUpdate::parse(
        "From January every team gets **one focus day a month**, without meetings. Tell us what you think.",
        None,
        None,
        Some(("Will a focus day help your team?", "agree")),
    )
    .map_err(err)?;
    let posted = updates::create(conn, leader, with_pulse)
        .await
        .map_err(err)?;
    for (member, answer) in members
        .iter()
        .zip(["agree", "agree", "neutral", "agree", "disagree"])
    {
        updates::answer(conn, posted.id, member, answer)
            .await
            .map_err(err)?;
    }
    Ok(())
}

/// A discussion the demo started: its id, when it is dated, its author.
pub struct Started {
    pub id: i32,
    pub at: chrono::DateTime<Utc>,
    pub author: i32,
}

/// What the statuses of the demo's ideas are, in turn, with the leader's note.
const IDEAS: &[(crate::domain::IdeaStatus, Option<&str>)] = &[
    (
        crate::domain::IdeaStatus::Adopted,
        Some("Adopted: it starts next month, and we will report back here."),
    ),
    (
        crate::domain::IdeaStatus::Planned,
        Some("Planned for next quarter; the owners are named in the thread."),
    ),
    (
        crate::domain::IdeaStatus::UnderReview,
        Some("We are costing this with finance."),
    ),
    (
        crate::domain::IdeaStatus::Declined,
        Some("Not now: the budget went to the customer programme. Thank you for raising it."),
    ),
    (crate::domain::IdeaStatus::Proposed, None),
    (crate::domain::IdeaStatus::Proposed, None),
];

/// The story the insights tell and the ideas board shows: members who joined over the
/// last two months and read far more than they write (the seed's "lurking, reading,
/// learning"), ideas that leaders moved to adopted, planned or declined in the open, one
/// that has waited too long for an answer, and a headcount to measure against.
pub async fn ideas_and_insights(
    conn: &sea_orm::DatabaseConnection,
    actors: &[Actor],
    started: &[Started],
) -> anyhow::Result<()> {
    use entity::{discussion, discussion_read, member, site_setting};
    use sea_orm::sea_query::{Expr, OnConflict};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

    let now = Utc::now();
    let leaders: Vec<&Actor> = actors.iter().filter(|a| a.role == Role::Leader).collect();
    // Joined over three weeks, before the first discussion, a few at a time.
    for (i, a) in actors.iter().enumerate() {
        let days = 60 - 2 * i64::try_from(i).unwrap_or(0);
        member::Entity::update_many()
            .col_expr(
                member::Column::CreatedAt,
                Expr::value(now - Duration::days(days)),
            )
            .filter(member::Column::Id.eq(a.id))
            .exec(conn)
            .await?;
    }
    // Most staff who join read and never write (the seed's "lurking, reading,
    // learning"): thirty colleagues who joined over the last seven weeks and read.
    let lurkers = lurkers(conn, actors, now).await?;
    let mut reads = Vec::new();
    for (k, (id, joined)) in lurkers.iter().enumerate() {
        for (d, s) in started.iter().enumerate() {
            if s.at < *joined || (d * 7 + k * 3) % 10 >= 4 {
                continue;
            }
            let at = (s.at + Duration::hours(5 + i64::try_from(k * 7 % 61).unwrap_or(0))).min(now);
            reads.push(discussion_read::ActiveModel {
                member_id: Set(*id),
                discussion_id: Set(s.id),
                read_at: Set(at),
                ..Default::default()
            });
        }
    }
    // The writers read too: each discussion by most of them, within days of its start.
    for (d, s) in started.iter().enumerate() {
        for (k, a) in actors.iter().enumerate() {
            if (d + k) % 4 == 3 {
                continue;
            }
            let at = (s.at + Duration::hours(3 + i64::try_from(k * 5 % 47).unwrap_or(0))).min(now);
            reads.push(discussion_read::ActiveModel {
                member_id: Set(a.id),
                discussion_id: Set(s.id),
                read_at: Set(at),
                ..Default::default()
            });
        }
    }
    for chunk in reads.chunks(200) {
        discussion_read::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    discussion_read::Column::MemberId,
                    discussion_read::Column::DiscussionId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
    }
    // Ideas, moved by leaders in the open (never by their own authors).
    for (n, (s, (status, note))) in started
        .iter()
        .zip(IDEAS.iter().cycle())
        .take(12)
        .enumerate()
    {
        let Some(leader) = leaders
            .iter()
            .cycle()
            .skip(n)
            .take(leaders.len())
            .find(|l| l.id != s.author)
        else {
            continue;
        };
        let Some(author) = actors.iter().find(|a| a.id == s.author) else {
            continue;
        };
        let proposed = crate::services::ideas::IdeaChange::parse("proposed", None).map_err(err)?;
        crate::services::ideas::set(conn, author, s.id, proposed, now)
            .await
            .map_err(err)?;
        if *status != crate::domain::IdeaStatus::Proposed {
            let change =
                crate::services::ideas::IdeaChange::parse(status.as_str(), *note).map_err(err)?;
            crate::services::ideas::set(conn, leader, s.id, change, now)
                .await
                .map_err(err)?;
        }
        // Each idea entered its status a while after its discussion started; the one
        // proposed first has waited more than 30 days for an answer.
        let since = if n == 4 {
            now - Duration::days(40)
        } else {
            (s.at + Duration::days(2)).min(now)
        };
        discussion::Entity::update_many()
            .col_expr(discussion::Column::IdeaSince, Expr::value(since))
            .col_expr(discussion::Column::IdeaChangedAt, Expr::value(since))
            .filter(discussion::Column::Id.eq(s.id))
            .exec(conn)
            .await?;
    }
    // The company's size, for the share of staff registered.
    site_setting::Entity::insert(site_setting::ActiveModel {
        key: Set("headcount".into()),
        value: Set(((actors.len() + lurkers.len()) * 3).to_string()),
    })
    .on_conflict(
        OnConflict::column(site_setting::Column::Key)
            .update_column(site_setting::Column::Value)
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    // Everything above was dated in the past: fold every week again from its start.
    crate::services::insights::reset_folds(conn)
        .await
        .map_err(err)?;
    Ok(())
}

/// First and family names of the demo's readers.
const FIRST: &[&str] = &[
    "Ada", "Bruno", "Carmen", "Dev", "Eszter", "Felix", "Grace", "Hugo", "Ines", "Jonas",
];
const FAMILY: &[&str] = &["Moreau", "Osei", "Takahashi"];

/// Thirty members who joined over the last seven weeks; (id, when they joined). They
/// share the first demo member's password.
async fn lurkers(
    conn: &sea_orm::DatabaseConnection,
    actors: &[Actor],
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<Vec<(i32, chrono::DateTime<Utc>)>> {
    use entity::member;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let Some(first) = actors.first() else {
        return Ok(Vec::new());
    };
    let Some(template) = member::Entity::find_by_id(first.id).one(conn).await? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (n, (family, given)) in FAMILY
        .iter()
        .flat_map(|f| FIRST.iter().map(move |g| (f, g)))
        .enumerate()
    {
        let username = format!("{}-{}", given.to_lowercase(), family.to_lowercase());
        let joined = now - Duration::days(49) + Duration::hours(i64::try_from(n * 39).unwrap_or(0));
        let mut row: member::ActiveModel = template.clone().into();
        row.id = sea_orm::ActiveValue::NotSet;
        row.username = Set(username.clone());
        row.email = Set(format!("{username}@example.com"));
        row.display_name = Set(format!("{given} {family}"));
        row.role = Set(Role::Member.as_str().into());
        row.reputation = Set(1);
        row.points = Set(0);
        row.created_at = Set(joined);
        row.avatar_version = Set(None);
        row.oidc_subject = Set(None);
        let row = row.insert(conn).await?;
        out.push((row.id, joined));
    }
    Ok(out)
}
