//! `GET|POST /userinfo`: the profile of the access token's user, by the token's scope.
//! The token is one of ours: signature by a published key with that key's algorithm,
//! `typ: at+jwt`, this issuer, `{issuer}userinfo` among the audiences, not expired.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::id_token::claims_for_scope;
use portcullis_core::revocation;
use portcullis_core::{StoreError, User, UserId};
use serde::Deserialize;

use crate::access_token;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    jti: String,
}

pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = access_token::bearer(&headers) else {
        return unauthorized(None);
    };
    let Some(claims) =
        access_token::verify::<Claims>(&state, token, &state.issuer.join("userinfo"))
    else {
        return unauthorized(Some("invalid_token"));
    };
    let user = match holder(&state, &claims).await {
        Ok(Some(u)) if !u.blocked => u,
        Ok(_) => return unauthorized(Some("invalid_token")),
        Err(e) => {
            tracing::error!(error = %e, "userinfo failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let scope: Vec<String> = claims.scope.split(' ').map(str::to_owned).collect();
    let mut body = claims_for_scope(&scope, &user.profile_claims());
    body.insert("sub".to_owned(), claims.sub.into());
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(body),
    )
        .into_response()
}

/// The token's user, unless its grant was revoked (replayed code, revoked family).
async fn holder(state: &AppState, claims: &Claims) -> Result<Option<User>, StoreError> {
    if revocation::is_revoked(state.store.as_ref(), &state.tenant, &claims.jti).await? {
        return Ok(None);
    }
    state
        .store
        .user(&state.tenant, &UserId::new(claims.sub.clone()))
        .await
}

/// RFC 6750 §3: no credentials → a bare challenge; a bad token → `invalid_token`.
fn unauthorized(error: Option<&str>) -> Response {
    let challenge = match error {
        None => "Bearer realm=\"portcullis\"".to_owned(),
        Some(e) => format!("Bearer realm=\"portcullis\", error=\"{e}\""),
    };
    let mut response = (StatusCode::UNAUTHORIZED, "Unauthorized").into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    response
}
