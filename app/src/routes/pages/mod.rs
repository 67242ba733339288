//! The HTML site. Plain forms that work without JavaScript; every write form is a
//! `CsrfForm`; visitors can read everything and are asked to sign in or join to write.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use serde::Serialize;
use tera::Context;

use crate::auth::{CsrfToken, MaybeMember};
use crate::error::{AppError, AppResult};
use crate::services::zones;
use crate::state::AppState;
use crate::views::{MemberRef, ZoneView};

/// A form struct whose fields all default to empty strings, with its `csrf_token`.
macro_rules! csrf_form {
    ($name:ident { $($field:ident),* $(,)? }) => {
        #[derive(serde::Deserialize)]
        pub struct $name {
            #[serde(default)]
            csrf_token: String,
            $(#[serde(default)] $field: String,)*
        }

        impl $crate::auth::HasCsrf for $name {
            fn csrf_token(&self) -> &str {
                &self.csrf_token
            }
        }
    };
}

/// A form's `state` field: `on` or `off`.
pub(crate) fn on_off(raw: &str) -> AppResult<bool> {
    match raw {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(AppError::validation("state", "must be on or off")),
    }
}

mod account;
mod discussions;
mod follows;
mod home;
mod live;
mod mail;
mod members;
mod quizzes;
mod reputation;
mod search;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::home))
        .route("/zones/{slug}", web::get().to(home::zone))
        .route("/zones/{slug}/new", web::get().to(discussions::new_form))
        .route(
            "/zones/{slug}/discussions",
            web::post().to(discussions::create),
        )
        .route("/discussions/{id}", web::get().to(discussions::show))
        .route(
            "/discussions/{id}/{slug}",
            web::get().to(discussions::show_slug),
        )
        .route(
            "/discussions/{id}/comments",
            web::post().to(discussions::reply),
        )
        .route(
            "/discussions/{id}/edit",
            web::get().to(discussions::edit_form),
        )
        .route("/discussions/{id}/edit", web::post().to(discussions::edit))
        .route(
            "/discussions/{id}/delete",
            web::post().to(discussions::delete),
        )
        .route(
            "/discussions/{id}/moderate",
            web::post().to(discussions::moderate),
        )
        .route(
            "/comments/{id}/edit",
            web::get().to(discussions::edit_comment_form),
        )
        .route(
            "/comments/{id}/edit",
            web::post().to(discussions::edit_comment),
        )
        .route(
            "/comments/{id}/delete",
            web::post().to(discussions::delete_comment),
        )
        .route("/members/{username}", web::get().to(members::profile))
        .route(
            "/members/{username}/avatar.svg",
            web::get().to(members::avatar),
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
            "/comments/{id}/recognize",
            web::post().to(reputation::recognize_comment),
        )
        .route("/leaderboard", web::get().to(reputation::leaderboard))
        .route(
            "/discussions/{id}/poll/vote",
            web::post().to(discussions::poll_vote),
        )
        .route(
            "/members/{username}/avatar.png",
            web::get().to(members::picture),
        )
        .route("/settings/avatar", web::post().to(members::upload_picture))
        .route(
            "/settings/avatar/remove",
            web::post().to(members::remove_picture),
        )
        .route("/new", web::get().to(discussions::choose_zone))
        .route("/following", web::get().to(follows::feed))
        .route(
            "/members/{username}/follow",
            web::post().to(follows::member),
        )
        .route("/zones/{slug}/follow", web::post().to(follows::zone))
        .route("/quizzes/{id}", web::get().to(quizzes::show))
        .route("/quizzes/{id}/attempts", web::post().to(quizzes::take))
        .route("/quizzes/{id}/results", web::get().to(quizzes::results))
        .route(
            "/zones/{slug}/quizzes/new",
            web::get().to(quizzes::new_form),
        )
        .route("/zones/{slug}/quizzes", web::post().to(quizzes::create))
        .route("/sessions/{id}", web::get().to(live::show))
        .route("/sessions/{id}/questions", web::post().to(live::ask))
        .route("/questions/{id}/upvote", web::post().to(live::upvote))
        .route("/questions/{id}/answer", web::post().to(live::answer))
        .route("/questions/{id}/pin", web::post().to(live::pin))
        .route("/questions/{id}/dismiss", web::post().to(live::dismiss))
        .route("/zones/{slug}/sessions/new", web::get().to(live::new_form))
        .route("/zones/{slug}/sessions", web::post().to(live::create))
        .route("/search", web::get().to(search::page))
        .route("/badges", web::get().to(reputation::badges))
        .route(
            "/notifications",
            web::get().to(reputation::notifications_page),
        )
        .route(
            "/notifications/read",
            web::post().to(reputation::mark_all_read),
        )
        .route(
            "/discussions/{id}/subscription",
            web::post().to(mail::toggle),
        )
        .route("/settings", web::get().to(mail::settings_page))
        .route("/settings", web::post().to(mail::save_settings))
        .route(
            "/unsubscribe/{token}",
            web::get().to(mail::unsubscribe_page),
        )
        .route("/unsubscribe/{token}", web::post().to(mail::unsubscribe))
        .route("/join", web::get().to(account::join_form))
        .route("/join", web::post().to(account::join))
        .route("/signin", web::get().to(account::signin_form))
        .route("/signin", web::post().to(account::signin))
        .route("/signout", web::post().to(account::signout))
        .default_service(web::to(not_found));
}

