//! What live Q&A pages and the API show: sessions, questions, who may see names.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::{qa_question, qa_session, qa_vote};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;

use super::{AWAITING_LIMIT, Status, find, may_moderate, session_path, status};
use crate::error::{AppError, AppResult};
use crate::services::Actor;
use crate::services::items::members_by_id;
use crate::views::MemberRef;

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
    /// Hidden while moderators look at it: the body is empty for everyone but its
    /// author and moderators.
    pub hidden: bool,
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
pub(super) struct Viewer<'a> {
    pub(super) actor: Option<&'a Actor>,
    pub(super) voted: HashSet<i32>,
}

impl Viewer<'_> {
    fn sees_names(&self, author_id: i32) -> bool {
        self.actor
            .is_some_and(|a| a.role.can_moderate() || a.id == author_id)
    }
}

pub(super) async fn summaries(
    db: &impl ConnectionTrait,
    rows: Vec<qa_session::Model>,
    now: DateTime<Utc>,
) -> AppResult<Vec<SessionSummary>> {
    let hosts = members_by_id(db, rows.iter().map(|s| s.host_id)).await?;
    let zones = crate::services::zones::by_ids(db, rows.iter().map(|s| s.zone_id)).await?;
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
                AppError::internal(anyhow::anyhow!("session {} has no host", s.id))
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

pub(super) async fn question_views(
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
            let reveal = !q.hidden || viewer.sees_names(q.author_id);
            QuestionView {
                hidden: q.hidden,
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
                body: if reveal { q.body } else { String::new() },
                body_html: if reveal { q.body_html } else { String::new() },
                created_at: q.created_at,
            }
        })
        .collect())
}

/// The view of one question that live events carry: what any member may see.
pub(super) async fn public_view(
    db: &impl ConnectionTrait,
    q: qa_question::Model,
) -> AppResult<QuestionView> {
    let viewer = Viewer {
        actor: None,
        voted: HashSet::new(),
    };
    question_views(db, vec![q], &viewer)
        .await?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a question view went missing")))
}

pub(super) fn ordered(
    query: sea_orm::Select<qa_question::Entity>,
) -> sea_orm::Select<qa_question::Entity> {
    query
        .order_by_desc(qa_question::Column::Pinned)
        .order_by_desc(qa_question::Column::Votes)
        .order_by_asc(qa_question::Column::CreatedAt)
        .order_by_asc(qa_question::Column::Id)
}

pub(super) async fn voted_by(
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
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a session view went missing")))?;
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
    let zone = crate::services::zones::find(db, zone_slug).await?;
    of_zone_in(db, &zone, actor).await
}

/// `of_zone`, for a zone already read.
pub async fn of_zone_in(
    db: &impl ConnectionTrait,
    zone: &entity::zone::Model,
    actor: Option<&Actor>,
) -> AppResult<ZoneSessions> {
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
        let mut awaiting_rows = qa_question::Entity::find()
            .filter(qa_question::Column::SessionId.is_in(ended_ids))
            .filter(qa_question::Column::Dismissed.eq(false))
            .filter(qa_question::Column::AnsweredAt.is_null());
        // A hidden question is listed for moderators only (a zone page's listing is
        // the same for every other reader).
        if !actor.is_some_and(|a| a.role.can_moderate()) {
            awaiting_rows = awaiting_rows.filter(qa_question::Column::Hidden.eq(false));
        }
        let rows = awaiting_rows
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
