use sea_orm::entity::prelude::*;

/// That a member answered an update's pulse (not what they answered).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pulse_responses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub discussion_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub member_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
