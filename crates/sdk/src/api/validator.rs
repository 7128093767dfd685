//! Validating access tokens locally: the signature against the provider's cached keys,
//! then `iss`, `aud`, `exp`, `nbf` (with leeway) and, when strict, `typ: at+jwt`. The
//! algorithm is the key's, from an allow-list; a token's header never chooses it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
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
    /// Remember a verified token this long (default 60 s; zero turns it off), so a
    /// client sending the same token again costs a hash lookup instead of a signature
    /// check. `exp` and `nbf` are still checked on every request; a key removed from
    /// the JWKS stops a remembered token within this time.
    pub cache_ttl: Duration,
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
            cache_ttl: Duration::from_secs(60),
        }
    }
}

/// The most tokens remembered; past it the memory is cleared and refilled.
pub const MAX_CACHED_TOKENS: usize = 10_000;

/// Validates access tokens against the requirements and the provider's keys.
pub struct JwtValidator {
    requirements: Requirements,
    jwks: Arc<JwksCache>,
    clock: Arc<dyn Clock>,
    /// SHA-256 of a verified token → its claims and until when to trust them.
    verified: Mutex<HashMap<[u8; 32], Remembered>>,
}

struct Remembered {
    claims: Claims,
    exp: i64,
    nbf: Option<i64>,
    until: i64,
}

impl JwtValidator {
    pub fn new(requirements: Requirements, jwks: Arc<JwksCache>, clock: Arc<dyn Clock>) -> Self {
        JwtValidator {
            requirements,
            jwks,
            clock,
            verified: Mutex::new(HashMap::new()),
        }
    }

    pub fn requirements(&self) -> &Requirements {
        &self.requirements
    }

    pub fn jwks(&self) -> &Arc<JwksCache> {
        &self.jwks
    }

    /// The token's claims if it is valid now (remembered for `cache_ttl` once verified).
    pub async fn validate(&self, token: &str) -> Result<Claims, JwtError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(JwtError::TooLarge);
        }
        let remember = !self.requirements.cache_ttl.is_zero();
        let digest = remember.then(|| {
            let mut key = [0u8; 32];
            key.copy_from_slice(
                aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes()).as_ref(),
            );
            key
        });
        if let Some(digest) = &digest
            && let Some(hit) = self.recall(digest)?
        {
            return Ok(hit);
        }
        let claims = self.verify(token).await?;
        if let Some(digest) = digest {
            self.remember(digest, &claims);
        }
        Ok(claims)
    }

    /// A remembered token's claims, with its times checked again now.
    fn recall(&self, digest: &[u8; 32]) -> Result<Option<Claims>, JwtError> {
        let verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = verified.get(digest) else {
            return Ok(None);
        };
        let now = self.clock.now();
        if now >= entry.until {
            return Ok(None);
        }
        let leeway = i64::try_from(self.requirements.leeway.as_secs()).unwrap_or(0);
        if entry.exp.saturating_add(leeway) <= now {
            return Err(JwtError::Expired);
        }
        if entry
            .nbf
            .is_some_and(|nbf| nbf > now.saturating_add(leeway))
        {
            return Err(JwtError::NotYetValid);
        }
        Ok(Some(entry.claims.clone()))
    }

    fn remember(&self, digest: [u8; 32], claims: &Claims) {
        let Some(exp) = claims.get("exp").and_then(Value::as_i64) else {
            return;
        };
        let ttl = i64::try_from(self.requirements.cache_ttl.as_secs()).unwrap_or(0);
        let entry = Remembered {
            claims: claims.clone(),
            exp,
            nbf: claims.get("nbf").and_then(Value::as_i64),
            until: self.clock.now().saturating_add(ttl),
        };
        let mut verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        if verified.len() >= MAX_CACHED_TOKENS {
            verified.clear();
        }
        verified.insert(digest, entry);
    }

    /// The full check: signature, then the claims.
    async fn verify(&self, token: &str) -> Result<Claims, JwtError> {
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
