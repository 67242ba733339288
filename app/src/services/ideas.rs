//! Ideas, from proposed to adopted (issue #17). A discussion's author (or a leader)
//! marks it as an idea; leaders, moderators and admins move it through under review,
//! planned, adopted or declined, each change with a note (a declined idea always has
//! one) shown on the discussion and sent to its subscribers. An adopted idea gives its
//! author points and the "Idea Adopted" badge. The board lists ideas by status, votes,
//! age and time in status, and those that have waited for a leader's answer too long.

use chrono::{DateTime, Duration, Utc};
use entity::{discussion, idea_change};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::Actor;
use super::effects::{self, Effect};
use super::items::{self, Locks};
use super::ledger::{Ledger, NewEvent, RULES, kind};
use crate::domain::{IdeaStatus, Paging, Role};
use crate::error::{AppError, AppResult};
use crate::views::{DiscussionView, MemberRef, posts};

/// The longest note, in characters.
pub const NOTE_MAX: usize = 2000;
/// An idea still proposed after this many days has waited too long for a leader.
pub const AWAITING_DAYS: i64 = 30;

/// A change of an idea's status, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdeaChange {
    pub status: IdeaStatus,
    pub note: Option<String>,
}

impl IdeaChange {
    pub fn parse(status: &str, note: Option<&str>) -> AppResult<Self> {
        let status = IdeaStatus::parse(status).ok_or_else(|| IdeaStatus::invalid("status"))?;
        let note = note
            .map(|n| n.replace('\0', "").trim().to_string())
            .filter(|n| crate::domain::has_visible_char(n));
        if let Some(n) = &note
            && n.chars().count() > NOTE_MAX
        {
            return Err(AppError::validation(
                "note",
                format!("must be at most {NOTE_MAX} characters long"),
            ));
        }
        if status == IdeaStatus::Declined && note.is_none() {
            return Err(AppError::validation(
                "note",
                "must say why, when an idea is declined",
            ));
        }
        Ok(Self { status, note })
    }
}

fn is_leader(actor: &Actor) -> bool {
    actor.role >= Role::Leader
}

