//! What every page shares: the base context (who is signed in, the CSRF token, the
//! zones), rendering a template, redirects, and the error page.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use serde::Serialize;
use tera::Context;

use crate::auth::{CsrfToken, MaybeMember};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::views::{MemberRef, ZoneView};

// A form with nothing but its CSRF token (a button).
csrf_form!(CsrfOnly {});

/// A form's `state` field: `on` or `off`.
pub fn on_off(raw: &str) -> AppResult<bool> {
    match raw {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(AppError::validation("state", "must be on or off")),
    }
}

/// The signed-in member as the header and forms need it.
#[derive(Serialize)]
struct Viewer {
    #[serde(flatten)]
    member: MemberRef,
    is_moderator: bool,
    is_leader: bool,
    is_admin: bool,
    email_verified: bool,
    /// The silence in force, shown in a banner.
    silenced: Option<crate::services::suspensions::SuspensionView>,
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
    ctx.insert("feed", &feed_of(req.path()));
    let me = viewer.member.as_ref().map(|m| {
        let role = crate::domain::Role::from_db(&m.role);
        Viewer {
            member: MemberRef::from_model(m),
            is_moderator: role.can_moderate(),
            is_leader: role >= crate::domain::Role::Leader,
            is_admin: role == crate::domain::Role::Admin,
            email_verified: m.email_verified,
            silenced: crate::services::suspensions::active(m, chrono::Utc::now())
                .filter(|(kind, _)| *kind == crate::services::suspensions::Kind::Silence)
                .map(|(_, s)| s),
        }
    });
    ctx.insert("me", &me);
    // A browser's session counted them in its query; a bearer token's did not.
    let unread = match (&viewer.member, viewer.unread) {
        (None, _) => 0,
        (Some(_), Some(n)) => n,
        (Some(m), None) => crate::services::notifications::unread_count(&state.db, m.id).await?,
    };
    ctx.insert("unread", &unread);
    // Names and slugs only: the home page adds the discussion counts it shows.
    ctx.insert("nav_zones", &*state.threads.nav(&state.db).await?);
    Ok(ctx)
}

/// The Atom feed a page names for feed readers: the home page's latest discussions, the
/// updates', a zone's, a discussion's replies, a member's posts; None elsewhere. Only a slug or
/// username of `a-z 0-9 _ -` makes a link, so the template may write it unescaped.
pub fn feed_of(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    match parts.as_slice() {
        [] | [""] => Some("/feeds/latest.atom".into()),
        ["updates"] => Some("/updates/feed.atom".into()),
        ["zones", slug] if plain(slug) => Some(format!("/zones/{slug}/feed.atom")),
        ["members", name] if plain(name) => Some(format!("/members/{name}/feed.atom")),
        ["discussions", id] | ["discussions", id, _]
            if id.parse::<i32>().is_ok()
                && !matches!(parts.get(2), Some(&("edit" | "revisions" | "flag"))) =>
        {
            Some(format!("/discussions/{id}/feed.atom"))
        }
        _ => None,
    }
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
    Ok(html_page(status, html))
}

/// An HTML page already rendered (a cached one, say), never stored by the browser.
pub fn html_page(status: StatusCode, html: impl Into<actix_web::web::Bytes>) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html.into())
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
            code: err.code().as_str(),
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
                email_verified: m.email_verified,
                silenced: None,
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
