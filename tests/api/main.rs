//! HTTP integration tests: each test starts the real application on port 0 with its own
//! fresh database (see `helpers::spawn_app`), so the tests share nothing and run in
//! parallel. Set `TEST_DATABASE_URL=postgres://…` to run them against PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;

mod architecture;
mod auth;
mod avatars;
mod cli;
mod comments;
mod digest;
mod discussions;
mod errors;
mod feeds;
mod follows;
mod health;
mod ideas;
mod identity;
mod import;
mod insights;
mod limits;
pub mod live_qa;
mod mail;
mod moderation;
mod openapi;
mod page_cache;
mod pages;
mod polls;
mod queries;
mod quizzes;
mod reply_by_mail;
mod reputation;
mod reputation_badges;
mod reputation_props;
mod restart;
mod search;
mod search_ops;
mod search_recovery;
mod smtp_sink;
mod sso;
mod trust_rules;
mod updates;
mod webhooks;
mod xss;
mod zones;
