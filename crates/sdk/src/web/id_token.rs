//! Checking the provider's JWTs: the ID token at the callback (OpenID Connect Core
//! 3.1.3.7) and the logout token of back-channel logout (OpenID Connect Back-Channel
//! Logout 2.6). Times come from the injected clock, not from the JWT library.

use serde_json::{Map, Value};
use subtle::ConstantTimeEq as _;

use super::provider::Provider;
use crate::jwks::jws::{self, JwsError};

/// The back-channel logout event a logout token must carry.
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// Why a token was refused; shown in logs, never to the browser.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejected {
    #[error("malformed JWT")]
    Malformed,
    #[error("signed with a key or algorithm the provider does not publish")]
    UnknownKey,
    #[error("bad signature")]
    Signature,
    #[error("claim {0} is missing or wrong")]
    Claim(&'static str),
    #[error("expired")]
    Expired,
}

/// What the ID token must say.
pub(crate) struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub now: i64,
    pub tolerance: i64,
}

/// Signature against the provider's keys, then the claims every provider JWT for this
/// client must have: `iss`, `aud` (with `azp` when there are several audiences), `iat`.
async fn verified_claims(
    token: &str,
    provider: &Provider,
    expected: &Expected<'_>,
) -> Result<Map<String, Value>, TokenRejected> {
    let header = jws::header(token).map_err(|_| TokenRejected::Malformed)?;
    let key = provider
        .key(header.kid.as_deref())
        .await
        .ok_or(TokenRejected::UnknownKey)?;
    let allowed = &provider.metadata.id_token_signing_alg_values_supported;
    if !allowed.is_empty() && !allowed.contains(&header.alg) {
        return Err(TokenRejected::UnknownKey);
    }
    let claims = jws::verify(token, &header, &key).map_err(|e| match e {
        JwsError::Malformed => TokenRejected::Malformed,
        JwsError::Algorithm => TokenRejected::UnknownKey,
        JwsError::Signature => TokenRejected::Signature,
    })?;
    if claims.get("iss").and_then(Value::as_str) != Some(expected.issuer) {
        return Err(TokenRejected::Claim("iss"));
    }
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => return Err(TokenRejected::Claim("aud")),
    };
    if !audiences.contains(&expected.client_id) {
        return Err(TokenRejected::Claim("aud"));
    }
    let azp = claims.get("azp").and_then(Value::as_str);
    if (audiences.len() > 1 || azp.is_some()) && azp != Some(expected.client_id) {
        return Err(TokenRejected::Claim("azp"));
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or(TokenRejected::Claim("iat"))?;
    if iat > expected.now + expected.tolerance {
        return Err(TokenRejected::Claim("iat"));
    }
    if let Some(nbf) = claims.get("nbf") {
        let nbf = nbf.as_i64().ok_or(TokenRejected::Claim("nbf"))?;
        if nbf > expected.now + expected.tolerance {
            return Err(TokenRejected::Claim("nbf"));
        }
    }
    if let Some(exp) = claims.get("exp") {
        let exp = exp.as_i64().ok_or(TokenRejected::Claim("exp"))?;
        if exp + expected.tolerance <= expected.now {
            return Err(TokenRejected::Expired);
        }
    }
    Ok(claims)
}

/// An ID token from the token endpoint: [`verified_claims`], plus `exp` required, `sub`
/// present and `nonce` equal to the transaction's.
pub(crate) async fn validate_id_token(
    token: &str,
    provider: &Provider,
    expected: &Expected<'_>,
    nonce: &str,
) -> Result<Map<String, Value>, TokenRejected> {
    let claims = verified_claims(token, provider, expected).await?;
    if !claims.contains_key("exp") {
        return Err(TokenRejected::Claim("exp"));
    }
    if claims
        .get("sub")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(TokenRejected::Claim("sub"));
    }
    let got = claims.get("nonce").and_then(Value::as_str).unwrap_or("");
    if !bool::from(got.as_bytes().ct_eq(nonce.as_bytes())) {
        return Err(TokenRejected::Claim("nonce"));
    }
    Ok(claims)
}

/// An ID token from a refresh: [`verified_claims`] with `exp` and `sub`; no nonce (the
/// caller checks that `sub` is the session's).
pub(crate) async fn validate_refreshed_id_token(
    token: &str,
    provider: &Provider,
    expected: &Expected<'_>,
) -> Result<Map<String, Value>, TokenRejected> {
    let claims = verified_claims(token, provider, expected).await?;
    if !claims.contains_key("exp") {
        return Err(TokenRejected::Claim("exp"));
    }
    Ok(claims)
}

/// Who a logout token logs out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutTarget {
    pub sid: Option<String>,
    pub sub: Option<String>,
}

/// A logout token: [`verified_claims`], the back-channel logout event, no `nonce`, and
/// a `sid` or a `sub`.
pub(crate) async fn validate_logout_token(
    token: &str,
    provider: &Provider,
    expected: &Expected<'_>,
) -> Result<LogoutTarget, TokenRejected> {
    let claims = verified_claims(token, provider, expected).await?;
    let has_event = claims
        .get("events")
        .and_then(Value::as_object)
        .and_then(|events| events.get(BACKCHANNEL_LOGOUT_EVENT))
        .is_some_and(Value::is_object);
    if !has_event {
        return Err(TokenRejected::Claim("events"));
    }
    if claims.contains_key("nonce") {
        return Err(TokenRejected::Claim("nonce"));
    }
    let text = |name| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let target = LogoutTarget {
        sid: text("sid"),
        sub: text("sub"),
    };
    if target.sid.is_none() && target.sub.is_none() {
        return Err(TokenRejected::Claim("sid"));
    }
    Ok(target)
}
