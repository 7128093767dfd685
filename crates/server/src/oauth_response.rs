//! OAuth errors and token responses as HTTP: the status Auth0 answers with, JSON bodies,
//! and `Cache-Control: no-store` on everything the token endpoint says (RFC 6749 §5.1).

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::OAuthError;
use portcullis_proto::{ErrorBody, ErrorCode, TokenResponse};

const NO_STORE: [(HeaderName, HeaderValue); 2] = [
    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    (header::PRAGMA, HeaderValue::from_static("no-cache")),
];

/// 401 for client authentication, 403 where Auth0 answers "forbidden"
/// (`access_denied`, `unauthorized_client`), 5xx for our failures, else 400.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidClient | ErrorCode::InvalidToken => StatusCode::UNAUTHORIZED,
        ErrorCode::AccessDenied | ErrorCode::UnauthorizedClient | ErrorCode::InsufficientScope => {
            StatusCode::FORBIDDEN
        }
        ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// The error response of the token endpoint. With `basic`, a failed client
/// authentication carries `WWW-Authenticate: Basic` (RFC 6749 §5.2).
pub fn token_error(err: OAuthError, basic: bool) -> Response {
    let status = status_of(err.code);
    let mut response = (
        status,
        NO_STORE,
        Json(ErrorBody {
            error: err.code,
            error_description: err.description,
        }),
    )
        .into_response();
    if basic && err.code == ErrorCode::InvalidClient {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"portcullis\", charset=\"UTF-8\""),
        );
    }
    response
}

pub fn token_success(body: TokenResponse) -> Response {
    (StatusCode::OK, NO_STORE, Json(body)).into_response()
}

/// Our own failure: logged in full, the client told only that it happened.
pub fn internal_error(err: &dyn std::error::Error) -> Response {
    let unavailable = err.to_string().starts_with("database unavailable");
    tracing::error!(error = %err, "token endpoint failed");
    if unavailable {
        token_error(
            OAuthError::new(
                ErrorCode::TemporarilyUnavailable,
                "The service is temporarily unavailable, try again",
            ),
            false,
        )
    } else {
        token_error(
            OAuthError::new(ErrorCode::ServerError, "Internal error"),
            false,
        )
    }
}
