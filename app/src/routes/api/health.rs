//! Liveness and readiness, at the root (not under `/api/v1`).

use actix_web::{HttpResponse, web};
use sea_orm::ConnectionTrait;

use crate::state::AppState;

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
