use sea_orm::entity::prelude::*;

/// A member's points earned in one zone: the sum of their ledger events there, kept by a
/// trigger on `reputation_events` (m0012), so a zone's experts are read, not summed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "zone_points")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub zone_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub member_id: i32,
    pub points: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
