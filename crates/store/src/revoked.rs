//! Revoked grants (portcullis_core::revocation), with one SQL text for both databases:
//! the statements are plain enough for SQLite and PostgreSQL alike.

use portcullis_core::{StoreError, TenantId, UnixTime};
use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use crate::errors::db_error;

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
