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

type Row = (String, Option<String>, Option<String>, i64);

/// Sessions in an SQLite table (default `portcullis_sessions`), created on first use.
pub struct SqliteSessionStore {
    pool: SqlitePool,
    clock: Arc<dyn Clock>,
    timeout: Duration,
    table: TableName,
    sql: Queries,
    table_ready: OnceCell<()>,
    writes: AtomicU64,
}

impl SqliteSessionStore {
    /// A store on the app's own pool.
    pub fn new(
        pool: SqlitePool,
        clock: Arc<dyn Clock>,
        options: SqlStoreOptions,
    ) -> SqliteSessionStore {
        SqliteSessionStore {
            pool,
            clock,
            timeout: options.timeout,
            table: options.table.clone(),
            sql: Queries::new(&options.table, Dialect::Sqlite),
            table_ready: OnceCell::new(),
            writes: AtomicU64::new(0),
        }
    }

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

    /// The table the sessions are in.
    pub fn table(&self) -> &TableName {
        &self.table
    }

    /// The pool, for the app's own queries or to close it.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn ensure_table(&self) -> Result<(), SessionStoreError> {
        self.table_ready
            .get_or_try_init(|| async {
                for statement in &self.sql.create {
                    sqlx::query(AssertSqlSafe(statement.clone()))
                        .execute(&self.pool)
                        .await
                        .map_err(|e| sql_error("create table", e))?;
                }
                Ok(())
            })
            .await
            .map(|_| ())
    }

    async fn sweep_now(&self) -> Result<u64, SessionStoreError> {
        self.ensure_table().await?;
        let done = sqlx::query(AssertSqlSafe(self.sql.sweep.clone()))
            .bind(self.clock.now())
            .execute(&self.pool)
            .await
            .map_err(|e| sql_error("sweep", e))?;
        Ok(done.rows_affected())
    }
}

impl std::fmt::Debug for SqliteSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteSessionStore")
            .field("table", &self.table)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl SessionStore for SqliteSessionStore {
    async fn get(&self, id: &SessionId) -> Result<Option<StoredSession>, SessionStoreError> {
        within(self.timeout, "get", async {
            self.ensure_table().await?;
            let row: Option<Row> = sqlx::query_as(AssertSqlSafe(self.sql.get.clone()))
                .bind(id.as_str())
                .bind(self.clock.now())
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| sql_error("get", e))?;
            row.map(decode_row).transpose()
        })
        .await
    }

    async fn set(&self, id: &SessionId, session: &StoredSession) -> Result<(), SessionStoreError> {
        let data = encode_data(session)?;
        within(self.timeout, "set", async {
            self.ensure_table().await?;
            sqlx::query(AssertSqlSafe(self.sql.upsert.clone()))
                .bind(id.as_str())
                .bind(data)
                .bind(session.sid.as_deref())
                .bind(session.sub.as_deref())
                .bind(session.expires_at)
                .execute(&self.pool)
                .await
                .map_err(|e| sql_error("set", e))?;
            if self.writes.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
                // The session is stored; a failed sweep is retried on a later write.
                if let Err(e) = self.sweep_now().await {
                    tracing::warn!(error = %e, "session store sweep failed");
                }
            }
            Ok(())
        })
        .await
    }

    async fn delete(&self, id: &SessionId) -> Result<(), SessionStoreError> {
        within(self.timeout, "delete", async {
            self.ensure_table().await?;
            sqlx::query(AssertSqlSafe(self.sql.delete.clone()))
                .bind(id.as_str())
                .execute(&self.pool)
                .await
                .map_err(|e| sql_error("delete", e))?;
            Ok(())
        })
        .await
    }

    async fn delete_by_logout(
        &self,
        sid: Option<&str>,
        sub: Option<&str>,
    ) -> Result<u64, SessionStoreError> {
        let (statement, value) = match (sid, sub) {
            (Some(sid), _) => (&self.sql.delete_by_sid, sid),
            (None, Some(sub)) => (&self.sql.delete_by_sub, sub),
            (None, None) => return Ok(0),
        };
        within(self.timeout, "delete_by_logout", async {
            self.ensure_table().await?;
            let done = sqlx::query(AssertSqlSafe(statement.clone()))
                .bind(value)
                .execute(&self.pool)
                .await
                .map_err(|e| sql_error("delete_by_logout", e))?;
            Ok(done.rows_affected())
        })
        .await
    }

    async fn sweep(&self) -> Result<u64, SessionStoreError> {
        within(self.timeout, "sweep", self.sweep_now()).await
    }
}
