//! Who is asking: the signed-in member as an extractor, never looked up by hand in a
//! handler. The API takes `Authorization: Bearer TOKEN`; the site uses the
//! `quorum_session` cookie (HttpOnly, SameSite=Lax; `__Host-quorum_session`, Secure,
//! when the base URL is https).
//!
//! CSRF: every browser gets a random `quorum_csrf` cookie (HttpOnly, SameSite=Lax). The
//! token a form carries (hidden field) or a cookie-authenticated API call sends
//! (`X-CSRF-Token`) is an HMAC, under the instance's key, of the browser's session
//! secret (or, before sign-in, of that cookie): it cannot be guessed, and a token from
//! one session is worthless in another. A forged cross-site request cannot read the
//! page, so it cannot send it. Bearer requests need no token: a browser never attaches
//! them by itself.
//!
//! Members who have not confirmed their address get 403 `email_unverified` from every
//! state-changing route except the few in `UNVERIFIED_MAY` (their profile, settings and
//! sessions): the default is no, so a new route is closed until it is listed.

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
use crate::services::sessions::{self, SessionKind};
use crate::services::suspensions;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "quorum_session";
pub const CSRF_COOKIE: &str = "quorum_csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// The routes (as declared) a member whose address is not confirmed (or who is
/// silenced) may still change things through: their profile, settings, password,
/// address and sessions.
const UNVERIFIED_MAY: &[&str] = &[
    "/api/v1/auth/logout",
    "/api/v1/auth/verify/resend",
    "/api/v1/me",
    "/api/v1/me/password",
    "/api/v1/me/email",
    "/api/v1/me/username",
    "/api/v1/me/sessions",
    "/api/v1/me/sessions/{id}",
    "/api/v1/me/settings",
    "/api/v1/me/avatar",
    "/api/v1/notifications/read",
    "/api/v1/discussions/{id}/subscription",
    "/signout",
    "/settings",
    "/settings/avatar",
    "/settings/avatar/remove",
    "/notifications/read",
    "/verify-email/resend",
    "/account/password",
    "/account/email",
    "/account/username",
    "/account/sessions/{id}/revoke",
    "/account/sessions/revoke",
    "/account/delete",
];

/// The cookie names: `__Host-` prefixed when served over https, so no other site (not
/// even a sibling subdomain) can set them.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-quorum_session"
    } else {
        SESSION_COOKIE
    }
}

pub fn csrf_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-quorum_csrf"
    } else {
        CSRF_COOKIE
    }
}

fn secure(req: &HttpRequest) -> bool {
    req.app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.settings.secure_cookies())
}

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
    /// The member's unread notifications, when the session's query counted them (a
    /// browser's session: its pages show the count).
    pub unread: Option<u64>,
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
        let member = sessions::member_for_token(&state.db, &token, SessionKind::Api)
            .await?
            .map(|found| found.member);
        MaybeMember {
            member,
            unread: None,
            via: Some(Via::Bearer),
            secret: Some(token),
        }
    } else if let Some(cookie) = req.cookie(session_cookie_name(state.settings.secure_cookies())) {
        let token = cookie.value().to_string();
        let found = sessions::member_for_token(&state.db, &token, SessionKind::Web).await?;
        MaybeMember {
            unread: found.as_ref().and_then(|f| f.unread),
            member: found.map(|f| f.member),
            via: Some(Via::Cookie),
            secret: Some(token),
        }
    } else {
        MaybeMember {
            member: None,
            unread: None,
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
            // our own pages. (Page forms are checked by `CsrfForm`.) Which it is follows
            // from the route that matched, never from the raw path: `/%61pi/v1/…` is the
            // same API route and needs the same token.
            let unsafe_method =
                !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
            let pattern = req.match_pattern();
            let is_page_form = pattern
                .as_deref()
                .is_some_and(|p| p.starts_with('/') && !p.starts_with("/api/"));
            if via == Via::Cookie && unsafe_method && !is_page_form {
                let sent = req
                    .headers()
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if !csrf_matches(&req, sent) {
                    return Err(csrf_failed());
                }
            }
            let own_account = pattern
                .as_deref()
                .is_some_and(|p| UNVERIFIED_MAY.contains(&p));
            if !member.email_verified && unsafe_method && !own_account {
                return Err(email_unverified());
            }
            // A suspension ends every session, so this is for a token that raced it.
            suspensions::refuse_sign_in(&member)?;
            if unsafe_method
                && !own_account
                && let Some((suspensions::Kind::Silence, s)) =
                    suspensions::active(&member, chrono::Utc::now())
            {
                return Err(suspensions::silenced(&s));
            }
            let mut actor = Actor::from_model(&member);
            actor.ip_prefix = crate::routes::client::origin(&req).ip_prefix();
            Ok(CurrentMember {
                member,
                actor,
                via,
                secret,
            })
        })
    }
}

