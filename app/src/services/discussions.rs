//! Discussions: start, list, read, edit, delete, lock and pin.

use chrono::Utc;
use entity::{discussion, zone};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::badges::Trigger;
use super::reputation::Target;
use super::zones::merge;
use super::{Actor, members_by_id};
use crate::domain::{Body, Paging, SortOrder, Title};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::jobs::search::{self as search_jobs, SearchJob};
use crate::markdown;
use crate::views::{DiscussionView, MemberRef};

pub struct NewDiscussion {
    pub title: Title,
    pub body: Body,
    /// A poll to start it with.
    pub poll: Option<super::polls::NewPoll>,
}

impl NewDiscussion {
    pub fn parse(title: &str, body: &str) -> AppResult<Self> {
        let mut fields = FieldErrors::new();
        let title = Title::parse(title).map_err(|e| merge(&mut fields, e)).ok();
        let body = Body::parse(body).map_err(|e| merge(&mut fields, e)).ok();
        match (title, body) {
            (Some(title), Some(body)) => Ok(Self {
                title,
                body,
                poll: None,
            }),
            _ => Err(AppError::from_fields(fields)),
        }
    }
}

/// An edit: each part optional, but at least one present.
pub struct DiscussionEdit {
    pub title: Option<Title>,
    pub body: Option<Body>,
}

impl DiscussionEdit {
    pub fn parse(title: Option<&str>, body: Option<&str>) -> AppResult<Self> {
        let mut fields = FieldErrors::new();
        let title = title.and_then(|t| Title::parse(t).map_err(|e| merge(&mut fields, e)).ok());
        let body = body.and_then(|b| Body::parse(b).map_err(|e| merge(&mut fields, e)).ok());
        if !fields.is_empty() {
            return Err(AppError::from_fields(fields));
        }
        if title.is_none() && body.is_none() {
            return Err(AppError::validation("title", "or body must be given"));
        }
        Ok(Self { title, body })
    }
}

/// Turns rows into views with two more queries in all: authors and zones.
pub async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<discussion::Model>,
    viewer: Option<&Actor>,
) -> AppResult<Vec<DiscussionView>> {
    let authors = members_by_id(db, rows.iter().map(|d| d.author_id)).await?;
    let ids: Vec<i32> = rows.iter().map(|d| d.id).collect();
    let my_votes = super::reputation::my_votes(db, viewer, "discussion", &ids).await?;
    let mut zone_ids: Vec<i32> = rows.iter().map(|d| d.zone_id).collect();
    zone_ids.sort_unstable();
    zone_ids.dedup();
    let zones = if zone_ids.is_empty() {
        Vec::new()
    } else {
        zone::Entity::find()
            .filter(zone::Column::Id.is_in(zone_ids))
            .all(db)
            .await?
    };
    rows.into_iter()
        .map(|d| {
            let author = authors
                .get(&d.author_id)
                .map(MemberRef::from_model)
                .ok_or_else(|| {
                    AppError::Internal(anyhow::anyhow!("discussion {} has no author", d.id))
                })?;
            let zone = zones
                .iter()
                .find(|z| z.id == d.zone_id)
                .map(|z| z.slug.clone())
                .unwrap_or_default();
            let my_vote = my_votes.get(&d.id).copied().unwrap_or(0);
            Ok(DiscussionView::build(d, zone, author, my_vote))
        })
        .collect()
}

