//! Insights (issue #17): numbers a leader can take to a board. The participation funnel
//! by week and zone (registered, active, readers only, contributors, creators), leader
//! responsiveness (share of discussions with a leader's reply, time to the first one;
//! live Q&A answered and waiting), and reach (the most read and most discussed).
//!
//! Participation reads the `activity` rollup (m0016), one row per week, zone and member
//! who did something there. Nothing in a request writes it: `fold` derives it from what
//! is recorded anyway (read marks, sessions, posts, votes, questions), a stretch of time
//! at a time, and `activity_folds` says how far each week got; the worker folds every
//! minute, and a request folds only what happened since. Read marks keep only a
//! member's last read of a discussion, so the minute-by-minute fold is what keeps a
//! week's reading once a later read moves the mark.
//!
//! Member privacy: no answer names what a member read, and any count of members below
//! five is given as "fewer than 5" (null in JSON).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{activity_fold, member};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, Set, Statement, Value,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::Actor;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::views::{MemberRef, discussion_path};

/// Flags of an `activity` row.
pub const READ: i32 = 1;
pub const SIGNED_IN: i32 = 2;
pub const CONTRIBUTED: i32 = 4;
pub const CREATED: i32 = 8;

/// Monday 1970-01-05 00:00 UTC, in seconds: week 0 starts here.
const FIRST_MONDAY: i64 = 345_600;
const WEEK_SECONDS: i64 = 604_800;
/// A fold reads this far back again, for rows whose transaction committed late.
const MARGIN_SECONDS: i64 = 120;
/// Counts of members below this are not shown.
pub const MIN_GROUP: u64 = 5;
/// The most weeks an answer covers.
pub const MAX_WEEKS: u32 = 52;

/// The week (since Monday 1970-01-05, UTC) an instant falls in.
pub fn week_of(t: DateTime<Utc>) -> i32 {
    i32::try_from((t.timestamp() - FIRST_MONDAY).div_euclid(WEEK_SECONDS)).unwrap_or(0)
}

/// When a week starts.
pub fn week_start(week: i32) -> DateTime<Utc> {
    DateTime::from_timestamp(FIRST_MONDAY + i64::from(week) * WEEK_SECONDS, 0)
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// What an insights answer covers: the last `weeks` weeks (this one included), and one
/// zone or all. A reader gets one only through `for_reader`, which is where insights
/// are kept to leaders, moderators and admins.
#[derive(Debug, Clone)]
pub struct Period {
    weeks: u32,
    /// A zone's slug.
    zone: Option<String>,
}

impl Period {
    /// The period a reader asks for with `weeks` and `zone` (the API and the page take
    /// the same parameters), once they may see insights.
    pub fn for_reader(actor: &Actor, query: &HashMap<String, String>) -> AppResult<Self> {
        if actor.role < Role::Leader {
            return Err(AppError::forbidden(
                "Only leaders, moderators and admins may see insights",
            ));
        }
        Self::parse(
            query.get("weeks").map(String::as_str),
            query.get("zone").map(String::as_str),
        )
    }

    /// How many weeks it covers.
    pub fn weeks(&self) -> u32 {
        self.weeks
    }

    /// The zone's slug, when one was asked for.
    pub fn zone(&self) -> Option<&str> {
        self.zone.as_deref()
    }

    fn parse(weeks: Option<&str>, zone: Option<&str>) -> AppResult<Self> {
        // Left out: twelve weeks. Given, it must be a number (an empty one is refused, as
        // the API refuses every empty filter).
        let weeks = match weeks.map(str::trim) {
            None => 12,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|w| (1..=MAX_WEEKS).contains(w))
                .ok_or_else(|| {
                    AppError::validation("weeks", format!("must be a number from 1 to {MAX_WEEKS}"))
                })?,
        };
        let zone = zone
            .map(|z| z.trim().to_lowercase())
            .filter(|z| !z.is_empty());
        Ok(Self { weeks, zone })
    }

    /// The first and last week covered.
    fn span(&self, now: DateTime<Utc>) -> (i32, i32) {
        let last = week_of(now);
        let weeks = i32::try_from(self.weeks).unwrap_or(12);
        (last - weeks + 1, last)
    }
}

/// A count of members as shown: exact from 5 up (and 0), otherwise None.
fn shown(count: u64) -> Option<u64> {
    (count == 0 || count >= MIN_GROUP).then_some(count)
}

/// Readers and contributors add up to the active (in a zone, exactly): when one of them
/// is too small to show, the other is hidden too, or subtraction would give it away.
fn shown_pair(a: Option<u64>, b: Option<u64>) -> (Option<u64>, Option<u64>) {
    if a.is_none() != b.is_none() {
        (None, None)
    } else {
        (a, b)
    }
}

