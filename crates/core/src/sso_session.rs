//! The authorization server's own login sessions (SSO): the browser holds a random
//! cookie value, the store holds its [`token_hash`](crate::authorization_code::token_hash).

use crate::clock::UnixTime;
use crate::ids::{TenantId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSession {
    pub tenant_id: TenantId,
    /// [`token_hash`](crate::authorization_code::token_hash) of the cookie value.
    pub id_hash: String,
    /// The public session id, for the ID token's `sid` and logout tokens. Unique per
    /// tenant; never the cookie value.
    pub sid: String,
    pub user_id: UserId,
    pub auth_time: UnixTime,
    pub created_at: UnixTime,
    pub last_active_at: UnixTime,
    /// Absolute expiry.
    pub expires_at: UnixTime,
    pub revoked_at: Option<UnixTime>,
}

impl SsoSession {
    /// Whether the session may be used at `at`: not revoked, before its absolute expiry,
    /// and active within the last `idle_secs` seconds.
    pub fn is_active(&self, at: UnixTime, idle_secs: i64) -> bool {
        self.revoked_at.is_none()
            && at < self.expires_at
            && at < self.last_active_at.plus_secs(idle_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_checks_revocation_absolute_and_idle() {
        let s = SsoSession {
            tenant_id: TenantId::default_tenant(),
            id_hash: "h".to_owned(),
            sid: "s".to_owned(),
            user_id: UserId::new("auth0|1"),
            auth_time: UnixTime(0),
            created_at: UnixTime(0),
            last_active_at: UnixTime(10),
            expires_at: UnixTime(100),
            revoked_at: None,
        };
        assert!(s.is_active(UnixTime(19), 10));
        assert!(!s.is_active(UnixTime(20), 10));
        assert!(s.is_active(UnixTime(99), 1000));
        assert!(!s.is_active(UnixTime(100), 1000));
        let revoked = SsoSession {
            revoked_at: Some(UnixTime(5)),
            ..s
        };
        assert!(!revoked.is_active(UnixTime(11), 10));
    }
}
