//! Pulses: the one-question instant feedback a leadership update may ask for, answered
//! on a scale (agree / neutral / disagree, or 1–5). Anonymous to everyone, the update's
//! author included: who answered (`pulse_responses`, so nobody answers twice) and how
//! many gave each answer (`pulse_tallies`) are kept apart, and nothing ties a member to
//! an answer, so an answer cannot be changed either. Results are shown to those who
//! answered, to the update's author and to moderators, and to nobody before
//! `MIN_RESPONSES` have answered: counts that move one answer at a time would tell the
//! first answerers' choices to whoever sees them.

use std::collections::{HashMap, HashSet};

use entity::{pulse_response, pulse_tally, update};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, SqlErr,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::Actor;
use super::items::{self, Locks};
use crate::error::{AppError, AppResult, Code, FieldErrors};

pub const QUESTION_MAX: usize = 200;
/// Results are shown once this many have answered.
pub const MIN_RESPONSES: u64 = 5;

/// The scale a pulse is answered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// agree, neutral, disagree.
    Agree,
    /// 1 to 5.
    Five,
}

impl Scale {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "agree" => Some(Scale::Agree),
            "five" => Some(Scale::Five),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Agree => "agree",
            Scale::Five => "five",
        }
    }

    /// Its answers as sent, with how people read them, in order.
    pub fn answers(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Scale::Agree => &[
                ("agree", "Agree"),
                ("neutral", "Neutral"),
                ("disagree", "Disagree"),
            ],
            Scale::Five => &[("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5")],
        }
    }
}

/// A pulse, parsed.
#[derive(Debug, Clone)]
pub struct NewPulse {
    pub question: String,
    pub scale: Scale,
}

impl NewPulse {
    pub fn parse(question: &str, scale: &str) -> AppResult<Self> {
        let mut fields = FieldErrors::new();
        let question = question.replace('\0', "").trim().to_string();
        if !crate::domain::has_visible_char(&question) {
            fields.insert("pulse.question".into(), "must not be empty".into());
        } else if question.chars().count() > QUESTION_MAX {
            fields.insert(
                "pulse.question".into(),
                format!("must be at most {QUESTION_MAX} characters long"),
            );
        }
        let scale = Scale::parse(scale);
        if scale.is_none() {
            fields.insert("pulse.scale".into(), "must be agree or five".into());
        }
        match scale {
            Some(scale) if fields.is_empty() => Ok(Self { question, scale }),
            _ => Err(AppError::from_fields(fields)),
        }
    }
}

/// One answer of a pulse and, once results are shown, how many gave it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PulseAnswer {
    /// As sent in `{"answer"}`: `agree`, `neutral`, `disagree`, or `1`…`5`.
    pub answer: &'static str,
    pub label: &'static str,
    /// Null while results are hidden from the reader.
    pub count: Option<u64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PulseView {
    pub question: String,
    pub scale: Scale,
    /// The answers in order, with their counts once results are shown.
    pub answers: Vec<PulseAnswer>,
    /// Whether the signed-in member has answered (what they answered is kept nowhere).
    pub answered: bool,
    /// How many answered; null while results are hidden (from those who have not
    /// answered, and from everyone until `results_from` have).
    pub responses: Option<u64>,
    /// How many answers it takes before anyone sees results.
    pub results_from: u64,
}

