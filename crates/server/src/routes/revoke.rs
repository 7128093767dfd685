//! `POST /oauth/revoke` (RFC 7009): a client revokes one of its refresh tokens, and with
//! it the token's whole family (security case 27). Clients authenticate exactly as at
//! `/oauth/token`. Whatever the token was (unknown, an access token, another client's
//! refresh token), the answer is the same empty 200 (RFC 7009 §2.2), and only the
//! client's own tokens are ever revoked.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::client_auth::authenticate;
use portcullis_core::client_credentials::GrantError;
use portcullis_core::refresh_grant;
use portcullis_core::{OAuthError, token_hash};

use crate::routes::client_endpoint;
use crate::routes::token_request::{parse_body, presented_client};
use crate::state::AppState;
use crate::throttle::ClientIp;

/// Throttled as every client-authenticated endpoint is (`client_endpoint`).
pub async fn revoke(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let work = handle(&state, &headers, &body);
    client_endpoint::answer(&state, ip, &headers, work, |()| {
        (
            StatusCode::OK,
            [
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::PRAGMA, HeaderValue::from_static("no-cache")),
            ],
        )
            .into_response()
    })
    .await
}

async fn handle(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(), GrantError> {
    let params = parse_body(headers, body)?;
    let presented = presented_client(headers, &params)?;
    let app = state
        .catalog
        .application(&state.tenant, &presented.client_id)
        .await?;
    let app = authenticate(app.as_deref(), &presented)?;
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("Missing required parameter: token"))?;
    // `token_type_hint` is optional and only a hint (RFC 7009 §2.1): refresh tokens are
    // the only tokens stored, so they are the only ones looked up.
    let Some(found) = state
        .store
        .refresh_token(&state.tenant, &token_hash(token))
        .await?
    else {
        return Ok(());
    };
    if found.client_id != app.client_id {
        return Ok(());
    }
    let revoked =
        refresh_grant::revoke_family(state.store.as_ref(), &found, state.clock.now()).await?;
    tracing::info!(
        event = "rrt",
        client_id = %app.client_id,
        revoked,
        "refresh token family revoked"
    );
    Ok(())
}
