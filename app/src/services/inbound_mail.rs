//! Reply by e-mail: a message sent to a `reply+TOKEN@` address becomes a comment by the
//! member the token names, in the thread it names, with the quoted text and the
//! signature cut off. Anything else gets a polite bounce and never a post: a reply from
//! another address, a forged or expired token, a locked or deleted discussion, a
//! suspended member, an empty reply. Mail that answers itself (auto-replies, bounces)
//! is dropped without a bounce, so two robots cannot write to each other forever.
//!
//! Each Message-ID is handled once (`inbound_mails`): a mail system that delivers the
//! same message again, or two instances that both receive it, post nothing twice.
//! Messages come from the SMTP listener (`mail::smtp_in`) and `quorum ingest-mail`.

use chrono::{DateTime, Utc};
use entity::{inbound_mail, member};
use mail_parser::{MessageParser, MimeHeaders};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use sha2::{Digest, Sha256};

use super::Actor;
use super::effects::{self, Effect};
use crate::domain::Body;
use crate::error::{AppError, Code};
use crate::mail::replies::{self, Refused};

/// A larger message is refused (by the SMTP listener before it is read, and bounced
/// by `ingest-mail`).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// What the handling needs besides the message.
pub struct Inbox<'a> {
    pub db: &'a DatabaseConnection,
    /// The instance's `reply-by-mail` key.
    pub key: &'a [u8],
    /// `QUORUM_REPLY_DOMAIN`: only its `reply+` addresses are ours (any domain when
    /// unset).
    pub domain: Option<&'a str>,
    pub rate_limits: bool,
    /// Members confirm their address before they post.
    pub verification: bool,
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It is a comment now.
    Posted { discussion_id: i32, comment_id: i32 },
    /// A bounce went back to the sender, saying why.
    Bounced(String),
    /// Dropped without a bounce (an auto-reply, no sender).
    Ignored(String),
    /// This Message-ID came before; nothing was done again.
    Repeated,
}

