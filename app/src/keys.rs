//! The instance's secret keys: made once, kept in the database (`instance_secrets`) so
//! every app instance behind a load balancer signs and checks the same way.
//!
//! - `unsubscribe`: the one-click unsubscribe links in reply mails;
//! - `account-links`: e-mailed one-time links (verification, password reset, address
//!   change), so the database holds each link's row but never the link itself;
//! - `csrf`: binds a browser's CSRF token to its session;
//! - `replies`: the `reply+TOKEN@` addresses of reply by e-mail (`mail::replies`).

use anyhow::Context;
use base64::Engine;
use entity::instance_secret;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct Keys {
    pub unsubscribe: Vec<u8>,
    pub links: Vec<u8>,
    pub csrf: Vec<u8>,
    pub replies: Vec<u8>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(…)")
    }
}

impl Keys {
    pub async fn load(db: &impl ConnectionTrait) -> anyhow::Result<Self> {
        Ok(Self {
            unsubscribe: secret(db, "unsubscribe").await?,
            links: secret(db, "account-links").await?,
            csrf: secret(db, "csrf").await?,
            replies: secret(db, "reply-by-mail").await?,
        })
    }
}

/// The named secret, made on first use. Two instances starting at once agree: the
/// insert that loses the race does nothing and both read the winner.
async fn secret(db: &impl ConnectionTrait, name: &str) -> anyhow::Result<Vec<u8>> {
    let mut fresh = [0u8; 32];
    rand::rng().fill_bytes(&mut fresh);
    instance_secret::Entity::insert(instance_secret::ActiveModel {
        name: Set(name.to_string()),
        value: Set(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(fresh)),
    })
    .on_conflict(
        OnConflict::column(instance_secret::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let row = instance_secret::Entity::find_by_id(name.to_string())
        .one(db)
        .await?
        .with_context(|| format!("the {name} key went missing"))?;
    Ok(row.value.into_bytes())
}

/// HMAC-SHA256 of `message`, base64url without padding.
pub fn sign(key: &[u8], message: &str) -> String {
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        return String::new();
    };
    mac.update(message.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Whether `signature` (as `sign` makes it) is ours for `message`, in constant time.
pub fn verify(key: &[u8], message: &str, signature: &str) -> bool {
    let Ok(sig) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(signature) else {
        return false;
    };
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        return false;
    };
    mac.update(message.as_bytes());
    mac.verify_slice(&sig).is_ok()
}

/// Equality that takes the same time wherever the first difference is.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `bytes` random bytes, base64url: session secrets, CSRF cookies.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Lowercase hex of bytes (digests, signatures, tokens).
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 * bytes.len());
    for byte in bytes {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Hex SHA-256: what the database keeps of a session secret.
pub fn hash_token(token: &str) -> String {
    use sha2::Digest;
    hex(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_checks_only_for_its_message_and_key() {
        let sig = sign(b"key", "verify_email:1:2");
        assert!(verify(b"key", "verify_email:1:2", &sig));
        assert!(!verify(b"key", "verify_email:1:3", &sig));
        assert!(!verify(b"other", "verify_email:1:2", &sig));
        assert!(!verify(b"key", "verify_email:1:2", "not base64 !"));
    }
}
