//! Badges: one table of rules, evaluated when the events they watch happen. Adding a
//! badge is adding a row to `BADGES`.

use chrono::{DateTime, Utc};
use entity::{comment, discussion, member, member_badge, vote};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::items::members_by_id;
use super::ledger::kind;
use crate::domain::Post;
use crate::error::AppResult;
use crate::views::{BadgeView, MemberRef};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Bronze,
    Silver,
    Gold,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Bronze => "bronze",
            Tier::Silver => "silver",
            Tier::Gold => "gold",
        }
    }
}

/// What earns a badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    DiscussionsStarted(u64),
    CommentsPosted(u64),
    UpvotesCast(u64),
    DownvotesCast(u64),
    /// Per item, repeatable: a discussion or comment reaching this score.
    ItemScore(i32),
    Recognitions(u64),
    /// Discussions that drew comments from other members.
    ConversationsStarted(u64),
    Reputation(i32),
    QuizzesPassed(u64),
    /// Flags moderators agreed with.
    FlagsAgreed(i32),
    /// Per idea, repeatable: a leader adopted one of the member's ideas.
    IdeaAdopted,
}

pub struct Badge {
    pub slug: &'static str,
    pub name: &'static str,
    pub tier: Tier,
    pub description: &'static str,
    pub rule: Rule,
}

pub const BADGES: &[Badge] = &[
    Badge {
        slug: "first-discussion",
        name: "First Discussion",
        tier: Tier::Bronze,
        description: "Started a first discussion",
        rule: Rule::DiscussionsStarted(1),
    },
    Badge {
        slug: "first-comment",
        name: "First Comment",
        tier: Tier::Bronze,
        description: "Left a first reply",
        rule: Rule::CommentsPosted(1),
    },
    Badge {
        slug: "supporter",
        name: "Supporter",
        tier: Tier::Bronze,
        description: "Cast a first upvote",
        rule: Rule::UpvotesCast(1),
    },
    Badge {
        slug: "critic",
        name: "Critic",
        tier: Tier::Bronze,
        description: "Cast a first downvote",
        rule: Rule::DownvotesCast(1),
    },
    Badge {
        slug: "nice-idea",
        name: "Nice Idea",
        tier: Tier::Bronze,
        description: "A post reached a score of 10",
        rule: Rule::ItemScore(10),
    },
    Badge {
        slug: "good-idea",
        name: "Good Idea",
        tier: Tier::Silver,
        description: "A post reached a score of 25",
        rule: Rule::ItemScore(25),
    },
    Badge {
        slug: "great-idea",
        name: "Great Idea",
        tier: Tier::Gold,
        description: "A post reached a score of 100",
        rule: Rule::ItemScore(100),
    },
    Badge {
        slug: "recognised",
        name: "Recognised",
        tier: Tier::Silver,
        description: "A leader recognised one of your posts as a Great Idea",
        rule: Rule::Recognitions(1),
    },
    Badge {
        slug: "commentator",
        name: "Commentator",
        tier: Tier::Bronze,
        description: "Left 10 replies",
        rule: Rule::CommentsPosted(10),
    },
    Badge {
        slug: "conversation-starter",
        name: "Conversation Starter",
        tier: Tier::Silver,
        description: "Started 10 discussions that others replied to",
        rule: Rule::ConversationsStarted(10),
    },
    Badge {
        slug: "pillar",
        name: "Pillar",
        tier: Tier::Gold,
        description: "Reached 1,000 reputation",
        rule: Rule::Reputation(1000),
    },
    Badge {
        slug: "learner",
        name: "Learner",
        tier: Tier::Bronze,
        description: "Passed a quiz",
        rule: Rule::QuizzesPassed(1),
    },
    Badge {
        slug: "deputy",
        name: "Deputy",
        tier: Tier::Silver,
        description: "Raised 10 flags that moderators agreed with",
        rule: Rule::FlagsAgreed(10),
    },
    Badge {
        slug: "idea-adopted",
        name: "Idea Adopted",
        tier: Tier::Gold,
        description: "Leaders adopted an idea you proposed",
        rule: Rule::IdeaAdopted,
    },
];

pub fn find(slug: &str) -> Option<&'static Badge> {
    BADGES.iter().find(|b| b.slug == slug)
}

