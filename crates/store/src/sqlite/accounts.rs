//! Users, roles and permissions on SQLite.

use portcullis_core::password::PasswordHash;
use portcullis_core::{
    Role, RoleId, StoreError, TenantId, UnixTime, User, UserId, normalize_email,
};
use sqlx::SqlitePool;

use crate::errors::db_error;
use crate::rows::{ROLE_PERMISSIONS, ROLES, RoleRow, USER_ROLES, USERS, UserJson, UserRow};

const USER_COLUMNS: &str = "tenant_id, user_id, connection, email, email_verified, name, \
     nickname, picture, password_hash, blocked, user_metadata, app_metadata, created_at, \
     updated_at, last_login, logins_count";

pub(super) async fn insert_user(pool: &SqlitePool, user: &User) -> Result<(), StoreError> {
    let json = UserJson::of(user)?;
    sqlx::query(
        "INSERT INTO users (tenant_id, user_id, connection, email, email_normalized, \
         email_verified, name, nickname, picture, password_hash, blocked, user_metadata, \
         app_metadata, created_at, updated_at, last_login, logins_count) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(user.tenant_id.as_str())
    .bind(user.user_id.as_str())
    .bind(user.connection.as_str())
    .bind(user.email.as_str())
    .bind(normalize_email(&user.email))
    .bind(user.email_verified)
    .bind(user.name.as_str())
    .bind(user.nickname.as_str())
    .bind(user.picture.as_deref())
    .bind(user.password_hash.as_ref().map(PasswordHash::as_str))
    .bind(user.blocked)
    .bind(json.user_metadata)
    .bind(json.app_metadata)
    .bind(user.created_at.0)
    .bind(user.updated_at.0)
    .bind(user.last_login.map(|t| t.0))
    .bind(i64::from(user.logins_count))
    .execute(pool)
    .await
    .map_err(|e| db_error(USERS, e))?;
    Ok(())
}

pub(super) async fn user(
    pool: &SqlitePool,
    tenant: &TenantId,
    user_id: &UserId,
) -> Result<Option<User>, StoreError> {
    let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 AND user_id = $2"
    )))
    .bind(tenant.as_str())
    .bind(user_id.as_str())
    .fetch_optional(pool)
    .await
    .map_err(|e| db_error(USERS, e))?;
    row.map(User::try_from).transpose()
}

pub(super) async fn user_by_email(
    pool: &SqlitePool,
    tenant: &TenantId,
    email: &str,
) -> Result<Option<User>, StoreError> {
    let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 AND email_normalized = $2"
    )))
    .bind(tenant.as_str())
    .bind(normalize_email(email))
    .fetch_optional(pool)
    .await
    .map_err(|e| db_error(USERS, e))?;
    row.map(User::try_from).transpose()
}

pub(super) async fn set_password_hash(
    pool: &SqlitePool,
    tenant: &TenantId,
    user_id: &UserId,
    hash: &PasswordHash,
    at: UnixTime,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2 \
         WHERE tenant_id = $3 AND user_id = $4",
    )
    .bind(hash.as_str())
    .bind(at.0)
    .bind(tenant.as_str())
    .bind(user_id.as_str())
    .execute(pool)
    .await
    .map_err(|e| db_error(USERS, e))?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn record_login(
    pool: &SqlitePool,
    tenant: &TenantId,
    user_id: &UserId,
    at: UnixTime,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE users SET logins_count = logins_count + 1, last_login = $1 \
         WHERE tenant_id = $2 AND user_id = $3",
    )
    .bind(at.0)
    .bind(tenant.as_str())
    .bind(user_id.as_str())
    .execute(pool)
    .await
    .map_err(|e| db_error(USERS, e))?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn insert_role(pool: &SqlitePool, role: &Role) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO roles (tenant_id, id, name, description, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(role.tenant_id.as_str())
    .bind(role.id.as_str())
    .bind(role.name.as_str())
    .bind(role.description.as_str())
    .bind(role.created_at.0)
    .execute(pool)
    .await
    .map_err(|e| db_error(ROLES, e))?;
    Ok(())
}

pub(super) async fn role(
    pool: &SqlitePool,
    tenant: &TenantId,
    id: &RoleId,
) -> Result<Option<Role>, StoreError> {
    let row: Option<RoleRow> = sqlx::query_as(
        "SELECT tenant_id, id, name, description, created_at FROM roles \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_optional(pool)
    .await
    .map_err(|e| db_error(ROLES, e))?;
    Ok(row.map(Role::from))
}

pub(super) async fn add_role_permissions(
    pool: &SqlitePool,
    tenant: &TenantId,
    role: &RoleId,
    permissions: &[(String, String)],
) -> Result<(), StoreError> {
    let t = ROLE_PERMISSIONS;
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(|e| db_error(t, e))?;
    for (audience, permission) in permissions {
        sqlx::query(
            "INSERT INTO role_permissions \
             (tenant_id, role_id, resource_server_identifier, permission_name) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(tenant.as_str())
        .bind(role.as_str())
        .bind(audience.as_str())
        .bind(permission.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| db_error(t, e))?;
    }
    tx.commit().await.map_err(|e| db_error(t, e))
}

pub(super) async fn assign_user_roles(
    pool: &SqlitePool,
    tenant: &TenantId,
    user_id: &UserId,
    roles: &[RoleId],
) -> Result<(), StoreError> {
    let t = USER_ROLES;
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(|e| db_error(t, e))?;
    for role in roles {
        sqlx::query(
            "INSERT INTO user_roles (tenant_id, user_id, role_id) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(tenant.as_str())
        .bind(user_id.as_str())
        .bind(role.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| db_error(t, e))?;
    }
    tx.commit().await.map_err(|e| db_error(t, e))
}

pub(super) async fn user_permissions(
    pool: &SqlitePool,
    tenant: &TenantId,
    user_id: &UserId,
    audience: &str,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT rp.permission_name FROM user_roles ur \
         JOIN role_permissions rp ON rp.tenant_id = ur.tenant_id AND rp.role_id = ur.role_id \
         WHERE ur.tenant_id = $1 AND ur.user_id = $2 AND rp.resource_server_identifier = $3 \
         UNION \
         SELECT permission_name FROM user_permissions \
         WHERE tenant_id = $1 AND user_id = $2 AND resource_server_identifier = $3",
    )
    .bind(tenant.as_str())
    .bind(user_id.as_str())
    .bind(audience)
    .fetch_all(pool)
    .await
    .map_err(|e| db_error(ROLE_PERMISSIONS, e))?;
    Ok(crate::rows::sorted_distinct(rows))
}
