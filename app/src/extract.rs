//! Request extractors that answer bad input in the contract's error shape.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{AppError, Code, FieldErrors};

/// Largest JSON body accepted: a 50,000-character body in any script, escaped, fits.
pub const JSON_LIMIT: usize = 512 * 1024;

/// Like `web::Json`, but: malformed JSON is 400 `invalid_json`; a field of the wrong type
/// or a missing field is 400 `validation_failed` naming the field; too large is 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get("Content-Type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let declared_len = req
            .headers()
            .get("Content-Length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared_len.is_some_and(|n| n > JSON_LIMIT) {
                return Err(AppError::payload_too_large());
            }
            let mime = content_type
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            if mime != "application/json" && !mime.ends_with("+json") {
                return Err(AppError::coded(
                    Code::InvalidJson,
                    "Send the body as JSON with Content-Type: application/json",
                ));
            }
            let mut body = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|_| {
                    AppError::coded(Code::InvalidBody, "The request body could not be read")
                })?;
                if body.len() + chunk.len() > JSON_LIMIT {
                    return Err(AppError::payload_too_large());
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(ApiJson)
        })
    }
}

pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => match de.end() {
            Ok(()) => Ok(value),
            Err(e) => Err(AppError::coded(
                Code::InvalidJson,
                format!("The body is not valid JSON: {e}"),
            )),
        },
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if inner.is_data() {
                let text = inner.to_string();
                let text = text.split(" at line ").next().unwrap_or(&text).to_string();
                let (field, problem) = match text.strip_prefix("missing field `") {
                    Some(rest) => {
                        let name = rest.split('`').next().unwrap_or("").to_string();
                        let name = if path == "." || path.is_empty() {
                            name
                        } else {
                            format!("{path}.{name}")
                        };
                        (name, "is required".to_string())
                    }
                    None => (if path.is_empty() { ".".into() } else { path }, text),
                };
                let mut fields = FieldErrors::new();
                fields.insert(field, problem);
                Err(AppError::from_fields(fields))
            } else {
                Err(AppError::coded(
                    Code::InvalidJson,
                    format!("The body is not valid JSON: {inner}"),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct T {
        #[allow(dead_code)]
        title: String,
    }

    #[test]
    fn names_the_field() {
        let err = parse_json::<T>(br#"{"title": 5}"#).err();
        let fields = err
            .as_ref()
            .and_then(|e| e.fields())
            .cloned()
            .unwrap_or_default();
        assert!(fields.contains_key("title"), "{fields:?}");
        let err = parse_json::<T>(br#"{}"#).err();
        let fields = err
            .as_ref()
            .and_then(|e| e.fields())
            .cloned()
            .unwrap_or_default();
        assert_eq!(fields.get("title").map(String::as_str), Some("is required"));
        let err = parse_json::<T>(br#"{"title": "#).err();
        assert_eq!(err.map(|e| e.code().as_str()), Some("invalid_json"));
    }
}