/// `?` placeholders as the backend writes them.
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 8);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_string()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Each source of activity: the rows of `activity` it gives for a stretch of time, as a
/// SELECT of `z` (the zone) and `m` (the member) whose `{range}` is filled with the time column's
/// bounds, and the flags it sets.
const SOURCES: &[(&str, &str, i32)] = &[
    (
        "r.read_at",
        "SELECT d.zone_id AS z, r.member_id AS m FROM discussion_reads r \
         JOIN discussions d ON d.id = r.discussion_id WHERE {range}",
        READ,
    ),
    (
        "created_at",
        "SELECT 0 AS z, member_id AS m FROM sessions WHERE {range}",
        SIGNED_IN,
    ),
    (
        "last_used_at",
        "SELECT 0 AS z, member_id AS m FROM sessions WHERE {range}",
        SIGNED_IN,
    ),
    (
        "created_at",
        "SELECT zone_id AS z, author_id AS m FROM discussions WHERE {range}",
        CREATED | CONTRIBUTED,
    ),
    (
        "c.created_at",
        "SELECT d.zone_id AS z, c.author_id AS m FROM comments c \
         JOIN discussions d ON d.id = c.discussion_id WHERE {range}",
        CONTRIBUTED,
    ),
    (
        "v.created_at",
        "SELECT COALESCE(dd.zone_id, dc.zone_id) AS z, v.member_id AS m FROM votes v \
         LEFT JOIN discussions dd ON v.target_kind = 'discussion' AND dd.id = v.target_id \
         LEFT JOIN comments c ON v.target_kind = 'comment' AND c.id = v.target_id \
         LEFT JOIN discussions dc ON dc.id = c.discussion_id \
         WHERE v.value <> 0 AND COALESCE(dd.zone_id, dc.zone_id) IS NOT NULL AND {range}",
        CONTRIBUTED,
    ),
    (
        "q.created_at",
        "SELECT s.zone_id AS z, q.author_id AS m FROM qa_questions q \
         JOIN qa_sessions s ON s.id = q.session_id WHERE {range}",
        CONTRIBUTED,
    ),
    (
        "v.created_at",
        "SELECT s.zone_id AS z, v.member_id AS m FROM qa_votes v \
         JOIN qa_questions q ON q.id = v.question_id \
         JOIN qa_sessions s ON s.id = q.session_id WHERE {range}",
        CONTRIBUTED,
    ),
];

/// Folds one stretch of one week from every source, in one transaction. Idempotent:
/// flags are only ever added.
async fn fold_span(
    db: &DatabaseConnection,
    week: i32,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let backend = db.get_database_backend();
    // PostgreSQL: rows locked in one order by every writer of `activity`.
    let order = if backend == DbBackend::Postgres {
        " ORDER BY 2, 3"
    } else {
        ""
    };
    let txn = crate::db::begin_write(db).await?;
    if backend == DbBackend::Postgres {
        // One fold of a week at a time (the worker, a request, another instance): two
        // folds of different stretches would lock its rows in different orders.
        txn.execute_raw(statement(
            backend,
            "SELECT pg_advisory_xact_lock(727217, ?)",
            vec![week.into()],
        ))
        .await?;
    }
    for &(column, select, flags) in SOURCES {
        let select = select.replace("{range}", &format!("{column} >= ? AND {column} < ?"));
        let sql = format!(
            "INSERT INTO activity (week, zone_id, member_id, flags) \
             SELECT {week}, z, m, {flags} FROM ({select}) AS source \
             WHERE z IS NOT NULL GROUP BY z, m{order} \
             ON CONFLICT (week, zone_id, member_id) \
             DO UPDATE SET flags = activity.flags | excluded.flags"
        );
        txn.execute_raw(statement(backend, &sql, vec![from.into(), to.into()]))
            .await?;
    }
    activity_fold::Entity::insert(activity_fold::ActiveModel {
        week: Set(week),
        folded_until: Set(now),
    })
    .on_conflict(
        OnConflict::column(activity_fold::Column::Week)
            .update_column(activity_fold::Column::FoldedUntil)
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Brings `activity` up to `now` for the weeks from `first` on: each week from where its
/// last fold stopped (less a margin). A week folded past its end (and the margin) is
/// done.
pub async fn fold(
    db: &DatabaseConnection,
    first: i32,
    now: DateTime<Utc>,
) -> AppResult<std::collections::BTreeSet<i32>> {
    let current = week_of(now);
    let folded: HashMap<i32, DateTime<Utc>> = activity_fold::Entity::find()
        .filter(activity_fold::Column::Week.gte(first))
        .filter(activity_fold::Column::Week.lte(current))
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.week, f.folded_until))
        .collect();
    let margin = Duration::seconds(MARGIN_SECONDS);
    // The weeks folded for good: their activity no longer changes.
    let mut done = std::collections::BTreeSet::new();
    for week in first..=current {
        let (start, end) = (week_start(week), week_start(week + 1));
        let from = match folded.get(&week) {
            Some(until) if *until >= end + margin => {
                done.insert(week);
                continue;
            }
            Some(until) => (*until - margin).max(start),
            None => start,
        };
        let to = end.min(now);
        if from < to {
            fold_span(db, week, from, to, now).await?;
        }
        if now >= end + margin {
            done.insert(week);
        }
    }
    Ok(done)
}

/// Forgets how far every week was folded, so the next fold reads each week's sources
/// again from its start: after rows were written with times in the past (an import).
/// Folding only adds flags, so nothing is counted twice.
pub async fn reset_folds(db: &DatabaseConnection) -> AppResult<()> {
    activity_fold::Entity::delete_many().exec(db).await?;
    entity::activity_week::Entity::delete_many()
        .exec(db)
        .await?;
    Ok(())
}

