//! What members ask and upvote, and what hosts and moderators do with questions.

use std::collections::HashSet;

use chrono::Utc;
use entity::{qa_question, qa_vote};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::views::{QuestionView, UpvoteResult, Viewer, public_view, question_views, voted_by};
use super::{Status, Text, closed, event, find, find_question, is_host, may_moderate, status};
use crate::error::{AppError, AppResult, Code};
use crate::live::LiveHub;
use crate::markdown;
use crate::services::Actor;
use crate::services::effects::{self, Effect};

pub async fn ask(
    db: &DatabaseConnection,
    hub: &LiveHub,
    session_id: i32,
    actor: &Actor,
    body: Text,
    anonymous: bool,
) -> AppResult<QuestionView> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let session = find(&txn, session_id).await?;
    if status(&session, now) == Status::Ended {
        return Err(closed());
    }
    let row = qa_question::ActiveModel {
        session_id: Set(session.id),
        author_id: Set(actor.id),
        anonymous: Set(anonymous),
        body_html: Set(markdown::render(&body.0)),
        body: Set(body.0),
        votes: Set(0),
        pinned: Set(false),
        dismissed: Set(false),
        answer: Set(None),
        answer_html: Set(None),
        answered_by: Set(None),
        answered_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let public = public_view(&txn, row.clone()).await?;
    let added = Effect::Live {
        session_id: session.id,
        question_id: Some(row.id),
        kind: event::QUESTION_ADDED,
        payload: to_payload(&public)?,
    };
    let after = effects::record(&txn, added, now).await?;
    txn.commit().await?;
    after.publish(hub);
    let viewer = Viewer {
        actor: Some(actor),
        voted: HashSet::new(),
    };
    question_views(db, vec![row], &viewer)
        .await?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a question view went missing")))
}

/// Upvotes a question, or takes the upvote back if there is one.
pub async fn toggle_upvote(
    db: &DatabaseConnection,
    hub: &LiveHub,
    question_id: i32,
    actor: &Actor,
) -> AppResult<UpvoteResult> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let question = find_question(&txn, question_id).await?;
    let session = find(&txn, question.session_id).await?;
    if question.dismissed {
        return Err(AppError::not_found("Question"));
    }
    if status(&session, now) == Status::Ended {
        return Err(closed());
    }
    if question.author_id == actor.id {
        return Err(AppError::coded(
            Code::SelfVote,
            "You cannot upvote your own question",
        ));
    }
    let removed = qa_vote::Entity::delete_many()
        .filter(qa_vote::Column::QuestionId.eq(question_id))
        .filter(qa_vote::Column::MemberId.eq(actor.id))
        .exec(&txn)
        .await?
        .rows_affected;
    let (delta, upvoted) = if removed > 0 {
        (-1, false)
    } else {
        let inserted = qa_vote::Entity::insert(qa_vote::ActiveModel {
            question_id: Set(question_id),
            member_id: Set(actor.id),
            created_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([qa_vote::Column::QuestionId, qa_vote::Column::MemberId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        (if inserted > 0 { 1 } else { 0 }, true)
    };
    if delta != 0 {
        qa_question::Entity::update_many()
            .col_expr(
                qa_question::Column::Votes,
                Expr::col(qa_question::Column::Votes).add(delta),
            )
            .filter(qa_question::Column::Id.eq(question_id))
            .exec(&txn)
            .await?;
    }
    let question = find_question(&txn, question_id).await?;
    let votes = question.votes;
    let mut after = None;
    if delta != 0 {
        let public = public_view(&txn, question).await?;
        let voted = Effect::Live {
            session_id: session.id,
            question_id: Some(question_id),
            kind: event::QUESTION_VOTED,
            payload: to_payload(&public)?,
        };
        after = Some(effects::record(&txn, voted, now).await?);
    }
    txn.commit().await?;
    if let Some(after) = after {
        after.publish(hub);
    }
    Ok(UpvoteResult { votes, upvoted })
}

/// What the host or a moderator changes on a question.
pub enum Change {
    Answer(Text),
    Pin(bool),
    Dismiss(bool),
}

pub async fn change(
    db: &DatabaseConnection,
    hub: &LiveHub,
    question_id: i32,
    actor: &Actor,
    change: Change,
) -> AppResult<QuestionView> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let question = find_question(&txn, question_id).await?;
    let session = find(&txn, question.session_id).await?;
    let mut active: qa_question::ActiveModel = question.into();
    let kind = match change {
        Change::Answer(text) => {
            if !is_host(&session, actor) {
                return Err(AppError::coded(
                    Code::NotHost,
                    "Only the session's host may answer its questions",
                ));
            }
            active.answer_html = Set(Some(markdown::render(&text.0)));
            active.answer = Set(Some(text.0));
            active.answered_by = Set(Some(actor.id));
            active.answered_at = Set(Some(now));
            active.dismissed = Set(false);
            event::QUESTION_ANSWERED
        }
        Change::Pin(pinned) => {
            if !may_moderate(&session, actor) {
                return Err(AppError::coded(
                    Code::NotHost,
                    "Only the session's host or a moderator may pin questions",
                ));
            }
            active.pinned = Set(pinned);
            event::QUESTION_PINNED
        }
        Change::Dismiss(dismissed) => {
            if !may_moderate(&session, actor) {
                return Err(AppError::coded(
                    Code::NotHost,
                    "Only the session's host or a moderator may dismiss questions",
                ));
            }
            active.dismissed = Set(dismissed);
            if dismissed {
                active.pinned = Set(false);
            }
            event::QUESTION_DISMISSED
        }
    };
    let row = active.update(&txn).await?;
    let payload = if row.dismissed {
        // A dismissed question's text goes to nobody: the event names it only.
        serde_json::json!({"id": row.id, "session_id": row.session_id, "dismissed": true})
            .to_string()
    } else {
        to_payload(&public_view(&txn, row.clone()).await?)?
    };
    let changed = Effect::Live {
        session_id: session.id,
        question_id: Some(row.id),
        kind,
        payload,
    };
    let after = effects::record(&txn, changed, now).await?;
    txn.commit().await?;
    after.publish(hub);
    let voted = voted_by(db, Some(actor), vec![row.id]).await?;
    let viewer = Viewer {
        actor: Some(actor),
        voted,
    };
    question_views(db, vec![row], &viewer)
        .await?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a question view went missing")))
}

fn to_payload(view: &QuestionView) -> AppResult<String> {
    Ok(serde_json::to_string(view).map_err(anyhow::Error::from)?)
}
