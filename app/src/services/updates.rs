//! Leadership updates: short posts (up to 500 characters of Markdown) by leaders and
//! admins, with an optional link to a discussion or a live session and an optional
//! pulse. Each update opens a thread in the zone of kind `updates`, so its votes,
//! replies, flags, moderation, subscriptions, search and reply by e-mail are the
//! discussions' own; the `updates` row holds what an update adds. The zone stays out
//! of the zone lists, the navigation and the cross-zone listings: updates have their
//! own strip, page and feed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{discussion, qa_session, update};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::Actor;
use super::discussions::{self, Opening};
use super::effects::{self, Effect};
use super::pulses::{self, NewPulse, PulseView};
use crate::domain::{Body, Paging, Post, Role};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::views::{CommentView, MemberRef, discussion_path, posts};

pub use crate::domain::UPDATE_BODY_MAX as BODY_MAX;

/// An update, parsed.
pub struct NewUpdate {
    pub body: Body,
    pub discussion_id: Option<i32>,
    pub session_id: Option<i32>,
    pub pulse: Option<NewPulse>,
}

impl NewUpdate {
    /// `pulse`: the question and the scale, when one is asked for.
    pub fn parse(
        body: &str,
        discussion_id: Option<i64>,
        session_id: Option<i64>,
        pulse: Option<(&str, &str)>,
    ) -> AppResult<Self> {
        let mut fields = FieldErrors::new();
        let body = match Body::parse(body) {
            Ok(b) if b.as_ref().chars().count() > BODY_MAX => {
                fields.insert(
                    "body".into(),
                    format!("must be at most {BODY_MAX} characters long"),
                );
                None
            }
            Ok(b) => Some(b),
            Err(e) => {
                super::zones::merge(&mut fields, e);
                None
            }
        };
        let mut id = |name: &str, raw: Option<i64>| match raw.map(i32::try_from) {
            None => None,
            Some(Ok(n)) if n > 0 => Some(n),
            Some(_) => {
                fields.insert(name.into(), "must be a positive whole number".into());
                None
            }
        };
        let discussion_id = id("discussion_id", discussion_id);
        let session_id = id("session_id", session_id);
        let pulse = match pulse {
            None => None,
            Some((question, scale)) => NewPulse::parse(question, scale)
                .map_err(|e| super::zones::merge(&mut fields, e))
                .ok(),
        };
        match body {
            Some(body) if fields.is_empty() => Ok(Self {
                body,
                discussion_id,
                session_id,
                pulse,
            }),
            _ => Err(AppError::from_fields(fields)),
        }
    }
}

/// What an update points to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UpdateLink {
    /// `discussion` or `session`.
    pub kind: &'static str,
    pub id: i32,
    pub title: String,
    pub url: String,
}

/// What an update adds to the thread it opens: its link and its pulse.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UpdatePart {
    /// The discussion it points to, if any.
    pub discussion_id: Option<i32>,
    /// The live Q&A session it points to, if any.
    pub session_id: Option<i32>,
    /// What it points to (the discussion first, then the session), with titles; what
    /// has since been deleted or hidden is left out.
    pub links: Vec<UpdateLink>,
    pub pulse: Option<PulseView>,
}

/// A leadership update, as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UpdateView {
    /// The update's id, which is also its thread's (`/discussions/{id}`).
    pub id: i32,
    /// Markdown as written.
    pub body: String,
    /// The Markdown rendered, with anything unsafe removed.
    pub body_html: String,
    pub author: MemberRef,
    pub score: i32,
    /// -1, 0 or 1 for the signed-in member; 0 otherwise.
    pub my_vote: i32,
    pub comment_count: i32,
    pub locked: bool,
    /// Hidden while moderators look at it: `body` and `body_html` are empty for everyone
    /// but the author and moderators.
    pub hidden: bool,
    pub edited: bool,
    pub created_at: DateTime<Utc>,
    /// Where its page (with its replies) is.
    pub url: String,
    #[serde(flatten)]
    pub part: UpdatePart,
}

/// Leaders, moderators and admins post updates.
fn may_post(actor: &Actor) -> AppResult<()> {
    if actor.role >= Role::Leader {
        Ok(())
    } else {
        Err(AppError::forbidden("Only leaders and admins post updates"))
    }
}

