//! Sessions in an SQLite table (feature `sqlite`).

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::AssertSqlSafe;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use tokio::sync::OnceCell;

use super::error::within;
use super::sql_options::{
    Dialect, Queries, SWEEP_EVERY, SqlStoreOptions, TableName, decode_row, encode_data, sql_error,
};
use super::{SessionId, SessionStore, SessionStoreError, StoredSession};
use crate::Clock;

super::sql_store::sql_session_store!(
    SqliteSessionStore,
    SqlitePool,
    Dialect::Sqlite,
    "Sessions in an SQLite table (default `portcullis_sessions`), created on first use."
);

impl SqliteSessionStore {
    /// A store with its own pool on `url` (`sqlite:sessions.db`, `sqlite::memory:`),
    /// creating the file if missing. Connects lazily: nothing is opened before the first
    /// call. An in-memory database lives in the pool's single connection.
    pub fn connect(
        url: &str,
        clock: Arc<dyn Clock>,
        options: SqlStoreOptions,
    ) -> Result<SqliteSessionStore, SessionStoreError> {
        let connect = SqliteConnectOptions::from_str(url)
            .map_err(|e| SessionStoreError::Config(format!("SQLite session store URL: {e}")))?
            .create_if_missing(true)
            .busy_timeout(options.timeout);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool = SqlitePoolOptions::new().acquire_timeout(options.timeout);
        let pool = if in_memory {
            // Each connection to `:memory:` is its own database: keep exactly one, forever.
            pool.max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_lazy_with(connect)
        } else {
            pool.max_connections(options.max_connections.max(1))
                .connect_lazy_with(connect.journal_mode(SqliteJournalMode::Wal))
        };
        Ok(SqliteSessionStore::new(pool, clock, options))
    }
}