pub fn email_unverified() -> AppError {
    AppError::coded(
        Code::EmailUnverified,
        "Confirm your e-mail address first: follow the link we sent you (or ask for a new one on your account page)",
    )
}

pub fn csrf_failed() -> AppError {
    AppError::coded(
        Code::CsrfFailed,
        "The form has expired or did not come from this site; reload the page and try again",
    )
}

/// The browser's CSRF binding: the raw `quorum_csrf` value minted for this request
/// (a first visit), kept in the request's extensions.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

impl CsrfToken {
    /// The token this browser's forms carry: an HMAC of its session secret, or of its
    /// CSRF cookie before it signs in.
    pub fn of(req: &HttpRequest) -> String {
        match binding(req) {
            Some(binding) => token_for(req, &binding),
            None => String::new(),
        }
    }
}

/// What the token is bound to: the session cookie, else the CSRF cookie (or the one
/// minted for this request).
fn binding(req: &HttpRequest) -> Option<String> {
    let secure = secure(req);
    if let Some(session) = req.cookie(session_cookie_name(secure)) {
        return Some(format!("session:{}", session.value()));
    }
    if let Some(minted) = req.extensions().get::<CsrfToken>() {
        return Some(format!("browser:{}", minted.0));
    }
    req.cookie(csrf_cookie_name(secure))
        .map(|c| format!("browser:{}", c.value()))
        .filter(|v| v.len() > "browser:".len())
}

fn token_for(req: &HttpRequest, binding: &str) -> String {
    match req.app_data::<web::Data<AppState>>() {
        Some(state) => crate::keys::sign(&state.keys.csrf, &format!("csrf:{binding}")),
        None => String::new(),
    }
}

/// For forms read by hand (multipart uploads): the sent token must be this browser's.
pub fn check_csrf(req: &HttpRequest, sent: &str) -> Result<(), AppError> {
    if csrf_matches(req, sent) {
        Ok(())
    } else {
        Err(csrf_failed())
    }
}

fn csrf_matches(req: &HttpRequest, sent: &str) -> bool {
    let Some(binding) = binding(req) else {
        return false;
    };
    let expected = token_for(req, &binding);
    !expected.is_empty() && crate::keys::same(expected.as_bytes(), sent.as_bytes())
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

/// A cookie of ours: HttpOnly, SameSite=Lax, path `/`; Secure over https.
pub fn cookie<'a>(name: &'a str, value: String, secure: bool, max_age_days: i64) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::days(max_age_days))
        .finish()
}

/// Ends the browser's session on `res`: its cookie is removed.
pub fn remove_session_cookie(
    res: &mut actix_web::HttpResponse,
    settings: &crate::config::Settings,
) -> Result<(), AppError> {
    let secure = settings.secure_cookies();
    res.add_removal_cookie(&removal_cookie(session_cookie_name(secure), secure))
        .map_err(|e| AppError::internal(anyhow::anyhow!("removing a cookie: {e}")))
}

pub fn removal_cookie(name: &str, secure: bool) -> Cookie<'_> {
    let mut c = Cookie::build(name, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
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
    let secure = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.settings.secure_cookies())
        .unwrap_or(false);
    let name = csrf_cookie_name(secure);
    let is_page = !req.path().starts_with("/api/") && !req.path().starts_with("/assets/");
    let minted = if is_page && req.cookie(name).is_none() {
        let token = crate::keys::random_token(24);
        req.extensions_mut().insert(CsrfToken(token.clone()));
        Some(token)
    } else {
        None
    };
    let mut res = next.call(req).await?;
    if let Some(token) = minted {
        // A handler may already have set a fresh one (sign-in rotates it).
        let already = res.response().cookies().any(|c| c.name() == name);
        if !already {
            res.response_mut()
                .add_cookie(&cookie(name, token, secure, 365))?;
        }
    }
    if secure {
        // Over https, browsers are told to never come back over http.
        res.headers_mut().insert(
            actix_web::http::header::STRICT_TRANSPORT_SECURITY,
            actix_web::http::header::HeaderValue::from_static("max-age=31536000"),
        );
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
