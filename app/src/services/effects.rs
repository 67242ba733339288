//! The one effects dispatcher: what happened (`Effect`), and everything that follows
//! from it, recorded inside the writer's transaction, so a crash loses none of it.
//!
//! A writer changes its own rows, then makes one call, `record(txn, effect, now)`.
//! Everything else is decided here: badges, follower fan-out, subscriptions and
//! notifications (with the mail outbox), search-index jobs and live events. A new
//! consequence (an audit row, a webhook, an insights rollup) is a new line here, not a
//! change in every writer. Nothing in this module writes the writer's own rows, and no
//! writer module is imported here, so the dependency runs one way.

use chrono::{DateTime, Utc};
use entity::{comment, discussion, live_event, member};
use sea_orm::{ConnectionTrait, EntityTrait};

use super::audit::{self, Action, By, Target};
use super::badges::{self, Trigger};
use super::items::Item;
use super::webhook_events::{self, Event};
use super::{follows, notifications, subscriptions};
use crate::domain::Post;
use crate::error::AppResult;
use crate::jobs::search::{self as search_jobs, SearchJob};
use crate::live::{self, LiveHub};

/// Everything that happens in Quorum that something else follows from.
#[derive(Debug)]
pub enum Effect<'a> {
    /// A member started a discussion.
    DiscussionStarted { discussion: &'a discussion::Model },
    /// A leader posted an update (`discussion` holds its body, votes and replies).
    UpdatePosted {
        discussion: &'a discussion::Model,
        update: &'a entity::update::Model,
    },
    /// A discussion's title or body changed.
    DiscussionEdited { id: i32, title_changed: bool },
    /// A member replied in a discussion.
    CommentPosted {
        discussion: &'a discussion::Model,
        comment: &'a comment::Model,
    },
    /// A comment's body changed.
    CommentEdited { id: i32 },
    /// A post was deleted; what its votes gave was taken back from these members.
    PostDeleted {
        post: Post,
        reputation_changed: super::ledger::Totals,
    },
    /// A vote was cast, changed (`value` is the new one) or cleared (`value` 0).
    VoteChanged {
        post: Post,
        voter: i32,
        value: i32,
        /// The voter holds every badge for votes of this sign already.
        voter_badges_held: bool,
        author: i32,
        score: i32,
        /// The post's score badges its author holds.
        score_badges_held: u64,
        /// The reputation badges the author and the voter hold.
        reputation_badges_held: std::collections::BTreeMap<i32, u64>,
        reputation_changed: super::ledger::Totals,
    },
    /// A leader recognised a post as a great idea (`on`), or withdrew it.
    Recognized {
        item: &'a Item,
        actor: i32,
        on: bool,
        reputation_changed: super::ledger::Totals,
    },
    /// An idea's status changed (`change`), or the discussion stopped being an idea
    /// (`change` None): subscribers hear of a change, search follows, and an idea
    /// adopted for the first time earns its author the badge.
    IdeaChanged {
        discussion: &'a discussion::Model,
        change: Option<&'a entity::idea_change::Model>,
        newly_adopted: bool,
        reputation_changed: super::ledger::Totals,
    },
    /// A member passed a quiz for the first time.
    QuizPassed {
        member: i32,
        reputation_changed: super::ledger::Totals,
    },
    /// A moderator or admin acted, or a security event happened: one audit row.
    Audited {
        by: By,
        action: Action,
        target: Target,
    },
    /// A post was hidden (by flags reaching the threshold, or a moderator) or shown
    /// again; its author hears of it and search follows.
    PostHidden {
        post: Flagged,
        author: i32,
        hidden: bool,
        by_flags: bool,
        by: By,
    },
    /// A moderator decided on a post's flags: the flaggers and the author hear the
    /// outcome, flaggers' agreed flags count toward a badge.
    FlagsDecided {
        review_id: i32,
        post: Flagged,
        author: i32,
        flaggers: Vec<i32>,
        /// `agree`, `disagree` or `defer`.
        decision: &'static str,
        /// `hide` or `delete`, when agreed.
        action: Option<&'static str>,
        /// The post was hidden before and is shown again.
        restored: bool,
        by: By,
    },
    /// A reply by e-mail could not be posted: its sender hears why (`inbound_mails`).
    MailBounced {
        inbound_mail_id: i32,
        to: &'a str,
        /// The member the reply address named, when it named one.
        member_id: Option<i32>,
    },
    /// Something changed in a live Q&A session; open pages hear `kind` with `payload`.
    Live {
        session_id: i32,
        question_id: Option<i32>,
        kind: &'static str,
        /// The event's JSON, as open pages receive it.
        payload: String,
    },
}

