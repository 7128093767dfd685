//! [`ConfigAdmin`] on SQLite and PostgreSQL. The SQL is written once per area
//! ([`clients`], [`grants`], [`settings`]) in a macro instantiated for each database,
//! since the two differ only in how a writing transaction starts, how a JSON parameter
//! is written, which column orders rows created in the same second, and how a read row
//! is locked.

mod clients;
mod grants;
mod settings;

use async_trait::async_trait;
use portcullis_core::config_admin::{GrantFilter, ManagedClient, SecretUpdate};
use portcullis_core::{
    AppType, ClientGrant, ClientId, ConfigAdmin, GrantId, Page, PageRequest, SecretHash,
    StoreError, TenantId, TenantSettings,
};

use crate::{PgStore, SqliteStore};

macro_rules! config_admin_for {
    ($store:ty, $db:ident) => {
        #[async_trait]
        impl ConfigAdmin for $store {
            async fn list_clients(
                &self,
                tenant: &TenantId,
                app_types: &[AppType],
                page: PageRequest,
            ) -> Result<Page<ManagedClient>, StoreError> {
                clients::$db::list(self.pool(), tenant, app_types, page).await
            }

            async fn client(
                &self,
                tenant: &TenantId,
                client_id: &ClientId,
            ) -> Result<Option<ManagedClient>, StoreError> {
                clients::$db::find(self.pool(), tenant, client_id).await
            }

            async fn insert_client(&self, client: &ManagedClient) -> Result<(), StoreError> {
                clients::$db::insert(self.pool(), client).await
            }

            async fn update_client(
                &self,
                client: &ManagedClient,
                secret: &SecretUpdate,
            ) -> Result<bool, StoreError> {
                clients::$db::update(self.pool(), client, secret).await
            }

            async fn rotate_client_secret(
                &self,
                tenant: &TenantId,
                client_id: &ClientId,
                hash: &SecretHash,
            ) -> Result<bool, StoreError> {
                clients::$db::rotate_secret(self.pool(), tenant, client_id, hash).await
            }

            async fn delete_client(
                &self,
                tenant: &TenantId,
                client_id: &ClientId,
            ) -> Result<bool, StoreError> {
                clients::$db::delete(self.pool(), tenant, client_id).await
            }

            async fn list_client_grants(
                &self,
                tenant: &TenantId,
                filter: &GrantFilter,
                page: PageRequest,
            ) -> Result<Page<ClientGrant>, StoreError> {
                grants::$db::list(self.pool(), tenant, filter, page).await
            }

            async fn client_grant_by_id(
                &self,
                tenant: &TenantId,
                id: &GrantId,
            ) -> Result<Option<ClientGrant>, StoreError> {
                grants::$db::find(self.pool(), tenant, id).await
            }

            async fn update_client_grant_scope(
                &self,
                tenant: &TenantId,
                id: &GrantId,
                scope: &[String],
            ) -> Result<Option<ClientGrant>, StoreError> {
                grants::$db::update_scope(self.pool(), tenant, id, scope).await
            }

            async fn delete_client_grant(
                &self,
                tenant: &TenantId,
                id: &GrantId,
            ) -> Result<bool, StoreError> {
                grants::$db::delete(self.pool(), tenant, id).await
            }

            async fn replace_tenant_settings(
                &self,
                tenant: &TenantId,
                settings: &TenantSettings,
            ) -> Result<bool, StoreError> {
                settings::$db::replace(self.pool(), tenant, settings).await
            }
        }
    };
}

config_admin_for!(SqliteStore, sqlite);
config_admin_for!(PgStore, postgres);