/// Something happened that a badge may be watching.
#[derive(Debug, Clone, Copy)]
pub enum Trigger {
    DiscussionStarted {
        author: i32,
    },
    CommentPosted {
        author: i32,
        discussion_author: i32,
    },
    VoteCast {
        voter: i32,
        value: i32,
        /// The voter holds every badge for casting votes of this sign already (the vote
        /// read it with the post), so there is nothing to look at.
        held: bool,
    },
    /// A post's score moved to `score`; its author holds `held` of the post's score
    /// badges (read with the post), so a post holding every badge its score reached
    /// costs nothing, and one that missed a badge (an imported post) catches up.
    ItemScored {
        author: i32,
        post: Post,
        score: i32,
        held: u64,
    },
    Recognized {
        author: i32,
    },
    /// A member's reputation moved (to `reputation`, when the caller knows it).
    ReputationChanged {
        member: i32,
        reputation: Option<i32>,
        /// How many reputation badges the member holds, when the caller read it: none is
        /// looked at when they hold every one their reputation reached.
        held: Option<u64>,
    },
    QuizPassed {
        member: i32,
    },
    FlagAgreed {
        member: i32,
    },
    IdeaAdopted {
        author: i32,
        discussion: i32,
    },
}

/// Checks the badges a trigger concerns and awards the ones now earned, each with a
/// notification. Runs inside the caller's transaction.
pub async fn evaluate(
    db: &impl ConnectionTrait,
    trigger: Trigger,
    now: DateTime<Utc>,
) -> AppResult<()> {
    // Badges with one measure at different thresholds count it once.
    let mut comments_posted: Option<(u64, u64)> = None;
    for badge in BADGES {
        match (badge.rule, trigger) {
            (Rule::DiscussionsStarted(n), Trigger::DiscussionStarted { author }) => {
                let count = discussion::Entity::find()
                    .filter(discussion::Column::AuthorId.eq(author))
                    .filter(discussion::Column::DeletedAt.is_null())
                    .count(db)
                    .await?;
                if count >= n {
                    award(db, badge, author, None, now).await?;
                }
            }
            (Rule::CommentsPosted(n), Trigger::CommentPosted { author, .. }) => {
                let (count, held) = match comments_posted {
                    Some(known) => known,
                    None => *comments_posted.insert(comments_and_badges(db, author).await?),
                };
                // Past the threshold with every badge the count reached held, a reply
                // tries no award.
                if count >= n && held < reached(Measure::CommentsPosted, count as i64) {
                    award(db, badge, author, None, now).await?;
                }
            }
            (
                Rule::ConversationsStarted(n),
                Trigger::CommentPosted {
                    author,
                    discussion_author,
                },
            ) if author != discussion_author => {
                let count = discussion::Entity::find()
                    .select_only()
                    .column(discussion::Column::Id)
                    .distinct()
                    .inner_join_comments_by_others(discussion_author)
                    .count(db)
                    .await?;
                if count >= n {
                    award(db, badge, discussion_author, None, now).await?;
                }
            }
            (
                Rule::UpvotesCast(n) | Rule::DownvotesCast(n),
                Trigger::VoteCast {
                    voter,
                    value,
                    held: false,
                },
            ) => {
                // An upvote counts towards upvote badges, a downvote towards downvote ones.
                let up = matches!(badge.rule, Rule::UpvotesCast(_));
                let counts = value != 0 && (value > 0) == up;
                if counts && votes_cast_reach(db, voter, up, n).await? {
                    award(db, badge, voter, None, now).await?;
                }
            }
            (
                Rule::ItemScore(threshold),
                Trigger::ItemScored {
                    author,
                    post,
                    score,
                    held,
                },
            ) if score >= threshold && held < reached(Measure::ItemScore, score.into()) => {
                award(db, badge, author, Some(post), now).await?;
            }
            (Rule::Recognitions(n), Trigger::Recognized { author }) => {
                let count = entity::reputation_event::Entity::find()
                    .filter(entity::reputation_event::Column::MemberId.eq(author))
                    .filter(entity::reputation_event::Column::Kind.eq(kind::RECOGNIZED))
                    .count(db)
                    .await?;
                if count >= n {
                    award(db, badge, author, None, now).await?;
                }
            }
            (
                Rule::Reputation(min),
                Trigger::ReputationChanged {
                    member: id,
                    reputation,
                    held,
                },
            ) if held.is_none_or(|h| {
                h < reached(Measure::Reputation, reputation.unwrap_or(i32::MAX).into())
            }) =>
            {
                let reputation = match reputation {
                    Some(r) => Some(r),
                    None => member::Entity::find_by_id(id)
                        .one(db)
                        .await?
                        .map(|m| m.reputation),
                };
                if reputation.is_some_and(|r| r >= min) {
                    award(db, badge, id, None, now).await?;
                }
            }
            (Rule::QuizzesPassed(n), Trigger::QuizPassed { member: id }) => {
                let count = entity::quiz_attempt::Entity::find()
                    .filter(entity::quiz_attempt::Column::MemberId.eq(id))
                    .filter(entity::quiz_attempt::Column::Passed.eq(true))
                    .count(db)
                    .await?;
                if count >= n {
                    award(db, badge, id, None, now).await?;
                }
            }
            (Rule::FlagsAgreed(n), Trigger::FlagAgreed { member: id }) => {
                let agreed = member::Entity::find_by_id(id)
                    .one(db)
                    .await?
                    .map_or(0, |m| m.flags_agreed);
                if agreed >= n {
                    award(db, badge, id, None, now).await?;
                }
            }
            (Rule::IdeaAdopted, Trigger::IdeaAdopted { author, discussion }) => {
                award(db, badge, author, Some(Post::Discussion(discussion)), now).await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Discussions by `author` that have a live comment by someone else.
trait CommentsByOthers {
    fn inner_join_comments_by_others(self, author: i32) -> Self;
}

impl CommentsByOthers for sea_orm::Select<discussion::Entity> {
    fn inner_join_comments_by_others(self, author: i32) -> Self {
        use sea_orm::sea_query::{Expr, ExprTrait, Query};
        // A correlated EXISTS: per discussion of the author, one look into its comments.
        // (`id IN (SELECT discussion_id FROM comments WHERE author_id <> ?)` made SQLite
        // build the set of every discussion anyone else commented on: 460 ms per reply
        // at a million comments.)
        self.filter(discussion::Column::AuthorId.eq(author))
            .filter(Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from(comment::Entity)
                    .and_where(
                        Expr::col((comment::Entity, comment::Column::DiscussionId))
                            .equals((discussion::Entity, discussion::Column::Id)),
                    )
                    .and_where(Expr::col((comment::Entity, comment::Column::AuthorId)).ne(author))
                    .and_where(Expr::col((comment::Entity, comment::Column::DeletedAt)).is_null())
                    .to_owned(),
            ))
    }
}

/// Whether a member who just cast a vote (up or down) has cast at least `n` such votes.
/// The vote that asks is one: a threshold of one needs no count.
/// A measure some badges have thresholds on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    UpvotesCast,
    DownvotesCast,
    ItemScore,
    Reputation,
    CommentsPosted,
}

impl Measure {
    /// The badge's threshold, when it is one of this measure's.
    fn threshold(self, rule: Rule) -> Option<i64> {
        match (self, rule) {
            (Measure::UpvotesCast, Rule::UpvotesCast(n))
            | (Measure::DownvotesCast, Rule::DownvotesCast(n))
            | (Measure::CommentsPosted, Rule::CommentsPosted(n)) => i64::try_from(n).ok(),
            (Measure::ItemScore, Rule::ItemScore(n))
            | (Measure::Reputation, Rule::Reputation(n)) => Some(n.into()),
            _ => None,
        }
    }
}

/// The measure's badges as an SQL list of quoted slugs (`'a', 'b'`), for a writer that
/// reads how many of them a member holds with what it reads anyway. Slugs are the
/// constants above: lower-case letters and hyphens.
pub fn slug_list(measure: Measure) -> String {
    let slugs: Vec<String> = BADGES
        .iter()
        .filter(|b| measure.threshold(b.rule).is_some())
        .map(|b| format!("'{}'", b.slug))
        .collect();
    if slugs.is_empty() {
        // Matches no slug: an empty IN list is not valid SQL.
        "''".to_string()
    } else {
        slugs.join(", ")
    }
}

/// How many of the measure's badges a value reaches.
pub fn reached(measure: Measure, value: i64) -> u64 {
    BADGES
        .iter()
        .filter_map(|b| measure.threshold(b.rule))
        .filter(|&t| value >= t)
        .count() as u64
}

/// A member's live comments and how many commenter badges they hold, in one statement.
async fn comments_and_badges(db: &impl ConnectionTrait, author: i32) -> AppResult<(u64, u64)> {
    let sql = format!(
        "SELECT (SELECT COUNT(*) FROM comments WHERE author_id = $1 AND deleted_at IS NULL) \
         AS comments, (SELECT COUNT(*) FROM member_badges WHERE member_id = $1 \
         AND item_key = '' AND slug IN ({})) AS held",
        slug_list(Measure::CommentsPosted)
    );
    let statement = crate::db::numbered(db.get_database_backend(), &sql, vec![author.into()]);
    let row = db.query_one_raw(statement).await?;
    let (comments, held) = match row {
        Some(r) => (
            r.try_get::<i64>("", "comments")?,
            r.try_get::<i64>("", "held")?,
        ),
        None => (0, 0),
    };
    Ok((
        u64::try_from(comments).unwrap_or(0),
        u64::try_from(held).unwrap_or(0),
    ))
}

async fn votes_cast_reach(
    db: &impl ConnectionTrait,
    voter: i32,
    up: bool,
    n: u64,
) -> AppResult<bool> {
    if n <= 1 {
        return Ok(true);
    }
    let sign = if up {
        vote::Column::Value.gt(0)
    } else {
        vote::Column::Value.lt(0)
    };
    let count = vote::Entity::find()
        .filter(vote::Column::MemberId.eq(voter))
        .filter(sign)
        .count(db)
        .await?;
    Ok(count >= n)
}

async fn award(
    db: &impl ConnectionTrait,
    badge: &Badge,
    member_id: i32,
    item: Option<Post>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (item_key, discussion_id, comment_id) = match item {
        None => (String::new(), None, None),
        Some(post @ Post::Discussion(id)) => (post.key(), Some(id), None),
        Some(post @ Post::Comment(id)) => {
            let discussion_id = comment::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|c| c.discussion_id);
            (post.key(), discussion_id, Some(id))
        }
    };
    let inserted = member_badge::Entity::insert(member_badge::ActiveModel {
        member_id: Set(member_id),
        slug: Set(badge.slug.to_string()),
        item_key: Set(item_key),
        discussion_id: Set(discussion_id),
        comment_id: Set(comment_id),
        awarded_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            member_badge::Column::MemberId,
            member_badge::Column::Slug,
            member_badge::Column::ItemKey,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted > 0 {
        super::notifications::create(
            db,
            super::notifications::New {
                member_id,
                kind: "badge",
                discussion_id,
                comment_id,
                actor_id: None,
                badge_slug: Some(badge.slug),
                idea_status: None,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// A member's badges, newest first.
pub async fn of_member(db: &impl ConnectionTrait, member_id: i32) -> AppResult<Vec<BadgeView>> {
    let rows = member_badge::Entity::find()
        .filter(member_badge::Column::MemberId.eq(member_id))
        .order_by_desc(member_badge::Column::AwardedAt)
        .order_by_desc(member_badge::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|row| view(&row)).collect())
}

pub fn view(row: &member_badge::Model) -> Option<BadgeView> {
    let badge = find(&row.slug)?;
    Some(BadgeView {
        slug: badge.slug.to_string(),
        name: badge.name.to_string(),
        tier: badge.tier.as_str().to_string(),
        awarded_at: row.awarded_at,
    })
}

/// A badge and the holders of its newest 200 awards, most recent first.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BadgeInfo {
    pub slug: String,
    pub name: String,
    /// `bronze`, `silver` or `gold`.
    pub tier: String,
    pub description: String,
    pub holders: Vec<MemberRef>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BadgeList {
    pub badges: Vec<BadgeInfo>,
}

/// The most holders listed per badge.
const HOLDERS_SHOWN: usize = 200;

/// Every badge with its holders: one query for the awards, one for the members.
pub async fn catalogue(db: &impl ConnectionTrait) -> AppResult<BadgeList> {
    let awards: Vec<(String, i32)> = member_badge::Entity::find()
        .select_only()
        .column(member_badge::Column::Slug)
        .column(member_badge::Column::MemberId)
        .order_by_desc(member_badge::Column::AwardedAt)
        .order_by_desc(member_badge::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    // Per badge: its newest awards (at most HOLDERS_SHOWN), each holder once.
    let mut by_badge: std::collections::HashMap<&str, (usize, Vec<i32>)> = Default::default();
    for (slug, member_id) in &awards {
        let (seen, holders) = by_badge.entry(slug.as_str()).or_default();
        *seen += 1;
        if *seen <= HOLDERS_SHOWN && !holders.contains(member_id) {
            holders.push(*member_id);
        }
    }
    let members = members_by_id(db, by_badge.values().flat_map(|(_, h)| h).copied()).await?;
    let badges = BADGES
        .iter()
        .map(|badge| BadgeInfo {
            slug: badge.slug.into(),
            name: badge.name.into(),
            tier: badge.tier.as_str().into(),
            description: badge.description.into(),
            holders: by_badge
                .get(badge.slug)
                .into_iter()
                .flat_map(|(_, h)| h)
                .filter_map(|id| members.get(id).map(MemberRef::from_model))
                .collect(),
        })
        .collect();
    Ok(BadgeList { badges })
}
