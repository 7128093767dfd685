//! Password reset (security cases E.37, E.39 and C.27): a ticket mailed to the address
//! on file, used once to set a new password, which kills every session and refresh-token
//! family of the user.
//!
//! - A ticket is 32 random bytes (256 bits) from the injected [`Rng`], base64url. The
//!   store keeps only its [`token_hash`] and looks it up by that hash.
//! - It expires [`TICKET_LIFETIME_SECS`] after it was made (1 hour, OWASP's Forgot
//!   Password Cheat Sheet advice of a short life; Auth0's tickets default to 5 days,
//!   which is long for a credential that sits in a mailbox).
//! - It is used once: [`Store::consume_password_reset`] consumes it and stores the new
//!   password hash in one transaction, so of two parallel uses exactly one succeeds.
//!   A successful reset also spends every other outstanding ticket of the user.
//! - Asking for a reset never tells whether the address has an account: the caller
//!   answers the same either way, and the mail goes to the address *stored* for the
//!   user, never to the text that was typed (next-auth GHSA-7rqj-j65f-68wh).
//! - At most [`MAX_TICKETS_PER_HOUR`] tickets (and so mails) per user per hour, so the
//!   form cannot be used to flood someone's inbox. Requests beyond that are dropped
//!   silently, with the same answer.

use std::fmt;

use crate::authorization_code::token_hash;
use crate::clock::{Clock, UnixTime};
use crate::error::CoreError;
use crate::ids::{TenantId, UserId};
use crate::password::{Password, PasswordHasher};
use crate::rng::{Rng, random_b64url};
use crate::signup::meets_password_policy;
use crate::store::Store;
use crate::user::{DATABASE_CONNECTION, User};

/// How long a ticket can be used: one hour.
pub const TICKET_LIFETIME_SECS: i64 = 3600;
/// The most tickets made for one user in any hour.
pub const MAX_TICKETS_PER_HOUR: u64 = 5;
/// The longest ticket accepted from a request (a real one is 43 characters).
const MAX_TICKET_LEN: usize = 128;

/// A stored reset ticket. The ticket itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetTicket {
    pub tenant_id: TenantId,
    /// [`token_hash`] of the ticket.
    pub ticket_hash: String,
    pub user_id: UserId,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub consumed_at: Option<UnixTime>,
}

impl ResetTicket {
    /// Whether the ticket may still be used at `at`: not consumed, not expired.
    pub fn is_usable(&self, at: UnixTime) -> bool {
        self.consumed_at.is_none() && at < self.expires_at
    }
}

/// A ticket in clear, for the one link that carries it. Its `Debug` never prints it.
#[derive(Clone)]
pub struct TicketSecret(String);

impl TicketSecret {
    pub fn generate(rng: &dyn Rng) -> Self {
        TicketSecret(random_b64url(rng, 32))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        token_hash(&self.0)
    }
}

impl fmt::Debug for TicketSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TicketSecret(<redacted>)")
    }
}

/// The [`token_hash`] of a ticket presented in a request, or `None` when it cannot be
/// one (empty, too long).
pub fn presented_ticket_hash(presented: &str) -> Option<String> {
    let t = presented.trim();
    (!t.is_empty() && t.len() <= MAX_TICKET_LEN).then(|| token_hash(t))
}

/// What [`request_reset`] did. The caller must answer the same whatever this is.
#[derive(Debug)]
pub enum ResetRequest {
    /// A ticket was made: mail `ticket` to `user.email`.
    Issued {
        user: Box<User>,
        ticket: TicketSecret,
    },
    /// No database-connection user has that address.
    NoSuchUser,
    /// The user had [`MAX_TICKETS_PER_HOUR`] tickets made in the last hour already.
    Throttled { user_id: UserId },
    /// The user exists but counting or storing its ticket failed. Kept apart from the
    /// lookup's `Err`, so a caller can answer this exactly as it answers the others.
    Failed { user_id: UserId, error: CoreError },
}

/// Makes a reset ticket for the user whose email normalises to `email`, if there is one
/// and it has not had too many this hour. `Err` only when looking the user up failed
/// (which does not depend on whether the user exists).
pub async fn request_reset(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &dyn Rng,
    tenant: &TenantId,
    email: &str,
) -> Result<ResetRequest, CoreError> {
    let Some(user) = store.user_by_email(tenant, email).await? else {
        return Ok(ResetRequest::NoSuchUser);
    };
    if user.connection != DATABASE_CONNECTION {
        return Ok(ResetRequest::NoSuchUser);
    }
    let now = clock.now();
    let recent = match store
        // The last hour: made after now - 3600.
        .count_password_resets_since(tenant, &user.user_id, now.plus_secs(-3599))
        .await
    {
        Ok(n) => n,
        Err(e) => return Ok(failed(user.user_id, e)),
    };
    if recent >= MAX_TICKETS_PER_HOUR {
        return Ok(ResetRequest::Throttled {
            user_id: user.user_id,
        });
    }
    let ticket = TicketSecret::generate(rng);
    let stored = store
        .insert_password_reset(&ResetTicket {
            tenant_id: tenant.clone(),
            ticket_hash: ticket.hash(),
            user_id: user.user_id.clone(),
            created_at: now,
            expires_at: now.plus_secs(TICKET_LIFETIME_SECS),
            consumed_at: None,
        })
        .await;
    if let Err(e) = stored {
        return Ok(failed(user.user_id, e));
    }
    Ok(ResetRequest::Issued {
        user: Box::new(user),
        ticket,
    })
}

