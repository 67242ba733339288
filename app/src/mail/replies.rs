//! Reply by e-mail: the per-recipient `reply+TOKEN@QUORUM_REPLY_DOMAIN` address each
//! notification mail about a discussion carries in `Reply-To`, and reading it back.
//!
//! TOKEN is lowercase hex (mail systems may change a local part's case) of the member,
//! the discussion, the comment being answered (0: the discussion itself) and the last
//! day it is good for, followed by an HMAC-SHA256 of those over the instance's
//! `reply-by-mail` key, cut to 80 bits. Nothing is stored; a forged or changed token
//! fails the check.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a reply address is good for after the mail was written.
pub const VALID_DAYS: i64 = 60;
const PAYLOAD: usize = 14;
const MAC: usize = 10;

/// What a reply address names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyTo {
    pub member_id: i32,
    pub discussion_id: i32,
    /// The comment being answered; None: the discussion.
    pub parent_id: Option<i32>,
}

/// Why an address could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not ours, or changed: the check fails.
    Forged,
    /// Ours, but older than `VALID_DAYS`.
    Expired,
}

fn mac(key: &[u8], payload: &[u8]) -> Option<Vec<u8>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(payload);
    Some(mac.finalize().into_bytes()[..MAC].to_vec())
}

fn day(t: DateTime<Utc>) -> u16 {
    u16::try_from(t.timestamp().div_euclid(86_400)).unwrap_or(u16::MAX)
}

/// The token for `to`, good until `VALID_DAYS` after `now`.
pub fn token(key: &[u8], to: ReplyTo, now: DateTime<Utc>) -> String {
    let mut payload = Vec::with_capacity(PAYLOAD + MAC);
    for n in [to.member_id, to.discussion_id, to.parent_id.unwrap_or(0)] {
        payload.extend_from_slice(&u32::try_from(n).unwrap_or(0).to_be_bytes());
    }
    payload.extend_from_slice(&day(now + Duration::days(VALID_DAYS)).to_be_bytes());
    let tag = mac(key, &payload).unwrap_or_default();
    payload.extend_from_slice(&tag);
    crate::keys::hex(&payload)
}

/// `reply+TOKEN@domain`.
pub fn address(key: &[u8], domain: &str, to: ReplyTo, now: DateTime<Utc>) -> String {
    format!("reply+{}@{domain}", token(key, to, now))
}

/// Reads a token back; checks its tag before anything else.
pub fn verify(key: &[u8], token: &str, now: DateTime<Utc>) -> Result<ReplyTo, Refused> {
    let token = token.to_ascii_lowercase();
    if token.len() != 2 * (PAYLOAD + MAC) || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Refused::Forged);
    }
    let bytes: Vec<u8> = (0..token.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&token[i..i + 2], 16).ok())
        .collect();
    let (payload, tag) = bytes.split_at(PAYLOAD);
    let Some(expected) = mac(key, payload) else {
        return Err(Refused::Forged);
    };
    // Constant time: the tag is compared whole.
    if expected.len() != tag.len()
        || expected
            .iter()
            .zip(tag)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            != 0
    {
        return Err(Refused::Forged);
    }
    let word = |i: usize| {
        let n = u32::from_be_bytes([payload[i], payload[i + 1], payload[i + 2], payload[i + 3]]);
        i32::try_from(n).unwrap_or(0)
    };
    let until = u16::from_be_bytes([payload[12], payload[13]]);
    if day(now) > until {
        return Err(Refused::Expired);
    }
    let parent = word(8);
    Ok(ReplyTo {
        member_id: word(0),
        discussion_id: word(4),
        parent_id: (parent != 0).then_some(parent),
    })
}

/// The token of a `reply+TOKEN@domain` address (any domain when `domain` is None).
pub fn token_of<'a>(address: &'a str, domain: Option<&str>) -> Option<&'a str> {
    let (local, host) = address.trim().rsplit_once('@')?;
    if domain.is_some_and(|d| !d.eq_ignore_ascii_case(host)) {
        return None;
    }
    let (prefix, token) = local.split_once('+')?;
    prefix.eq_ignore_ascii_case("reply").then_some(token)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_token_reads_back_and_a_changed_one_does_not() {
        let now = Utc::now();
        let to = ReplyTo {
            member_id: 7,
            discussion_id: 42,
            parent_id: Some(9),
        };
        let address = address(KEY, "reply.example.com", to, now);
        assert!(
            address.len() - "@reply.example.com".len() <= 64,
            "{address}"
        );
        let token = token_of(&address, Some("REPLY.example.com")).unwrap();
        assert_eq!(verify(KEY, token, now), Ok(to));
        // Upper case still reads: some mail systems change a local part's case.
        assert_eq!(verify(KEY, &token.to_uppercase(), now), Ok(to));
        let mut changed = token.to_string();
        changed.replace_range(7..8, if &token[7..8] == "0" { "1" } else { "0" });
        assert_eq!(verify(KEY, &changed, now), Err(Refused::Forged));
        assert_eq!(verify(b"another key", token, now), Err(Refused::Forged));
        assert_eq!(verify(KEY, "abc", now), Err(Refused::Forged));
        let later = now + Duration::days(VALID_DAYS + 2);
        assert_eq!(verify(KEY, token, later), Err(Refused::Expired));
        assert_eq!(token_of(&address, Some("elsewhere.com")), None);
        assert_eq!(token_of("someone@reply.example.com", None), None);
    }
}
