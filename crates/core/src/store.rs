//! The storage boundary. SQLite and PostgreSQL implement it in `portcullis-store`.
//!
//! Lookups return `Result<Option<T>>`: "not found" is a value, a database failure is an
//! error, and the two are never confused.

use async_trait::async_trait;

use crate::application::Application;
use crate::bootstrap::TenantSeed;
use crate::clock::UnixTime;
use crate::grant::ClientGrant;
use crate::ids::{ClientId, TenantId};
use crate::keys::StoredKey;
use crate::resource_server::ResourceServer;
use crate::tenant::Tenant;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL cannot be used (unknown scheme, no host, ...).
    #[error("{0}")]
    InvalidUrl(String),
    /// The database could not be reached or failed to answer.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness rule was broken (e.g. a duplicate id).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored row could not be read back into its type.
    #[error("corrupt row in {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
    /// Schema migrations failed.
    #[error("migration failed: {0}")]
    Migration(String),
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A cheap round trip to the database, for `/readyz`.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Writes everything in `seed` in one transaction, unless its tenant exists already.
    /// Returns `true` when this call created the tenant. Two instances racing on one
    /// database get exactly one `true`.
    async fn bootstrap(&self, seed: &TenantSeed) -> Result<bool, StoreError>;

    async fn tenant(&self, id: &TenantId) -> Result<Option<Tenant>, StoreError>;

    async fn application(
        &self,
        tenant: &TenantId,
        client_id: &ClientId,
    ) -> Result<Option<Application>, StoreError>;
    /// All applications of a tenant, oldest first.
    async fn applications(&self, tenant: &TenantId) -> Result<Vec<Application>, StoreError>;

    /// All APIs of a tenant, oldest first.
    async fn resource_servers(&self, tenant: &TenantId) -> Result<Vec<ResourceServer>, StoreError>;

    /// The API whose identifier (audience) is `identifier`.
    async fn resource_server_by_identifier(
        &self,
        tenant: &TenantId,
        identifier: &str,
    ) -> Result<Option<ResourceServer>, StoreError>;

    /// All client grants of a tenant, oldest first.
    async fn client_grants(&self, tenant: &TenantId) -> Result<Vec<ClientGrant>, StoreError>;
    /// The grant of `client_id` for the API `audience` (there is at most one).
    async fn client_grant(
        &self,
        tenant: &TenantId,
        client_id: &ClientId,
        audience: &str,
    ) -> Result<Option<ClientGrant>, StoreError>;

    /// All signing keys of a tenant, revoked ones included, ordered by `activates_at`
    /// then `created_at`.
    async fn signing_keys(&self, tenant: &TenantId) -> Result<Vec<StoredKey>, StoreError>;
    async fn insert_signing_key(&self, key: &StoredKey) -> Result<(), StoreError>;
    /// Marks a key revoked at `at`. Returns `false` when no unrevoked key has that kid.
    async fn revoke_signing_key(
        &self,
        tenant: &TenantId,
        kid: &str,
        at: UnixTime,
    ) -> Result<bool, StoreError>;
}
