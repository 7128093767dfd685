//! Statements whose SQL is the same text on SQLite and PostgreSQL, written once and
//! generic over the sqlx database: SSO session updates, revoked grants
//! (portcullis_core::revocation) and the sweep.

use portcullis_core::{StoreError, TenantId, UnixTime, UserId};
use sqlx::{Database, Encode, Executor, IntoArguments, Pool, Type};

use crate::errors::db_error;
use crate::rows::SESSIONS;

/// How many rows a statement changed, whatever the database (sqlx has no common trait).
pub(crate) trait RowsAffected {
    fn rows_affected(&self) -> u64;
}

impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        self.rows_affected()
    }
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows_affected(&self) -> u64 {
        self.rows_affected()
    }
}

pub(crate) async fn touch_session<DB>(
    pool: &Pool<DB>,
    tenant: &TenantId,
    id_hash: &str,
    at: UnixTime,
) -> Result<bool, StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
    DB::QueryResult: RowsAffected,
{
    let done = sqlx::query::<DB>(
        "UPDATE sso_sessions \
         SET last_active_at = CASE WHEN last_active_at > $1 THEN last_active_at ELSE $1 END \
         WHERE tenant_id = $2 AND id_hash = $3 AND revoked_at IS NULL",
    )
    .bind(at.0)
    .bind(tenant.as_str())
    .bind(id_hash)
    .execute(pool)
    .await
    .map_err(|e| db_error(SESSIONS, e))?;
    Ok(RowsAffected::rows_affected(&done) == 1)
}

pub(crate) async fn revoke_session<DB>(
    pool: &Pool<DB>,
    tenant: &TenantId,
    id_hash: &str,
    at: UnixTime,
) -> Result<bool, StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
    DB::QueryResult: RowsAffected,
{
    let done = sqlx::query::<DB>(
        "UPDATE sso_sessions SET revoked_at = $1 \
         WHERE tenant_id = $2 AND id_hash = $3 AND revoked_at IS NULL",
    )
    .bind(at.0)
    .bind(tenant.as_str())
    .bind(id_hash)
    .execute(pool)
    .await
    .map_err(|e| db_error(SESSIONS, e))?;
    Ok(RowsAffected::rows_affected(&done) == 1)
}

pub(crate) async fn revoke_user_sessions<DB>(
    pool: &Pool<DB>,
    tenant: &TenantId,
    user_id: &UserId,
    at: UnixTime,
) -> Result<u64, StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
    DB::QueryResult: RowsAffected,
{
    let done = sqlx::query::<DB>(
        "UPDATE sso_sessions SET revoked_at = $1 \
         WHERE tenant_id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(at.0)
    .bind(tenant.as_str())
    .bind(user_id.as_str())
    .execute(pool)
    .await
    .map_err(|e| db_error(SESSIONS, e))?;
    Ok(RowsAffected::rows_affected(&done))
}

pub(crate) async fn sweep_expired<DB>(
    pool: &Pool<DB>,
    at: UnixTime,
    grace_secs: i64,
) -> Result<u64, StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
    DB::QueryResult: RowsAffected,
{
    let cutoff = at.0.saturating_sub(grace_secs.max(0));
    let mut deleted = 0;
    for (table, sql) in crate::rows::SWEEPS {
        deleted += sqlx::query::<DB>(*sql)
            .bind(cutoff)
            .execute(pool)
            .await
            .map_err(|e| db_error(table, e))
            .map(|done| RowsAffected::rows_affected(&done))?;
    }
    Ok(deleted)
}

pub(crate) const REVOKED_GRANTS: &str = "revoked_grants";

/// Records the revocation; revoking a grant twice keeps the first record.
pub(crate) async fn revoke_grant<'e, DB, E>(
    executor: E,
    tenant: &TenantId,
    grant_id: &str,
    at: UnixTime,
    until: UnixTime,
) -> Result<(), StoreError>
where
    DB: Database,
    E: Executor<'e, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
{
    sqlx::query::<DB>(
        "INSERT INTO revoked_grants (tenant_id, grant_id, revoked_at, expires_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, grant_id) DO NOTHING",
    )
    .bind(tenant.as_str())
    .bind(grant_id)
    .bind(at.0)
    .bind(until.0)
    .execute(executor)
    .await
    .map_err(|e| db_error(REVOKED_GRANTS, e))?;
    Ok(())
}

pub(crate) async fn grant_revoked<'e, DB, E>(
    executor: E,
    tenant: &TenantId,
    grant_id: &str,
) -> Result<bool, StoreError>
where
    DB: Database,
    E: Executor<'e, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
{
    let row =
        sqlx::query::<DB>("SELECT 1 FROM revoked_grants WHERE tenant_id = $1 AND grant_id = $2")
            .bind(tenant.as_str())
            .bind(grant_id)
            .fetch_optional(executor)
            .await
            .map_err(|e| db_error(REVOKED_GRANTS, e))?;
    Ok(row.is_some())
}