/// The worker's turn: this week and the last (which may still take late rows).
pub async fn fold_recent(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<()> {
    fold(db, week_of(now) - 1, now).await?;
    Ok(())
}

/// One week of the funnel. Counts of members; null means fewer than 5.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipationWeek {
    /// The Monday the week starts (UTC).
    #[schema(value_type = String, format = Date)]
    pub start: NaiveDate,
    /// Members at the end of the week (or now, for this week); the whole community,
    /// whatever the zone.
    pub registered: Option<u64>,
    /// Signed in, read, voted or wrote.
    pub active: Option<u64>,
    /// Read at least one discussion and wrote nothing, voted on nothing.
    pub readers: Option<u64>,
    /// Voted or wrote (replies, discussions, questions).
    pub contributors: Option<u64>,
    /// Started a discussion.
    pub creators: Option<u64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Participation {
    /// The company's headcount, when an admin has set it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headcount: Option<i32>,
    /// The zone's slug, when one was asked for.
    pub zone: Option<String>,
    /// Oldest first; the last is this week, so far.
    pub weeks: Vec<ParticipationWeek>,
}

#[derive(FromQueryResult)]
struct WeekCounts {
    week: i32,
    active: i64,
    readers: i64,
    contributors: i64,
    creators: i64,
}

/// A period made concrete: its first and last week, when it starts, and its zone as
/// (id, slug), read once for every answer about it.
struct Scope {
    first: i32,
    last: i32,
    since: DateTime<Utc>,
    zone: Option<(i32, String)>,
}

impl Scope {
    async fn of(db: &impl ConnectionTrait, period: &Period, now: DateTime<Utc>) -> AppResult<Self> {
        let zone = match &period.zone {
            Some(slug) => {
                let zone = super::zones::find(db, slug).await?;
                Some((zone.id, zone.slug))
            }
            None => None,
        };
        let (first, last) = period.span(now);
        Ok(Self {
            first,
            last,
            since: week_start(first),
            zone,
        })
    }

    fn zone_id(&self) -> Option<i32> {
        self.zone.as_ref().map(|(id, _)| *id)
    }

    fn slug(&self) -> Option<String> {
        self.zone.as_ref().map(|(_, slug)| slug.clone())
    }

    /// ` AND {column} = ?` when the scope has a zone (its id goes last: `bind`).
    fn filter(&self, column: &str) -> String {
        if self.zone.is_some() {
            format!(" AND {column} = ?")
        } else {
            String::new()
        }
    }

    /// `values`, and the zone's id after them when the scope has one.
    fn bind(&self, mut values: Vec<Value>) -> Vec<Value> {
        values.extend(self.zone_id().map(Value::from));
        values
    }
}

/// The funnel's counts of the given weeks, from `activity` (in one zone, or all).
async fn count_weeks(
    db: &DatabaseConnection,
    weeks: &[i32],
    scope: &Scope,
) -> AppResult<Vec<WeekCounts>> {
    let backend = db.get_database_backend();
    let zone_filter = scope.filter("zone_id");
    let marks = vec!["?"; weeks.len()].join(", ");
    let sql = format!(
        "SELECT week, COUNT(*) AS active, \
           SUM(CASE WHEN r = 1 AND c = 0 THEN 1 ELSE 0 END) AS readers, \
           SUM(c) AS contributors, SUM(k) AS creators \
         FROM (SELECT week, member_id, \
                 MAX(CASE WHEN (flags & {READ}) <> 0 THEN 1 ELSE 0 END) AS r, \
                 MAX(CASE WHEN (flags & {}) <> 0 THEN 1 ELSE 0 END) AS c, \
                 MAX(CASE WHEN (flags & {CREATED}) <> 0 THEN 1 ELSE 0 END) AS k \
               FROM activity WHERE week IN ({marks}){zone_filter} \
               GROUP BY week, member_id) AS per_member \
         GROUP BY week",
        CONTRIBUTED | CREATED
    );
    let values = scope.bind(weeks.iter().map(|&w| Value::from(w)).collect());
    Ok(
        WeekCounts::find_by_statement(statement(backend, &sql, values))
            .all(db)
            .await?,
    )
}

/// Keeps a finished week's counts (another instance may have kept them first).
async fn keep_week(db: &DatabaseConnection, c: &WeekCounts, zone_key: i32) -> AppResult<()> {
    use entity::activity_week;
    activity_week::Entity::insert(activity_week::ActiveModel {
        week: Set(c.week),
        zone_id: Set(zone_key),
        active: Set(c.active),
        readers: Set(c.readers),
        contributors: Set(c.contributors),
        creators: Set(c.creators),
    })
    .on_conflict(
        OnConflict::columns([activity_week::Column::Week, activity_week::Column::ZoneId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The participation funnel, week by week.
pub async fn participation(
    db: &DatabaseConnection,
    period: &Period,
    now: DateTime<Utc>,
) -> AppResult<Participation> {
    participation_in(db, &Scope::of(db, period, now).await?, now).await
}

/// Members on the books at the end of each week from `first` to `last` (this week: now),
/// from the weeks members joined and left in: two queries, however many weeks.
async fn registered(db: &DatabaseConnection, first: i32, last: i32) -> AppResult<Vec<u64>> {
    #[derive(FromQueryResult)]
    struct PerWeek {
        week: i64,
        n: i64,
    }
    let backend = db.get_database_backend();
    let per_week = |column: &str| {
        let sql = format!(
            "SELECT {week} AS week, COUNT(*) AS n FROM members WHERE {column} IS NOT NULL \
             GROUP BY {week}",
            week = week_sql(backend, column)
        );
        PerWeek::find_by_statement(Statement::from_string(backend, sql)).all(db)
    };
    let joined = per_week("created_at").await?;
    let left = per_week("deleted_at").await?;
    let upto = |rows: &[PerWeek], week: i32| -> i64 {
        rows.iter()
            .filter(|r| r.week <= i64::from(week))
            .map(|r| r.n)
            .sum()
    };
    Ok((first..=last)
        .map(|week| u64::try_from(upto(&joined, week) - upto(&left, week)).unwrap_or(0))
        .collect())
}

async fn participation_in(
    db: &DatabaseConnection,
    scope: &Scope,
    now: DateTime<Utc>,
) -> AppResult<Participation> {
    let (first, last) = (scope.first, scope.last);
    let done = fold(db, first, now).await?;
    let zone_key = scope.zone_id().unwrap_or(0);
    // Weeks folded for good are counted once and kept; the others are counted now.
    let mut counts: HashMap<i32, WeekCounts> = entity::activity_week::Entity::find()
        .filter(entity::activity_week::Column::Week.gte(first))
        .filter(entity::activity_week::Column::Week.lte(last))
        .filter(entity::activity_week::Column::ZoneId.eq(zone_key))
        .all(db)
        .await?
        .into_iter()
        .map(|w| {
            let counts = WeekCounts {
                week: w.week,
                active: w.active,
                readers: w.readers,
                contributors: w.contributors,
                creators: w.creators,
            };
            (w.week, counts)
        })
        .collect();
    let missing: Vec<i32> = (first..=last).filter(|w| !counts.contains_key(w)).collect();
    if !missing.is_empty() {
        for c in count_weeks(db, &missing, scope).await? {
            if done.contains(&c.week) {
                keep_week(db, &c, zone_key).await?;
            }
            counts.insert(c.week, c);
        }
        // A finished week nobody was active in is kept too, as zeros.
        let idle: Vec<i32> = missing
            .iter()
            .copied()
            .filter(|w| done.contains(w) && !counts.contains_key(w))
            .collect();
        for week in idle {
            let zero = WeekCounts {
                week,
                active: 0,
                readers: 0,
                contributors: 0,
                creators: 0,
            };
            keep_week(db, &zero, zone_key).await?;
            counts.insert(week, zero);
        }
    }
    let count = |n: i64| shown(u64::try_from(n).unwrap_or(0));
    let mut weeks = Vec::new();
    for (week, registered) in (first..=last).zip(registered(db, first, last).await?) {
        let c = counts.get(&week);
        let (readers, contributors) = shown_pair(
            count(c.map_or(0, |c| c.readers)),
            count(c.map_or(0, |c| c.contributors)),
        );
        weeks.push(ParticipationWeek {
            start: week_start(week).date_naive(),
            registered: shown(registered),
            active: count(c.map_or(0, |c| c.active)),
            readers,
            contributors,
            creators: count(c.map_or(0, |c| c.creators)),
        });
    }
    let headcount = super::site::get(db).await?.headcount;
    Ok(Participation {
        headcount: (headcount > 0).then_some(headcount),
        zone: scope.slug(),
        weeks,
    })
}

/// A leader's responsiveness over the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeaderRow {
    pub member: MemberRef,
    /// Discussions started in the period that this leader replied to.
    pub discussions_replied: u64,
    /// `discussions_replied` over every discussion started in the period (0–1).
    pub share_replied: f64,
    /// The median time from a discussion's start to this leader's first reply.
    pub median_first_reply_minutes: Option<f64>,
}

/// Responsiveness in one zone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZoneResponsiveness {
    pub zone: String,
    pub name: String,
    pub discussions: u64,
    /// Discussions with a reply from any leader.
    pub replied: u64,
    pub share_replied: f64,
    pub median_first_reply_minutes: Option<f64>,
}

/// Live Q&A over the period.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SessionStats {
    pub asked: u64,
    pub answered: u64,
    /// Neither answered nor dismissed.
    pub awaiting: u64,
    pub median_answer_minutes: Option<f64>,
}

/// One week of leader responsiveness, for the chart.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponsivenessWeek {
    #[schema(value_type = String, format = Date)]
    pub start: NaiveDate,
    /// Discussions started that week.
    pub discussions: u64,
    pub replied: u64,
    pub median_first_reply_minutes: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeaderInsights {
    /// The zone's slug, when one was asked for.
    pub zone: Option<String>,
    /// The start of the period: the Monday of its first week.
    pub since: DateTime<Utc>,
    /// Discussions started in the period.
    pub discussions: u64,
    /// Share of them with a reply from a leader (0–1).
    pub share_replied: f64,
    /// Median time from a discussion's start to the first leader's reply.
    pub median_first_reply_minutes: Option<f64>,
    /// Every leader, most discussions replied first.
    pub leaders: Vec<LeaderRow>,
    /// Per zone (every zone that had discussions in the period).
    pub zones: Vec<ZoneResponsiveness>,
    /// Per week, oldest first.
    pub weeks: Vec<ResponsivenessWeek>,
    pub sessions: SessionStats,
}

#[derive(FromQueryResult)]
struct FirstReply {
    author_id: i32,
    discussion_id: i32,
    zone_id: i32,
    started: DateTime<Utc>,
    first_reply: DateTime<Utc>,
}

/// Discussions started in one zone in one week.
#[derive(FromQueryResult)]
struct Started {
    zone_id: i32,
    week: i64,
    n: i64,
}

/// The week a timestamp column falls in, in SQL (as `week_of` reckons it).
fn week_sql(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Postgres => format!(
            "((CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT) - {FIRST_MONDAY}) / {WEEK_SECONDS})"
        ),
        _ => format!(
            "((CAST(strftime('%s', {column}) AS INTEGER) - {FIRST_MONDAY}) / {WEEK_SECONDS})"
        ),
    }
}

#[derive(FromQueryResult)]
struct Asked {
    created_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
    dismissed: bool,
}

/// The median of some minutes, to a tenth.
fn median(mut minutes: Vec<f64>) -> Option<f64> {
    if minutes.is_empty() {
        return None;
    }
    minutes.sort_by(f64::total_cmp);
    let mid = minutes.len() / 2;
    let m = if minutes.len().is_multiple_of(2) {
        (minutes[mid - 1] + minutes[mid]) / 2.0
    } else {
        minutes[mid]
    };
    Some((m * 10.0).round() / 10.0)
}

fn minutes_between(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    // Whole seconds are plenty; an f64 holds them exactly for any real span.
    #[allow(clippy::cast_precision_loss)]
    let seconds = (b - a).num_seconds().max(0) as f64;
    seconds / 60.0
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss)]
    let s = part as f64 / whole as f64;
    (s * 1000.0).round() / 1000.0
}