/// Posts an update; its followers hear of it and hooks asking for `update.posted` get it.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewUpdate,
) -> AppResult<UpdateView> {
    may_post(actor)?;
    let zone = super::zones::updates_zone(db).await?;
    let now = Utc::now();
    let body_html = crate::markdown::render(new.body.as_ref());
    let txn = crate::db::begin_write(db).await?;
    let mut fields = FieldErrors::new();
    if let Some(id) = new.discussion_id {
        let found = discussion::Entity::find_by_id(id)
            .filter(discussion::Column::DeletedAt.is_null())
            .filter(discussion::Column::Hidden.eq(false))
            .count(&txn)
            .await?;
        if found == 0 {
            fields.insert("discussion_id".into(), "names no discussion".into());
        }
    }
    if let Some(id) = new.session_id
        && qa_session::Entity::find_by_id(id).count(&txn).await? == 0
    {
        fields.insert("session_id".into(), "names no live session".into());
    }
    if !fields.is_empty() {
        return Err(AppError::from_fields(fields));
    }
    let opening = Opening {
        zone_id: zone.id,
        author_id: actor.id,
        title: crate::domain::update_title(new.body.as_ref(), &actor.username),
        body: new.body.into_inner(),
        body_html,
    };
    let row = discussions::insert(&txn, opening, now).await?;
    let added = update::ActiveModel {
        discussion_id: Set(row.id),
        linked_discussion_id: Set(new.discussion_id),
        session_id: Set(new.session_id),
        pulse_question: Set(new.pulse.as_ref().map(|p| p.question.clone())),
        pulse_scale: Set(new.pulse.as_ref().map(|p| p.scale.as_str().to_string())),
    }
    .insert(&txn)
    .await?;
    if let Some(pulse) = &new.pulse {
        pulses::insert(&txn, row.id, pulse).await?;
    }
    let posted = Effect::UpdatePosted {
        discussion: &row,
        update: &added,
    };
    effects::record(&txn, posted, now).await?;
    txn.commit().await?;
    one(db, row, Some(actor)).await
}

/// Updates, newest first, of every leader or of one (`author`, a username).
pub async fn list(
    db: &impl ConnectionTrait,
    author: Option<&str>,
    paging: Paging,
    viewer: Option<&Actor>,
) -> AppResult<(Vec<UpdateView>, u64)> {
    let mut query = visible(viewer);
    if let Some(username) = author {
        let member = super::items::member_by_username(db, username).await?;
        query = query.filter(discussion::Column::AuthorId.eq(member.id));
    }
    let total = query.clone().count(db).await?;
    let rows = newest_first(query)
        .offset(paging.offset())
        .limit(paging.per_page)
        .all(db)
        .await?;
    Ok((views(db, rows, viewer).await?, total))
}

/// The newest updates, as a visitor sees them: the home page's strip (no count).
pub async fn newest(db: &impl ConnectionTrait, limit: u64) -> AppResult<Vec<UpdateView>> {
    let rows = newest_first(visible(None)).limit(limit).all(db).await?;
    views(db, rows, None).await
}

/// The live updates `viewer` may see: hidden ones only for moderators.
fn visible(viewer: Option<&Actor>) -> sea_orm::Select<discussion::Entity> {
    let query = discussion::Entity::find()
        .filter(
            discussion::Column::ZoneId
                .in_subquery(super::zones::ids_of_kind(super::zones::UPDATES)),
        )
        .filter(discussion::Column::DeletedAt.is_null());
    if viewer.is_some_and(|a| a.role.can_moderate()) {
        query
    } else {
        query.filter(discussion::Column::Hidden.eq(false))
    }
}

fn newest_first(query: sea_orm::Select<discussion::Entity>) -> sea_orm::Select<discussion::Entity> {
    query
        .order_by_desc(discussion::Column::CreatedAt)
        .order_by_desc(discussion::Column::Id)
}

/// One update.
pub async fn show(
    db: &impl ConnectionTrait,
    id: i32,
    viewer: Option<&Actor>,
) -> AppResult<UpdateView> {
    let row = thread(db, id, viewer).await?;
    one(db, row, viewer).await
}

/// The live thread an update opened, as `viewer` may see it: not found for anything
/// else, nor (but for its author and moderators) while it is hidden.
async fn thread(
    db: &impl ConnectionTrait,
    id: i32,
    viewer: Option<&Actor>,
) -> AppResult<discussion::Model> {
    let is_update = update::Entity::find_by_id(id).count(db).await? > 0;
    if !is_update {
        return Err(AppError::not_found("Update"));
    }
    let row = discussion::Entity::find_by_id(id)
        .filter(discussion::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Update"))?;
    if row.hidden && !viewer.is_some_and(|a| a.may_change(row.author_id)) {
        return Err(AppError::not_found("Update"));
    }
    Ok(row)
}

/// Votes on an update (as on any post: 1, -1 or 0 to clear).
pub async fn vote(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    value: super::votes::VoteValue,
) -> AppResult<super::votes::VoteOutcome> {
    thread(db, id, Some(actor)).await?;
    super::votes::vote(db, actor, Post::Discussion(id), value, Utc::now()).await
}

/// Replies to an update (or, with `parent_id`, to a reply in its thread).
pub async fn reply(
    db: &DatabaseConnection,
    id: i32,
    actor: &Actor,
    body: Body,
    parent_id: Option<i32>,
) -> AppResult<CommentView> {
    thread(db, id, Some(actor)).await?;
    super::comments::create(db, id, actor, body, parent_id).await
}

/// Answers an update's pulse.
pub async fn answer(
    db: &DatabaseConnection,
    id: i32,
    actor: &Actor,
    answer: &str,
) -> AppResult<PulseView> {
    thread(db, id, Some(actor)).await?;
    pulses::answer(db, id, actor, answer).await
}

/// What an update adds to its thread's page, as `viewer` sees it.
pub async fn part(
    db: &impl ConnectionTrait,
    row: &update::Model,
    author_id: i32,
    viewer: Option<&Actor>,
) -> AppResult<UpdatePart> {
    let mut parts = parts(db, &[(row, author_id)], viewer).await?;
    parts
        .remove(&row.discussion_id)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("an update's part went missing")))
}

