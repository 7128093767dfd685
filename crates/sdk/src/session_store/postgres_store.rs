//! Sessions in a PostgreSQL table (feature `postgres`).

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::AssertSqlSafe;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use tokio::sync::OnceCell;

use super::error::within;
use super::sql_options::{
    Dialect, Queries, SWEEP_EVERY, SqlStoreOptions, TableName, decode_row, encode_data, sql_error,
};
use super::{SessionId, SessionStore, SessionStoreError, StoredSession};
use crate::Clock;

super::sql_store::sql_session_store!(
    PostgresSessionStore,
    PgPool,
    Dialect::Postgres,
    "Sessions in a PostgreSQL table (default `portcullis_sessions`), created on first use."
);

impl PostgresSessionStore {
    /// A store with its own pool on `url` (`postgres://user@host/db`). Connects lazily:
    /// the app starts while PostgreSQL is down, and calls fail as `Unavailable` until it
    /// is back.
    pub fn connect(
        url: &str,
        clock: Arc<dyn Clock>,
        options: SqlStoreOptions,
    ) -> Result<PostgresSessionStore, SessionStoreError> {
        // The error names what is wrong without echoing the URL (it may hold a password).
        let connect = PgConnectOptions::from_str(url)
            .map_err(|e| SessionStoreError::Config(format!("PostgreSQL session store URL: {e}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.timeout)
            .connect_lazy_with(connect);
        Ok(PostgresSessionStore::new(pool, clock, options))
    }
}
