//! The roles and direct permissions of users. The queries are written once in
//! [`member_queries`] and instantiated for each database.

/// User role and permission queries for the database `$db`; `$begin` starts a writing
/// transaction.
macro_rules! member_queries {
    ($db:ty, begin = $begin:literal) => {
        use std::collections::BTreeMap;

        use portcullis_core::rbac_admin::{PermissionRef, PermissionSource, UserPermission};
        use portcullis_core::{Page, PageRequest, Role, RoleId, StoreError, TenantId, UserId};
        use sqlx::Pool;

        use crate::admin::rbac::{USER_PERMISSIONS, permission_of, write_permissions};
        use crate::admin::{offset, to_total};
        use crate::errors::db_error;
        use crate::rows::{RESOURCE_SERVERS, ROLE_PERMISSIONS, RoleRow, USER_ROLES};

        pub(crate) async fn roles(
            pool: &Pool<$db>,
            tenant: &TenantId,
            user: &UserId,
            page: PageRequest,
        ) -> Result<Page<Role>, StoreError> {
            let rows: Vec<RoleRow> = sqlx::query_as(
                "SELECT r.tenant_id, r.id, r.name, r.description, r.created_at \
                 FROM user_roles ur JOIN roles r ON r.tenant_id = ur.tenant_id \
                 AND r.id = ur.role_id WHERE ur.tenant_id = $1 AND ur.user_id = $2 \
                 ORDER BY r.name, r.id LIMIT $3 OFFSET $4",
            )
            .bind(tenant.as_str())
            .bind(user.as_str())
            .bind(i64::from(page.per_page))
            .bind(offset(page))
            .fetch_all(pool)
            .await
            .map_err(|e| db_error(USER_ROLES, e))?;
            let (total,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM user_roles WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(tenant.as_str())
            .bind(user.as_str())
            .fetch_one(pool)
            .await
            .map_err(|e| db_error(USER_ROLES, e))?;
            Ok(Page {
                items: rows.into_iter().map(Role::from).collect(),
                total: to_total(total),
            })
        }

        pub(crate) async fn remove_roles(
            pool: &Pool<$db>,
            tenant: &TenantId,
            user: &UserId,
            roles: &[RoleId],
        ) -> Result<(), StoreError> {
            let t = USER_ROLES;
            let mut tx = pool.begin_with($begin).await.map_err(|e| db_error(t, e))?;
            for role in roles {
                sqlx::query(
                    "DELETE FROM user_roles WHERE tenant_id = $1 AND user_id = $2 \
                     AND role_id = $3",
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

        /// Every permission row of the user (one per role that gives it, one if given
        /// directly), grouped in memory: a user holds few permissions.
        pub(crate) async fn permission_list(
            pool: &Pool<$db>,
            tenant: &TenantId,
            user: &UserId,
            page: PageRequest,
        ) -> Result<Page<UserPermission>, StoreError> {
            let rows: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT rp.resource_server_identifier, rp.permission_name, r.id, r.name \
                 FROM user_roles ur \
                 JOIN role_permissions rp ON rp.tenant_id = ur.tenant_id \
                 AND rp.role_id = ur.role_id \
                 JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id \
                 WHERE ur.tenant_id = $1 AND ur.user_id = $2 \
                 UNION ALL \
                 SELECT resource_server_identifier, permission_name, NULL, NULL \
                 FROM user_permissions WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(tenant.as_str())
            .bind(user.as_str())
            .fetch_all(pool)
            .await
            .map_err(|e| db_error(ROLE_PERMISSIONS, e))?;
            let mut grouped: BTreeMap<(String, String), Vec<PermissionSource>> = BTreeMap::new();
            for (api, name, role_id, role_name) in rows {
                let source = match (role_id, role_name) {
                    (Some(id), Some(name)) => PermissionSource::Role {
                        id: RoleId::new(id),
                        name,
                    },
                    _ => PermissionSource::Direct,
                };
                grouped.entry((api, name)).or_default().push(source);
            }
            let total = u64::try_from(grouped.len()).unwrap_or(u64::MAX);
            let skip = usize::try_from(page.offset()).unwrap_or(usize::MAX);
            let take = usize::try_from(page.per_page).unwrap_or(usize::MAX);
            let wanted: Vec<((String, String), Vec<PermissionSource>)> =
                grouped.into_iter().skip(skip).take(take).collect();
            let apis: Vec<(String, String, String)> = if wanted.is_empty() {
                Vec::new()
            } else {
                sqlx::query_as(
                    "SELECT identifier, name, CAST(scopes AS TEXT) FROM resource_servers \
                     WHERE tenant_id = $1",
                )
                .bind(tenant.as_str())
                .fetch_all(pool)
                .await
                .map_err(|e| db_error(RESOURCE_SERVERS, e))?
            };
            let mut items = Vec::with_capacity(wanted.len());
            for ((api, name), mut sources) in wanted {
                sources.sort();
                let (api_name, scopes) = apis
                    .iter()
                    .find(|(identifier, _, _)| *identifier == api)
                    .map(|(_, n, s)| (n.clone(), s.as_str()))
                    .unwrap_or_default();
                let scopes = if scopes.is_empty() { "[]" } else { scopes };
                items.push(UserPermission {
                    permission: permission_of(api, name, api_name, scopes)?,
                    sources,
                });
            }
            Ok(Page { items, total })
        }

        pub(crate) async fn add_permissions(
            pool: &Pool<$db>,
            tenant: &TenantId,
            user: &UserId,
            permissions: &[PermissionRef],
        ) -> Result<(), StoreError> {
            write_permissions(
                pool,
                $begin,
                USER_PERMISSIONS,
                "INSERT INTO user_permissions \
                 (tenant_id, user_id, resource_server_identifier, permission_name) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                tenant,
                user.as_str(),
                permissions,
            )
            .await
        }

        pub(crate) async fn remove_permissions(
            pool: &Pool<$db>,
            tenant: &TenantId,
            user: &UserId,
            permissions: &[PermissionRef],
        ) -> Result<(), StoreError> {
            write_permissions(
                pool,
                $begin,
                USER_PERMISSIONS,
                "DELETE FROM user_permissions WHERE tenant_id = $1 AND user_id = $2 \
                 AND resource_server_identifier = $3 AND permission_name = $4",
                tenant,
                user.as_str(),
                permissions,
            )
            .await
        }
    };
}

pub(crate) mod sqlite {
    member_queries!(sqlx::Sqlite, begin = "BEGIN IMMEDIATE");
}

pub(crate) mod postgres {
    member_queries!(sqlx::Postgres, begin = "BEGIN");
}
