//! `POST /api/v1/markdown/preview`: how a body will look, rendered and sanitised exactly
//! as a post would be.

use actix_web::HttpResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::domain::Body;
use crate::error::AppResult;
use crate::extract::ApiJson;

#[derive(Deserialize, ToSchema)]
pub struct PreviewRequest {
    /// Markdown, up to 50,000 characters; may be empty.
    #[schema(max_length = 50000)]
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct PreviewResponse {
    pub body_html: String,
}

/// Render Markdown as a post would show it (signed-in members; for the editors' Preview).
#[utoipa::path(post, path = "/api/v1/markdown/preview", tag = "discussions",
    request_body = PreviewRequest,
    responses((status = 200, body = PreviewResponse), (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn preview(
    _me: CurrentMember,
    ApiJson(body): ApiJson<PreviewRequest>,
) -> AppResult<HttpResponse> {
    let body_html = if body.body.trim().is_empty() {
        String::new()
    } else {
        crate::markdown::render(Body::parse(&body.body)?.as_ref())
    };
    Ok(HttpResponse::Ok().json(PreviewResponse { body_html }))
}
