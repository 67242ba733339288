//! Profile pictures: serving them, uploading and removing.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::{AppResult, Code};
use crate::services::accounts;
use crate::state::AppState;

/// A generated avatar: the member's initials on a colour picked from their username.
pub async fn avatar(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let member = accounts::find_by_username(&state.db, &path).await?;
    let initials: String = member
        .display_name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    let hue = member
        .username
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 360;
    let mut ctx = tera::Context::new();
    ctx.insert("initials", &initials);
    ctx.insert("hue", &hue);
    let svg = state.templates.render("avatar.svg", &ctx)?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(svg))
}

/// An uploaded picture (`?size=64` for the small one). Its URL carries a version, so it
/// may be cached for good.
pub async fn picture(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let member = accounts::find_by_username(&state.db, &path).await?;
    let size = query
        .get("size")
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(256);
    let picture = crate::services::avatars::load(&state.db, member.id, size).await?;
    Ok(HttpResponse::Ok()
        .content_type(picture.content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(picture.bytes))
}

/// The settings page's upload form (multipart/form-data: `csrf_token`, then `avatar`).
pub async fn upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: crate::auth::CurrentMember,
    mut form: actix_multipart::Multipart,
) -> AppResult<HttpResponse> {
    use futures_util::StreamExt;
    let mut token = String::new();
    let mut image: Option<Vec<u8>> = None;
    while let Some(field) = form.next().await {
        let field = field.map_err(|e| {
            crate::error::AppError::coded(
                Code::InvalidForm,
                format!("The upload could not be read: {e}"),
            )
        })?;
        let name = field.name().unwrap_or("").to_string();
        let bytes = crate::services::avatars::read_limited(
            field,
            crate::services::avatars::MAX_BYTES,
            Code::InvalidForm,
        )
        .await?;
        match name.as_str() {
            "csrf_token" => token = String::from_utf8_lossy(&bytes).into_owned(),
            "avatar" => image = Some(bytes),
            _ => {}
        }
    }
    crate::auth::check_csrf(&req, &token)?;
    let image = image
        .filter(|b| !b.is_empty())
        .ok_or_else(|| crate::error::AppError::validation("avatar", "choose an image to upload"))?;
    crate::services::avatars::accept(
        &state.db,
        state.settings.rate_limits_on(),
        &me.member,
        image,
    )
    .await?;
    Ok(super::render::redirect("/settings#picture"))
}

pub async fn remove(
    state: web::Data<AppState>,
    me: crate::auth::CurrentMember,
    crate::auth::CsrfForm(_form): crate::auth::CsrfForm<super::render::CsrfOnly>,
) -> AppResult<HttpResponse> {
    crate::services::avatars::remove(&state.db, &me.actor).await?;
    Ok(super::render::redirect("/settings#picture"))
}
