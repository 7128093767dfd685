//! `POST /oauth/introspect` (RFC 7662, an addition over Auth0): what a token is worth
//! right now, for confidential clients that authenticate as at `/oauth/token`.
//!
//! An access token is active when it is ours (signed by a published key with that key's
//! algorithm, `typ: at+jwt`, this issuer, an audience of this tenant: an API identifier
//! or `{issuer}userinfo`), unexpired by the injected clock, and its user still exists
//! unblocked (or, for a machine-to-machine token, its client still exists). A refresh
//! token is active when it is stored, neither consumed nor revoked, and unexpired.
//! Everything else is `{"active": false}` and nothing more.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::Validation;
use portcullis_core::client_auth::{authenticate, client_authentication_failed};
use portcullis_core::client_credentials::GrantError;
use portcullis_core::revocation;
use portcullis_core::token::ACCESS_TOKEN_TYP;
use portcullis_core::{ClientId, OAuthError, StoreError, UserId, token_hash};
use serde::{Deserialize, Serialize};

use crate::routes::client_endpoint;
use crate::routes::token_request::{parse_body, presented_client};
use crate::state::AppState;
use crate::throttle::ClientIp;

/// The longest token looked at; anything longer is inactive.
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// The RFC 7662 §2.2 answer. Inactive tokens carry `active` only.
#[derive(Debug, Default, Serialize)]
pub struct Introspection {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
}

/// Throttled as every client-authenticated endpoint is (`client_endpoint`).
pub async fn introspect(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let work = handle(&state, &headers, &body);
    client_endpoint::answer(&state, ip, &headers, work, |answer| {
        (
            StatusCode::OK,
            [
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::PRAGMA, HeaderValue::from_static("no-cache")),
            ],
            Json(answer),
        )
            .into_response()
    })
    .await
}

async fn handle(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Introspection, GrantError> {
    let params = parse_body(headers, body)?;
    let presented = presented_client(headers, &params)?;
    let app = state
        .catalog
        .application(&state.tenant, &presented.client_id)
        .await?;
    let app = authenticate(app.as_deref(), &presented)?;
    if app.client_secret_hash.is_none() {
        // Public clients cannot prove who they are: introspection is not for them.
        return Err(client_authentication_failed().into());
    }
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("Missing required parameter: token"))?;
    if token.len() > MAX_TOKEN_LEN {
        return Ok(Introspection::default());
    }
    // `token_type_hint` is only a hint (RFC 7662 §2.1): the token's shape says what it
    // is, since refresh tokens are opaque base64url and never contain a dot.
    let answer = if token.contains('.') {
        access_token(state, token).await?
    } else {
        refresh_token(state, token).await?
    };
    Ok(answer.unwrap_or_default())
}

#[derive(Debug, Deserialize)]
struct AccessClaims {
    iss: String,
    sub: String,
    aud: serde_json::Value,
    azp: String,
    #[serde(default)]
    scope: Option<String>,
    exp: i64,
    #[serde(default)]
    iat: Option<i64>,
    #[serde(default)]
    gty: Option<String>,
    #[serde(default)]
    jti: String,
}

async fn access_token(state: &AppState, token: &str) -> Result<Option<Introspection>, StoreError> {
    let Some(claims) = verify_access_token(state, token) else {
        return Ok(None);
    };
    if claims.exp <= state.clock.now().0 {
        return Ok(None);
    }
    if !has_our_audience(state, &claims.aud).await? {
        return Ok(None);
    }
    if revocation::is_revoked(state.store.as_ref(), &state.tenant, &claims.jti).await? {
        return Ok(None);
    }
    let holder_exists = if claims.gty.as_deref() == Some("client-credentials") {
        state
            .catalog
            .application(&state.tenant, &ClientId::new(claims.azp.clone()))
            .await?
            .is_some()
    } else {
        state
            .store
            .user(&state.tenant, &UserId::new(claims.sub.clone()))
            .await?
            .is_some_and(|u| !u.blocked)
    };
    if !holder_exists {
        return Ok(None);
    }
    Ok(Some(Introspection {
        active: true,
        scope: claims.scope,
        client_id: Some(claims.azp),
        sub: Some(claims.sub),
        aud: Some(claims.aud),
        iss: Some(claims.iss),
        exp: Some(claims.exp),
        iat: claims.iat,
        token_type: Some("Bearer"),
    }))
}

/// Signature, `typ`, `iss` and the presence of the registered claims; expiry and
/// audience are checked by the caller (expiry against the injected clock).
fn verify_access_token(state: &AppState, token: &str) -> Option<AccessClaims> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    if header.typ.as_deref() != Some(ACCESS_TOKEN_TYP) {
        return None;
    }
    let ring = state.keys.current();
    let (key, alg) = ring.verifiers.get(header.kid.as_deref()?)?;
    let mut validation = Validation::new(*alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.set_issuer(&[state.issuer.as_str()]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    jsonwebtoken::decode::<AccessClaims>(token, key, &validation)
        .ok()
        .map(|d| d.claims)
}

/// Whether one of the audiences is this tenant's: `{issuer}userinfo` or the identifier
/// of one of its APIs.
async fn has_our_audience(state: &AppState, aud: &serde_json::Value) -> Result<bool, StoreError> {
    let audiences: Vec<&str> = match aud {
        serde_json::Value::String(s) => vec![s.as_str()],
        serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_str()).collect(),
        _ => Vec::new(),
    };
    let userinfo = state.issuer.join("userinfo");
    for a in audiences {
        if a == userinfo
            || state
                .catalog
                .resource_server(&state.tenant, a)
                .await?
                .is_some()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn refresh_token(state: &AppState, token: &str) -> Result<Option<Introspection>, StoreError> {
    let Some(found) = state
        .store
        .refresh_token(&state.tenant, &token_hash(token))
        .await?
    else {
        return Ok(None);
    };
    if !found.is_live(state.clock.now()) {
        return Ok(None);
    }
    Ok(Some(Introspection {
        active: true,
        scope: Some(found.scope),
        client_id: Some(found.client_id.to_string()),
        sub: Some(found.user_id.to_string()),
        // The first of the absolute and the inactivity expiry.
        exp: Some(found.expires_at.0.min(found.idle_expires_at.0)),
        token_type: Some("refresh_token"),
        ..Introspection::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inactive_is_active_false_only() {
        assert_eq!(
            serde_json::to_value(Introspection::default()).ok(),
            Some(serde_json::json!({"active": false}))
        );
    }
}
