//! Authorization codes, stored by the hash of the code (never the code), consumed once.
//!
//! Also [`token_hash`], the one hash used to store every opaque bearer value we hand out
//! (codes, refresh tokens, session cookie ids) and to look it up again.

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::clock::UnixTime;
use crate::ids::{ClientId, TenantId, UserId};

/// SHA-256 of an opaque token, base64url without padding (43 characters).
///
/// A fast hash is right: the tokens are at least 256 random bits, so there is nothing
/// for a slow hash to protect, and looking a token up by its hash means the database
/// never holds a value that works when presented (and no comparison of secrets happens
/// outside the index lookup; security case C.35).
pub fn token_hash(token: &str) -> String {
    let d = digest::digest(&digest::SHA256, token.as_bytes());
    URL_SAFE_NO_PAD.encode(d.as_ref())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCode {
    pub tenant_id: TenantId,
    /// [`token_hash`] of the code.
    pub code_hash: String,
    pub client_id: ClientId,
    /// The `redirect_uri` of the authorization request, which the token request must
    /// repeat exactly.
    pub redirect_uri: String,
    pub user_id: UserId,
    pub scope: String,
    pub audience: Option<String>,
    pub nonce: Option<String>,
    /// The S256 PKCE challenge (the only method accepted).
    pub code_challenge: Option<String>,
    /// The SSO session's public id, for the ID token's `sid`.
    pub sid: String,
    pub auth_time: UnixTime,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub consumed_at: Option<UnixTime>,
}

impl AuthorizationCode {
    /// Whether the code has expired at `at` (it is valid while `at < expires_at`).
    pub fn is_expired(&self, at: UnixTime) -> bool {
        at >= self.expires_at
    }
}

/// What consuming a code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeConsumption {
    /// This call consumed the code (its `consumed_at` is now set). Expiry, client and
    /// redirect URI are the caller's to check.
    Consumed(AuthorizationCode),
    /// The code had been consumed before: a replay (security case C.19). The caller
    /// revokes what the first exchange issued.
    AlreadyConsumed(AuthorizationCode),
    NotFound,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hash_is_sha256_base64url() {
        // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad
        assert_eq!(
            token_hash("abc"),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
        assert_eq!(token_hash("").len(), 43);
    }
}
