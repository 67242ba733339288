//! Leadership updates (issue #18): short posts by leaders, each the opening post of a
//! thread in the one zone of kind `updates` (which the zone lists, the navigation and
//! the new-discussion page leave out), with an optional link and an optional pulse.
//!
//! A pulse is anonymous by construction: who answered (`pulse_responses`, so nobody
//! answers twice) and how many gave each answer (`pulse_tallies`) are kept apart, and no
//! row ties a member to an answer.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Zones {
    Table,
    /// `discussions` (every zone members see) or `updates` (the leadership updates).
    Kind,
}

#[derive(DeriveIden)]
enum Discussions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Updates {
    Table,
    /// The thread the update opens (its body, votes and replies are the discussion's).
    DiscussionId,
    /// The discussion the update points to, if any.
    LinkedDiscussionId,
    /// The live Q&A session the update points to, if any.
    SessionId,
    PulseQuestion,
    /// `agree` or `five`.
    PulseScale,
}

#[derive(DeriveIden)]
enum PulseTallies {
    Table,
    DiscussionId,
    Answer,
    Count,
}

#[derive(DeriveIden)]
enum PulseResponses {
    Table,
    DiscussionId,
    MemberId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Zones::Table)
                    .add_column(string(Zones::Kind).default("discussions"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Updates::Table)
                    .col(integer(Updates::DiscussionId).primary_key())
                    .col(integer_null(Updates::LinkedDiscussionId))
                    .col(integer_null(Updates::SessionId))
                    .col(string_null(Updates::PulseQuestion))
                    .col(string_null(Updates::PulseScale))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Updates::Table, Updates::DiscussionId)
                            .to(Discussions::Table, Discussions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PulseTallies::Table)
                    .col(integer(PulseTallies::DiscussionId))
                    .col(string(PulseTallies::Answer))
                    .col(integer(PulseTallies::Count).default(0))
                    .primary_key(
                        Index::create()
                            .col(PulseTallies::DiscussionId)
                            .col(PulseTallies::Answer),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PulseResponses::Table)
                    .col(integer(PulseResponses::DiscussionId))
                    .col(integer(PulseResponses::MemberId))
                    .primary_key(
                        Index::create()
                            .col(PulseResponses::DiscussionId)
                            .col(PulseResponses::MemberId),
                    )
                    .to_owned(),
            )
            .await?;
        // The updates' zone, at the end of the order; an admin's zone may already be
        // called `updates`.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO zones (slug, name, description, position, created_at, kind) \
                 SELECT CASE WHEN EXISTS (SELECT 1 FROM zones WHERE slug = 'updates') \
                 THEN 'leadership-updates' ELSE 'updates' END, 'Leadership updates', \
                 'Short updates from our leaders: react, reply and give instant feedback.', \
                 1000, CURRENT_TIMESTAMP, 'updates'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PulseResponses::Table.into_iden(),
            PulseTallies::Table.into_iden(),
            Updates::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM zones WHERE kind = 'updates'")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Zones::Table)
                    .drop_column(Zones::Kind)
                    .to_owned(),
            )
            .await
    }
}
