//! Members and their credentials: registration, sign-in, bearer tokens and browser
//! sessions, roles.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use chrono::{Duration, Utc};
use entity::{member, session};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, SqlErr,
};
use sha2::{Digest, Sha256};

use crate::domain::{DisplayName, Email, Password, Role, Username};
use crate::error::{AppError, AppResult, Code, FieldErrors};

/// Browser sessions and API tokens last 30 days.
const SESSION_DAYS: i64 = 30;

/// How a credential is used: a bearer token for the API or the browser's cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Api,
    Web,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Api => "api",
            SessionKind::Web => "web",
        }
    }
}

pub struct NewMember {
    pub username: Username,
    pub email: Email,
    pub password: Password,
    pub display_name: Option<DisplayName>,
}

impl NewMember {
    /// Parses every field at once so the answer names all the problems together.
    pub fn parse(
        username: &str,
        email: &str,
        password: &str,
        display_name: Option<&str>,
    ) -> AppResult<Self> {
        let mut fields = FieldErrors::new();
        let username = keep(&mut fields, Username::parse(username));
        let email = keep(&mut fields, Email::parse(email));
        let password = keep(&mut fields, Password::parse(password));
        let display_name = match display_name.map(str::trim).filter(|s| !s.is_empty()) {
            Some(raw) => keep(&mut fields, DisplayName::parse(raw)),
            None => None,
        };
        match (username, email, password) {
            (Some(username), Some(email), Some(password)) if fields.is_empty() => Ok(Self {
                username,
                email,
                password,
                display_name,
            }),
            _ => Err(AppError::from_fields(fields)),
        }
    }
}

/// The value, or its field errors added to `fields`.
fn keep<T>(fields: &mut FieldErrors, result: AppResult<T>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            if let Some(f) = e.fields() {
                fields.extend(f.clone());
            }
            None
        }
    }
}

/// Hashes with argon2id on a blocking thread: it takes tens of milliseconds of CPU.
pub async fn hash_password(password: &Password) -> AppResult<String> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.expose().as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(anyhow::anyhow!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| AppError::internal(anyhow::Error::new(e)))?
}

/// A hash of a password nobody has, verified against when the login names no member,
/// so a wrong username costs the same time as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    Argon2::default()
        .hash_password(random_token(24).as_bytes())
        .map(|h| h.to_string())
        .unwrap_or_default()
});

async fn verify_password(password: String, hash: Option<String>) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .map_err(|e| AppError::internal(anyhow::Error::new(e)))
}

pub async fn register(
    db: &impl ConnectionTrait,
    new: NewMember,
    allowed_domains: &[String],
) -> AppResult<member::Model> {
    if !allowed_domains.is_empty() && !allowed_domains.iter().any(|d| d == new.email.domain()) {
        return Err(AppError::validation(
            "email",
            format!("must be an address at {}", allowed_domains.join(" or ")),
        ));
    }
    // Friendly answers for the common case; the unique keys below catch the race.
    if member::Entity::find()
        .filter(member::Column::Username.eq(new.username.as_ref()))
        .one(db)
        .await?
        .is_some()
    {
        return Err(username_taken());
    }
    if member::Entity::find()
        .filter(member::Column::Email.eq(new.email.as_ref()))
        .one(db)
        .await?
        .is_some()
    {
        return Err(email_taken());
    }
    let password_hash = hash_password(&new.password).await?;
    let display_name = new
        .display_name
        .map(DisplayName::into_inner)
        .unwrap_or_else(|| new.username.to_string());
    let row = member::ActiveModel {
        username: Set(new.username.into_inner()),
        email: Set(new.email.into_inner()),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        role: Set(Role::Member.as_str().to_string()),
        reputation: Set(1),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    match row.insert(db).await {
        Ok(m) => Ok(m),
        Err(e) => match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(msg)) if msg.contains("email") => {
                Err(email_taken())
            }
            Some(SqlErr::UniqueConstraintViolation(_)) => Err(username_taken()),
            _ => Err(e.into()),
        },
    }
}

fn username_taken() -> AppError {
    let mut fields = FieldErrors::new();
    fields.insert("username".into(), "is already taken".into());
    AppError::coded(Code::UsernameTaken, "That username is already taken").with_fields(fields)
}

