//! Who is asking: the signed-in member as an extractor, never looked up by hand in a
//! handler. The API takes `Authorization: Bearer TOKEN`; the site uses the
//! `quorum_session` cookie (HttpOnly, SameSite=Lax).
//!
//! CSRF: a double-submit token. Every browser gets a random `quorum_csrf` cookie
//! (HttpOnly, SameSite=Lax); each form carries the same value in a hidden field, and a
//! cookie-authenticated API call carries it in `X-CSRF-Token`. A forged cross-site request
//! cannot read the cookie, so it cannot send the matching value. Bearer requests need no
//! token: a browser never attaches them by itself.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use entity::member;

use crate::error::{AppError, Code};
use crate::services::Actor;
use crate::services::accounts::{self, SessionKind};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "quorum_session";
pub const CSRF_COOKIE: &str = "quorum_csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// How the request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Bearer,
    Cookie,
}

/// The member behind the request, if any.
#[derive(Debug, Clone)]
pub struct MaybeMember {
    pub member: Option<member::Model>,
    pub via: Option<Via>,
    /// The bearer token or session cookie value, for sign-out.
    pub secret: Option<String>,
}

impl MaybeMember {
    pub fn actor(&self) -> Option<Actor> {
        self.member.as_ref().map(Actor::from_model)
    }
}

/// A signed-in member; visitors get 401 `not_signed_in`.
#[derive(Debug, Clone)]
pub struct CurrentMember {
    pub member: member::Model,
    pub actor: Actor,
    pub via: Via,
    pub secret: String,
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("application state is missing")))
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get("Authorization")?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

async fn resolve(req: HttpRequest) -> Result<MaybeMember, AppError> {
    if let Some(cached) = req.extensions().get::<MaybeMember>() {
        return Ok(cached.clone());
    }
    let state = state(&req)?;
    let found = if let Some(token) = bearer(&req) {
        let member = accounts::member_for_token(&state.db, &token, SessionKind::Api).await?;
        MaybeMember {
            member,
            via: Some(Via::Bearer),
            secret: Some(token),
        }
    } else if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        let token = cookie.value().to_string();
        let member = accounts::member_for_token(&state.db, &token, SessionKind::Web).await?;
        MaybeMember {
            member,
            via: Some(Via::Cookie),
            secret: Some(token),
        }
    } else {
        MaybeMember {
            member: None,
            via: None,
            secret: None,
        }
    };
    req.extensions_mut().insert(found.clone());
    Ok(found)
}

impl FromRequest for MaybeMember {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(resolve(req.clone()))
    }
}

impl FromRequest for CurrentMember {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let found = resolve(req.clone()).await?;
            let (Some(member), Some(via), Some(secret)) = (found.member, found.via, found.secret)
            else {
                return Err(AppError::not_signed_in());
            };
            // A cookie-authenticated API call that changes state must prove it came from
            // our own pages. (Page forms are checked by `CsrfForm`.)
            let unsafe_method =
                !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
            if via == Via::Cookie && unsafe_method && req.path().starts_with("/api/") {
                let sent = req
                    .headers()
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if !csrf_matches(&req, sent) {
                    return Err(csrf_failed());
                }
            }
            let actor = Actor::from_model(&member);
            Ok(CurrentMember {
                member,
                actor,
                via,
                secret,
            })
        })
    }
}

pub fn csrf_failed() -> AppError {
    AppError::coded(
        Code::CsrfFailed,
        "The form has expired or did not come from this site; reload the page and try again",
    )
}

/// The browser's CSRF token: from its cookie, or the one minted for this request.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

impl CsrfToken {
    pub fn of(req: &HttpRequest) -> String {
        if let Some(minted) = req.extensions().get::<CsrfToken>() {
            return minted.0.clone();
        }
        req.cookie(CSRF_COOKIE)
            .map(|c| c.value().to_string())
            .unwrap_or_default()
    }
}

/// For forms read by hand (multipart uploads): the sent token must match the cookie.
pub fn check_csrf(req: &HttpRequest, sent: &str) -> Result<(), AppError> {
    if csrf_matches(req, sent) {
        Ok(())
    } else {
        Err(csrf_failed())
    }
}

fn csrf_matches(req: &HttpRequest, sent: &str) -> bool {
    let Some(cookie) = req.cookie(CSRF_COOKIE) else {
        return false;
    };
    let expected = cookie.value();
    !expected.is_empty() && constant_time_eq(expected.as_bytes(), sent.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A form that must carry the CSRF token.
pub trait HasCsrf {
    fn csrf_token(&self) -> &str;
}

/// `web::Form<T>` that refuses a request whose `csrf_token` field does not match the
/// browser's cookie.
pub struct CsrfForm<T>(pub T);

impl<T> FromRequest for CsrfForm<T>
where
    T: serde::de::DeserializeOwned + HasCsrf + 'static,
{
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let form = web::Form::<T>::from_request(&req, payload);
        Box::pin(async move {
            let form = form.await.map_err(|e| {
                AppError::coded(
                    Code::InvalidForm,
                    format!("The form could not be read: {e}"),
                )
            })?;
            if !csrf_matches(&req, form.csrf_token()) {
                return Err(csrf_failed());
            }
            Ok(CsrfForm(form.into_inner()))
        })
    }
}

pub fn cookie<'a>(name: &'a str, value: String, secure: bool, max_age_days: i64) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::days(max_age_days))
        .finish()
}

pub fn removal_cookie(name: &str) -> Cookie<'_> {
    let mut c = Cookie::build(name, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .finish();
    c.make_removal();
    c
}

/// Middleware: gives a browser without one a CSRF cookie, and makes the new value
/// visible to this request's handler through `CsrfToken::of`.
pub async fn ensure_csrf_cookie(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let is_page = !req.path().starts_with("/api/") && !req.path().starts_with("/assets/");
    let minted = if is_page && req.cookie(CSRF_COOKIE).is_none() {
        let token = accounts::random_token(24);
        req.extensions_mut().insert(CsrfToken(token.clone()));
        Some(token)
    } else {
        None
    };
    let secure = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.settings.secure_cookies())
        .unwrap_or(false);
    let mut res = next.call(req).await?;
    if let Some(token) = minted {
        // A handler may already have set a fresh one (sign-in rotates it).
        let already = res.response().cookies().any(|c| c.name() == CSRF_COOKIE);
        if !already {
            res.response_mut()
                .add_cookie(&cookie(CSRF_COOKIE, token, secure, 365))?;
        }
    }
    Ok(res)
}

/// A form read as its `(name, value)` pairs in order, so a name may repeat (checkboxes),
/// and refused unless its `csrf_token` matches the browser's cookie.
pub struct CsrfPairs(pub Vec<(String, String)>);

impl CsrfPairs {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl FromRequest for CsrfPairs {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let invalid = |message: String| AppError::coded(Code::InvalidForm, message);
            let is_form = req
                .headers()
                .get(actix_web::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
            if !is_form {
                return Err(invalid(
                    "Expected a form (application/x-www-form-urlencoded)".into(),
                ));
            }
            let body = body
                .await
                .map_err(|e| invalid(format!("The form could not be read: {e}")))?;
            let pairs: Vec<(String, String)> =
                url::form_urlencoded::parse(&body).into_owned().collect();
            let form = CsrfPairs(pairs);
            if !csrf_matches(&req, form.get("csrf_token").unwrap_or("")) {
                return Err(csrf_failed());
            }
            Ok(form)
        })
    }
}
