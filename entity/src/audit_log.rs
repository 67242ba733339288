use sea_orm::entity::prelude::*;

/// Who changed what about whom: role changes today, every moderation action later.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// None when the command line did it.
    pub actor_id: Option<i32>,
    /// e.g. `role_changed`, `account_deleted`.
    pub action: String,
    pub target_member_id: Option<i32>,
    /// A JSON object with the particulars (`{"from":"member","to":"leader"}`).
    pub details: String,
    pub created_at: DateTimeUtc,
    /// What the action was on, as `kind:id` (`discussion:7`, `member:3`, `zone:ideas`).
    pub target: Option<String>,
    /// The actor's address, IPv4 /16 or IPv6 /48.
    pub ip_prefix: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
