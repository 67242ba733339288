//! Threaded comments: replies to the discussion and to each other, any depth.

use std::collections::HashMap;

use chrono::Utc;
use entity::{comment, discussion};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use super::{Actor, members_by_id};
use crate::domain::Body;
use crate::error::{AppError, AppResult};
use crate::jobs::search::{self as search_jobs, SearchJob};
use crate::markdown;
use crate::views::{CommentView, MemberRef};

/// Puts comments in thread order: each after its parent, siblings oldest first.
/// Comments whose parent is missing are treated as top-level, so none is ever lost.
pub fn thread_order(mut rows: Vec<comment::Model>) -> Vec<comment::Model> {
    rows.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let known: std::collections::HashSet<i32> = rows.iter().map(|c| c.id).collect();
    let mut children: HashMap<Option<i32>, Vec<usize>> = HashMap::new();
    for (i, c) in rows.iter().enumerate() {
        let parent = c.parent_id.filter(|p| known.contains(p));
        children.entry(parent).or_default().push(i);
    }
    let mut order = Vec::with_capacity(rows.len());
    // Depth-first, iteratively, so a very deep thread cannot overflow the stack.
    let mut stack: Vec<usize> = children
        .get(&None)
        .map(|v| v.iter().rev().copied().collect())
        .unwrap_or_default();
    while let Some(i) = stack.pop() {
        order.push(i);
        if let Some(kids) = children.get(&Some(rows[i].id)) {
            stack.extend(kids.iter().rev().copied());
        }
    }
    let mut slots: Vec<Option<comment::Model>> = rows.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<comment::Model>,
    viewer: Option<&Actor>,
) -> AppResult<Vec<CommentView>> {
    let ids: Vec<i32> = rows.iter().map(|c| c.id).collect();
    let my_votes = super::reputation::my_votes(db, viewer, "comment", &ids).await?;
    let authors = members_by_id(
        db,
        rows.iter()
            .filter(|c| c.deleted_at.is_none())
            .map(|c| c.author_id),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let author = authors.get(&c.author_id).map(MemberRef::from_model);
            let my_vote = my_votes.get(&c.id).copied().unwrap_or(0);
            CommentView::build(c, author, my_vote)
        })
        .collect())
}

/// Every comment of a discussion, in thread order, deleted ones in their place.
pub async fn thread(
    db: &impl ConnectionTrait,
    discussion_id: i32,
    viewer: Option<&Actor>,
) -> AppResult<Vec<CommentView>> {
    let rows = comment::Entity::find()
        .filter(comment::Column::DiscussionId.eq(discussion_id))
        .order_by_asc(comment::Column::Id)
        .all(db)
        .await?;
    views(db, thread_order(rows), viewer).await
}

/// A live comment of a live discussion.
pub async fn find(db: &impl ConnectionTrait, id: i32) -> AppResult<comment::Model> {
    Ok(find_with_discussion(db, id).await?.0)
}

