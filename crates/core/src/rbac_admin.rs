//! Roles, their permissions and members, the roles and direct permissions of users, and
//! APIs (resource servers), for the Management API. Part of the [`Store`](crate::Store)
//! boundary.
//!
//! A permission is a scope of an API, named by the API's identifier (the audience) and
//! the scope value: `("https://orders.example/", "read:orders")`. A user holds it through
//! a role, or directly; an access token for the API carries the union of both
//! ([`Store::user_permissions`](crate::Store::user_permissions)).

use async_trait::async_trait;

use crate::ids::{RoleId, TenantId, UserId};
use crate::paging::{Page, PageRequest};
use crate::resource_server::ResourceServer;
use crate::role::Role;
use crate::store::StoreError;

/// A permission named by its API identifier and scope value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PermissionRef {
    pub resource_server_identifier: String,
    pub permission_name: String,
}

/// A permission as the Management API lists it, with its API's name and the scope's
/// description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    pub resource_server_identifier: String,
    pub permission_name: String,
    pub resource_server_name: String,
    pub description: String,
}

/// Why a user holds a permission.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PermissionSource {
    /// Given to the user directly.
    Direct,
    /// Given by one of the user's roles.
    Role { id: RoleId, name: String },
}

/// A permission of a user, with every way the user holds it (direct first, then roles
/// by id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPermission {
    pub permission: Permission,
    pub sources: Vec<PermissionSource>,
}

/// A member of a role, as `GET /roles/{id}/users` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleMember {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub picture: Option<String>,
}

/// What `update_role` changes; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
}

#[async_trait]
pub trait RbacAdmin: Send + Sync {
    // Roles.

    /// A page of the tenant's roles ordered by name then id; with `name_filter`, only
    /// those whose name contains it, ignoring ASCII case. `total` counts every match.
    async fn list_roles(
        &self,
        tenant: &TenantId,
        name_filter: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Role>, StoreError>;

    /// Changes the role's name and/or description and returns the role as it is now.
    /// `Ok(None)` when there is no such role; `Conflict`, and nothing changes, when
    /// another role of the tenant has the new name.
    async fn update_role(
        &self,
        tenant: &TenantId,
        id: &RoleId,
        update: &RoleUpdate,
    ) -> Result<Option<Role>, StoreError>;

    /// Deletes the role; its users lose it and its permissions go with it, atomically.
    /// `false` when there is no such role.
    async fn delete_role(&self, tenant: &TenantId, id: &RoleId) -> Result<bool, StoreError>;

    /// A page of the role's permissions ordered by API identifier then permission name.
    /// An unknown role has none.
    async fn role_permissions(
        &self,
        tenant: &TenantId,
        role: &RoleId,
        page: PageRequest,
    ) -> Result<Page<Permission>, StoreError>;

    /// Takes the permissions from the role, in one transaction; ones it lacks are skipped.
    async fn remove_role_permissions(
        &self,
        tenant: &TenantId,
        role: &RoleId,
        permissions: &[PermissionRef],
    ) -> Result<(), StoreError>;

    /// A page of the role's members ordered by user id. An unknown role has none.
    async fn role_members(
        &self,
        tenant: &TenantId,
        role: &RoleId,
        page: PageRequest,
    ) -> Result<Page<RoleMember>, StoreError>;

    /// Gives the role to each user, in one transaction; users who have it already are
    /// skipped. `Conflict`, and nothing changes, when the role or a user does not exist.
    async fn add_role_members(
        &self,
        tenant: &TenantId,
        role: &RoleId,
        users: &[UserId],
    ) -> Result<(), StoreError>;

    /// Of `roles`, those the tenant does not have, in the given order.
    async fn missing_roles(
        &self,
        tenant: &TenantId,
        roles: &[RoleId],
    ) -> Result<Vec<RoleId>, StoreError>;

    /// Of `users`, those the tenant does not have, in the given order.
    async fn missing_users(
        &self,
        tenant: &TenantId,
        users: &[UserId],
    ) -> Result<Vec<UserId>, StoreError>;

    // Roles and direct permissions of users.

    /// A page of the user's roles ordered by name then id.
    async fn user_roles(
        &self,
        tenant: &TenantId,
        user: &UserId,
        page: PageRequest,
    ) -> Result<Page<Role>, StoreError>;

    /// Takes the roles from the user, in one transaction; roles it lacks are skipped.
    async fn remove_user_roles(
        &self,
        tenant: &TenantId,
        user: &UserId,
        roles: &[RoleId],
    ) -> Result<(), StoreError>;

    /// A page of every permission the user holds, directly or through roles, each once
    /// with all its sources, ordered by API identifier then permission name.
    async fn user_permission_list(
        &self,
        tenant: &TenantId,
        user: &UserId,
        page: PageRequest,
    ) -> Result<Page<UserPermission>, StoreError>;

    /// Gives the permissions to the user directly, in one transaction; ones it has
    /// directly already are skipped. `Conflict`, and nothing changes, when the user or
    /// an API does not exist.
    async fn add_user_permissions(
        &self,
        tenant: &TenantId,
        user: &UserId,
        permissions: &[PermissionRef],
    ) -> Result<(), StoreError>;

    /// Takes the direct permissions from the user, in one transaction; ones it lacks are
    /// skipped. Permissions the user holds through roles stay.
    async fn remove_user_permissions(
        &self,
        tenant: &TenantId,
        user: &UserId,
        permissions: &[PermissionRef],
    ) -> Result<(), StoreError>;

    // APIs.

    /// A page of the tenant's APIs, oldest first.
    async fn list_resource_servers(
        &self,
        tenant: &TenantId,
        page: PageRequest,
    ) -> Result<Page<ResourceServer>, StoreError>;

    /// The API whose id, or else whose identifier, is `id_or_identifier`.
    async fn find_resource_server(
        &self,
        tenant: &TenantId,
        id_or_identifier: &str,
    ) -> Result<Option<ResourceServer>, StoreError>;

    /// Replaces the API's name, scopes, signing_alg, token_lifetime,
    /// allow_offline_access, enforce_policies and token_dialect with those of `api`
    /// (found by tenant and id; identifier, is_system and created_at stay). In the same
    /// transaction, permissions on the API whose scope `api` no longer defines are taken
    /// from every role and user. `false`, and nothing changes, when there is no such API
    /// or it is a system API.
    async fn update_resource_server(&self, api: &ResourceServer) -> Result<bool, StoreError>;

    /// Deletes the API with its client grants and the permissions roles and users hold
    /// on it, atomically. `false`, and nothing changes, when there is no such API or it
    /// is a system API.
    async fn delete_resource_server(
        &self,
        tenant: &TenantId,
        id: &crate::ids::ResourceServerId,
    ) -> Result<bool, StoreError>;
}
