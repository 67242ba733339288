//! Database migrations, portable across SQLite and PostgreSQL.
//!
//! Every migration is written with sea-query's schema builder so the same steps run on
//! both engines; raw SQL appears only where the two agree on the syntax.

pub use sea_orm_migration::prelude::*;

mod m0001_core;
mod m0002_reputation;
mod m0003_jobs;
mod m0004_mail;
mod m0005_digest;
mod m0006_community;
mod m0007_bench_indexes;
mod m0008_identity;
mod m0009_moderation;
mod m0010_page_versions;
mod m0011_points_and_indexes;
pub mod m0012_zone_points;
mod m0013_zone_stamps;
mod m0014_thread_path_trigger;
mod m0015_ideas;
mod m0016_insights;
mod m0017_webhooks;
mod m0018_inbound_mail;
mod m0019_import_links;
mod m0020_updates;
mod m0021_vote_cap;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_core::Migration),
            Box::new(m0002_reputation::Migration),
            Box::new(m0003_jobs::Migration),
            Box::new(m0004_mail::Migration),
            Box::new(m0005_digest::Migration),
            Box::new(m0006_community::Migration),
            Box::new(m0007_bench_indexes::Migration),
            Box::new(m0008_identity::Migration),
            Box::new(m0009_moderation::Migration),
            Box::new(m0010_page_versions::Migration),
            Box::new(m0011_points_and_indexes::Migration),
            Box::new(m0012_zone_points::Migration),
            Box::new(m0013_zone_stamps::Migration),
            Box::new(m0014_thread_path_trigger::Migration),
            Box::new(m0015_ideas::Migration),
            Box::new(m0016_insights::Migration),
            Box::new(m0017_webhooks::Migration),
            Box::new(m0018_inbound_mail::Migration),
            Box::new(m0019_import_links::Migration),
            Box::new(m0020_updates::Migration),
            Box::new(m0021_vote_cap::Migration),
        ]
    }
}
