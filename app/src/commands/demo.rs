//! The parts of the demo community beyond discussions: a live Q&A session (one question
//! answered, one waiting), a poll, and a quiz — so `seed-demo` shows every page.

use chrono::{Duration, Utc};

use crate::domain::Role;
use crate::live::LiveHub;
use crate::services::live::questions::{self, Change};
use crate::services::live::{self, NewSession, Text, sessions};
use crate::services::polls::NewPoll;
use crate::services::quizzes::{self, NewQuestion, NewQuiz};
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
    Ok(())
}
