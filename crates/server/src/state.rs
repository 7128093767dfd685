//! What every handler can reach.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Bytes;
use axum::http::HeaderValue;
use portcullis_core::password::PasswordHasher;
use portcullis_core::{Catalog, Clock, CoreError, Rng, Store, Tenant, TenantId};
use portcullis_jose::MasterKey;

use crate::login::cookies::CookieJar;

use crate::issuer::Issuer;
use crate::keyring::KeyRingHandle;
use crate::middleware::metrics::Metrics;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Arc<dyn Store>,
    /// Tenants, applications, APIs and client grants, cached for the hot paths.
    pub catalog: Catalog,
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
    /// Seals login transactions; derived from the master key.
    pub login_key: Arc<MasterKey>,
    /// The master key itself: seals new signing keys and opens the key ring (key
    /// rotation through the Management API).
    pub master: Arc<MasterKey>,
    pub hasher: Arc<PasswordHasher>,
    /// Where mail (password-reset links) goes.
    pub mailer: Arc<dyn crate::mail::Mailer>,
    /// Brute-force throttling of the token endpoint and of every password check.
    pub throttle: crate::throttle::Throttle,
    pub cookies: CookieJar,
    /// `scheme://host[:port]` of the issuer, for Origin checks.
    pub issuer_origin: String,
    shutting_down: AtomicBool,
}

/// What the server needs besides storage, time and randomness.
pub struct Secrets {
    pub login_key: MasterKey,
    pub master: Arc<MasterKey>,
    pub hasher: PasswordHasher,
}

/// Storage, time and randomness: what is injected.
pub struct Services {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub rng: Arc<dyn Rng>,
    /// How long configuration read from the store is trusted, seconds (0: not cached).
    pub catalog_ttl: u32,
    pub mailer: Arc<dyn crate::mail::Mailer>,
}

impl AppState {
    pub fn new(
        services: Services,
        tenant: TenantId,
        issuer: Issuer,
        keys: Arc<KeyRingHandle>,
        jwks_max_age: u32,
        secrets: Secrets,
    ) -> Self {
        let Services {
            store,
            clock,
            rng,
            catalog_ttl,
            mailer,
        } = services;
        let catalog = Catalog::new(store.clone(), clock.clone(), catalog_ttl);
        let issuer_origin = url::Url::parse(issuer.as_str())
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        let cookies = CookieJar {
            secure: issuer.is_https(),
        };
        let discovery = crate::routes::discovery::document(&issuer);
        let discovery_json = serde_json::to_vec(&discovery)
            .map(Bytes::from)
            .unwrap_or_default();
        let throttle =
            crate::throttle::Throttle::new(clock.clone(), crate::throttle::Limits::default());
        AppState(Arc::new(Inner {
            store,
            catalog,
            clock,
            rng,
            tenant,
            issuer,
            keys,
            metrics: Arc::new(Metrics::new()),
            discovery_json,
            cache_control: HeaderValue::try_from(format!("public, max-age={jwks_max_age}"))
                .unwrap_or(HeaderValue::from_static("no-cache")),
            login_key: Arc::new(secrets.login_key),
            master: secrets.master,
            hasher: Arc::new(secrets.hasher),
            mailer,
            throttle,
            cookies,
            issuer_origin,
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

    /// The tenant of this request, with its current settings.
    pub async fn tenant(&self) -> Result<Arc<Tenant>, CoreError> {
        self.catalog
            .tenant(&self.tenant)
            .await?
            .ok_or_else(|| CoreError::NoTenant(self.tenant.to_string()))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
