//! Every URL: the JSON API (`api`, each endpoint declared once there), the HTML pages
//! (`pages`), and the embedded assets. Handlers are thin: extract, call a service,
//! render.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::AppError;
use crate::templates::Assets;

pub mod api;
pub mod client;
pub mod errors;
pub mod limits;
pub mod pages;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assets/{path:.*}", web::get().to(asset));
    api::configure(cfg);
    // The feeds at the pages' addresses, before `/discussions/{id}/{slug}`, which
    // would take `feed.atom` for a slug.
    api::feeds::pages(cfg);
    pages::configure(cfg);
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
