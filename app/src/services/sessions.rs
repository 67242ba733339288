//! Browser sessions and API tokens: one table, two kinds. Only a hash of each secret is
//! stored; the member sees theirs (created, last used, browser, address prefix) and can
//! end any of them.

use chrono::{DateTime, Duration, Utc};
use entity::{member, session};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::keys::{hash_token, random_token};

/// Browser sessions and API tokens last 30 days.
pub const SESSION_DAYS: i64 = 30;
/// `last_used_at` is written at most this often, not on every request.
const TOUCH_EVERY_MINUTES: i64 = 5;

/// How a credential is used: a bearer token for the API or the browser's cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Api,
    Web,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Api => "api",
            SessionKind::Web => "web",
        }
    }
}

/// Where a request came from, as far as a session list shows it.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: String,
    pub user_agent: Option<String>,
}

impl Origin {
    /// The first half of the address: IPv4 /16, IPv6 /48. Enough to tell "the office"
    /// from "somewhere else", not enough to find a person.
    pub fn ip_prefix(&self) -> Option<String> {
        match self.ip.parse::<std::net::IpAddr>().ok()? {
            std::net::IpAddr::V4(v4) => {
                let o = v4.octets();
                Some(format!("{}.{}.0.0/16", o[0], o[1]))
            }
            std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => {
                    let o = v4.octets();
                    Some(format!("{}.{}.0.0/16", o[0], o[1]))
                }
                None => {
                    let s = v6.segments();
                    Some(format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2]))
                }
            },
        }
    }

    fn user_agent(&self) -> Option<String> {
        self.user_agent
            .as_deref()
            .map(|ua| {
                ua.chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect::<String>()
            })
            .filter(|ua| !ua.trim().is_empty())
    }
}

/// Starts a session and returns its secret; only its hash is stored.
pub async fn create(
    db: &impl ConnectionTrait,
    member_id: i32,
    kind: SessionKind,
    origin: &Origin,
) -> AppResult<String> {
    let token = random_token(32);
    let now = Utc::now();
    session::ActiveModel {
        member_id: Set(member_id),
        token_hash: Set(hash_token(&token)),
        kind: Set(kind.as_str().to_string()),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(SESSION_DAYS)),
        last_used_at: Set(Some(now)),
        user_agent: Set(origin.user_agent()),
        ip_prefix: Set(origin.ip_prefix()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Who a secret signs in: the member, their session, and for a browser's session (whose
/// pages show it) how many of the member's notifications are unread.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub member: member::Model,
    pub session: session::Model,
    pub unread: Option<u64>,
}

/// The member a secret belongs to, with its session, if it is known and not expired.
pub async fn member_for_token(
    db: &impl ConnectionTrait,
    token: &str,
    kind: SessionKind,
) -> AppResult<Option<SignedIn>> {
    use sea_orm::{FromQueryResult, QuerySelect, QueryTrait};
    if token.is_empty() || token.len() > 200 {
        return Ok(None);
    }
    // The session and its member in one query: every signed-in request runs it. A
    // browser's pages show the unread count in their header: counted in the same query.
    let mut select = session::Entity::find()
        .find_also_related(member::Entity)
        .filter(session::Column::TokenHash.eq(hash_token(token)))
        .filter(session::Column::Kind.eq(kind.as_str()));
    let counted = kind == SessionKind::Web;
    if counted {
        select = select.column_as(
            Expr::cust(
                "(SELECT COUNT(*) FROM notifications n WHERE n.member_id = sessions.member_id \
                 AND n.read_at IS NULL)",
            ),
            "unread",
        );
    }
    let statement = select.limit(1).build(db.get_database_backend());
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(None);
    };
    let s = session::Model::from_query_result(&row, "A_")?;
    let m = member::Model::from_query_result_optional(&row, "B_")?;
    let unread = if counted {
        Some(u64::try_from(row.try_get::<i64>("", "unread")?).unwrap_or(0))
    } else {
        None
    };
    let now = Utc::now();
    if s.expires_at < now {
        session::Entity::delete_by_id(s.id).exec(db).await?;
        return Ok(None);
    }
    let Some(m) = m else {
        return Ok(None);
    };
    if m.deleted_at.is_some() {
        return Ok(None);
    }
    if s.last_used_at
        .is_none_or(|t| now - t > Duration::minutes(TOUCH_EVERY_MINUTES))
    {
        session::Entity::update_many()
            .col_expr(session::Column::LastUsedAt, Expr::value(now))
            .filter(session::Column::Id.eq(s.id))
            .exec(db)
            .await?;
    }
    Ok(Some(SignedIn {
        member: m,
        session: s,
        unread,
    }))
}

