//! Registering applications and client grants, and the tenant's default roles and
//! signup-verification setting, on PostgreSQL.

use portcullis_core::{Application, ClientGrant, RoleId, StoreError, TenantId};
use sqlx::PgPool;

use crate::errors::db_error;
use crate::rows::{APPLICATIONS, ApplicationJson, CLIENT_GRANTS, ROLES, TENANTS, to_json};

pub(super) async fn insert_application(pool: &PgPool, app: &Application) -> Result<(), StoreError> {
    let json = ApplicationJson::of(app)?;
    sqlx::query(
        "INSERT INTO applications (tenant_id, client_id, name, app_type, \
         client_secret_hash, token_endpoint_auth_method, callbacks, \
         allowed_logout_urls, web_origins, grant_types, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10::jsonb, $11)",
    )
    .bind(app.tenant_id.as_str())
    .bind(app.client_id.as_str())
    .bind(app.name.as_str())
    .bind(app.app_type.as_str())
    .bind(app.client_secret_hash.as_ref().map(|h| h.as_str()))
    .bind(app.token_endpoint_auth_method.as_str())
    .bind(json.callbacks)
    .bind(json.allowed_logout_urls)
    .bind(json.web_origins)
    .bind(json.grant_types)
    .bind(app.created_at.0)
    .execute(pool)
    .await
    .map_err(|e| db_error(APPLICATIONS, e))?;
    Ok(())
}

pub(super) async fn insert_client_grant(
    pool: &PgPool,
    grant: &ClientGrant,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO client_grants (tenant_id, id, client_id, audience, scope, created_at) \
         VALUES ($1, $2, $3, $4, $5::jsonb, $6)",
    )
    .bind(grant.tenant_id.as_str())
    .bind(grant.id.as_str())
    .bind(grant.client_id.as_str())
    .bind(grant.audience.as_str())
    .bind(to_json(CLIENT_GRANTS, "scope", &grant.scope)?)
    .bind(grant.created_at.0)
    .execute(pool)
    .await
    .map_err(|e| db_error(CLIENT_GRANTS, e))?;
    Ok(())
}

pub(super) async fn set_default_roles(
    pool: &PgPool,
    tenant: &TenantId,
    roles: &[RoleId],
) -> Result<bool, StoreError> {
    let roles = distinct(roles);
    let list = to_json(TENANTS, "default_roles", &roles)?;
    let mut tx = pool.begin().await.map_err(|e| db_error(TENANTS, e))?;
    let updated = sqlx::query(
        "UPDATE tenants SET settings = jsonb_set(settings, '{default_roles}', $1::jsonb, true) \
         WHERE id = $2",
    )
    .bind(list.as_str())
    .bind(tenant.as_str())
    .execute(&mut *tx)
    .await
    .map_err(|e| db_error(TENANTS, e))?
    .rows_affected();
    if updated == 0 {
        tx.rollback().await.map_err(|e| db_error(TENANTS, e))?;
        return Ok(false);
    }
    // FOR SHARE: the roles cannot be deleted before this commits.
    let found: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM roles WHERE tenant_id = $1 AND id = ANY($2) FOR SHARE")
            .bind(tenant.as_str())
            .bind(&roles)
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| db_error(ROLES, e))?;
    if found.len() != roles.len() {
        tx.rollback().await.map_err(|e| db_error(TENANTS, e))?;
        return Err(no_such_role());
    }
    tx.commit().await.map_err(|e| db_error(TENANTS, e))?;
    Ok(true)
}

pub(super) async fn set_signup_requires_verification(
    pool: &PgPool,
    tenant: &TenantId,
    on: bool,
) -> Result<bool, StoreError> {
    let value = if on { "true" } else { "false" };
    let updated = sqlx::query(
        "UPDATE tenants SET settings = \
         jsonb_set(settings, '{signup_requires_verification}', $1::jsonb, true) WHERE id = $2",
    )
    .bind(value)
    .bind(tenant.as_str())
    .execute(pool)
    .await
    .map_err(|e| db_error(TENANTS, e))?
    .rows_affected();
    Ok(updated > 0)
}

/// The role ids as strings, repeats dropped, order kept.
fn distinct(roles: &[RoleId]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::with_capacity(roles.len());
    for r in roles {
        if !out.contains(&r.as_str()) {
            out.push(r.as_str());
        }
    }
    out
}

fn no_such_role() -> StoreError {
    StoreError::Conflict("tenants: default_roles names a role the tenant does not have".to_owned())
}