/// A live comment and its (live) discussion.
pub async fn find_with_discussion(
    db: &impl ConnectionTrait,
    id: i32,
) -> AppResult<(comment::Model, discussion::Model)> {
    let row = comment::Entity::find_by_id(id)
        .filter(comment::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Comment"))?;
    // A comment of a deleted discussion is gone with it.
    let discussion = super::discussions::find(db, row.discussion_id)
        .await
        .map_err(|_| AppError::not_found("Comment"))?;
    Ok((row, discussion))
}

async fn one_view(
    db: &impl ConnectionTrait,
    row: comment::Model,
    viewer: &Actor,
) -> AppResult<CommentView> {
    views(db, vec![row], Some(viewer))
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a comment view went missing")))
}

pub async fn create(
    db: &DatabaseConnection,
    discussion_id: i32,
    actor: &Actor,
    body: Body,
    parent_id: Option<i32>,
) -> AppResult<CommentView> {
    let body_html = markdown::render(body.as_ref());
    let txn = crate::db::begin_write(db).await?;
    let discussion = super::discussions::find(&txn, discussion_id).await?;
    if discussion.locked && !actor.role.can_moderate() {
        return Err(AppError::Forbidden {
            code: "discussion_locked",
            message: "This discussion is locked: no new comments".into(),
        });
    }
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
                Some(p) => p.depth + 1,
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
    discussion::Entity::update_many()
        .col_expr(
            discussion::Column::CommentCount,
            Expr::col(discussion::Column::CommentCount).add(1),
        )
        .col_expr(discussion::Column::LastActivityAt, Expr::value(now))
        .filter(discussion::Column::Id.eq(discussion.id))
        .exec(&txn)
        .await?;
    super::badges::evaluate(
        &txn,
        super::badges::Trigger::CommentPosted {
            author: actor.id,
            discussion_author: discussion.author_id,
        },
        now,
    )
    .await?;
    search_jobs::enqueue(&txn, SearchJob::Comment { id: row.id }).await?;
    super::subscriptions::comment_posted(&txn, &discussion, &row, now).await?;
    txn.commit().await?;
    one_view(db, row, actor).await
}

pub async fn update(
    db: &DatabaseConnection,
    id: i32,
    actor: &Actor,
    body: Body,
) -> AppResult<CommentView> {
    let txn = crate::db::begin_write(db).await?;
    let row = find(&txn, id).await?;
    if !actor.may_change(row.author_id) {
        return Err(AppError::forbidden(
            "Only the author or a moderator may edit this comment",
        ));
    }
    let now = Utc::now();
    let mut active: comment::ActiveModel = row.into();
    active.body_html = Set(markdown::render(body.as_ref()));
    active.body = Set(body.into_inner());
    active.updated_at = Set(now);
    active.edited_at = Set(Some(now));
    let row = active.update(&txn).await?;
    search_jobs::enqueue(&txn, SearchJob::Comment { id: row.id }).await?;
    txn.commit().await?;
    one_view(db, row, actor).await
}

/// Deletes a comment but keeps its place (and its replies) in the thread.
pub async fn delete(db: &DatabaseConnection, id: i32, actor: &Actor) -> AppResult<i32> {
    let txn = crate::db::begin_write(db).await?;
    // Lock order everywhere: discussion, then comment, then members; a vote on the
    // discussion takes the discussion first too, so the two cannot deadlock.
    if let Some(c) = comment::Entity::find_by_id(id).one(&txn).await? {
        super::reputation::lock_item(&txn, super::reputation::Target::Discussion(c.discussion_id))
            .await?;
    }
    super::reputation::lock_item(&txn, super::reputation::Target::Comment(id)).await?;
    let row = find(&txn, id).await?;
    if !actor.may_change(row.author_id) {
        return Err(AppError::forbidden(
            "Only the author or a moderator may delete this comment",
        ));
    }
    let discussion_id = row.discussion_id;
    let now = Utc::now();
    let item = super::reputation::load_item(&txn, super::reputation::Target::Comment(id)).await?;
    let mut active: comment::ActiveModel = row.into();
    active.deleted_at = Set(Some(now));
    active.update(&txn).await?;
    super::reputation::item_deleted(&txn, &item, now).await?;
    search_jobs::enqueue(&txn, SearchJob::Comment { id }).await?;
    discussion::Entity::update_many()
        .col_expr(
            discussion::Column::CommentCount,
            Expr::col(discussion::Column::CommentCount).sub(1),
        )
        .filter(discussion::Column::Id.eq(discussion_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(discussion_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn c(id: i32, parent: Option<i32>) -> comment::Model {
        let t = Utc
            .timestamp_opt(1_700_000_000 + i64::from(id), 0)
            .single()
            .unwrap_or_default();
        comment::Model {
            id,
            discussion_id: 1,
            parent_id: parent,
            author_id: 1,
            depth: 0,
            body: String::new(),
            body_html: String::new(),
            score: 0,
            recognized: false,
            created_at: t,
            updated_at: t,
            edited_at: None,
            deleted_at: None,
        }
    }

    #[test]
    fn orders_each_reply_after_its_parent_and_siblings_oldest_first() {
        let rows = vec![
            c(1, None),
            c(2, None),
            c(3, Some(1)),
            c(4, Some(3)),
            c(5, Some(1)),
            c(6, Some(2)),
        ];
        let ids: Vec<i32> = thread_order(rows).iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![1, 3, 4, 5, 2, 6]);
    }

    #[test]
    fn keeps_orphans() {
        let ids: Vec<i32> = thread_order(vec![c(2, Some(99)), c(1, None)])
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, vec![1, 2]);
    }
}
