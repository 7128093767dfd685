//! The signing keys an instance holds in memory, and the task that keeps them current.
//!
//! Keys are opened (decrypted and parsed) once per change, never per signature. Every
//! instance re-reads the database every `refresh_interval`, and also at the moment its
//! ring changes by the clock alone (a next key activating, a previous key retiring), so
//! a rotation made by `portcullis keys rotate` reaches all instances without restarts.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use jsonwebtoken::{Algorithm, DecodingKey};
use portcullis_core::keys::{KeyRing, tenant_retention_secs};
use portcullis_core::{Clock, CoreError, Store, TenantId};
use portcullis_jose::MasterKey;

/// A key ring with its key set pre-serialized, so serving the JWKS costs a clone of
/// a reference-counted buffer.
pub struct LoadedRing {
    pub ring: KeyRing,
    pub jwks_json: Bytes,
    /// Verification keys by kid, each with the one algorithm it may verify.
    pub verifiers: HashMap<String, (DecodingKey, Algorithm)>,
}

impl std::fmt::Debug for LoadedRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedRing")
            .field("ring", &self.ring)
            .finish_non_exhaustive()
    }
}

/// The verification key of a published JWK, with its algorithm fixed by the key.
fn verifier(jwk: &portcullis_proto::Jwk) -> Option<(DecodingKey, Algorithm)> {
    match (jwk.alg.as_str(), &jwk.n, &jwk.e, &jwk.x, &jwk.y) {
        ("RS256", Some(n), Some(e), _, _) => Some((
            DecodingKey::from_rsa_components(n, e).ok()?,
            Algorithm::RS256,
        )),
        ("ES256", _, _, Some(x), Some(y)) => Some((
            DecodingKey::from_ec_components(x, y).ok()?,
            Algorithm::ES256,
        )),
        ("EdDSA", _, _, Some(x), _) => {
            Some((DecodingKey::from_ed_components(x).ok()?, Algorithm::EdDSA))
        }
        _ => None,
    }
}

/// Shared, swappable handle to the current ring.
#[derive(Debug)]
pub struct KeyRingHandle(RwLock<Arc<LoadedRing>>);

impl KeyRingHandle {
    pub fn new(ring: LoadedRing) -> Self {
        KeyRingHandle(RwLock::new(Arc::new(ring)))
    }

    pub fn current(&self) -> Arc<LoadedRing> {
        match self.0.read() {
            Ok(guard) => guard.clone(),
            // A writer panicked mid-swap; the Arc inside is still whole.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Re-reads the keys now, e.g. after a rotation or revocation through the Management
    /// API, so the key set and token verification follow at once instead of at the next
    /// refresh. A failed load keeps the current ring.
    pub async fn reload(
        &self,
        store: &dyn Store,
        tenant: &TenantId,
        master: &MasterKey,
        clock: &dyn Clock,
    ) -> Result<(), CoreError> {
        let ring = load(store, tenant, master, clock).await?;
        self.replace(ring);
        Ok(())
    }

    fn replace(&self, ring: LoadedRing) {
        let ring = Arc::new(ring);
        match self.0.write() {
            Ok(mut guard) => *guard = ring,
            Err(poisoned) => *poisoned.into_inner() = ring,
        }
    }
}

/// Reads the tenant's keys from the store and opens the published ones.
pub async fn load(
    store: &dyn Store,
    tenant: &TenantId,
    master: &MasterKey,
    clock: &dyn Clock,
) -> Result<LoadedRing, CoreError> {
    let retention = tenant_retention_secs(store, tenant).await?;
    let keys = store.signing_keys(tenant).await?;
    let ring = KeyRing::open(&keys, master, clock.now(), retention)?;
    let jwks_json = serde_json::to_vec(ring.jwks().as_ref())
        .map(Bytes::from)
        .unwrap_or_default();
    let verifiers = ring
        .jwks()
        .keys
        .iter()
        .filter_map(|k| verifier(k).map(|v| (k.kid.clone(), v)))
        .collect();
    Ok(LoadedRing {
        ring,
        jwks_json,
        verifiers,
    })
}

/// Keeps `handle` current until the runtime shuts down. A failed reload keeps the last
/// good ring: a database hiccup must not take the key set down with it.
pub fn spawn_refresh(
    handle: Arc<KeyRingHandle>,
    store: Arc<dyn Store>,
    tenant: TenantId,
    master: Arc<MasterKey>,
    clock: Arc<dyn Clock>,
    interval: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let wait = match handle.current().ring.changes_at() {
                Some(at) => {
                    let secs = u64::try_from(at.0.saturating_sub(clock.now().0)).unwrap_or(0);
                    interval.min(Duration::from_secs(secs.max(1)))
                }
                None => interval,
            };
            tokio::time::sleep(wait).await;
            match load(store.as_ref(), &tenant, &master, clock.as_ref()).await {
                Ok(ring) => {
                    let before = handle.current();
                    if before.jwks_json != ring.jwks_json {
                        tracing::info!(
                            keys = ring.ring.jwks().keys.len(),
                            "signing keys changed; key set reloaded"
                        );
                    }
                    handle.replace(ring);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "reloading signing keys failed; keeping the last key set")
                }
            }
        }
    })
}
