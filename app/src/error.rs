//! The one error type. Every failure of the JSON API leaves as
//! `{"error": {"code", "message", "fields"?}}` with a fitting status; pages render the
//! same error through templates/errors/error.html (see `routes::pages::render_error`).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

pub type FieldErrors = BTreeMap<String, String>;

/// Every error code the application answers with: its name on the wire, its HTTP
/// status and what it means. Errors are built from a `Code`, so the status always
/// follows the code; the OpenAPI document lists this table, and a test checks that
/// docs/api.md names every row.
macro_rules! codes {
    ($($variant:ident => ($code:literal, $status:ident, $meaning:literal),)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every row of the table, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable snake_case word clients see in `error.code`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            pub fn status(self) -> StatusCode {
                match self {
                    $(Code::$variant => StatusCode::$status,)*
                }
            }

            /// What the code means, for the documentation.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Code::$variant => $meaning,)*
                }
            }
        }
    };
}

codes! {
    ValidationFailed => ("validation_failed", BAD_REQUEST, "Input that parsed but broke a rule; `fields` names each field and its problem"),
    BadRequest => ("bad_request", BAD_REQUEST, "The request could not be understood"),
    InvalidJson => ("invalid_json", BAD_REQUEST, "The body is not JSON of the expected shape"),
    InvalidQuery => ("invalid_query", BAD_REQUEST, "The query string is not of the expected shape"),
    InvalidForm => ("invalid_form", BAD_REQUEST, "A form (or multipart) body that could not be read"),
    InvalidBody => ("invalid_body", BAD_REQUEST, "A request body that broke off or could not be read"),
    InvalidOption => ("invalid_option", BAD_REQUEST, "A poll ballot names an option the poll does not have, or too many"),
    InvalidAnswer => ("invalid_answer", BAD_REQUEST, "A quiz attempt does not answer each question with its own choices"),
    InvalidImage => ("invalid_image", BAD_REQUEST, "The upload is not a PNG, JPEG or WebP image"),
    ImageTooLarge => ("image_too_large", BAD_REQUEST, "The picture has more than 40 megapixels"),
    InvalidToken => ("invalid_token", BAD_REQUEST, "An e-mailed link (verification, password reset) that is unknown, expired or already used"),
    SsoFailed => ("sso_failed", BAD_REQUEST, "Single sign-on did not complete: a wrong or replayed state or code, a bad ID token, or an address the provider has not verified"),
    NotSignedIn => ("not_signed_in", UNAUTHORIZED, "Sign in (or send a bearer token) to do that"),
    InvalidCredentials => ("invalid_credentials", UNAUTHORIZED, "The login and password do not match (the same answer whether or not the account exists)"),
    Suspended => ("suspended", UNAUTHORIZED, "The account is suspended until the date in the message (the reason too): it cannot sign in"),
    Forbidden => ("forbidden", FORBIDDEN, "Signed in, but the role or ownership needed is missing"),
    CsrfFailed => ("csrf_failed", FORBIDDEN, "A cookie-authenticated write without the matching CSRF token"),
    EmailUnverified => ("email_unverified", FORBIDDEN, "The member has not confirmed their e-mail address yet: they may read and edit their profile, not post, vote or follow"),
    EmailDomainNotAllowed => ("email_domain_not_allowed", FORBIDDEN, "The address is outside `QUORUM_ALLOWED_EMAIL_DOMAINS`"),
    PasswordLoginOff => ("password_login_off", FORBIDDEN, "Passwords are switched off (`QUORUM_PASSWORD_LOGIN=off`): sign in with single sign-on"),
    Silenced => ("silenced", FORBIDDEN, "A moderator made the member read-only until the date in the message: no posts, votes or flags"),
    OwnRole => ("own_role", FORBIDDEN, "Admins cannot change their own role (so the last admin cannot lock everyone out)"),
    DiscussionLocked => ("discussion_locked", FORBIDDEN, "The discussion is locked: no new comments, edits, votes, ballots or questions"),
    HasReplies => ("has_replies", FORBIDDEN, "An author cannot delete a discussion others have replied to; edit it, or ask a moderator"),
    SelfFlag => ("self_flag", FORBIDDEN, "Nobody flags their own post"),
    OutranksActor => ("outranks_actor", FORBIDDEN, "Moderators cannot suspend moderators or admins, and nobody suspends themselves"),
    SelfVote => ("self_vote", FORBIDDEN, "Nobody votes on their own post or question"),
    SelfFollow => ("self_follow", FORBIDDEN, "Members cannot follow themselves"),
    SelfRecognize => ("self_recognize", FORBIDDEN, "Nobody recognises their own post"),
    InsufficientReputation => ("insufficient_reputation", FORBIDDEN, "The privilege needs more reputation (downvoting needs 125)"),
    NotHost => ("not_host", FORBIDDEN, "Only the session's host (or, for pins and dismissals, a moderator) may do that"),
    OwnQuiz => ("own_quiz", FORBIDDEN, "A quiz's author (or a moderator) cannot take it"),
    NotFound => ("not_found", NOT_FOUND, "Nothing is there, or it is not visible to the caller"),
    MethodNotAllowed => ("method_not_allowed", METHOD_NOT_ALLOWED, "The path exists but not with this method; `Allow` lists the methods it has"),
    UsernameTaken => ("username_taken", CONFLICT, "Another member has that username (whatever the case)"),
    EmailTaken => ("email_taken", CONFLICT, "Another member has that e-mail address"),
    ZoneExists => ("zone_exists", CONFLICT, "A zone with that slug exists"),
    SessionClosed => ("session_closed", CONFLICT, "The live session has ended: no more questions or votes"),
    PollClosed => ("poll_closed", CONFLICT, "The poll is closed"),
    PollExists => ("poll_exists", CONFLICT, "The discussion has a poll already"),
    CurrentSession => ("current_session", CONFLICT, "A session list cannot end the session it is shown in; sign out instead"),
    AlreadyFlagged => ("already_flagged", CONFLICT, "The member has flagged this post already"),
    AlreadyDecided => ("already_decided", CONFLICT, "The review item was agreed or disagreed with already"),
    AlreadyTaken => ("already_taken", CONFLICT, "The member has taken this quiz already"),
    AlreadyAnswered => ("already_answered", CONFLICT, "The member has answered this pulse already (an answer cannot be changed: no row says who gave which)"),
    PayloadTooLarge => ("payload_too_large", PAYLOAD_TOO_LARGE, "The request body is over its limit"),
    UnsupportedMediaType => ("unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "The body's content type is not accepted here"),
    RateLimited => ("rate_limited", TOO_MANY_REQUESTS, "Too many requests; `Retry-After` says when to try again"),
    InternalError => ("internal_error", INTERNAL_SERVER_ERROR, "Something failed on the server; the details are logged, never sent"),
    Unavailable => ("unavailable", SERVICE_UNAVAILABLE, "A dependency (database, search) does not answer"),
    Busy => ("busy", SERVICE_UNAVAILABLE, "Too many sign-ins are being checked at once; `Retry-After` says when to try again"),
}

/// The one error type: a row of the code table, a message a person can read, and for
/// validation errors the fields. Build it from a `Code`; the status follows.
#[derive(Debug)]
pub struct AppError {
    code: Code,
    message: String,
    fields: Option<FieldErrors>,
    /// 429: seconds until a retry may succeed.
    retry_after: Option<u64>,
    /// 405: the methods the path has.
    allow: Option<String>,
    /// 500: the cause, logged and never sent (it may hold SQL or paths).
    cause: Option<anyhow::Error>,
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a FieldErrors>,
}

impl AppError {
    /// An error of the given code with its message.
    pub fn coded(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: None,
            retry_after: None,
            allow: None,
            cause: None,
        }
    }

    /// Adds per-field problems (validation and conflict errors).
    pub fn with_fields(mut self, fields: FieldErrors) -> Self {
        self.fields = Some(fields);
        self
    }

    pub fn validation(field: &str, problem: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field.to_string(), problem.into());
        Self::from_fields(fields)
    }

    pub fn from_fields(fields: FieldErrors) -> Self {
        let message = fields
            .iter()
            .next()
            .map(|(f, p)| format!("{} {}", capitalise(f), p))
            .unwrap_or_else(|| "Invalid input".into());
        Self::coded(Code::ValidationFailed, message).with_fields(fields)
    }

    pub fn not_found(what: &str) -> Self {
        Self::coded(Code::NotFound, format!("{what} not found"))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::coded(Code::Forbidden, message)
    }

    pub fn not_signed_in() -> Self {
        Self::coded(
            Code::NotSignedIn,
            "Sign in or join the community to do that",
        )
    }

    pub fn payload_too_large() -> Self {
        Self::coded(Code::PayloadTooLarge, "The request body is too large")
    }

    pub fn rate_limited(retry_after: u64) -> Self {
        let mut err = Self::coded(
            Code::RateLimited,
            format!("Too many requests; try again in {retry_after} seconds"),
        );
        err.retry_after = Some(retry_after);
        err
    }

    /// 405, naming the methods the path has (sent as `Allow`).
    /// 503 `busy` with `Retry-After`: the server sheds work it cannot take now.
    pub fn busy(retry_after: u64) -> Self {
        let mut err = AppError::coded(
            Code::Busy,
            format!("The server is busy; try again in {retry_after} seconds"),
        );
        err.retry_after = Some(retry_after);
        err
    }

    pub fn method_not_allowed(allow: impl Into<String>) -> Self {
        let mut err = Self::coded(Code::MethodNotAllowed, "That method is not allowed here");
        err.allow = Some(allow.into());
        err
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::coded(Code::Unavailable, message)
    }

    /// A failure on our side: the cause is logged when the error is answered, never sent.
    pub fn internal(cause: anyhow::Error) -> Self {
        let mut err = Self::coded(Code::InternalError, "Something went wrong on our side");
        err.cause = Some(cause);
        err
    }

    pub fn code(&self) -> Code {
        self.code
    }

    pub fn is_internal(&self) -> bool {
        self.code == Code::InternalError
    }

    pub fn fields(&self) -> Option<&FieldErrors> {
        self.fields.as_ref()
    }

    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// Logs the underlying cause of an error whose public message hides it.
    pub fn with_cause(self, cause: anyhow::Error) -> Self {
        tracing::warn!(error = %cause, code = self.code.as_str(), "request failed");
        self
    }

    /// The message a user may see. For 500s it is generic by design.
    pub fn public_message(&self) -> String {
        self.message.clone()
    }
}

fn capitalise(field: &str) -> String {
    let words = field.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            tracing::error!(error = ?cause, "internal error");
        }
        let mut builder = HttpResponse::build(self.status_code());
        if let Some(seconds) = self.retry_after {
            builder.insert_header(("Retry-After", seconds.to_string()));
        }
        if let Some(allow) = &self.allow {
            builder.insert_header(("Allow", allow.as_str()));
        }
        builder.json(ErrorBody {
            error: ErrorDetail {
                code: self.code.as_str(),
                message: self.public_message(),
                fields: self.fields(),
            },
        })
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::internal(anyhow::Error::new(err))
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

impl From<tera::Error> for AppError {
    fn from(err: tera::Error) -> Self {
        AppError::internal(anyhow::Error::new(err))
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        AppError::internal(err)
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn codes_are_unique_snake_case_words() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let word = code.as_str();
            assert!(seen.insert(word), "{word} twice");
            assert!(word.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert!(code.status().is_client_error() || code.status().is_server_error());
        }
    }
}
