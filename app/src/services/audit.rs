//! The audit log: every moderator and admin action and every security event, one row
//! each: who, what, on what, when, from which address prefix, and before/after where it
//! applies. Rows are written only by the effects dispatcher (`Effect::Audited` and the
//! moderation effects), inside the transaction of the change they record. The table is
//! append-only: triggers refuse UPDATE and DELETE, and nothing here tries.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{audit_log, member};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::Actor;
use crate::error::{AppError, AppResult};

/// What happened. Each names its action word (`name`) and its particulars (`details`).
#[derive(Debug, Clone)]
pub enum Action {
    RoleChanged {
        from: String,
        to: String,
    },
    AccountDeleted,
    PasswordReset,
    EmailChanged,
    SsoLinked,
    SessionRevoked {
        all: bool,
    },
    SignInRefused {
        login: String,
    },
    Locked {
        before: bool,
        after: bool,
    },
    Pinned {
        before: bool,
        after: bool,
    },
    PostDeleted,
    PostEdited,
    PostHidden {
        by_flags: bool,
    },
    FlagDecided {
        review: i32,
        decision: String,
        action: Option<String>,
    },
    Suspended {
        kind: String,
        until: DateTime<Utc>,
        reason: String,
    },
    SuspensionLifted {
        kind: String,
    },
    ZoneCreated {
        name: String,
    },
    SettingsChanged {
        before: Value,
        after: Value,
    },
    WebhookCreated {
        url: String,
        events: Vec<String>,
    },
    WebhookChanged {
        active: bool,
    },
    WebhookDeleted {
        url: String,
    },
}

/// Every action word, for filters.
pub const ACTIONS: &[&str] = &[
    "role_changed",
    "account_deleted",
    "password_reset",
    "email_changed",
    "sso_linked",
    "session_revoked",
    "sign_in_refused",
    "discussion_locked",
    "discussion_pinned",
    "post_deleted",
    "post_edited",
    "post_hidden",
    "flag_decided",
    "member_suspended",
    "suspension_lifted",
    "zone_created",
    "settings_changed",
    "webhook_created",
    "webhook_changed",
    "webhook_deleted",
];

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::RoleChanged { .. } => "role_changed",
            Action::AccountDeleted => "account_deleted",
            Action::PasswordReset => "password_reset",
            Action::EmailChanged => "email_changed",
            Action::SsoLinked => "sso_linked",
            Action::SessionRevoked { .. } => "session_revoked",
            Action::SignInRefused { .. } => "sign_in_refused",
            Action::Locked { .. } => "discussion_locked",
            Action::Pinned { .. } => "discussion_pinned",
            Action::PostDeleted => "post_deleted",
            Action::PostEdited => "post_edited",
            Action::PostHidden { .. } => "post_hidden",
            Action::FlagDecided { .. } => "flag_decided",
            Action::Suspended { .. } => "member_suspended",
            Action::SuspensionLifted { .. } => "suspension_lifted",
            Action::ZoneCreated { .. } => "zone_created",
            Action::SettingsChanged { .. } => "settings_changed",
            Action::WebhookCreated { .. } => "webhook_created",
            Action::WebhookChanged { .. } => "webhook_changed",
            Action::WebhookDeleted { .. } => "webhook_deleted",
        }
    }

    fn details(&self) -> Value {
        match self {
            Action::RoleChanged { from, to } => json!({"from": from, "to": to}),
            Action::SessionRevoked { all } => json!({"all": all}),
            Action::SignInRefused { login } => json!({"login": login}),
            Action::Locked { before, after } | Action::Pinned { before, after } => {
                json!({"before": before, "after": after})
            }
            Action::PostHidden { by_flags } => json!({"by_flags": by_flags}),
            Action::FlagDecided {
                review,
                decision,
                action,
            } => json!({"review": review, "decision": decision, "action": action}),
            Action::Suspended {
                kind,
                until,
                reason,
            } => json!({"kind": kind, "until": until, "reason": reason}),
            Action::SuspensionLifted { kind } => json!({"kind": kind}),
            Action::ZoneCreated { name } => json!({"name": name}),
            Action::SettingsChanged { before, after } => json!({"before": before, "after": after}),
            Action::WebhookCreated { url, events } => json!({"url": url, "events": events}),
            Action::WebhookChanged { active } => json!({"active": active}),
            Action::WebhookDeleted { url } => json!({"url": url}),
            Action::AccountDeleted
            | Action::PasswordReset
            | Action::EmailChanged
            | Action::SsoLinked
            | Action::PostDeleted
            | Action::PostEdited => json!({}),
        }
    }
}

/// What an action was done to.
#[derive(Debug, Clone)]
pub enum Target {
    Member(i32),
    Discussion(i32),
    Comment(i32),
    Question(i32),
    Zone(String),
    Review(i32),
    Settings,
    Webhook(i32),
    None,
}

impl Target {
    fn text(&self) -> Option<String> {
        Some(match self {
            Target::Member(id) => format!("member:{id}"),
            Target::Discussion(id) => format!("discussion:{id}"),
            Target::Comment(id) => format!("comment:{id}"),
            Target::Question(id) => format!("question:{id}"),
            Target::Zone(slug) => format!("zone:{slug}"),
            Target::Review(id) => format!("review:{id}"),
            Target::Settings => "settings".to_string(),
            Target::Webhook(id) => format!("webhook:{id}"),
            Target::None => return None,
        })
    }
}

