//! Rate limits kept in the database, so every app instance behind a load balancer counts
//! together. Fixed windows: the key names the window, a row counts the hits in it.

use chrono::Utc;
use sea_orm::{ConnectionTrait, Statement, Value};

use crate::error::{AppError, AppResult};

/// One limit: at most `max` hits per `window_secs`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub name: &'static str,
    pub max: i64,
    pub window_secs: i64,
}

/// The limits, in one place.
pub const SIGNIN_PER_IP: Limit = Limit {
    name: "signin-ip",
    max: 30,
    window_secs: 300,
};
pub const SIGNIN_PER_ACCOUNT: Limit = Limit {
    name: "signin-account",
    max: 10,
    window_secs: 900,
};
pub const REGISTER_PER_IP: Limit = Limit {
    name: "register-ip",
    max: 10,
    window_secs: 3600,
};
pub const POSTS_PER_MEMBER: Limit = Limit {
    name: "post",
    max: 20,
    window_secs: 60,
};

/// Counts one hit against `limit` for `subject`; `RateLimited` once it is exceeded.
pub async fn hit(db: &impl ConnectionTrait, limit: Limit, subject: &str) -> AppResult<()> {
    let now = Utc::now().timestamp();
    let window = now.div_euclid(limit.window_secs);
    let expires_at = (window + 1) * limit.window_secs;
    let key = key(limit, subject, window);
    let backend = db.get_database_backend();
    // Same statement on SQLite (3.35+) and PostgreSQL.
    let stmt = Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => {
                "INSERT INTO rate_limits (\"key\", count, expires_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (\"key\") DO UPDATE SET count = rate_limits.count + 1 RETURNING count"
            }
            _ => {
                "INSERT INTO rate_limits (\"key\", count, expires_at) VALUES (?, 1, ?) \
                 ON CONFLICT (\"key\") DO UPDATE SET count = rate_limits.count + 1 RETURNING count"
            }
        },
        [Value::from(key), Value::from(expires_at)],
    );
    let count: i64 = match db.query_one_raw(stmt).await? {
        Some(row) => row.try_get::<i32>("", "count").map(i64::from)?,
        None => 1,
    };
    if count > limit.max {
        return Err(AppError::rate_limited((expires_at - now).max(1) as u64));
    }
    Ok(())
}

/// Whether `limit` is already used up for `subject`, without counting a hit.
pub async fn check(db: &impl ConnectionTrait, limit: Limit, subject: &str) -> AppResult<()> {
    let now = Utc::now().timestamp();
    let window = now.div_euclid(limit.window_secs);
    let expires_at = (window + 1) * limit.window_secs;
    let key = key(limit, subject, window);
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "SELECT count FROM rate_limits WHERE \"key\" = $1",
        _ => "SELECT count FROM rate_limits WHERE \"key\" = ?",
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(key)],
        ))
        .await?;
    let count = match row {
        Some(row) => i64::from(row.try_get::<i32>("", "count")?),
        None => 0,
    };
    if count >= limit.max {
        return Err(AppError::rate_limited((expires_at - now).max(1) as u64));
    }
    Ok(())
}

fn key(limit: Limit, subject: &str, window: i64) -> String {
    format!("{}:{}:{}", limit.name, subject.to_lowercase(), window)
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect()
}

/// Drops counters whose window has passed. Run now and then by the server.
pub async fn sweep(db: &impl ConnectionTrait) -> AppResult<()> {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "DELETE FROM rate_limits WHERE expires_at < $1",
        _ => "DELETE FROM rate_limits WHERE expires_at < ?",
    };
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [Value::from(Utc::now().timestamp())],
    ))
    .await?;
    Ok(())
}

/// Posting (discussions, comments, questions, pictures) is limited per member;
/// moderators are exempt. `on` is the installation's switch (`QUORUM_RATE_LIMIT`).
pub async fn posting(db: &impl ConnectionTrait, on: bool, actor: &super::Actor) -> AppResult<()> {
    if on && !actor.role.can_moderate() {
        hit(db, POSTS_PER_MEMBER, &actor.id.to_string()).await?;
    }
    Ok(())
}
