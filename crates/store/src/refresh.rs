//! The refresh-token rotation rules both backends apply, once they hold the presented
//! token and the newest token of its family in one transaction. See
//! [`portcullis_core::refresh_token`] for the rules in prose.

use portcullis_core::{RefreshToken, UnixTime};

/// What to do with a presented token that could not be consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unconsumable {
    /// Revoked already: answer `Revoked`, change nothing.
    Revoked,
    /// Within the overlap period, but the token (or family) has expired since: answer
    /// `Expired`, change nothing.
    Expired,
    /// The immediate predecessor of the live newest token, presented again within the
    /// overlap period: revoke the newest and store the next token after it.
    InWindow,
    /// Reuse: revoke the whole family.
    Reuse,
    /// Neither consumed nor revoked, yet not consumable: a concurrent change the
    /// backend's locking should have excluded. Nothing changes.
    Raced,
}

/// Judges a presented token that the atomic consume did not match. `newest` is the
/// family's token with the highest generation.
pub(crate) fn judge(
    presented: &RefreshToken,
    newest: &RefreshToken,
    at: UnixTime,
    reuse_window_secs: i64,
) -> Unconsumable {
    if presented.revoked_at.is_some() {
        return Unconsumable::Revoked;
    }
    let Some(consumed_at) = presented.consumed_at else {
        return Unconsumable::Raced;
    };
    let in_window = reuse_window_secs > 0
        && at.0.saturating_sub(consumed_at.0) <= reuse_window_secs
        && presented.generation.checked_add(1) == Some(newest.generation)
        && newest.consumed_at.is_none()
        && newest.revoked_at.is_none();
    if !in_window {
        Unconsumable::Reuse
    } else if presented.is_expired(at) {
        Unconsumable::Expired
    } else {
        Unconsumable::InWindow
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_core::{ClientId, TenantId, UserId};

    fn token(generation: u32, consumed_at: Option<i64>) -> RefreshToken {
        RefreshToken {
            tenant_id: TenantId::default_tenant(),
            token_hash: format!("h{generation}"),
            family_id: "f".to_owned(),
            generation,
            client_id: ClientId::new("c"),
            user_id: UserId::new("auth0|1"),
            scope: "openid offline_access".to_owned(),
            audience: None,
            sid: None,
            code_hash: None,
            auth_time: UnixTime(0),
            created_at: UnixTime(0),
            expires_at: UnixTime(1000),
            idle_expires_at: UnixTime(500),
            consumed_at: consumed_at.map(UnixTime),
            revoked_at: None,
        }
    }

    #[test]
    fn the_rules() {
        let p = token(1, Some(100));
        let newest = token(2, None);
        let j = |p: &RefreshToken, n: &RefreshToken, at: i64, w: i64| judge(p, n, UnixTime(at), w);
        // Window 0 turns the overlap off, even in the same second.
        assert_eq!(j(&p, &newest, 100, 0), Unconsumable::Reuse);
        assert_eq!(j(&p, &newest, 130, 30), Unconsumable::InWindow);
        assert_eq!(j(&p, &newest, 131, 30), Unconsumable::Reuse);
        // Only the immediate predecessor of a live newest token.
        assert_eq!(
            j(&token(0, Some(100)), &newest, 101, 30),
            Unconsumable::Reuse
        );
        let superseded = RefreshToken {
            revoked_at: Some(UnixTime(100)),
            ..newest.clone()
        };
        assert_eq!(j(&p, &superseded, 101, 30), Unconsumable::Reuse);
        // Expired within the window: nothing happens.
        let idle_soon = RefreshToken {
            idle_expires_at: UnixTime(110),
            ..p.clone()
        };
        assert_eq!(j(&idle_soon, &newest, 110, 30), Unconsumable::Expired);
        let revoked = RefreshToken {
            revoked_at: Some(UnixTime(1)),
            ..p.clone()
        };
        assert_eq!(j(&revoked, &newest, 101, 30), Unconsumable::Revoked);
        assert_eq!(j(&token(1, None), &newest, 101, 30), Unconsumable::Raced);
    }
}