/// The parts of several updates: a few queries however many.
async fn parts(
    db: &impl ConnectionTrait,
    rows: &[(&update::Model, i32)],
    viewer: Option<&Actor>,
) -> AppResult<HashMap<i32, UpdatePart>> {
    let mut pulses = pulses::views(db, rows, viewer).await?;
    let linked: Vec<i32> = rows
        .iter()
        .filter_map(|(u, _)| u.linked_discussion_id)
        .collect();
    let discussions: HashMap<i32, String> = if linked.is_empty() {
        HashMap::new()
    } else {
        discussion::Entity::find()
            .select_only()
            .columns([discussion::Column::Id, discussion::Column::Title])
            .filter(discussion::Column::Id.is_in(linked))
            .filter(discussion::Column::DeletedAt.is_null())
            .filter(discussion::Column::Hidden.eq(false))
            .into_tuple::<(i32, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let sessions: Vec<i32> = rows.iter().filter_map(|(u, _)| u.session_id).collect();
    let sessions: HashMap<i32, String> = if sessions.is_empty() {
        HashMap::new()
    } else {
        qa_session::Entity::find()
            .select_only()
            .columns([qa_session::Column::Id, qa_session::Column::Title])
            .filter(qa_session::Column::Id.is_in(sessions))
            .into_tuple::<(i32, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(rows
        .iter()
        .map(|(u, _)| {
            let to_discussion = u.linked_discussion_id.and_then(|id| {
                discussions.get(&id).map(|title| UpdateLink {
                    kind: "discussion",
                    id,
                    title: title.clone(),
                    url: discussion_path(id, title),
                })
            });
            let to_session = u.session_id.and_then(|id| {
                sessions.get(&id).map(|title| UpdateLink {
                    kind: "session",
                    id,
                    title: title.clone(),
                    url: format!("/sessions/{id}"),
                })
            });
            let part = UpdatePart {
                discussion_id: u.linked_discussion_id,
                session_id: u.session_id,
                links: to_discussion.into_iter().chain(to_session).collect(),
                pulse: pulses.remove(&u.discussion_id),
            };
            (u.discussion_id, part)
        })
        .collect())
}

async fn one(
    db: &impl ConnectionTrait,
    row: discussion::Model,
    viewer: Option<&Actor>,
) -> AppResult<UpdateView> {
    views(db, vec![row], viewer)
        .await?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("an update view went missing")))
}

/// Updates as `viewer` sees them, in the order given.
async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<discussion::Model>,
    viewer: Option<&Actor>,
) -> AppResult<Vec<UpdateView>> {
    let ids: Vec<i32> = rows.iter().map(|d| d.id).collect();
    let authors: HashMap<i32, i32> = rows.iter().map(|d| (d.id, d.author_id)).collect();
    let extra: Vec<update::Model> = if ids.is_empty() {
        Vec::new()
    } else {
        update::Entity::find()
            .filter(update::Column::DiscussionId.is_in(ids))
            .all(db)
            .await?
    };
    let with_authors: Vec<(&update::Model, i32)> = extra
        .iter()
        .map(|u| (u, authors.get(&u.discussion_id).copied().unwrap_or(0)))
        .collect();
    let mut parts = parts(db, &with_authors, viewer).await?;
    let threads = posts::discussions(db, rows, viewer).await?;
    Ok(threads
        .into_iter()
        .filter_map(|d| {
            let part = parts.remove(&d.id)?;
            Some(UpdateView {
                id: d.id,
                body: d.body,
                body_html: d.body_html,
                author: d.author,
                score: d.score,
                my_vote: d.my_vote,
                comment_count: d.comment_count,
                locked: d.locked,
                hidden: d.hidden,
                edited: d.edited,
                created_at: d.created_at,
                url: d.url,
                part,
            })
        })
        .collect())
}
