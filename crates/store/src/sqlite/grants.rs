//! Authorization codes, refresh tokens, SSO sessions and the sweep, on SQLite.
//!
//! SQLite has one writer at a time: a single `UPDATE ... RETURNING` is atomic, and a
//! transaction begun with `BEGIN IMMEDIATE` holds the write lock from its first
//! statement, so the rotation below runs alone.

use portcullis_core::{
    AuthorizationCode, CodeConsumption, RefreshToken, Rotation, SsoSession, StoreError, TenantId,
    UnixTime, UserId,
};
use sqlx::{AssertSqlSafe, Sqlite, SqlitePool, Transaction};

use crate::errors::db_error;
use crate::refresh::{Unconsumable, judge};
use crate::rows::{
    CODE_COLUMNS, CODES, CodeRow, REFRESH_TOKEN_COLUMNS, REFRESH_TOKENS, RefreshTokenRow,
    SESSION_COLUMNS, SESSIONS, SessionRow, check_successor,
};

pub(super) async fn insert_code(
    pool: &SqlitePool,
    code: &AuthorizationCode,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO authorization_codes (tenant_id, code_hash, client_id, redirect_uri, \
         user_id, scope, audience, nonce, code_challenge, sid, auth_time, created_at, \
         expires_at, consumed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(code.tenant_id.as_str())
    .bind(code.code_hash.as_str())
    .bind(code.client_id.as_str())
    .bind(code.redirect_uri.as_str())
    .bind(code.user_id.as_str())
    .bind(code.scope.as_str())
    .bind(code.audience.as_deref())
    .bind(code.nonce.as_deref())
    .bind(code.code_challenge.as_deref())
    .bind(code.sid.as_str())
    .bind(code.auth_time.0)
    .bind(code.created_at.0)
    .bind(code.expires_at.0)
    .bind(code.consumed_at.map(|t| t.0))
    .execute(pool)
    .await
    .map_err(|e| db_error(CODES, e))?;
    Ok(())
}

pub(super) async fn consume_code(
    pool: &SqlitePool,
    tenant: &TenantId,
    code_hash: &str,
    at: UnixTime,
) -> Result<CodeConsumption, StoreError> {
    let consumed: Option<CodeRow> = sqlx::query_as(AssertSqlSafe(format!(
        "UPDATE authorization_codes SET consumed_at = $1 \
         WHERE tenant_id = $2 AND code_hash = $3 AND consumed_at IS NULL \
         RETURNING {CODE_COLUMNS}"
    )))
    .bind(at.0)
    .bind(tenant.as_str())
    .bind(code_hash)
    .fetch_optional(pool)
    .await
    .map_err(|e| db_error(CODES, e))?;
    if let Some(row) = consumed {
        return Ok(CodeConsumption::Consumed(row.into()));
    }
    let existing: Option<CodeRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {CODE_COLUMNS} FROM authorization_codes WHERE tenant_id = $1 AND code_hash = $2"
    )))
    .bind(tenant.as_str())
    .bind(code_hash)
    .fetch_optional(pool)
    .await
    .map_err(|e| db_error(CODES, e))?;
    Ok(match existing {
        Some(row) => CodeConsumption::AlreadyConsumed(row.into()),
        None => CodeConsumption::NotFound,
    })
}

async fn insert_refresh<'e, E>(
    executor: E,
    token: &RefreshToken,
    generation: u32,
) -> Result<(), StoreError>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    sqlx::query(
        "INSERT INTO refresh_tokens (tenant_id, token_hash, family_id, generation, client_id, \
         user_id, scope, audience, sid, code_hash, auth_time, created_at, expires_at, \
         idle_expires_at, consumed_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(token.tenant_id.as_str())
    .bind(token.token_hash.as_str())
    .bind(token.family_id.as_str())
    .bind(i64::from(generation))
    .bind(token.client_id.as_str())
    .bind(token.user_id.as_str())
    .bind(token.scope.as_str())
    .bind(token.audience.as_deref())
    .bind(token.sid.as_deref())
    .bind(token.code_hash.as_deref())
    .bind(token.auth_time.0)
    .bind(token.created_at.0)
    .bind(token.expires_at.0)
    .bind(token.idle_expires_at.0)
    .bind(token.consumed_at.map(|t| t.0))
    .bind(token.revoked_at.map(|t| t.0))
    .execute(executor)
    .await
    .map_err(|e| db_error(REFRESH_TOKENS, e))?;
    Ok(())
}