/// The pulse's rows, for a new update, in its transaction.
pub async fn insert(
    txn: &impl ConnectionTrait,
    discussion_id: i32,
    pulse: &NewPulse,
) -> AppResult<()> {
    let rows = pulse
        .scale
        .answers()
        .iter()
        .map(|(answer, _)| pulse_tally::ActiveModel {
            discussion_id: Set(discussion_id),
            answer: Set((*answer).to_string()),
            count: Set(0),
        });
    pulse_tally::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// The pulses of these updates as `viewer` sees them, by discussion id: two queries
/// however many. `authors` gives each update's author (who sees results unasked).
pub async fn views(
    db: &impl ConnectionTrait,
    updates: &[(&update::Model, i32)],
    viewer: Option<&Actor>,
) -> AppResult<HashMap<i32, PulseView>> {
    let with_pulse: Vec<i32> = updates
        .iter()
        .filter(|(u, _)| u.pulse_question.is_some())
        .map(|(u, _)| u.discussion_id)
        .collect();
    if with_pulse.is_empty() {
        return Ok(HashMap::new());
    }
    let tallies: HashMap<(i32, String), i32> = pulse_tally::Entity::find()
        .filter(pulse_tally::Column::DiscussionId.is_in(with_pulse.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| ((t.discussion_id, t.answer), t.count))
        .collect();
    let answered: HashSet<i32> = match viewer {
        Some(actor) => pulse_response::Entity::find()
            .filter(pulse_response::Column::DiscussionId.is_in(with_pulse))
            .filter(pulse_response::Column::MemberId.eq(actor.id))
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.discussion_id)
            .collect(),
        None => HashSet::new(),
    };
    let mut out = HashMap::new();
    for (u, author_id) in updates {
        let (Some(question), Some(scale)) = (
            u.pulse_question.clone(),
            u.pulse_scale.as_deref().and_then(Scale::parse),
        ) else {
            continue;
        };
        let has_answered = answered.contains(&u.discussion_id);
        let count = |answer: &str| {
            let n = tallies
                .get(&(u.discussion_id, answer.to_string()))
                .copied()
                .unwrap_or(0);
            u64::try_from(n).unwrap_or(0)
        };
        let total: u64 = scale.answers().iter().map(|(a, _)| count(a)).sum();
        let shown = total >= MIN_RESPONSES
            && (has_answered
                || viewer.is_some_and(|a| a.id == *author_id || a.role.can_moderate()));
        let answers: Vec<PulseAnswer> = scale
            .answers()
            .iter()
            .map(|&(answer, label)| PulseAnswer {
                answer,
                label,
                count: shown.then(|| count(answer)),
            })
            .collect();
        let responses = shown.then_some(total);
        out.insert(
            u.discussion_id,
            PulseView {
                question,
                scale,
                answers,
                answered: has_answered,
                responses,
                results_from: MIN_RESPONSES,
            },
        );
    }
    Ok(out)
}

/// Answers an update's pulse, once; returns it with its results.
pub async fn answer(
    db: &DatabaseConnection,
    discussion_id: i32,
    actor: &Actor,
    raw: &str,
) -> AppResult<PulseView> {
    let txn = crate::db::begin_write(db).await?;
    // Row order as everywhere: the discussion first, so a lock at the same moment is
    // seen (PostgreSQL).
    Locks::new(&txn).discussion(discussion_id).await?;
    let d = items::discussion(&txn, discussion_id).await?;
    if d.hidden && !actor.role.can_moderate() && actor.id != d.author_id {
        return Err(AppError::not_found("Update"));
    }
    let u = update::Entity::find_by_id(discussion_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Update"))?;
    let scale = u
        .pulse_scale
        .as_deref()
        .and_then(Scale::parse)
        .ok_or_else(|| AppError::not_found("Pulse"))?;
    if d.locked {
        return Err(AppError::coded(
            Code::DiscussionLocked,
            "This update is locked: its pulse takes no more answers",
        ));
    }
    let Some(&(answer, _)) = scale.answers().iter().find(|(a, _)| *a == raw.trim()) else {
        let allowed: Vec<&str> = scale.answers().iter().map(|(a, _)| *a).collect();
        return Err(AppError::validation(
            "answer",
            format!("must be one of {}", allowed.join(", ")),
        ));
    };
    let response = pulse_response::ActiveModel {
        discussion_id: Set(discussion_id),
        member_id: Set(actor.id),
    };
    match response.insert(&txn).await {
        Ok(_) => {}
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::coded(
                Code::AlreadyAnswered,
                "You have answered this pulse already",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let counted = pulse_tally::Entity::update_many()
        .col_expr(
            pulse_tally::Column::Count,
            Expr::col(pulse_tally::Column::Count).add(1),
        )
        .filter(pulse_tally::Column::DiscussionId.eq(discussion_id))
        .filter(pulse_tally::Column::Answer.eq(answer))
        .exec(&txn)
        .await?;
    if counted.rows_affected != 1 {
        // Rolled back: an answer is counted or not recorded at all.
        return Err(AppError::internal(anyhow::anyhow!(
            "pulse {discussion_id} has no tally for {answer}"
        )));
    }
    txn.commit().await?;
    let mut views = views(db, &[(&u, d.author_id)], Some(actor)).await?;
    views
        .remove(&discussion_id)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("pulse {discussion_id} vanished")))
}
