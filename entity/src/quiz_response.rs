use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_responses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub attempt_id: i32,
    pub question_id: i32,
    /// The chosen choice ids, comma-separated and sorted.
    pub choice_ids: String,
    pub correct: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
