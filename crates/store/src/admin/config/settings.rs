//! Tenant settings, replaced as one document. The queries are written once in
//! [`settings_queries`] and instantiated for each database.

/// Settings queries for the database `$db`: `$begin` starts a writing transaction,
/// `$json` follows a placeholder holding a JSON document (a cast on PostgreSQL), `$lock`
/// ends a `SELECT` whose rows must not change before the transaction commits.
macro_rules! settings_queries {
    ($db:ty, begin = $begin:literal, json = $json:literal, lock = $lock:literal) => {
        use portcullis_core::{StoreError, TenantId, TenantSettings};
        use sqlx::Pool;

        use crate::errors::db_error;
        use crate::rows::{ROLES, TENANTS, to_json};

        pub(crate) async fn replace(
            pool: &Pool<$db>,
            tenant: &TenantId,
            settings: &TenantSettings,
        ) -> Result<bool, StoreError> {
            let t = TENANTS;
            let document = to_json(t, "settings", settings)?;
            // SQLite: IMMEDIATE, so the role check and the update see the same roles.
            // PostgreSQL: the roles are read FOR SHARE, so they cannot be deleted (which
            // edits default_roles) before this commits.
            let mut tx = pool.begin_with($begin).await.map_err(|e| db_error(t, e))?;
            let updated = sqlx::query(concat!(
                "UPDATE tenants SET settings = $1",
                $json,
                " WHERE id = $2"
            ))
            .bind(document)
            .bind(tenant.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| db_error(t, e))?
            .rows_affected();
            if updated == 0 {
                tx.rollback().await.map_err(|e| db_error(t, e))?;
                return Ok(false);
            }
            for role in &settings.default_roles {
                let found: Option<(String,)> = sqlx::query_as(concat!(
                    "SELECT id FROM roles WHERE tenant_id = $1 AND id = $2",
                    $lock
                ))
                .bind(tenant.as_str())
                .bind(role.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| db_error(ROLES, e))?;
                if found.is_none() {
                    tx.rollback().await.map_err(|e| db_error(t, e))?;
                    return Err(StoreError::Conflict(
                        "tenants: default_roles names a role the tenant does not have".to_owned(),
                    ));
                }
            }
            tx.commit().await.map_err(|e| db_error(t, e))?;
            Ok(true)
        }
    };
}

pub(crate) mod sqlite {
    settings_queries!(
        sqlx::Sqlite,
        begin = "BEGIN IMMEDIATE",
        json = "",
        lock = ""
    );
}

pub(crate) mod postgres {
    settings_queries!(
        sqlx::Postgres,
        begin = "BEGIN",
        json = "::jsonb",
        lock = " FOR SHARE"
    );
}
