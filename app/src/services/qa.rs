//! Live Q&A sessions: a leader hosts, members ask and upvote, the host answers in the
//! open. Every change is also a live event (see `crate::live`), written in the same
//! transaction.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::{live_event, qa_question, qa_session, qa_vote};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Actor, members_by_id};
use crate::domain::{Role, Title, Username};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::live::LiveHub;
use crate::markdown;
use crate::views::MemberRef;

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
    super::zones::merge(fields, err);
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
        if text.is_empty() {
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

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionSummary {
    pub id: i32,
    /// The zone's slug.
    pub zone: String,
    pub title: String,
    pub description: String,
    pub description_html: String,
    pub host: MemberRef,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `upcoming`, `live` or `ended`.
    pub status: Status,
    pub question_count: u64,
    /// The session's page.
    pub url: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionView {
    pub id: i32,
    pub session_id: i32,
    pub body: String,
    pub body_html: String,
    /// Null when asked anonymously (moderators and the asker still see it).
    pub author: Option<MemberRef>,
    pub anonymous: bool,
    pub votes: i32,
    /// Whether the signed-in member upvoted it (always false in live events).
    pub upvoted: bool,
    pub pinned: bool,
    /// Dismissed questions are shown only to the host and moderators.
    pub dismissed: bool,
    pub answered: bool,
    pub answer: Option<String>,
    pub answer_html: Option<String>,
    pub answered_by: Option<MemberRef>,
    pub answered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    #[serde(flatten)]
    pub session: SessionSummary,
    /// Pinned first, then by votes, then oldest first.
    pub questions: Vec<QuestionView>,
    /// Once the session has ended: its most-voted questions still without an answer.
    pub awaiting_answer: Vec<QuestionView>,
    /// Whether the signed-in member may answer, pin and dismiss here.
    pub can_host: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AwaitingAnswer {
    pub session_id: i32,
    pub session_title: String,
    pub session_url: String,
    pub question: QuestionView,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZoneSessions {
    /// Upcoming and live first (soonest first), then ended (most recent first).
    pub sessions: Vec<SessionSummary>,
    /// Ended sessions' most-voted questions that still have no answer.
    pub awaiting_answer: Vec<AwaitingAnswer>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UpvoteResult {
    pub votes: i32,
    pub upvoted: bool,
}

/// Who is looking, for what a view reveals.
struct Viewer<'a> {
    actor: Option<&'a Actor>,
    voted: HashSet<i32>,
}

impl Viewer<'_> {
    fn sees_names(&self, author_id: i32) -> bool {
        self.actor
            .is_some_and(|a| a.role.can_moderate() || a.id == author_id)
    }
}

/// Whether `actor` may answer in this session: only its host.
fn is_host(s: &qa_session::Model, actor: &Actor) -> bool {
    s.host_id == actor.id
}

/// Pinning and dismissing: the host, or a moderator.
fn may_moderate(s: &qa_session::Model, actor: &Actor) -> bool {
    is_host(s, actor) || actor.role.can_moderate()
}

pub fn session_path(id: i32) -> String {
    format!("/sessions/{id}")
}

pub async fn create(
    db: &DatabaseConnection,
    zone_slug: &str,
    actor: &Actor,
    new: NewSession,
) -> AppResult<SessionView> {
    if actor.role < Role::Leader {
        return Err(AppError::forbidden(
            "Only leaders, moderators and admins may open a live Q&A session",
        ));
    }
    let zone = super::zones::find(db, zone_slug).await?;
    let host_id = match &new.host {
        Some(username) => {
            super::accounts::find_by_username(db, username.as_ref())
                .await
                .map_err(|_| AppError::validation("host", "is not a member's username"))?
                .id
        }
        None => actor.id,
    };
    let now = Utc::now();
    let row = qa_session::ActiveModel {
        zone_id: Set(zone.id),
        title: Set(new.title.into_inner()),
        description_html: Set(markdown::render(&new.description)),
        description: Set(new.description),
        host_id: Set(host_id),
        created_by: Set(actor.id),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    show(db, row.id, Some(actor)).await
}

pub async fn find(db: &impl ConnectionTrait, id: i32) -> AppResult<qa_session::Model> {
    qa_session::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Session"))
}

async fn find_question(db: &impl ConnectionTrait, id: i32) -> AppResult<qa_question::Model> {
    qa_question::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Question"))
}

async fn summaries(
    db: &impl ConnectionTrait,
    rows: Vec<qa_session::Model>,
    now: DateTime<Utc>,
) -> AppResult<Vec<SessionSummary>> {
    let hosts = members_by_id(db, rows.iter().map(|s| s.host_id)).await?;
    let zones = super::zones::by_ids(db, rows.iter().map(|s| s.zone_id)).await?;
    let ids: Vec<i32> = rows.iter().map(|s| s.id).collect();
    let counts: Vec<(i32, i64)> = if ids.is_empty() {
        Vec::new()
    } else {
        qa_question::Entity::find()
            .select_only()
            .column(qa_question::Column::SessionId)
            .column_as(qa_question::Column::Id.count(), "n")
            .filter(qa_question::Column::SessionId.is_in(ids))
            .filter(qa_question::Column::Dismissed.eq(false))
            .group_by(qa_question::Column::SessionId)
            .into_tuple()
            .all(db)
            .await?
    };
    rows.into_iter()
        .map(|s| {
            let host = hosts.get(&s.host_id).ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("session {} has no host", s.id))
            })?;
            let question_count = counts
                .iter()
                .find(|(id, _)| *id == s.id)
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
            Ok(SessionSummary {
                id: s.id,
                zone: zones.get(&s.zone_id).cloned().unwrap_or_default(),
                title: s.title.clone(),
                description: s.description.clone(),
                description_html: s.description_html.clone(),
                host: MemberRef::from_model(host),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                status: status(&s, now),
                question_count,
                url: session_path(s.id),
            })
        })
        .collect()
}

async fn question_views(
    db: &impl ConnectionTrait,
    rows: Vec<qa_question::Model>,
    viewer: &Viewer<'_>,
) -> AppResult<Vec<QuestionView>> {
    let people = members_by_id(
        db,
        rows.iter()
            .flat_map(|q| std::iter::once(q.author_id).chain(q.answered_by)),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|q| {
            let show_author = !q.anonymous || viewer.sees_names(q.author_id);
            QuestionView {
                id: q.id,
                session_id: q.session_id,
                author: if show_author {
                    people.get(&q.author_id).map(MemberRef::from_model)
                } else {
                    None
                },
                anonymous: q.anonymous,
                votes: q.votes,
                upvoted: viewer.voted.contains(&q.id),
                pinned: q.pinned,
                dismissed: q.dismissed,
                answered: q.answered_at.is_some(),
                answered_by: q
                    .answered_by
                    .and_then(|id| people.get(&id))
                    .map(MemberRef::from_model),
                answered_at: q.answered_at,
                answer: q.answer,
                answer_html: q.answer_html,
                body: q.body,
                body_html: q.body_html,
                created_at: q.created_at,
            }
        })
        .collect())
}

