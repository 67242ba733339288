use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "qa_questions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub session_id: i32,
    pub author_id: i32,
    /// Hidden from members (not from moderators or the host).
    pub anonymous: bool,
    pub body: String,
    pub body_html: String,
    pub votes: i32,
    pub pinned: bool,
    pub dismissed: bool,
    pub answer: Option<String>,
    pub answer_html: Option<String>,
    pub answered_by: Option<i32>,
    pub answered_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// Hidden while moderators look at it (flags), or by a moderator's decision.
    pub hidden: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
