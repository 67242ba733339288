//! Votes on posts: cast, change or clear, with exact scores under concurrency.

use chrono::{DateTime, Utc};
use entity::{comment, discussion, member, vote};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};

use super::Actor;
use super::effects::{self, Effect};
use super::items::{self, Locks};
use super::ledger::{Ledger, RULES, kind};
use crate::domain::Post;
use crate::error::{AppError, AppResult, Code};

/// A vote's value: up, down or cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoteValue(i32);

impl VoteValue {
    pub fn parse(raw: i64) -> AppResult<Self> {
        match raw {
            -1..=1 => Ok(Self(raw as i32)),
            _ => Err(AppError::validation("value", "must be 1, -1 or 0")),
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// The outcome of a vote.
#[derive(Debug, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
pub struct VoteOutcome {
    pub score: i32,
    /// -1, 0 or 1.
    pub my_vote: i32,
}

/// Casts, changes or clears a vote.
pub async fn vote(
    db: &DatabaseConnection,
    voter: &Actor,
    post: Post,
    value: VoteValue,
    now: DateTime<Utc>,
) -> AppResult<VoteOutcome> {
    let txn = crate::db::begin_write(db).await?;
    let locks = Locks::new(&txn).post(post).await?;
    let item = items::load(&txn, post).await?;
    if item.locked {
        return Err(super::discussions::locked());
    }
    if item.author_id == voter.id {
        return Err(AppError::coded(
            Code::SelfVote,
            "You cannot vote on your own post",
        ));
    }
    let locked = locks.members([voter.id, item.author_id]).await?;
    if value.get() < 0 && !voter.role.can_moderate() {
        let me = member::Entity::find_by_id(voter.id)
            .one(&txn)
            .await?
            .ok_or_else(AppError::not_signed_in)?;
        if me.reputation < RULES.downvote_min_reputation {
            return Err(AppError::coded(
                Code::InsufficientReputation,
                format!(
                    "Downvoting needs {} reputation",
                    RULES.downvote_min_reputation
                ),
            ));
        }
    }
    let existing = vote::Entity::find()
        .filter(vote::Column::MemberId.eq(voter.id))
        .filter(vote::Column::TargetKind.eq(post.kind().as_str()))
        .filter(vote::Column::TargetId.eq(post.id()))
        .one(&txn)
        .await?;
    let old = existing.as_ref().map(|v| v.value).unwrap_or(0);
    let new = value.get();
    if old == new {
        txn.commit().await?;
        return Ok(VoteOutcome {
            score: item.score,
            my_vote: new,
        });
    }
    let mut ledger = Ledger::new(&locked, &txn, now);
    if let Some(v) = &existing {
        ledger
            .reverse_vote(&item, v.id, kind::VOTE_REVERSED)
            .await?;
    }
    let saved = match (existing, new) {
        (Some(v), 0) => {
            vote::Entity::delete_by_id(v.id).exec(&txn).await?;
            None
        }
        (Some(v), _) => {
            let mut active: vote::ActiveModel = v.into();
            active.value = Set(new);
            active.updated_at = Set(now);
            Some(active.update(&txn).await?)
        }
        (None, _) => Some(
            vote::ActiveModel {
                member_id: Set(voter.id),
                target_kind: Set(post.kind().as_str().to_string()),
                target_id: Set(post.id()),
                author_id: Set(item.author_id),
                value: Set(new),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        ),
    };
    if let Some(v) = &saved {
        ledger.vote_cast(&item, voter.id, v).await?;
    }
    let score = bump_score(&txn, post, new - old).await?;
    let reputation_changed = ledger.settle().await?;
    effects::record(
        &txn,
        Effect::VoteChanged {
            post,
            voter: voter.id,
            value: new,
            author: item.author_id,
            score,
            reputation_changed,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(VoteOutcome {
        score,
        my_vote: new,
    })
}

/// Moves a post's score atomically and returns the new score, in one statement.
async fn bump_score(txn: &impl ConnectionTrait, post: Post, delta: i32) -> AppResult<i32> {
    match post {
        Post::Discussion(id) => Ok(discussion::Entity::update_many()
            .col_expr(
                discussion::Column::Score,
                Expr::col(discussion::Column::Score).add(delta),
            )
            .filter(discussion::Column::Id.eq(id))
            .exec_with_returning(txn)
            .await?
            .first()
            .map(|d| d.score)
            .unwrap_or(0)),
        Post::Comment(id) => Ok(comment::Entity::update_many()
            .col_expr(
                comment::Column::Score,
                Expr::col(comment::Column::Score).add(delta),
            )
            .filter(comment::Column::Id.eq(id))
            .exec_with_returning(txn)
            .await?
            .first()
            .map(|c| c.score)
            .unwrap_or(0)),
    }
}
