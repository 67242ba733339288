//! Mail: SMTP through lettre when `SMTP_URL` is set, otherwise `.eml` files under
//! `$QUORUM_DATA_DIR/mail`. Messages come from the outbox table (written in the same
//! transaction as the comment that causes them) and are sent by `run_worker`.

use std::time::Duration as StdDuration;

use anyhow::Context;
use chrono::{Duration, Utc};
use entity::{comment, discussion, member, outbox};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use tokio::sync::watch;

use crate::config::Settings;

pub mod replies;
pub mod smtp_in;

use crate::services::subscriptions::MESSAGE_ID_DOMAIN;
use crate::views::discussion_path;

/// After this many failed tries a message is kept as `failed` (listed for admins).
pub const MAX_ATTEMPTS: i32 = 8;

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, std::path::PathBuf),
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        match settings
            .smtp_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("reading SMTP_URL")?
                    .timeout(Some(StdDuration::from_secs(30)))
                    .build();
                Ok(Mailer::Smtp(transport))
            }
            None => {
                let dir = settings.data_dir.join("mail");
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                Ok(Mailer::Files(
                    AsyncFileTransport::<Tokio1Executor>::new(&dir),
                    dir,
                ))
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp(_) => "SMTP".into(),
            Mailer::Files(_, dir) => format!(".eml files in {}", dir.display()),
        }
    }

    pub async fn send(&self, message: Message) -> anyhow::Result<()> {
        match self {
            Mailer::Smtp(t) => {
                t.send(message).await.context("sending through SMTP")?;
            }
            Mailer::Files(t, _) => {
                t.send(message).await.context("writing the .eml file")?;
            }
        }
        Ok(())
    }
}

/// A token naming one member and one discussion, that only we can make.
/// The "discussion" an unsubscribe token names for the weekly insights mail (0 is the
/// digest).
pub const INSIGHTS_MAIL: i32 = -1;

pub fn unsubscribe_token(key: &[u8], member_id: i32, discussion_id: i32) -> String {
    let sig = crate::keys::sign(key, &format!("unsubscribe:{member_id}:{discussion_id}"));
    format!("{member_id}.{discussion_id}.{sig}")
}

/// The member and discussion a token names, if its signature is ours.
pub fn verify_unsubscribe_token(key: &[u8], token: &str) -> Option<(i32, i32)> {
    let mut parts = token.splitn(3, '.');
    let member_id: i32 = parts.next()?.parse().ok()?;
    let discussion_id: i32 = parts.next()?.parse().ok()?;
    let sig = parts.next()?;
    crate::keys::verify(
        key,
        &format!("unsubscribe:{member_id}:{discussion_id}"),
        sig,
    )
    .then_some((member_id, discussion_id))
}

