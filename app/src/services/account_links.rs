//! One-time account links mailed to a member: confirm an address, reset a password,
//! confirm a new address. The database keeps each link's row (purpose, expiry, used);
//! the link itself is `{id}.{HMAC of the row}`, made when the mail is written, so no
//! secret sits in a table. Using a link marks its row in the same statement that checks
//! it was unused, so a link works once even when two requests race.

use chrono::{DateTime, Duration, Utc};
use entity::{account_token, member};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::subscriptions::{Mail, queue_mail};
use crate::error::{AppError, AppResult, Code};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The address given at registration.
    VerifyEmail,
    PasswordReset,
    /// A new address; it replaces the old one once confirmed.
    EmailChange,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::PasswordReset => "password_reset",
            Purpose::EmailChange => "email_change",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Purpose::VerifyEmail,
            Purpose::PasswordReset,
            Purpose::EmailChange,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    fn lifetime(self) -> Duration {
        match self {
            Purpose::PasswordReset => Duration::hours(1),
            Purpose::VerifyEmail | Purpose::EmailChange => Duration::hours(24),
        }
    }

    /// The page the link opens.
    pub fn path(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "/reset-password",
            Purpose::VerifyEmail | Purpose::EmailChange => "/verify-email",
        }
    }
}

fn message(row: &account_token::Model) -> String {
    format!(
        "account:{}:{}:{}:{}",
        row.purpose,
        row.id,
        row.member_id,
        row.expires_at.timestamp()
    )
}

/// The link's secret part for a row (the mail worker calls this when it writes the mail).
pub fn token_for(key: &[u8], row: &account_token::Model) -> String {
    format!("{}.{}", row.id, crate::keys::sign(key, &message(row)))
}

/// Makes a link for `member` and queues its mail (to `new_email` for an address change,
/// else to the member's address), in the caller's transaction.
pub async fn issue(
    db: &impl ConnectionTrait,
    member: &member::Model,
    purpose: Purpose,
    new_email: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row = account_token::ActiveModel {
        member_id: Set(member.id),
        purpose: Set(purpose.as_str().to_string()),
        new_email: Set(new_email.map(str::to_string)),
        created_at: Set(now),
        expires_at: Set(now + purpose.lifetime()),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    queue_mail(
        db,
        Mail {
            member_id: member.id,
            to: new_email.unwrap_or(&member.email),
            kind: purpose.as_str(),
            reason: "account",
            discussion_id: None,
            comment_id: None,
            token_id: Some(row.id),
            idea_change_id: None,
            inbound_mail_id: None,
            tag: &row.id.to_string(),
        },
        now,
    )
    .await
}

pub fn invalid_link() -> AppError {
    AppError::coded(
        Code::InvalidToken,
        "This link is not valid: it may have expired or been used already. Ask for a new one.",
    )
}

/// Checks a link's token for one of `purposes` and uses it up; the row it named.
pub async fn redeem(
    db: &impl ConnectionTrait,
    key: &[u8],
    token: &str,
    purposes: &[Purpose],
    now: DateTime<Utc>,
) -> AppResult<account_token::Model> {
    let row = check(db, key, token, purposes, now).await?;
    let used = account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(now))
        .filter(account_token::Column::Id.eq(row.id))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if used.rows_affected != 1 {
        return Err(invalid_link());
    }
    Ok(row)
}

/// Checks a link without using it (the page that asks for a new password shows its form
/// only for a link that will work).
pub async fn check(
    db: &impl ConnectionTrait,
    key: &[u8],
    token: &str,
    purposes: &[Purpose],
    now: DateTime<Utc>,
) -> AppResult<account_token::Model> {
    let (id, sig) = token.trim().split_once('.').ok_or_else(invalid_link)?;
    let id: i32 = id.parse().map_err(|_| invalid_link())?;
    let row = account_token::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(invalid_link)?;
    let purpose_ok = Purpose::parse(&row.purpose).is_some_and(|p| purposes.contains(&p));
    if !purpose_ok
        || !crate::keys::verify(key, &message(&row), sig)
        || row.used_at.is_some()
        || row.expires_at < now
    {
        return Err(invalid_link());
    }
    Ok(row)
}

/// Uses up a member's open links: those of `purpose`, or every one (`None`: after a
/// password reset, a password change or a new address, no older link, such as a reset to
/// the old address or an address change someone else asked for, may still work).
pub async fn void(
    db: &impl ConnectionTrait,
    member_id: i32,
    purpose: Option<Purpose>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut update = account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(now))
        .filter(account_token::Column::MemberId.eq(member_id))
        .filter(account_token::Column::UsedAt.is_null());
    if let Some(purpose) = purpose {
        update = update.filter(account_token::Column::Purpose.eq(purpose.as_str()));
    }
    update.exec(db).await?;
    Ok(())
}
