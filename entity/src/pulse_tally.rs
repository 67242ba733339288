use sea_orm::entity::prelude::*;

/// How many gave one answer to an update's pulse (no row says who).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pulse_tallies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub discussion_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub answer: String,
    pub count: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