/// Leader responsiveness and live Q&A over the period.
pub async fn leaders(
    db: &DatabaseConnection,
    period: &Period,
    now: DateTime<Utc>,
) -> AppResult<LeaderInsights> {
    leaders_in(db, &Scope::of(db, period, now).await?).await
}

/// Leaders answer discussions: their own updates (m0020) are not asked of them.
const OPEN_ZONES: &str = "d.zone_id IN (SELECT id FROM zones WHERE kind = 'discussions')";

async fn leaders_in(db: &DatabaseConnection, scope: &Scope) -> AppResult<LeaderInsights> {
    let backend = db.get_database_backend();
    let (first, last, since) = (scope.first, scope.last, scope.since);
    let zone_filter = scope.filter("d.zone_id");
    // Counted per zone and week by the database: a year holds a hundred thousand.
    let started = Started::find_by_statement(statement(
        backend,
        &format!(
            "SELECT d.zone_id, {} AS week, COUNT(*) AS n FROM discussions d \
             WHERE d.created_at >= ? AND d.deleted_at IS NULL AND d.hidden = ?{zone_filter} \
               AND {OPEN_ZONES} GROUP BY d.zone_id, {}",
            week_sql(backend, "d.created_at"),
            week_sql(backend, "d.created_at")
        ),
        scope.bind(vec![since.into(), false.into()]),
    ))
    .all(db)
    .await?;
    let leader_rows = member::Entity::find()
        .filter(member::Column::Role.eq(Role::Leader.as_str()))
        .filter(member::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    // The leaders' replies, through the index on their author: a leader writes a small
    // share of the replies.
    let firsts = if leader_rows.is_empty() {
        Vec::new()
    } else {
        let marks = vec!["?"; leader_rows.len()].join(", ");
        let mut values: Vec<Value> = leader_rows.iter().map(|m| Value::from(m.id)).collect();
        values.extend([since.into(), since.into(), false.into()]);
        FirstReply::find_by_statement(statement(
            backend,
            &format!(
                "SELECT c.author_id, c.discussion_id, d.zone_id, d.created_at AS started, \
                   MIN(c.created_at) AS first_reply \
                 FROM comments c JOIN discussions d ON d.id = c.discussion_id \
                 WHERE c.author_id IN ({marks}) AND c.created_at >= ? AND d.created_at >= ? \
                   AND d.deleted_at IS NULL \
                   AND d.hidden = ? AND c.deleted_at IS NULL AND c.author_id <> d.author_id{zone_filter} \
                   AND {OPEN_ZONES} GROUP BY c.author_id, c.discussion_id, d.zone_id, d.created_at"
            ),
            scope.bind(values),
        ))
        .all(db)
        .await?
    };
    let total: u64 = started
        .iter()
        .map(|s| u64::try_from(s.n).unwrap_or(0))
        .sum();
    // Per discussion: the first leader's reply.
    let mut first_by_discussion: HashMap<i32, (i32, f64, DateTime<Utc>)> = HashMap::new();
    let mut per_leader: BTreeMap<i32, Vec<f64>> = BTreeMap::new();
    for f in &firsts {
        let minutes = minutes_between(f.started, f.first_reply);
        per_leader.entry(f.author_id).or_default().push(minutes);
        let entry = first_by_discussion
            .entry(f.discussion_id)
            .or_insert((f.zone_id, minutes, f.started));
        if minutes < entry.1 {
            entry.1 = minutes;
        }
    }
    let mut leaders: Vec<LeaderRow> = leader_rows
        .iter()
        .map(|m| {
            let minutes = per_leader.get(&m.id).cloned().unwrap_or_default();
            let replied = minutes.len() as u64;
            LeaderRow {
                member: MemberRef::from_model(m),
                discussions_replied: replied,
                share_replied: share(replied, total),
                median_first_reply_minutes: median(minutes),
            }
        })
        .collect();
    leaders.sort_by(|a, b| {
        b.discussions_replied
            .cmp(&a.discussions_replied)
            .then_with(|| a.member.username.cmp(&b.member.username))
    });
    // Per zone.
    let zones_by_id: HashMap<i32, entity::zone::Model> = entity::zone::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|z| (z.id, z))
        .collect();
    let mut per_zone: BTreeMap<i32, (u64, Vec<f64>)> = BTreeMap::new();
    for d in &started {
        per_zone.entry(d.zone_id).or_default().0 += u64::try_from(d.n).unwrap_or(0);
    }
    for (zone_id, minutes, _) in first_by_discussion.values() {
        per_zone.entry(*zone_id).or_default().1.push(*minutes);
    }
    let zones = per_zone
        .into_iter()
        .filter_map(|(id, (discussions, minutes))| {
            let z = zones_by_id.get(&id)?;
            let replied = minutes.len() as u64;
            Some(ZoneResponsiveness {
                zone: z.slug.clone(),
                name: z.name.clone(),
                discussions,
                replied,
                share_replied: share(replied, discussions),
                median_first_reply_minutes: median(minutes),
            })
        })
        .collect();
    // Per week.
    let mut per_week: BTreeMap<i32, (u64, Vec<f64>)> =
        (first..=last).map(|w| (w, Default::default())).collect();
    for d in &started {
        let week = i32::try_from(d.week).unwrap_or(0);
        per_week.entry(week).or_default().0 += u64::try_from(d.n).unwrap_or(0);
    }
    for (_, minutes, started) in first_by_discussion.values() {
        per_week
            .entry(week_of(*started))
            .or_default()
            .1
            .push(*minutes);
    }
    let weeks = per_week
        .into_iter()
        .map(|(week, (discussions, minutes))| ResponsivenessWeek {
            start: week_start(week).date_naive(),
            discussions,
            replied: minutes.len() as u64,
            median_first_reply_minutes: median(minutes),
        })
        .collect();
    let all_minutes: Vec<f64> = first_by_discussion.values().map(|v| v.1).collect();
    let replied = all_minutes.len() as u64;
    let session_zone = scope.filter("s.zone_id");
    let asked = Asked::find_by_statement(statement(
        backend,
        &format!(
            "SELECT q.created_at, q.answered_at, q.dismissed FROM qa_questions q \
             JOIN qa_sessions s ON s.id = q.session_id \
             WHERE q.created_at >= ? AND q.hidden = ?{session_zone}"
        ),
        scope.bind(vec![since.into(), false.into()]),
    ))
    .all(db)
    .await?;
    let sessions = SessionStats {
        asked: asked.len() as u64,
        answered: asked.iter().filter(|q| q.answered_at.is_some()).count() as u64,
        awaiting: asked
            .iter()
            .filter(|q| q.answered_at.is_none() && !q.dismissed)
            .count() as u64,
        median_answer_minutes: median(
            asked
                .iter()
                .filter_map(|q| q.answered_at.map(|a| minutes_between(q.created_at, a)))
                .collect(),
        ),
    };
    Ok(LeaderInsights {
        zone: scope.slug(),
        since,
        discussions: total,
        share_replied: share(replied, total),
        median_first_reply_minutes: median(all_minutes),
        leaders,
        zones,
        weeks,
        sessions,
    })
}

