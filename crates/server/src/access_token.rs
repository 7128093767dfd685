//! Reading our own access tokens from `Authorization: Bearer`: signature by a published
//! key with that key's algorithm, `typ: at+jwt`, this issuer, the expected audience
//! among the token's audiences, not expired (5 s leeway).

use axum::http::{HeaderMap, header};
use jsonwebtoken::Validation;
use serde::de::DeserializeOwned;

use crate::state::AppState;

/// Bearer tokens longer than this are refused unread.
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// The bearer token of the request, if it has one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= MAX_TOKEN_LEN)
        .then_some(token)
}

/// The claims of `token` when it is a valid access token of ours for `audience`.
pub fn verify<C: DeserializeOwned>(state: &AppState, token: &str, audience: &str) -> Option<C> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    if header.typ.as_deref() != Some("at+jwt") {
        return None;
    }
    let ring = state.keys.current();
    let (key, alg) = ring.verifiers.get(header.kid.as_deref()?)?;
    let mut validation = Validation::new(*alg);
    validation.leeway = 5;
    validation.set_issuer(&[state.issuer.as_str()]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    jsonwebtoken::decode::<C>(token, key, &validation)
        .ok()
        .map(|d| d.claims)
}
