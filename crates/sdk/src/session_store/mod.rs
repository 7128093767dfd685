//! Where stateful sessions live: the cookie holds only an encrypted [`SessionId`]; the
//! session itself is in a [`SessionStore`].
//!
//! Modelled on nextjs-auth0 v4's `SessionDataStore` (`get`, `set`, `delete`,
//! `deleteByLogoutToken`). Backends:
//! - [`MemorySessionStore`]: one process (development, tests, single-instance apps).
//! - `SqliteSessionStore` (feature `sqlite`), `PostgresSessionStore` (feature `postgres`)
//!   and `RedisSessionStore` (feature `redis`): shared by many instances.
//!
//! Every backend enforces expiry when reading (not only by TTL or sweeping), and every
//! call to a networked backend runs under a timeout (default [`DEFAULT_TIMEOUT`]): an
//! outage is [`SessionStoreError::Unavailable`] within that time, never a hang and never
//! `None` (which would mean "logged out").

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

mod error;
mod memory_store;
mod session_id;

#[cfg(feature = "postgres")]
mod postgres_store;
#[cfg(feature = "redis")]
mod redis_store;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql_options;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql_store;
#[cfg(feature = "sqlite")]
mod sqlite_store;

pub use error::{BoxError, SessionStoreError, TimedOut};
pub use memory_store::MemorySessionStore;
pub use session_id::{InvalidSessionId, SessionId};

#[cfg(feature = "postgres")]
pub use postgres_store::PostgresSessionStore;
#[cfg(feature = "redis")]
pub use redis_store::{KeyPrefix, RedisSessionStore, RedisStoreOptions};
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use sql_options::{SqlStoreOptions, TableName};
#[cfg(feature = "sqlite")]
pub use sqlite_store::SqliteSessionStore;

/// How long a networked store may take to answer one call before it counts as down.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// One stored session.
#[derive(Clone, PartialEq)]
pub struct StoredSession {
    /// The nextjs-auth0 v4 `SessionData` JSON (`user`, `tokenSet`, `internal`, ...),
    /// opaque to the store.
    pub data: serde_json::Value,
    /// The identity provider's session id (`sid` claim), for back-channel logout.
    pub sid: Option<String>,
    /// The user (`sub` claim), for back-channel logout of all the user's sessions.
    pub sub: Option<String>,
    /// Unix seconds; the session is gone from this second on.
    pub expires_at: i64,
}

impl StoredSession {
    /// Whether the session is still live at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        self.expires_at > now
    }
}

/// `data` holds tokens: it is never printed.
impl fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredSession")
            .field("data", &"<redacted>")
            .field("sid", &self.sid)
            .field("sub", &self.sub)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Storage for stateful sessions. Dyn-compatible: an app holds `Arc<dyn SessionStore>`.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// The session stored under `id`, or `None` when there is none or it has expired.
    async fn get(&self, id: &SessionId) -> Result<Option<StoredSession>, SessionStoreError>;

    /// Stores `session` under `id`, replacing what was there.
    async fn set(&self, id: &SessionId, session: &StoredSession) -> Result<(), SessionStoreError>;

    /// Removes the session stored under `id`, if any.
    async fn delete(&self, id: &SessionId) -> Result<(), SessionStoreError>;

    /// Back-channel logout: deletes every session whose `sid` is `sid` when `sid` is
    /// given, otherwise every session whose `sub` is `sub`; with neither, deletes nothing.
    /// Returns how many sessions were deleted.
    async fn delete_by_logout(
        &self,
        sid: Option<&str>,
        sub: Option<&str>,
    ) -> Result<u64, SessionStoreError>;

    /// Removes expired sessions, returning how many. Backends that expire entries by
    /// themselves (Redis) answer 0.
    async fn sweep(&self) -> Result<u64, SessionStoreError> {
        Ok(0)
    }
}

/// Spawns a task that calls [`SessionStore::sweep`] every `every`, until the returned
/// handle is aborted. A failed sweep is logged and tried again on the next tick.
pub fn spawn_sweeper(store: Arc<dyn SessionStore>, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(e) = store.sweep().await {
                tracing::warn!(error = %e, "session store sweep failed");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_session_data() {
        let session = StoredSession {
            data: serde_json::json!({"tokenSet": {"accessToken": "secret-at"}}),
            sid: Some("sid-1".into()),
            sub: None,
            expires_at: 10,
        };
        let shown = format!("{session:?}");
        assert!(!shown.contains("secret-at"), "{shown}");
        assert!(shown.contains("sid-1"));
    }

    #[test]
    fn live_until_the_expiry_second() {
        let session = StoredSession {
            data: serde_json::Value::Null,
            sid: None,
            sub: None,
            expires_at: 10,
        };
        assert!(session.is_live(9));
        assert!(!session.is_live(10));
    }

    #[tokio::test]
    async fn the_sweeper_sweeps() {
        let clock = Arc::new(crate::ManualClock::new(100));
        let store = Arc::new(MemorySessionStore::new(clock.clone()));
        let id = SessionId::generate(&|b: &mut [u8]| b.fill(7));
        let session = StoredSession {
            data: serde_json::Value::Null,
            sid: None,
            sub: None,
            expires_at: 101,
        };
        store.set(&id, &session).await.ok();
        clock.set(101);
        let task = spawn_sweeper(store.clone(), Duration::from_millis(10));
        for _ in 0..100 {
            if store.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        task.abort();
        assert!(store.is_empty());
    }
}
