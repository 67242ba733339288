use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub discussion_id: i32,
    pub parent_id: Option<i32>,
    pub author_id: i32,
    pub depth: i32,
    pub body: String,
    pub body_html: String,
    pub score: i32,
    pub recognized: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub edited_at: Option<DateTimeUtc>,
    /// A deleted comment keeps its place in the thread and its replies.
    pub deleted_at: Option<DateTimeUtc>,
    /// Hidden while moderators look at it (flags), or by a moderator's decision.
    pub hidden: bool,
    /// The last edit was a moderator's, not the author's.
    pub edited_by_moderator: bool,
    /// The comment's place in its thread: its ancestors' ids and its own, each ten
    /// digits, dot-separated. Ordering by it gives thread order (each reply after its
    /// parent, siblings oldest first), so a page of a long thread is one indexed range.
    pub thread_path: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::discussion::Entity",
        from = "Column::DiscussionId",
        to = "super::discussion::Column::Id"
    )]
    Discussion,
}

impl Related<super::discussion::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Discussion.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
