//! Email verification after signup, when the tenant setting
//! [`signup_requires_verification`](crate::tenant::TenantSettings::signup_requires_verification)
//! is on (security case E.37).
//!
//! - A ticket is a [`TicketSecret`]: 32 random bytes (256 bits) from the injected
//!   [`Rng`], base64url. The store keeps only its hash and looks it up by that hash.
//! - It expires [`VERIFICATION_LIFETIME_SECS`] after it was made (24 hours).
//! - It is used once: [`Store::consume_email_verification`] consumes it and marks the
//!   user's address verified in one transaction, so of two parallel uses exactly one
//!   succeeds.
//! - Using it verifies the address and nothing else: it starts no session (a mail
//!   scanner opening the link must not be logged in).

use crate::clock::{Clock, UnixTime};
use crate::error::CoreError;
use crate::ids::{TenantId, UserId};
use crate::password_reset::{TicketSecret, presented_ticket_hash};
use crate::rng::Rng;
use crate::store::Store;

/// How long a verification link works: 24 hours.
pub const VERIFICATION_LIFETIME_SECS: i64 = 24 * 3600;

/// A stored verification ticket. The ticket itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationTicket {
    pub tenant_id: TenantId,
    /// [`token_hash`](crate::authorization_code::token_hash) of the ticket.
    pub ticket_hash: String,
    pub user_id: UserId,
    /// The sealed login transaction the signup came from, if any: the page that
    /// confirms the verification links back to it while it still works.
    pub login_state: Option<String>,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub consumed_at: Option<UnixTime>,
}

impl VerificationTicket {
    /// Whether the ticket may still be used at `at`: not consumed, not expired.
    pub fn is_usable(&self, at: UnixTime) -> bool {
        self.consumed_at.is_none() && at < self.expires_at
    }
}

/// Makes and stores a verification ticket for `user_id`; returns it in clear, for the
/// one mail that carries it.
pub async fn issue_verification(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &dyn Rng,
    tenant: &TenantId,
    user_id: &UserId,
    login_state: Option<&str>,
) -> Result<TicketSecret, CoreError> {
    let ticket = TicketSecret::generate(rng);
    let now = clock.now();
    store
        .insert_email_verification(&VerificationTicket {
            tenant_id: tenant.clone(),
            ticket_hash: ticket.hash(),
            user_id: user_id.clone(),
            login_state: login_state.filter(|s| !s.is_empty()).map(str::to_owned),
            created_at: now,
            expires_at: now.plus_secs(VERIFICATION_LIFETIME_SECS),
            consumed_at: None,
        })
        .await?;
    Ok(ticket)
}

/// Uses the ticket `presented`: marks its user's address verified. `None` when the
/// ticket is unknown, used or expired (deliberately one case), and nothing changes.
pub async fn verify_email(
    store: &dyn Store,
    clock: &dyn Clock,
    tenant: &TenantId,
    presented: &str,
) -> Result<Option<VerificationTicket>, CoreError> {
    let Some(hash) = presented_ticket_hash(presented) else {
        return Ok(None);
    };
    Ok(store
        .consume_email_verification(tenant, &hash, clock.now())
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usable_until_expiry_and_until_consumed() {
        let t = VerificationTicket {
            tenant_id: TenantId::default_tenant(),
            ticket_hash: "h".to_owned(),
            user_id: UserId::new("auth0|1"),
            login_state: None,
            created_at: UnixTime(0),
            expires_at: UnixTime(VERIFICATION_LIFETIME_SECS),
            consumed_at: None,
        };
        assert!(t.is_usable(UnixTime(VERIFICATION_LIFETIME_SECS - 1)));
        assert!(!t.is_usable(UnixTime(VERIFICATION_LIFETIME_SECS)));
        let used = VerificationTicket {
            consumed_at: Some(UnixTime(1)),
            ..t
        };
        assert!(!used.is_usable(UnixTime(2)));
    }
}
