//! "E-mail me when people leave comments": subscriptions, mentions, and what a new
//! comment sets in motion (in-app notifications and outbox rows, in its transaction).

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{comment, discussion, member, outbox, subscription};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::notifications;
use crate::error::AppResult;

/// The right-hand side of every Message-ID we mint (it only has to be ours and stable).
pub const MESSAGE_ID_DOMAIN: &str = "quorum.mail";

/// One message for the outbox.
pub struct Mail<'a> {
    pub member_id: i32,
    pub to: &'a str,
    pub kind: &'a str,
    pub reason: &'a str,
    pub discussion_id: Option<i32>,
    pub comment_id: Option<i32>,
    /// An account mail's one-time link row.
    pub token_id: Option<i32>,
    /// An idea status mail's change.
    pub idea_change_id: Option<i32>,
    /// A bounce's message (reply by e-mail).
    pub inbound_mail_id: Option<i32>,
    /// Goes into the Message-ID, with a random part, so each message has its own.
    pub tag: &'a str,
}

/// Writes a pending outbox row; the mail worker sends it.
pub async fn queue_mail(
    db: &impl ConnectionTrait,
    mail: Mail<'_>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    mail_row(mail, now).insert(db).await?;
    Ok(())
}

/// Queues many messages in one statement (a reply's mail to every subscriber).
pub async fn queue_mails(
    db: &impl ConnectionTrait,
    rows: Vec<outbox::ActiveModel>,
) -> AppResult<()> {
    // Bounded, so that a discussion with thousands of subscribers stays within the
    // databases' limits on bound values (16 columns a row).
    for chunk in rows.chunks(500) {
        outbox::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The outbox row of one message.
pub fn mail_row(mail: Mail<'_>, now: DateTime<Utc>) -> outbox::ActiveModel {
    outbox::ActiveModel {
        member_id: Set(mail.member_id),
        to_address: Set(mail.to.to_string()),
        kind: Set(mail.kind.to_string()),
        reason: Set(mail.reason.to_string()),
        discussion_id: Set(mail.discussion_id),
        comment_id: Set(mail.comment_id),
        message_id: Set(format!(
            "quorum.{}.{}.{}@{MESSAGE_ID_DOMAIN}",
            mail.kind,
            mail.tag,
            crate::keys::random_token(6)
        )),
        status: Set("pending".into()),
        attempts: Set(0),
        run_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        token_id: Set(mail.token_id),
        idea_change_id: Set(mail.idea_change_id),
        inbound_mail_id: Set(mail.inbound_mail_id),
        ..Default::default()
    }
}

/// Subscribes a member to a discussion unless they already chose; returns nothing.
pub async fn subscribe_default(
    db: &impl ConnectionTrait,
    member_id: i32,
    discussion_id: i32,
    email: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    subscription::Entity::insert(subscription::ActiveModel {
        member_id: Set(member_id),
        discussion_id: Set(discussion_id),
        email: Set(email),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            subscription::Column::DiscussionId,
            subscription::Column::MemberId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Whether the member gets e-mail for a discussion's new comments.
pub async fn get(db: &impl ConnectionTrait, member_id: i32, discussion_id: i32) -> AppResult<bool> {
    Ok(subscription::Entity::find()
        .filter(subscription::Column::MemberId.eq(member_id))
        .filter(subscription::Column::DiscussionId.eq(discussion_id))
        .one(db)
        .await?
        .is_some_and(|s| s.email))
}

pub async fn set(
    db: &impl ConnectionTrait,
    member_id: i32,
    discussion_id: i32,
    email: bool,
) -> AppResult<bool> {
    // One upsert, so two clicks at once cannot both insert.
    subscription::Entity::insert(subscription::ActiveModel {
        member_id: Set(member_id),
        discussion_id: Set(discussion_id),
        email: Set(email),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            subscription::Column::DiscussionId,
            subscription::Column::MemberId,
        ])
        .update_column(subscription::Column::Email)
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(email)
}

/// Whether the member explicitly turned e-mail off for a discussion (then nothing about
/// it is mailed to them, whatever the reason).
pub async fn opted_out(
    db: &impl ConnectionTrait,
    member_id: i32,
    discussion_id: i32,
) -> AppResult<bool> {
    Ok(subscription::Entity::find()
        .filter(subscription::Column::MemberId.eq(member_id))
        .filter(subscription::Column::DiscussionId.eq(discussion_id))
        .one(db)
        .await?
        .is_some_and(|s| !s.email))
}

/// The usernames a body mentions as `@username` (outside words, so e-mail addresses
/// do not count), lower-cased, each once.
pub fn mentions(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '@' && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')) {
            let name: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '_' || **c == '-')
                .collect::<String>()
                .to_lowercase();
            let name = name.trim_end_matches(['-', '_']).to_string();
            if (3..=30).contains(&name.len()) && !out.contains(&name) {
                out.push(name.clone());
            }
            i += 1 + name.len();
        } else {
            i += 1;
        }
    }
    out
}

/// Why a member is told about a comment; the strongest reason wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reason {
    Subscribed,
    Reply,
    CommentReply,
    Mention,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Subscribed => "subscribed",
            Reason::Reply => "reply",
            Reason::CommentReply => "comment_reply",
            Reason::Mention => "mention",
        }
    }
}

