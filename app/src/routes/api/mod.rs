//! The JSON API under `/api/v1` (and health at the root), and its OpenAPI document.
//!
//! `endpoints!` below is the one list of endpoints: each handler's `#[utoipa::path]`
//! says its method and path, and from this list come both the routes the server
//! answers and the operations of `/api/v1/openapi.json` (see `endpoint.rs`). A new
//! endpoint is a handler in the file named after its resource plus one line here.

use actix_web::{HttpResponse, web};
use utoipa::OpenApi;

use self::endpoint::Endpoint;
use crate::error::{AppError, Code};

pub mod admin;
pub mod auth;
pub mod avatars;
pub mod badges;
pub mod comments;
pub mod discussions;
pub mod doc;
pub mod endpoint;
pub mod feeds;
pub mod follows;
pub mod health;
pub mod ideas;
pub mod insights;
pub mod live;
pub mod mail;
pub mod markdown;
pub mod me;
pub mod members;
pub mod moderation;
pub mod notifications;
pub mod polls;
pub mod quizzes;
pub mod recognition;
pub mod reputation;
pub mod search;
pub mod settings;
pub mod subscriptions;
pub mod updates;
pub mod votes;
pub mod webhooks;
pub mod zones;

/// Lists handlers as `module::handler`; makes `endpoints()`, every endpoint with its
/// route and its document.
macro_rules! endpoints {
    ($($module:ident :: $handler:ident),* $(,)?) => {
        /// Every endpoint of the API, in the order of the document.
        pub fn endpoints() -> Vec<Endpoint> {
            let mut all = Vec::new();
            $(
                all.extend(pastey::paste! {
                    Endpoint::of::<$module::[<__path_ $handler>], _, _>($module::$handler)
                });
            )*
            all
        }
    };
}

endpoints![
    auth::register,
    auth::login,
    auth::logout,
    auth::verify,
    auth::verify_resend,
    auth::password_reset,
    auth::password_reset_confirm,
    me::me,
    me::change_password,
    me::change_email,
    me::change_username,
    me::sessions,
    me::revoke_session,
    me::revoke_other_sessions,
    me::export,
    me::delete,
    members::member,
    members::set_role,
    moderation::suspend,
    moderation::lift_suspension,
    avatars::upload,
    avatars::remove,
    zones::list,
    zones::create,
    discussions::list,
    discussions::create,
    discussions::show,
    discussions::edit,
    discussions::delete,
    discussions::lock,
    discussions::pin,
    moderation::discussion_revisions,
    moderation::flag_discussion,
    comments::create,
    comments::edit,
    comments::delete,
    moderation::comment_revisions,
    moderation::flag_comment,
    votes::vote_discussion,
    votes::vote_comment,
    recognition::recognize_discussion,
    recognition::unrecognize_discussion,
    recognition::recognize_comment,
    recognition::unrecognize_comment,
    ideas::set,
    ideas::unmark,
    ideas::history,
    ideas::board,
    insights::participation,
    insights::participation_csv,
    insights::leaders,
    insights::leaders_csv,
    insights::reach,
    reputation::member_reputation,
    reputation::leaderboard,
    badges::list,
    notifications::list,
    notifications::mark_read,
    subscriptions::show,
    subscriptions::update,
    settings::show,
    settings::update,
    mail::failed_mail,
    search::search,
    markdown::preview,
    polls::show,
    polls::attach,
    polls::vote,
    updates::list,
    updates::create,
    updates::show,
    updates::vote,
    updates::comment,
    updates::pulse,
    follows::member_state,
    follows::follow_member,
    follows::unfollow_member,
    follows::follow_zone,
    follows::unfollow_zone,
    follows::following,
    follows::feed,
    quizzes::create,
    quizzes::of_zone,
    quizzes::show,
    quizzes::take,
    quizzes::results,
    live::create,
    live::of_zone,
    live::show,
    live::ask,
    live::events,
    live::upvote,
    live::answer,
    live::pin,
    live::dismiss,
    moderation::flag_question,
    moderation::my_flags,
    moderation::review,
    moderation::decide,
    admin::audit_log,
    admin::settings,
    admin::update_settings,
    webhooks::create,
    webhooks::list,
    webhooks::change,
    webhooks::delete,
    feeds::latest,
    feeds::zone,
    feeds::discussion,
    feeds::member,
    feeds::updates,
    health::healthz,
    health::readyz,
    self::openapi_json,
];

/// The OpenAPI document: the frame from `doc.rs` and every endpoint.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut api = doc::ApiDoc::openapi();
    let (paths, schemas) = endpoint::document(endpoints());
    api.paths = paths;
    let components = api.components.get_or_insert_with(Default::default);
    for (name, schema) in schemas {
        components.schemas.entry(name).or_insert(schema);
    }
    api
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health",
    responses((status = 200, description = "This document (OpenAPI 3.1)")))]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

/// The document as served: `openapi()` plus what utoipa cannot spell.
pub fn document() -> serde_json::Value {
    let mut document = serde_json::to_value(openapi()).unwrap_or_default();
    quizzes::document_right_choice(&mut document);
    document
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::coded(Code::NotFound, "No such API route"))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint::mount(cfg, endpoints());
    // Anything else under /api is not a route.
    cfg.service(web::scope("/api").default_service(web::to(not_found)));
}
