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
    /// Print the audit log: role changes, deleted accounts, password resets, address changes.
    Audit {
        /// Only entries from this date (2026-12-01) or time (RFC 3339) on.
        #[arg(long)]
        since: Option<String>,
    },
    /// Rebuild every member's reputation from the ledger and report any difference.
    RecomputeReputation,
    /// Read one e-mail on stdin (for an MTA's pipe) and turn a reply into a comment, or
    /// bounce it politely. Exits 0 when it was posted, bounced or dropped as an
    /// auto-reply; non-zero only when it could not be read as e-mail (or the database
    /// failed: the MTA should try again).
    IngestMail,
    /// Import another forum's export, idempotently (a second run changes nothing).
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Fill an empty community with a realistic demo: members, discussions, replies.
    SeedDemo {
        /// How many discussions to create (at most 60: each is written out).
        #[arg(long, default_value_t = 60)]
        discussions: usize,
    },
    /// Fill an empty community with a large benchmark community: members,
    /// discussions, threaded comments and votes with real text from the Chit Chat corpus,
    /// written in bulk. Prints (and writes to DATA_DIR/bench/seed.json) the discussion with
    /// exactly 100 comments for the page benchmark; bearer tokens go to
    /// DATA_DIR/bench/tokens.txt.
    SeedBench {
        /// How many discussions to create (at least 2).
        #[arg(long, default_value_t = 1_000)]
        discussions: usize,
        /// Total comments over all discussions [default: 10 per discussion].
        #[arg(long, conflicts_with = "comments_per_discussion")]
        comments: Option<usize>,
        /// Average comments per discussion (instead of --comments).
        #[arg(long)]
        comments_per_discussion: Option<usize>,
        /// How many members (more than --tokens, at least 100).
        #[arg(long, default_value_t = 5_000)]
        members: usize,
        /// How many members get a bearer token (for the vote benchmark).
        #[arg(long, default_value_t = 2_000)]
        tokens: usize,
        /// Path to chitchat_dataset/dataset.json [default: ~/.cache/quorum/chitchat/...,
        /// installed with `pip install --no-deps --target` when missing].
        #[arg(long, env = "CHITCHAT_DATASET")]
        corpus: Option<std::path::PathBuf>,
        /// Do not build the search index at the end (run `quorum reindex` later).
        #[arg(long)]
        no_search: bool,
    },
}

/// What `quorum import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// A Discourse backup: its `.tar.gz`, the `dump.sql.gz` inside it, or a plain
    /// `dump.sql` (pg_dump's plain format). Categories become zones, users members
    /// (no password, address unconfirmed), topics discussions, posts threaded replies,
    /// likes upvotes, solved answers recognition; with a progress bar and a summary.
    Discourse {
        /// The export file.
        export: std::path::PathBuf,
    },
}