fn failed(user_id: UserId, e: crate::store::StoreError) -> ResetRequest {
    ResetRequest::Failed {
        user_id,
        error: CoreError::Store(e),
    }
}

/// The live ticket `presented`, if it is one: found, not consumed, not expired.
pub async fn usable_ticket(
    store: &dyn Store,
    clock: &dyn Clock,
    tenant: &TenantId,
    presented: &str,
) -> Result<Option<ResetTicket>, CoreError> {
    let Some(hash) = presented_ticket_hash(presented) else {
        return Ok(None);
    };
    let ticket = store.password_reset(tenant, &hash).await?;
    Ok(ticket.filter(|t| t.is_usable(clock.now())))
}

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    /// The new password does not meet the policy. The ticket is still usable.
    #[error("password is too weak")]
    WeakPassword,
    /// Unknown, used or expired: deliberately one case.
    #[error("the reset link is invalid or has expired")]
    InvalidTicket,
    #[error(transparent)]
    Internal(#[from] CoreError),
}

impl From<crate::store::StoreError> for ResetError {
    fn from(e: crate::store::StoreError) -> Self {
        ResetError::Internal(CoreError::Store(e))
    }
}

/// What a completed reset revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetDone {
    pub user_id: UserId,
    pub sessions_revoked: u64,
    pub refresh_tokens_revoked: u64,
}

/// Uses the ticket `presented` to set `new_password`: checks the policy, hashes the
/// password, consumes the ticket and stores the hash atomically (exactly one of
/// parallel uses wins), then revokes every SSO session and refresh-token family of the
/// user (security case C.27).
///
/// The revocation runs after the password change has committed, so a login with the old
/// password that slipped in before the change is revoked too. Should the revocation
/// fail, the error is returned (the password has changed by then).
pub async fn complete_reset(
    store: &dyn Store,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    tenant: &TenantId,
    presented: &str,
    new_password: &Password,
) -> Result<ResetDone, ResetError> {
    if !meets_password_policy(new_password) {
        return Err(ResetError::WeakPassword);
    }
    // A ticket that cannot work costs no Argon2 hash.
    let Some(ticket) = usable_ticket(store, clock, tenant, presented).await? else {
        return Err(ResetError::InvalidTicket);
    };
    let hash = hasher
        .hash(new_password)
        .await
        .map_err(|e| CoreError::Password(e.to_string()))?;
    let now = clock.now();
    let Some(consumed) = store
        .consume_password_reset(tenant, &ticket.ticket_hash, &hash, now)
        .await?
    else {
        return Err(ResetError::InvalidTicket);
    };
    let sessions_revoked = store
        .revoke_user_sessions(tenant, &consumed.user_id, now)
        .await?;
    let refresh_tokens_revoked = store
        .revoke_user_refresh_tokens(tenant, &consumed.user_id, now)
        .await?;
    Ok(ResetDone {
        user_id: consumed.user_id,
        sessions_revoked,
        refresh_tokens_revoked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SystemRng;

    #[test]
    fn tickets_are_256_bits_base64url_hashed_and_redacted() {
        let rng = SystemRng::new();
        let t = TicketSecret::generate(&rng);
        assert_eq!(t.expose().len(), 43);
        assert!(
            t.expose()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(t.expose(), TicketSecret::generate(&rng).expose());
        assert_eq!(t.hash(), token_hash(t.expose()));
        assert_eq!(format!("{t:?}"), "TicketSecret(<redacted>)");
    }

    #[test]
    fn presented_tickets_are_bounded() {
        assert_eq!(presented_ticket_hash(""), None);
        assert_eq!(presented_ticket_hash("   "), None);
        assert_eq!(presented_ticket_hash(&"a".repeat(129)), None);
        assert_eq!(presented_ticket_hash(" abc "), Some(token_hash("abc")));
    }

    #[test]
    fn usable_until_expiry_and_until_consumed() {
        let t = ResetTicket {
            tenant_id: TenantId::default_tenant(),
            ticket_hash: "h".to_owned(),
            user_id: UserId::new("auth0|1"),
            created_at: UnixTime(0),
            expires_at: UnixTime(TICKET_LIFETIME_SECS),
            consumed_at: None,
        };
        assert!(t.is_usable(UnixTime(TICKET_LIFETIME_SECS - 1)));
        assert!(!t.is_usable(UnixTime(TICKET_LIFETIME_SECS)));
        let used = ResetTicket {
            consumed_at: Some(UnixTime(1)),
            ..t
        };
        assert!(!used.is_usable(UnixTime(2)));
    }
}