/// A discussion's reach over the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiscussionReach {
    pub discussion_id: i32,
    pub title: String,
    pub url: String,
    /// The zone's slug.
    pub zone: String,
    /// Members who read it in the period; null means fewer than 5.
    pub readers: Option<u64>,
    /// Replies written in the period.
    pub replies: u64,
}

/// A live session's reach over the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionReach {
    pub session_id: i32,
    pub title: String,
    pub url: String,
    pub zone: String,
    /// Members who asked or upvoted a question; null means fewer than 5.
    pub participants: Option<u64>,
    pub questions: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Reach {
    pub zone: Option<String>,
    pub since: DateTime<Utc>,
    /// The ten discussions read by the most members.
    pub most_read: Vec<DiscussionReach>,
    /// The ten discussions with the most replies.
    pub most_discussed: Vec<DiscussionReach>,
    /// The ten live sessions with the most participants.
    pub sessions: Vec<SessionReach>,
}

/// Discussions ranked before the hidden and deleted are dropped.
const CANDIDATES: usize = 40;

#[derive(FromQueryResult)]
struct Ranked {
    id: i32,
    n: i64,
}

/// The most read and most discussed of the period, and the busiest live sessions.
pub async fn reach(
    db: &DatabaseConnection,
    period: &Period,
    now: DateTime<Utc>,
) -> AppResult<Reach> {
    reach_in(db, &Scope::of(db, period, now).await?).await
}

