//! Who may call the Management API: a bearer access token of ours for the audience
//! `{issuer}api/v2/`, issued to an M2M application by client_credentials, carrying one of
//! the scopes the route asks for.
//!
//! User tokens for that audience are refused (403): Auth0's `current_user` scopes do not
//! exist here, and a user whose roles carry Management API permissions must not become
//! an administrator through them. A caller can hand out only Management API permissions
//! it holds itself ([`Caller::may_grant`], security case F.41).

use axum::http::{HeaderMap, StatusCode};
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
    /// `client-credentials` on tokens of M2M applications.
    #[serde(default)]
    gty: Option<String>,
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

    /// Whether the caller may hand out `permissions` (`(audience, permission)` pairs) to
    /// a role, a user or an application: those on the Management API itself must be
    /// among its own scopes, so no caller can make an administrator stronger than
    /// itself. 403 `insufficient_scope` naming what it lacks.
    pub fn may_grant<'a>(
        &self,
        state: &AppState,
        permissions: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), ApiError> {
        let management = state.issuer.join(AUDIENCE_PATH);
        let mut lacking: Vec<&str> = permissions
            .into_iter()
            .filter(|(audience, p)| *audience == management && !self.has(p))
            .map(|(_, p)| p)
            .collect();
        if lacking.is_empty() {
            return Ok(());
        }
        lacking.sort_unstable();
        lacking.dedup();
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "Cannot grant Management API permissions the caller does not hold: {}",
                lacking.join(", ")
            ),
            Some("insufficient_scope"),
        ))
    }
}

/// The caller, when the request carries a valid Management API token with at least one
/// of `any_of`: else 401 (no or bad token) or 403 `insufficient_scope`.
pub fn require(state: &AppState, headers: &HeaderMap, any_of: &[&str]) -> Result<Caller, ApiError> {
    let token = access_token::bearer(headers).ok_or_else(ApiError::missing_authentication)?;
    let claims: Claims = access_token::verify(state, token, &state.issuer.join(AUDIENCE_PATH))
        .ok_or_else(ApiError::invalid_token)?;
    if claims.gty.as_deref() != Some("client-credentials") {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "The Management API accepts only tokens of machine-to-machine applications \
             (client_credentials)",
            Some("insufficient_scope"),
        ));
    }
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
