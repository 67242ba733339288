//! The parts of the OpenAPI document that are not an endpoint: the error shape (whose
//! `code` lists every row of the error-code table), the bearer scheme, the tags.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::error::Code;

/// Every error: `{"error": {"code", "message", "fields"?}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable snake_case word from the error-code table (docs/api.md).
    #[schema(schema_with = error_code_schema)]
    pub code: String,
    pub message: String,
    /// Only for validation errors: field name to problem.
    pub fields: Option<BTreeMap<String, String>>,
}

/// The `code` of an error: one of the table's words.
fn error_code_schema() -> impl Into<RefOr<Schema>> {
    let description: String = Code::ALL
        .iter()
        .map(|c| {
            format!(
                "`{}` ({}): {}",
                c.as_str(),
                c.status().as_u16(),
                c.meaning()
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(Code::ALL.iter().map(|c| c.as_str())))
        .description(Some(description))
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document's frame; `routes::api::openapi` adds every endpoint to it.
#[derive(OpenApi)]
#[openapi(
    info(title = "Quorum API", description = "The JSON API of Quorum, a community-of-practice forum. \
        Authenticate with `Authorization: Bearer TOKEN` from register or login. A cookie-authenticated \
        request that changes state must send the `quorum_csrf` cookie's value in `X-CSRF-Token`."),
    components(schemas(ErrorResponse, ErrorDetail)),
    modifiers(&BearerAuth),
    tags(
        (name = "members", description = "Members and sessions"),
        (name = "zones", description = "Zones"),
        (name = "discussions", description = "Discussions"),
        (name = "comments", description = "Threaded comments"),
        (name = "moderation", description = "Flags, the review queue, suspensions, locks and pins"),
        (name = "admin", description = "The audit log, the instance's settings and outgoing webhooks (admins)"),
        (name = "reputation", description = "Votes, recognition, reputation, leaderboards, badges"),
        (name = "notifications", description = "In-app notifications, subscriptions and mail settings"),
        (name = "search", description = "Search past ideas"),
        (name = "feeds", description = "Atom feeds of what anyone may read"),
        (name = "insights", description = "Participation, leader responsiveness and reach (leaders, moderators, admins)"),
        (name = "ideas", description = "Ideas, from proposed to adopted, and the ideas board"),
        (name = "polls", description = "Polls on discussions"),
        (name = "updates", description = "Leadership updates: short posts by leaders, with votes, replies and an anonymous pulse"),
        (name = "follows", description = "Following members and zones, and the Following feed"),
        (name = "quizzes", description = "Quizzes for learning"),
        (name = "live", description = "Live Q&A sessions, with Server-Sent Events"),
        (name = "health", description = "Liveness and readiness, at the root (not under /api/v1)"),
    )
)]
pub struct ApiDoc;
