//! The JSON API under `/api/v1`, and its OpenAPI document.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::error::AppError;

pub mod avatars;
pub mod discussions;
pub mod follows;
pub mod mail;
pub mod markdown;
pub mod members;
pub mod polls;
pub mod qa;
pub mod quizzes;
pub mod reputation;
pub mod search;
pub mod zones;

/// Every error: `{"error": {"code", "message", "fields"?}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable snake_case word, e.g. `validation_failed`, `not_found`, `rate_limited`.
    pub code: String,
    pub message: String,
    /// Only for validation errors: field name to problem.
    pub fields: Option<BTreeMap<String, String>>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Quorum API", description = "The JSON API of Quorum, a community-of-practice forum. \
        Authenticate with `Authorization: Bearer TOKEN` from register or login. A cookie-authenticated \
        request that changes state must send the `quorum_csrf` cookie's value in `X-CSRF-Token`."),
    paths(
        members::register, members::login, members::logout, members::me, members::member,
        zones::list, zones::create, zones::discussions, zones::start_discussion,
        discussions::show, discussions::edit, discussions::delete, discussions::lock, discussions::pin,
        discussions::comment, discussions::edit_comment, discussions::delete_comment,
        reputation::vote_discussion, reputation::vote_comment,
        reputation::recognize_discussion, reputation::unrecognize_discussion,
        reputation::recognize_comment, reputation::unrecognize_comment,
        reputation::member_reputation, reputation::leaderboard, reputation::badge_list,
        reputation::notification_list, reputation::mark_read,
        search::search,
        polls::show, polls::attach, polls::vote,
        avatars::upload, avatars::remove, markdown::preview,
        follows::member_state, follows::follow_member, follows::unfollow_member,
        follows::follow_zone, follows::unfollow_zone, follows::following, follows::feed,
        quizzes::create, quizzes::of_zone, quizzes::show, quizzes::take, quizzes::results,
        qa::create, qa::of_zone, qa::show, qa::ask, qa::upvote, qa::answer, qa::pin, qa::dismiss, qa::events,
        mail::get_subscription, mail::put_subscription, mail::get_settings, mail::put_settings,
        mail::failed_mail,
        crate::routes::healthz, crate::routes::readyz,
    ),
    components(schemas(ErrorResponse, ErrorDetail)),
    modifiers(&BearerAuth),
    tags(
        (name = "members", description = "Members and sessions"),
        (name = "zones", description = "Zones"),
        (name = "discussions", description = "Discussions"),
        (name = "comments", description = "Threaded comments"),
        (name = "moderation", description = "Locks and pins"),
        (name = "reputation", description = "Votes, recognition, reputation, leaderboards, badges"),
        (name = "notifications", description = "In-app notifications"),
        (name = "search", description = "Search past ideas"),
        (name = "polls", description = "Polls on discussions"),
        (name = "follows", description = "Following members and zones, and the Following feed"),
        (name = "quizzes", description = "Quizzes for learning"),
        (name = "live", description = "Live Q&A sessions, with Server-Sent Events"),
        (name = "health", description = "Liveness and readiness, at the root (not under /api/v1)"),
    )
)]
pub struct ApiDoc;

pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound("No such API route".into()))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/openapi.json", web::get().to(openapi_json))
            .route("/auth/register", web::post().to(members::register))
            .route("/auth/login", web::post().to(members::login))
            .route("/auth/logout", web::post().to(members::logout))
            .route("/me", web::get().to(members::me))
            .route("/members/{username}", web::get().to(members::member))
            .route("/zones", web::get().to(zones::list))
            .route("/zones", web::post().to(zones::create))
            .route(
                "/zones/{slug}/discussions",
                web::get().to(zones::discussions),
            )
            .route(
                "/zones/{slug}/discussions",
                web::post().to(zones::start_discussion),
            )
            .route("/discussions/{id}", web::get().to(discussions::show))
            .route("/discussions/{id}", web::patch().to(discussions::edit))
            .route("/discussions/{id}", web::delete().to(discussions::delete))
            .route("/discussions/{id}/lock", web::post().to(discussions::lock))
            .route("/discussions/{id}/pin", web::post().to(discussions::pin))
            .route(
                "/discussions/{id}/comments",
                web::post().to(discussions::comment),
            )
            .route("/comments/{id}", web::patch().to(discussions::edit_comment))
            .route(
                "/comments/{id}",
                web::delete().to(discussions::delete_comment),
            )
            .route(
                "/discussions/{id}/vote",
                web::post().to(reputation::vote_discussion),
            )
            .route(
                "/comments/{id}/vote",
                web::post().to(reputation::vote_comment),
            )
            .route(
                "/discussions/{id}/recognize",
                web::post().to(reputation::recognize_discussion),
            )
            .route(
                "/discussions/{id}/recognize",
                web::delete().to(reputation::unrecognize_discussion),
            )
            .route(
                "/comments/{id}/recognize",
                web::post().to(reputation::recognize_comment),
            )
            .route(
                "/comments/{id}/recognize",
                web::delete().to(reputation::unrecognize_comment),
            )
            .route(
                "/members/{username}/reputation",
                web::get().to(reputation::member_reputation),
            )
            .route("/leaderboard", web::get().to(reputation::leaderboard))
            .route("/search", web::get().to(search::search))
            .route("/discussions/{id}/poll", web::get().to(polls::show))
            .route("/discussions/{id}/poll", web::post().to(polls::attach))
            .route("/discussions/{id}/poll/vote", web::post().to(polls::vote))
            .route(
                "/members/{username}/follow",
                web::get().to(follows::member_state),
            )
            .route(
                "/members/{username}/follow",
                web::put().to(follows::follow_member),
            )
            .route(
                "/members/{username}/follow",
                web::delete().to(follows::unfollow_member),
            )
            .route("/zones/{slug}/follow", web::put().to(follows::follow_zone))
            .route(
                "/zones/{slug}/follow",
                web::delete().to(follows::unfollow_zone),
            )
            .route("/me/following", web::get().to(follows::following))
            .route("/markdown/preview", web::post().to(markdown::preview))
            .route("/me/avatar", web::put().to(avatars::upload))
            .route("/me/avatar", web::delete().to(avatars::remove))
            .route("/feed", web::get().to(follows::feed))
            .route("/zones/{slug}/quizzes", web::post().to(quizzes::create))
            .route("/zones/{slug}/quizzes", web::get().to(quizzes::of_zone))
            .route("/quizzes/{id}", web::get().to(quizzes::show))
            .route("/quizzes/{id}/attempts", web::post().to(quizzes::take))
            .route("/quizzes/{id}/results", web::get().to(quizzes::results))
            .route("/zones/{slug}/sessions", web::post().to(qa::create))
            .route("/zones/{slug}/sessions", web::get().to(qa::of_zone))
            .route("/sessions/{id}", web::get().to(qa::show))
            .route("/sessions/{id}/questions", web::post().to(qa::ask))
            .route("/sessions/{id}/events", web::get().to(qa::events))
            .route("/questions/{id}/upvote", web::post().to(qa::upvote))
            .route("/questions/{id}/answer", web::post().to(qa::answer))
            .route("/questions/{id}/pin", web::post().to(qa::pin))
            .route("/questions/{id}/dismiss", web::post().to(qa::dismiss))
            .route(
                "/discussions/{id}/subscription",
                web::get().to(mail::get_subscription),
            )
            .route(
                "/discussions/{id}/subscription",
                web::put().to(mail::put_subscription),
            )
            .route("/me/settings", web::get().to(mail::get_settings))
            .route("/me/settings", web::put().to(mail::put_settings))
            .route("/admin/mail/failed", web::get().to(mail::failed_mail))
            .route("/badges", web::get().to(reputation::badge_list))
            .route(
                "/notifications",
                web::get().to(reputation::notification_list),
            )
            .route("/notifications/read", web::post().to(reputation::mark_read))
            .default_service(web::to(not_found)),
    );
    // Anything else under /api is not a route either.
    cfg.service(web::scope("/api").default_service(web::to(not_found)));
}