/// Who may be sent a notification mail now: a confirmed address of a member still
/// here, under their hourly allowance (`mails_per_hour`; past it the in-app
/// notification stays and the digest brings the rest).
struct Allowance {
    /// Notification mails each member was sent (or has waiting) in the last hour.
    sent: std::collections::HashMap<i32, i64>,
    per_hour: i64,
}

impl Allowance {
    async fn of(
        db: &impl ConnectionTrait,
        members: &[i32],
        settings: &super::site::SiteSettings,
        now: DateTime<Utc>,
    ) -> AppResult<Self> {
        Ok(Self {
            sent: mailed_last_hour(db, members, now).await?,
            per_hour: i64::from(settings.mails_per_hour),
        })
    }

    fn may_mail(&self, m: &member::Model) -> bool {
        m.email_verified
            && m.deleted_at.is_none()
            && self.sent.get(&m.id).copied().unwrap_or(0) < self.per_hour
    }
}

/// How many notification mails each of `members` was sent (or has waiting) in the last
/// hour, in one query.
async fn mailed_last_hour(
    db: &impl ConnectionTrait,
    members: &[i32],
    now: DateTime<Utc>,
) -> AppResult<std::collections::HashMap<i32, i64>> {
    use sea_orm::QuerySelect;
    if members.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i32, i64)> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::MemberId)
        .column_as(outbox::Column::Id.count(), "n")
        .filter(outbox::Column::MemberId.is_in(members.to_vec()))
        .filter(outbox::Column::Kind.is_in(["reply", "idea_status"]))
        .filter(outbox::Column::CreatedAt.gt(now - chrono::Duration::hours(1)))
        .group_by(outbox::Column::MemberId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Everything a new comment sets in motion, inside its transaction: the commenter is
/// subscribed; the discussion's author, the parent comment's author and mentioned
/// members get an in-app notification; and every subscriber with e-mail on (plus those
/// whose settings ask for mail on replies to their comments or on mentions) gets one
/// e-mail in the outbox. Never the comment's own author.
pub async fn comment_posted(
    db: &impl ConnectionTrait,
    discussion: &discussion::Model,
    comment: &comment::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let author = comment.author_id;
    // Commenters are subscribed; by e-mail unless their settings say otherwise.
    let wants_mail = member::Entity::find_by_id(author)
        .one(db)
        .await?
        .is_none_or(|m| m.email_on_comment_reply);
    subscribe_default(db, author, discussion.id, wants_mail, now).await?;

    let mut reasons: BTreeMap<i32, Reason> = BTreeMap::new();
    let mut bump = |id: i32, reason: Reason| {
        if id != author {
            let entry = reasons.entry(id).or_insert(reason);
            if reason > *entry {
                *entry = reason;
            }
        }
    };
    bump(discussion.author_id, Reason::Reply);
    if let Some(parent_id) = comment.parent_id
        && let Some(parent) = comment::Entity::find_by_id(parent_id).one(db).await?
    {
        bump(parent.author_id, Reason::CommentReply);
    }
    let settings = super::site::get(db).await?;
    let mut names = mentions(&crate::markdown::prose_text(&comment.body));
    // At most this many members hear of mentions in one post.
    names.truncate(usize::try_from(settings.max_mentions).unwrap_or(0));
    if !names.is_empty() {
        for m in member::Entity::find()
            .filter(member::Column::Username.is_in(names))
            .filter(member::Column::DeletedAt.is_null())
            .all(db)
            .await?
        {
            bump(m.id, Reason::Mention);
        }
    }
    // Former members hear nothing.
    let gone: HashSet<i32> = member::Entity::find()
        .filter(member::Column::Id.is_in(reasons.keys().copied().collect::<Vec<_>>()))
        .filter(member::Column::DeletedAt.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    reasons.retain(|id, _| !gone.contains(id));
    for (&member_id, &reason) in &reasons {
        let kind = match reason {
            Reason::Mention => "mention",
            Reason::CommentReply => "comment_reply",
            _ => "reply",
        };
        notifications::create(
            db,
            notifications::New {
                member_id,
                kind,
                discussion_id: Some(discussion.id),
                comment_id: Some(comment.id),
                actor_id: Some(author),
                badge_slug: None,
                idea_status: None,
            },
            now,
        )
        .await?;
    }

    // Mail: subscribers with e-mail on, then those the settings add.
    let rows = subscription::Entity::find()
        .filter(subscription::Column::DiscussionId.eq(discussion.id))
        .all(db)
        .await?;
    let subscribed: HashSet<i32> = rows
        .iter()
        .filter(|s| s.email)
        .map(|s| s.member_id)
        .collect();
    // Who turned e-mail off for this discussion hears nothing by mail about it.
    let opted_out: HashSet<i32> = rows
        .iter()
        .filter(|s| !s.email)
        .map(|s| s.member_id)
        .collect();
    let mut candidates: Vec<i32> = subscribed
        .iter()
        .copied()
        .chain(reasons.keys().copied())
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    let members = super::items::members_by_id(db, candidates.iter().copied()).await?;
    let allowance = Allowance::of(db, &candidates, &settings, now).await?;
    let mut mails = Vec::new();
    for id in candidates {
        if id == author || opted_out.contains(&id) {
            continue;
        }
        let Some(m) = members.get(&id) else { continue };
        if !allowance.may_mail(m) {
            continue;
        }
        let reason = reasons.get(&id).copied();
        let wanted = subscribed.contains(&id)
            || match reason {
                Some(Reason::CommentReply) => m.email_on_comment_reply,
                Some(Reason::Mention) => m.email_on_mention,
                _ => false,
            };
        if !wanted {
            continue;
        }
        let reason = reason.unwrap_or(Reason::Subscribed);
        let reason = if subscribed.contains(&id) && reason == Reason::Reply {
            Reason::Subscribed
        } else {
            reason
        };
        mails.push(mail_row(
            Mail {
                member_id: id,
                to: &m.email,
                kind: "reply",
                reason: reason.as_str(),
                discussion_id: Some(discussion.id),
                comment_id: Some(comment.id),
                token_id: None,
                idea_change_id: None,
                inbound_mail_id: None,
                tag: &format!("{}.{id}", comment.id),
            },
            now,
        ));
    }
    queue_mails(db, mails).await
}

/// An idea's status changed: every subscriber of the discussion but the one who changed
/// it gets an in-app notification, and those with e-mail on a message (within their
/// hourly allowance), inside the change's transaction.
pub async fn idea_changed(
    db: &impl ConnectionTrait,
    discussion: &discussion::Model,
    change: &entity::idea_change::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let rows = subscription::Entity::find()
        .filter(subscription::Column::DiscussionId.eq(discussion.id))
        .filter(subscription::Column::MemberId.ne(change.changed_by))
        .all(db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|s| s.member_id).collect();
    let members = super::items::members_by_id(db, ids.iter().copied()).await?;
    let settings = super::site::get(db).await?;
    let allowance = Allowance::of(db, &ids, &settings, now).await?;
    let mut mails = Vec::new();
    for row in &rows {
        let Some(m) = members.get(&row.member_id) else {
            continue;
        };
        if m.deleted_at.is_some() {
            continue;
        }
        notifications::create(
            db,
            notifications::New {
                member_id: m.id,
                kind: "idea_status",
                discussion_id: Some(discussion.id),
                comment_id: None,
                actor_id: Some(change.changed_by),
                badge_slug: None,
                idea_status: Some(&change.status),
            },
            now,
        )
        .await?;
        if !row.email || !allowance.may_mail(m) {
            continue;
        }
        mails.push(mail_row(
            Mail {
                member_id: m.id,
                to: &m.email,
                kind: "idea_status",
                reason: "subscribed",
                discussion_id: Some(discussion.id),
                comment_id: None,
                token_id: None,
                idea_change_id: Some(change.id),
                inbound_mail_id: None,
                tag: &format!("{}.{}", change.id, m.id),
            },
            now,
        ));
    }
    queue_mails(db, mails).await
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn finds_mentions_but_not_addresses() {
        assert_eq!(
            mentions("hi @Alice and @bob-smith, mail me@example.com @al"),
            vec!["alice", "bob-smith"]
        );
        assert_eq!(mentions("@carol @carol"), vec!["carol"]);
    }
}
