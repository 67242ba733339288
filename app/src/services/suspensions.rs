//! Suspensions: a moderator silences a member (read-only) or suspends them (cannot sign
//! in) until a date, with a reason the member is told. Suspending ends every session
//! and API token. Moderators may act on members and leaders; only admins on moderators
//! and admins; nobody on themselves. Posts stay.

use chrono::{DateTime, NaiveDate, Utc};
use entity::member;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Actor;
use super::audit::{self, Action, Target};
use super::effects::{self, Effect};
use super::items::{Locks, member_by_username};
use super::sessions;
use crate::domain::Role;
use crate::error::{AppError, AppResult, Code};

/// `silence` (read-only) or `suspend` (cannot sign in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Silence,
    Suspend,
}

impl Kind {
    pub fn parse(raw: &str) -> AppResult<Self> {
        match raw {
            "silence" => Ok(Kind::Silence),
            "suspend" => Ok(Kind::Suspend),
            _ => Err(AppError::validation("kind", "must be silence or suspend")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Silence => "silence",
            Kind::Suspend => "suspend",
        }
    }
}

/// A member's suspension as moderators (and the member) see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SuspensionView {
    /// `silence` or `suspend`.
    #[schema(pattern = "^(silence|suspend)$")]
    pub kind: String,
    pub until: DateTime<Utc>,
    pub reason: String,
}

/// The suspension in force for `m` at `now`, if any.
pub fn active(m: &member::Model, now: DateTime<Utc>) -> Option<(Kind, SuspensionView)> {
    let kind = Kind::parse(m.suspension.as_deref()?).ok()?;
    let until = m.suspended_until.filter(|u| *u > now)?;
    Some((
        kind,
        SuspensionView {
            kind: kind.as_str().to_string(),
            until,
            reason: m.suspension_reason.clone().unwrap_or_default(),
        },
    ))
}

/// 401 `suspended` for a member who may not sign in now.
pub fn refuse_sign_in(m: &member::Model) -> AppResult<()> {
    match active(m, Utc::now()) {
        Some((Kind::Suspend, s)) => Err(AppError::coded(
            Code::Suspended,
            format!(
                "Your account is suspended until {}: {}",
                s.until.format("%-d %B %Y %H:%M UTC"),
                s.reason
            ),
        )),
        _ => Ok(()),
    }
}

/// 403 `silenced` for a member made read-only.
pub fn silenced(s: &SuspensionView) -> AppError {
    AppError::coded(
        Code::Silenced,
        format!(
            "A moderator made your account read-only until {}: {}",
            s.until.format("%-d %B %Y %H:%M UTC"),
            s.reason
        ),
    )
}

/// A suspension as asked for: parsed, with `until` in the future.
pub struct NewSuspension {
    pub kind: Kind,
    pub until: DateTime<Utc>,
    pub reason: String,
}

impl NewSuspension {
    /// `until` is an RFC 3339 time or a date (the suspension ends as that day begins,
    /// UTC). One already past is accepted and suspends nobody.
    pub fn parse(kind: &str, until: &str, reason: &str) -> AppResult<Self> {
        let mut fields = crate::error::FieldErrors::new();
        let kind = Kind::parse(kind)
            .map_err(|_| fields.insert("kind".into(), "must be silence or suspend".into()))
            .ok();
        let until = parse_until(until.trim()).or_else(|| {
            fields.insert(
                "until".into(),
                "must be a date (YYYY-MM-DD) or a time (RFC 3339)".into(),
            );
            None
        });
        let reason = reason.trim();
        let reason_chars = reason.chars().count();
        if reason_chars == 0 || reason_chars > 500 || reason.chars().any(char::is_control) {
            fields.insert(
                "reason".into(),
                "must be 1 to 500 characters on one line: the member reads it".into(),
            );
        }
        match (kind, until, fields.is_empty()) {
            (Some(kind), Some(until), true) => Ok(Self {
                kind,
                until,
                reason: reason.to_string(),
            }),
            _ => Err(AppError::from_fields(fields)),
        }
    }
}

fn parse_until(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

/// Whether `actor` may suspend (or lift the suspension of) `target`.
fn may_act_on(actor: &Actor, target: &member::Model) -> AppResult<()> {
    if !actor.role.can_moderate() {
        return Err(AppError::forbidden("Only moderators suspend members"));
    }
    let target_role = Role::from_db(&target.role);
    if actor.id == target.id || (target_role.can_moderate() && actor.role != Role::Admin) {
        return Err(AppError::coded(
            Code::OutranksActor,
            "Moderators cannot suspend moderators or admins (an admin can), and nobody suspends themselves",
        ));
    }
    Ok(())
}

/// Silences or suspends `username`; a suspension ends their sessions and tokens.
pub async fn suspend(
    db: &DatabaseConnection,
    actor: &Actor,
    username: &str,
    new: NewSuspension,
) -> AppResult<member::Model> {
    let txn = crate::db::begin_write(db).await?;
    let target = member_by_username(&txn, username).await?;
    let member = suspend_in(&txn, actor, target, new).await?;
    txn.commit().await?;
    Ok(member)
}

/// The same inside a caller's transaction (a review decision may suspend the author).
pub async fn suspend_in(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    target: member::Model,
    new: NewSuspension,
) -> AppResult<member::Model> {
    may_act_on(actor, &target)?;
    Locks::new(txn).members([target.id]).await?;
    let id = target.id;
    let mut row: member::ActiveModel = target.into();
    row.suspension = Set(Some(new.kind.as_str().to_string()));
    row.suspended_until = Set(Some(new.until));
    row.suspension_reason = Set(Some(new.reason.clone()));
    let member = row.update(txn).await?;
    let now = Utc::now();
    if new.kind == Kind::Suspend && new.until > now {
        sessions::revoke_all(txn, id, None).await?;
    }
    let audited = Effect::Audited {
        by: audit::By::actor(actor),
        action: Action::Suspended {
            kind: new.kind.as_str().to_string(),
            until: new.until,
            reason: new.reason,
        },
        target: Target::Member(id),
    };
    effects::record(txn, audited, now).await?;
    Ok(member)
}

/// Lifts a silence or suspension.
pub async fn lift(
    db: &DatabaseConnection,
    actor: &Actor,
    username: &str,
) -> AppResult<member::Model> {
    let txn = crate::db::begin_write(db).await?;
    let target = member_by_username(&txn, username).await?;
    may_act_on(actor, &target)?;
    let kind = target.suspension.clone().unwrap_or_default();
    let id = target.id;
    let mut row: member::ActiveModel = target.into();
    row.suspension = Set(None);
    row.suspended_until = Set(None);
    row.suspension_reason = Set(None);
    let member = row.update(&txn).await?;
    if !kind.is_empty() {
        let audited = Effect::Audited {
            by: audit::By::actor(actor),
            action: Action::SuspensionLifted { kind },
            target: Target::Member(id),
        };
        effects::record(&txn, audited, Utc::now()).await?;
    }
    txn.commit().await?;
    Ok(member)
}

/// A member and their suspension, as `POST`/`DELETE /members/{username}/suspension`
/// answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberSuspension {
    pub username: String,
    /// Null when none is in force.
    pub suspension: Option<SuspensionView>,
}

impl MemberSuspension {
    pub fn of(m: &member::Model) -> Self {
        Self {
            username: m.username.clone(),
            suspension: active(m, Utc::now()).map(|(_, s)| s),
        }
    }
}
