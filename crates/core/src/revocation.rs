//! Revoking the access tokens of one authorization (security cases C.19 and C.27).
//!
//! Access tokens are JWTs and cannot be recalled from the APIs that accept them, but this
//! server's own endpoints (`/userinfo`, `/oauth/introspect`) can refuse them. Every
//! access token issued for a user carries, in its `jti`, the *grant* it came from: the
//! authorization code's hash, shortened. The code exchange and every refresh of the
//! family it started use that grant. When the code is replayed, or the family is revoked
//! (reuse detection, `/oauth/revoke`), the grant is recorded as revoked, and the two
//! endpoints answer as for an invalid token.

use crate::clock::UnixTime;
use crate::ids::TenantId;
use crate::rng::{Rng, random_b64url};
use crate::store::{Store, StoreError};

/// Characters of the code hash that name a grant: 22 base64url characters, 132 bits.
const GRANT_ID_LEN: usize = 22;

/// How long a revoked grant is remembered: Auth0's longest access-token lifetime
/// (30 days), so no token of the grant outlives its record.
pub const REMEMBER_SECS: i64 = 2_592_000;

/// The grant started by the code whose [`crate::token_hash`] is `code_hash`.
pub fn grant_id(code_hash: &str) -> String {
    code_hash.chars().take(GRANT_ID_LEN).collect()
}

/// A `jti` for an access token of `grant` (or of no grant: machine-to-machine tokens).
pub fn jti(grant: Option<&str>, rng: &dyn Rng) -> String {
    let unique = random_b64url(rng, 16);
    match grant {
        Some(g) => format!("{g}.{unique}"),
        None => unique,
    }
}

/// The grant named in an access token's `jti`, if it names one.
pub fn grant_of_jti(jti: &str) -> Option<&str> {
    let (grant, _) = jti.split_once('.')?;
    (grant.len() == GRANT_ID_LEN).then_some(grant)
}

/// Records that the tokens of the grant of `code_hash` are revoked.
pub async fn revoke(
    store: &dyn Store,
    tenant: &TenantId,
    code_hash: &str,
    at: UnixTime,
) -> Result<(), StoreError> {
    store
        .revoke_grant(
            tenant,
            &grant_id(code_hash),
            at,
            at.plus_secs(REMEMBER_SECS),
        )
        .await
}

/// Whether the access token with this `jti` belongs to a revoked grant.
pub async fn is_revoked(
    store: &dyn Store,
    tenant: &TenantId,
    jti: &str,
) -> Result<bool, StoreError> {
    match grant_of_jti(jti) {
        Some(grant) => store.grant_revoked(tenant, grant).await,
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SystemRng;
    use crate::token_hash;

    #[test]
    fn a_grant_jti_names_its_grant_and_is_unique() {
        let hash = token_hash("some-code");
        let grant = grant_id(&hash);
        assert_eq!(grant, &hash[..22]);
        let rng = SystemRng::new();
        let (a, b) = (jti(Some(&grant), &rng), jti(Some(&grant), &rng));
        assert_ne!(a, b);
        assert_eq!(grant_of_jti(&a), Some(grant.as_str()));
        assert_eq!(a.len(), 22 + 1 + 22);
    }

    #[test]
    fn other_jtis_name_no_grant() {
        let rng = SystemRng::new();
        assert_eq!(grant_of_jti(&jti(None, &rng)), None);
        assert_eq!(grant_of_jti("short.x"), None);
        assert_eq!(grant_of_jti(""), None);
        assert_eq!(grant_of_jti("no-dot-at-all-but-quite-long"), None);
    }
}
