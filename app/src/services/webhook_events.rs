//! Webhook events: what the effects dispatcher hands over when something a hook may
//! ask for happens, written as one delivery row per hook that asked, in the writer's
//! transaction (`services::webhooks` sends them). Only what a visitor could read goes
//! out: nothing about a hidden post.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{comment, discussion, idea_change, member, webhook, webhook_delivery, zone};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

use super::items::members_by_id;
use crate::error::AppResult;
use crate::views::discussion_path;

/// Every event a hook may ask for.
pub const EVENTS: &[&str] = &[
    "discussion.created",
    "comment.created",
    "update.posted",
    "idea.status_changed",
    "session.question_answered",
];

/// What happened, as the effects dispatcher hands it over.
pub enum Event<'a> {
    DiscussionCreated(&'a discussion::Model),
    CommentCreated {
        discussion: &'a discussion::Model,
        comment: &'a comment::Model,
    },
    IdeaStatusChanged {
        discussion: &'a discussion::Model,
        change: &'a idea_change::Model,
    },
    /// A leader posted an update (`discussion` holds its body).
    UpdatePosted {
        discussion: &'a discussion::Model,
        update: &'a entity::update::Model,
    },
    /// A leader answered a live question; `payload` is the live event's JSON.
    QuestionAnswered {
        session_id: i32,
        payload: &'a str,
    },
}

impl Event<'_> {
    pub fn name(&self) -> &'static str {
        match self {
            Event::DiscussionCreated(_) => "discussion.created",
            Event::CommentCreated { .. } => "comment.created",
            Event::IdeaStatusChanged { .. } => "idea.status_changed",
            Event::UpdatePosted { .. } => "update.posted",
            Event::QuestionAnswered { .. } => "session.question_answered",
        }
    }
}

/// Writes one delivery per active hook that asked for the event, in the writer's
/// transaction. One query when no hook asked for it.
pub async fn emit(
    txn: &impl ConnectionTrait,
    event: Event<'_>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let name = event.name();
    let hooks: Vec<webhook::Model> = webhook::Entity::find()
        .filter(webhook::Column::Active.eq(true))
        .all(txn)
        .await?
        .into_iter()
        .filter(|h| h.events.split(',').any(|e| e == name))
        .collect();
    if hooks.is_empty() {
        return Ok(());
    }
    let Some(data) = data(txn, &event).await? else {
        return Ok(());
    };
    let rows = hooks.iter().map(|hook| {
        let delivery = uuid::Uuid::new_v4().to_string();
        let body = json!({
            "event": name,
            "delivery": delivery,
            "occurred_at": now,
            "data": data,
        });
        webhook_delivery::ActiveModel {
            webhook_id: Set(hook.id),
            delivery: Set(delivery),
            event: Set(name.to_string()),
            body: Set(body.to_string()),
            status: Set("pending".into()),
            attempts: Set(0),
            run_at: Set(now),
            locked_until: Set(None),
            last_status: Set(None),
            last_error: Set(None),
            last_response: Set(None),
            created_at: Set(now),
            finished_at: Set(None),
            ..Default::default()
        }
    });
    webhook_delivery::Entity::insert_many(rows)
        .exec(txn)
        .await?;
    Ok(())
}

fn person(m: Option<&member::Model>) -> Value {
    m.map_or(
        Value::Null,
        |m| json!({"username": m.username, "display_name": m.display_name, "role": m.role}),
    )
}

