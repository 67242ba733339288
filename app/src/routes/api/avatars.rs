//! Profile pictures: `PUT /api/v1/me/avatar` with the image as the body.

use actix_web::{HttpResponse, web};

use super::doc::ErrorResponse;
use crate::auth::CurrentMember;
use crate::error::{AppResult, Code};
use crate::services::avatars;
use crate::state::AppState;

/// An image's bytes, as the request body (not JSON).
pub struct ImageBytes;

impl utoipa::PartialSchema for ImageBytes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Binary,
            )))
            .into()
    }
}

impl utoipa::ToSchema for ImageBytes {}

/// Upload a profile picture: the body is a PNG, JPEG or WebP image of up to 2 MB and 40
/// megapixels. It is cropped square, resized to 256 and 64 px, and stripped of metadata.
#[utoipa::path(put, path = "/api/v1/me/avatar", tag = "members",
    request_body(description = "The image's bytes",
        content((ImageBytes = "image/png"), (ImageBytes = "image/jpeg"), (ImageBytes = "image/webp"))),
    responses((status = 200, body = avatars::AvatarUrls),
        (status = 400, description = "`invalid_image` or `image_too_large` (over 40 megapixels)", body = ErrorResponse),
        (status = 401, body = ErrorResponse), (status = 413, description = "over 2 MB", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn upload(
    state: web::Data<AppState>,
    me: CurrentMember,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let bytes = avatars::read_limited(payload, avatars::MAX_BYTES, Code::InvalidBody).await?;
    let urls = avatars::accept(
        &state.db,
        state.settings.rate_limits_on(),
        &me.member,
        bytes,
    )
    .await?;
    Ok(HttpResponse::Ok().json(urls))
}

/// Remove the picture: back to the generated default.
#[utoipa::path(delete, path = "/api/v1/me/avatar", tag = "members",
    responses((status = 204), (status = 401, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn remove(state: web::Data<AppState>, me: CurrentMember) -> AppResult<HttpResponse> {
    avatars::remove(&state.db, &me.actor).await?;
    Ok(HttpResponse::NoContent().finish())
}
