use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "members")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Lower-cased at registration, so the unique key is case-insensitive.
    #[sea_orm(unique)]
    pub username: String,
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub reputation: i32,
    /// The sum of the member's ledger events: `reputation` is 1 + this, never below 1.
    pub points: i64,
    pub created_at: DateTimeUtc,
    pub email_on_discussion_reply: bool,
    pub email_on_comment_reply: bool,
    pub email_on_mention: bool,
    /// `never`, `daily` or `weekly`.
    pub digest: String,
    pub last_digest_at: Option<DateTimeUtc>,
    /// Bumped on each profile picture upload (so its URL changes); None: the default.
    pub avatar_version: Option<i32>,
    /// False from registration until the member follows the link mailed to them.
    pub email_verified: bool,
    /// The single sign-on provider's `sub` for this member, once they signed in with it.
    #[sea_orm(unique)]
    pub oidc_subject: Option<String>,
    /// Set when the member deleted their account: their personal data is erased and
    /// their posts show "former member".
    pub deleted_at: Option<DateTimeUtc>,
    /// `silence` (read-only) or `suspend` (cannot sign in), until `suspended_until`.
    pub suspension: Option<String>,
    pub suspended_until: Option<DateTimeUtc>,
    /// What the member is told.
    pub suspension_reason: Option<String>,
    /// Decided flags this member raised that moderators agreed / disagreed with.
    pub flags_agreed: i32,
    pub flags_disagreed: i32,
    /// A leader's or admin's choice of the weekly "state of the community" mail.
    pub insights_mail: bool,
    pub last_insights_mail_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