/// A post that can be flagged, with where it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flagged {
    Discussion(i32),
    Comment { id: i32, discussion_id: i32 },
    Question { id: i32, session_id: i32 },
}

impl Flagged {
    pub fn kind(self) -> &'static str {
        match self {
            Flagged::Discussion(_) => "discussion",
            Flagged::Comment { .. } => "comment",
            Flagged::Question { .. } => "question",
        }
    }

    pub fn id(self) -> i32 {
        match self {
            Flagged::Discussion(id)
            | Flagged::Comment { id, .. }
            | Flagged::Question { id, .. } => id,
        }
    }

    pub fn discussion_id(self) -> Option<i32> {
        match self {
            Flagged::Discussion(id)
            | Flagged::Comment {
                discussion_id: id, ..
            } => Some(id),
            Flagged::Question { .. } => None,
        }
    }

    fn comment_id(self) -> Option<i32> {
        match self {
            Flagged::Comment { id, .. } => Some(id),
            _ => None,
        }
    }

    pub fn target(self) -> Target {
        match self {
            Flagged::Discussion(id) => Target::Discussion(id),
            Flagged::Comment { id, .. } => Target::Comment(id),
            Flagged::Question { id, .. } => Target::Question(id),
        }
    }

    /// The search job that brings the index in line.
    fn search_job(self) -> SearchJob {
        match self {
            Flagged::Discussion(id) => SearchJob::Thread { id },
            Flagged::Comment { id, .. } => SearchJob::Comment { id },
            Flagged::Question { id, .. } => SearchJob::Question { id },
        }
    }
}

/// A notification about `post` for `member`, from the moderators (no actor).
async fn tell(
    txn: &impl ConnectionTrait,
    member: i32,
    kind: &str,
    post: Flagged,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let note = notifications::New {
        member_id: member,
        kind,
        discussion_id: post.discussion_id(),
        comment_id: post.comment_id(),
        actor_id: None,
        badge_slug: None,
        idea_status: None,
    };
    notifications::create(txn, note, now).await
}

/// What must happen after the transaction commits: live events to hand to this
/// instance's open streams (on PostgreSQL every instance hears them through NOTIFY).
#[derive(Debug, Default)]
pub struct AfterCommit {
    live_events: Vec<live_event::Model>,
}

impl AfterCommit {
    /// Call once the writer's transaction has committed.
    pub fn publish(self, hub: &LiveHub) {
        hub.committed(self.live_events);
    }
}

/// What follows from any new thread, a discussion or an update: search indexes it, and
/// its author hears about replies (by e-mail if their settings say so).
async fn opened(
    txn: &impl ConnectionTrait,
    discussion: &discussion::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let author = discussion.author_id;
    search_jobs::enqueue(txn, SearchJob::Discussion { id: discussion.id }).await?;
    let wants_mail = member::Entity::find_by_id(author)
        .one(txn)
        .await?
        .is_none_or(|m| m.email_on_discussion_reply);
    subscriptions::subscribe_default(txn, author, discussion.id, wants_mail, now).await?;
    Ok(())
}

