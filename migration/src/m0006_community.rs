//! Leaders in the open: live Q&A sessions (questions, upvotes, answers, and the event log
//! that Server-Sent Events replay), polls, quizzes, follows, and uploaded profile
//! pictures (kept in the database, so every app instance serves the same ones).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    blob, boolean, integer, integer_null, pk_auto, string, string_len, text, text_null,
    timestamp_with_time_zone, timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Members {
    Table,
    Id,
    AvatarVersion,
}

#[derive(DeriveIden)]
enum Zones {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Discussions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum QaSessions {
    Table,
    Id,
    ZoneId,
    Title,
    Description,
    DescriptionHtml,
    HostId,
    CreatedBy,
    StartsAt,
    EndsAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum QaQuestions {
    Table,
    Id,
    SessionId,
    AuthorId,
    Anonymous,
    Body,
    BodyHtml,
    Votes,
    Pinned,
    Dismissed,
    Answer,
    AnswerHtml,
    AnsweredBy,
    AnsweredAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum QaVotes {
    Table,
    Id,
    QuestionId,
    MemberId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LiveEvents {
    Table,
    Id,
    SessionId,
    QuestionId,
    Kind,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Polls {
    Table,
    Id,
    DiscussionId,
    Question,
    Multiple,
    ClosesAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PollOptions {
    Table,
    Id,
    PollId,
    Position,
    Label,
}

#[derive(DeriveIden)]
enum PollBallots {
    Table,
    Id,
    PollId,
    MemberId,
    OptionId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Quizzes {
    Table,
    Id,
    ZoneId,
    DiscussionId,
    AuthorId,
    Title,
    Description,
    PassPercent,
    CreatedAt,
}

#[derive(DeriveIden)]
enum QuizQuestions {
    Table,
    Id,
    QuizId,
    Position,
    Prompt,
    Explanation,
}

#[derive(DeriveIden)]
enum QuizChoices {
    Table,
    Id,
    QuestionId,
    Position,
    Label,
    Correct,
}

#[derive(DeriveIden)]
enum QuizAttempts {
    Table,
    Id,
    QuizId,
    MemberId,
    Correct,
    Total,
    Passed,
    CreatedAt,
}

#[derive(DeriveIden)]
enum QuizResponses {
    Table,
    Id,
    AttemptId,
    QuestionId,
    ChoiceIds,
    Correct,
}

#[derive(DeriveIden)]
enum Follows {
    Table,
    Id,
    FollowerId,
    MemberId,
    ZoneId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Avatars {
    Table,
    Id,
    MemberId,
    Size,
    ContentType,
    Bytes,
    CreatedAt,
}

fn fk(
    from: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
    to: impl IntoIden + 'static,
    to_col: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from, col)
        .to(to, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn index(
    name: &str,
    table: impl IntoIden + 'static,
    cols: Vec<DynIden>,
    unique: bool,
) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for c in cols {
        stmt.col(c);
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(QaSessions::Table)
                    .col(pk_auto(QaSessions::Id))
                    .col(integer(QaSessions::ZoneId))
                    .col(string(QaSessions::Title))
                    .col(text(QaSessions::Description))
                    .col(text(QaSessions::DescriptionHtml))
                    .col(integer(QaSessions::HostId))
                    .col(integer(QaSessions::CreatedBy))
                    .col(timestamp_with_time_zone(QaSessions::StartsAt))
                    .col(timestamp_with_time_zone(QaSessions::EndsAt))
                    .col(timestamp_with_time_zone(QaSessions::CreatedAt))
                    .foreign_key(&mut fk(
                        QaSessions::Table,
                        QaSessions::ZoneId,
                        Zones::Table,
                        Zones::Id,
                    ))
                    .foreign_key(&mut fk(
                        QaSessions::Table,
                        QaSessions::HostId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_qa_sessions_zone",
                QaSessions::Table,
                vec![
                    QaSessions::ZoneId.into_iden(),
                    QaSessions::EndsAt.into_iden(),
                ],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QaQuestions::Table)
                    .col(pk_auto(QaQuestions::Id))
                    .col(integer(QaQuestions::SessionId))
                    .col(integer(QaQuestions::AuthorId))
                    .col(boolean(QaQuestions::Anonymous).default(false))
                    .col(text(QaQuestions::Body))
                    .col(text(QaQuestions::BodyHtml))
                    .col(integer(QaQuestions::Votes).default(0))
                    .col(boolean(QaQuestions::Pinned).default(false))
                    .col(boolean(QaQuestions::Dismissed).default(false))
                    .col(text_null(QaQuestions::Answer))
                    .col(text_null(QaQuestions::AnswerHtml))
                    .col(integer_null(QaQuestions::AnsweredBy))
                    .col(timestamp_with_time_zone_null(QaQuestions::AnsweredAt))
                    .col(timestamp_with_time_zone(QaQuestions::CreatedAt))
                    .foreign_key(&mut fk(
                        QaQuestions::Table,
                        QaQuestions::SessionId,
                        QaSessions::Table,
                        QaSessions::Id,
                    ))
                    .foreign_key(&mut fk(
                        QaQuestions::Table,
                        QaQuestions::AuthorId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_qa_questions_session",
                QaQuestions::Table,
                vec![QaQuestions::SessionId.into_iden()],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QaVotes::Table)
                    .col(pk_auto(QaVotes::Id))
                    .col(integer(QaVotes::QuestionId))
                    .col(integer(QaVotes::MemberId))
                    .col(timestamp_with_time_zone(QaVotes::CreatedAt))
                    .foreign_key(&mut fk(
                        QaVotes::Table,
                        QaVotes::QuestionId,
                        QaQuestions::Table,
                        QaQuestions::Id,
                    ))
                    .foreign_key(&mut fk(
                        QaVotes::Table,
                        QaVotes::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_qa_votes_unique",
                QaVotes::Table,
                vec![
                    QaVotes::QuestionId.into_iden(),
                    QaVotes::MemberId.into_iden(),
                ],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LiveEvents::Table)
                    .col(pk_auto(LiveEvents::Id))
                    .col(integer(LiveEvents::SessionId))
                    .col(integer_null(LiveEvents::QuestionId))
                    .col(string_len(LiveEvents::Kind, 32))
                    .col(text(LiveEvents::Payload))
                    .col(timestamp_with_time_zone(LiveEvents::CreatedAt))
                    .foreign_key(&mut fk(
                        LiveEvents::Table,
                        LiveEvents::SessionId,
                        QaSessions::Table,
                        QaSessions::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_live_events_session",
                LiveEvents::Table,
                vec![
                    LiveEvents::SessionId.into_iden(),
                    LiveEvents::Id.into_iden(),
                ],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Polls::Table)
                    .col(pk_auto(Polls::Id))
                    .col(integer(Polls::DiscussionId).unique_key())
                    .col(string(Polls::Question))
                    .col(boolean(Polls::Multiple).default(false))
                    .col(timestamp_with_time_zone_null(Polls::ClosesAt))
                    .col(timestamp_with_time_zone(Polls::CreatedAt))
                    .foreign_key(&mut fk(
                        Polls::Table,
                        Polls::DiscussionId,
                        Discussions::Table,
                        Discussions::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PollOptions::Table)
                    .col(pk_auto(PollOptions::Id))
                    .col(integer(PollOptions::PollId))
                    .col(integer(PollOptions::Position))
                    .col(string(PollOptions::Label))
                    .foreign_key(&mut fk(
                        PollOptions::Table,
                        PollOptions::PollId,
                        Polls::Table,
                        Polls::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_poll_options_poll",
                PollOptions::Table,
                vec![PollOptions::PollId.into_iden()],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PollBallots::Table)
                    .col(pk_auto(PollBallots::Id))
                    .col(integer(PollBallots::PollId))
                    .col(integer(PollBallots::MemberId))
                    .col(integer(PollBallots::OptionId))
                    .col(timestamp_with_time_zone(PollBallots::CreatedAt))
                    .foreign_key(&mut fk(
                        PollBallots::Table,
                        PollBallots::PollId,
                        Polls::Table,
                        Polls::Id,
                    ))
                    .foreign_key(&mut fk(
                        PollBallots::Table,
                        PollBallots::OptionId,
                        PollOptions::Table,
                        PollOptions::Id,
                    ))
                    .foreign_key(&mut fk(
                        PollBallots::Table,
                        PollBallots::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_poll_ballots_unique",
                PollBallots::Table,
                vec![
                    PollBallots::PollId.into_iden(),
                    PollBallots::MemberId.into_iden(),
                    PollBallots::OptionId.into_iden(),
                ],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Quizzes::Table)
                    .col(pk_auto(Quizzes::Id))
                    .col(integer(Quizzes::ZoneId))
                    .col(integer_null(Quizzes::DiscussionId))
                    .col(integer(Quizzes::AuthorId))
                    .col(string(Quizzes::Title))
                    .col(text(Quizzes::Description))
                    .col(integer(Quizzes::PassPercent).default(80))
                    .col(timestamp_with_time_zone(Quizzes::CreatedAt))
                    .foreign_key(&mut fk(
                        Quizzes::Table,
                        Quizzes::ZoneId,
                        Zones::Table,
                        Zones::Id,
                    ))
                    .foreign_key(&mut fk(
                        Quizzes::Table,
                        Quizzes::AuthorId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_quizzes_zone",
                Quizzes::Table,
                vec![Quizzes::ZoneId.into_iden()],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_quizzes_discussion",
                Quizzes::Table,
                vec![Quizzes::DiscussionId.into_iden()],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QuizQuestions::Table)
                    .col(pk_auto(QuizQuestions::Id))
                    .col(integer(QuizQuestions::QuizId))
                    .col(integer(QuizQuestions::Position))
                    .col(text(QuizQuestions::Prompt))
                    .col(text(QuizQuestions::Explanation))
                    .foreign_key(&mut fk(
                        QuizQuestions::Table,
                        QuizQuestions::QuizId,
                        Quizzes::Table,
                        Quizzes::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_quiz_questions_quiz",
                QuizQuestions::Table,
                vec![QuizQuestions::QuizId.into_iden()],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QuizChoices::Table)
                    .col(pk_auto(QuizChoices::Id))
                    .col(integer(QuizChoices::QuestionId))
                    .col(integer(QuizChoices::Position))
                    .col(string(QuizChoices::Label))
                    .col(boolean(QuizChoices::Correct).default(false))
                    .foreign_key(&mut fk(
                        QuizChoices::Table,
                        QuizChoices::QuestionId,
                        QuizQuestions::Table,
                        QuizQuestions::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_quiz_choices_question",
                QuizChoices::Table,
                vec![QuizChoices::QuestionId.into_iden()],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QuizAttempts::Table)
                    .col(pk_auto(QuizAttempts::Id))
                    .col(integer(QuizAttempts::QuizId))
                    .col(integer(QuizAttempts::MemberId))
                    .col(integer(QuizAttempts::Correct))
                    .col(integer(QuizAttempts::Total))
                    .col(boolean(QuizAttempts::Passed))
                    .col(timestamp_with_time_zone(QuizAttempts::CreatedAt))
                    .foreign_key(&mut fk(
                        QuizAttempts::Table,
                        QuizAttempts::QuizId,
                        Quizzes::Table,
                        Quizzes::Id,
                    ))
                    .foreign_key(&mut fk(
                        QuizAttempts::Table,
                        QuizAttempts::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_quiz_attempts_unique",
                QuizAttempts::Table,
                vec![
                    QuizAttempts::QuizId.into_iden(),
                    QuizAttempts::MemberId.into_iden(),
                ],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QuizResponses::Table)
                    .col(pk_auto(QuizResponses::Id))
                    .col(integer(QuizResponses::AttemptId))
                    .col(integer(QuizResponses::QuestionId))
                    .col(string(QuizResponses::ChoiceIds))
                    .col(boolean(QuizResponses::Correct))
                    .foreign_key(&mut fk(
                        QuizResponses::Table,
                        QuizResponses::AttemptId,
                        QuizAttempts::Table,
                        QuizAttempts::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_quiz_responses_question",
                QuizResponses::Table,
                vec![QuizResponses::QuestionId.into_iden()],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Follows::Table)
                    .col(pk_auto(Follows::Id))
                    .col(integer(Follows::FollowerId))
                    .col(integer_null(Follows::MemberId))
                    .col(integer_null(Follows::ZoneId))
                    .col(timestamp_with_time_zone(Follows::CreatedAt))
                    .foreign_key(&mut fk(
                        Follows::Table,
                        Follows::FollowerId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_follows_member",
                Follows::Table,
                vec![
                    Follows::FollowerId.into_iden(),
                    Follows::MemberId.into_iden(),
                ],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_follows_zone",
                Follows::Table,
                vec![Follows::FollowerId.into_iden(), Follows::ZoneId.into_iden()],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_follows_followed",
                Follows::Table,
                vec![Follows::MemberId.into_iden()],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Avatars::Table)
                    .col(pk_auto(Avatars::Id))
                    .col(integer(Avatars::MemberId))
                    .col(integer(Avatars::Size))
                    .col(string_len(Avatars::ContentType, 32))
                    .col(blob(Avatars::Bytes))
                    .col(timestamp_with_time_zone(Avatars::CreatedAt))
                    .foreign_key(&mut fk(
                        Avatars::Table,
                        Avatars::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_avatars_unique",
                Avatars::Table,
                vec![Avatars::MemberId.into_iden(), Avatars::Size.into_iden()],
                true,
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Members::Table)
                    .add_column(ColumnDef::new(Members::AvatarVersion).integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Avatars::Table.into_iden(),
            Follows::Table.into_iden(),
            QuizResponses::Table.into_iden(),
            QuizAttempts::Table.into_iden(),
            QuizChoices::Table.into_iden(),
            QuizQuestions::Table.into_iden(),
            Quizzes::Table.into_iden(),
            PollBallots::Table.into_iden(),
            PollOptions::Table.into_iden(),
            Polls::Table.into_iden(),
            LiveEvents::Table.into_iden(),
            QaVotes::Table.into_iden(),
            QaQuestions::Table.into_iden(),
            QaSessions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Members::Table)
                    .drop_column(Members::AvatarVersion)
                    .to_owned(),
            )
            .await
    }
}
