//! Every error leaves in its proper shape, whoever produced it: JSON under `/api` (and
//! health), an HTML page elsewhere.

use actix_web::ResponseError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;

use super::pages::render::{PublicError, render_error};
use crate::error::{AppError, Code};

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
    // The route that matched says whether this is the API (`/%61pi/…` is); the raw path
    // only when nothing matched.
    let path = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| res.request().path().to_string());
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
        Some(app) => PublicError::from(app),
        None => PublicError::from(&fallback_error(status, "")),
    };
    err.status = status;
    let (req, old) = res.into_parts();
    let mut response = render_error(&req, &err);
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
        400 => AppError::coded(
            Code::BadRequest,
            if detail.is_empty() {
                "The request could not be understood".into()
            } else {
                detail.to_string()
            },
        ),
        401 => AppError::not_signed_in(),
        403 => AppError::forbidden("You are not allowed to do that"),
        404 => AppError::coded(Code::NotFound, "Not found"),
        405 => AppError::coded(Code::MethodNotAllowed, "That method is not allowed here"),
        413 => AppError::payload_too_large(),
        415 => AppError::coded(
            Code::UnsupportedMediaType,
            "That content type is not accepted here",
        ),
        _ => AppError::internal(anyhow::anyhow!("unhandled status {status}: {detail}")),
    }
}