pub(super) async fn insert_refresh_token(
    pool: &SqlitePool,
    token: &RefreshToken,
) -> Result<(), StoreError> {
    insert_refresh(pool, token, token.generation).await
}

async fn fetch_refresh(
    tx: &mut Transaction<'static, Sqlite>,
    sql: &str,
    tenant: &TenantId,
    key: &str,
) -> Result<Option<RefreshToken>, StoreError> {
    let row: Option<RefreshTokenRow> = sqlx::query_as(AssertSqlSafe(sql.to_owned()))
        .bind(tenant.as_str())
        .bind(key)
        .fetch_optional(&mut **tx)
        .await
        .map_err(|e| db_error(REFRESH_TOKENS, e))?;
    row.map(RefreshToken::try_from).transpose()
}

pub(super) async fn rotate_refresh_token(
    pool: &SqlitePool,
    tenant: &TenantId,
    presented_hash: &str,
    next: &RefreshToken,
    at: UnixTime,
    reuse_window_secs: i64,
) -> Result<Rotation, StoreError> {
    let t = REFRESH_TOKENS;
    // On any early return `tx` is dropped, which rolls it back.
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(|e| db_error(t, e))?;
    let consumed: Option<RefreshTokenRow> = sqlx::query_as(AssertSqlSafe(format!(
        "UPDATE refresh_tokens SET consumed_at = $1 \
         WHERE tenant_id = $2 AND token_hash = $3 \
         AND consumed_at IS NULL AND revoked_at IS NULL \
         RETURNING {REFRESH_TOKEN_COLUMNS}"
    )))
    .bind(at.0)
    .bind(tenant.as_str())
    .bind(presented_hash)
    .fetch_optional(&mut *tx)
    .await
    .map_err(|e| db_error(t, e))?;
    if let Some(row) = consumed {
        let old = RefreshToken::try_from(row)?;
        check_successor(&old, next)?;
        if old.is_expired(at) {
            tx.rollback().await.map_err(|e| db_error(t, e))?;
            return Ok(Rotation::Expired);
        }
        insert_refresh(&mut *tx, next, next.generation).await?;
        tx.commit().await.map_err(|e| db_error(t, e))?;
        return Ok(Rotation::Rotated(old));
    }

    let presented = fetch_refresh(
        &mut tx,
        &format!(
            "SELECT {REFRESH_TOKEN_COLUMNS} FROM refresh_tokens \
             WHERE tenant_id = $1 AND token_hash = $2"
        ),
        tenant,
        presented_hash,
    )
    .await?;
    let Some(presented) = presented else {
        return Ok(Rotation::NotFound);
    };
    let newest = fetch_refresh(
        &mut tx,
        &format!(
            "SELECT {REFRESH_TOKEN_COLUMNS} FROM refresh_tokens \
             WHERE tenant_id = $1 AND family_id = $2 ORDER BY generation DESC LIMIT 1"
        ),
        tenant,
        &presented.family_id,
    )
    .await?
    .unwrap_or_else(|| presented.clone());
    match judge(&presented, &newest, at, reuse_window_secs) {
        Unconsumable::Revoked => Ok(Rotation::Revoked),
        Unconsumable::Expired => Ok(Rotation::Expired),
        Unconsumable::Raced => Err(StoreError::Conflict(format!(
            "{t}: the presented token changed during rotation"
        ))),
        Unconsumable::Reuse => {
            revoke_family_in(&mut tx, tenant, &presented.family_id, at).await?;
            tx.commit().await.map_err(|e| db_error(t, e))?;
            Ok(Rotation::Reused {
                family_id: presented.family_id,
            })
        }
        Unconsumable::InWindow => {
            check_successor(&presented, next)?;
            sqlx::query(
                "UPDATE refresh_tokens SET revoked_at = $1 \
                 WHERE tenant_id = $2 AND token_hash = $3 AND revoked_at IS NULL",
            )
            .bind(at.0)
            .bind(tenant.as_str())
            .bind(newest.token_hash.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| db_error(t, e))?;
            let generation = newest.generation.checked_add(1).ok_or_else(|| {
                StoreError::Conflict(format!("{t}: the family has too many generations"))
            })?;
            insert_refresh(&mut *tx, next, generation).await?;
            tx.commit().await.map_err(|e| db_error(t, e))?;
            Ok(Rotation::ReusedInWindow(presented))
        }
    }
}

