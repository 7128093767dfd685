//! Roles, their permissions and members. The queries are written once in
//! [`role_queries`] and instantiated for each database.

/// Role queries for the database `$db`: `$begin` starts a writing transaction, `$json`
/// follows a placeholder holding a JSON document (a cast on PostgreSQL).
macro_rules! role_queries {
    ($db:ty, begin = $begin:literal, json = $json:literal) => {
        use portcullis_core::rbac_admin::{Permission, PermissionRef, RoleMember, RoleUpdate};
        use portcullis_core::{Page, PageRequest, Role, RoleId, StoreError, TenantId, UserId};
        use sqlx::{Pool, Row};

        use crate::admin::rbac::{ROLE_COLUMNS, like_pattern, permission_of, write_permissions};
        use crate::admin::{offset, to_total};
        use crate::errors::db_error;
        use crate::rows::{ROLE_PERMISSIONS, ROLES, RoleRow, TENANTS, USER_ROLES, USERS};

        pub(crate) async fn list(
            pool: &Pool<$db>,
            tenant: &TenantId,
            name_filter: Option<&str>,
            page: PageRequest,
        ) -> Result<Page<Role>, StoreError> {
            let filter = name_filter.map(like_pattern);
            let (rows, total): (Vec<RoleRow>, (i64,)) = match &filter {
                None => (
                    sqlx::query_as(
                        "SELECT tenant_id, id, name, description, created_at FROM roles \
                         WHERE tenant_id = $1 ORDER BY name, id LIMIT $2 OFFSET $3",
                    )
                    .bind(tenant.as_str())
                    .bind(i64::from(page.per_page))
                    .bind(offset(page))
                    .fetch_all(pool)
                    .await
                    .map_err(|e| db_error(ROLES, e))?,
                    sqlx::query_as("SELECT COUNT(*) FROM roles WHERE tenant_id = $1")
                        .bind(tenant.as_str())
                        .fetch_one(pool)
                        .await
                        .map_err(|e| db_error(ROLES, e))?,
                ),
                Some(pattern) => (
                    sqlx::query_as(
                        "SELECT tenant_id, id, name, description, created_at FROM roles \
                         WHERE tenant_id = $1 AND LOWER(name) LIKE $2 ESCAPE '\\' \
                         ORDER BY name, id LIMIT $3 OFFSET $4",
                    )
                    .bind(tenant.as_str())
                    .bind(pattern.as_str())
                    .bind(i64::from(page.per_page))
                    .bind(offset(page))
                    .fetch_all(pool)
                    .await
                    .map_err(|e| db_error(ROLES, e))?,
                    sqlx::query_as(
                        "SELECT COUNT(*) FROM roles \
                         WHERE tenant_id = $1 AND LOWER(name) LIKE $2 ESCAPE '\\'",
                    )
                    .bind(tenant.as_str())
                    .bind(pattern.as_str())
                    .fetch_one(pool)
                    .await
                    .map_err(|e| db_error(ROLES, e))?,
                ),
            };
            Ok(Page {
                items: rows.into_iter().map(Role::from).collect(),
                total: to_total(total.0),
            })
        }

        pub(crate) async fn update(
            pool: &Pool<$db>,
            tenant: &TenantId,
            id: &RoleId,
            update: &RoleUpdate,
        ) -> Result<Option<Role>, StoreError> {
            let mut tx = pool
                .begin_with($begin)
                .await
                .map_err(|e| db_error(ROLES, e))?;
            let done = sqlx::query(
                "UPDATE roles SET name = COALESCE($3, name), \
                 description = COALESCE($4, description) WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.as_str())
            .bind(id.as_str())
            .bind(update.name.as_deref())
            .bind(update.description.as_deref())
            .execute(&mut *tx)
            .await
            .map_err(|e| db_error(ROLES, e))?;
            if done.rows_affected() == 0 {
                return Ok(None);
            }
            let row: RoleRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {ROLE_COLUMNS} FROM roles WHERE tenant_id = $1 AND id = $2"
            )))
            .bind(tenant.as_str())
            .bind(id.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| db_error(ROLES, e))?;
            tx.commit().await.map_err(|e| db_error(ROLES, e))?;
            Ok(Some(Role::from(row)))
        }

        /// Deletes the role (its members and permissions go by cascade) and takes it out
        /// of the tenant's `default_roles`, so that signing up never names a missing role.
        pub(crate) async fn delete(
            pool: &Pool<$db>,
            tenant: &TenantId,
            id: &RoleId,
        ) -> Result<bool, StoreError> {
            let mut tx = pool
                .begin_with($begin)
                .await
                .map_err(|e| db_error(ROLES, e))?;
            let done = sqlx::query("DELETE FROM roles WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.as_str())
                .bind(id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| db_error(ROLES, e))?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            let settings: Option<(String,)> =
                sqlx::query_as("SELECT CAST(settings AS TEXT) FROM tenants WHERE id = $1")
                    .bind(tenant.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(|e| db_error(TENANTS, e))?;
            if let Some((text,)) = settings {
                let mut value: serde_json::Value =
                    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
                        table: TENANTS,
                        detail: format!("settings: {e}"),
                    })?;
                let changed = match value
                    .get_mut("default_roles")
                    .and_then(serde_json::Value::as_array_mut)
                {
                    Some(list) => {
                        let before = list.len();
                        list.retain(|r| r.as_str() != Some(id.as_str()));
                        list.len() != before
                    }
                    None => false,
                };
                if changed {
                    sqlx::query(concat!(
                        "UPDATE tenants SET settings = $1",
                        $json,
                        " WHERE id = $2"
                    ))
                    .bind(value.to_string())
                    .bind(tenant.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| db_error(TENANTS, e))?;
                }
            }
            tx.commit().await.map_err(|e| db_error(ROLES, e))?;
            Ok(true)
        }

        pub(crate) async fn permissions(
            pool: &Pool<$db>,
            tenant: &TenantId,
            role: &RoleId,
            page: PageRequest,
        ) -> Result<Page<Permission>, StoreError> {
            let rows = sqlx::query(
                "SELECT rp.resource_server_identifier, rp.permission_name, rs.name, \
                 CAST(rs.scopes AS TEXT) FROM role_permissions rp \
                 JOIN resource_servers rs ON rs.tenant_id = rp.tenant_id \
                 AND rs.identifier = rp.resource_server_identifier \
                 WHERE rp.tenant_id = $1 AND rp.role_id = $2 \
                 ORDER BY rp.resource_server_identifier, rp.permission_name \
                 LIMIT $3 OFFSET $4",
            )
            .bind(tenant.as_str())
            .bind(role.as_str())
            .bind(i64::from(page.per_page))
            .bind(offset(page))
            .fetch_all(pool)
            .await
            .map_err(|e| db_error(ROLE_PERMISSIONS, e))?;
            let (total,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM role_permissions WHERE tenant_id = $1 AND role_id = $2",
            )
            .bind(tenant.as_str())
            .bind(role.as_str())
            .fetch_one(pool)
            .await
            .map_err(|e| db_error(ROLE_PERMISSIONS, e))?;
            let mut items = Vec::with_capacity(rows.len());
            for row in rows {
                let get = |i: usize| -> Result<String, StoreError> {
                    row.try_get::<String, _>(i)
                        .map_err(|e| db_error(ROLE_PERMISSIONS, e))
                };
                items.push(permission_of(get(0)?, get(1)?, get(2)?, &get(3)?)?);
            }
            Ok(Page {
                items,
                total: to_total(total),
            })
        }

        pub(crate) async fn remove_permissions(
            pool: &Pool<$db>,
            tenant: &TenantId,
            role: &RoleId,
            permissions: &[PermissionRef],
        ) -> Result<(), StoreError> {
            write_permissions(
                pool,
                $begin,
                ROLE_PERMISSIONS,
                "DELETE FROM role_permissions WHERE tenant_id = $1 AND role_id = $2 \
                 AND resource_server_identifier = $3 AND permission_name = $4",
                tenant,
                role.as_str(),
                permissions,
            )
            .await
        }

        pub(crate) async fn members(
            pool: &Pool<$db>,
            tenant: &TenantId,
            role: &RoleId,
            page: PageRequest,
        ) -> Result<Page<RoleMember>, StoreError> {
            let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
                "SELECT u.user_id, u.email, u.name, u.picture FROM user_roles ur \
                 JOIN users u ON u.tenant_id = ur.tenant_id AND u.user_id = ur.user_id \
                 WHERE ur.tenant_id = $1 AND ur.role_id = $2 \
                 ORDER BY u.user_id LIMIT $3 OFFSET $4",
            )
            .bind(tenant.as_str())
            .bind(role.as_str())
            .bind(i64::from(page.per_page))
            .bind(offset(page))
            .fetch_all(pool)
            .await
            .map_err(|e| db_error(USER_ROLES, e))?;
            let (total,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM user_roles WHERE tenant_id = $1 AND role_id = $2",
            )
            .bind(tenant.as_str())
            .bind(role.as_str())
            .fetch_one(pool)
            .await
            .map_err(|e| db_error(USER_ROLES, e))?;
            Ok(Page {
                items: rows
                    .into_iter()
                    .map(|(user_id, email, name, picture)| RoleMember {
                        user_id: UserId::new(user_id),
                        email,
                        name,
                        picture,
                    })
                    .collect(),
                total: to_total(total),
            })
        }

        pub(crate) async fn add_members(
            pool: &Pool<$db>,
            tenant: &TenantId,
            role: &RoleId,
            users: &[UserId],
        ) -> Result<(), StoreError> {
            let t = USER_ROLES;
            let mut tx = pool.begin_with($begin).await.map_err(|e| db_error(t, e))?;
            for user in users {
                sqlx::query(
                    "INSERT INTO user_roles (tenant_id, user_id, role_id) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(tenant.as_str())
                .bind(user.as_str())
                .bind(role.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| db_error(t, e))?;
            }
            tx.commit().await.map_err(|e| db_error(t, e))
        }

        pub(crate) async fn missing_roles(
            pool: &Pool<$db>,
            tenant: &TenantId,
            roles: &[RoleId],
        ) -> Result<Vec<RoleId>, StoreError> {
            let mut missing = Vec::new();
            for role in roles {
                let found: Option<(String,)> =
                    sqlx::query_as("SELECT id FROM roles WHERE tenant_id = $1 AND id = $2")
                        .bind(tenant.as_str())
                        .bind(role.as_str())
                        .fetch_optional(pool)
                        .await
                        .map_err(|e| db_error(ROLES, e))?;
                if found.is_none() && !missing.contains(role) {
                    missing.push(role.clone());
                }
            }
            Ok(missing)
        }

        pub(crate) async fn missing_users(
            pool: &Pool<$db>,
            tenant: &TenantId,
            users: &[UserId],
        ) -> Result<Vec<UserId>, StoreError> {
            let mut missing = Vec::new();
            for user in users {
                let found: Option<(String,)> = sqlx::query_as(
                    "SELECT user_id FROM users WHERE tenant_id = $1 AND user_id = $2",
                )
                .bind(tenant.as_str())
                .bind(user.as_str())
                .fetch_optional(pool)
                .await
                .map_err(|e| db_error(USERS, e))?;
                if found.is_none() && !missing.contains(user) {
                    missing.push(user.clone());
                }
            }
            Ok(missing)
        }
    };
}

pub(crate) mod sqlite {
    role_queries!(sqlx::Sqlite, begin = "BEGIN IMMEDIATE", json = "");
}

pub(crate) mod postgres {
    role_queries!(sqlx::Postgres, begin = "BEGIN", json = "::jsonb");
}
