//! Each endpoint declared once. A handler's `#[utoipa::path]` names its method and
//! path; `endpoints!` (in `routes::api`) lists the handler once, and from that one
//! entry come both the route the server answers and the operation in the OpenAPI
//! document, so the two cannot drift apart.
//!
//! Routes are grouped by path into one resource each, so a method the path does not
//! have answers 405 with an `Allow` header (in the contract's error shape) rather than
//! 404. The responses every operation can give because of how it is called (a JSON
//! body, a query string, a bearer token, a path id) are added to its document here, in
//! one place, instead of being repeated on each handler.

use std::collections::BTreeMap;

use actix_web::{FromRequest, Handler, HttpResponse, Responder, web};
use utoipa::openapi::path::{HttpMethod, Operation, ParameterIn, Paths};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{RefOr, Response, ResponseBuilder};

use crate::error::AppError;

/// One method on one path: how to answer it, and how it is documented.
pub struct Endpoint {
    path: String,
    method: HttpMethod,
    route: actix_web::Route,
    operation: Operation,
    schemas: Vec<(String, RefOr<Schema>)>,
}

impl Endpoint {
    /// The endpoints of one handler (one per method its `#[utoipa::path]` names).
    pub fn of<P, F, Args>(handler: F) -> Vec<Endpoint>
    where
        P: utoipa::Path + utoipa::__dev::SchemaReferences,
        F: Handler<Args> + Clone,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let mut schemas = Vec::new();
        P::schemas(&mut schemas);
        P::methods()
            .into_iter()
            .map(|method| Endpoint {
                path: P::path(),
                route: web::method(actix_method(&method)).to(handler.clone()),
                method,
                operation: document_common_responses(P::operation()),
                schemas: schemas.clone(),
            })
            .collect()
    }
}

fn actix_method(method: &HttpMethod) -> actix_web::http::Method {
    use actix_web::http::Method;
    match method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Trace => Method::TRACE,
    }
}

fn method_name(method: &HttpMethod) -> &'static str {
    match method {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
        HttpMethod::Put => "PUT",
        HttpMethod::Delete => "DELETE",
        HttpMethod::Options => "OPTIONS",
        HttpMethod::Head => "HEAD",
        HttpMethod::Patch => "PATCH",
        HttpMethod::Trace => "TRACE",
    }
}

/// Mounts every endpoint: one resource per path, its methods as routes, and 405 with
/// `Allow` for the rest.
pub fn mount(cfg: &mut web::ServiceConfig, endpoints: Vec<Endpoint>) {
    let mut by_path: BTreeMap<String, Vec<Endpoint>> = BTreeMap::new();
    for endpoint in endpoints {
        by_path
            .entry(endpoint.path.clone())
            .or_default()
            .push(endpoint);
    }
    for (path, endpoints) in by_path {
        let allow: Vec<&str> = endpoints.iter().map(|e| method_name(&e.method)).collect();
        let allow = allow.join(", ");
        let mut resource = web::resource(path.as_str());
        for endpoint in endpoints {
            resource = resource.route(endpoint.route);
        }
        resource = resource.default_service(web::to(move || {
            let allow = allow.clone();
            async move { Err::<HttpResponse, _>(AppError::method_not_allowed(allow)) }
        }));
        cfg.service(resource);
    }
}

/// The paths and schemas of every endpoint, for the OpenAPI document.
pub fn document(endpoints: Vec<Endpoint>) -> (Paths, Vec<(String, RefOr<Schema>)>) {
    let mut paths = Paths::new();
    let mut schemas = Vec::new();
    for endpoint in endpoints {
        paths.add_path_operation(&endpoint.path, vec![endpoint.method], endpoint.operation);
        schemas.extend(endpoint.schemas);
    }
    (paths, schemas)
}

/// Adds the error responses that follow from how an operation is called, where the
/// handler's own annotation does not already describe them.
fn document_common_responses(mut operation: Operation) -> Operation {
    let params = operation.parameters.as_deref().unwrap_or_default();
    let has_query = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let has_path = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Path));
    let has_body = operation.request_body.is_some();
    let signed_in = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut add = |status: &str, description: &str| {
        let responses = &mut operation.responses.responses;
        responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(error_response(description)));
    };
    if has_query || has_body {
        add(
            "400",
            "Bad input: `validation_failed` (with `fields`), `invalid_json` or `invalid_query`",
        );
    }
    if has_body {
        add("413", "`payload_too_large`: the body is over its limit");
        add(
            "415",
            "`unsupported_media_type`: the body's content type is not accepted here",
        );
    }
    if signed_in {
        add("401", "`not_signed_in`: no valid token or session");
        add(
            "403",
            "Not allowed: `forbidden`, `email_unverified` (a write by a member who has not confirmed their address), or `csrf_failed` for a cookie-authenticated write",
        );
    }
    if has_path {
        add("404", "`not_found`: nothing is there, or it is not visible");
    }
    operation
}

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "ErrorResponse",
                ))))
                .build(),
        )
        .build()
}
