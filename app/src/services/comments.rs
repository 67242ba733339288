//! Threaded comments: replies to the discussion and to each other, any depth.

use chrono::{DateTime, Utc};
use entity::{comment, discussion};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};

use super::Actor;
use super::audit::{Action, By, Target};
use super::effects::{self, Effect};
use super::items::{self, BeforeMembers, Locks};
use super::{ledger, revisions};
use crate::domain::{Body, Post};
use crate::error::{AppError, AppResult};
use crate::markdown;
use crate::views::{CommentView, posts};

pub async fn create(
    db: &DatabaseConnection,
    discussion_id: i32,
    actor: &Actor,
    body: Body,
    parent_id: Option<i32>,
) -> AppResult<CommentView> {
    super::site::check_new_member(db, actor, body.as_ref()).await?;
    let body_html = markdown::render(body.as_ref());
    let txn = crate::db::begin_write(db).await?;
    // The discussion's row is locked before `locked` is read, so a comment cannot slip
    // past a concurrent lock or deletion (PostgreSQL reads committed rows without
    // waiting; the lock makes this transaction wait for the other's outcome).
    Locks::new(&txn).discussion(discussion_id).await?;
    let discussion = items::discussion(&txn, discussion_id).await?;
    if discussion.locked && !actor.role.can_moderate() {
        return Err(super::discussions::locked());
    }
    let mut parent_path: Option<String> = None;
    let depth = match parent_id {
        None => 0,
        Some(pid) => {
            let parent = comment::Entity::find_by_id(pid).one(&txn).await?;
            match parent {
                Some(p) if p.discussion_id != discussion_id => {
                    return Err(AppError::validation(
                        "parent_id",
                        "must be a comment in the same discussion",
                    ));
                }
                Some(p) if p.deleted_at.is_some() => {
                    return Err(AppError::validation(
                        "parent_id",
                        "refers to a deleted comment",
                    ));
                }
                Some(p) => {
                    parent_path = p.thread_path.clone();
                    p.depth + 1
                }
                None => {
                    return Err(AppError::validation(
                        "parent_id",
                        "is not an existing comment",
                    ));
                }
            }
        }
    };
    let now = Utc::now();
    let row = comment::ActiveModel {
        discussion_id: Set(discussion_id),
        parent_id: Set(parent_id),
        author_id: Set(actor.id),
        depth: Set(depth),
        body: Set(body.into_inner()),
        body_html: Set(body_html),
        score: Set(0),
        recognized: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        edited_at: Set(None),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // The database sets the path as it inserts the row (m0014): the same as this.
    let path = crate::views::posts::child_path(parent_path.as_deref(), row.id);
    let row = comment::Model {
        thread_path: Some(path),
        ..row
    };
    discussion::Entity::update_many()
        .col_expr(
            discussion::Column::CommentCount,
            Expr::col(discussion::Column::CommentCount).add(1),
        )
        .col_expr(discussion::Column::LastActivityAt, Expr::value(now))
        .filter(discussion::Column::Id.eq(discussion.id))
        .exec(&txn)
        .await?;
    let posted = Effect::CommentPosted {
        discussion: &discussion,
        comment: &row,
    };
    effects::record(&txn, posted, now).await?;
    txn.commit().await?;
    posts::new_comment(db, row, actor).await
}

pub async fn update(
    db: &DatabaseConnection,
    id: i32,
    actor: &Actor,
    body: Body,
) -> AppResult<CommentView> {
    let txn = crate::db::begin_write(db).await?;
    let (row, discussion) = items::comment(&txn, id).await?;
    if !actor.may_change(row.author_id) {
        return Err(AppError::forbidden(
            "Only the author or a moderator may edit this comment",
        ));
    }
    if discussion.locked && !actor.role.can_moderate() {
        return Err(super::discussions::locked());
    }
    super::site::check_new_member(&txn, actor, body.as_ref()).await?;
    if row.body == body.as_ref() {
        txn.commit().await?;
        return posts::comment(db, row, Some(actor)).await;
    }
    let now = Utc::now();
    let by_moderator = revisions::by_moderator(actor, row.author_id);
    let before = revisions::Version {
        title: None,
        body: row.body.clone(),
        editor_id: row.author_id,
        by_moderator: row.edited_by_moderator,
        at: row.edited_at.unwrap_or(row.created_at),
    };
    let mut active: comment::ActiveModel = row.into();
    active.body_html = Set(markdown::render(body.as_ref()));
    active.body = Set(body.into_inner());
    active.updated_at = Set(now);
    active.edited_at = Set(Some(now));
    active.edited_by_moderator = Set(by_moderator);
    let row = active.update(&txn).await?;
    let after = revisions::Version {
        title: None,
        body: row.body.clone(),
        editor_id: actor.id,
        by_moderator,
        at: now,
    };
    revisions::record_edit(&txn, Post::Comment(id), before, after).await?;
    effects::record(&txn, Effect::CommentEdited { id: row.id }, now).await?;
    if by_moderator {
        let audited = Effect::Audited {
            by: By::actor(actor),
            action: Action::PostEdited,
            target: Target::Comment(id),
        };
        effects::record(&txn, audited, now).await?;
    }
    txn.commit().await?;
    posts::comment(db, row, Some(actor)).await
}

/// Deletes a comment but keeps its place (and its replies) in the thread.
pub async fn delete(db: &DatabaseConnection, id: i32, actor: &Actor) -> AppResult<i32> {
    let txn = crate::db::begin_write(db).await?;
    // Lock order everywhere: discussion, then comment, then members; a vote on the
    // discussion takes the discussion first too, so the two cannot deadlock.
    let locks = Locks::new(&txn);
    let locks = match comment::Entity::find_by_id(id).one(&txn).await? {
        Some(c) => locks.discussion(c.discussion_id).await?.comment(id).await?,
        None => return Err(AppError::not_found("Comment")),
    };
    let item = items::load(&txn, Post::Comment(id)).await?;
    if !actor.may_change(item.author_id) {
        return Err(AppError::forbidden(
            "Only the author or a moderator may delete this comment",
        ));
    }
    remove(locks, &txn, id, actor, Utc::now()).await?;
    txn.commit().await?;
    Ok(item.discussion_id)
}

/// Soft-deletes a comment whose row `locks` holds: its place stays, its votes'
/// reputation is given back, and a moderator's deletion of another's comment is
/// audited.
pub async fn remove<'t, C: ConnectionTrait, S: BeforeMembers>(
    locks: Locks<'t, C, S>,
    txn: &'t C,
    id: i32,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let item = items::load(txn, Post::Comment(id)).await?;
    comment::Entity::update_many()
        .col_expr(comment::Column::DeletedAt, Expr::value(now))
        .filter(comment::Column::Id.eq(id))
        .exec(txn)
        .await?;
    discussion::Entity::update_many()
        .col_expr(
            discussion::Column::CommentCount,
            Expr::col(discussion::Column::CommentCount).sub(1),
        )
        .filter(discussion::Column::Id.eq(item.discussion_id))
        .exec(txn)
        .await?;
    let reputation_changed = ledger::item_deleted(locks, txn, &item, now).await?;
    let deleted = Effect::PostDeleted {
        post: item.post,
        reputation_changed,
    };
    effects::record(txn, deleted, now).await?;
    if actor.id != item.author_id {
        let audited = Effect::Audited {
            by: By::actor(actor),
            action: Action::PostDeleted,
            target: Target::Comment(id),
        };
        effects::record(txn, audited, now).await?;
    }
    Ok(())
}