async fn revoke_family_in(
    tx: &mut Transaction<'static, Sqlite>,
    tenant: &TenantId,
    family_id: &str,
    at: UnixTime,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $1 \
         WHERE tenant_id = $2 AND family_id = $3 AND revoked_at IS NULL",
    )
    .bind(at.0)
    .bind(tenant.as_str())
    .bind(family_id)
    .execute(&mut **tx)
    .await
    .map_err(|e| db_error(REFRESH_TOKENS, e))?;
    Ok(done.rows_affected())
}

/// Revokes every unrevoked token of the families that have a token where `column`
/// (`family_id`, `code_hash` or `user_id`, never input) equals `value`. One statement:
/// atomic on SQLite.
async fn revoke_families_where(
    pool: &SqlitePool,
    column: &'static str,
    tenant: &TenantId,
    value: &str,
    at: UnixTime,
) -> Result<u64, StoreError> {
    let done = sqlx::query(AssertSqlSafe(format!(
        "UPDATE refresh_tokens SET revoked_at = $1 \
         WHERE tenant_id = $2 AND revoked_at IS NULL AND family_id IN \
         (SELECT family_id FROM refresh_tokens WHERE tenant_id = $2 AND {column} = $3)"
    )))
    .bind(at.0)
    .bind(tenant.as_str())
    .bind(value)
    .execute(pool)
    .await
    .map_err(|e| db_error(REFRESH_TOKENS, e))?;
    Ok(done.rows_affected())
}

pub(super) async fn revoke_refresh_family(
    pool: &SqlitePool,
    tenant: &TenantId,
    family_id: &str,
    at: UnixTime,
) -> Result<u64, StoreError> {
    revoke_families_where(pool, "family_id", tenant, family_id, at).await
}

pub(super) async fn revoke_refresh_by_code(
    pool: &SqlitePool,
    tenant: &TenantId,
    code_hash: &str,
    at: UnixTime,
) -> Result<u64, StoreError> {
    revoke_families_where(pool, "code_hash", tenant, code_hash, at).await
}

pub(super) async fn revoke_user_refresh_tokens(
    pool: &SqlitePool,
    tenant: &TenantId,
    user_id: &UserId,
    at: UnixTime,
) -> Result<u64, StoreError> {
    revoke_families_where(pool, "user_id", tenant, user_id.as_str(), at).await
}

pub(super) async fn refresh_token(
    pool: &SqlitePool,
    tenant: &TenantId,
    token_hash: &str,
) -> Result<Option<RefreshToken>, StoreError> {
    let row: Option<RefreshTokenRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {REFRESH_TOKEN_COLUMNS} FROM refresh_tokens \
         WHERE tenant_id = $1 AND token_hash = $2"
    )))
    .bind(tenant.as_str())
    .bind(token_hash)
    .fetch_optional(pool)
    .await
    .map_err(|e| db_error(REFRESH_TOKENS, e))?;
    row.map(RefreshToken::try_from).transpose()
}

pub(super) async fn insert_session(
    pool: &SqlitePool,
    session: &SsoSession,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sso_sessions (tenant_id, id_hash, sid, user_id, auth_time, created_at, \
         last_active_at, expires_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(session.tenant_id.as_str())
    .bind(session.id_hash.as_str())
    .bind(session.sid.as_str())
    .bind(session.user_id.as_str())
    .bind(session.auth_time.0)
    .bind(session.created_at.0)
    .bind(session.last_active_at.0)
    .bind(session.expires_at.0)
    .bind(session.revoked_at.map(|t| t.0))
    .execute(pool)
    .await
    .map_err(|e| db_error(SESSIONS, e))?;
    Ok(())
}

pub(super) async fn session(
    pool: &SqlitePool,
    tenant: &TenantId,
    id_hash: &str,
) -> Result<Option<SsoSession>, StoreError> {
    let row: Option<SessionRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {SESSION_COLUMNS} FROM sso_sessions WHERE tenant_id = $1 AND id_hash = $2"
    )))
    .bind(tenant.as_str())
    .bind(id_hash)
    .fetch_optional(pool)
    .await
    .map_err(|e| db_error(SESSIONS, e))?;
    Ok(row.map(SsoSession::from))
}