async fn reach_in(db: &DatabaseConnection, scope: &Scope) -> AppResult<Reach> {
    let backend = db.get_database_backend();
    let since = scope.since;
    // Every zone: counted from the covering indexes alone (m0016), a few more than shown,
    // and the hidden or deleted dropped below. One zone: its discussions joined in.
    // (`+` keeps SQLite from walking a whole index in discussion order to group;
    // PostgreSQL would not take `+column` as the column grouped by.)
    let group = if backend == DbBackend::Postgres {
        "t.discussion_id"
    } else {
        "+t.discussion_id"
    };
    let join = if scope.zone.is_some() {
        " JOIN discussions d ON d.id = t.discussion_id"
    } else {
        ""
    };
    let zoned = scope.filter("d.zone_id");
    // A read mark holds a member's last read: one read in the period at least, exactly,
    // for a period that runs to now.
    let rank = |sql: String, values: Vec<Value>| {
        Ranked::find_by_statement(statement(backend, &sql, values)).all(db)
    };
    let read = rank(
        format!(
            "SELECT t.discussion_id AS id, COUNT(*) AS n FROM discussion_reads t{join} \
             WHERE t.read_at >= ?{zoned} \
             GROUP BY {group} ORDER BY n DESC, t.discussion_id DESC LIMIT {CANDIDATES}"
        ),
        scope.bind(vec![since.into()]),
    )
    .await?;
    let discussed = rank(
        format!(
            "SELECT t.discussion_id AS id, COUNT(*) AS n FROM comments t{join} \
             WHERE t.created_at >= ? AND t.deleted_at IS NULL{zoned} \
             GROUP BY {group} ORDER BY n DESC, t.discussion_id DESC LIMIT {CANDIDATES}"
        ),
        scope.bind(vec![since.into()]),
    )
    .await?;
    // The candidates' rows, to drop the hidden and deleted; then the ten of each shown.
    let candidates: Vec<i32> = read.iter().chain(&discussed).map(|r| r.id).collect();
    let rows: HashMap<i32, entity::discussion::Model> = entity::discussion::Entity::find()
        .filter(entity::discussion::Column::Id.is_in(candidates))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let visible = |r: &&Ranked| {
        rows.get(&r.id)
            .is_some_and(|d| d.deleted_at.is_none() && !d.hidden)
    };
    let read: Vec<&Ranked> = read.iter().filter(visible).take(10).collect();
    let discussed: Vec<&Ranked> = discussed.iter().filter(visible).take(10).collect();
    let ids: Vec<i32> = read.iter().chain(&discussed).map(|r| r.id).collect();
    // For each shown discussion, its readers and replies in the period.
    let count_of = |sql: String| {
        let mut values: Vec<Value> = vec![since.into()];
        values.extend(ids.iter().map(|&id| Value::from(id)));
        Ranked::find_by_statement(statement(backend, &sql, values)).all(db)
    };
    let marks = vec!["?"; ids.len().max(1)].join(", ");
    let (readers, replies): (HashMap<i32, i64>, HashMap<i32, i64>) = if ids.is_empty() {
        Default::default()
    } else {
        let readers = count_of(format!(
            "SELECT discussion_id AS id, COUNT(*) AS n FROM discussion_reads \
             WHERE read_at >= ? AND discussion_id IN ({marks}) GROUP BY discussion_id"
        ))
        .await?;
        let replies = count_of(format!(
            "SELECT discussion_id AS id, COUNT(*) AS n FROM comments \
             WHERE created_at >= ? AND deleted_at IS NULL AND discussion_id IN ({marks}) \
             GROUP BY discussion_id"
        ))
        .await?;
        (
            readers.into_iter().map(|r| (r.id, r.n)).collect(),
            replies.into_iter().map(|r| (r.id, r.n)).collect(),
        )
    };
    let zones: HashMap<i32, String> = entity::zone::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|z| (z.id, z.slug))
        .collect();
    let n = |v: Option<&i64>| u64::try_from(v.copied().unwrap_or(0)).unwrap_or(0);
    let row = |r: &&Ranked| {
        rows.get(&r.id).map(|d| DiscussionReach {
            discussion_id: d.id,
            title: d.title.clone(),
            url: discussion_path(d.id, &d.title),
            zone: zones.get(&d.zone_id).cloned().unwrap_or_default(),
            readers: shown(n(readers.get(&d.id))),
            replies: n(replies.get(&d.id)),
        })
    };
    let most_read = read.iter().filter_map(row).collect();
    let most_discussed = discussed.iter().filter_map(row).collect();
    // Live sessions: who asked or upvoted in the period.
    let session_zone = scope.filter("s.zone_id");
    #[derive(FromQueryResult)]
    struct Busy {
        id: i32,
        title: String,
        zone_id: i32,
        participants: i64,
        questions: i64,
    }
    let busy = Busy::find_by_statement(statement(
        backend,
        &format!(
            "SELECT s.id, s.title, s.zone_id, COUNT(DISTINCT p.member_id) AS participants, \
               COUNT(DISTINCT p.question_id) AS questions \
             FROM qa_sessions s JOIN ( \
               SELECT q.session_id, q.author_id AS member_id, q.id AS question_id FROM qa_questions q \
                 WHERE q.created_at >= ? \
               UNION ALL \
               SELECT q.session_id, v.member_id, q.id FROM qa_votes v \
                 JOIN qa_questions q ON q.id = v.question_id WHERE v.created_at >= ? \
             ) AS p ON p.session_id = s.id \
             WHERE 1 = 1{session_zone} \
             GROUP BY s.id, s.title, s.zone_id ORDER BY participants DESC, s.id DESC LIMIT 10"
        ),
        scope.bind(vec![since.into(), since.into()]),
    ))
    .all(db)
    .await?;
    let sessions = busy
        .into_iter()
        .map(|s| SessionReach {
            session_id: s.id,
            url: super::live::session_path(s.id),
            title: s.title,
            zone: zones.get(&s.zone_id).cloned().unwrap_or_default(),
            participants: shown(u64::try_from(s.participants).unwrap_or(0)),
            questions: u64::try_from(s.questions).unwrap_or(0),
        })
        .collect();
    Ok(Reach {
        zone: scope.slug(),
        since,
        most_read,
        most_discussed,
        sessions,
    })
}

