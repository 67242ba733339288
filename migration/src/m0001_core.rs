//! The forum core: members and their sessions, zones, discussions, threaded comments,
//! and the counters behind rate limits.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean, integer, integer_null, pk_auto, string, string_len, string_len_uniq, text,
    timestamp_with_time_zone, timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Members {
    Table,
    Id,
    Username,
    Email,
    DisplayName,
    PasswordHash,
    Role,
    Reputation,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    MemberId,
    TokenHash,
    Kind,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Zones {
    Table,
    Id,
    Slug,
    Name,
    Description,
    Position,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Discussions {
    Table,
    Id,
    ZoneId,
    AuthorId,
    Title,
    Body,
    BodyHtml,
    Score,
    CommentCount,
    ViewCount,
    Recognized,
    Locked,
    Pinned,
    CreatedAt,
    UpdatedAt,
    EditedAt,
    LastActivityAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Comments {
    Table,
    Id,
    DiscussionId,
    ParentId,
    AuthorId,
    Depth,
    Body,
    BodyHtml,
    Score,
    Recognized,
    CreatedAt,
    UpdatedAt,
    EditedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum RateLimits {
    Table,
    Key,
    Count,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Usernames and e-mails are stored lower-cased by the application, so a plain
        // unique key makes them unique regardless of case on both engines.
        manager
            .create_table(
                Table::create()
                    .table(Members::Table)
                    .col(pk_auto(Members::Id))
                    .col(string_len_uniq(Members::Username, 30))
                    .col(string_len_uniq(Members::Email, 254))
                    .col(string_len(Members::DisplayName, 60))
                    .col(string(Members::PasswordHash))
                    .col(string_len(Members::Role, 16).default("member"))
                    .col(integer(Members::Reputation).default(1))
                    .col(timestamp_with_time_zone(Members::CreatedAt))
                    .to_owned(),
            )
            .await?;

        // Bearer tokens and browser sessions: only a SHA-256 of the secret is kept, so a
        // leaked database does not leak working credentials.
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(pk_auto(Sessions::Id))
                    .col(integer(Sessions::MemberId))
                    .col(string_len_uniq(Sessions::TokenHash, 64))
                    .col(string_len(Sessions::Kind, 8))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::MemberId)
                            .to(Members::Table, Members::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_member")
                    .table(Sessions::Table)
                    .col(Sessions::MemberId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Zones::Table)
                    .col(pk_auto(Zones::Id))
                    .col(string_len_uniq(Zones::Slug, 40))
                    .col(string_len(Zones::Name, 80))
                    .col(text(Zones::Description))
                    .col(integer(Zones::Position).default(0))
                    .col(timestamp_with_time_zone(Zones::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Discussions::Table)
                    .col(pk_auto(Discussions::Id))
                    .col(integer(Discussions::ZoneId))
                    .col(integer(Discussions::AuthorId))
                    .col(string_len(Discussions::Title, 200))
                    .col(text(Discussions::Body))
                    .col(text(Discussions::BodyHtml))
                    .col(integer(Discussions::Score).default(0))
                    .col(integer(Discussions::CommentCount).default(0))
                    .col(integer(Discussions::ViewCount).default(0))
                    .col(boolean(Discussions::Recognized).default(false))
                    .col(boolean(Discussions::Locked).default(false))
                    .col(boolean(Discussions::Pinned).default(false))
                    .col(timestamp_with_time_zone(Discussions::CreatedAt))
                    .col(timestamp_with_time_zone(Discussions::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Discussions::EditedAt))
                    .col(timestamp_with_time_zone(Discussions::LastActivityAt))
                    .col(timestamp_with_time_zone_null(Discussions::DeletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Discussions::Table, Discussions::ZoneId)
                            .to(Zones::Table, Zones::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Discussions::Table, Discussions::AuthorId)
                            .to(Members::Table, Members::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The zone listings: pinned first, then newest / top / most active.
        for (name, col) in [
            ("idx_discussions_zone_created", Discussions::CreatedAt),
            ("idx_discussions_zone_score", Discussions::Score),
            ("idx_discussions_zone_activity", Discussions::LastActivityAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Discussions::Table)
                        .col(Discussions::ZoneId)
                        .col(Discussions::Pinned)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_discussions_created")
                    .table(Discussions::Table)
                    .col(Discussions::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_discussions_author")
                    .table(Discussions::Table)
                    .col(Discussions::AuthorId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Comments::Table)
                    .col(pk_auto(Comments::Id))
                    .col(integer(Comments::DiscussionId))
                    .col(integer_null(Comments::ParentId))
                    .col(integer(Comments::AuthorId))
                    .col(integer(Comments::Depth).default(0))
                    .col(text(Comments::Body))
                    .col(text(Comments::BodyHtml))
                    .col(integer(Comments::Score).default(0))
                    .col(boolean(Comments::Recognized).default(false))
                    .col(timestamp_with_time_zone(Comments::CreatedAt))
                    .col(timestamp_with_time_zone(Comments::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Comments::EditedAt))
                    .col(timestamp_with_time_zone_null(Comments::DeletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Comments::Table, Comments::DiscussionId)
                            .to(Discussions::Table, Discussions::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Comments::Table, Comments::ParentId)
                            .to(Comments::Table, Comments::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Comments::Table, Comments::AuthorId)
                            .to(Members::Table, Members::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_comments_discussion")
                    .table(Comments::Table)
                    .col(Comments::DiscussionId)
                    .col(Comments::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_comments_author")
                    .table(Comments::Table)
                    .col(Comments::AuthorId)
                    .to_owned(),
            )
            .await?;

        // Fixed-window counters shared by every app instance (the key carries the window).
        manager
            .create_table(
                Table::create()
                    .table(RateLimits::Table)
                    .col(string_len(RateLimits::Key, 200).primary_key())
                    .col(integer(RateLimits::Count))
                    .col(
                        ColumnDef::new(RateLimits::ExpiresAt)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;

        // A fresh install has the three zones the product is known for.
        let mut insert = Query::insert()
            .into_table(Zones::Table)
            .columns([
                Zones::Slug,
                Zones::Name,
                Zones::Description,
                Zones::Position,
                Zones::CreatedAt,
            ])
            .to_owned();
        for (position, (slug, name, description)) in [
            (
                "customers",
                "Best for Customers",
                "Ideas and questions about serving our customers better.",
            ),
            (
                "people",
                "Best for People",
                "How we work together, grow, and look after each other.",
            ),
            (
                "stakeholders",
                "Best for Stakeholders",
                "Results, partners, and the wider world we answer to.",
            ),
        ]
        .into_iter()
        .enumerate()
        {
            insert.values_panic([
                Expr::val(slug),
                Expr::val(name),
                Expr::val(description),
                Expr::val(position as i32),
                Expr::current_timestamp(),
            ]);
        }
        manager.exec_stmt(insert).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RateLimits::Table.into_iden(),
            Comments::Table.into_iden(),
            Discussions::Table.into_iden(),
            Zones::Table.into_iden(),
            Sessions::Table.into_iden(),
            Members::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
