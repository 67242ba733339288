//! Votes, the reputation ledger, badges and in-app notifications.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    integer, integer_null, pk_auto, string_len, string_len_null, timestamp_with_time_zone,
    timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Votes {
    Table,
    Id,
    MemberId,
    TargetKind,
    TargetId,
    AuthorId,
    Value,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReputationEvents {
    Table,
    Id,
    MemberId,
    Kind,
    Points,
    DiscussionId,
    CommentId,
    VoteId,
    ActorId,
    ZoneId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MemberBadges {
    Table,
    Id,
    MemberId,
    Slug,
    ItemKey,
    DiscussionId,
    CommentId,
    AwardedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    MemberId,
    Kind,
    DiscussionId,
    CommentId,
    ActorId,
    BadgeSlug,
    ReadAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Members {
    Table,
    Id,
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create().name(name).table(table).to_owned();
    for col in cols {
        stmt.col(col);
    }
    if unique {
        stmt.unique();
    }
    manager.create_index(stmt).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One row per member per item; changing a vote updates the row.
        manager
            .create_table(
                Table::create()
                    .table(Votes::Table)
                    .col(pk_auto(Votes::Id))
                    .col(integer(Votes::MemberId))
                    .col(string_len(Votes::TargetKind, 12))
                    .col(integer(Votes::TargetId))
                    .col(integer(Votes::AuthorId))
                    .col(integer(Votes::Value))
                    .col(timestamp_with_time_zone(Votes::CreatedAt))
                    .col(timestamp_with_time_zone(Votes::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Votes::Table, Votes::MemberId)
                            .to(Members::Table, Members::Id),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_votes_unique",
            Votes::Table,
            vec![
                Votes::MemberId.into_iden(),
                Votes::TargetKind.into_iden(),
                Votes::TargetId.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_votes_target",
            Votes::Table,
            vec![Votes::TargetKind.into_iden(), Votes::TargetId.into_iden()],
            false,
        )
        .await?;
        // Serial-voting checks look up one voter's votes on one author's items.
        index(
            manager,
            "idx_votes_voter_author",
            Votes::Table,
            vec![
                Votes::MemberId.into_iden(),
                Votes::AuthorId.into_iden(),
                Votes::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;

        // The ledger: a member's reputation is 1 + the sum of their points (floor 1).
        // Rows are never updated; reversals are new rows.
        manager
            .create_table(
                Table::create()
                    .table(ReputationEvents::Table)
                    .col(pk_auto(ReputationEvents::Id))
                    .col(integer(ReputationEvents::MemberId))
                    .col(string_len(ReputationEvents::Kind, 32))
                    .col(integer(ReputationEvents::Points))
                    .col(integer_null(ReputationEvents::DiscussionId))
                    .col(integer_null(ReputationEvents::CommentId))
                    .col(integer_null(ReputationEvents::VoteId))
                    .col(integer_null(ReputationEvents::ActorId))
                    .col(integer_null(ReputationEvents::ZoneId))
                    .col(timestamp_with_time_zone(ReputationEvents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReputationEvents::Table, ReputationEvents::MemberId)
                            .to(Members::Table, Members::Id),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_rep_member_time",
            ReputationEvents::Table,
            vec![
                ReputationEvents::MemberId.into_iden(),
                ReputationEvents::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_rep_time",
            ReputationEvents::Table,
            vec![ReputationEvents::CreatedAt.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_rep_zone_time",
            ReputationEvents::Table,
            vec![
                ReputationEvents::ZoneId.into_iden(),
                ReputationEvents::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_rep_vote",
            ReputationEvents::Table,
            vec![ReputationEvents::VoteId.into_iden()],
            false,
        )
        .await?;

        // `item_key` is "" for once-only badges and "d-ID"/"c-ID" for per-item ones, so one
        // unique key covers both (NULLs would not collide in a unique index).
        manager
            .create_table(
                Table::create()
                    .table(MemberBadges::Table)
                    .col(pk_auto(MemberBadges::Id))
                    .col(integer(MemberBadges::MemberId))
                    .col(string_len(MemberBadges::Slug, 40))
                    .col(string_len(MemberBadges::ItemKey, 24))
                    .col(integer_null(MemberBadges::DiscussionId))
                    .col(integer_null(MemberBadges::CommentId))
                    .col(timestamp_with_time_zone(MemberBadges::AwardedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MemberBadges::Table, MemberBadges::MemberId)
                            .to(Members::Table, Members::Id),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_badges_unique",
            MemberBadges::Table,
            vec![
                MemberBadges::MemberId.into_iden(),
                MemberBadges::Slug.into_iden(),
                MemberBadges::ItemKey.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_badges_slug",
            MemberBadges::Table,
            vec![MemberBadges::Slug.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(pk_auto(Notifications::Id))
                    .col(integer(Notifications::MemberId))
                    .col(string_len(Notifications::Kind, 32))
                    .col(integer_null(Notifications::DiscussionId))
                    .col(integer_null(Notifications::CommentId))
                    .col(integer_null(Notifications::ActorId))
                    .col(string_len_null(Notifications::BadgeSlug, 40))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Notifications::Table, Notifications::MemberId)
                            .to(Members::Table, Members::Id),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_notifications_member",
            Notifications::Table,
            vec![
                Notifications::MemberId.into_iden(),
                Notifications::Id.into_iden(),
            ],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Notifications::Table.into_iden(),
            MemberBadges::Table.into_iden(),
            ReputationEvents::Table.into_iden(),
            Votes::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
