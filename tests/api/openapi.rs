//! The OpenAPI document describes the contract, and every route it documents exists.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// The contract's routes (shared/api.md: members and sessions, zones and discussions,
/// health), as paths from the site's root.
const CONTRACT: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/members/{username}"),
    ("get", "/api/v1/zones"),
    ("post", "/api/v1/zones"),
    ("get", "/api/v1/zones/{slug}/discussions"),
    ("post", "/api/v1/zones/{slug}/discussions"),
    ("get", "/api/v1/discussions/{id}"),
    ("patch", "/api/v1/discussions/{id}"),
    ("delete", "/api/v1/discussions/{id}"),
    ("post", "/api/v1/discussions/{id}/comments"),
    ("patch", "/api/v1/comments/{id}"),
    ("delete", "/api/v1/comments/{id}"),
    ("get", "/healthz"),
    ("get", "/readyz"),
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn document(app: &TestApp) -> Value {
    let answer = app.get("/openapi.json", None).await;
    let doc = answer.expect(200);
    assert!(
        answer.content_type().starts_with("application/json"),
        "{}",
        answer.content_type()
    );
    doc
}

/// The path prefix of the document's first server (`/api/v1` if paths are relative to it).
fn server_prefix(doc: &Value) -> String {
    let url = doc["servers"][0]["url"].as_str().unwrap_or("");
    let path = match url.find("://") {
        Some(at) => url[at + 3..]
            .find('/')
            .map(|i| &url[at + 3 + i..])
            .unwrap_or(""),
        None => url,
    };
    path.trim_end_matches('/').to_string()
}

/// `/zones/{slug}/discussions` → `/zones/{}/discussions`: parameter names may differ.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// Every (method, path from the root) the document lists.
fn documented(doc: &Value) -> Vec<(String, String)> {
    let prefix = server_prefix(doc);
    let paths = doc["paths"].as_object().expect("paths must be an object");
    let mut out = Vec::new();
    for (path, item) in paths {
        let full = if path.starts_with("/api/") || prefix.is_empty() {
            path.clone()
        } else {
            format!("{prefix}{path}")
        };
        for method in METHODS {
            if item.get(*method).is_some() {
                out.push(((*method).to_string(), full.clone()));
            }
        }
    }
    out
}

/// Fills path parameters: ids with 1, anything else (usernames, slugs) with "nobody".
fn fill(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .map(|i| open + i)
            .expect("an unclosed {");
        let name = &rest[open + 1..close];
        out.push_str(if name == "id" || name.ends_with("_id") {
            "1"
        } else {
            "nobody"
        });
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn the_document_is_openapi() {
    let app = spawn_app().await;

    let doc = document(&app).await;

    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with('3')),
        "{}",
        doc["openapi"]
    );
    assert!(doc["paths"].as_object().is_some_and(|p| !p.is_empty()));
    assert!(doc["info"]["title"].is_string());
}

#[tokio::test]
async fn every_contract_route_is_documented() {
    let app = spawn_app().await;
    let doc = document(&app).await;

    let documented: Vec<(String, String)> = documented(&doc)
        .into_iter()
        .map(|(m, p)| (m, shape(&p)))
        .collect();

    let missing: Vec<String> = CONTRACT
        .iter()
        .filter(|(method, path)| !documented.contains(&((*method).to_string(), shape(path))))
        .map(|(method, path)| format!("{} {path}", method.to_uppercase()))
        .collect();
    assert!(
        missing.is_empty(),
        "not in the OpenAPI document: {missing:#?}"
    );
}

#[tokio::test]
async fn every_documented_route_exists() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let routes = documented(&doc);
    assert!(routes.len() >= 10, "{routes:?}");

    let mut absent = Vec::new();
    for (method, path) in routes {
        let url_path = fill(&path);
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
        let body = (method == Method::POST || method == Method::PUT || method == Method::PATCH)
            .then(|| json!({}));
        let answer = app
            .send(method.clone(), &url_path, None, body.as_ref())
            .await;
        let no_route = answer.status.as_u16() == 404
            && serde_json::from_str::<Value>(&answer.text)
                .is_ok_and(|b| b["error"]["message"] == "No such API route");
        let not_allowed = answer.status.as_u16() == 405;
        let root_404 =
            !path.starts_with("/api/") && !path.contains('{') && answer.status.as_u16() == 404;
        if no_route || not_allowed || root_404 {
            absent.push(format!(
                "{method} {url_path} → {} {}",
                answer.status, answer.text
            ));
        }
    }
    assert!(absent.is_empty(), "documented but not routed: {absent:#?}");
}
