//! Password-reset and email-verification tickets on SQLite. The use of a ticket runs in
//! a `BEGIN IMMEDIATE` transaction: it holds the write lock from its first statement, so
//! two uses of one ticket run one after the other and the second finds it consumed.

use portcullis_core::email_verification::VerificationTicket;
use portcullis_core::password::PasswordHash;
use portcullis_core::password_reset::ResetTicket;
use portcullis_core::{StoreError, TenantId, UnixTime, UserId};
use sqlx::{AssertSqlSafe, SqlitePool};

use crate::errors::db_error;
use crate::reset_rows::{
    COUNT_RESETS_SINCE, EMAIL_VERIFICATIONS, INSERT_RESET, INSERT_VERIFICATION, PASSWORD_RESETS,
    RESET_COLUMNS, ResetRow, SET_EMAIL_VERIFIED, SET_PASSWORD, SPEND_OTHER_RESETS, VerificationRow,
    consume_reset_sql, consume_verification_sql, count,
};
use crate::rows::USERS;

pub(super) async fn insert_password_reset(
    pool: &SqlitePool,
    ticket: &ResetTicket,
) -> Result<(), StoreError> {
    sqlx::query(INSERT_RESET)
        .bind(ticket.tenant_id.as_str())
        .bind(ticket.ticket_hash.as_str())
        .bind(ticket.user_id.as_str())
        .bind(ticket.created_at.0)
        .bind(ticket.expires_at.0)
        .bind(ticket.consumed_at.map(|t| t.0))
        .execute(pool)
        .await
        .map_err(|e| db_error(PASSWORD_RESETS, e))?;
    Ok(())
}

pub(super) async fn password_reset(
    pool: &SqlitePool,
    tenant: &TenantId,
    ticket_hash: &str,
) -> Result<Option<ResetTicket>, StoreError> {
    let row: Option<ResetRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {RESET_COLUMNS} FROM password_resets WHERE tenant_id = $1 AND ticket_hash = $2"
    )))
    .bind(tenant.as_str())
    .bind(ticket_hash)
    .fetch_optional(pool)
    .await
    .map_err(|e| db_error(PASSWORD_RESETS, e))?;
    Ok(row.map(ResetTicket::from))
}

pub(super) async fn count_password_resets_since(
    pool: &SqlitePool,
    tenant: &TenantId,
    user_id: &UserId,
    since: UnixTime,
) -> Result<u64, StoreError> {
    let (n,): (i64,) = sqlx::query_as(COUNT_RESETS_SINCE)
        .bind(tenant.as_str())
        .bind(user_id.as_str())
        .bind(since.0)
        .fetch_one(pool)
        .await
        .map_err(|e| db_error(PASSWORD_RESETS, e))?;
    Ok(count(n))
}

pub(super) async fn consume_password_reset(
    pool: &SqlitePool,
    tenant: &TenantId,
    ticket_hash: &str,
    hash: &PasswordHash,
    at: UnixTime,
) -> Result<Option<ResetTicket>, StoreError> {
    let t = PASSWORD_RESETS;
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(|e| db_error(t, e))?;
    let consumed: Option<ResetRow> = sqlx::query_as(AssertSqlSafe(consume_reset_sql()))
        .bind(at.0)
        .bind(tenant.as_str())
        .bind(ticket_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| db_error(t, e))?;
    let Some(ticket) = consumed.map(ResetTicket::from) else {
        tx.rollback().await.map_err(|e| db_error(t, e))?;
        return Ok(None);
    };
    let updated = sqlx::query(SET_PASSWORD)
        .bind(hash.as_str())
        .bind(at.0)
        .bind(tenant.as_str())
        .bind(ticket.user_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| db_error(USERS, e))?
        .rows_affected();
    if updated != 1 {
        // The foreign key makes this unreachable; never consume a ticket for nobody.
        tx.rollback().await.map_err(|e| db_error(t, e))?;
        return Ok(None);
    }
    sqlx::query(SPEND_OTHER_RESETS)
        .bind(at.0)
        .bind(tenant.as_str())
        .bind(ticket.user_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| db_error(t, e))?;
    tx.commit().await.map_err(|e| db_error(t, e))?;
    Ok(Some(ticket))
}

pub(super) async fn insert_email_verification(
    pool: &SqlitePool,
    ticket: &VerificationTicket,
) -> Result<(), StoreError> {
    sqlx::query(INSERT_VERIFICATION)
        .bind(ticket.tenant_id.as_str())
        .bind(ticket.ticket_hash.as_str())
        .bind(ticket.user_id.as_str())
        .bind(ticket.login_state.as_deref())
        .bind(ticket.created_at.0)
        .bind(ticket.expires_at.0)
        .bind(ticket.consumed_at.map(|t| t.0))
        .execute(pool)
        .await
        .map_err(|e| db_error(EMAIL_VERIFICATIONS, e))?;
    Ok(())
}

pub(super) async fn consume_email_verification(
    pool: &SqlitePool,
    tenant: &TenantId,
    ticket_hash: &str,
    at: UnixTime,
) -> Result<Option<VerificationTicket>, StoreError> {
    let t = EMAIL_VERIFICATIONS;
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(|e| db_error(t, e))?;
    let consumed: Option<VerificationRow> =
        sqlx::query_as(AssertSqlSafe(consume_verification_sql()))
            .bind(at.0)
            .bind(tenant.as_str())
            .bind(ticket_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| db_error(t, e))?;
    let Some(ticket) = consumed.map(VerificationTicket::from) else {
        tx.rollback().await.map_err(|e| db_error(t, e))?;
        return Ok(None);
    };
    let updated = sqlx::query(SET_EMAIL_VERIFIED)
        .bind(at.0)
        .bind(tenant.as_str())
        .bind(ticket.user_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| db_error(USERS, e))?
        .rows_affected();
    if updated != 1 {
        // The foreign key makes this unreachable; never consume a ticket for nobody.
        tx.rollback().await.map_err(|e| db_error(t, e))?;
        return Ok(None);
    }
    tx.commit().await.map_err(|e| db_error(t, e))?;
    Ok(Some(ticket))
}