/// Marks a discussion as an idea or moves it to another status. Leaders (and moderators
/// and admins) may set any status; the discussion's author may only propose it. The
/// same status and note again changes nothing.
pub async fn set(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    change: IdeaChange,
    now: DateTime<Utc>,
) -> AppResult<DiscussionView> {
    let txn = crate::db::begin_write(db).await?;
    let locks = Locks::new(&txn).discussion(id).await?;
    let row = items::discussion(&txn, id).await?;
    if super::zones::find_by_id(&txn, row.zone_id).await?.kind != super::zones::DISCUSSIONS {
        return Err(AppError::forbidden(
            "A leadership update is not an idea: start a discussion for it",
        ));
    }
    let previous = row.idea_status.as_deref().and_then(IdeaStatus::parse);
    if !is_leader(actor) {
        if actor.id != row.author_id {
            return Err(AppError::forbidden(
                "Only the discussion's author and leaders may mark it as an idea",
            ));
        }
        if change.status != IdeaStatus::Proposed
            || previous.is_some_and(|p| p != IdeaStatus::Proposed)
        {
            return Err(AppError::forbidden(
                "Only leaders, moderators and admins may move an idea past proposed",
            ));
        }
        // Taken back and proposed again, an idea would tell its subscribers again and
        // start its wait for an answer anew: once it was an idea, only leaders mark it.
        let had_history = idea_change::Entity::find()
            .filter(idea_change::Column::DiscussionId.eq(id))
            .one(&txn)
            .await?
            .is_some();
        if previous.is_none() && had_history {
            return Err(AppError::forbidden(
                "This discussion was an idea before: a leader may mark it again",
            ));
        }
    }
    if previous == Some(change.status) && row.idea_note == change.note {
        txn.commit().await?;
        return posts::discussion(db, row, Some(actor)).await;
    }
    let recorded = idea_change::ActiveModel {
        discussion_id: Set(id),
        status: Set(change.status.as_str().to_string()),
        note: Set(change.note.clone()),
        changed_by: Set(actor.id),
        changed_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let author = row.author_id;
    let since = if previous == Some(change.status) {
        row.idea_since.unwrap_or(now)
    } else {
        now
    };
    let mut active: discussion::ActiveModel = row.into();
    active.idea_status = Set(Some(change.status.as_str().to_string()));
    active.idea_note = Set(change.note.clone());
    active.idea_changed_by = Set(Some(actor.id));
    active.idea_changed_at = Set(Some(now));
    active.idea_since = Set(Some(since));
    let row = active.update(&txn).await?;
    // Adoption gives the author points, unless they adopted their own idea; leaving
    // "adopted" takes back what it gave.
    let adopted = change.status == IdeaStatus::Adopted;
    let was_adopted = previous == Some(IdeaStatus::Adopted);
    let locked = locks.members([author]).await?;
    let mut ledger = Ledger::new(&locked, &txn, now);
    let item = items::Item::of_discussion(&row);
    if adopted && !was_adopted && author != actor.id {
        let event = NewEvent {
            member_id: author,
            kind: kind::IDEA_ADOPTED,
            points: RULES.idea_adopted,
            vote_id: None,
            actor_id: Some(actor.id),
        };
        ledger.record(&item, event).await?;
    } else if was_adopted && !adopted {
        withdraw_adoption(&mut ledger, &item, actor).await?;
    }
    let reputation_changed = ledger.settle().await?;
    let effect = Effect::IdeaChanged {
        discussion: &row,
        change: Some(&recorded),
        newly_adopted: adopted && !was_adopted && author != actor.id,
        reputation_changed,
    };
    effects::record(&txn, effect, now).await?;
    txn.commit().await?;
    posts::discussion(db, row, Some(actor)).await
}

/// Takes back what an idea's adoption gave its author.
async fn withdraw_adoption<C: ConnectionTrait>(
    ledger: &mut Ledger<'_, C>,
    item: &items::Item,
    actor: &Actor,
) -> AppResult<()> {
    let given = ledger.adoption_given(item).await?;
    if given != 0 {
        let event = NewEvent {
            member_id: item.author_id,
            kind: kind::IDEA_ADOPTION_WITHDRAWN,
            points: -given,
            vote_id: None,
            actor_id: Some(actor.id),
        };
        ledger.record(item, event).await?;
    }
    Ok(())
}

/// Makes an idea a plain discussion again: leaders, or its author while it is only
/// proposed. Its history stays recorded; what an adoption gave is taken back.
pub async fn unmark(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    now: DateTime<Utc>,
) -> AppResult<DiscussionView> {
    let txn = crate::db::begin_write(db).await?;
    let locks = Locks::new(&txn).discussion(id).await?;
    let row = items::discussion(&txn, id).await?;
    let Some(previous) = row.idea_status.as_deref().and_then(IdeaStatus::parse) else {
        txn.commit().await?;
        return posts::discussion(db, row, Some(actor)).await;
    };
    let may = is_leader(actor) || (actor.id == row.author_id && previous == IdeaStatus::Proposed);
    if !may {
        return Err(AppError::forbidden(
            "Only leaders, or the author while it is proposed, may make an idea a plain discussion",
        ));
    }
    let mut active: discussion::ActiveModel = row.into();
    active.idea_status = Set(None);
    active.idea_note = Set(None);
    active.idea_changed_by = Set(None);
    active.idea_changed_at = Set(None);
    active.idea_since = Set(None);
    let row = active.update(&txn).await?;
    let locked = locks.members([row.author_id]).await?;
    let mut ledger = Ledger::new(&locked, &txn, now);
    if previous == IdeaStatus::Adopted {
        let item = items::Item::of_discussion(&row);
        withdraw_adoption(&mut ledger, &item, actor).await?;
    }
    let reputation_changed = ledger.settle().await?;
    let effect = Effect::IdeaChanged {
        discussion: &row,
        change: None,
        newly_adopted: false,
        reputation_changed,
    };
    effects::record(&txn, effect, now).await?;
    txn.commit().await?;
    posts::discussion(db, row, Some(actor)).await
}

/// One change of an idea's status, as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdeaChangeView {
    pub status: IdeaStatus,
    pub label: &'static str,
    pub note: Option<String>,
    /// Null if they have left.
    pub changed_by: Option<MemberRef>,
    pub changed_at: DateTime<Utc>,
}

