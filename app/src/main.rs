use std::process::ExitCode;

use clap::Parser;
use quorum::cli::{Cli, Command};
use quorum::{commands, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => commands::serve(cli.settings).await,
        Command::Migrate => commands::migrate(cli.settings).await,
        Command::SetRole { username, role } => {
            commands::set_role(cli.settings, &username, &role).await
        }
        Command::Reindex => commands::reindex(cli.settings).await,
        Command::Audit { since } => commands::audit(cli.settings, since.as_deref()).await,
        Command::RecomputeReputation => commands::recompute_reputation(cli.settings).await,
        Command::IngestMail => commands::ingest_mail(cli.settings).await,
        Command::Import {
            source: quorum::cli::ImportSource::Discourse { export },
        } => commands::import_discourse::run(cli.settings, &export)
            .await
            .map(|_| ()),
        Command::SeedDemo { discussions } => commands::seed_demo(cli.settings, discussions).await,
        Command::SeedBench {
            discussions,
            comments,
            comments_per_discussion,
            members,
            tokens,
            corpus,
            no_search,
        } => {
            let comments = comments.unwrap_or_else(|| {
                discussions.saturating_mul(comments_per_discussion.unwrap_or(10))
            });
            quorum::commands::seed_bench::run(
                cli.settings,
                quorum::commands::seed_bench::Options {
                    discussions,
                    comments,
                    members,
                    tokens,
                    corpus,
                    search: !no_search,
                },
            )
            .await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
