//! Member profiles and their generated avatars.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{base_context, render};
use crate::auth::MaybeMember;
use crate::error::AppResult;
use crate::services::{accounts, badges, discussions, leaderboard, reputation};
use crate::state::AppState;
use crate::views::MemberView;

pub async fn profile(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    viewer: MaybeMember,
) -> AppResult<HttpResponse> {
    let member = accounts::find_by_username(&state.db, &path).await?;
    let started = discussions::by_author(&state.db, member.id, false, 20).await?;
    let mut ctx = base_context(&state, &req, &viewer, &member.display_name).await?;
    let badges = badges::of_member(&state.db, member.id).await?;
    ctx.insert("member", &MemberView::new(&member, badges));
    let mut events = reputation::events(&state.db, member.id, Some(1000)).await?;
    events.reverse();
    ctx.insert("chart", &chart(&events));
    let recent: Vec<serde_json::Value> = events
        .iter()
        .rev()
        .take(20)
        .map(|e| {
            serde_json::json!({
                "kind": e.kind.replace('_', " "), "points": e.points, "created_at": e.created_at,
                "url": e.discussion_id.map(|d| match e.comment_id {
                    Some(c) => format!("/discussions/{d}#comment-{c}"),
                    None => format!("/discussions/{d}"),
                }),
            })
        })
        .collect();
    ctx.insert("events", &recent);
    ctx.insert(
        "strengths",
        &leaderboard::strengths(&state.db, member.id).await?,
    );
    ctx.insert(
        "top",
        &discussions::by_author(&state.db, member.id, true, 5).await?,
    );
    ctx.insert("started", &started);
    let actor = viewer.actor();
    let follow = crate::services::follows::state(
        &state.db,
        actor.as_ref(),
        crate::services::follows::Followed::Member(member.id),
    )
    .await?;
    ctx.insert("follow", &follow);
    // Nobody follows themselves.
    if actor.as_ref().is_some_and(|a| a.id != member.id) {
        ctx.insert(
            "follow_action",
            &format!("/members/{}/follow", member.username),
        );
    }
    render(&state, "members/profile.html", &ctx)
}

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

/// Points for a small line chart of reputation over time (600×120, oldest left).
fn chart(events: &[entity::reputation_event::Model]) -> Option<serde_json::Value> {
    if events.len() < 2 {
        return None;
    }
    let mut sum: i64 = 0;
    let series: Vec<i64> = events
        .iter()
        .map(|e| {
            sum += i64::from(e.points);
            i64::from(reputation::reputation_from_sum(sum))
        })
        .collect();
    let max = series.iter().copied().max().unwrap_or(1).max(1) as f64;
    let n = (series.len() - 1) as f64;
    let points: Vec<String> = series
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                10.0 + 580.0 * i as f64 / n,
                110.0 - 100.0 * *v as f64 / max
            )
        })
        .collect();
    Some(
        serde_json::json!({ "points": points.join(" "), "max": max as i64, "from": events.first().map(|e| e.created_at), "to": events.last().map(|e| e.created_at) }),
    )
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
pub async fn upload_picture(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: crate::auth::CurrentMember,
    mut form: actix_multipart::Multipart,
) -> AppResult<HttpResponse> {
    use futures_util::StreamExt;
    let mut token = String::new();
    let mut image: Option<Vec<u8>> = None;
    while let Some(field) = form.next().await {
        let field = field.map_err(|e| crate::error::AppError::BadRequest {
            code: "invalid_form",
            message: format!("The upload could not be read: {e}"),
            fields: None,
        })?;
        let name = field.name().unwrap_or("").to_string();
        let bytes = crate::routes::api::avatars::read_limited(
            field,
            crate::services::avatars::MAX_BYTES,
            "invalid_form",
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
    crate::routes::api::avatars::accept(&state, &me, image).await?;
    Ok(super::redirect("/settings#picture"))
}

pub async fn remove_picture(
    state: web::Data<AppState>,
    me: crate::auth::CurrentMember,
    crate::auth::CsrfForm(_form): crate::auth::CsrfForm<super::live::PlainForm>,
) -> AppResult<HttpResponse> {
    crate::services::avatars::remove(&state.db, &me.actor).await?;
    Ok(super::redirect("/settings#picture"))
}