/// A discussion's idea and its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdeaHistory {
    pub discussion_id: i32,
    /// Null when the discussion is not an idea.
    pub idea: Option<crate::views::IdeaView>,
    /// Every change, oldest first.
    pub history: Vec<IdeaChangeView>,
}

/// The changes as shown, with who made each from `people`.
pub fn change_views(
    history: &[idea_change::Model],
    people: &std::collections::HashMap<i32, entity::member::Model>,
) -> Vec<IdeaChangeView> {
    history
        .iter()
        .filter_map(|c| {
            let status = IdeaStatus::parse(&c.status)?;
            Some(IdeaChangeView {
                status,
                label: status.label(),
                note: c.note.clone(),
                changed_by: people.get(&c.changed_by).map(MemberRef::from_model),
                changed_at: c.changed_at,
            })
        })
        .collect()
}

/// A discussion's idea and every change of it (none when it is not an idea).
pub async fn with_history(db: &impl ConnectionTrait, id: i32) -> AppResult<IdeaHistory> {
    // As on the discussion's page: a hidden discussion's idea (leaders' notes, not the
    // author's words) shows as its page does.
    let row = items::discussion(db, id).await?;
    let history = if row.idea_status.is_some() {
        self::history(db, id).await?
    } else {
        Vec::new()
    };
    let people = items::members_by_id(db, history.iter().map(|c| c.changed_by)).await?;
    let changer = row
        .idea_changed_by
        .and_then(|id| people.get(&id))
        .map(MemberRef::from_model);
    Ok(IdeaHistory {
        discussion_id: id,
        idea: crate::views::IdeaView::of(&row, changer),
        history: change_views(&history, &people),
    })
}

/// Every change of a discussion's idea status, oldest first.
pub async fn history(
    db: &impl ConnectionTrait,
    discussion_id: i32,
) -> AppResult<Vec<idea_change::Model>> {
    Ok(idea_change::Entity::find()
        .filter(idea_change::Column::DiscussionId.eq(discussion_id))
        .order_by_asc(idea_change::Column::Id)
        .all(db)
        .await?)
}

/// The board's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BoardSort {
    /// Most votes first.
    #[default]
    Votes,
    /// Newest first.
    Age,
    /// Longest in its status first.
    Waiting,
}

impl BoardSort {
    pub fn parse(raw: Option<&str>) -> AppResult<Self> {
        match raw.map(str::trim) {
            None | Some("") | Some("votes") => Ok(Self::Votes),
            Some("age") => Ok(Self::Age),
            Some("waiting") => Ok(Self::Waiting),
            Some(_) => Err(AppError::validation(
                "sort",
                "must be one of votes, age, waiting",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Votes => "votes",
            Self::Age => "age",
            Self::Waiting => "waiting",
        }
    }
}

/// What the board shows, parsed.
#[derive(Debug, Clone)]
pub struct BoardQuery {
    pub status: Option<IdeaStatus>,
    /// A zone's slug.
    pub zone: Option<String>,
    pub sort: BoardSort,
    /// Only ideas still proposed after `AWAITING_DAYS` days.
    pub awaiting: bool,
    pub paging: Paging,
}

impl BoardQuery {
    /// Reads the board's query parameters (the API and the page take the same).
    pub fn parse(query: &std::collections::HashMap<String, String>) -> AppResult<Self> {
        let get = |k: &str| query.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let status = get("status")
            .map(|raw| IdeaStatus::parse(raw).ok_or_else(|| IdeaStatus::invalid("status")))
            .transpose()?;
        let awaiting = match query.get("awaiting").map(|v| v.trim()) {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(AppError::validation("awaiting", "must be true or false"));
            }
        };
        Ok(Self {
            status,
            zone: get("zone").map(str::to_lowercase),
            sort: BoardSort::parse(get("sort"))?,
            awaiting,
            paging: Paging::parse(
                query.get("page").map(String::as_str),
                query.get("per_page").map(String::as_str),
            )?,
        })
    }
}

/// How many ideas are in one status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: IdeaStatus,
    pub label: &'static str,
    pub count: u64,
}