pub async fn create(
    db: &DatabaseConnection,
    zone_slug: &str,
    actor: &Actor,
    new: NewDiscussion,
) -> AppResult<DiscussionView> {
    let zone = super::zones::find(db, zone_slug).await?;
    let now = Utc::now();
    let body_html = markdown::render(new.body.as_ref());
    let txn = crate::db::begin_write(db).await?;
    let poll = new.poll;
    let row = discussion::ActiveModel {
        zone_id: Set(zone.id),
        author_id: Set(actor.id),
        title: Set(new.title.into_inner()),
        body: Set(new.body.into_inner()),
        body_html: Set(body_html),
        score: Set(0),
        comment_count: Set(0),
        view_count: Set(0),
        recognized: Set(false),
        locked: Set(false),
        pinned: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        edited_at: Set(None),
        last_activity_at: Set(now),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if let Some(poll) = poll {
        super::polls::insert(&txn, row.id, poll, now).await?;
    }
    super::badges::evaluate(&txn, Trigger::DiscussionStarted { author: actor.id }, now).await?;
    super::follows::discussion_started(&txn, actor.id, row.id, now).await?;
    search_jobs::enqueue(&txn, SearchJob::Discussion { id: row.id }).await?;
    // The author hears about replies, by e-mail if their settings say so.
    let wants_mail = entity::member::Entity::find_by_id(actor.id)
        .one(&txn)
        .await?
        .is_none_or(|m| m.email_on_discussion_reply);
    super::subscriptions::subscribe_default(&txn, actor.id, row.id, wants_mail, now).await?;
    txn.commit().await?;
    one_view(db, row, Some(actor)).await
}

async fn one_view(
    db: &impl ConnectionTrait,
    row: discussion::Model,
    viewer: Option<&Actor>,
) -> AppResult<DiscussionView> {
    views(db, vec![row], viewer)
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a discussion view went missing")))
}

pub async fn list(
    db: &impl ConnectionTrait,
    zone_slug: &str,
    sort: SortOrder,
    paging: Paging,
    viewer: Option<&Actor>,
) -> AppResult<(Vec<DiscussionView>, u64)> {
    let zone = super::zones::find(db, zone_slug).await?;
    let base = discussion::Entity::find()
        .filter(discussion::Column::ZoneId.eq(zone.id))
        .filter(discussion::Column::DeletedAt.is_null());
    let total = base.clone().count(db).await?;
    // Pinned discussions stay on top whatever the order.
    let ordered = base.order_by_desc(discussion::Column::Pinned);
    let ordered = match sort {
        SortOrder::Latest => ordered.order_by_desc(discussion::Column::CreatedAt),
        SortOrder::Top => ordered
            .order_by_desc(discussion::Column::Score)
            .order_by_desc(discussion::Column::CreatedAt),
        SortOrder::Active => ordered.order_by_desc(discussion::Column::LastActivityAt),
    };
    let rows = ordered
        .order_by_desc(discussion::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page)
        .all(db)
        .await?;
    Ok((views(db, rows, viewer).await?, total))
}

/// The newest discussions across every zone, for the home page.
pub async fn latest(db: &impl ConnectionTrait, limit: u64) -> AppResult<Vec<DiscussionView>> {
    let rows = discussion::Entity::find()
        .filter(discussion::Column::DeletedAt.is_null())
        .order_by_desc(discussion::Column::LastActivityAt)
        .order_by_desc(discussion::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    views(db, rows, None).await
}

/// Discussions a member started: newest first, or (`best_first`) highest score first.
pub async fn by_author(
    db: &impl ConnectionTrait,
    author_id: i32,
    best_first: bool,
    limit: u64,
) -> AppResult<Vec<DiscussionView>> {
    let mut query = discussion::Entity::find()
        .filter(discussion::Column::AuthorId.eq(author_id))
        .filter(discussion::Column::DeletedAt.is_null());
    if best_first {
        query = query.order_by_desc(discussion::Column::Score);
    }
    let rows = query
        .order_by_desc(discussion::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    views(db, rows, None).await
}

/// A live (not deleted) discussion row.
pub async fn find(db: &impl ConnectionTrait, id: i32) -> AppResult<discussion::Model> {
    discussion::Entity::find_by_id(id)
        .filter(discussion::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Discussion"))
}

/// Reads a discussion for display, counting the view when asked.
pub async fn read(
    db: &impl ConnectionTrait,
    id: i32,
    viewer: Option<&Actor>,
    count_view: bool,
) -> AppResult<DiscussionView> {
    let mut row = find(db, id).await?;
    if count_view {
        discussion::Entity::update_many()
            .col_expr(
                discussion::Column::ViewCount,
                Expr::col(discussion::Column::ViewCount).add(1),
            )
            .filter(discussion::Column::Id.eq(id))
            .exec(db)
            .await?;
        row.view_count += 1;
    }
    one_view(db, row, viewer).await
}

pub async fn update(
    db: &DatabaseConnection,
    id: i32,
    actor: &Actor,
    edit: DiscussionEdit,
) -> AppResult<DiscussionView> {
    let txn = crate::db::begin_write(db).await?;
    let row = find(&txn, id).await?;
    if !actor.may_change(row.author_id) {
        return Err(AppError::forbidden(
            "Only the author or a moderator may edit this discussion",
        ));
    }
    let now = Utc::now();
    // A new title changes every comment's document too (they carry it).
    let job = if edit.title.as_ref().is_some_and(|t| t.as_ref() != row.title) {
        SearchJob::Thread { id: row.id }
    } else {
        SearchJob::Discussion { id: row.id }
    };
    let mut active: discussion::ActiveModel = row.into();
    if let Some(title) = edit.title {
        active.title = Set(title.into_inner());
    }
    if let Some(body) = edit.body {
        active.body_html = Set(markdown::render(body.as_ref()));
        active.body = Set(body.into_inner());
    }
    active.updated_at = Set(now);
    active.edited_at = Set(Some(now));
    let row = active.update(&txn).await?;
    search_jobs::enqueue(&txn, job).await?;
    txn.commit().await?;
    one_view(db, row, Some(actor)).await
}

pub async fn delete(db: &DatabaseConnection, id: i32, actor: &Actor) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    super::reputation::lock_item(&txn, Target::Discussion(id)).await?;
    let row = find(&txn, id).await?;
    if !actor.may_change(row.author_id) {
        return Err(AppError::forbidden(
            "Only the author or a moderator may delete this discussion",
        ));
    }
    let now = Utc::now();
    let item = super::reputation::load_item(&txn, Target::Discussion(id)).await?;
    let mut active: discussion::ActiveModel = row.into();
    active.deleted_at = Set(Some(now));
    active.update(&txn).await?;
    super::reputation::item_deleted(&txn, &item, now).await?;
    search_jobs::enqueue(&txn, SearchJob::Thread { id }).await?;
    txn.commit().await?;
    Ok(())
}

/// Moderators lock (no new comments) and pin (stays on top of its zone).
pub async fn moderate(
    db: &DatabaseConnection,
    id: i32,
    actor: &Actor,
    locked: Option<bool>,
    pinned: Option<bool>,
) -> AppResult<DiscussionView> {
    if !actor.role.can_moderate() {
        return Err(AppError::forbidden(
            "Only moderators may lock or pin discussions",
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let row = find(&txn, id).await?;
    let mut active: discussion::ActiveModel = row.into();
    if let Some(locked) = locked {
        active.locked = Set(locked);
    }
    if let Some(pinned) = pinned {
        active.pinned = Set(pinned);
    }
    let row = active.update(&txn).await?;
    txn.commit().await?;
    one_view(db, row, Some(actor)).await
}
