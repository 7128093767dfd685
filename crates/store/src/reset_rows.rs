//! Password-reset and email-verification tickets as both backends store them: the rows,
//! their columns and the statements that are the same on SQLite and PostgreSQL.

use portcullis_core::email_verification::VerificationTicket;
use portcullis_core::password_reset::ResetTicket;
use portcullis_core::{TenantId, UnixTime, UserId};

pub(crate) const PASSWORD_RESETS: &str = "password_resets";

pub(crate) const RESET_COLUMNS: &str =
    "tenant_id, ticket_hash, user_id, created_at, expires_at, consumed_at";

pub(crate) const INSERT_RESET: &str = "INSERT INTO password_resets (tenant_id, ticket_hash, \
     user_id, created_at, expires_at, consumed_at) VALUES ($1, $2, $3, $4, $5, $6)";

pub(crate) const COUNT_RESETS_SINCE: &str = "SELECT COUNT(*) FROM password_resets \
     WHERE tenant_id = $1 AND user_id = $2 AND created_at >= $3";

/// Consumes one ticket if it is unconsumed and unexpired at `$1`; binds `$1` = at,
/// `$2` = tenant, `$3` = ticket hash.
pub(crate) fn consume_reset_sql() -> String {
    format!(
        "UPDATE password_resets SET consumed_at = $1 \
         WHERE tenant_id = $2 AND ticket_hash = $3 AND consumed_at IS NULL \
         AND expires_at > $1 RETURNING {RESET_COLUMNS}"
    )
}

/// Binds `$1` = password hash, `$2` = at, `$3` = tenant, `$4` = user.
pub(crate) const SET_PASSWORD: &str = "UPDATE users SET password_hash = $1, updated_at = $2 \
     WHERE tenant_id = $3 AND user_id = $4";

/// Spends the user's other live tickets; binds `$1` = at, `$2` = tenant, `$3` = user.
pub(crate) const SPEND_OTHER_RESETS: &str = "UPDATE password_resets SET consumed_at = $1 \
     WHERE tenant_id = $2 AND user_id = $3 AND consumed_at IS NULL";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ResetRow {
    tenant_id: String,
    ticket_hash: String,
    user_id: String,
    created_at: i64,
    expires_at: i64,
    consumed_at: Option<i64>,
}

impl From<ResetRow> for ResetTicket {
    fn from(r: ResetRow) -> Self {
        ResetTicket {
            tenant_id: TenantId::new(r.tenant_id),
            ticket_hash: r.ticket_hash,
            user_id: UserId::new(r.user_id),
            created_at: UnixTime(r.created_at),
            expires_at: UnixTime(r.expires_at),
            consumed_at: r.consumed_at.map(UnixTime),
        }
    }
}

pub(crate) const EMAIL_VERIFICATIONS: &str = "email_verifications";

pub(crate) const VERIFICATION_COLUMNS: &str =
    "tenant_id, ticket_hash, user_id, login_state, created_at, expires_at, consumed_at";

pub(crate) const INSERT_VERIFICATION: &str = "INSERT INTO email_verifications (tenant_id, \
     ticket_hash, user_id, login_state, created_at, expires_at, consumed_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Consumes one verification ticket if it is unconsumed and unexpired at `$1`; binds
/// `$1` = at, `$2` = tenant, `$3` = ticket hash.
pub(crate) fn consume_verification_sql() -> String {
    format!(
        "UPDATE email_verifications SET consumed_at = $1 \
         WHERE tenant_id = $2 AND ticket_hash = $3 AND consumed_at IS NULL \
         AND expires_at > $1 RETURNING {VERIFICATION_COLUMNS}"
    )
}

/// Binds `$1` = at, `$2` = tenant, `$3` = user.
pub(crate) const SET_EMAIL_VERIFIED: &str = "UPDATE users SET email_verified = TRUE, \
     updated_at = $1 WHERE tenant_id = $2 AND user_id = $3";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct VerificationRow {
    tenant_id: String,
    ticket_hash: String,
    user_id: String,
    login_state: Option<String>,
    created_at: i64,
    expires_at: i64,
    consumed_at: Option<i64>,
}

impl From<VerificationRow> for VerificationTicket {
    fn from(r: VerificationRow) -> Self {
        VerificationTicket {
            tenant_id: TenantId::new(r.tenant_id),
            ticket_hash: r.ticket_hash,
            user_id: UserId::new(r.user_id),
            login_state: r.login_state,
            created_at: UnixTime(r.created_at),
            expires_at: UnixTime(r.expires_at),
            consumed_at: r.consumed_at.map(UnixTime),
        }
    }
}

/// A row count as `u64` (a negative count cannot happen; it reads as 0).
pub(crate) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