/// Records every consequence of `effect` inside the writer's transaction.
pub async fn record(
    txn: &impl ConnectionTrait,
    effect: Effect<'_>,
    now: DateTime<Utc>,
) -> AppResult<AfterCommit> {
    let mut after = AfterCommit::default();
    match effect {
        Effect::DiscussionStarted { discussion } => {
            let author = discussion.author_id;
            badges::evaluate(txn, Trigger::DiscussionStarted { author }, now).await?;
            let followed = follows::Started::Discussion;
            follows::discussion_started(txn, author, discussion.id, followed, now).await?;
            opened(txn, discussion, now).await?;
            webhook_events::emit(txn, Event::DiscussionCreated(discussion), now).await?;
        }
        Effect::UpdatePosted { discussion, update } => {
            let author = discussion.author_id;
            let followed = follows::Started::Update;
            follows::discussion_started(txn, author, discussion.id, followed, now).await?;
            opened(txn, discussion, now).await?;
            webhook_events::emit(txn, Event::UpdatePosted { discussion, update }, now).await?;
        }
        Effect::DiscussionEdited { id, title_changed } => {
            // A new title changes every comment's document too (they carry it).
            let job = if title_changed {
                SearchJob::Thread { id }
            } else {
                SearchJob::Discussion { id }
            };
            search_jobs::enqueue(txn, job).await?;
        }
        Effect::CommentPosted {
            discussion,
            comment,
        } => {
            let trigger = Trigger::CommentPosted {
                author: comment.author_id,
                discussion_author: discussion.author_id,
            };
            badges::evaluate(txn, trigger, now).await?;
            search_jobs::enqueue(txn, SearchJob::Comment { id: comment.id }).await?;
            subscriptions::comment_posted(txn, discussion, comment, now).await?;
            let created = Event::CommentCreated {
                discussion,
                comment,
            };
            webhook_events::emit(txn, created, now).await?;
        }
        Effect::CommentEdited { id } => {
            search_jobs::enqueue(txn, SearchJob::Comment { id }).await?;
        }
        Effect::PostDeleted {
            post,
            // What a deletion gives back earns no badge: badges follow what members do.
            reputation_changed: _,
        } => {
            let job = match post {
                Post::Discussion(id) => SearchJob::Thread { id },
                Post::Comment(id) => SearchJob::Comment { id },
            };
            search_jobs::enqueue(txn, job).await?;
        }
        Effect::VoteChanged {
            post,
            voter,
            value,
            voter_badges_held,
            author,
            score,
            score_badges_held,
            reputation_badges_held,
            reputation_changed,
        } => {
            // Search results show scores: keep the document current.
            search_jobs::enqueue(txn, SearchJob::for_post(post)).await?;
            if value != 0 {
                let cast = Trigger::VoteCast {
                    voter,
                    value,
                    held: voter_badges_held,
                };
                badges::evaluate(txn, cast, now).await?;
            }
            let scored = Trigger::ItemScored {
                author,
                post,
                score,
                held: score_badges_held,
            };
            badges::evaluate(txn, scored, now).await?;
            reputation_badges(txn, &reputation_changed, Some(&reputation_badges_held), now).await?;
        }
        Effect::Recognized {
            item,
            actor,
            on,
            reputation_changed,
        } => {
            // Search can filter on recognition and ranks by it.
            search_jobs::enqueue(txn, SearchJob::for_post(item.post)).await?;
            let author = item.author_id;
            if on {
                let note = notifications::New {
                    member_id: author,
                    kind: "recognition",
                    discussion_id: Some(item.discussion_id),
                    comment_id: item.comment_id,
                    actor_id: Some(actor),
                    badge_slug: None,
                    idea_status: None,
                };
                notifications::create(txn, note, now).await?;
                badges::evaluate(txn, Trigger::Recognized { author }, now).await?;
            }
            // The author's badges are looked at even when no points moved.
            reputation_badges(txn, &reputation_changed, None, now).await?;
            if !reputation_changed.contains_key(&author) {
                let trigger = Trigger::ReputationChanged {
                    member: author,
                    reputation: None,
                    held: None,
                };
                badges::evaluate(txn, trigger, now).await?;
            }
        }
        Effect::IdeaChanged {
            discussion,
            change,
            newly_adopted,
            reputation_changed,
        } => {
            // Every document of the thread carries the idea's status.
            search_jobs::enqueue(txn, SearchJob::Thread { id: discussion.id }).await?;
            // A hidden discussion's subscribers hear nothing until it is shown again.
            if let Some(change) = change
                && !discussion.hidden
            {
                subscriptions::idea_changed(txn, discussion, change, now).await?;
                let changed = Event::IdeaStatusChanged { discussion, change };
                webhook_events::emit(txn, changed, now).await?;
            }
            if newly_adopted {
                let trigger = Trigger::IdeaAdopted {
                    author: discussion.author_id,
                    discussion: discussion.id,
                };
                badges::evaluate(txn, trigger, now).await?;
            }
            reputation_badges(txn, &reputation_changed, None, now).await?;
        }
        Effect::QuizPassed {
            member,
            reputation_changed,
        } => {
            reputation_badges(txn, &reputation_changed, None, now).await?;
            badges::evaluate(txn, Trigger::QuizPassed { member }, now).await?;
        }
        Effect::Audited { by, action, target } => {
            audit::record(txn, &by, &action, &target, now).await?;
        }
        Effect::PostHidden {
            post,
            author,
            hidden,
            by_flags,
            by,
        } => {
            let kind = if hidden {
                "post_hidden"
            } else {
                "post_restored"
            };
            tell(txn, author, kind, post, now).await?;
            search_jobs::enqueue(txn, post.search_job()).await?;
            if hidden {
                let action = Action::PostHidden { by_flags };
                audit::record(txn, &by, &action, &post.target(), now).await?;
            }
        }
        Effect::FlagsDecided {
            review_id,
            post,
            author,
            flaggers,
            decision,
            action,
            restored,
            by,
        } => {
            let flagger_kind = match decision {
                "agree" => Some("flag_agreed"),
                "disagree" => Some("flag_disagreed"),
                _ => None,
            };
            if let Some(kind) = flagger_kind {
                for &flagger in &flaggers {
                    tell(txn, flagger, kind, post, now).await?;
                    if decision == "agree" {
                        badges::evaluate(txn, Trigger::FlagAgreed { member: flagger }, now).await?;
                    }
                }
            }
            let author_kind = match (decision, action) {
                ("agree", Some("delete")) => Some("post_removed"),
                ("agree", _) => Some("post_hidden"),
                _ if restored => Some("post_restored"),
                _ => None,
            };
            if let Some(kind) = author_kind {
                tell(txn, author, kind, post, now).await?;
            }
            if decision == "agree" || restored {
                search_jobs::enqueue(txn, post.search_job()).await?;
            }
            let decided = Action::FlagDecided {
                review: review_id,
                decision: decision.to_string(),
                action: action.map(str::to_string),
            };
            audit::record(txn, &by, &decided, &post.target(), now).await?;
        }
        Effect::MailBounced {
            inbound_mail_id,
            to,
            member_id,
        } => {
            let mail = subscriptions::Mail {
                member_id: member_id.unwrap_or(0),
                to,
                kind: "bounce",
                reason: "bounce",
                discussion_id: None,
                comment_id: None,
                token_id: None,
                idea_change_id: None,
                inbound_mail_id: Some(inbound_mail_id),
                tag: &inbound_mail_id.to_string(),
            };
            subscriptions::queue_mail(txn, mail, now).await?;
        }
        Effect::Live {
            session_id,
            question_id,
            kind,
            payload,
        } => {
            // `services::live::kinds::QUESTION_ANSWERED` (that module writes through this one).
            if kind == "question_answered" {
                let answered = Event::QuestionAnswered {
                    session_id,
                    payload: &payload,
                };
                webhook_events::emit(txn, answered, now).await?;
            }
            let event = live::record(txn, session_id, question_id, kind, payload, now).await?;
            after.live_events.push(event);
            // A question asked, upvoted, answered, pinned or dismissed: search follows.
            if let Some(id) = question_id {
                search_jobs::enqueue(txn, SearchJob::Question { id }).await?;
            }
        }
    }
    Ok(after)
}

/// Badges that watch reputation, for each member whose total moved.
/// Looks at the reputation badges of the members a write moved; `held` (a vote reads
/// it with the post) says how many each holds already, so that a member holding every
/// badge their reputation reached costs nothing.
async fn reputation_badges(
    txn: &impl ConnectionTrait,
    members: &super::ledger::Totals,
    held: Option<&std::collections::BTreeMap<i32, u64>>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for (&member, &reputation) in members {
        let trigger = Trigger::ReputationChanged {
            member,
            reputation: Some(reputation),
            held: held.and_then(|h| h.get(&member).copied()),
        };
        badges::evaluate(txn, trigger, now).await?;
    }
    Ok(())
}
