//! The audit table: who changed what about whom. Written in the same transaction as the
//! change it records. Today: role changes and account deletions; moderation adds its
//! actions here.

use chrono::{DateTime, Utc};
use entity::{audit_log, member};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;

use crate::error::AppResult;

/// What can be recorded; each names its action word.
#[derive(Debug, Clone)]
pub enum Action {
    RoleChanged { from: String, to: String },
    AccountDeleted,
    PasswordReset,
    EmailChanged,
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::RoleChanged { .. } => "role_changed",
            Action::AccountDeleted => "account_deleted",
            Action::PasswordReset => "password_reset",
            Action::EmailChanged => "email_changed",
        }
    }

    fn details(&self) -> serde_json::Value {
        match self {
            Action::RoleChanged { from, to } => serde_json::json!({"from": from, "to": to}),
            _ => serde_json::json!({}),
        }
    }
}

/// Records `action` by `actor` (None: the command line) on `target`.
pub async fn record(
    db: &impl ConnectionTrait,
    actor: Option<i32>,
    action: Action,
    target: Option<i32>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    audit_log::ActiveModel {
        actor_id: Set(actor),
        action: Set(action.name().to_string()),
        target_member_id: Set(target),
        details: Set(action.details().to_string()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// One line of the log, with names resolved.
#[derive(Debug, Serialize)]
pub struct Entry {
    pub id: i32,
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub details: serde_json::Value,
}

/// The log since `since` (all of it when None), oldest first, at most `limit` lines.
pub async fn since(
    db: &impl ConnectionTrait,
    since: Option<DateTime<Utc>>,
    limit: u64,
) -> AppResult<Vec<Entry>> {
    let mut query = audit_log::Entity::find().order_by_asc(audit_log::Column::Id);
    if let Some(since) = since {
        query = query.filter(audit_log::Column::CreatedAt.gte(since));
    }
    let rows = query.limit(limit).all(db).await?;
    let ids: Vec<i32> = rows
        .iter()
        .flat_map(|r| [r.actor_id, r.target_member_id])
        .flatten()
        .collect();
    let names: std::collections::HashMap<i32, String> = member::Entity::find()
        .filter(member::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.username))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| Entry {
            id: r.id,
            at: r.created_at,
            actor: r.actor_id.and_then(|id| names.get(&id).cloned()),
            action: r.action,
            target: r.target_member_id.and_then(|id| names.get(&id).cloned()),
            details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null),
        })
        .collect())
}
