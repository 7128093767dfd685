//! The provider's signing keys, cached (security cases 6 and 7).
//!
//! - The whole key set is cached for the JWKS response's `Cache-Control: max-age`
//!   (default 10 minutes).
//! - A `kid` not in the set triggers a refetch at most once per cooldown (default 30 s);
//!   concurrent misses wait for that one fetch. A flood of random kids costs one fetch.
//! - A known key keeps verifying while the set is refetched, and the last good set is
//!   kept when the provider is down or answers garbage.
//! - Keys come only from the configured `jwks_uri`: a token's `jku`, `x5u`, `jwk` or
//!   `x5c` header is never followed.

mod discovery;
mod fetch;
pub mod jws;
mod key_set;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use jsonwebtoken::jwk::JwkSet;
use tokio::sync::{Mutex, RwLock};

pub use fetch::{FetchError, MAX_DOCUMENT};
pub use key_set::VerificationKey;

pub(crate) use discovery::{Discovered, discover, is_secure_or_loopback};
pub(crate) use fetch::{get_json, http_client, read_limited};
use key_set::KeySet;

use crate::Clock;

/// How the cache behaves; the defaults are panva `jose`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwksOptions {
    /// How long a key set is used when the response does not say (`max-age`).
    pub max_age: Duration,
    /// The least time between two fetches caused by unknown kids.
    pub cooldown: Duration,
}

impl Default for JwksOptions {
    fn default() -> Self {
        JwksOptions {
            max_age: Duration::from_secs(600),
            cooldown: Duration::from_secs(30),
        }
    }
}

/// A provider's key set behind its `jwks_uri`.
pub struct JwksCache {
    uri: String,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    options: JwksOptions,
    state: RwLock<State>,
    /// Held while fetching: concurrent misses share one fetch.
    fetching: Mutex<()>,
    fetches: AtomicU64,
}

#[derive(Default)]
struct State {
    keys: KeySet,
    /// When the current set was fetched, and until when it is fresh.
    fresh_until: i64,
    /// The last fetch attempt, successful or not (the cooldown counts from here).
    attempted_at: Option<i64>,
}

impl JwksCache {
    /// A cache of the keys at `uri`; nothing is fetched until [`JwksCache::load`] or
    /// the first key lookup.
    pub fn new(
        uri: &str,
        http: reqwest::Client,
        clock: Arc<dyn Clock>,
        options: JwksOptions,
    ) -> Arc<JwksCache> {
        Arc::new(JwksCache {
            uri: uri.to_owned(),
            http,
            clock,
            options,
            state: RwLock::new(State::default()),
            fetching: Mutex::new(()),
            fetches: AtomicU64::new(0),
        })
    }

    /// Fetches the key set now (at start, to fail early when the provider is wrong).
    pub async fn load(&self) -> Result<(), FetchError> {
        let _guard = self.fetching.lock().await;
        self.fetch().await
    }

    /// How many times the key set was fetched (for tests and metrics).
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// The key for a token's `kid`. A stale set is refreshed in the background while
    /// its keys keep verifying; an unknown kid waits for one refetch, at most once per
    /// cooldown.
    pub async fn key(self: &Arc<Self>, kid: Option<&str>) -> Option<VerificationKey> {
        let now = self.clock.now();
        {
            let state = self.state.read().await;
            if let Some(key) = state.keys.get(kid) {
                if now >= state.fresh_until && self.cooled_down(&state, now) {
                    self.refresh_in_background();
                }
                return Some(key.clone());
            }
            if !self.cooled_down(&state, now) {
                return None;
            }
        }
        let _guard = self.fetching.lock().await;
        {
            // Another request may have fetched while this one waited.
            let state = self.state.read().await;
            if let Some(key) = state.keys.get(kid) {
                return Some(key.clone());
            }
            if !self.cooled_down(&state, self.clock.now()) {
                return None;
            }
        }
        if let Err(e) = self.fetch().await {
            tracing::warn!(error = %e, "could not refresh the provider's signing keys; keeping the last good ones");
        }
        self.state.read().await.keys.get(kid).cloned()
    }

    fn cooled_down(&self, state: &State, now: i64) -> bool {
        let cooldown = i64::try_from(self.options.cooldown.as_secs()).unwrap_or(i64::MAX);
        state
            .attempted_at
            .is_none_or(|at| now.saturating_sub(at) >= cooldown)
    }

    fn refresh_in_background(self: &Arc<Self>) {
        let cache = Arc::clone(self);
        tokio::spawn(async move {
            // Someone else is already fetching: nothing to do.
            let Ok(_guard) = cache.fetching.try_lock() else {
                return;
            };
            if let Err(e) = cache.fetch().await {
                tracing::warn!(error = %e, "could not refresh the provider's signing keys; keeping the last good ones");
            }
        });
    }

    /// One fetch (the caller holds `fetching`). On failure the old set stays.
    async fn fetch(&self) -> Result<(), FetchError> {
        let started = self.clock.now();
        self.state.write().await.attempted_at = Some(started);
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let fetched = get_json::<JwkSet>(&self.http, &self.uri).await?;
        let keys = KeySet::from_jwks(&fetched.value);
        if keys.is_empty() {
            return Err(FetchError {
                url: self.uri.clone(),
                why: "it holds no signing key this SDK can use".to_owned(),
            });
        }
        let max_age = fetched.max_age.unwrap_or(self.options.max_age);
        let mut state = self.state.write().await;
        state.keys = keys;
        state.fresh_until =
            started.saturating_add(i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX));
        Ok(())
    }
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksCache")
            .field("uri", &self.uri)
            .field("options", &self.options)
            .field("fetches", &self.fetches())
            .finish_non_exhaustive()
    }
}