fn email_taken() -> AppError {
    let mut fields = FieldErrors::new();
    fields.insert("email".into(), "is already registered".into());
    AppError::coded(
        Code::EmailTaken,
        "That e-mail address is already registered",
    )
    .with_fields(fields)
}

pub fn invalid_credentials() -> AppError {
    AppError::coded(
        Code::InvalidCredentials,
        "That username or e-mail and password do not match",
    )
}

/// Checks a login (username or e-mail) and password. Every wrong pair gets the same
/// answer, after the same amount of work.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    login: &str,
    password: &str,
) -> AppResult<member::Model> {
    let login = login.trim().to_lowercase();
    let found = if login.is_empty() || password.is_empty() || login.chars().any(char::is_control) {
        None
    } else if login.contains('@') {
        member::Entity::find()
            .filter(member::Column::Email.eq(login.as_str()))
            .one(db)
            .await?
    } else {
        member::Entity::find()
            .filter(member::Column::Username.eq(login.as_str()))
            .one(db)
            .await?
    };
    let ok = verify_password(
        password.to_string(),
        found.as_ref().map(|m| m.password_hash.clone()),
    )
    .await?;
    match found {
        Some(m) if ok => Ok(m),
        _ => Err(invalid_credentials()),
    }
}

pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Starts a session and returns its secret; only its hash is stored.
pub async fn create_session(
    db: &impl ConnectionTrait,
    member_id: i32,
    kind: SessionKind,
) -> AppResult<String> {
    let token = random_token(32);
    let now = Utc::now();
    session::ActiveModel {
        member_id: Set(member_id),
        token_hash: Set(hash_token(&token)),
        kind: Set(kind.as_str().to_string()),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(SESSION_DAYS)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The member a token belongs to, if it is known and not expired.
pub async fn member_for_token(
    db: &impl ConnectionTrait,
    token: &str,
    kind: SessionKind,
) -> AppResult<Option<member::Model>> {
    if token.is_empty() || token.len() > 200 {
        return Ok(None);
    }
    let Some(s) = session::Entity::find()
        .filter(session::Column::TokenHash.eq(hash_token(token)))
        .filter(session::Column::Kind.eq(kind.as_str()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if s.expires_at < Utc::now() {
        session::Entity::delete_by_id(s.id).exec(db).await?;
        return Ok(None);
    }
    Ok(member::Entity::find_by_id(s.member_id).one(db).await?)
}

/// Ends a session: the token stops working at once.
pub async fn revoke(db: &impl ConnectionTrait, token: &str) -> AppResult<()> {
    session::Entity::delete_many()
        .filter(session::Column::TokenHash.eq(hash_token(token)))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn find_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> AppResult<member::Model> {
    // Only a valid username can name a member; anything else (a NUL byte, say, which
    // PostgreSQL refuses in text) is simply not found.
    let Ok(username) = Username::parse(username) else {
        return Err(AppError::not_found("Member"));
    };
    member::Entity::find()
        .filter(member::Column::Username.eq(username.as_ref()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Member"))
}

pub async fn set_role(
    db: &impl ConnectionTrait,
    username: &str,
    role: Role,
) -> AppResult<member::Model> {
    let found = find_by_username(db, username).await?;
    let mut row: member::ActiveModel = found.into();
    row.role = Set(role.as_str().to_string());
    Ok(row.update(db).await?)
}

/// Checks a sign-in under the rate limits: every attempt counts against the address;
/// only failed ones count against the account, so nobody can lock a colleague out by
/// guessing at their name while they sign in correctly.
pub async fn signin(
    db: &DatabaseConnection,
    limits: bool,
    client_ip: &str,
    login: &str,
    password: &str,
) -> AppResult<member::Model> {
    use super::rate_limit;
    if limits {
        rate_limit::hit(db, rate_limit::SIGNIN_PER_IP, client_ip).await?;
        rate_limit::check(db, rate_limit::SIGNIN_PER_ACCOUNT, login.trim()).await?;
    }
    let outcome = authenticate(db, login, password).await;
    if limits && outcome.is_err() {
        rate_limit::hit(db, rate_limit::SIGNIN_PER_ACCOUNT, login.trim()).await?;
    }
    outcome
}
