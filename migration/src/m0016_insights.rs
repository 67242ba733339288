//! Participation insights (issue #17): who was active, week by week and zone by zone,
//! kept as a rollup so an insights page reads a few thousand rows, not the history.
//!
//! `activity` holds one row per week, zone and member who did something there: flags
//! for reading (1), signing in or using the site (2, zone 0), contributing (4: a vote,
//! a reply, a question, a question upvote) and starting a discussion (8). Nothing in a
//! request writes it: `services::insights::fold` derives it from what is recorded
//! anyway (read marks, sessions, posts, votes, questions), week by week, and
//! `activity_folds` says how far each week has been folded. Indexes on the
//! `created_at` of each source let a fold read only its stretch of time.
//! `activity_weeks` keeps the funnel's counts of each week once the week is folded for
//! good (zone 0: every zone), so a year's funnel reads 52 rows. Members who
//! opt in get a weekly mail (`insights_mail`, `last_insights_mail_at`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Activity {
    Table,
    Week,
    ZoneId,
    MemberId,
    Flags,
}

#[derive(DeriveIden)]
enum ActivityWeeks {
    Table,
    Week,
    ZoneId,
    Active,
    Readers,
    Contributors,
    Creators,
}

#[derive(DeriveIden)]
enum ActivityFolds {
    Table,
    Week,
    FoldedUntil,
}

/// Indexes that let a fold read one stretch of time of each source: (name, table,
/// columns).
const INDEXES: &[(&str, &str, &[&str])] = &[
    // Covering: the most discussed of a period are counted from the index alone.
    (
        "idx_comments_created",
        "comments",
        &["created_at", "discussion_id", "deleted_at"],
    ),
    // A leader's replies of a period (leader responsiveness).
    (
        "idx_comments_author_created",
        "comments",
        &["author_id", "created_at"],
    ),
    ("idx_votes_created", "votes", &["created_at"]),
    ("idx_qa_questions_created", "qa_questions", &["created_at"]),
    ("idx_qa_votes_created", "qa_votes", &["created_at"]),
    // Covering: the most read of a period are counted from the index alone.
    (
        "idx_reads_read_at",
        "discussion_reads",
        &["read_at", "discussion_id"],
    ),
    (
        "idx_reads_discussion_read_at",
        "discussion_reads",
        &["discussion_id", "read_at"],
    ),
    ("idx_sessions_created", "sessions", &["created_at"]),
    ("idx_sessions_last_used", "sessions", &["last_used_at"]),
    ("idx_activity_member", "activity", &["member_id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Activity::Table)
                    .col(integer(Activity::Week))
                    .col(integer(Activity::ZoneId))
                    .col(integer(Activity::MemberId))
                    .col(integer(Activity::Flags).default(0))
                    .primary_key(
                        Index::create()
                            .col(Activity::Week)
                            .col(Activity::ZoneId)
                            .col(Activity::MemberId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivityWeeks::Table)
                    .col(integer(ActivityWeeks::Week))
                    .col(integer(ActivityWeeks::ZoneId))
                    .col(big_integer(ActivityWeeks::Active))
                    .col(big_integer(ActivityWeeks::Readers))
                    .col(big_integer(ActivityWeeks::Contributors))
                    .col(big_integer(ActivityWeeks::Creators))
                    .primary_key(
                        Index::create()
                            .col(ActivityWeeks::Week)
                            .col(ActivityWeeks::ZoneId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivityFolds::Table)
                    .col(integer(ActivityFolds::Week).primary_key())
                    .col(timestamp_with_time_zone(ActivityFolds::FoldedUntil))
                    .to_owned(),
            )
            .await?;
        for (table, def) in [
            (
                "members",
                ColumnDef::new(Alias::new("insights_mail"))
                    .boolean()
                    .not_null()
                    .default(false)
                    .to_owned(),
            ),
            (
                "members",
                ColumnDef::new(Alias::new("last_insights_mail_at"))
                    .timestamp_with_time_zone()
                    .null()
                    .to_owned(),
            ),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(def)
                        .to_owned(),
                )
                .await?;
        }
        for (name, table, columns) in INDEXES {
            let mut index = Index::create()
                .name(*name)
                .table(Alias::new(*table))
                .to_owned();
            for column in *columns {
                index.col(Alias::new(*column));
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES.iter().rev() {
            if *table == "activity" {
                continue;
            }
            manager
                .drop_index(
                    Index::drop()
                        .name(*name)
                        .table(Alias::new(*table))
                        .to_owned(),
                )
                .await?;
        }
        for column in ["last_insights_mail_at", "insights_mail"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("members"))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(ActivityFolds::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ActivityWeeks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Activity::Table).to_owned())
            .await
    }
}
