//! Checking a compact JWS (a JWT) with a key the cache already parsed: exactly three
//! base64url parts, the header's `alg` equal to the key's, the signature over
//! `header.payload`, and a JSON object as payload.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::VerificationKey;

/// The protected header members the SDK looks at.
#[derive(Debug, Deserialize)]
pub struct JwsHeader {
    pub alg: String,
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub typ: Option<String>,
}

/// Why a JWS was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwsError {
    /// Not three base64url parts with a JSON header and payload.
    Malformed,
    /// The header's `alg` is not the key's.
    Algorithm,
    /// The signature does not verify.
    Signature,
}

/// The header of a compact JWS, unverified (to find its key).
pub fn header(token: &str) -> Result<JwsHeader, JwsError> {
    let (header, _) = token.split_once('.').ok_or(JwsError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| JwsError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| JwsError::Malformed)
}

/// The claims of `token` if `key` signed it.
pub fn verify(
    token: &str,
    header: &JwsHeader,
    key: &VerificationKey,
) -> Result<Map<String, Value>, JwsError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwsError::Malformed);
    };
    if header.alg != format!("{:?}", key.alg) {
        return Err(JwsError::Algorithm);
    }
    let signature = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwsError::Malformed)?;
    let signing_input = &token[..h.len() + 1 + p.len()];
    if !key.verifies(signing_input.as_bytes(), &signature) {
        return Err(JwsError::Signature);
    }
    let payload = URL_SAFE_NO_PAD.decode(p).map_err(|_| JwsError::Malformed)?;
    serde_json::from_slice(&payload).map_err(|_| JwsError::Malformed)
}