/// Ends the session with this secret: it stops working at once.
pub async fn revoke(db: &impl ConnectionTrait, token: &str) -> AppResult<()> {
    session::Entity::delete_many()
        .filter(session::Column::TokenHash.eq(hash_token(token)))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a member, but `keep` (the one asking) if given.
pub async fn revoke_all(
    db: &impl ConnectionTrait,
    member_id: i32,
    keep: Option<&str>,
) -> AppResult<u64> {
    let mut delete = session::Entity::delete_many().filter(session::Column::MemberId.eq(member_id));
    if let Some(token) = keep {
        delete = delete.filter(session::Column::TokenHash.ne(hash_token(token)));
    }
    Ok(delete.exec(db).await?.rows_affected)
}

/// A member ends one of their other sessions or tokens; the audit log records it.
pub async fn end_one(
    db: &sea_orm::DatabaseConnection,
    actor: &super::Actor,
    id: i32,
    current_token: &str,
) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    revoke_one(&txn, actor.id, id, current_token).await?;
    audited(&txn, actor, false).await?;
    txn.commit().await?;
    Ok(())
}

/// A member ends every session and token but the one asking; audited.
pub async fn end_others(
    db: &sea_orm::DatabaseConnection,
    actor: &super::Actor,
    current_token: &str,
) -> AppResult<u64> {
    let txn = crate::db::begin_write(db).await?;
    let ended = revoke_all(&txn, actor.id, Some(current_token)).await?;
    audited(&txn, actor, true).await?;
    txn.commit().await?;
    Ok(ended)
}

async fn audited(txn: &impl ConnectionTrait, actor: &super::Actor, all: bool) -> AppResult<()> {
    use super::audit::{Action, By, Target};
    use super::effects::{self, Effect};
    let effect = Effect::Audited {
        by: By::actor(actor),
        action: Action::SessionRevoked { all },
        target: Target::Member(actor.id),
    };
    effects::record(txn, effect, Utc::now()).await?;
    Ok(())
}

/// One of the member's sessions or API tokens, as they see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignInSession {
    pub id: i32,
    /// `web` (a browser) or `api` (a bearer token).
    #[schema(pattern = "^(web|api)$")]
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    /// IPv4 /16 or IPv6 /48 of the address it was started from.
    pub ip_prefix: Option<String>,
    /// The session this request came with.
    pub current: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignInSessions {
    pub sessions: Vec<SignInSession>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    member_id: i32,
    current_token: &str,
) -> AppResult<SignInSessions> {
    let current = hash_token(current_token);
    let now = Utc::now();
    let rows = session::Entity::find()
        .filter(session::Column::MemberId.eq(member_id))
        .filter(session::Column::ExpiresAt.gt(now))
        .order_by_desc(session::Column::Id)
        .all(db)
        .await?;
    Ok(SignInSessions {
        sessions: rows
            .into_iter()
            .map(|s| SignInSession {
                id: s.id,
                current: s.token_hash == current,
                kind: s.kind,
                created_at: s.created_at,
                last_used_at: s.last_used_at,
                expires_at: s.expires_at,
                user_agent: s.user_agent,
                ip_prefix: s.ip_prefix,
            })
            .collect(),
    })
}

/// Ends one of the member's own sessions; another member's is not found, and the one in
/// use is ended by signing out (so a session list cannot cut off the page showing it).
pub async fn revoke_one(
    db: &impl ConnectionTrait,
    member_id: i32,
    id: i32,
    current_token: &str,
) -> AppResult<()> {
    let current = session::Entity::find()
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::MemberId.eq(member_id))
        .filter(session::Column::TokenHash.eq(hash_token(current_token)))
        .one(db)
        .await?;
    if current.is_some() {
        return Err(AppError::coded(
            crate::error::Code::CurrentSession,
            "That is the session you are using; sign out instead",
        ));
    }
    let done = session::Entity::delete_many()
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::MemberId.eq(member_id))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::not_found("Session"));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn only_a_prefix_of_the_address_is_kept() {
        let at = |ip: &str| Origin {
            ip: ip.into(),
            user_agent: None,
        };
        assert_eq!(
            at("192.168.7.9").ip_prefix().as_deref(),
            Some("192.168.0.0/16")
        );
        assert_eq!(
            at("2001:db8:abcd:12::1").ip_prefix().as_deref(),
            Some("2001:db8:abcd::/48")
        );
        assert_eq!(
            at("::ffff:10.2.3.4").ip_prefix().as_deref(),
            Some("10.2.0.0/16")
        );
        assert_eq!(at("unknown").ip_prefix(), None);
    }
}