/// Everything the insights page shows, for one period.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub participation: Participation,
    pub leaders: LeaderInsights,
    pub reach: Reach,
}

pub async fn overview(
    db: &DatabaseConnection,
    period: &Period,
    now: DateTime<Utc>,
) -> AppResult<Overview> {
    let scope = Scope::of(db, period, now).await?;
    Ok(Overview {
        participation: participation_in(db, &scope, now).await?,
        leaders: leaders_in(db, &scope).await?,
        reach: reach_in(db, &scope).await?,
    })
}

/// A count for a CSV cell: the number, or "<5".
fn cell(n: Option<u64>) -> String {
    n.map_or_else(|| "<5".to_string(), |n| n.to_string())
}

/// The funnel as CSV, one row a week.
pub fn participation_csv(p: &Participation) -> String {
    let mut out = String::from("week_start,registered,active,readers,contributors,creators\n");
    for w in &p.weeks {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            w.start,
            cell(w.registered),
            cell(w.active),
            cell(w.readers),
            cell(w.contributors),
            cell(w.creators)
        ));
    }
    out
}

/// A CSV field, quoted when it must be (and never read as a formula by a spreadsheet).
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Leader responsiveness as CSV, one row a leader.
pub fn leaders_csv(l: &LeaderInsights) -> String {
    let mut out = String::from(
        "username,display_name,discussions_replied,share_replied,median_first_reply_minutes\n",
    );
    for row in &l.leaders {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            field(&row.member.username),
            field(&row.member.display_name),
            row.discussions_replied,
            row.share_replied,
            row.median_first_reply_minutes
                .map(|m| m.to_string())
                .unwrap_or_default()
        ));
    }
    out
}

