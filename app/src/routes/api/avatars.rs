//! Profile pictures: `PUT /api/v1/me/avatar` with the image as the body.

use actix_web::{HttpResponse, web};
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::CurrentMember;
use crate::error::{AppError, AppResult};
use crate::routes::api::ErrorResponse;
use crate::services::avatars;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct AvatarUrls {
    pub avatar_url: String,
    pub avatar_small_url: String,
}

static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Reads a body (or one multipart field) of at most `limit` bytes; 413 beyond it,
/// without reading the rest. `code` names a broken stream (`invalid_body`, `invalid_form`).
pub async fn read_limited<E: std::fmt::Display>(
    mut stream: impl futures_util::Stream<Item = Result<web::Bytes, E>> + Unpin,
    limit: usize,
    code: &'static str,
) -> AppResult<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest {
            code,
            message: format!("The upload could not be read: {e}"),
            fields: None,
        })?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Decodes, checks and stores an upload; the new URLs.
pub async fn accept(state: &AppState, me: &CurrentMember, bytes: Vec<u8>) -> AppResult<AvatarUrls> {
    crate::routes::api::zones::limit_posting(state, me).await?;
    // Decoding takes CPU and up to a few hundred MB: one picture at a time per process,
    // off the async workers.
    let _turn = DECODING
        .acquire()
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("avatar queue: {e}")))?;
    let sizes = web::block(move || avatars::process(&bytes))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("avatar worker: {e}")))??;
    let version = avatars::store(&state.db, &me.actor, sizes).await?;
    let mut member = me.member.clone();
    member.avatar_version = Some(version);
    Ok(AvatarUrls {
        avatar_url: crate::views::avatar_url(&member, 256),
        avatar_small_url: crate::views::avatar_url(&member, 64),
    })
}

/// Upload a profile picture: the body is a PNG, JPEG or WebP image of up to 2 MB and 40
/// megapixels. It is cropped square, resized to 256 and 64 px, and stripped of metadata.
#[utoipa::path(put, path = "/api/v1/me/avatar", tag = "members",
    request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 200, body = AvatarUrls),
        (status = 400, description = "`invalid_image` or `image_too_large` (over 40 megapixels)", body = ErrorResponse),
        (status = 401, body = ErrorResponse), (status = 413, description = "over 2 MB", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn upload(
    state: web::Data<AppState>,
    me: CurrentMember,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let bytes = read_limited(payload, avatars::MAX_BYTES, "invalid_body").await?;
    Ok(HttpResponse::Ok().json(accept(&state, &me, bytes).await?))
}

/// Remove the picture: back to the generated default.
#[utoipa::path(delete, path = "/api/v1/me/avatar", tag = "members",
    responses((status = 204), (status = 401, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn remove(state: web::Data<AppState>, me: CurrentMember) -> AppResult<HttpResponse> {
    avatars::remove(&state.db, &me.actor).await?;
    Ok(HttpResponse::NoContent().finish())
}
