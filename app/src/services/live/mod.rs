//! Live Q&A sessions: a leader hosts, members ask and upvote, the host answers in the
//! open. Every change is also a live event (see `crate::live`), recorded through the
//! effects dispatcher in the same transaction.
//!
//! `sessions` opens them, `questions` holds what members and hosts do, `views` what
//! pages and the API show, `events` the replay of the live stream. This file holds the
//! rules and parsing they share.

pub mod events;
pub mod questions;
pub mod sessions;
pub mod views;

use chrono::{DateTime, Utc};
use entity::{qa_question, qa_session};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{Title, Username};
use crate::error::{AppError, AppResult, Code, FieldErrors};
use crate::services::Actor;

/// Questions are short: a question, not an essay.
pub const QUESTION_MAX: usize = 1_000;
pub const ANSWER_MAX: usize = 20_000;
pub const DESCRIPTION_MAX: usize = 5_000;
/// The most events a reconnecting stream is replayed; beyond that it reloads.
pub const REPLAY_LIMIT: u64 = 1000;
/// How many unanswered questions an ended session keeps listed as awaiting an answer.
pub const AWAITING_LIMIT: u64 = 5;

/// Event kinds streamed to open pages.
pub mod event {
    pub const QUESTION_ADDED: &str = "question_added";
    pub const QUESTION_VOTED: &str = "question_voted";
    pub const QUESTION_ANSWERED: &str = "question_answered";
    pub const QUESTION_PINNED: &str = "question_pinned";
    pub const QUESTION_DISMISSED: &str = "question_dismissed";
}

/// A session, parsed.
pub struct NewSession {
    pub title: Title,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub host: Option<Username>,
}

fn parse_time(field: &str, raw: &str, fields: &mut FieldErrors) -> Option<DateTime<Utc>> {
    crate::domain::parse_time(raw)
        .map_err(|problem| fields.insert(field.into(), problem.into()))
        .ok()
}

fn merge(fields: &mut FieldErrors, err: AppError) {
    crate::services::zones::merge(fields, err);
}

impl NewSession {
    pub fn parse(
        title: &str,
        description: Option<&str>,
        starts_at: &str,
        ends_at: &str,
        host: Option<&str>,
    ) -> AppResult<Self> {
        let mut fields = FieldErrors::new();
        let title = Title::parse(title).map_err(|e| merge(&mut fields, e)).ok();
        let description = description
            .unwrap_or("")
            .replace('\0', "")
            .trim()
            .to_string();
        if description.chars().count() > DESCRIPTION_MAX {
            fields.insert(
                "description".into(),
                format!("must be at most {DESCRIPTION_MAX} characters long"),
            );
        }
        let starts = parse_time("starts_at", starts_at, &mut fields);
        let ends = parse_time("ends_at", ends_at, &mut fields);
        if let (Some(s), Some(e)) = (starts, ends)
            && e <= s
        {
            fields.insert("ends_at".into(), "must be after starts_at".into());
        }
        let host = match host.map(str::trim).filter(|h| !h.is_empty()) {
            Some(h) => match Username::parse(h) {
                Ok(u) => Some(u),
                Err(_) => {
                    fields.insert("host".into(), "is not a member's username".into());
                    None
                }
            },
            None => None,
        };
        match (title, starts, ends) {
            (Some(title), Some(starts_at), Some(ends_at)) if fields.is_empty() => Ok(Self {
                title,
                description,
                starts_at,
                ends_at,
                host,
            }),
            _ => Err(AppError::from_fields(fields)),
        }
    }
}

/// A question's or answer's text, parsed.
pub struct Text(String);

impl Text {
    pub fn parse(field: &str, raw: &str, max: usize) -> AppResult<Self> {
        let text = raw.replace('\0', "");
        let text = text.trim();
        if !crate::domain::has_visible_char(text) {
            return Err(AppError::validation(field, "must not be empty"));
        }
        if text.chars().count() > max {
            return Err(AppError::validation(
                field,
                format!("must be at most {max} characters long"),
            ));
        }
        Ok(Self(text.to_string()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Upcoming,
    Live,
    Ended,
}

pub fn status(s: &qa_session::Model, now: DateTime<Utc>) -> Status {
    if now < s.starts_at {
        Status::Upcoming
    } else if now <= s.ends_at {
        Status::Live
    } else {
        Status::Ended
    }
}

/// Whether `actor` may answer in this session: only its host.
pub fn is_host(s: &qa_session::Model, actor: &Actor) -> bool {
    s.host_id == actor.id
}

/// Pinning and dismissing: the host, or a moderator.
pub fn may_moderate(s: &qa_session::Model, actor: &Actor) -> bool {
    is_host(s, actor) || actor.role.can_moderate()
}

pub fn session_path(id: i32) -> String {
    format!("/sessions/{id}")
}

pub async fn find(db: &impl ConnectionTrait, id: i32) -> AppResult<qa_session::Model> {
    qa_session::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Session"))
}

pub async fn find_question(db: &impl ConnectionTrait, id: i32) -> AppResult<qa_question::Model> {
    qa_question::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Question"))
}

pub fn closed() -> AppError {
    AppError::coded(
        Code::SessionClosed,
        "This session has ended; it takes no more questions or votes",
    )
}
