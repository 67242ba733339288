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
    /// Signs unsubscribe links; kept in the database so every instance has the same.
    pub unsubscribe_key: Arc<Vec<u8>>,
    /// Live events for open pages (Server-Sent Events).
    pub live: crate::live::LiveHub,
}
