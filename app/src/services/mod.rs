//! The business rules, over `&impl ConnectionTrait` so they compose inside one
//! transaction. No actix types here.

use entity::member;

use crate::domain::Role;

pub mod account_links;
pub mod accounts;
pub mod admin;
pub mod audit;
pub mod avatars;
pub mod badges;
pub mod comments;
pub mod digest;
pub mod discussions;
pub mod effects;
pub mod export;
pub mod feeds;
pub mod follows;
pub mod ideas;
pub mod inbound_mail;
pub mod insights;
pub mod items;
pub mod leaderboard;
pub mod ledger;
pub mod live;
pub mod moderation;
pub mod notifications;
pub mod passwords;
pub mod polls;
pub mod pulses;
pub mod quizzes;
pub mod rate_limit;
pub mod reads;
pub mod recognition;
pub mod revisions;
pub mod search;
pub mod sessions;
pub mod settings;
pub mod site;
pub mod sso;
pub mod subscriptions;
pub mod suspensions;
pub mod thread_cache;
pub mod updates;
pub mod votes;
pub mod webhook_events;
pub mod webhooks;
pub mod zones;

/// The signed-in member doing something, with what the rules need to know.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: i32,
    pub username: String,
    pub role: Role,
    /// Until a member confirms their address they may read and edit their profile, not
    /// post, vote or follow.
    pub verified: bool,
    /// The address prefix the request came from (IPv4 /16, IPv6 /48), for the audit
    /// log; None off HTTP.
    pub ip_prefix: Option<String>,
}

impl Actor {
    pub fn from_model(m: &member::Model) -> Self {
        Self {
            id: m.id,
            username: m.username.clone(),
            role: Role::from_db(&m.role),
            verified: m.email_verified,
            ip_prefix: None,
        }
    }

    /// Authors may change their own items; moderators and admins anyone's.
    pub fn may_change(&self, author_id: i32) -> bool {
        self.id == author_id || self.role.can_moderate()
    }

    /// The same, for a post whose author is known by name (in a view).
    pub fn may_change_named(&self, author: &str) -> bool {
        self.username == author || self.role.can_moderate()
    }

    /// Members reply to open discussions; moderators to locked ones too.
    pub fn may_reply(&self, locked: bool) -> bool {
        !locked || self.role.can_moderate()
    }
}
