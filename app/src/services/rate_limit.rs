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
/// Sign-in attempts per member (a username and its e-mail are one bucket), counted
/// before the password is checked. Over `max` they are slowed, never refused:
/// `signin_delay` grows with each attempt, so a guesser gets a handful of tries an hour
/// and the owner still gets in.
pub const SIGNIN_PER_MEMBER: Limit = Limit {
    name: "signin-member",
    max: 5,
    window_secs: 900,
};
/// Checks of a signed-in member's password (to change it, the address, or to leave).
pub const PASSWORD_CHECKS_PER_MEMBER: Limit = Limit {
    name: "password-check",
    max: 10,
    window_secs: 900,
};
/// Verification mails (and address-change mails) a member may ask for.
pub const ACCOUNT_MAILS_PER_MEMBER: Limit = Limit {
    name: "account-mail",
    max: 3,
    window_secs: 3600,
};
/// Password-reset requests per address (beyond it they are quietly dropped, since the
/// answer may not tell whether the address is registered) and per client.
pub const RESET_PER_ADDRESS: Limit = Limit {
    name: "reset-address",
    max: 3,
    window_secs: 3600,
};
pub const RESET_PER_IP: Limit = Limit {
    name: "reset-ip",
    max: 10,
    window_secs: 3600,
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

/// Votes (discussions and comments), per member or visitor.
pub const VOTES: Limit = Limit {
    name: "vote",
    max: 60,
    window_secs: 60,
};
/// Edits of discussions and comments.
pub const EDITS: Limit = Limit {
    name: "edit",
    max: 30,
    window_secs: 60,
};
/// Searches (the page and the API).
pub const SEARCHES: Limit = Limit {
    name: "search",
    max: 60,
    window_secs: 60,
};
/// Markdown previews.
pub const PREVIEWS: Limit = Limit {
    name: "preview",
    max: 60,
    window_secs: 60,
};
/// Live-question upvotes.
pub const UPVOTES: Limit = Limit {
    name: "question-upvote",
    max: 60,
    window_secs: 60,
};

/// Counts one hit against `limit` for `subject`; `RateLimited` once it is exceeded.
pub async fn hit(db: &impl ConnectionTrait, limit: Limit, subject: &str) -> AppResult<()> {
    let counted = count(db, limit, subject).await?;
    if counted.n > limit.max {
        return Err(AppError::rate_limited(counted.retry_after));
    }
    Ok(())
}

/// Counts one hit, atomically, and returns the count in this window (this hit included)
/// and the seconds until the window ends. Parallel requests each see their own number.
pub async fn count(db: &impl ConnectionTrait, limit: Limit, subject: &str) -> AppResult<Counted> {
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
        [Value::from(key.clone()), Value::from(expires_at)],
    );
    let n: i64 = match db.query_one_raw(stmt).await? {
        Some(row) => row.try_get::<i32>("", "count").map(i64::from)?,
        None => 1,
    };
    Ok(Counted {
        n,
        retry_after: (expires_at - now).max(1) as u64,
        key,
    })
}

/// One counted hit: the count in its window (the hit included), the seconds until the
/// window ends, and the window's row, so that `clear` forgets exactly that one even when
/// the next window has begun meanwhile.
#[derive(Debug)]
pub struct Counted {
    pub n: i64,
    pub retry_after: u64,
    key: String,
}

/// Forgets the hits of the window a `count` landed in (a member who signed in is not
/// slowed by the guesses before).
pub async fn clear(db: &impl ConnectionTrait, counted: &Counted) -> AppResult<()> {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "DELETE FROM rate_limits WHERE \"key\" = $1",
        _ => "DELETE FROM rate_limits WHERE \"key\" = ?",
    };
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [Value::from(counted.key.clone())],
    ))
    .await?;
    Ok(())
}

/// How long the `n`th sign-in attempt for one member in a window waits before its
/// password is checked: nothing for the first `SIGNIN_PER_MEMBER.max`, then half a
/// second doubling with each attempt, at most 30 seconds.
pub fn signin_delay(n: i64) -> std::time::Duration {
    let over = n - SIGNIN_PER_MEMBER.max;
    if over <= 0 {
        return std::time::Duration::ZERO;
    }
    let millis = 500u64.saturating_mul(1u64 << (over - 1).min(16) as u32);
    std::time::Duration::from_millis(millis.min(30_000))
}

/// The bucket a client address counts in: an IPv4 address alone, an IPv6 address by its
/// /64 (one machine usually holds a whole /64, and could rotate through it).
pub fn address_bucket(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(ip) => ip.to_string(),
        Err(_) => ip.to_string(),
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_counts_by_its_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(address_bucket("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(
            address_bucket("2001:db8:1:2:ffff::1"),
            address_bucket("2001:db8:1:2::9")
        );
        assert_ne!(
            address_bucket("2001:db8:1:3::1"),
            address_bucket("2001:db8:1:2::1")
        );
        assert_eq!(address_bucket("::ffff:10.1.2.3"), "10.1.2.3");
        assert_eq!(address_bucket("10.1.2.3"), "10.1.2.3");
    }

    #[test]
    fn sign_in_delays_start_after_the_free_tries_and_grow_to_a_ceiling() {
        let free = SIGNIN_PER_MEMBER.max;
        assert_eq!(signin_delay(1), std::time::Duration::ZERO);
        assert_eq!(signin_delay(free), std::time::Duration::ZERO);
        assert_eq!(signin_delay(free + 1).as_millis(), 500);
        assert_eq!(signin_delay(free + 2).as_millis(), 1000);
        assert_eq!(signin_delay(free + 3).as_millis(), 2000);
        assert_eq!(signin_delay(free + 100).as_secs(), 30);
    }
}
