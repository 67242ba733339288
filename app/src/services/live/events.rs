//! The replay of a session's live stream, and its pruning.

use chrono::{DateTime, Utc};
use entity::{live_event, qa_question};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{REPLAY_LIMIT, event, find_question};
use crate::error::AppResult;

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
