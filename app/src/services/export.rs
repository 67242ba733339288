//! "Download my data": everything the forum holds about a member, as one JSON document.
//! Secrets (password hash, session secrets) are never in it; a session is described by
//! what the member sees of it in their session list.

use chrono::Utc;
use entity::{
    comment, discussion, discussion_read, follow, member, member_badge, notification, poll_ballot,
    qa_question, qa_vote, quiz_attempt, reputation_event, subscription, vote,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use super::sessions;
use crate::error::AppResult;

/// Rows of `E` where `column` is the member, as JSON objects, in id order.
async fn rows<E, C>(
    db: &impl ConnectionTrait,
    column: C,
    member_id: i32,
    order: C,
) -> AppResult<Value>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    let found = E::find()
        .filter(column.eq(member_id))
        .order_by_asc(order)
        .into_json()
        .all(db)
        .await?;
    Ok(Value::Array(found))
}

pub async fn export(db: &impl ConnectionTrait, m: &member::Model) -> AppResult<Value> {
    let id = m.id;
    let sessions = sessions::list(db, id, "").await?;
    Ok(json!({
        "exported_at": Utc::now(),
        "member": {
            "username": m.username,
            "email": m.email,
            "email_verified": m.email_verified,
            "display_name": m.display_name,
            "role": m.role,
            "reputation": m.reputation,
            "joined_at": m.created_at,
            "single_sign_on_subject": m.oidc_subject,
            "has_profile_picture": m.avatar_version.is_some(),
            "settings": {
                "email_on_discussion_reply": m.email_on_discussion_reply,
                "email_on_comment_reply": m.email_on_comment_reply,
                "email_on_mention": m.email_on_mention,
                "digest": m.digest,
            },
        },
        "discussions": rows::<discussion::Entity, _>(db, discussion::Column::AuthorId, id, discussion::Column::Id).await?,
        "comments": rows::<comment::Entity, _>(db, comment::Column::AuthorId, id, comment::Column::Id).await?,
        "votes": rows::<vote::Entity, _>(db, vote::Column::MemberId, id, vote::Column::Id).await?,
        "follows": rows::<follow::Entity, _>(db, follow::Column::FollowerId, id, follow::Column::Id).await?,
        "subscriptions": rows::<subscription::Entity, _>(db, subscription::Column::MemberId, id, subscription::Column::Id).await?,
        "notifications": rows::<notification::Entity, _>(db, notification::Column::MemberId, id, notification::Column::Id).await?,
        "badges": rows::<member_badge::Entity, _>(db, member_badge::Column::MemberId, id, member_badge::Column::Id).await?,
        "reputation_events": rows::<reputation_event::Entity, _>(db, reputation_event::Column::MemberId, id, reputation_event::Column::Id).await?,
        "poll_ballots": rows::<poll_ballot::Entity, _>(db, poll_ballot::Column::MemberId, id, poll_ballot::Column::Id).await?,
        "quiz_attempts": rows::<quiz_attempt::Entity, _>(db, quiz_attempt::Column::MemberId, id, quiz_attempt::Column::Id).await?,
        "live_questions": rows::<qa_question::Entity, _>(db, qa_question::Column::AuthorId, id, qa_question::Column::Id).await?,
        "live_question_votes": rows::<qa_vote::Entity, _>(db, qa_vote::Column::MemberId, id, qa_vote::Column::Id).await?,
        "discussions_read": rows::<discussion_read::Entity, _>(db, discussion_read::Column::MemberId, id, discussion_read::Column::Id).await?,
        "sessions": sessions.sessions,
    }))
}
