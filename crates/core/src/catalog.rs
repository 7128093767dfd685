//! The tenant's configuration as the hot paths read it: tenants, applications, APIs and
//! client grants, kept in memory for a few seconds.
//!
//! Every token request needs its application, API and client grant. Reading them from the
//! database each time costs more than signing an ES256 token, so they are cached here.
//! Only rows that exist are cached (a flood of unknown client ids cannot fill memory and a
//! row created elsewhere is seen at once); a row changed or deleted by another instance or
//! by the CLI is seen after at most `ttl` seconds. Writes through this process call
//! [`Catalog::invalidate`].

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::{Arc, RwLock};

use crate::application::Application;
use crate::clock::{Clock, UnixTime};
use crate::grant::ClientGrant;
use crate::ids::{ClientId, TenantId};
use crate::resource_server::ResourceServer;
use crate::store::{Store, StoreError};
use crate::tenant::Tenant;

/// Past this many entries in one map, the map is emptied before the next insert: a bound
/// on memory that real tenants never reach.
const MAX_ENTRIES: usize = 10_000;

/// Cached lookups over a [`Store`]. With a `ttl` of 0 every lookup reads the store.
pub struct Catalog {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    ttl: i64,
    tenants: Map<TenantId, Tenant>,
    applications: Map<(TenantId, ClientId), Application>,
    apis: Map<(TenantId, String), ResourceServer>,
    grants: Map<(TenantId, ClientId, String), ClientGrant>,
    origins: Map<TenantId, HashSet<String>>,
}

impl Catalog {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, ttl_secs: u32) -> Self {
        Catalog {
            store,
            clock,
            ttl: i64::from(ttl_secs),
            tenants: Map::default(),
            applications: Map::default(),
            apis: Map::default(),
            grants: Map::default(),
            origins: Map::default(),
        }
    }

    /// The store underneath, for everything that is not configuration.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Forgets everything: the next lookups read the store.
    pub fn invalidate(&self) {
        self.tenants.clear();
        self.applications.clear();
        self.apis.clear();
        self.grants.clear();
        self.origins.clear();
    }

    pub async fn tenant(&self, id: &TenantId) -> Result<Option<Arc<Tenant>>, StoreError> {
        let now = self.clock.now();
        if let Some(hit) = self.tenants.get(id, now) {
            return Ok(Some(hit));
        }
        let found = self.store.tenant(id).await?;
        Ok(self.keep(&self.tenants, id.clone(), found, now))
    }

    pub async fn application(
        &self,
        tenant: &TenantId,
        client_id: &ClientId,
    ) -> Result<Option<Arc<Application>>, StoreError> {
        let now = self.clock.now();
        let key = (tenant.clone(), client_id.clone());
        if let Some(hit) = self.applications.get(&key, now) {
            return Ok(Some(hit));
        }
        let found = self.store.application(tenant, client_id).await?;
        Ok(self.keep(&self.applications, key, found, now))
    }

    /// The API whose identifier (audience) is `identifier`.
    pub async fn resource_server(
        &self,
        tenant: &TenantId,
        identifier: &str,
    ) -> Result<Option<Arc<ResourceServer>>, StoreError> {
        let now = self.clock.now();
        let key = (tenant.clone(), identifier.to_owned());
        if let Some(hit) = self.apis.get(&key, now) {
            return Ok(Some(hit));
        }
        let found = self
            .store
            .resource_server_by_identifier(tenant, identifier)
            .await?;
        Ok(self.keep(&self.apis, key, found, now))
    }

    /// The grant of `client_id` for the API `audience`.
    pub async fn client_grant(
        &self,
        tenant: &TenantId,
        client_id: &ClientId,
        audience: &str,
    ) -> Result<Option<Arc<ClientGrant>>, StoreError> {
        let now = self.clock.now();
        let key = (tenant.clone(), client_id.clone(), audience.to_owned());
        if let Some(hit) = self.grants.get(&key, now) {
            return Ok(Some(hit));
        }
        let found = self.store.client_grant(tenant, client_id, audience).await?;
        Ok(self.keep(&self.grants, key, found, now))
    }

    /// The "Allowed Web Origins" of all the tenant's applications together, for CORS.
    /// An application's new origin is allowed after at most `ttl` seconds.
    pub async fn web_origins(&self, tenant: &TenantId) -> Result<Arc<HashSet<String>>, StoreError> {
        let now = self.clock.now();
        if let Some(hit) = self.origins.get(tenant, now) {
            return Ok(hit);
        }
        let origins: HashSet<String> = self
            .store
            .applications(tenant)
            .await?
            .into_iter()
            .flat_map(|a| a.web_origins)
            .collect();
        let kept = self.keep(&self.origins, tenant.clone(), Some(origins), now);
        Ok(kept.unwrap_or_default())
    }

    fn keep<K: Eq + Hash, V>(
        &self,
        map: &Map<K, V>,
        key: K,
        found: Option<V>,
        now: UnixTime,
    ) -> Option<Arc<V>> {
        let value = Arc::new(found?);
        if self.ttl > 0 {
            map.insert(key, Arc::clone(&value), now.plus_secs(self.ttl));
        }
        Some(value)
    }
}

/// One cached table: values with the time they stop being fresh.
struct Map<K, V>(RwLock<HashMap<K, (Arc<V>, UnixTime)>>);

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Map(RwLock::new(HashMap::new()))
    }
}

impl<K: Eq + Hash, V> Map<K, V> {
    fn get(&self, key: &K, now: UnixTime) -> Option<Arc<V>> {
        let map = self.0.read().ok()?;
        let (value, fresh_until) = map.get(key)?;
        (now < *fresh_until).then(|| Arc::clone(value))
    }

    fn insert(&self, key: K, value: Arc<V>, fresh_until: UnixTime) {
        if let Ok(mut map) = self.0.write() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(key, (value, fresh_until));
        }
    }

    fn clear(&self) {
        if let Ok(mut map) = self.0.write() {
            map.clear();
        }
    }
}
