//! "Great Idea": leaders, moderators and admins recognise a post (+15 to its author),
//! or withdraw the recognition.

use chrono::{DateTime, Utc};
use entity::{comment, discussion};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::Actor;
use super::effects::{self, Effect};
use super::items::{self, Locks};
use super::ledger::{Ledger, NewEvent, RULES, kind};
use crate::domain::{Post, Role};
use crate::error::{AppError, AppResult, Code};
use crate::views::{CommentView, DiscussionView, posts};

/// Recognises a post (`on`) or withdraws the recognition; doing it twice changes nothing.
pub async fn recognize(
    db: &DatabaseConnection,
    actor: &Actor,
    post: Post,
    on: bool,
    now: DateTime<Utc>,
) -> AppResult<PostView> {
    if actor.role < Role::Leader {
        return Err(AppError::forbidden(
            "Only leaders, moderators and admins may recognise great ideas",
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let locks = Locks::new(&txn).post(post).await?;
    let item = items::load(&txn, post).await?;
    if item.author_id == actor.id {
        return Err(AppError::coded(
            Code::SelfRecognize,
            "You cannot recognise your own post",
        ));
    }
    if item.recognized == on {
        txn.commit().await?;
        return view(db, post, actor).await;
    }
    let locked = locks.members([item.author_id]).await?;
    match post {
        Post::Discussion(id) => {
            discussion::Entity::update_many()
                .col_expr(discussion::Column::Recognized, Expr::value(on))
                .filter(discussion::Column::Id.eq(id))
                .exec(&txn)
                .await?;
        }
        Post::Comment(id) => {
            comment::Entity::update_many()
                .col_expr(comment::Column::Recognized, Expr::value(on))
                .filter(comment::Column::Id.eq(id))
                .exec(&txn)
                .await?;
        }
    }
    let mut ledger = Ledger::new(&locked, &txn, now);
    let event = if on {
        Some((kind::RECOGNIZED, RULES.recognized))
    } else {
        let given = ledger.recognition_given(&item).await?;
        (given != 0).then_some((kind::RECOGNITION_WITHDRAWN, -given))
    };
    if let Some((event_kind, points)) = event {
        let event = NewEvent {
            member_id: item.author_id,
            kind: event_kind,
            points,
            vote_id: None,
            actor_id: Some(actor.id),
        };
        ledger.record(&item, event).await?;
    }
    let reputation_changed = ledger.settle().await?;
    effects::record(
        &txn,
        Effect::Recognized {
            item: &item,
            actor: actor.id,
            on,
            reputation_changed,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    view(db, post, actor).await
}

/// A post as a client sees it after recognition: the discussion or the comment.
#[derive(Debug, serde::Serialize)]
#[serde(untagged)]
pub enum PostView {
    Discussion(DiscussionView),
    Comment(CommentView),
}

async fn view(db: &DatabaseConnection, post: Post, actor: &Actor) -> AppResult<PostView> {
    Ok(match post {
        Post::Discussion(id) => {
            let row = items::discussion(db, id).await?;
            PostView::Discussion(posts::discussion(db, row, Some(actor)).await?)
        }
        Post::Comment(id) => {
            let (row, _) = items::comment(db, id).await?;
            PostView::Comment(posts::comment(db, row, Some(actor)).await?)
        }
    })
}
