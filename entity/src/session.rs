use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub member_id: i32,
    /// Hex SHA-256 of the secret handed to the client.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// `api` for bearer tokens, `web` for the browser's session cookie.
    pub kind: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// Updated at most every few minutes, not on every request.
    pub last_used_at: Option<DateTimeUtc>,
    pub user_agent: Option<String>,
    /// The first half of the client's address (IPv4 /16, IPv6 /48), never the whole.
    pub ip_prefix: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::member::Entity",
        from = "Column::MemberId",
        to = "super::member::Column::Id"
    )]
    Member,
}

impl Related<super::member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Member.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
