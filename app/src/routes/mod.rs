//! Every URL in one place: the JSON API (`api`), the HTML pages (`pages`), health and
//! assets. Handlers are thin: extract, call a service, render.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use sea_orm::ConnectionTrait;

use crate::error::AppError;
use crate::state::AppState;
use crate::templates::Assets;

pub mod api;
pub mod pages;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/assets/{path:.*}", web::get().to(asset));
    api::configure(cfg);
    pages::configure(cfg);
}

/// The caller's address, for rate limits: the peer address, or (with
/// `QUORUM_TRUST_PROXY=on`) the client address the proxy reports.
pub fn client_ip(req: &HttpRequest) -> String {
    let behind_proxy = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.settings.trust_proxy == crate::config::RateLimitSwitch::On);
    if behind_proxy && let Some(ip) = req.connection_info().realip_remote_addr() {
        // Without a forwarding header this is the peer's "ip:port": keep the ip.
        if let Ok(addr) = ip.parse::<std::net::SocketAddr>() {
            return addr.ip().to_string();
        }
        return ip.chars().filter(|c| !c.is_control()).take(64).collect();
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The process serves.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = r#"{"status": "ok"}"#)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// The database (and the search index) answer.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, description = "Ready"), (status = 503, description = "A dependency does not answer")))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let db_ok = state.db.execute_unprepared("SELECT 1").await.is_ok();
    let search_ok = state.search.health().await.is_ok();
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let body = serde_json::json!({
        "status": word(db_ok && search_ok),
        "database": word(db_ok),
        "search": word(search_ok),
        "search_engine": state.search.name(),
    });
    if db_ok && search_ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Embedded assets with an ETag (a hash of the content) so browsers revalidate cheaply.
async fn asset(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let file = Assets::get(&path).ok_or_else(|| AppError::not_found("Asset"))?;
    let etag = format!(
        "\"{}\"",
        file.metadata
            .sha256_hash()
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag)
    {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type(file.metadata.mimetype())
        .insert_header((header::ETAG, etag))
        .insert_header((
            header::CACHE_CONTROL,
            "public, max-age=3600, must-revalidate",
        ))
        .body(file.data.into_owned()))
}

/// Middleware: every error leaves in its proper shape, whoever produced it (a handler,
/// an extractor, or the router itself, e.g. 405): JSON under /api, an HTML page elsewhere.
pub async fn shape_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(res);
    }
    let path = res.request().path().to_string();
    let is_api =
        path.starts_with("/api/") || path == "/api" || path == "/healthz" || path == "/readyz";
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if is_api {
        if content_type.starts_with("application/json") {
            return Ok(res);
        }
        let mut response = match res.response().error() {
            Some(e) => match e.as_error::<AppError>() {
                Some(app) => app.error_response(),
                None => fallback_error(status, &e.to_string()).error_response(),
            },
            None => fallback_error(status, "").error_response(),
        };
        if matches!(status.as_u16(), 405 | 415) {
            *response.status_mut() = status;
        }
        return Ok(res.into_response(response));
    }
    if content_type.starts_with("text/html") {
        return Ok(res);
    }
    let mut err = match res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
    {
        Some(app) => pages::PublicError::from(app),
        None => pages::PublicError::from(&fallback_error(status, "")),
    };
    err.status = status;
    let (req, old) = res.into_parts();
    let mut response = pages::render_error(&req, &err);
    // Keep cookies and Retry-After that the original answer carried.
    for (name, value) in old.headers() {
        if name == header::SET_COOKIE || name == header::RETRY_AFTER {
            response.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(req, response))
}

/// An error for a response some framework part produced without an `AppError`.
fn fallback_error(status: actix_web::http::StatusCode, detail: &str) -> AppError {
    match status.as_u16() {
        400 => AppError::BadRequest {
            code: "bad_request",
            message: if detail.is_empty() {
                "The request could not be understood".into()
            } else {
                detail.to_string()
            },
            fields: None,
        },
        401 => AppError::not_signed_in(),
        403 => AppError::forbidden("You are not allowed to do that"),
        404 => AppError::NotFound("Not found".into()),
        405 => AppError::BadRequest {
            code: "method_not_allowed",
            message: "That method is not allowed here".into(),
            fields: None,
        },
        413 => AppError::PayloadTooLarge,
        415 => AppError::BadRequest {
            code: "unsupported_media_type",
            message: "That content type is not accepted here".into(),
            fields: None,
        },
        _ => AppError::Internal(anyhow::anyhow!("unhandled status {status}: {detail}")),
    }
}