/// Handles one message. `recipients` are the SMTP envelope's (empty from a pipe: the
/// headers say where it went).
pub async fn ingest(
    inbox: &Inbox<'_>,
    raw: &[u8],
    recipients: &[String],
    now: DateTime<Utc>,
) -> Result<Outcome, IngestError> {
    let message = MessageParser::default()
        .parse(raw)
        .filter(|m| !m.headers().is_empty())
        .ok_or(IngestError::Unreadable)?;
    let message_id = message.message_id().map_or_else(
        || format!("sha256:{}", crate::keys::hex(&Sha256::digest(raw))),
        |id| id.chars().take(250).collect(),
    );
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(|a| a.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let Some(row) = claim(inbox.db, &message_id, &from, now).await? else {
        return Ok(Outcome::Repeated);
    };
    if from.is_empty() {
        return settle(inbox.db, row, Decision::ignore("it has no sender"), now).await;
    }
    if automatic(&message, &from) {
        return settle(
            inbox.db,
            row,
            Decision::ignore("it was sent automatically"),
            now,
        )
        .await;
    }
    let decision = match decide(inbox, &message, raw.len(), recipients, &from, now).await {
        Ok(decision) => decision,
        Err(e) => {
            // Nothing was decided: the sender's retry must find the Message-ID free.
            release(inbox.db, row.id).await;
            return Err(e);
        }
    };
    let decision = bounce_to_whom(inbox.db, decision, &from, now).await?;
    settle(inbox.db, row, decision, now).await
}

/// Gives a claimed Message-ID up again (its handling failed before any decision).
async fn release(db: &DatabaseConnection, id: i32) {
    let released = async {
        let txn = crate::db::begin_write(db).await?;
        inbound_mail::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok::<(), AppError>(())
    };
    if let Err(e) = released.await {
        tracing::warn!(error = %e, "could not release a reply's Message-ID");
    }
}

/// At most this many bounces go to one address an hour.
const BOUNCES_PER_HOUR: u64 = 10;

/// Where a bounce goes: to the member the reply address names (their own address,
/// never a forged From), else to the sender only when the sender is a member; to
/// nobody else (no mail to strangers who forged a From), and at most
/// `BOUNCES_PER_HOUR` an hour to one address.
async fn bounce_to_whom(
    db: &DatabaseConnection,
    mut decision: Decision,
    from: &str,
    now: DateTime<Utc>,
) -> Result<Decision, IngestError> {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let Outcome::Bounced(why) = &decision.outcome else {
        return Ok(decision);
    };
    let to = match decision.member_id {
        Some(id) => member::Entity::find_by_id(id).one(db).await?,
        None => {
            member::Entity::find()
                .filter(member::Column::Email.eq(from))
                .filter(member::Column::DeletedAt.is_null())
                .one(db)
                .await?
        }
    };
    let Some(to) = to.filter(|m| m.deleted_at.is_none()) else {
        decision.outcome =
            Outcome::Ignored(format!("{why} (the sender is not a member: no bounce)"));
        return Ok(decision);
    };
    let recent = inbound_mail::Entity::find()
        .filter(inbound_mail::Column::MemberId.eq(to.id))
        .filter(inbound_mail::Column::Outcome.eq("bounced"))
        .filter(inbound_mail::Column::ReceivedAt.gt(now - chrono::Duration::hours(1)))
        .count(db)
        .await?;
    if recent >= BOUNCES_PER_HOUR {
        decision.outcome = Outcome::Ignored(format!("{why} (too many bounces this hour)"));
        return Ok(decision);
    }
    decision.member_id = Some(to.id);
    decision.bounce_to = Some(to.email);
    Ok(decision)
}

/// Why handling stopped.
#[derive(Debug)]
pub enum IngestError {
    /// The message could not be read as e-mail at all.
    Unreadable,
    /// The database failed: the sender's mail system should try again later.
    Failed(AppError),
}

impl From<AppError> for IngestError {
    fn from(e: AppError) -> Self {
        IngestError::Failed(e)
    }
}

impl From<sea_orm::DbErr> for IngestError {
    fn from(e: sea_orm::DbErr) -> Self {
        IngestError::Failed(e.into())
    }
}

/// What to do with a message.
struct Decision {
    outcome: Outcome,
    member_id: Option<i32>,
    discussion_id: Option<i32>,
    attachments: Vec<String>,
    /// Where the bounce goes (`bounce_to_whom`).
    bounce_to: Option<String>,
}

impl Decision {
    fn ignore(why: &str) -> Self {
        Self {
            outcome: Outcome::Ignored(why.into()),
            member_id: None,
            discussion_id: None,
            attachments: Vec::new(),
            bounce_to: None,
        }
    }

    fn bounce(why: impl Into<String>, member_id: Option<i32>, discussion_id: Option<i32>) -> Self {
        Self {
            outcome: Outcome::Bounced(why.into()),
            member_id,
            discussion_id,
            attachments: Vec::new(),
            bounce_to: None,
        }
    }
}

/// A claim older than this whose handling never finished (the process died) may be
/// taken over.
const STALE_CLAIM: chrono::Duration = chrono::Duration::minutes(10);

/// Records the Message-ID; None when it was handled before (or is being handled).
async fn claim(
    db: &DatabaseConnection,
    message_id: &str,
    from: &str,
    now: DateTime<Utc>,
) -> Result<Option<inbound_mail::Model>, IngestError> {
    let txn = crate::db::begin_write(db).await?;
    let inserted = inbound_mail::Entity::insert(inbound_mail::ActiveModel {
        message_id: Set(message_id.to_string()),
        from_address: Set(from.chars().take(250).collect()),
        outcome: Set("received".into()),
        received_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(inbound_mail::Column::MessageId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    use sea_orm::{ColumnTrait, QueryFilter};
    let row = inbound_mail::Entity::find()
        .filter(inbound_mail::Column::MessageId.eq(message_id))
        .one(&txn)
        .await?;
    let row = match row {
        Some(row) if inserted > 0 => Some(row),
        // A claim whose handler died: taken over.
        Some(row) if row.outcome == "received" && row.received_at < now - STALE_CLAIM => {
            let mut taken: inbound_mail::ActiveModel = row.into();
            taken.received_at = Set(now);
            Some(taken.update(&txn).await?)
        }
        _ => None,
    };
    txn.commit().await?;
    Ok(row)
}

/// Records what became of the message, and writes the bounce, in one transaction.
async fn settle(
    db: &DatabaseConnection,
    row: inbound_mail::Model,
    decision: Decision,
    now: DateTime<Utc>,
) -> Result<Outcome, IngestError> {
    let txn = crate::db::begin_write(db).await?;
    let id = row.id;
    let mut active: inbound_mail::ActiveModel = row.into();
    active.member_id = Set(decision.member_id);
    active.discussion_id = Set(decision.discussion_id);
    active.attachments = Set(Some(decision.attachments.join("\n")).filter(|a| !a.is_empty()));
    match &decision.outcome {
        Outcome::Posted {
            discussion_id,
            comment_id,
        } => {
            active.outcome = Set("posted".into());
            active.discussion_id = Set(Some(*discussion_id));
            active.comment_id = Set(Some(*comment_id));
        }
        Outcome::Bounced(why) => {
            active.outcome = Set("bounced".into());
            active.reason = Set(Some(why.clone()));
        }
        Outcome::Ignored(why) => {
            active.outcome = Set("ignored".into());
            active.reason = Set(Some(why.clone()));
        }
        Outcome::Repeated => {}
    }
    active.update(&txn).await?;
    if let (Outcome::Bounced(_), Some(to)) = (&decision.outcome, &decision.bounce_to) {
        let bounced = Effect::MailBounced {
            inbound_mail_id: id,
            to,
            member_id: decision.member_id,
        };
        effects::record(&txn, bounced, now).await?;
    }
    txn.commit().await?;
    Ok(decision.outcome)
}

/// An auto-reply, a delivery report, a list's mail, or a robot's address.
fn automatic(message: &mail_parser::Message<'_>, from: &str) -> bool {
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    let robot = ["mailer-daemon@", "postmaster@", "noreply", "no-reply"]
        .iter()
        .any(|p| from.starts_with(p) || from.contains(p));
    robot
        || header("Auto-Submitted").is_some_and(|v| v != "no")
        || header("Precedence").is_some_and(|v| matches!(v.as_str(), "bulk" | "junk" | "list"))
        || header("X-Autoreply").is_some()
        || header("X-Autorespond").is_some()
}

/// The reply address's token: the envelope's recipients first, then the headers.
fn token<'m>(
    message: &'m mail_parser::Message<'_>,
    recipients: &'m [String],
    domain: Option<&str>,
) -> Option<String> {
    let mut candidates: Vec<String> = recipients.to_vec();
    for address in message.to().into_iter().chain(message.cc()) {
        candidates.extend(
            address
                .iter()
                .filter_map(|a| a.address())
                .map(str::to_string),
        );
    }
    for name in ["Delivered-To", "X-Original-To", "Envelope-To"] {
        if let Some(v) = message.header_raw(name) {
            candidates.push(v.trim().trim_matches(['<', '>']).to_string());
        }
    }
    candidates
        .iter()
        .find_map(|a| replies::token_of(a.trim_matches(['<', '>']), domain).map(str::to_string))
}

async fn decide(
    inbox: &Inbox<'_>,
    message: &mail_parser::Message<'_>,
    size: usize,
    recipients: &[String],
    from: &str,
    now: DateTime<Utc>,
) -> Result<Decision, IngestError> {
    if size > MAX_BYTES {
        return Ok(Decision::bounce(
            "The message is larger than 10 MB. Send the text alone, without attachments.",
            None,
            None,
        ));
    }
    let Some(token) = token(message, recipients, inbox.domain) else {
        return Ok(Decision::bounce(
            "It was not sent to a reply address of a Quorum notification.",
            None,
            None,
        ));
    };
    let to = match replies::verify(inbox.key, &token, now) {
        Ok(to) => to,
        Err(Refused::Forged) => {
            return Ok(Decision::bounce(
                "The reply address is not one Quorum wrote. Reply to the notification itself, or write on the site.",
                None,
                None,
            ));
        }
        Err(Refused::Expired) => {
            return Ok(Decision::bounce(
                format!(
                    "The reply address has expired (they last {} days). Reply on the site instead.",
                    replies::VALID_DAYS
                ),
                None,
                None,
            ));
        }
    };
    let who = member::Entity::find_by_id(to.member_id)
        .one(inbox.db)
        .await?
        .filter(|m| m.deleted_at.is_none());
    let Some(who) = who else {
        return Ok(Decision::bounce(
            "The member this reply address belongs to no longer exists.",
            None,
            Some(to.discussion_id),
        ));
    };
    let bounce = |why: &str| Decision::bounce(why, Some(who.id), Some(to.discussion_id));
    // The token is the member's only when it comes back from the member's address.
    if !who.email.eq_ignore_ascii_case(from) {
        return Ok(bounce(
            "Replies must come from the address the notification was sent to.",
        ));
    }
    if super::suspensions::active(&who, now).is_some() {
        return Ok(bounce("Your account may not post at the moment."));
    }
    if inbox.verification && !who.email_verified {
        return Ok(bounce(
            "Confirm your e-mail address on the site before you post.",
        ));
    }
    let text = message
        .body_text(0)
        .map(|t| t.to_string())
        .unwrap_or_default();
    let attachments: Vec<String> = message
        .attachments()
        .map(|a| a.attachment_name().unwrap_or("unnamed").to_string())
        .collect();
    let mut reply = strip_reply(&text);
    if reply.trim().is_empty() {
        return Ok(bounce(
            "We found no text of yours above the quoted message, so nothing was posted.",
        ));
    }
    if !attachments.is_empty() {
        reply.push_str(&format!(
            "\n\n*Sent by e-mail; left out: {}.*",
            attachments.join(", ")
        ));
    }
    let body = match Body::parse(&reply) {
        Ok(body) => body,
        Err(e) => return Ok(bounce(&format!("The reply could not be posted: {e}."))),
    };
    let actor = Actor::from_model(&who);
    if let Err(e) = super::rate_limit::posting(inbox.db, inbox.rate_limits, &actor).await {
        return Ok(bounce(&format!("{e}.")));
    }
    let posted = match super::comments::create(
        inbox.db,
        to.discussion_id,
        &actor,
        body.clone(),
        to.parent_id,
    )
    .await
    {
        // The comment answered was deleted since: the reply goes to the discussion.
        Err(e) if e.code() == Code::ValidationFailed && to.parent_id.is_some() => {
            super::comments::create(inbox.db, to.discussion_id, &actor, body, None).await
        }
        other => other,
    };
    let mut decision = match posted {
        Ok(comment) => Decision {
            outcome: Outcome::Posted {
                discussion_id: to.discussion_id,
                comment_id: comment.id,
            },
            member_id: Some(who.id),
            discussion_id: Some(to.discussion_id),
            attachments: Vec::new(),
            bounce_to: None,
        },
        Err(e) => match e.code() {
            Code::DiscussionLocked => bounce("The discussion is locked: it takes no new replies."),
            Code::NotFound => bounce("The discussion no longer exists."),
            Code::InternalError | Code::Unavailable => return Err(IngestError::Failed(e)),
            _ => bounce(&format!("The reply could not be posted: {e}.")),
        },
    };
    decision.attachments = attachments;
    Ok(decision)
}

/// The member's own words: everything above the quoted message, without the signature.
pub fn strip_reply(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        let next = lines.get(i + 1).map_or("", |l| l.trim());
        let quote_header = (t.starts_with("On ")
            && (t.ends_with("wrote:") || next.ends_with("wrote:")))
            || (t.starts_with("Le ") && t.ends_with("a écrit :"))
            || (t.starts_with("Am ") && t.ends_with("schrieb:"))
            || t.starts_with("-----Original Message-----")
            || t.starts_with("________________________________")
            || (t.starts_with("From:") && (next.starts_with("Sent:") || next.starts_with("Date:")))
            || t.contains(REPLY_ABOVE);
        let signature = *line == "-- " || t == "--" || t.starts_with("Sent from my ");
        if quote_header || signature {
            break;
        }
        if t.starts_with('>') {
            continue;
        }
        kept.push(line.trim_end());
    }
    while kept.last().is_some_and(|l| l.trim().is_empty()) {
        kept.pop();
    }
    let first = kept
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(kept.len());
    kept[first..].join("\n")
}

/// The line notification mails put above their text when they can be answered.
pub const REPLY_ABOVE: &str = "Reply above this line to post in the discussion";

#[cfg(test)]
mod tests {
    use super::strip_reply;

    #[test]
    fn quoted_text_and_signatures_are_cut() {
        let gmail = "Yes, let's do it.\r\nSecond line.\r\n\r\nOn Mon, 1 Dec 2026 at 10:00, Quorum <quorum@localhost>\r\nwrote:\r\n> the original\r\n";
        assert_eq!(strip_reply(gmail), "Yes, let's do it.\nSecond line.");
        let outlook = "Agreed.\n\n-----Original Message-----\nFrom: Quorum\nSent: today\n";
        assert_eq!(strip_reply(outlook), "Agreed.");
        let signed = "Count me in.\n-- \nAda Lovelace\nAnalytical Engines";
        assert_eq!(strip_reply(signed), "Count me in.");
        let phone = "Sure\n\nSent from my phone";
        assert_eq!(strip_reply(phone), "Sure");
        let inline = "> what about Fridays?\nFridays work.\n";
        assert_eq!(strip_reply(inline), "Fridays work.");
        let marker = "Thanks!\n\n-- Reply above this line to post in the discussion --\nold text";
        assert_eq!(strip_reply(marker), "Thanks!");
        assert_eq!(strip_reply("On Tue someone wrote:\n> only a quote"), "");
    }
}