async fn not_found() -> AppResult<HttpResponse> {
    Err(AppError::NotFound("We could not find that page".into()))
}

/// The signed-in member as the header and forms need it.
#[derive(Serialize)]
struct Viewer {
    #[serde(flatten)]
    member: MemberRef,
    is_moderator: bool,
    is_leader: bool,
    is_admin: bool,
}

/// Builds the context every page shares: who is signed in, the CSRF token, the zones.
pub async fn base_context(
    state: &AppState,
    req: &HttpRequest,
    viewer: &MaybeMember,
    title: &str,
) -> AppResult<Context> {
    let mut ctx = Context::new();
    ctx.insert("page_title", title);
    ctx.insert("csrf_token", &CsrfToken::of(req));
    ctx.insert("path", req.path());
    let me = viewer.member.as_ref().map(|m| {
        let role = crate::domain::Role::from_db(&m.role);
        Viewer {
            member: MemberRef::from_model(m),
            is_moderator: role.can_moderate(),
            is_leader: role >= crate::domain::Role::Leader,
            is_admin: role == crate::domain::Role::Admin,
        }
    });
    ctx.insert("me", &me);
    let unread = match &viewer.member {
        Some(m) => crate::services::notifications::unread_count(&state.db, m.id).await?,
        None => 0,
    };
    ctx.insert("unread", &unread);
    // Names and slugs only: the home page adds the discussion counts it shows.
    ctx.insert("nav_zones", &zones::nav(&state.db).await?);
    Ok(ctx)
}

/// The context of a page that writes into a zone (its forms): the shared context plus
/// the zone's slug and name.
pub async fn zone_context(
    state: &AppState,
    req: &HttpRequest,
    viewer: &MaybeMember,
    zone: &entity::zone::Model,
    title: &str,
) -> AppResult<Context> {
    let mut ctx = base_context(state, req, viewer, title).await?;
    ctx.insert(
        "zone",
        &serde_json::json!({"slug": zone.slug, "name": zone.name}),
    );
    Ok(ctx)
}

pub fn render(state: &AppState, template: &str, ctx: &Context) -> AppResult<HttpResponse> {
    render_status(state, template, ctx, StatusCode::OK)
}

pub fn render_status(
    state: &AppState,
    template: &str,
    ctx: &Context,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let html = state.templates.render(template, ctx)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html))
}

pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// What an error page may show.
pub struct PublicError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl From<&AppError> for PublicError {
    fn from(err: &AppError) -> Self {
        Self {
            status: err.status_code(),
            code: err.code(),
            message: err.public_message(),
        }
    }
}

/// Renders templates/errors/error.html; falls back to plain text if even that fails.
pub fn render_error(req: &HttpRequest, err: &PublicError) -> HttpResponse {
    let heading = match err.status.as_u16() {
        401 => "Please sign in",
        403 => "Not allowed",
        404 => "Page not found",
        429 => "Slow down a little",
        500..=599 => "Something went wrong",
        _ => "That did not work",
    };
    let rendered = req.app_data::<web::Data<AppState>>().and_then(|state| {
        let mut ctx = Context::new();
        ctx.insert("page_title", heading);
        ctx.insert("heading", heading);
        ctx.insert("message", &err.message);
        ctx.insert("code", err.code);
        ctx.insert("status", &err.status.as_u16());
        ctx.insert("csrf_token", &CsrfToken::of(req));
        ctx.insert("path", req.path());
        let me: Option<Viewer> = req
            .extensions()
            .get::<MaybeMember>()
            .and_then(|v| v.member.as_ref())
            .map(|m| Viewer {
                member: MemberRef::from_model(m),
                is_moderator: false,
                is_leader: false,
                is_admin: false,
            });
        ctx.insert("me", &me);
        ctx.insert("nav_zones", &Vec::<ZoneView>::new());
        ctx.insert("unread", &0);
        state.templates.render("errors/error.html", &ctx).ok()
    });
    let mut builder = HttpResponse::build(err.status);
    builder.insert_header((header::CACHE_CONTROL, "no-store"));
    match rendered {
        Some(html) => builder.content_type("text/html; charset=utf-8").body(html),
        None => builder
            .content_type("text/plain; charset=utf-8")
            .body(format!("{heading}: {}", err.message)),
    }
}
