//! Zones: the rooms of the community.

use chrono::Utc;
use entity::zone;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr,
};

use crate::domain::{ZoneDescription, ZoneName, ZoneSlug};
use crate::error::{AppError, AppResult, Code, FieldErrors};
use crate::views::ZoneView;

/// The kind of every zone members see and post in.
pub const DISCUSSIONS: &str = "discussions";
/// The kind of the one zone that holds leadership updates.
pub const UPDATES: &str = "updates";

pub struct NewZone {
    pub slug: ZoneSlug,
    pub name: ZoneName,
    pub description: ZoneDescription,
}

impl NewZone {
    pub fn parse(slug: &str, name: &str, description: &str) -> AppResult<Self> {
        let mut fields = FieldErrors::new();
        let slug = ZoneSlug::parse(slug)
            .map_err(|e| merge(&mut fields, e))
            .ok();
        let name = ZoneName::parse(name)
            .map_err(|e| merge(&mut fields, e))
            .ok();
        let description = ZoneDescription::parse(description)
            .map_err(|e| merge(&mut fields, e))
            .ok();
        match (slug, name, description) {
            (Some(slug), Some(name), Some(description)) => Ok(Self {
                slug,
                name,
                description,
            }),
            _ => Err(AppError::from_fields(fields)),
        }
    }
}

/// Collects a validation error's fields into `fields`.
pub fn merge(fields: &mut FieldErrors, err: AppError) {
    if let Some(f) = err.fields() {
        fields.extend(f.clone());
    }
}

/// A zone as the navigation of every page shows it: no discussion counts, which would
/// cost a pass over every discussion on every page (issue #8, docs/benchmarks.md).
#[derive(Debug, Clone, serde::Serialize)]
pub struct NavZone {
    pub slug: String,
    pub name: String,
    pub description: String,
}

/// Every zone, in order, for the navigation: one small query.
pub async fn nav(db: &impl ConnectionTrait) -> AppResult<Vec<NavZone>> {
    Ok(zone::Entity::find()
        .filter(zone::Column::Kind.eq(DISCUSSIONS))
        .order_by_asc(zone::Column::Position)
        .order_by_asc(zone::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|z| NavZone {
            slug: z.slug,
            name: z.name,
            description: z.description,
        })
        .collect())
}

/// Every zone with its number of live discussions (the home page and the API).
pub async fn list(db: &impl ConnectionTrait) -> AppResult<Vec<ZoneView>> {
    let zones = zone::Entity::find()
        .filter(zone::Column::Kind.eq(DISCUSSIONS))
        .order_by_asc(zone::Column::Position)
        .order_by_asc(zone::Column::Id)
        .all(db)
        .await?;
    Ok(zones
        .into_iter()
        .map(|z| {
            // Kept by triggers in every writing transaction (m0011): nothing to count.
            let count = i64::from(z.live_discussions) + i64::from(z.hidden_discussions);
            ZoneView {
                slug: z.slug,
                name: z.name,
                description: z.description,
                discussion_count: u64::try_from(count).unwrap_or(0),
            }
        })
        .collect())
}

pub async fn find(db: &impl ConnectionTrait, slug: &str) -> AppResult<zone::Model> {
    let Ok(slug) = ZoneSlug::parse(slug) else {
        return Err(AppError::not_found("Zone"));
    };
    zone::Entity::find()
        .filter(zone::Column::Slug.eq(slug.as_ref()))
        .filter(zone::Column::Kind.eq(DISCUSSIONS))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Zone"))
}

/// The zone that holds the leadership updates (m0020): not a zone members see, list or
/// start discussions in.
pub async fn updates_zone(db: &impl ConnectionTrait) -> AppResult<zone::Model> {
    zone::Entity::find()
        .filter(zone::Column::Kind.eq(UPDATES))
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("the updates zone is missing")))
}

/// The ids of the zones members see, as a subquery: what listings across zones keep to.
pub fn open_zone_ids() -> sea_orm::sea_query::SelectStatement {
    ids_of_kind(DISCUSSIONS)
}

/// The ids of the zones of one kind, as a subquery.
pub fn ids_of_kind(kind: &str) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(zone::Column::Id)
        .from(zone::Entity)
        .and_where(zone::Column::Kind.eq(kind))
        .to_owned()
}

/// What a zone's page heads with, and the stamp of the page (m0013), which rises with
/// every write the page shows: one small query, all a zone page costs of the zone when
/// its listing is kept rendered. None when there is no such zone.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct ZoneHead {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub stamp: i64,
}

pub async fn head(db: &impl ConnectionTrait, slug: &str) -> AppResult<Option<ZoneHead>> {
    let Ok(slug) = ZoneSlug::parse(slug) else {
        return Ok(None);
    };
    Ok(zone::Entity::find()
        .select_only()
        .columns([
            zone::Column::Id,
            zone::Column::Slug,
            zone::Column::Name,
            zone::Column::Description,
        ])
        .column_as(
            sea_orm::sea_query::Expr::cust(
                "CAST(COALESCE((SELECT SUM(zone_stamps.stamp) FROM zone_stamps \
                 WHERE zone_stamps.zone_id = zones.id), 0) AS BIGINT)",
            ),
            "stamp",
        )
        .filter(zone::Column::Slug.eq(slug.as_ref()))
        .filter(zone::Column::Kind.eq(DISCUSSIONS))
        .into_model::<ZoneHead>()
        .one(db)
        .await?)
}

pub async fn find_by_id(db: &impl ConnectionTrait, id: i32) -> AppResult<zone::Model> {
    zone::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Zone"))
}

/// Admins create zones; each creation is audited.
pub async fn create(
    db: &sea_orm::DatabaseConnection,
    actor: &super::Actor,
    new: NewZone,
) -> AppResult<ZoneView> {
    if actor.role != crate::domain::Role::Admin {
        return Err(AppError::forbidden("Only admins may create zones"));
    }
    let txn = crate::db::begin_write(db).await?;
    let view = insert(&txn, new).await?;
    let audited = super::effects::Effect::Audited {
        by: super::audit::By::actor(actor),
        action: super::audit::Action::ZoneCreated {
            name: view.name.clone(),
        },
        target: super::audit::Target::Zone(view.slug.clone()),
    };
    super::effects::record(&txn, audited, Utc::now()).await?;
    txn.commit().await?;
    Ok(view)
}

async fn insert(db: &impl ConnectionTrait, new: NewZone) -> AppResult<ZoneView> {
    let position = zone::Entity::find().all(db).await?.len() as i32;
    let row = zone::ActiveModel {
        slug: Set(new.slug.into_inner()),
        name: Set(new.name.into_inner()),
        description: Set(new.description.into_inner()),
        position: Set(position),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    match row.insert(db).await {
        Ok(z) => Ok(ZoneView {
            slug: z.slug,
            name: z.name,
            description: z.description,
            discussion_count: 0,
        }),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            let mut fields = FieldErrors::new();
            fields.insert("slug".into(), "is already used by another zone".into());
            Err(
                AppError::coded(Code::ZoneExists, "A zone with that slug already exists")
                    .with_fields(fields),
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// The slugs of a set of zones by id, in one query.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> AppResult<std::collections::HashMap<i32, String>> {
    let mut ids: Vec<i32> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    Ok(zone::Entity::find()
        .filter(zone::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|z| (z.id, z.slug))
        .collect())
}
