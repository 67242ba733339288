//! Polls on discussions: a question with 2–20 options, single or multiple choice, an
//! optional closing time. One ballot per member, changeable until the poll closes;
//! results are shown to those who voted, and to everyone once it closes.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use entity::{poll, poll_ballot, poll_option};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::Actor;
use super::items::{self, Locks};
use crate::error::{AppError, AppResult, Code, FieldErrors};

pub const OPTIONS_MIN: usize = 2;
pub const OPTIONS_MAX: usize = 20;
pub const QUESTION_MAX: usize = 300;
pub const OPTION_MAX: usize = 200;

/// A poll, parsed.
#[derive(Debug, Clone)]
pub struct NewPoll {
    pub question: String,
    pub options: Vec<String>,
    pub multiple: bool,
    pub closes_at: Option<DateTime<Utc>>,
}

impl NewPoll {
    pub fn parse(
        question: &str,
        options: &[String],
        multiple: bool,
        closes_at: Option<&str>,
        now: DateTime<Utc>,
    ) -> AppResult<Self> {
        let mut fields = FieldErrors::new();
        let question = question.replace('\0', "").trim().to_string();
        if !crate::domain::has_visible_char(&question) {
            fields.insert("poll.question".into(), "must not be empty".into());
        } else if question.chars().count() > QUESTION_MAX {
            fields.insert(
                "poll.question".into(),
                format!("must be at most {QUESTION_MAX} characters long"),
            );
        }
        let options: Vec<String> = options
            .iter()
            .map(|o| o.replace('\0', "").trim().to_string())
            .collect();
        let distinct: BTreeSet<String> = options.iter().map(|o| o.to_lowercase()).collect();
        if options.len() < OPTIONS_MIN || options.len() > OPTIONS_MAX {
            fields.insert(
                "poll.options".into(),
                format!("must have {OPTIONS_MIN} to {OPTIONS_MAX} options"),
            );
        } else if options.iter().any(|o| !crate::domain::has_visible_char(o)) {
            fields.insert("poll.options".into(), "must each have some text".into());
        } else if distinct.len() != options.len() {
            fields.insert("poll.options".into(), "must all be different".into());
        } else if options.iter().any(|o| o.chars().count() > OPTION_MAX) {
            fields.insert(
                "poll.options".into(),
                format!("must each be at most {OPTION_MAX} characters long"),
            );
        }
        let closes_at = match closes_at.map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(raw) => match crate::domain::parse_time(raw) {
                Ok(t) if t > now => Some(t),
                Ok(_) => {
                    fields.insert("poll.closes_at".into(), "must be in the future".into());
                    None
                }
                Err(problem) => {
                    fields.insert("poll.closes_at".into(), problem.into());
                    None
                }
            },
        };
        if !fields.is_empty() {
            return Err(AppError::from_fields(fields));
        }
        Ok(Self {
            question,
            options,
            multiple,
            closes_at,
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PollOptionView {
    pub id: i32,
    pub label: String,
    /// Null until the member has voted or the poll has closed.
    pub votes: Option<u64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PollView {
    pub id: i32,
    pub discussion_id: i32,
    pub question: String,
    /// Several options may be chosen.
    pub multiple: bool,
    pub closes_at: Option<DateTime<Utc>>,
    pub closed: bool,
    /// How many members voted; null while results are hidden.
    pub voters: Option<u64>,
    pub options: Vec<PollOptionView>,
    /// The signed-in member's choices (option ids); empty if they have not voted.
    pub my_choices: Vec<i32>,
    /// Results show once the member has voted, or the poll has closed.
    pub results_visible: bool,
}

/// Adds a poll to a discussion inside the caller's transaction.
pub async fn insert(
    txn: &impl ConnectionTrait,
    discussion_id: i32,
    new: NewPoll,
    now: DateTime<Utc>,
) -> AppResult<poll::Model> {
    let row = poll::ActiveModel {
        discussion_id: Set(discussion_id),
        question: Set(new.question),
        multiple: Set(new.multiple),
        closes_at: Set(new.closes_at),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    for (position, label) in new.options.into_iter().enumerate() {
        poll_option::ActiveModel {
            poll_id: Set(row.id),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            label: Set(label),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(row)
}

/// Adds a poll to an existing discussion (its author or a moderator).
pub async fn attach(
    db: &DatabaseConnection,
    discussion_id: i32,
    actor: &Actor,
    new: NewPoll,
) -> AppResult<PollView> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    // The discussion's row, locked: two polls added at once take turns.
    Locks::new(&txn).discussion(discussion_id).await?;
    let d = items::discussion(&txn, discussion_id).await?;
    if !actor.may_change(d.author_id) {
        return Err(AppError::forbidden(
            "Only the discussion's author or a moderator may add a poll",
        ));
    }
    if find(&txn, discussion_id).await?.is_some() {
        return Err(AppError::coded(
            Code::PollExists,
            "This discussion already has a poll",
        ));
    }
    insert(&txn, discussion_id, new, now).await?;
    txn.commit().await?;
    view(db, discussion_id, d.locked, Some(actor))
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a new poll went missing")))
}

async fn find(db: &impl ConnectionTrait, discussion_id: i32) -> AppResult<Option<poll::Model>> {
    Ok(poll::Entity::find()
        .filter(poll::Column::DiscussionId.eq(discussion_id))
        .one(db)
        .await?)
}

/// Closed at its closing time, or when the discussion is locked.
fn is_closed(p: &poll::Model, locked: bool, now: DateTime<Utc>) -> bool {
    locked || p.closes_at.is_some_and(|t| t <= now)
}

/// The poll on a discussion, as `viewer` may see it; `None` when there is none.
/// `locked`: the discussion's, which closes its poll (the caller has the discussion).
pub async fn view(
    db: &impl ConnectionTrait,
    discussion_id: i32,
    locked: bool,
    viewer: Option<&Actor>,
) -> AppResult<Option<PollView>> {
    let Some(p) = find(db, discussion_id).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    let options = poll_option::Entity::find()
        .filter(poll_option::Column::PollId.eq(p.id))
        .order_by_asc(poll_option::Column::Position)
        .all(db)
        .await?;
    let ballots: Vec<(i32, i32)> = poll_ballot::Entity::find()
        .select_only()
        .column(poll_ballot::Column::MemberId)
        .column(poll_ballot::Column::OptionId)
        .filter(poll_ballot::Column::PollId.eq(p.id))
        .into_tuple()
        .all(db)
        .await?;
    let mut counts: HashMap<i32, u64> = HashMap::new();
    let mut voters = BTreeSet::new();
    let mut mine = Vec::new();
    for (member, option) in ballots {
        *counts.entry(option).or_default() += 1;
        voters.insert(member);
        if viewer.is_some_and(|a| a.id == member) {
            mine.push(option);
        }
    }
    mine.sort_unstable();
    let closed = is_closed(&p, locked, now);
    let visible = closed || !mine.is_empty();
    Ok(Some(PollView {
        id: p.id,
        discussion_id,
        question: p.question,
        multiple: p.multiple,
        closes_at: p.closes_at,
        closed,
        voters: visible.then_some(voters.len() as u64),
        options: options
            .into_iter()
            .map(|o| PollOptionView {
                votes: visible.then(|| counts.get(&o.id).copied().unwrap_or(0)),
                id: o.id,
                label: o.label,
            })
            .collect(),
        my_choices: mine,
        results_visible: visible,
    }))
}

/// Casts or changes the member's ballot. An empty list withdraws it.
pub async fn vote(
    db: &DatabaseConnection,
    discussion_id: i32,
    actor: &Actor,
    choices: &[i64],
) -> AppResult<PollView> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    // One ballot at a time per member: two at once cannot both count.
    Locks::new(&txn).members([actor.id]).await?;
    let d = items::discussion(&txn, discussion_id).await?;
    let p = find(&txn, discussion_id)
        .await?
        .ok_or_else(|| AppError::not_found("Poll"))?;
    if is_closed(&p, d.locked, now) {
        return Err(AppError::coded(Code::PollClosed, "This poll has closed"));
    }
    let valid: BTreeSet<i32> = poll_option::Entity::find()
        .select_only()
        .column(poll_option::Column::Id)
        .filter(poll_option::Column::PollId.eq(p.id))
        .into_tuple::<i32>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let mut chosen = BTreeSet::new();
    for &c in choices {
        match i32::try_from(c).ok().filter(|c| valid.contains(c)) {
            Some(c) => {
                chosen.insert(c);
            }
            None => {
                let mut fields = FieldErrors::new();
                fields.insert(
                    "options".into(),
                    format!("{c} is not an option of this poll"),
                );
                return Err(AppError::coded(
                    Code::InvalidOption,
                    format!("{c} is not an option of this poll"),
                )
                .with_fields(fields));
            }
        }
    }
    if !p.multiple && chosen.len() > 1 {
        return Err(AppError::validation(
            "options",
            "must be one option: this poll is single choice",
        ));
    }
    poll_ballot::Entity::delete_many()
        .filter(poll_ballot::Column::PollId.eq(p.id))
        .filter(poll_ballot::Column::MemberId.eq(actor.id))
        .exec(&txn)
        .await?;
    for option in chosen {
        // A double submission racing this one may have written the same row: keep one.
        poll_ballot::Entity::insert(poll_ballot::ActiveModel {
            poll_id: Set(p.id),
            member_id: Set(actor.id),
            option_id: Set(option),
            created_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                poll_ballot::Column::PollId,
                poll_ballot::Column::MemberId,
                poll_ballot::Column::OptionId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    view(db, discussion_id, d.locked, Some(actor))
        .await?
        .ok_or_else(|| AppError::not_found("Poll"))
}