/// The view of one question that live events carry: what any member may see.
async fn public_view(db: &impl ConnectionTrait, q: qa_question::Model) -> AppResult<QuestionView> {
    let viewer = Viewer {
        actor: None,
        voted: HashSet::new(),
    };
    question_views(db, vec![q], &viewer)
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a question view went missing")))
}

fn ordered(query: sea_orm::Select<qa_question::Entity>) -> sea_orm::Select<qa_question::Entity> {
    query
        .order_by_desc(qa_question::Column::Pinned)
        .order_by_desc(qa_question::Column::Votes)
        .order_by_asc(qa_question::Column::CreatedAt)
        .order_by_asc(qa_question::Column::Id)
}

async fn voted_by(
    db: &impl ConnectionTrait,
    actor: Option<&Actor>,
    question_ids: Vec<i32>,
) -> AppResult<HashSet<i32>> {
    let Some(actor) = actor else {
        return Ok(HashSet::new());
    };
    if question_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<i32> = qa_vote::Entity::find()
        .select_only()
        .column(qa_vote::Column::QuestionId)
        .filter(qa_vote::Column::MemberId.eq(actor.id))
        .filter(qa_vote::Column::QuestionId.is_in(question_ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

pub async fn show(
    db: &impl ConnectionTrait,
    id: i32,
    actor: Option<&Actor>,
) -> AppResult<SessionView> {
    let session = find(db, id).await?;
    let now = Utc::now();
    let hosting = actor.is_some_and(|a| may_moderate(&session, a));
    let mut query =
        ordered(qa_question::Entity::find().filter(qa_question::Column::SessionId.eq(id)));
    if !hosting {
        query = query.filter(qa_question::Column::Dismissed.eq(false));
    }
    let rows = query.all(db).await?;
    let voted = voted_by(db, actor, rows.iter().map(|q| q.id).collect()).await?;
    let viewer = Viewer { actor, voted };
    let ended = status(&session, now) == Status::Ended;
    let questions = question_views(db, rows, &viewer).await?;
    let awaiting_answer = if ended {
        // The most-voted, whatever was pinned (`questions` is already oldest-first
        // among equal votes; the sort is stable).
        let mut open: Vec<QuestionView> = questions
            .iter()
            .filter(|q| !q.answered && !q.dismissed)
            .cloned()
            .collect();
        open.sort_by_key(|q| std::cmp::Reverse(q.votes));
        open.truncate(AWAITING_LIMIT as usize);
        open
    } else {
        Vec::new()
    };
    let session = summaries(db, vec![session], now)
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a session view went missing")))?;
    Ok(SessionView {
        session,
        questions,
        awaiting_answer,
        can_host: hosting,
    })
}

/// A zone's sessions, and what its ended sessions still owe an answer to.
pub async fn of_zone(
    db: &impl ConnectionTrait,
    zone_slug: &str,
    actor: Option<&Actor>,
) -> AppResult<ZoneSessions> {
    let zone = super::zones::find(db, zone_slug).await?;
    let now = Utc::now();
    let rows = qa_session::Entity::find()
        .filter(qa_session::Column::ZoneId.eq(zone.id))
        .order_by_desc(qa_session::Column::StartsAt)
        .limit(50)
        .all(db)
        .await?;
    let (mut open, mut ended): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|s| status(s, now) != Status::Ended);
    open.sort_by_key(|s| s.starts_at);
    ended.sort_by_key(|s| std::cmp::Reverse(s.ends_at));
    let ended_ids: Vec<i32> = ended.iter().map(|s| s.id).collect();
    let titles: Vec<(i32, String)> = ended.iter().map(|s| (s.id, s.title.clone())).collect();
    let mut awaiting = Vec::new();
    if !ended_ids.is_empty() {
        let rows = qa_question::Entity::find()
            .filter(qa_question::Column::SessionId.is_in(ended_ids))
            .filter(qa_question::Column::Dismissed.eq(false))
            .filter(qa_question::Column::AnsweredAt.is_null())
            .order_by_desc(qa_question::Column::Votes)
            .order_by_asc(qa_question::Column::CreatedAt)
            .order_by_asc(qa_question::Column::Id)
            .all(db)
            .await?;
        // The most-voted few of each session.
        let mut kept = Vec::new();
        for q in rows {
            let already = kept
                .iter()
                .filter(|k: &&qa_question::Model| k.session_id == q.session_id)
                .count();
            if already < AWAITING_LIMIT as usize {
                kept.push(q);
            }
        }
        let voted = voted_by(db, actor, kept.iter().map(|q| q.id).collect()).await?;
        let viewer = Viewer { actor, voted };
        for q in question_views(db, kept, &viewer).await? {
            let title = titles
                .iter()
                .find(|(id, _)| *id == q.session_id)
                .map(|(_, t)| t.clone())
                .unwrap_or_default();
            awaiting.push(AwaitingAnswer {
                session_id: q.session_id,
                session_title: title,
                session_url: session_path(q.session_id),
                question: q,
            });
        }
    }
    open.extend(ended);
    Ok(ZoneSessions {
        sessions: summaries(db, open, now).await?,
        awaiting_answer: awaiting,
    })
}

fn closed() -> AppError {
    AppError::Conflict {
        code: "session_closed",
        message: "This session has ended; it takes no more questions or votes".into(),
        fields: None,
    }
}

pub async fn ask(
    db: &DatabaseConnection,
    hub: &LiveHub,
    session_id: i32,
    actor: &Actor,
    body: Text,
    anonymous: bool,
) -> AppResult<QuestionView> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let session = find(&txn, session_id).await?;
    if status(&session, now) == Status::Ended {
        return Err(closed());
    }
    let row = qa_question::ActiveModel {
        session_id: Set(session.id),
        author_id: Set(actor.id),
        anonymous: Set(anonymous),
        body_html: Set(markdown::render(&body.0)),
        body: Set(body.0),
        votes: Set(0),
        pinned: Set(false),
        dismissed: Set(false),
        answer: Set(None),
        answer_html: Set(None),
        answered_by: Set(None),
        answered_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let public = public_view(&txn, row.clone()).await?;
    let event = hub
        .record(
            &txn,
            session.id,
            Some(row.id),
            event::QUESTION_ADDED,
            &public,
            now,
        )
        .await?;
    txn.commit().await?;
    hub.committed(vec![event]);
    let viewer = Viewer {
        actor: Some(actor),
        voted: HashSet::new(),
    };
    question_views(db, vec![row], &viewer)
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a question view went missing")))
}

/// Upvotes a question, or takes the upvote back if there is one.
pub async fn toggle_upvote(
    db: &DatabaseConnection,
    hub: &LiveHub,
    question_id: i32,
    actor: &Actor,
) -> AppResult<UpvoteResult> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let question = find_question(&txn, question_id).await?;
    let session = find(&txn, question.session_id).await?;
    if question.dismissed {
        return Err(AppError::not_found("Question"));
    }
    if status(&session, now) == Status::Ended {
        return Err(closed());
    }
    if question.author_id == actor.id {
        return Err(AppError::Forbidden {
            code: "self_vote",
            message: "You cannot upvote your own question".into(),
        });
    }
    let removed = qa_vote::Entity::delete_many()
        .filter(qa_vote::Column::QuestionId.eq(question_id))
        .filter(qa_vote::Column::MemberId.eq(actor.id))
        .exec(&txn)
        .await?
        .rows_affected;
    let (delta, upvoted) = if removed > 0 {
        (-1, false)
    } else {
        let inserted = qa_vote::Entity::insert(qa_vote::ActiveModel {
            question_id: Set(question_id),
            member_id: Set(actor.id),
            created_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([qa_vote::Column::QuestionId, qa_vote::Column::MemberId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        (if inserted > 0 { 1 } else { 0 }, true)
    };
    if delta != 0 {
        qa_question::Entity::update_many()
            .col_expr(
                qa_question::Column::Votes,
                Expr::col(qa_question::Column::Votes).add(delta),
            )
            .filter(qa_question::Column::Id.eq(question_id))
            .exec(&txn)
            .await?;
    }
    let question = find_question(&txn, question_id).await?;
    let votes = question.votes;
    let mut events = Vec::new();
    if delta != 0 {
        let public = public_view(&txn, question).await?;
        events.push(
            hub.record(
                &txn,
                session.id,
                Some(question_id),
                event::QUESTION_VOTED,
                &public,
                now,
            )
            .await?,
        );
    }
    txn.commit().await?;
    hub.committed(events);
    Ok(UpvoteResult { votes, upvoted })
}

/// What the host or a moderator changes on a question.
pub enum Change {
    Answer(Text),
    Pin(bool),
    Dismiss(bool),
}

pub async fn change(
    db: &DatabaseConnection,
    hub: &LiveHub,
    question_id: i32,
    actor: &Actor,
    change: Change,
) -> AppResult<QuestionView> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let question = find_question(&txn, question_id).await?;
    let session = find(&txn, question.session_id).await?;
    let mut active: qa_question::ActiveModel = question.into();
    let kind = match change {
        Change::Answer(text) => {
            if !is_host(&session, actor) {
                return Err(AppError::Forbidden {
                    code: "not_host",
                    message: "Only the session's host may answer its questions".into(),
                });
            }
            active.answer_html = Set(Some(markdown::render(&text.0)));
            active.answer = Set(Some(text.0));
            active.answered_by = Set(Some(actor.id));
            active.answered_at = Set(Some(now));
            active.dismissed = Set(false);
            event::QUESTION_ANSWERED
        }
        Change::Pin(pinned) => {
            if !may_moderate(&session, actor) {
                return Err(AppError::Forbidden {
                    code: "not_host",
                    message: "Only the session's host or a moderator may pin questions".into(),
                });
            }
            active.pinned = Set(pinned);
            event::QUESTION_PINNED
        }
        Change::Dismiss(dismissed) => {
            if !may_moderate(&session, actor) {
                return Err(AppError::Forbidden {
                    code: "not_host",
                    message: "Only the session's host or a moderator may dismiss questions".into(),
                });
            }
            active.dismissed = Set(dismissed);
            if dismissed {
                active.pinned = Set(false);
            }
            event::QUESTION_DISMISSED
        }
    };
    let row = active.update(&txn).await?;
    let event = if row.dismissed {
        // A dismissed question's text goes to nobody: the event names it only.
        let hidden =
            serde_json::json!({"id": row.id, "session_id": row.session_id, "dismissed": true});
        hub.record(&txn, session.id, Some(row.id), kind, &hidden, now)
            .await?
    } else {
        let public = public_view(&txn, row.clone()).await?;
        hub.record(&txn, session.id, Some(row.id), kind, &public, now)
            .await?
    };
    txn.commit().await?;
    hub.committed(vec![event]);
    let voted = voted_by(db, Some(actor), vec![row.id]).await?;
    let viewer = Viewer {
        actor: Some(actor),
        voted,
    };
    question_views(db, vec![row], &viewer)
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a question view went missing")))
}

/// A session's events after `after` (for a reconnecting stream), oldest first.
pub async fn events_after(
    db: &impl ConnectionTrait,
    session_id: i32,
    after: i32,
) -> AppResult<Vec<live_event::Model>> {
    use sea_orm::sea_query::Query;
    // Nothing about a question that is dismissed now, except the dismissal itself.
    let dismissed = Query::select()
        .column(qa_question::Column::Id)
        .from(qa_question::Entity)
        .and_where(qa_question::Column::SessionId.eq(session_id))
        .and_where(qa_question::Column::Dismissed.eq(true))
        .to_owned();
    Ok(live_event::Entity::find()
        .filter(live_event::Column::SessionId.eq(session_id))
        .filter(live_event::Column::Id.gt(after))
        .filter(
            sea_orm::Condition::any()
                .add(live_event::Column::Kind.eq(event::QUESTION_DISMISSED))
                .add(live_event::Column::QuestionId.is_null())
                .add(live_event::Column::QuestionId.not_in_subquery(dismissed)),
        )
        .order_by_asc(live_event::Column::Id)
        .limit(REPLAY_LIMIT)
        .all(db)
        .await?)
}

/// The session a question belongs to.
pub async fn session_of(db: &impl ConnectionTrait, question_id: i32) -> AppResult<i32> {
    Ok(find_question(db, question_id).await?.session_id)
}

/// Live events only matter to streams that reconnect: keep a week of them.
pub async fn prune_events(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<u64> {
    Ok(live_event::Entity::delete_many()
        .filter(live_event::Column::CreatedAt.lt(now - chrono::Duration::days(7)))
        .exec(db)
        .await?
        .rows_affected)
}
