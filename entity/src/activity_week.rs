use sea_orm::entity::prelude::*;

/// The funnel's counts of one week, kept once the week is folded for good.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_weeks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub week: i32,
    /// 0: every zone.
    #[sea_orm(primary_key, auto_increment = false)]
    pub zone_id: i32,
    pub active: i64,
    pub readers: i64,
    pub contributors: i64,
    pub creators: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
