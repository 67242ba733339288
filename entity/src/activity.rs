use sea_orm::entity::prelude::*;

/// What one member did in one zone in one week (issue #17's participation rollup).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    /// Weeks since Monday 1970-01-05 (UTC).
    #[sea_orm(primary_key, auto_increment = false)]
    pub week: i32,
    /// 0 for what belongs to no zone (signing in).
    #[sea_orm(primary_key, auto_increment = false)]
    pub zone_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub member_id: i32,
    /// 1 read, 2 signed in, 4 contributed, 8 started a discussion.
    pub flags: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
