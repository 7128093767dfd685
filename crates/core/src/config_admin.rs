//! Applications, client grants and tenant settings, for the Management API.
//! Part of the [`Store`](crate::Store) boundary.
//!
//! Client secrets are kept only as hashes ([`SecretHash`]): a secret is shown once, when
//! it is made (create, rotate), and can never be read back.

use async_trait::async_trait;

use crate::application::{AppType, Application};
use crate::grant::ClientGrant;
use crate::ids::{ClientId, GrantId, TenantId};
use crate::paging::{Page, PageRequest};
use crate::secret::SecretHash;
use crate::store::StoreError;
use crate::tenant::TenantSettings;

/// An application as the Management API shows it: the [`Application`] the protocol
/// routes use, and the fields only administrators read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedClient {
    pub application: Application,
    /// Auth0 `description` (empty when none was given).
    pub description: String,
}

/// Which client grants a listing shows; `None` matches every value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantFilter {
    pub audience: Option<String>,
    pub client_id: Option<ClientId>,
}

/// What [`ConfigAdmin::update_client`] does with the client secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretUpdate {
    /// The stored hash stays as it is (whatever `application.client_secret_hash` says),
    /// so an update never undoes a concurrent rotation.
    Keep,
    /// The application gets this secret (it became confidential).
    Set(SecretHash),
    /// The application loses its secret (it became public).
    Remove,
}

#[async_trait]
pub trait ConfigAdmin: Send + Sync {
    // Applications.

    /// A page of the tenant's applications, oldest first; with `app_types` non-empty,
    /// only those of these types. `total` counts every match.
    async fn list_clients(
        &self,
        tenant: &TenantId,
        app_types: &[AppType],
        page: PageRequest,
    ) -> Result<Page<ManagedClient>, StoreError>;

    async fn client(
        &self,
        tenant: &TenantId,
        client_id: &ClientId,
    ) -> Result<Option<ManagedClient>, StoreError>;

    /// Stores a new application (checked by
    /// [`Application::register`](crate::application::Application::register)) with its
    /// description, in one statement. `Conflict` when the tenant has its client id
    /// already, or does not exist.
    async fn insert_client(&self, client: &ManagedClient) -> Result<(), StoreError>;

    /// Replaces what an administrator may change of the application: name, description,
    /// type, token endpoint auth method, callbacks, logout URLs, web origins and grant
    /// types; the secret as `secret` says. Client id, tenant and creation time stay.
    /// `Ok(false)` when there is no such application.
    async fn update_client(
        &self,
        client: &ManagedClient,
        secret: &SecretUpdate,
    ) -> Result<bool, StoreError>;

    /// Replaces the secret of an application that has one: the old secret stops working
    /// as soon as this returns (callers invalidate their caches). `Ok(false)`, and
    /// nothing changes, when there is no such application or it is public (no secret).
    async fn rotate_client_secret(
        &self,
        tenant: &TenantId,
        client_id: &ClientId,
        hash: &SecretHash,
    ) -> Result<bool, StoreError>;

    /// Deletes the application; its client grants, authorization codes and refresh
    /// tokens go with it (one statement, by cascade). `Ok(false)` when there is no such
    /// application.
    async fn delete_client(
        &self,
        tenant: &TenantId,
        client_id: &ClientId,
    ) -> Result<bool, StoreError>;

    // Client grants.

    /// A page of the tenant's client grants matching `filter`, oldest first. `total`
    /// counts every match.
    async fn list_client_grants(
        &self,
        tenant: &TenantId,
        filter: &GrantFilter,
        page: PageRequest,
    ) -> Result<Page<ClientGrant>, StoreError>;

    async fn client_grant_by_id(
        &self,
        tenant: &TenantId,
        id: &GrantId,
    ) -> Result<Option<ClientGrant>, StoreError>;

    /// Replaces the grant's scopes (the caller checked them against the API) and returns
    /// the grant as stored. `Ok(None)` when there is no such grant.
    async fn update_client_grant_scope(
        &self,
        tenant: &TenantId,
        id: &GrantId,
        scope: &[String],
    ) -> Result<Option<ClientGrant>, StoreError>;

    /// `Ok(false)` when there is no such grant.
    async fn delete_client_grant(
        &self,
        tenant: &TenantId,
        id: &GrantId,
    ) -> Result<bool, StoreError>;

    // Tenant settings.

    /// Replaces the tenant's whole settings document with `settings`, atomically: in one
    /// transaction that also checks every `default_roles` entry is a role of the tenant
    /// (and keeps those roles from being deleted until it commits). `Ok(false)` when
    /// there is no such tenant; `Conflict`, and nothing changes, when a default role does
    /// not exist.
    async fn replace_tenant_settings(
        &self,
        tenant: &TenantId,
        settings: &TenantSettings,
    ) -> Result<bool, StoreError>;
}
