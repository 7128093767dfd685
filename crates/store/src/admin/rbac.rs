//! [`RbacAdmin`] on SQLite and PostgreSQL. The SQL is written once per area
//! ([`roles`], [`members`], [`apis`]) in a macro instantiated for each database, since
//! the two differ only in how a transaction starts, how a JSON parameter is written and
//! which column orders rows created in the same second.

mod apis;
mod members;
mod roles;

use async_trait::async_trait;
use portcullis_core::rbac_admin::{
    Permission, PermissionRef, RoleMember, RoleUpdate, UserPermission,
};
use portcullis_core::{
    Page, PageRequest, RbacAdmin, ResourceServer, ResourceServerId, ResourceServerScope, Role,
    RoleId, StoreError, TenantId, UserId,
};

use crate::errors::db_error;
use crate::rows::RESOURCE_SERVERS;
use crate::{PgStore, SqliteStore};

pub(crate) const USER_PERMISSIONS: &str = "user_permissions";
pub(crate) const ROLE_COLUMNS: &str = "tenant_id, id, name, description, created_at";

/// A `LIKE` pattern (escape `\`) matching names that contain `filter`, ignoring ASCII
/// case (the column is compared lowercased).
pub(crate) fn like_pattern(filter: &str) -> String {
    let mut p = String::with_capacity(filter.len() + 2);
    p.push('%');
    for c in filter.to_ascii_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// A permission with its API's name and the scope's description, read from the API's
/// `scopes` JSON (empty when the scope is no longer defined).
pub(crate) fn permission_of(
    identifier: String,
    name: String,
    api_name: String,
    scopes_json: &str,
) -> Result<Permission, StoreError> {
    let scopes: Vec<ResourceServerScope> =
        serde_json::from_str(scopes_json).map_err(|e| StoreError::Corrupt {
            table: RESOURCE_SERVERS,
            detail: format!("scopes: {e}"),
        })?;
    let description = scopes
        .into_iter()
        .find(|s| s.value == name)
        .map(|s| s.description)
        .unwrap_or_default();
    Ok(Permission {
        resource_server_identifier: identifier,
        permission_name: name,
        resource_server_name: api_name,
        description,
    })
}

/// Runs `sql` once per permission (`$1` the tenant, `$2` the holder: a role or a user,
/// `$3` the API, `$4` the permission), all in one transaction started with `begin`:
/// giving permissions to, or taking them from, a role or a user.
pub(crate) async fn write_permissions<DB>(
    pool: &sqlx::Pool<DB>,
    begin: &'static str,
    table: &'static str,
    sql: &'static str,
    tenant: &TenantId,
    holder: &str,
    permissions: &[PermissionRef],
) -> Result<(), StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
{
    let mut tx = pool
        .begin_with(begin)
        .await
        .map_err(|e| db_error(table, e))?;
    for p in permissions {
        sqlx::query::<DB>(sql)
            .bind(tenant.as_str())
            .bind(holder)
            .bind(p.resource_server_identifier.as_str())
            .bind(p.permission_name.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| db_error(table, e))?;
    }
    tx.commit().await.map_err(|e| db_error(table, e))
}

macro_rules! rbac_admin_for {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl RbacAdmin for $store {
            async fn list_roles(
                &self,
                tenant: &TenantId,
                name_filter: Option<&str>,
                page: PageRequest,
            ) -> Result<Page<Role>, StoreError> {
                roles::$db::list(self.pool(), tenant, name_filter, page).await
            }

            async fn update_role(
                &self,
                tenant: &TenantId,
                id: &RoleId,
                update: &RoleUpdate,
            ) -> Result<Option<Role>, StoreError> {
                roles::$db::update(self.pool(), tenant, id, update).await
            }

            async fn delete_role(
                &self,
                tenant: &TenantId,
                id: &RoleId,
            ) -> Result<bool, StoreError> {
                roles::$db::delete(self.pool(), tenant, id).await
            }

            async fn role_permissions(
                &self,
                tenant: &TenantId,
                role: &RoleId,
                page: PageRequest,
            ) -> Result<Page<Permission>, StoreError> {
                roles::$db::permissions(self.pool(), tenant, role, page).await
            }

            async fn remove_role_permissions(
                &self,
                tenant: &TenantId,
                role: &RoleId,
                permissions: &[PermissionRef],
            ) -> Result<(), StoreError> {
                roles::$db::remove_permissions(self.pool(), tenant, role, permissions).await
            }

            async fn role_members(
                &self,
                tenant: &TenantId,
                role: &RoleId,
                page: PageRequest,
            ) -> Result<Page<RoleMember>, StoreError> {
                roles::$db::members(self.pool(), tenant, role, page).await
            }

            async fn add_role_members(
                &self,
                tenant: &TenantId,
                role: &RoleId,
                users: &[UserId],
            ) -> Result<(), StoreError> {
                roles::$db::add_members(self.pool(), tenant, role, users).await
            }

            async fn missing_roles(
                &self,
                tenant: &TenantId,
                roles: &[RoleId],
            ) -> Result<Vec<RoleId>, StoreError> {
                roles::$db::missing_roles(self.pool(), tenant, roles).await
            }

            async fn missing_users(
                &self,
                tenant: &TenantId,
                users: &[UserId],
            ) -> Result<Vec<UserId>, StoreError> {
                roles::$db::missing_users(self.pool(), tenant, users).await
            }

            async fn user_roles(
                &self,
                tenant: &TenantId,
                user: &UserId,
                page: PageRequest,
            ) -> Result<Page<Role>, StoreError> {
                members::$db::roles(self.pool(), tenant, user, page).await
            }

            async fn remove_user_roles(
                &self,
                tenant: &TenantId,
                user: &UserId,
                roles: &[RoleId],
            ) -> Result<(), StoreError> {
                members::$db::remove_roles(self.pool(), tenant, user, roles).await
            }

            async fn user_permission_list(
                &self,
                tenant: &TenantId,
                user: &UserId,
                page: PageRequest,
            ) -> Result<Page<UserPermission>, StoreError> {
                members::$db::permission_list(self.pool(), tenant, user, page).await
            }

            async fn add_user_permissions(
                &self,
                tenant: &TenantId,
                user: &UserId,
                permissions: &[PermissionRef],
            ) -> Result<(), StoreError> {
                members::$db::add_permissions(self.pool(), tenant, user, permissions).await
            }

            async fn remove_user_permissions(
                &self,
                tenant: &TenantId,
                user: &UserId,
                permissions: &[PermissionRef],
            ) -> Result<(), StoreError> {
                members::$db::remove_permissions(self.pool(), tenant, user, permissions).await
            }

            async fn list_resource_servers(
                &self,
                tenant: &TenantId,
                page: PageRequest,
            ) -> Result<Page<ResourceServer>, StoreError> {
                apis::$db::list(self.pool(), tenant, page).await
            }

            async fn find_resource_server(
                &self,
                tenant: &TenantId,
                id_or_identifier: &str,
            ) -> Result<Option<ResourceServer>, StoreError> {
                apis::$db::find(self.pool(), tenant, id_or_identifier).await
            }

            async fn update_resource_server(
                &self,
                api: &ResourceServer,
            ) -> Result<bool, StoreError> {
                apis::$db::update(self.pool(), api).await
            }

            async fn delete_resource_server(
                &self,
                tenant: &TenantId,
                id: &ResourceServerId,
            ) -> Result<bool, StoreError> {
                apis::$db::delete(self.pool(), tenant, id).await
            }
        }
    };
}

rbac_admin_for!(SqliteStore, sqlite);
rbac_admin_for!(PgStore, postgres);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards_and_lowercase() {
        assert_eq!(like_pattern("Ad_m%n\\"), "%ad\\_m\\%n\\\\%");
        assert_eq!(like_pattern(""), "%%");
    }

    #[test]
    fn permissions_take_the_scope_description() {
        let p = permission_of(
            "urn:a".into(),
            "read".into(),
            "A".into(),
            r#"[{"value":"read","description":"Read it"}]"#,
        )
        .unwrap();
        assert_eq!(p.description, "Read it");
        let gone = permission_of("urn:a".into(), "write".into(), "A".into(), "[]").unwrap();
        assert_eq!(gone.description, "");
        assert!(permission_of("urn:a".into(), "x".into(), "A".into(), "{").is_err());
    }
}
