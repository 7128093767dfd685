//! Sessions in Redis (feature `redis`).
//!
//! Layout, under a prefix (default `portcullis:sess:`):
//! - `{prefix}{id}`: the session as JSON, `SET ... EX ttl`, so Redis drops it at expiry;
//! - `{prefix}sid:{sid}` and `{prefix}sub:{sub}`: sets of session ids for back-channel
//!   logout, whose expiry is pushed to at least that of their longest-lived member.
//!
//! Session ids are base64url, without `:`, so a session key never collides with an index.
//! Index entries can go stale (a session deleted, expired or re-stored with another `sid`);
//! `delete_by_logout` reads each candidate and deletes only those that still match.
//! Needs Redis 7.0 or later (`EXPIRE ... NX` / `GT`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};

use super::error::within;
use super::{DEFAULT_TIMEOUT, SessionId, SessionStore, SessionStoreError, StoredSession};
use crate::Clock;

/// A Redis key prefix: 1 to 64 printable ASCII characters, no spaces.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyPrefix(String);

impl KeyPrefix {
    pub const DEFAULT: &'static str = "portcullis:sess:";
    pub const MAX_LEN: usize = 64;

    pub fn parse(prefix: &str) -> Result<KeyPrefix, SessionStoreError> {
        if prefix.is_empty()
            || prefix.len() > Self::MAX_LEN
            || !prefix.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(SessionStoreError::Config(format!(
                "Redis key prefix {prefix:?} must be 1 to {} printable ASCII characters",
                Self::MAX_LEN
            )));
        }
        Ok(KeyPrefix(prefix.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for KeyPrefix {
    fn default() -> KeyPrefix {
        KeyPrefix(Self::DEFAULT.to_owned())
    }
}

impl fmt::Debug for KeyPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Options of [`RedisSessionStore`].
#[derive(Debug, Clone)]
pub struct RedisStoreOptions {
    pub prefix: KeyPrefix,
    /// Bound on every call, (re)connecting included.
    pub timeout: Duration,
}

impl Default for RedisStoreOptions {
    fn default() -> RedisStoreOptions {
        RedisStoreOptions {
            prefix: KeyPrefix::default(),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Sessions in Redis, through a [`ConnectionManager`] that reconnects after an outage.
pub struct RedisSessionStore {
    conn: ConnectionManager,
    clock: Arc<dyn Clock>,
    prefix: KeyPrefix,
    timeout: Duration,
}

#[derive(Serialize)]
struct RecordOut<'a> {
    data: &'a serde_json::Value,
    sid: Option<&'a str>,
    sub: Option<&'a str>,
    exp: i64,
}

#[derive(Deserialize)]
struct RecordIn {
    data: serde_json::Value,
    sid: Option<String>,
    sub: Option<String>,
    exp: i64,
}

fn decode(operation: &'static str, bytes: &[u8]) -> Result<StoredSession, SessionStoreError> {
    let record: RecordIn =
        serde_json::from_slice(bytes).map_err(|e| SessionStoreError::corrupt(operation, e))?;
    Ok(StoredSession {
        data: record.data,
        sid: record.sid,
        sub: record.sub,
        expires_at: record.exp,
    })
}

fn unavailable(operation: &'static str) -> impl FnOnce(redis::RedisError) -> SessionStoreError {
    move |e| SessionStoreError::unavailable(operation, e)
}

impl RedisSessionStore {
    /// A store on the app's own connection manager.
    pub fn new(
        conn: ConnectionManager,
        clock: Arc<dyn Clock>,
        options: RedisStoreOptions,
    ) -> RedisSessionStore {
        RedisSessionStore {
            conn,
            clock,
            prefix: options.prefix,
            timeout: options.timeout,
        }
    }

    /// A store on `url` (`redis://host:6379/`, `rediss://...`). Connects lazily, so the app
    /// starts while Redis is down; calls fail as `Unavailable` until it is back. Must be
    /// called within a Tokio runtime.
    pub fn connect(
        url: &str,
        clock: Arc<dyn Clock>,
        options: RedisStoreOptions,
    ) -> Result<RedisSessionStore, SessionStoreError> {
        let client = redis::Client::open(url)
            .map_err(|e| SessionStoreError::Config(format!("Redis session store URL: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(options.timeout))
            .set_response_timeout(Some(options.timeout))
            .set_number_of_retries(1);
        let conn = ConnectionManager::new_lazy_with_config(client, config).map_err(|e| {
            SessionStoreError::Config(format!("Redis session store connection: {e}"))
        })?;
        Ok(RedisSessionStore::new(conn, clock, options))
    }

    fn session_key(&self, id: &str) -> String {
        format!("{}{id}", self.prefix.as_str())
    }

    fn sid_key(&self, sid: &str) -> String {
        format!("{}sid:{sid}", self.prefix.as_str())
    }

    fn sub_key(&self, sub: &str) -> String {
        format!("{}sub:{sub}", self.prefix.as_str())
    }
}

impl fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl SessionStore for RedisSessionStore {
    async fn get(&self, id: &SessionId) -> Result<Option<StoredSession>, SessionStoreError> {
        let key = self.session_key(id.as_str());
        let mut conn = self.conn.clone();
        let stored: Option<Vec<u8>> = within(self.timeout, "get", async {
            redis::cmd("GET")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .map_err(unavailable("get"))
        })
        .await?;
        let Some(bytes) = stored else {
            return Ok(None);
        };
        let session = decode("get", &bytes)?;
        // Redis TTLs are whole seconds on Redis's clock: check expiry against ours too.
        Ok(session.is_live(self.clock.now()).then_some(session))
    }

    async fn set(&self, id: &SessionId, session: &StoredSession) -> Result<(), SessionStoreError> {
        let record = serde_json::to_vec(&RecordOut {
            data: &session.data,
            sid: session.sid.as_deref(),
            sub: session.sub.as_deref(),
            exp: session.expires_at,
        })
        .map_err(|e| SessionStoreError::corrupt("set", e))?;
        let ttl = session.expires_at.saturating_sub(self.clock.now()).max(1);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("SET")
            .arg(self.session_key(id.as_str()))
            .arg(record)
            .arg("EX")
            .arg(ttl)
            .ignore();
        let sid_index = session.sid.as_deref().map(|sid| self.sid_key(sid));
        let sub_index = session.sub.as_deref().map(|sub| self.sub_key(sub));
        for index in [sid_index, sub_index].into_iter().flatten() {
            // NX gives a new set an expiry; GT only ever lengthens an existing one.
            pipe.cmd("SADD")
                .arg(&index)
                .arg(id.as_str())
                .ignore()
                .cmd("EXPIRE")
                .arg(&index)
                .arg(ttl)
                .arg("NX")
                .ignore()
                .cmd("EXPIRE")
                .arg(&index)
                .arg(ttl)
                .arg("GT")
                .ignore();
        }
        let mut conn = self.conn.clone();
        within(self.timeout, "set", async {
            pipe.exec_async(&mut conn).await.map_err(unavailable("set"))
        })
        .await
    }

    async fn delete(&self, id: &SessionId) -> Result<(), SessionStoreError> {
        let key = self.session_key(id.as_str());
        let mut conn = self.conn.clone();
        within(self.timeout, "delete", async {
            redis::cmd("DEL")
                .arg(&key)
                .exec_async(&mut conn)
                .await
                .map_err(unavailable("delete"))
        })
        .await
    }

    async fn delete_by_logout(
        &self,
        sid: Option<&str>,
        sub: Option<&str>,
    ) -> Result<u64, SessionStoreError> {
        let (index, matches): (String, Box<dyn Fn(&StoredSession) -> bool + Send + Sync>) =
            match (sid, sub) {
                (Some(sid), _) => {
                    let sid = sid.to_owned();
                    (
                        self.sid_key(&sid),
                        Box::new(move |s| s.sid.as_deref() == Some(sid.as_str())),
                    )
                }
                (None, Some(sub)) => {
                    let sub = sub.to_owned();
                    (
                        self.sub_key(&sub),
                        Box::new(move |s| s.sub.as_deref() == Some(sub.as_str())),
                    )
                }
                (None, None) => return Ok(0),
            };
        let mut conn = self.conn.clone();
        within(self.timeout, "delete_by_logout", async {
            let members: Vec<String> = redis::cmd("SMEMBERS")
                .arg(&index)
                .query_async(&mut conn)
                .await
                .map_err(unavailable("delete_by_logout"))?;
            if members.is_empty() {
                return Ok(0);
            }
            let keys: Vec<String> = members.iter().map(|id| self.session_key(id)).collect();
            let stored: Vec<Option<Vec<u8>>> = redis::cmd("MGET")
                .arg(&keys)
                .query_async(&mut conn)
                .await
                .map_err(unavailable("delete_by_logout"))?;
            // A stale entry (deleted, expired, or re-stored for another sid/sub) is only
            // dropped from the index; an undecodable session is deleted too, since logout
            // must not leave anything behind that might still be read as a session.
            let doomed: Vec<&String> = keys
                .iter()
                .zip(&stored)
                .filter_map(|(key, value)| {
                    let bytes = value.as_ref()?;
                    match decode("delete_by_logout", bytes) {
                        Ok(session) => matches(&session).then_some(key),
                        Err(_) => Some(key),
                    }
                })
                .collect();
            let mut pipe = redis::pipe();
            pipe.atomic();
            if !doomed.is_empty() {
                pipe.cmd("DEL").arg(&doomed);
            }
            pipe.cmd("SREM").arg(&index).arg(&members).ignore();
            let deleted: Vec<u64> = pipe
                .query_async(&mut conn)
                .await
                .map_err(unavailable("delete_by_logout"))?;
            Ok(deleted.first().copied().unwrap_or(0))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_printable_ascii() {
        assert_eq!(KeyPrefix::default().as_str(), "portcullis:sess:");
        assert!(KeyPrefix::parse("app:{tenant}:s:").is_ok());
        for bad in ["", "a b", "a\nb", "é", &"a".repeat(65)] {
            assert!(KeyPrefix::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn records_round_trip() {
        let session = StoredSession {
            data: serde_json::json!({"user": {"sub": "auth0|1", "name": "Zoë"}, "n": [1, 2.5]}),
            sid: Some("sid".into()),
            sub: None,
            expires_at: 1_700_000_000,
        };
        let bytes = serde_json::to_vec(&RecordOut {
            data: &session.data,
            sid: session.sid.as_deref(),
            sub: session.sub.as_deref(),
            exp: session.expires_at,
        })
        .unwrap_or_default();
        assert_eq!(decode("get", &bytes).ok(), Some(session));
        assert!(matches!(
            decode("get", b"not json"),
            Err(SessionStoreError::Corrupt { .. })
        ));
    }
}
