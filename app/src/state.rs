//! The one piece of shared state handed to every handler.

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tera::Tera;

use crate::config::Settings;
use crate::search::Search;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub templates: Arc<Tera>,
    pub settings: Arc<Settings>,
    pub search: Search,
    pub mailer: Arc<crate::mail::Mailer>,
    /// Sign unsubscribe links, e-mailed account links and CSRF tokens; kept in the
    /// database so every instance has the same.
    pub keys: Arc<crate::keys::Keys>,
    /// Hashes and checks passwords on a bounded pool of threads.
    pub hasher: crate::services::passwords::Hasher,
    /// Live events for open pages (Server-Sent Events).
    pub live: crate::live::LiveHub,
    /// Discussion pages as every reader sees them, kept while their version holds.
    pub threads: Arc<crate::services::thread_cache::ThreadCache>,
    /// View counts and read marks, written in batches.
    pub reads: Arc<crate::services::reads::ReadBuffer>,
}

impl AppState {
    /// What reading a discussion needs.
    pub fn reader(&self) -> crate::services::discussions::Reader<'_> {
        crate::services::discussions::Reader {
            db: &self.db,
            search: &self.search,
            threads: &self.threads,
            reads: &self.reads,
        }
    }

    /// What the account calls need.
    pub fn accounts(&self) -> crate::services::accounts::Deps<'_> {
        crate::services::accounts::Deps {
            db: &self.db,
            hasher: &self.hasher,
            keys: &self.keys,
            settings: &self.settings,
        }
    }
}
