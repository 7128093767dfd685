//! Who may call the Management API: a bearer access token of ours for the audience
//! `{issuer}api/v2/` (an M2M application's client_credentials token), carrying one of the
//! scopes the route asks for.

use axum::http::HeaderMap;
use serde::Deserialize;

use super::error::ApiError;
use crate::access_token;
use crate::state::AppState;

/// The audience of Management API tokens, relative to the issuer.
pub const AUDIENCE_PATH: &str = "api/v2/";

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    scope: String,
}

/// The authenticated caller of a Management API route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `{client_id}@clients` for an M2M application.
    pub sub: String,
    pub scopes: Vec<String>,
}

impl Caller {
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// The caller, when the request carries a valid Management API token with at least one
/// of `any_of`: else 401 (no or bad token) or 403 `insufficient_scope`.
pub fn require(state: &AppState, headers: &HeaderMap, any_of: &[&str]) -> Result<Caller, ApiError> {
    let token = access_token::bearer(headers).ok_or_else(ApiError::missing_authentication)?;
    let claims: Claims = access_token::verify(state, token, &state.issuer.join(AUDIENCE_PATH))
        .ok_or_else(ApiError::invalid_token)?;
    let caller = Caller {
        sub: claims.sub,
        scopes: claims
            .scope
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    if any_of.iter().any(|s| caller.has(s)) {
        Ok(caller)
    } else {
        Err(ApiError::insufficient_scope(any_of))
    }
}