/// Claims due messages: pending ones, and ones whose send was interrupted (a crash
/// between recording the attempt and recording the result) once their lease expired.
async fn claim(db: &DatabaseConnection, limit: u64) -> anyhow::Result<Vec<outbox::Model>> {
    let now = Utc::now();
    let due = outbox::Entity::find()
        .filter(outbox::Column::Status.is_in(["pending", "sending"]))
        .filter(outbox::Column::RunAt.lte(now))
        .filter(crate::jobs::lease_free(outbox::Column::LockedUntil, now))
        .order_by_asc(outbox::Column::Id)
        .limit(limit);
    if !crate::jobs::any_due(db, &due).await? {
        return Ok(Vec::new());
    }
    let txn = crate::db::begin_write(db).await?;
    let select = crate::jobs::skip_locked(due, txn.get_database_backend());
    let rows = select.all(&txn).await?;
    if !rows.is_empty() {
        use sea_orm::sea_query::ExprTrait;
        // The attempt is recorded before the send.
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value("sending"))
            .col_expr(
                outbox::Column::LockedUntil,
                Expr::value(now + Duration::minutes(5)),
            )
            .col_expr(
                outbox::Column::Attempts,
                Expr::col(outbox::Column::Attempts).add(1),
            )
            .filter(outbox::Column::Id.is_in(rows.iter().map(|r| r.id).collect::<Vec<_>>()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(rows)
}

/// Sends outbox messages until told to stop; a message in flight is finished first.
/// What the mail worker needs: the database, the way out, the templates, the key that
/// signs unsubscribe links and the base URL of links.
#[derive(Clone)]
pub struct MailWorker {
    pub db: sea_orm::DatabaseConnection,
    pub mailer: std::sync::Arc<Mailer>,
    pub templates: std::sync::Arc<tera::Tera>,
    pub keys: std::sync::Arc<crate::keys::Keys>,
    pub base_url: String,
    /// `QUORUM_MAIL_FROM`.
    pub mail_from: String,
    /// `QUORUM_REPLY_DOMAIN`: mails about a discussion carry a reply address there.
    pub reply_domain: Option<String>,
}

pub async fn run_worker(state: MailWorker, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        // One message at a time: its lease (5 minutes) covers exactly one send, so no
        // other instance can take it over while it is in flight.
        let rows = match claim(&state.db, 1).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "could not claim mail");
                Vec::new()
            }
        };
        let idle = rows.is_empty();
        for row in rows {
            deliver(&state, row).await;
        }
        if idle {
            tokio::select! {
                _ = tokio::time::sleep(StdDuration::from_millis(500)) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

async fn deliver(state: &MailWorker, row: outbox::Model) {
    let outcome = match compose(state, &row).await {
        Ok(Some(message)) => state.mailer.send(message).await.map(|()| true),
        Ok(None) => Ok(false),
        Err(e) => Err(e),
    };
    let mut active: outbox::ActiveModel = row.clone().into();
    active.locked_until = Set(None);
    match outcome {
        Ok(true) => {
            active.status = Set("sent".into());
            active.sent_at = Set(Some(Utc::now()));
            active.last_error = Set(None);
        }
        Ok(false) => {
            // The comment or discussion is gone, or the member unsubscribed meanwhile.
            active.status = Set("cancelled".into());
        }
        Err(e) => {
            let attempts = row.attempts + 1;
            tracing::warn!(error = %e, outbox = row.id, attempts, "sending mail failed");
            active.last_error = Set(Some(format!("{e:#}").chars().take(2000).collect()));
            if attempts >= MAX_ATTEMPTS {
                active.status = Set("failed".into());
            } else {
                active.status = Set("pending".into());
                active.run_at = Set(crate::jobs::backoff(attempts, Utc::now()));
            }
        }
    }
    if let Err(e) = active.update(&state.db).await {
        tracing::warn!(error = %e, outbox = row.id, "could not record the mail outcome");
    }
}

/// Renders one outbox row into a message; `None` when there is nothing to send any more.
async fn compose(state: &MailWorker, row: &outbox::Model) -> anyhow::Result<Option<Message>> {
    if row.kind == "digest" {
        return compose_digest(state, row).await;
    }
    if row.kind == "insights" {
        return compose_insights(state, row).await;
    }
    if row.reason == "account" {
        return compose_account(state, row).await;
    }
    if row.kind == "idea_status" {
        return compose_idea(state, row).await;
    }
    if row.kind == "bounce" {
        return compose_bounce(state, row).await;
    }
    let (Some(discussion_id), Some(comment_id)) = (row.discussion_id, row.comment_id) else {
        return Ok(None);
    };
    let Some(d) = discussion::Entity::find_by_id(discussion_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let Some(c) = comment::Entity::find_by_id(comment_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    if d.deleted_at.is_some() || c.deleted_at.is_some() {
        return Ok(None);
    }
    // A member who unsubscribed after the comment was written is not mailed (unless
    // they are mentioned or answered directly, which the row's reason records).
    let unsubscribed = if row.reason == "subscribed" {
        !crate::services::subscriptions::get(&state.db, row.member_id, d.id).await?
    } else {
        crate::services::subscriptions::opted_out(&state.db, row.member_id, d.id).await?
    };
    if unsubscribed {
        return Ok(None);
    }
    let Some(writer) = member::Entity::find_by_id(c.author_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let base = &state.base_url;
    let unsubscribe_url = unsubscribe_url(state, row.member_id, d.id);
    let link = format!("{base}{}#comment-{}", discussion_path(d.id, &d.title), c.id);
    let why = match row.reason.as_str() {
        "mention" => format!("{} mentioned you.", writer.display_name),
        "comment_reply" => format!("{} replied to your comment.", writer.display_name),
        _ => "You are subscribed to this discussion.".to_string(),
    };
    let mut ctx = tera::Context::new();
    ctx.insert("title", &d.title);
    ctx.insert("writer", &writer.display_name);
    ctx.insert("writer_username", &writer.username);
    ctx.insert(
        "quote",
        &c.body
            .lines()
            .map(|l| format!("> {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    ctx.insert("body_html", &c.body_html);
    ctx.insert("link", &link);
    ctx.insert("why", &why);
    let envelope = Envelope {
        subject: format!("[Quorum] Re: {}", d.title),
        thread: Some(d.id),
        unsubscribe: Some(&unsubscribe_url),
        reply_to: reply_address(state, row.member_id, d.id, Some(c.id)),
    };
    Ok(Some(letter(state, row, "reply", ctx, envelope)?))
}

/// An idea's change of status, told to a subscriber of its discussion.
async fn compose_idea(state: &MailWorker, row: &outbox::Model) -> anyhow::Result<Option<Message>> {
    let (Some(discussion_id), Some(change_id)) = (row.discussion_id, row.idea_change_id) else {
        return Ok(None);
    };
    let Some(d) = discussion::Entity::find_by_id(discussion_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let Some(change) = entity::idea_change::Entity::find_by_id(change_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    if d.deleted_at.is_some() || d.hidden {
        return Ok(None);
    }
    if !crate::services::subscriptions::get(&state.db, row.member_id, d.id).await? {
        return Ok(None);
    }
    let changer = member::Entity::find_by_id(change.changed_by)
        .one(&state.db)
        .await?
        .map_or_else(|| "A leader".to_string(), |m| m.display_name);
    let label =
        crate::domain::IdeaStatus::parse(&change.status).map_or("a new status", |s| s.label());
    let base = &state.base_url;
    let unsubscribe_url = unsubscribe_url(state, row.member_id, d.id);
    let mut ctx = tera::Context::new();
    ctx.insert("title", &d.title);
    ctx.insert("changer", &changer);
    ctx.insert("label", label);
    ctx.insert("note", &change.note);
    ctx.insert(
        "link",
        &format!("{base}{}#idea", discussion_path(d.id, &d.title)),
    );
    let envelope = Envelope {
        subject: format!("[Quorum] Idea {}: {}", label.to_lowercase(), d.title),
        thread: Some(d.id),
        unsubscribe: Some(&unsubscribe_url),
        reply_to: reply_address(state, row.member_id, d.id, None),
    };
    Ok(Some(letter(state, row, "idea_status", ctx, envelope)?))
}

/// A reply by e-mail that could not be posted: why, told to its sender.
async fn compose_bounce(
    state: &MailWorker,
    row: &outbox::Model,
) -> anyhow::Result<Option<Message>> {
    let Some(id) = row.inbound_mail_id else {
        return Ok(None);
    };
    let Some(inbound) = entity::inbound_mail::Entity::find_by_id(id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let discussion = match inbound.discussion_id {
        Some(d) => discussion::Entity::find_by_id(d)
            .one(&state.db)
            .await?
            .filter(|d| d.deleted_at.is_none() && !d.hidden),
        None => None,
    };
    let mut ctx = tera::Context::new();
    ctx.insert("reason", &inbound.reason.unwrap_or_default());
    if let Some(d) = &discussion {
        ctx.insert("title", &d.title);
        ctx.insert(
            "link",
            &format!("{}{}", state.base_url, discussion_path(d.id, &d.title)),
        );
    }
    let envelope = Envelope {
        subject: "[Quorum] Your reply was not posted".to_string(),
        thread: discussion.as_ref().map(|d| d.id),
        unsubscribe: None,
        reply_to: None,
    };
    let mut message = letter(state, row, "bounce", ctx, envelope)?;
    // A bounce is automatic: robots must not answer it (RFC 3834).
    message.headers_mut().insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Auto-Submitted"),
        "auto-replied".into(),
    ));
    Ok(Some(message))
}

/// An account mail: a one-time link (confirm an address, reset a password, confirm a
/// new address) or the notice to the old address that a change was asked for. A link
/// row that was used or has expired by now sends nothing.
async fn compose_account(
    state: &MailWorker,
    row: &outbox::Model,
) -> anyhow::Result<Option<Message>> {
    use crate::services::account_links::{self, Purpose};
    let Some(m) = member::Entity::find_by_id(row.member_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    if m.deleted_at.is_some() {
        return Ok(None);
    }
    let base = &state.base_url;
    let mut ctx = tera::Context::new();
    ctx.insert("name", &m.display_name);
    let subject;
    if let Some(token_id) = row.token_id {
        let Some(link) = entity::account_token::Entity::find_by_id(token_id)
            .one(&state.db)
            .await?
        else {
            return Ok(None);
        };
        if link.used_at.is_some() || link.expires_at < Utc::now() {
            return Ok(None);
        }
        let Some(purpose) = Purpose::parse(&link.purpose) else {
            return Ok(None);
        };
        if purpose == Purpose::VerifyEmail && m.email_verified {
            // Confirmed meanwhile (another link, or single sign-on).
            return Ok(None);
        }
        let token = account_links::token_for(&state.keys.links, &link);
        let url = format!("{base}{}?token={token}", purpose.path());
        let (s, lead, action, expiry) = match purpose {
            Purpose::VerifyEmail => (
                "Confirm your e-mail address",
                "Welcome to Quorum! Confirm that this address is yours, and you can start discussions, reply, vote and follow.",
                "Confirm my address",
                "The link works once, for 24 hours.",
            ),
            Purpose::EmailChange => (
                "Confirm your new e-mail address",
                "You asked to use this address for your Quorum account. It takes effect when you confirm it.",
                "Confirm my new address",
                "The link works once, for 24 hours.",
            ),
            Purpose::PasswordReset => (
                "Reset your password",
                "Someone (we hope you) asked to reset the password of your Quorum account. Choose a new one; every device signed in to your account will be signed out.",
                "Choose a new password",
                "The link works once, for one hour.",
            ),
        };
        subject = s;
        ctx.insert("lead", lead);
        ctx.insert("action", action);
        ctx.insert("expiry", expiry);
        ctx.insert("link", &url);
        ctx.insert(
            "footer",
            "If you did not ask for this, ignore this message: nothing changes.",
        );
    } else if row.kind == "email_change_notice" {
        subject = "Your e-mail address is about to change";
        ctx.insert(
            "lead",
            "Someone signed in to your Quorum account asked to move it to another e-mail address. The change happens only when the new address is confirmed.",
        );
        ctx.insert("link", &"");
        ctx.insert(
            "footer",
            &format!("If this was not you, reset your password now: {base}/forgot-password"),
        );
    } else {
        return Ok(None);
    }
    let envelope = Envelope {
        subject: format!("[Quorum] {subject}"),
        thread: None,
        unsubscribe: None,
        reply_to: None,
    };
    Ok(Some(letter(state, row, "account", ctx, envelope)?))
}

/// A digest: the discussions `services::digest::selection` picks, as of when the row
/// was queued.
async fn compose_digest(
    state: &MailWorker,
    row: &outbox::Model,
) -> anyhow::Result<Option<Message>> {
    let Some(m) = member::Entity::find_by_id(row.member_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let Some(every) = crate::services::digest::period(&row.reason) else {
        return Ok(None);
    };
    if m.digest == "never" {
        return Ok(None);
    }
    let picked = crate::services::digest::selection(&state.db, m.id, row.created_at - every, 10)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if picked.is_empty() {
        return Ok(None);
    }
    let base = &state.base_url;
    // Discussion 0 in a token means "the digest".
    let unsubscribe_url = unsubscribe_url(state, m.id, 0);
    let items: Vec<serde_json::Value> = picked
        .iter()
        .map(|d| {
            serde_json::json!({
                "title": d.title,
                "url": format!("{base}{}", discussion_path(d.id, &d.title)),
                "comments": d.comment_count,
            })
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("items", &items);
    ctx.insert(
        "period",
        if row.reason == "weekly" {
            "week"
        } else {
            "day"
        },
    );
    let envelope = Envelope {
        subject: format!(
            "[Quorum] Your {} digest: {} active {}",
            row.reason,
            items.len(),
            if items.len() == 1 {
                "discussion"
            } else {
                "discussions"
            }
        ),
        thread: None,
        unsubscribe: Some(&unsubscribe_url),
        reply_to: None,
    };
    Ok(Some(letter(state, row, "digest", ctx, envelope)?))
}

/// The weekly "state of the community" for a leader, moderator or admin who asked for
/// it, as of when it is sent.
async fn compose_insights(
    state: &MailWorker,
    row: &outbox::Model,
) -> anyhow::Result<Option<Message>> {
    let Some(m) = member::Entity::find_by_id(row.member_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    // Who left, turned it off or is no longer a leader by the time it goes gets nothing.
    let role = crate::domain::Role::from_db(&m.role);
    if !m.insights_mail || m.deleted_at.is_some() || role < crate::domain::Role::Leader {
        return Ok(None);
    }
    let summary = crate::services::insights::weekly_summary(&state.db, Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let base = &state.base_url;
    let unsubscribe_url = unsubscribe_url(state, m.id, INSIGHTS_MAIL);
    let mut ctx = tera::Context::new();
    ctx.insert("name", &m.display_name);
    ctx.insert("s", &summary);
    ctx.insert("insights_url", &format!("{base}/insights"));
    ctx.insert(
        "ideas_url",
        &format!("{base}/ideas?awaiting=true&sort=waiting"),
    );
    let envelope = Envelope {
        subject: format!(
            "[Quorum] The state of the community, week of {}",
            summary.last_week.start.format("%-d %B %Y")
        ),
        thread: None,
        unsubscribe: Some(&unsubscribe_url),
        reply_to: None,
    };
    Ok(Some(letter(state, row, "insights", ctx, envelope)?))
}

/// What a message is about, beyond its words.
struct Envelope<'a> {
    subject: String,
    /// A discussion's id: the message joins that discussion's thread in mail clients.
    thread: Option<i32>,
    /// The signed link that stops this kind of mail (`unsubscribe_url`), for the
    /// templates and the one-click headers.
    unsubscribe: Option<&'a str>,
    /// The member's `reply+TOKEN@` address: a reply by e-mail becomes a comment.
    reply_to: Option<String>,
}

/// The `Reply-To` of a mail about a discussion (`parent`: the comment it quotes), when
/// `QUORUM_REPLY_DOMAIN` is set.
fn reply_address(
    state: &MailWorker,
    member: i32,
    discussion: i32,
    parent: Option<i32>,
) -> Option<String> {
    let domain = state.reply_domain.as_deref()?;
    let to = replies::ReplyTo {
        member_id: member,
        discussion_id: discussion,
        parent_id: parent,
    };
    Some(replies::address(
        &state.keys.replies,
        domain,
        to,
        Utc::now(),
    ))
}

/// The one-click link that stops the mail a token names (a discussion's, or 0 for the
/// digest, `INSIGHTS_MAIL` for the weekly insights).
fn unsubscribe_url(state: &MailWorker, member_id: i32, what: i32) -> String {
    let token = unsubscribe_token(state.keys.unsubscribe.as_slice(), member_id, what);
    format!("{}/unsubscribe/{token}", state.base_url)
}

/// Renders `email/{template}.txt` and `.html` with `ctx` into a message from
/// `QUORUM_MAIL_FROM` to the row's address under the row's Message-ID, every message
/// alike: in its discussion's thread, and with the unsubscribe and settings links and
/// RFC 8058 one-click headers, when the envelope says so.
fn letter(
    state: &MailWorker,
    row: &outbox::Model,
    template: &str,
    mut ctx: tera::Context,
    envelope: Envelope<'_>,
) -> anyhow::Result<Message> {
    if let Some(url) = envelope.unsubscribe {
        ctx.insert("unsubscribe_url", url);
        ctx.insert("settings_url", &format!("{}/settings", state.base_url));
    }
    // Where a reply goes, the text says so; what is below the line is cut off.
    if envelope.reply_to.is_some() {
        ctx.insert("reply_above", crate::services::inbound_mail::REPLY_ABOVE);
    }
    let text = state
        .templates
        .render(&format!("email/{template}.txt"), &ctx)?;
    let html = state
        .templates
        .render(&format!("email/{template}.html"), &ctx)?;
    let from: Mailbox = state
        .mail_from
        .parse()
        .context("QUORUM_MAIL_FROM is not an address")?;
    let to: Mailbox = row.to_address.parse().context("the recipient's address")?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(envelope.subject)
        .message_id(Some(format!("<{}>", row.message_id)));
    if let Some(id) = envelope.thread {
        let thread = format!("<discussion-{id}@{MESSAGE_ID_DOMAIN}>");
        builder = builder.in_reply_to(thread.clone()).references(thread);
    }
    if let Some(reply_to) = envelope.reply_to {
        let mailbox: Mailbox = reply_to.parse().context("the reply address")?;
        builder = builder.reply_to(mailbox);
    }
    let mut message = builder.multipart(MultiPart::alternative_plain_html(text, html))?;
    if let Some(url) = envelope.unsubscribe {
        one_click_unsubscribe(&mut message, url);
    }
    Ok(message)
}

/// RFC 8058: `List-Unsubscribe` with our signed link, and one-click by POST.
fn one_click_unsubscribe(message: &mut Message, unsubscribe_url: &str) {
    let headers = message.headers_mut();
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("List-Unsubscribe"),
        format!("<{unsubscribe_url}>"),
    ));
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click".into(),
    ));
}

/// Messages that gave up, for admins.
pub async fn failed(db: &DatabaseConnection) -> anyhow::Result<Vec<outbox::Model>> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::Status.eq("failed"))
        .order_by_desc(outbox::Column::Id)
        .limit(200)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_one_member_and_cannot_be_forged() {
        let key: &[u8] = b"secret key";
        let token = unsubscribe_token(key, 7, 42);
        assert_eq!(verify_unsubscribe_token(key, &token), Some((7, 42)));
        let forged = token.replacen("7.", "8.", 1);
        assert_eq!(verify_unsubscribe_token(key, &forged), None);
        assert_eq!(verify_unsubscribe_token(b"other key", &token), None);
        assert_eq!(verify_unsubscribe_token(key, "garbage"), None);
    }
}