/// Queues the weekly "state of the community" mail for the leaders, moderators and
/// admins who asked for it, once a week, after the week turns. Several instances may run
/// this at once: each member's turn is claimed by one conditional update.
pub async fn queue_weekly_mail(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u32> {
    let this_week = week_start(week_of(now));
    let due = sea_orm::Condition::any()
        .add(member::Column::LastInsightsMailAt.is_null())
        .add(member::Column::LastInsightsMailAt.lt(this_week));
    let members = member::Entity::find()
        .filter(member::Column::InsightsMail.eq(true))
        .filter(member::Column::Role.is_in([
            Role::Leader.as_str(),
            Role::Moderator.as_str(),
            Role::Admin.as_str(),
        ]))
        .filter(member::Column::EmailVerified.eq(true))
        .filter(member::Column::DeletedAt.is_null())
        .filter(due.clone())
        .all(db)
        .await?;
    let mut queued = 0;
    for m in members {
        let txn = crate::db::begin_write(db).await?;
        let column = member::Column::LastInsightsMailAt;
        if !super::digest::claim_turn(&txn, m.id, column, due.clone(), now).await? {
            continue;
        }
        super::subscriptions::queue_mail(
            &txn,
            super::subscriptions::Mail {
                member_id: m.id,
                to: &m.email,
                kind: "insights",
                reason: "weekly",
                discussion_id: None,
                comment_id: None,
                token_id: None,
                idea_change_id: None,
                inbound_mail_id: None,
                tag: &format!("{}.{}", m.id, week_of(now)),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        queued += 1;
    }
    Ok(queued)
}

/// What the weekly mail says: last week's funnel beside the week before, leaders over
/// the last four weeks, and the ideas waiting for an answer.
#[derive(Debug, Clone, Serialize)]
pub struct WeeklySummary {
    pub last_week: ParticipationWeek,
    pub week_before: ParticipationWeek,
    pub headcount: Option<i32>,
    pub leaders: LeaderInsights,
    pub ideas_awaiting: u64,
}

pub async fn weekly_summary(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> AppResult<WeeklySummary> {
    let period = Period {
        weeks: 3,
        zone: None,
    };
    let p = participation(db, &period, now).await?;
    let (Some(week_before), Some(last_week)) = (p.weeks.first().cloned(), p.weeks.get(1).cloned())
    else {
        return Err(AppError::internal(anyhow::anyhow!(
            "a period of three weeks had fewer"
        )));
    };
    let leaders = leaders(
        db,
        &Period {
            weeks: 4,
            zone: None,
        },
        now,
    )
    .await?;
    let board = super::ideas::board(
        db,
        None,
        &super::ideas::BoardQuery {
            status: None,
            zone: None,
            sort: super::ideas::BoardSort::Waiting,
            awaiting: true,
            paging: crate::domain::Paging {
                page: 1,
                per_page: 1,
            },
        },
        now,
    )
    .await?;
    Ok(WeeklySummary {
        last_week,
        week_before,
        headcount: p.headcount,
        leaders,
        ideas_awaiting: board.awaiting,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_at_midnight_utc() {
        let t = DateTime::parse_from_rfc3339("2026-12-02T15:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(DateTime::UNIX_EPOCH);
        let week = week_of(t);
        assert_eq!(week_start(week).to_rfc3339(), "2026-11-30T00:00:00+00:00");
        assert_eq!(week_of(week_start(week)), week);
        assert_eq!(week_of(week_start(week) - Duration::seconds(1)), week - 1);
    }

    #[test]
    fn small_groups_are_not_shown_and_medians_are_medians() {
        assert_eq!(shown(0), Some(0));
        assert_eq!(shown(4), None);
        assert_eq!(shown(5), Some(5));
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        // One of a pair that adds up to a shown total is never left to be worked out.
        assert_eq!(shown_pair(Some(7), None), (None, None));
        assert_eq!(shown_pair(None, Some(0)), (None, None));
        assert_eq!(shown_pair(Some(7), Some(5)), (Some(7), Some(5)));
        assert_eq!(shown_pair(None, None), (None, None));
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(field("Ann, Lee"), "\"Ann, Lee\"");
        assert_eq!(field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
