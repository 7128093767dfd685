//! Refresh tokens: stored hashed, rotated on every use, reuse detected per family.
//!
//! A *family* is every refresh token descended from one authorization code exchange.
//! Its tokens form a chain numbered by `generation` (0, 1, 2, ...): using the newest
//! consumes it and adds the next. At any time a family has at most one live token.
//!
//! Presenting a consumed token again is reuse, and revokes the whole family (security
//! case C.27), with one exception, Auth0's "rotation overlap period"
//! ([`TenantSettings::refresh_token_reuse_window`](crate::TenantSettings)): within that
//! many seconds of its rotation, the token that was rotated last (the immediate
//! predecessor of the newest) may be presented once more, for a client whose response
//! was lost. That issues a new token in place of the newest one, which is revoked, so the
//! family still has exactly one live token, and the same token presented a second time
//! is reuse.

use crate::clock::UnixTime;
use crate::ids::{ClientId, TenantId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub tenant_id: TenantId,
    /// [`token_hash`](crate::authorization_code::token_hash) of the token.
    pub token_hash: String,
    pub family_id: String,
    /// 0 for the token issued by the code exchange, +1 for each rotation.
    pub generation: u32,
    pub client_id: ClientId,
    pub user_id: UserId,
    pub scope: String,
    pub audience: Option<String>,
    /// The SSO session the family was issued under.
    pub sid: Option<String>,
    /// [`token_hash`](crate::authorization_code::token_hash) of the authorization code
    /// the family came from, so a replayed code revokes it.
    pub code_hash: Option<String>,
    /// When the user authenticated for the family (the code's `auth_time`), repeated in
    /// the ID tokens issued on refresh (OpenID Connect Core §12.2).
    pub auth_time: UnixTime,
    pub created_at: UnixTime,
    /// Absolute expiry of the family: every token of the family carries the same value.
    pub expires_at: UnixTime,
    /// Inactivity expiry of this token.
    pub idle_expires_at: UnixTime,
    pub consumed_at: Option<UnixTime>,
    pub revoked_at: Option<UnixTime>,
}

impl RefreshToken {
    /// Whether the token has expired at `at`, absolutely or by inactivity (it is valid
    /// while `at` is before both).
    pub fn is_expired(&self, at: UnixTime) -> bool {
        at >= self.expires_at || at >= self.idle_expires_at
    }

    /// Whether the token can be used at `at`: neither consumed, revoked nor expired.
    pub fn is_live(&self, at: UnixTime) -> bool {
        self.consumed_at.is_none() && self.revoked_at.is_none() && !self.is_expired(at)
    }
}

/// What presenting a refresh token for rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// The presented token (returned, now consumed) was live and `next` replaced it.
    Rotated(RefreshToken),
    /// The presented token (returned) had been rotated within the overlap period and is
    /// the immediate predecessor of the family's newest token: `next` was stored as the
    /// family's new newest token (with generation = the newest's + 1, whatever `next`
    /// said), and the token it replaces was revoked.
    ReusedInWindow(RefreshToken),
    /// The presented token had been used before: this call revoked every token of the
    /// family.
    Reused {
        family_id: String,
    },
    /// The presented token was revoked (by logout, revocation, a password change or an
    /// earlier reuse). Nothing changed.
    Revoked,
    /// The presented token (or its family) has expired. Nothing changed.
    Expired,
    NotFound,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_absolute_and_idle() {
        let t = RefreshToken {
            tenant_id: TenantId::default_tenant(),
            token_hash: "h".to_owned(),
            family_id: "f".to_owned(),
            generation: 0,
            client_id: ClientId::new("c"),
            user_id: UserId::new("auth0|1"),
            scope: "openid offline_access".to_owned(),
            audience: None,
            sid: None,
            code_hash: None,
            auth_time: UnixTime(0),
            created_at: UnixTime(0),
            expires_at: UnixTime(100),
            idle_expires_at: UnixTime(50),
            consumed_at: None,
            revoked_at: None,
        };
        assert!(t.is_live(UnixTime(49)));
        assert!(!t.is_live(UnixTime(50)));
        let later_idle = RefreshToken {
            idle_expires_at: UnixTime(500),
            ..t.clone()
        };
        assert!(later_idle.is_live(UnixTime(99)));
        assert!(later_idle.is_expired(UnixTime(100)));
        let consumed = RefreshToken {
            consumed_at: Some(UnixTime(1)),
            ..t
        };
        assert!(!consumed.is_live(UnixTime(2)));
    }
}
