//! Leaderboards and expertise: points earned in a period, optionally in one zone.

use chrono::{DateTime, Duration, Utc};
use entity::{member, reputation_event, zone, zone_points};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Order};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::items::members_by_id;
use crate::error::{AppError, AppResult};
use crate::views::MemberRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Week,
    Month,
    Year,
    All,
}

impl Period {
    pub fn parse(raw: Option<&str>) -> AppResult<Self> {
        match raw.map(str::trim) {
            Some("week") => Ok(Period::Week),
            Some("month") => Ok(Period::Month),
            Some("year") => Ok(Period::Year),
            None | Some("") | Some("all") => Ok(Period::All),
            Some(_) => Err(AppError::validation(
                "period",
                "must be one of week, month, year, all",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
            Period::Year => "year",
            Period::All => "all",
        }
    }

    /// Rolling windows: the last 7, 30 or 365 days.
    fn since(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Period::Week => Some(now - Duration::days(7)),
            Period::Month => Some(now - Duration::days(30)),
            Period::Year => Some(now - Duration::days(365)),
            Period::All => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Entry {
    pub rank: u32,
    pub member: MemberRef,
    pub points: i64,
}

#[derive(FromQueryResult)]
struct Row {
    member_id: i32,
    points: Option<i64>,
}

pub async fn top(
    db: &impl ConnectionTrait,
    period: Period,
    zone_id: Option<i32>,
    limit: u64,
    now: DateTime<Utc>,
) -> AppResult<Vec<Entry>> {
    let rows = match (period.since(now), zone_id) {
        // All time: the totals kept beside the ledger (members.points, zone_points).
        (None, Some(zone_id)) => {
            zone_points::Entity::find()
                .select_only()
                .column(zone_points::Column::MemberId)
                .column(zone_points::Column::Points)
                .filter(zone_points::Column::ZoneId.eq(zone_id))
                .filter(zone_points::Column::Points.gt(0))
                .order_by_desc(zone_points::Column::Points)
                .order_by_asc(zone_points::Column::MemberId)
                .limit(limit)
                .into_model::<Row>()
                .all(db)
                .await?
        }
        (None, None) => {
            member::Entity::find()
                .select_only()
                .column_as(member::Column::Id, "member_id")
                .column(member::Column::Points)
                .filter(member::Column::Points.gt(0))
                .order_by_desc(member::Column::Points)
                .order_by_asc(member::Column::Id)
                .limit(limit)
                .into_model::<Row>()
                .all(db)
                .await?
        }
        (since, zone_id) => summed(db, since, zone_id, limit).await?,
    };
    let members = members_by_id(db, rows.iter().map(|r| r.member_id)).await?;
    let mut entries = Vec::with_capacity(rows.len());
    let mut last: Option<(i64, u32)> = None;
    for (i, row) in rows.into_iter().enumerate() {
        let Some(m) = members.get(&row.member_id) else {
            continue;
        };
        let points = row.points.unwrap_or(0);
        // Ties share a rank: 1, 1, 3.
        let rank = match last {
            Some((p, r)) if p == points => r,
            _ => u32::try_from(i + 1).unwrap_or(u32::MAX),
        };
        last = Some((points, rank));
        entries.push(Entry {
            rank,
            member: MemberRef::from_model(m),
            points,
        });
    }
    Ok(entries)
}

/// Points earned since a time, summed from the ledger.
async fn summed(
    db: &impl ConnectionTrait,
    since: Option<DateTime<Utc>>,
    zone_id: Option<i32>,
    limit: u64,
) -> AppResult<Vec<Row>> {
    let mut query = reputation_event::Entity::find()
        .select_only()
        .column(reputation_event::Column::MemberId)
        .column_as(reputation_event::Column::Points.sum(), "points")
        .group_by(reputation_event::Column::MemberId)
        .having(Expr::expr(Func::sum(Expr::col(reputation_event::Column::Points))).gt(0))
        .order_by(
            Expr::expr(Func::sum(Expr::col(reputation_event::Column::Points))),
            Order::Desc,
        )
        .order_by_asc(reputation_event::Column::MemberId)
        .limit(limit);
    if let Some(since) = since {
        query = query.filter(reputation_event::Column::CreatedAt.gte(since));
    }
    if let Some(zone_id) = zone_id {
        query = query.filter(reputation_event::Column::ZoneId.eq(zone_id));
    }
    Ok(query.into_model::<Row>().all(db).await?)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZoneStrength {
    pub zone: String,
    pub name: String,
    pub points: i64,
}

#[derive(FromQueryResult)]
struct ZoneRow {
    zone_id: Option<i32>,
    points: Option<i64>,
}

/// Where a member earned their reputation, strongest zone first.
pub async fn strengths(db: &impl ConnectionTrait, member_id: i32) -> AppResult<Vec<ZoneStrength>> {
    let rows = reputation_event::Entity::find()
        .select_only()
        .column(reputation_event::Column::ZoneId)
        .column_as(reputation_event::Column::Points.sum(), "points")
        .filter(reputation_event::Column::MemberId.eq(member_id))
        .group_by(reputation_event::Column::ZoneId)
        .into_model::<ZoneRow>()
        .all(db)
        .await?;
    // Points earned on leadership updates are no zone's strength.
    let zones = zone::Entity::find()
        .filter(zone::Column::Kind.eq(super::zones::DISCUSSIONS))
        .all(db)
        .await?;
    let mut out: Vec<ZoneStrength> = rows
        .into_iter()
        .filter_map(|r| {
            let z = zones.iter().find(|z| Some(z.id) == r.zone_id)?;
            let points = r.points.unwrap_or(0);
            (points > 0).then(|| ZoneStrength {
                zone: z.slug.clone(),
                name: z.name.clone(),
                points,
            })
        })
        .collect();
    out.sort_by_key(|s| std::cmp::Reverse(s.points));
    Ok(out)
}
