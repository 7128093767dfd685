//! Validating access tokens locally: the signature against the provider's cached keys,
//! then `iss`, `aud`, `exp`, `nbf` (with leeway) and, when strict, `typ: at+jwt`. The
//! algorithm is the key's, from an allow-list; a token's header never chooses it.

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};

use super::Claims;
use crate::Clock;
use crate::jwks::JwksCache;
use crate::jwks::jws::{self, JwsError};

/// The longest token looked at; anything longer is refused unread.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Why a token was refused: the `error_description` of the 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token is too large")]
    TooLarge,
    #[error("the token is signed with an unknown key")]
    UnknownKey,
    #[error("the token's algorithm is not allowed")]
    Algorithm,
    #[error("the token's signature is invalid")]
    Signature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token's issuer is not accepted")]
    Issuer,
    #[error("the token's audience is not accepted")]
    Audience,
    #[error("the token's type is not at+jwt")]
    Type,
    #[error("the token's {0} claim is missing or invalid")]
    Claim(&'static str),
}

/// What an access token must be.
#[derive(Debug, Clone)]
pub struct Requirements {
    /// `iss`, exactly.
    pub issuer: String,
    /// `aud` must be (or contain) one of these.
    pub audiences: Vec<String>,
    /// Allowed signature algorithms (default RS256, PS256, ES256, EdDSA).
    pub algorithms: Vec<Algorithm>,
    /// Clock skew allowed on `exp` and `nbf` (default 5 s).
    pub leeway: Duration,
    /// Require `typ: at+jwt` (RFC 9068). Off by default: Auth0 writes `JWT`.
    pub strict_type: bool,
}

impl Requirements {
    pub fn new(issuer: &str, audience: &str) -> Requirements {
        Requirements {
            issuer: issuer.to_owned(),
            audiences: vec![audience.to_owned()],
            algorithms: vec![
                Algorithm::RS256,
                Algorithm::PS256,
                Algorithm::ES256,
                Algorithm::EdDSA,
            ],
            leeway: Duration::from_secs(5),
            strict_type: false,
        }
    }
}

/// Validates access tokens against the requirements and the provider's keys.
pub struct JwtValidator {
    requirements: Requirements,
    jwks: Arc<JwksCache>,
    clock: Arc<dyn Clock>,
}

impl JwtValidator {
    pub fn new(requirements: Requirements, jwks: Arc<JwksCache>, clock: Arc<dyn Clock>) -> Self {
        JwtValidator {
            requirements,
            jwks,
            clock,
        }
    }

    pub fn requirements(&self) -> &Requirements {
        &self.requirements
    }

    pub fn jwks(&self) -> &Arc<JwksCache> {
        &self.jwks
    }

    /// The token's claims if it is valid now.
    pub async fn validate(&self, token: &str) -> Result<Claims, JwtError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(JwtError::TooLarge);
        }
        let header = jws::header(token).map_err(|_| JwtError::Malformed)?;
        let r = &self.requirements;
        if r.strict_type
            && !header.typ.as_deref().is_some_and(|t| {
                t.eq_ignore_ascii_case("at+jwt") || t.eq_ignore_ascii_case("application/at+jwt")
            })
        {
            return Err(JwtError::Type);
        }
        let key = self
            .jwks
            .key(header.kid.as_deref())
            .await
            .ok_or(JwtError::UnknownKey)?;
        if !r.algorithms.contains(&key.alg) {
            return Err(JwtError::Algorithm);
        }
        let claims = jws::verify(token, &header, &key).map_err(|e| match e {
            JwsError::Malformed => JwtError::Malformed,
            JwsError::Algorithm => JwtError::Algorithm,
            JwsError::Signature => JwtError::Signature,
        })?;
        self.check_claims(&claims)?;
        Ok(Claims::from_map(claims))
    }

    /// `iss`, `aud`, `exp` (required) and `nbf`, as integers, on the injected clock.
    fn check_claims(&self, claims: &Map<String, Value>) -> Result<(), JwtError> {
        let r = &self.requirements;
        if claims.get("iss").and_then(Value::as_str) != Some(r.issuer.as_str()) {
            return Err(JwtError::Issuer);
        }
        let accepted = |a: &str| r.audiences.iter().any(|x| x == a);
        let audience_ok = match claims.get("aud") {
            Some(Value::String(a)) => accepted(a),
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).any(accepted),
            _ => false,
        };
        if !audience_ok {
            return Err(JwtError::Audience);
        }
        let now = self.clock.now();
        let leeway = i64::try_from(r.leeway.as_secs()).unwrap_or(0);
        let time = |name: &'static str| -> Result<Option<i64>, JwtError> {
            match claims.get(name) {
                None => Ok(None),
                Some(v) => v.as_i64().map(Some).ok_or(JwtError::Claim(name)),
            }
        };
        let exp = time("exp")?.ok_or(JwtError::Claim("exp"))?;
        if exp.saturating_add(leeway) <= now {
            return Err(JwtError::Expired);
        }
        if let Some(nbf) = time("nbf")?
            && nbf > now.saturating_add(leeway)
        {
            return Err(JwtError::NotYetValid);
        }
        time("iat")?;
        Ok(())
    }
}

impl std::fmt::Debug for JwtValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtValidator")
            .field("requirements", &self.requirements)
            .field("jwks", &self.jwks)
            .finish_non_exhaustive()
    }
}
