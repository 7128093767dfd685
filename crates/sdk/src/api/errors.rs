//! RFC 6750 answers: 401 with `WWW-Authenticate: Bearer` (no error code when there was
//! no token, `invalid_token` when it was refused) and 403 `insufficient_scope`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::JwtError;

/// 401: no token (`None`), or why the token was refused.
pub(crate) fn unauthorized(error: Option<&JwtError>) -> Response {
    let Some(error) = error else {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            Json(json!({"error": "unauthorized", "error_description": "no bearer token"})),
        )
            .into_response();
    };
    let description = error.to_string();
    let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{description}\"");
    let mut response = (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": "invalid_token", "error_description": description})),
    )
        .into_response();
    if let Ok(value) = HeaderValue::try_from(challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// 403 `insufficient_scope`, naming what the route needs.
pub(crate) fn insufficient_scope(needed: &[String]) -> Response {
    let needed = needed.join(" ");
    let challenge = format!(
        "Bearer error=\"insufficient_scope\", error_description=\"Insufficient scope\", scope=\"{needed}\""
    );
    let mut response = (
        StatusCode::FORBIDDEN,
        Json(json!({"error": "insufficient_scope", "error_description": "Insufficient scope", "scope": needed})),
    )
        .into_response();
    if let Ok(value) = HeaderValue::try_from(challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}
