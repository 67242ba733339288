//! Rate limits by route, for what is cheap to ask and costly to answer or to abuse:
//! votes, edits, searches, Markdown previews and live-question upvotes, on the pages and
//! in the API alike. One table, one middleware: a new route joins by a line here.
//! Signed-in members count by member, visitors by address (IPv6 by /64); moderators are
//! exempt; `QUORUM_RATE_LIMIT=off` turns them all off. (Posting has its own limit in
//! the handlers, `rate_limit::posting`.)

use actix_web::body::MessageBody;
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;

use crate::auth::MaybeMember;
use crate::domain::Role;
use crate::services::rate_limit::{self, Limit};
use crate::state::AppState;

/// Which requests count against which limit: (method, route pattern, limit).
const ROUTES: &[(&str, &str, Limit)] = &[
    ("POST", "/api/v1/discussions/{id}/vote", rate_limit::VOTES),
    ("POST", "/api/v1/comments/{id}/vote", rate_limit::VOTES),
    ("POST", "/discussions/{id}/vote", rate_limit::VOTES),
    ("POST", "/comments/{id}/vote", rate_limit::VOTES),
    ("PATCH", "/api/v1/discussions/{id}", rate_limit::EDITS),
    ("PATCH", "/api/v1/comments/{id}", rate_limit::EDITS),
    ("POST", "/discussions/{id}/edit", rate_limit::EDITS),
    ("POST", "/comments/{id}/edit", rate_limit::EDITS),
    ("GET", "/api/v1/search", rate_limit::SEARCHES),
    ("GET", "/search", rate_limit::SEARCHES),
    ("POST", "/api/v1/markdown/preview", rate_limit::PREVIEWS),
    ("POST", "/api/v1/questions/{id}/upvote", rate_limit::UPVOTES),
    ("POST", "/questions/{id}/upvote", rate_limit::UPVOTES),
];

/// `ROUTES` with each pattern compiled once, not on every request.
static COMPILED: std::sync::LazyLock<Vec<(&str, ResourceDef, Limit)>> =
    std::sync::LazyLock::new(|| {
        ROUTES
            .iter()
            .map(|(m, pattern, limit)| (*m, ResourceDef::new(*pattern), *limit))
            .collect()
    });

fn limit_for(method: &Method, path: &str) -> Option<Limit> {
    COMPILED
        .iter()
        .find_map(|(m, def, limit)| (method.as_str() == *m && def.is_match(path)).then_some(*limit))
}

/// Middleware: counts the request against its route's limit; 429 `rate_limited` (with
/// `Retry-After`) past it.
pub async fn limit_routes(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // The path as the router matches it (percent-decoded), so `/api/v1/%73earch` counts
    // as the search it reaches.
    let path = req.match_info().as_str().to_string();
    if let Some(limit) = limit_for(req.method(), &path)
        && let Some(state) = req.app_data::<web::Data<AppState>>().cloned()
        && state.settings.rate_limits_on()
    {
        let who = req.extract::<MaybeMember>().await?;
        let subject = match &who.member {
            Some(m) if Role::from_db(&m.role).can_moderate() => None,
            Some(m) => Some(format!("member:{}", m.id)),
            None => Some(format!(
                "ip:{}",
                rate_limit::address_bucket(&super::client::client_ip(req.request()))
            )),
        };
        if let Some(subject) = subject {
            rate_limit::hit(&state.db, limit, &subject).await?;
        }
    }
    next.call(req).await
}
