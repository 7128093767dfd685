//! What every handler can reach.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Bytes;
use axum::http::HeaderValue;
use portcullis_core::{Clock, Rng, Store, TenantId};

use crate::issuer::Issuer;
use crate::keyring::KeyRingHandle;
use crate::middleware::metrics::Metrics;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub rng: Arc<dyn Rng>,
    pub tenant: TenantId,
    pub issuer: Issuer,
    pub keys: Arc<KeyRingHandle>,
    pub metrics: Arc<Metrics>,
    /// `/.well-known/openid-configuration`, serialized once.
    pub discovery_json: Bytes,
    /// `Cache-Control` of the key set and discovery document.
    pub cache_control: HeaderValue,
    shutting_down: AtomicBool,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Rng>,
        tenant: TenantId,
        issuer: Issuer,
        keys: Arc<KeyRingHandle>,
        jwks_max_age: u32,
    ) -> Self {
        let discovery = crate::routes::discovery::document(&issuer);
        let discovery_json = serde_json::to_vec(&discovery)
            .map(Bytes::from)
            .unwrap_or_default();
        AppState(Arc::new(Inner {
            store,
            clock,
            rng,
            tenant,
            issuer,
            keys,
            metrics: Arc::new(Metrics::new()),
            discovery_json,
            cache_control: HeaderValue::try_from(format!("public, max-age={jwks_max_age}"))
                .unwrap_or(HeaderValue::from_static("no-cache")),
            shutting_down: AtomicBool::new(false),
        }))
    }

    /// From now on `/readyz` answers 503, so load balancers stop sending traffic while
    /// in-flight requests finish.
    pub fn begin_shutdown(&self) {
        self.0.shutting_down.store(true, Ordering::SeqCst);
    }

    pub fn is_shutting_down(&self) -> bool {
        self.0.shutting_down.load(Ordering::SeqCst)
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
