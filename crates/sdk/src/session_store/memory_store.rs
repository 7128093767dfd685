//! Sessions in this process's memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;

use super::{SessionId, SessionStore, SessionStoreError, StoredSession};
use crate::Clock;

/// Writes between two automatic sweeps of expired entries.
const SWEEP_EVERY: u32 = 256;

/// Sessions in a `HashMap` behind a mutex: for one instance (development, tests, small
/// apps). Sessions are lost on restart and not shared between instances. Expired entries
/// are dropped when read and swept every few hundred writes (or by [`SessionStore::sweep`]).
pub struct MemorySessionStore {
    clock: Arc<dyn Clock>,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    sessions: HashMap<String, StoredSession>,
    writes_since_sweep: u32,
}

impl Inner {
    fn sweep(&mut self, now: i64) -> u64 {
        let before = self.sessions.len();
        self.sessions.retain(|_, session| session.is_live(now));
        self.writes_since_sweep = 0;
        u64::try_from(before - self.sessions.len()).unwrap_or(u64::MAX)
    }
}

impl MemorySessionStore {
    pub fn new(clock: Arc<dyn Clock>) -> MemorySessionStore {
        MemorySessionStore {
            clock,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Entries held, expired or not.
    pub fn len(&self) -> usize {
        self.lock().sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    // No code panics while holding the lock, and every update leaves the map whole, so a
    // poisoned lock still guards consistent data.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for MemorySessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemorySessionStore")
            .field("sessions", &self.len())
            .finish()
    }
}

#[async_trait]
impl SessionStore for MemorySessionStore {
    async fn get(&self, id: &SessionId) -> Result<Option<StoredSession>, SessionStoreError> {
        let now = self.clock.now();
        let mut inner = self.lock();
        match inner.sessions.get(id.as_str()) {
            Some(session) if session.is_live(now) => Ok(Some(session.clone())),
            Some(_) => {
                inner.sessions.remove(id.as_str());
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn set(&self, id: &SessionId, session: &StoredSession) -> Result<(), SessionStoreError> {
        let now = self.clock.now();
        let mut inner = self.lock();
        inner
            .sessions
            .insert(id.as_str().to_owned(), session.clone());
        inner.writes_since_sweep += 1;
        if inner.writes_since_sweep >= SWEEP_EVERY {
            inner.sweep(now);
        }
        Ok(())
    }

    async fn delete(&self, id: &SessionId) -> Result<(), SessionStoreError> {
        self.lock().sessions.remove(id.as_str());
        Ok(())
    }

    async fn delete_by_logout(
        &self,
        sid: Option<&str>,
        sub: Option<&str>,
    ) -> Result<u64, SessionStoreError> {
        let mut inner = self.lock();
        let before = inner.sessions.len();
        match (sid, sub) {
            (Some(sid), _) => inner
                .sessions
                .retain(|_, session| session.sid.as_deref() != Some(sid)),
            (None, Some(sub)) => inner
                .sessions
                .retain(|_, session| session.sub.as_deref() != Some(sub)),
            (None, None) => {}
        }
        Ok(u64::try_from(before - inner.sessions.len()).unwrap_or(u64::MAX))
    }

    async fn sweep(&self) -> Result<u64, SessionStoreError> {
        let now = self.clock.now();
        Ok(self.lock().sweep(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ManualClock;

    fn session(expires_at: i64) -> StoredSession {
        StoredSession {
            data: serde_json::json!({"user": {"sub": "u"}}),
            sid: None,
            sub: None,
            expires_at,
        }
    }

    fn id(n: u8) -> SessionId {
        SessionId::generate(&|b: &mut [u8]| b.fill(n))
    }

    #[tokio::test]
    async fn expired_entries_are_dropped_on_read() {
        let clock = Arc::new(ManualClock::new(100));
        let store = MemorySessionStore::new(clock.clone());
        store.set(&id(1), &session(101)).await.ok();
        clock.set(101);
        assert_eq!(store.len(), 1);
        assert_eq!(store.get(&id(1)).await.ok(), Some(None));
        assert_eq!(store.len(), 0);
    }

    #[tokio::test]
    async fn writes_sweep_every_few_hundred() {
        let clock = Arc::new(ManualClock::new(100));
        let store = MemorySessionStore::new(clock.clone());
        store.set(&id(0), &session(101)).await.ok();
        clock.set(200);
        for n in 1..u8::try_from(SWEEP_EVERY - 1).unwrap_or(u8::MAX) {
            store.set(&id(n), &session(300)).await.ok();
        }
        let held = |store: &MemorySessionStore| store.lock().sessions.contains_key(id(0).as_str());
        // Not yet swept: the expired entry is still held.
        assert!(held(&store));
        store.set(&id(255), &session(300)).await.ok();
        assert!(!held(&store));
        assert_eq!(store.len(), 255);
        assert_eq!(store.get(&id(0)).await.ok(), Some(None));
    }

    #[tokio::test]
    async fn sweep_counts_what_it_removed() {
        let clock = Arc::new(ManualClock::new(100));
        let store = MemorySessionStore::new(clock.clone());
        store.set(&id(1), &session(101)).await.ok();
        store.set(&id(2), &session(102)).await.ok();
        store.set(&id(3), &session(200)).await.ok();
        clock.set(102);
        assert_eq!(store.sweep().await.ok(), Some(2));
        assert_eq!(store.len(), 1);
    }
}
