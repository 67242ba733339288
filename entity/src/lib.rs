//! sea-orm entities for Quorum. Views sent to clients are built from these in the app
//! crate; an entity (a member with a password hash, say) is never serialised directly.

pub mod account_token;
pub mod audit_log;
pub mod avatar;
pub mod comment;
pub mod discussion;
pub mod discussion_read;
pub mod flag;
pub mod follow;
pub mod instance_secret;
pub mod job;
pub mod live_event;
pub mod member;
pub mod member_badge;
pub mod notification;
pub mod outbox;
pub mod poll;
pub mod poll_ballot;
pub mod poll_option;
pub mod qa_question;
pub mod qa_session;
pub mod qa_vote;
pub mod quiz;
pub mod quiz_attempt;
pub mod quiz_choice;
pub mod quiz_question;
pub mod quiz_response;
pub mod reputation_event;
pub mod review;
pub mod revision;
pub mod session;
pub mod site_setting;
pub mod subscription;
pub mod vote;
pub mod zone;
pub mod zone_points;