/// A page of the ideas board.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdeaBoard {
    pub ideas: Vec<DiscussionView>,
    pub page: u64,
    pub per_page: u64,
    /// Ideas matching the filters, over every page.
    pub total: u64,
    /// Ideas in each status (in the zone, when one is chosen), whatever the status filter.
    pub counts: Vec<StatusCount>,
    /// Ideas still proposed after 30 days, waiting for a leader's answer.
    pub awaiting: u64,
}

/// A page of the ideas board: visible ideas, filtered, sorted, counted.
pub async fn board(
    db: &impl ConnectionTrait,
    viewer: Option<&Actor>,
    query: &BoardQuery,
    now: DateTime<Utc>,
) -> AppResult<IdeaBoard> {
    let zone = match &query.zone {
        Some(slug) => Some(super::zones::find(db, slug).await?),
        None => None,
    };
    let mut visible = Condition::all()
        .add(discussion::Column::IdeaStatus.is_not_null())
        .add(discussion::Column::DeletedAt.is_null())
        .add(discussion::Column::Hidden.eq(false));
    if let Some(zone) = &zone {
        visible = visible.add(discussion::Column::ZoneId.eq(zone.id));
    }
    let overdue = now - Duration::days(AWAITING_DAYS);
    let awaiting_filter = Condition::all()
        .add(discussion::Column::IdeaStatus.eq(IdeaStatus::Proposed.as_str()))
        .add(discussion::Column::IdeaSince.lte(overdue));
    let by_status: Vec<(String, i64)> = discussion::Entity::find()
        .select_only()
        .column(discussion::Column::IdeaStatus)
        .column_as(discussion::Column::Id.count(), "n")
        .filter(visible.clone())
        .group_by(discussion::Column::IdeaStatus)
        .into_tuple()
        .all(db)
        .await?;
    let counts: Vec<StatusCount> = IdeaStatus::ALL
        .into_iter()
        .map(|status| StatusCount {
            status,
            label: status.label(),
            count: by_status
                .iter()
                .find(|(s, _)| s == status.as_str())
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0)),
        })
        .collect();
    let awaiting = discussion::Entity::find()
        .filter(visible.clone())
        .filter(awaiting_filter.clone())
        .count(db)
        .await?;
    let mut filter = visible;
    if let Some(status) = query.status {
        filter = filter.add(discussion::Column::IdeaStatus.eq(status.as_str()));
    }
    if query.awaiting {
        filter = filter.add(awaiting_filter);
    }
    let base = discussion::Entity::find().filter(filter);
    // What the filters keep is counted already: the waiting ones are proposed, and the
    // counts per status add up to every idea.
    let total = match (query.awaiting, query.status) {
        (true, None | Some(IdeaStatus::Proposed)) => awaiting,
        (true, Some(_)) => 0,
        (false, Some(status)) => counts
            .iter()
            .find(|c| c.status == status)
            .map_or(0, |c| c.count),
        (false, None) => counts.iter().map(|c| c.count).sum(),
    };
    let ordered = match query.sort {
        BoardSort::Votes => base
            .order_by_desc(discussion::Column::Score)
            .order_by_desc(discussion::Column::CreatedAt),
        BoardSort::Age => base.order_by_desc(discussion::Column::CreatedAt),
        BoardSort::Waiting => base.order_by_asc(discussion::Column::IdeaSince),
    };
    let rows = ordered
        .order_by_desc(discussion::Column::Id)
        .offset(query.paging.offset())
        .limit(query.paging.per_page)
        .all(db)
        .await?;
    Ok(IdeaBoard {
        ideas: posts::discussions_of(db, rows, viewer, zone.as_ref()).await?,
        page: query.paging.page,
        per_page: query.paging.per_page,
        total,
        counts,
        awaiting,
    })
}

/// A member's adopted ideas, newest adoption first, for their profile.
pub async fn adopted_of(
    db: &impl ConnectionTrait,
    member_id: i32,
) -> AppResult<Vec<discussion::Model>> {
    Ok(discussion::Entity::find()
        .filter(discussion::Column::AuthorId.eq(member_id))
        .filter(discussion::Column::IdeaStatus.eq(IdeaStatus::Adopted.as_str()))
        .filter(discussion::Column::DeletedAt.is_null())
        .filter(discussion::Column::Hidden.eq(false))
        .order_by_desc(discussion::Column::IdeaSince)
        .limit(50)
        .all(db)
        .await?)
}
