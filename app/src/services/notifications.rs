//! In-app notifications.

use chrono::{DateTime, Utc};
use entity::notification;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::items::members_by_id;
use crate::error::AppResult;
use crate::views::MemberRef;

pub struct New<'a> {
    pub member_id: i32,
    pub kind: &'a str,
    pub discussion_id: Option<i32>,
    pub comment_id: Option<i32>,
    pub actor_id: Option<i32>,
    pub badge_slug: Option<&'a str>,
    /// For `idea_status`: the status the idea moved to.
    pub idea_status: Option<&'a str>,
}

pub async fn create(db: &impl ConnectionTrait, new: New<'_>, now: DateTime<Utc>) -> AppResult<()> {
    notification::ActiveModel {
        member_id: Set(new.member_id),
        kind: Set(new.kind.to_string()),
        discussion_id: Set(new.discussion_id),
        comment_id: Set(new.comment_id),
        actor_id: Set(new.actor_id),
        badge_slug: Set(new.badge_slug.map(str::to_string)),
        idea_status: Set(new.idea_status.map(str::to_string)),
        read_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i32,
    /// `reply`, `comment_reply`, `mention`, `recognition`, `badge`,
    /// `followed_discussion` (a followed member started one), `followed_update` (a
    /// followed leader posted an update), `post_hidden`,
    /// `post_removed`, `post_restored` (moderation of the member's post),
    /// `flag_agreed` or `flag_disagreed` (the outcome of the member's flag),
    /// `idea_status` (a leader moved an idea the member follows; see `idea_status`).
    pub kind: String,
    pub discussion_id: Option<i32>,
    pub comment_id: Option<i32>,
    /// Who caused it; null for badges.
    pub actor: Option<MemberRef>,
    /// The badge's slug, for `badge` notifications.
    pub badge: Option<String>,
    /// For `idea_status`: the status the idea moved to.
    pub idea_status: Option<String>,
    pub read: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationList {
    pub notifications: Vec<NotificationView>,
    pub unread: u64,
}

pub async fn unread_count(db: &impl ConnectionTrait, member_id: i32) -> AppResult<u64> {
    Ok(notification::Entity::find()
        .filter(notification::Column::MemberId.eq(member_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

pub async fn list(db: &impl ConnectionTrait, member_id: i32) -> AppResult<NotificationList> {
    let rows = notification::Entity::find()
        .filter(notification::Column::MemberId.eq(member_id))
        .order_by_desc(notification::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    let actors = members_by_id(db, rows.iter().filter_map(|n| n.actor_id)).await?;
    let notifications = rows
        .into_iter()
        .map(|n| NotificationView {
            id: n.id,
            kind: n.kind,
            discussion_id: n.discussion_id,
            comment_id: n.comment_id,
            actor: n
                .actor_id
                .and_then(|a| actors.get(&a))
                .map(MemberRef::from_model),
            badge: n.badge_slug,
            idea_status: n.idea_status,
            read: n.read_at.is_some(),
            created_at: n.created_at,
        })
        .collect();
    Ok(NotificationList {
        notifications,
        unread: unread_count(db, member_id).await?,
    })
}

/// Marks some (or all) of a member's notifications read. Ids of others are ignored.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    member_id: i32,
    ids: Option<Vec<i32>>,
) -> AppResult<()> {
    let mut update = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::MemberId.eq(member_id))
        .filter(notification::Column::ReadAt.is_null());
    if let Some(ids) = ids {
        if ids.is_empty() {
            return Ok(());
        }
        update = update.filter(notification::Column::Id.is_in(ids));
    }
    update.exec(db).await?;
    Ok(())
}
