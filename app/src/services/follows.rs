//! Following members and zones: a "Following" feed of new discussions from them, and a
//! notification when a followed member starts a discussion.

use chrono::{DateTime, Utc};
use entity::{discussion, follow, member, notification, zone};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::Actor;
use crate::domain::Paging;
use crate::error::{AppError, AppResult, Code};
use crate::views::{DiscussionView, MemberRef};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowState {
    pub following: bool,
    /// How many members follow this member or zone.
    pub followers: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowedZone {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Following {
    pub members: Vec<MemberRef>,
    pub zones: Vec<FollowedZone>,
}

/// What is followed.
#[derive(Debug, Clone, Copy)]
pub enum Followed {
    Member(i32),
    Zone(i32),
}

impl Followed {
    fn condition(self) -> Condition {
        match self {
            Followed::Member(id) => Condition::all().add(follow::Column::MemberId.eq(id)),
            Followed::Zone(id) => Condition::all().add(follow::Column::ZoneId.eq(id)),
        }
    }
}

pub async fn state(
    db: &impl ConnectionTrait,
    viewer: Option<&Actor>,
    target: Followed,
) -> AppResult<FollowState> {
    let followers = follow::Entity::find()
        .filter(target.condition())
        .count(db)
        .await?;
    let following = match viewer {
        Some(a) => {
            follow::Entity::find()
                .filter(target.condition())
                .filter(follow::Column::FollowerId.eq(a.id))
                .count(db)
                .await?
                > 0
        }
        None => false,
    };
    Ok(FollowState {
        following,
        followers,
    })
}

/// Follows (`on`) or unfollows. Idempotent either way.
pub async fn set(
    db: &DatabaseConnection,
    actor: &Actor,
    target: Followed,
    on: bool,
) -> AppResult<FollowState> {
    // Nobody follows themselves; unfollowing oneself is already true, so it answers
    // the state like any other unfollow.
    if let Followed::Member(id) = target
        && id == actor.id
        && on
    {
        return Err(AppError::coded(
            Code::SelfFollow,
            "You cannot follow yourself",
        ));
    }
    if on {
        let (member_id, zone_id, columns) = match target {
            Followed::Member(id) => (
                Some(id),
                None,
                [follow::Column::FollowerId, follow::Column::MemberId],
            ),
            Followed::Zone(id) => (
                None,
                Some(id),
                [follow::Column::FollowerId, follow::Column::ZoneId],
            ),
        };
        follow::Entity::insert(follow::ActiveModel {
            follower_id: Set(actor.id),
            member_id: Set(member_id),
            zone_id: Set(zone_id),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .on_conflict(OnConflict::columns(columns).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    } else {
        follow::Entity::delete_many()
            .filter(target.condition())
            .filter(follow::Column::FollowerId.eq(actor.id))
            .exec(db)
            .await?;
    }
    state(db, Some(actor), target).await
}

pub async fn following(db: &impl ConnectionTrait, actor: &Actor) -> AppResult<Following> {
    let rows = follow::Entity::find()
        .filter(follow::Column::FollowerId.eq(actor.id))
        .order_by_asc(follow::Column::Id)
        .all(db)
        .await?;
    let member_ids: Vec<i32> = rows.iter().filter_map(|f| f.member_id).collect();
    let zone_ids: Vec<i32> = rows.iter().filter_map(|f| f.zone_id).collect();
    let members = if member_ids.is_empty() {
        Vec::new()
    } else {
        member::Entity::find()
            .filter(member::Column::Id.is_in(member_ids))
            .order_by_asc(member::Column::Username)
            .all(db)
            .await?
    };
    let zones = if zone_ids.is_empty() {
        Vec::new()
    } else {
        zone::Entity::find()
            .filter(zone::Column::Id.is_in(zone_ids))
            .order_by_asc(zone::Column::Position)
            .all(db)
            .await?
    };
    Ok(Following {
        members: members.iter().map(MemberRef::from_model).collect(),
        zones: zones
            .into_iter()
            .map(|z| FollowedZone {
                slug: z.slug,
                name: z.name,
            })
            .collect(),
    })
}

/// New discussions by followed members and in followed zones, newest first.
pub async fn feed(
    db: &impl ConnectionTrait,
    actor: &Actor,
    paging: Paging,
) -> AppResult<(Vec<DiscussionView>, u64)> {
    use sea_orm::sea_query::Query;
    let followed_members = Query::select()
        .column(follow::Column::MemberId)
        .from(follow::Entity)
        .and_where(follow::Column::FollowerId.eq(actor.id))
        .and_where(follow::Column::MemberId.is_not_null())
        .to_owned();
    let followed_zones = Query::select()
        .column(follow::Column::ZoneId)
        .from(follow::Entity)
        .and_where(follow::Column::FollowerId.eq(actor.id))
        .and_where(follow::Column::ZoneId.is_not_null())
        .to_owned();
    let query = discussion::Entity::find()
        .filter(discussion::Column::DeletedAt.is_null())
        .filter(
            Condition::any()
                .add(discussion::Column::AuthorId.in_subquery(followed_members))
                .add(discussion::Column::ZoneId.in_subquery(followed_zones)),
        );
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(discussion::Column::CreatedAt)
        .order_by_desc(discussion::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page)
        .all(db)
        .await?;
    Ok((
        crate::views::posts::discussions(db, rows, Some(actor)).await?,
        total,
    ))
}

/// What a followed member started.
#[derive(Debug, Clone, Copy)]
pub enum Started {
    Discussion,
    /// A leadership update.
    Update,
}

/// Tells the author's followers about a new discussion or update, inside its
/// transaction.
pub async fn discussion_started(
    txn: &impl ConnectionTrait,
    author_id: i32,
    discussion_id: i32,
    started: Started,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let followers: Vec<i32> = follow::Entity::find()
        .select_only()
        .column(follow::Column::FollowerId)
        .filter(follow::Column::MemberId.eq(author_id))
        .into_tuple()
        .all(txn)
        .await?;
    if followers.is_empty() {
        return Ok(());
    }
    // A few statements however many followers there are (each within the databases'
    // limits on bound values).
    for chunk in followers.chunks(500) {
        let rows = chunk.iter().map(|&follower| notification::ActiveModel {
            member_id: Set(follower),
            kind: Set(match started {
                Started::Discussion => "followed_discussion",
                Started::Update => "followed_update",
            }
            .into()),
            discussion_id: Set(Some(discussion_id)),
            comment_id: Set(None),
            actor_id: Set(Some(author_id)),
            badge_slug: Set(None),
            read_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        });
        notification::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}