/// Who did it: a member (None: the command line) and their address prefix.
#[derive(Debug, Clone, Default)]
pub struct By {
    pub member: Option<i32>,
    pub ip_prefix: Option<String>,
}

impl By {
    pub fn actor(actor: &Actor) -> Self {
        Self {
            member: Some(actor.id),
            ip_prefix: actor.ip_prefix.clone(),
        }
    }

    pub fn member(id: i32) -> Self {
        Self {
            member: Some(id),
            ip_prefix: None,
        }
    }

    pub fn command_line() -> Self {
        Self::default()
    }
}

/// Records `action` by `by` on `target`. Called by the effects dispatcher only.
pub async fn record(
    db: &impl ConnectionTrait,
    by: &By,
    action: &Action,
    target: &Target,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let target_member = match target {
        Target::Member(id) => Some(*id),
        _ => None,
    };
    audit_log::ActiveModel {
        actor_id: Set(by.member),
        action: Set(action.name().to_string()),
        target_member_id: Set(target_member),
        target: Set(target.text()),
        ip_prefix: Set(by.ip_prefix.clone()),
        details: Set(action.details().to_string()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// One line of the log, with names resolved.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i32,
    /// The member who did it; null for the command line (or a former member).
    pub actor: Option<String>,
    /// One of the action words (`role_changed`, `flag_decided`, `member_suspended`…).
    pub action: String,
    /// `member:NAME`, `discussion:ID`, `comment:ID`, `question:ID`, `zone:SLUG`,
    /// `review:ID` or `settings`.
    pub target: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The actor's address, IPv4 /16 or IPv6 /48, when the action came over HTTP.
    pub ip_prefix: Option<String>,
    /// The particulars: before/after where they apply.
    #[schema(value_type = Object)]
    pub details: Value,
}

/// Which lines to read.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub since: Option<DateTime<Utc>>,
    /// A member's id (the actor).
    pub actor: Option<i32>,
    pub action: Option<String>,
}

impl Filter {
    /// Reads `since` (a date or RFC 3339 time), `actor` (a username; an unknown one
    /// matches nothing), `action` (an action word) and `limit` (1–1000, default 200).
    pub async fn parse(
        db: &impl ConnectionTrait,
        query: &HashMap<String, String>,
    ) -> AppResult<(Filter, u64)> {
        let field = |name: &str| query.get(name).map(String::as_str);
        let (since, actor, action, limit) = (
            field("since"),
            field("actor"),
            field("action"),
            field("limit"),
        );
        fn given(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|s| !s.is_empty())
        }
        let mut filter = Filter::default();
        if let Some(raw) = given(since) {
            filter.since = Some(parse_time(raw).ok_or_else(|| {
                AppError::validation("since", "must be a date (YYYY-MM-DD) or an RFC 3339 time")
            })?);
        }
        if let Some(name) = given(actor) {
            filter.actor = Some(match super::items::member_by_username(db, name).await {
                Ok(m) => m.id,
                Err(_) => -1,
            });
        }
        if let Some(action) = given(action) {
            if !ACTIONS.contains(&action) {
                return Err(AppError::validation(
                    "action",
                    format!("must be one of {}", ACTIONS.join(", ")),
                ));
            }
            filter.action = Some(action.to_string());
        }
        let limit = match given(limit) {
            None => 200,
            Some(raw) => raw
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| AppError::validation("limit", "must be from 1 to 1000"))?,
        };
        Ok((filter, limit))
    }
}

/// A date (`YYYY-MM-DD`, its start, UTC) or an RFC 3339 time.
pub fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    let date = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

/// The log, oldest first (`newest_first` for pages), at most `limit` lines.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &Filter,
    newest_first: bool,
    limit: u64,
) -> AppResult<Vec<AuditEntry>> {
    let mut query = audit_log::Entity::find();
    query = if newest_first {
        query.order_by_desc(audit_log::Column::Id)
    } else {
        query.order_by_asc(audit_log::Column::Id)
    };
    if let Some(since) = filter.since {
        query = query.filter(audit_log::Column::CreatedAt.gte(since));
    }
    if let Some(actor) = filter.actor {
        query = query.filter(audit_log::Column::ActorId.eq(actor));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::Column::Action.eq(action.as_str()));
    }
    let rows = query.limit(limit).all(db).await?;
    let ids: Vec<i32> = rows
        .iter()
        .flat_map(|r| [r.actor_id, r.target_member_id])
        .flatten()
        .collect();
    let names: HashMap<i32, String> = member::Entity::find()
        .filter(member::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.username))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            actor: r.actor_id.and_then(|id| names.get(&id).cloned()),
            action: r.action,
            target: match r.target_member_id.and_then(|id| names.get(&id)) {
                Some(name) => Some(format!("member:{name}")),
                None => r.target,
            },
            created_at: r.created_at,
            ip_prefix: r.ip_prefix,
            details: serde_json::from_str(&r.details).unwrap_or(Value::Null),
        })
        .collect())
}

/// The log since `since` (all of it when None), oldest first: the command line's view.
pub async fn since(
    db: &impl ConnectionTrait,
    since: Option<DateTime<Utc>>,
    limit: u64,
) -> AppResult<Vec<AuditEntry>> {
    let filter = Filter {
        since,
        ..Default::default()
    };
    list(db, &filter, false, limit).await
}
