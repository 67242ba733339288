use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "discussions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub zone_id: i32,
    pub author_id: i32,
    pub title: String,
    pub body: String,
    pub body_html: String,
    pub score: i32,
    pub comment_count: i32,
    pub view_count: i32,
    pub recognized: bool,
    pub locked: bool,
    pub pinned: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub edited_at: Option<DateTimeUtc>,
    pub last_activity_at: DateTimeUtc,
    /// Soft delete: the row stays for moderation and for the reputation ledger.
    pub deleted_at: Option<DateTimeUtc>,
    /// Hidden while moderators look at it (flags), or by a moderator's decision.
    pub hidden: bool,
    /// The last edit was a moderator's, not the author's.
    pub edited_by_moderator: bool,
    /// Bumped (by triggers, in the writing transaction) whenever anything the page shows
    /// changes: the page cache's key.
    pub version: i64,
    /// Null unless the discussion is an idea: `proposed`, `under_review`, `planned`,
    /// `adopted` or `declined`.
    pub idea_status: Option<String>,
    /// The note of the idea's last change.
    pub idea_note: Option<String>,
    /// Who made the idea's last change.
    pub idea_changed_by: Option<i32>,
    pub idea_changed_at: Option<DateTimeUtc>,
    /// When the idea entered its current status.
    pub idea_since: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
