//! The `quorum` command line (see shared/api.md): serve, migrate, set-role, reindex,
//! seed-demo. Every command has `--help`; settings come from flags or the environment.

use clap::{Parser, Subcommand};

use crate::config::Settings;

#[derive(Debug, Parser)]
#[command(
    name = "quorum",
    version,
    about = "Quorum: a community-of-practice forum for the inside of a company"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database if needed, then serve the HTML site and the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Give a member a role: member, leader, moderator or admin.
    SetRole {
        /// The member's username.
        username: String,
        /// member, leader, moderator or admin.
        role: String,
    },
    /// Rebuild the search index from the database.
    Reindex,
    /// Rebuild every member's reputation from the ledger and report any difference.
    RecomputeReputation,
    /// Fill an empty community with a realistic demo: members, discussions, replies.
    SeedDemo {
        /// How many discussions to create.
        #[arg(long, default_value_t = 60)]
        discussions: usize,
    },
}
