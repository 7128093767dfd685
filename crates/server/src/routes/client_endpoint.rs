//! What `/oauth/token`, `/oauth/revoke` and `/oauth/introspect` share around their work:
//! the brute-force limiter (security case C.25) and the RFC 6749 error answers.
//!
//! A client address with too many failed requests is answered 429 before anything is
//! parsed or looked up; each `invalid_client` / `invalid_grant` counts against it, so
//! guessing secrets, codes or refresh tokens at any of the three endpoints is throttled
//! alike.

use std::future::Future;

use axum::http::HeaderMap;
use axum::response::Response;
use portcullis_core::client_credentials::GrantError;
use portcullis_proto::ErrorCode;

use crate::oauth_response::{internal_error, token_error};
use crate::routes::token_request::uses_basic;
use crate::state::AppState;
use crate::throttle::{ClientIp, too_many_requests};

/// Runs `work` (not started until the limiter lets the request through) and answers
/// with `success` or the error.
pub(crate) async fn answer<T>(
    state: &AppState,
    ip: ClientIp,
    headers: &HeaderMap,
    work: impl Future<Output = Result<T, GrantError>>,
    success: impl FnOnce(T) -> Response,
) -> Response {
    if let Err(refused) = state.throttle.check_token(ip) {
        return too_many_requests(&refused);
    }
    match work.await {
        Ok(done) => success(done),
        Err(GrantError::OAuth(e)) => {
            if matches!(e.code, ErrorCode::InvalidClient | ErrorCode::InvalidGrant) {
                state.throttle.token_failed(ip);
            }
            token_error(e, uses_basic(headers))
        }
        Err(GrantError::Internal(e)) => internal_error(&e),
    }
}
