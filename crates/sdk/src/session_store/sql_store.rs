//! What the SQL session stores share: the struct, the table made on first use, the
//! queries run under the store's timeout, and the periodic sweep. SQLite and PostgreSQL
//! differ only in their pool, their dialect and how they connect, so each backend file
//! expands this with its own types and adds its `connect`.

/// `sql_session_store!(Name, PoolType, Dialect::X, "doc")` defines `Name` with `new`,
/// `table`, `pool`, `Debug` and `SessionStore`. The expanding module imports what the
/// body names (`Arc`, `Duration`, `AtomicU64`, `Ordering`, `OnceCell`, `AssertSqlSafe`,
/// `async_trait`, `within`, the `sql_options` items, the store types, `Clock`).
macro_rules! sql_session_store {
    ($store:ident, $pool:ty, $dialect:expr, $doc:literal) => {
        type Row = (String, Option<String>, Option<String>, i64);

        #[doc = $doc]
        pub struct $store {
            pool: $pool,
            clock: Arc<dyn Clock>,
            timeout: Duration,
            table: TableName,
            sql: Queries,
            table_ready: OnceCell<()>,
            writes: AtomicU64,
        }

        impl $store {
            /// A store on the app's own pool.
            pub fn new(
                pool: $pool,
                clock: Arc<dyn Clock>,
                options: SqlStoreOptions,
            ) -> $store {
                $store {
                    pool,
                    clock,
                    timeout: options.timeout,
                    table: options.table.clone(),
                    sql: Queries::new(&options.table, $dialect),
                    table_ready: OnceCell::new(),
                    writes: AtomicU64::new(0),
                }
            }

            /// The table the sessions are in.
            pub fn table(&self) -> &TableName {
                &self.table
            }

            /// The pool, for the app's own queries or to close it.
            pub fn pool(&self) -> &$pool {
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

        impl std::fmt::Debug for $store {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($store))
                    .field("table", &self.table)
                    .field("timeout", &self.timeout)
                    .finish_non_exhaustive()
            }
        }

        #[async_trait]
        impl SessionStore for $store {
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
    };
}

pub(super) use sql_session_store;