/// The event's `data`: what a visitor could read of it, with absolute-free paths
/// (`path`) that the receiver joins to the site's address. None when the post is not
/// for everyone's eyes (hidden), so nothing is sent.
async fn data(txn: &impl ConnectionTrait, event: &Event<'_>) -> AppResult<Option<Value>> {
    let discussion_json =
        |d: &discussion::Model, zone: Option<&String>, people: &HashMap<i32, member::Model>| {
            json!({
                "id": d.id,
                "zone": zone,
                "title": d.title,
                "body": d.body,
                "path": discussion_path(d.id, &d.title),
                "author": person(people.get(&d.author_id)),
                "created_at": d.created_at,
                "idea_status": d.idea_status,
            })
        };
    Ok(match event {
        Event::DiscussionCreated(d) => {
            if d.hidden {
                return Ok(None);
            }
            let people = members_by_id(txn, [d.author_id]).await?;
            let zones = zone_slug(txn, d.zone_id).await?;
            Some(json!({"discussion": discussion_json(d, zones.as_ref(), &people)}))
        }
        Event::CommentCreated {
            discussion: d,
            comment: c,
        } => {
            if d.hidden || c.hidden {
                return Ok(None);
            }
            let people = members_by_id(txn, [d.author_id, c.author_id]).await?;
            let zones = zone_slug(txn, d.zone_id).await?;
            Some(json!({
                "discussion": discussion_json(d, zones.as_ref(), &people),
                "comment": {
                    "id": c.id,
                    "discussion_id": c.discussion_id,
                    "parent_id": c.parent_id,
                    "body": c.body,
                    "path": format!("{}#comment-{}", discussion_path(d.id, &d.title), c.id),
                    "author": person(people.get(&c.author_id)),
                    "created_at": c.created_at,
                },
            }))
        }
        Event::IdeaStatusChanged {
            discussion: d,
            change,
        } => {
            if d.hidden {
                return Ok(None);
            }
            let people = members_by_id(txn, [d.author_id, change.changed_by]).await?;
            let zones = zone_slug(txn, d.zone_id).await?;
            Some(json!({
                "discussion": discussion_json(d, zones.as_ref(), &people),
                "idea": {
                    "status": change.status,
                    "note": change.note,
                    "changed_by": person(people.get(&change.changed_by)),
                    "changed_at": change.changed_at,
                },
            }))
        }
        Event::UpdatePosted {
            discussion: d,
            update: u,
        } => {
            if d.hidden {
                return Ok(None);
            }
            let people = members_by_id(txn, [d.author_id]).await?;
            let pulse = u
                .pulse_question
                .as_ref()
                .map(|q| json!({"question": q, "scale": u.pulse_scale}));
            Some(json!({
                "update": {
                    "id": d.id,
                    "body": d.body,
                    "path": discussion_path(d.id, &d.title),
                    "author": person(people.get(&d.author_id)),
                    "created_at": d.created_at,
                    "discussion_id": u.linked_discussion_id,
                    "session_id": u.session_id,
                    "pulse": pulse,
                },
            }))
        }
        Event::QuestionAnswered {
            session_id,
            payload,
        } => {
            let question: Value = serde_json::from_str(payload).unwrap_or(Value::Null);
            if question["hidden"] == Value::Bool(true) || question["dismissed"] == Value::Bool(true)
            {
                return Ok(None);
            }
            Some(json!({
                "session_id": session_id,
                "path": format!("/sessions/{session_id}"),
                "question": question,
            }))
        }
    })
}

async fn zone_slug(txn: &impl ConnectionTrait, id: i32) -> AppResult<Option<String>> {
    Ok(zone::Entity::find_by_id(id).one(txn).await?.map(|z| z.slug))
}

/// Whether the posts a delivery's body names are still for everyone's eyes (not hidden,
/// not deleted): checked before every attempt.
pub async fn still_public(db: &impl ConnectionTrait, body: &str) -> AppResult<bool> {
    let body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let data = &body["data"];
    let id = |v: &Value| v.as_i64().and_then(|n| i32::try_from(n).ok());
    let discussion = id(&data["discussion"]["id"]).or_else(|| id(&data["update"]["id"]));
    if let Some(d) = discussion {
        let visible = discussion::Entity::find_by_id(d)
            .one(db)
            .await?
            .is_some_and(|d| d.deleted_at.is_none() && !d.hidden);
        if !visible {
            return Ok(false);
        }
    }
    if let Some(c) = id(&data["comment"]["id"]) {
        let visible = comment::Entity::find_by_id(c)
            .one(db)
            .await?
            .is_some_and(|c| c.deleted_at.is_none() && !c.hidden);
        if !visible {
            return Ok(false);
        }
    }
    if let Some(q) = id(&data["question"]["id"]) {
        let visible = entity::qa_question::Entity::find_by_id(q)
            .one(db)
            .await?
            .is_some_and(|q| !q.hidden && !q.dismissed);
        if !visible {
            return Ok(false);
        }
    }
    Ok(true)
}
