//! sea-orm entities for Quorum. Views sent to clients are built from these in the app
//! crate; an entity (a member with a password hash, say) is never serialised directly.

pub mod comment;
pub mod discussion;
pub mod discussion_read;
pub mod instance_secret;
pub mod job;
pub mod member;
pub mod member_badge;
pub mod notification;
pub mod outbox;
pub mod reputation_event;
pub mod session;
pub mod subscription;
pub mod vote;
pub mod zone;
