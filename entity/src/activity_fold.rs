use sea_orm::entity::prelude::*;

/// How far a week of `activity` has been folded from its sources.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_folds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub week: i32,
    pub folded_until: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
