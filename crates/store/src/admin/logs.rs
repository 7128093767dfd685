//! [`AuditLog`] on SQLite and PostgreSQL: the SQL is the same text on both, written
//! once and generic over the sqlx database.

use async_trait::async_trait;
use portcullis_core::{
    AuditLog, EventType, LogEvent, LogQuery, Page, PageRequest, StoreError, TenantId, UnixTime,
};
// Every SQL text built here joins constants and numbered placeholders; values are bound.
use sqlx::{AssertSqlSafe, Database, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::errors::db_error;
use crate::portable::RowsAffected;
use crate::{PgStore, SqliteStore};

const LOG_EVENTS: &str = "log_events";
const COLUMNS: &str = "tenant_id, log_id, date, type, description, client_id, ip, \
                       user_agent, user_id, user_name, details";

#[derive(FromRow)]
struct LogRow {
    tenant_id: String,
    log_id: String,
    date: i64,
    #[sqlx(rename = "type")]
    event_type: String,
    description: String,
    client_id: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    user_id: Option<String>,
    user_name: Option<String>,
    details: String,
}

impl LogRow {
    fn into_event(self) -> Result<LogEvent, StoreError> {
        let corrupt = |detail: String| StoreError::Corrupt {
            table: LOG_EVENTS,
            detail,
        };
        Ok(LogEvent {
            tenant_id: TenantId::new(self.tenant_id),
            event_type: EventType::parse(&self.event_type)
                .ok_or_else(|| corrupt(format!("unknown event type {:?}", self.event_type)))?,
            details: serde_json::from_str(&self.details)
                .map_err(|e| corrupt(format!("details of {}: {e}", self.log_id)))?,
            log_id: self.log_id,
            date: UnixTime(self.date),
            description: self.description,
            client_id: self.client_id,
            ip: self.ip,
            user_agent: self.user_agent,
            user_id: self.user_id,
            user_name: self.user_name,
        })
    }
}

async fn insert<DB>(pool: &Pool<DB>, e: &LogEvent) -> Result<(), StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
{
    let details = serde_json::to_string(&e.details).map_err(|err| StoreError::Corrupt {
        table: LOG_EVENTS,
        detail: err.to_string(),
    })?;
    sqlx::query::<DB>(AssertSqlSafe(format!(
        "INSERT INTO log_events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    )))
    .bind(e.tenant_id.as_str())
    .bind(e.log_id.as_str())
    .bind(e.date.0)
    .bind(e.event_type.code())
    .bind(e.description.as_str())
    .bind(e.client_id.as_deref())
    .bind(e.ip.as_deref())
    .bind(e.user_agent.as_deref())
    .bind(e.user_id.as_deref())
    .bind(e.user_name.as_deref())
    .bind(details)
    .execute(pool)
    .await
    .map_err(|err| db_error(LOG_EVENTS, err))?;
    Ok(())
}

/// `WHERE` for `query`, with its text parameters from `$2` on (`$1` is the tenant).
fn filters(query: &LogQuery) -> (String, Vec<String>) {
    let mut sql = String::from("WHERE tenant_id = $1");
    let mut params = Vec::new();
    let mut add = |column: &str, value: String| {
        params.push(value);
        sql.push_str(&format!(" AND {column} = ${}", params.len() + 1));
    };
    if let Some(t) = query.event_type {
        add("type", t.code().to_owned());
    }
    if let Some(u) = &query.user_id {
        add("user_id", u.clone());
    }
    if let Some(c) = &query.client_id {
        add("client_id", c.clone());
    }
    (sql, params)
}

async fn list<DB>(
    pool: &Pool<DB>,
    tenant: &TenantId,
    query: &LogQuery,
    page: PageRequest,
) -> Result<Page<LogEvent>, StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
    LogRow: for<'r> FromRow<'r, DB::Row>,
    (i64,): for<'r> FromRow<'r, DB::Row>,
{
    let (filter, params) = filters(query);
    let order = if query.oldest_first { "ASC" } else { "DESC" };
    let n = params.len();
    let sql = format!(
        "SELECT {COLUMNS} FROM log_events {filter} ORDER BY log_id {order} LIMIT ${} OFFSET ${}",
        n + 2,
        n + 3
    );
    let mut q = sqlx::query_as::<DB, LogRow>(AssertSqlSafe(sql)).bind(tenant.as_str());
    for p in &params {
        q = q.bind(p.clone());
    }
    let rows = q
        .bind(i64::from(page.per_page))
        .bind(crate::admin::offset(page))
        .fetch_all(pool)
        .await
        .map_err(|e| db_error(LOG_EVENTS, e))?;
    let count_sql = format!("SELECT COUNT(*) FROM log_events {filter}");
    let mut c = sqlx::query_as::<DB, (i64,)>(AssertSqlSafe(count_sql)).bind(tenant.as_str());
    for p in params {
        c = c.bind(p);
    }
    let (total,) = c
        .fetch_one(pool)
        .await
        .map_err(|e| db_error(LOG_EVENTS, e))?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(LogRow::into_event)
            .collect::<Result<_, _>>()?,
        total: crate::admin::to_total(total),
    })
}

async fn after<DB>(
    pool: &Pool<DB>,
    tenant: &TenantId,
    from: Option<&str>,
    take: u32,
) -> Result<Vec<LogEvent>, StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
    LogRow: for<'r> FromRow<'r, DB::Row>,
{
    let sql = format!(
        "SELECT {COLUMNS} FROM log_events WHERE tenant_id = $1 AND log_id > $2 \
         ORDER BY log_id ASC LIMIT $3"
    );
    sqlx::query_as::<DB, LogRow>(AssertSqlSafe(sql))
        .bind(tenant.as_str())
        .bind(from.unwrap_or(""))
        .bind(i64::from(take))
        .fetch_all(pool)
        .await
        .map_err(|e| db_error(LOG_EVENTS, e))?
        .into_iter()
        .map(LogRow::into_event)
        .collect()
}

async fn one<DB>(
    pool: &Pool<DB>,
    tenant: &TenantId,
    log_id: &str,
) -> Result<Option<LogEvent>, StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
    LogRow: for<'r> FromRow<'r, DB::Row>,
{
    let sql = format!("SELECT {COLUMNS} FROM log_events WHERE tenant_id = $1 AND log_id = $2");
    sqlx::query_as::<DB, LogRow>(AssertSqlSafe(sql))
        .bind(tenant.as_str())
        .bind(log_id)
        .fetch_optional(pool)
        .await
        .map_err(|e| db_error(LOG_EVENTS, e))?
        .map(LogRow::into_event)
        .transpose()
}

async fn delete_before<DB>(pool: &Pool<DB>, before: UnixTime) -> Result<u64, StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    <DB as Database>::Arguments: IntoArguments<DB>,
    DB::QueryResult: RowsAffected,
{
    let done = sqlx::query::<DB>("DELETE FROM log_events WHERE date < $1")
        .bind(before.0)
        .execute(pool)
        .await
        .map_err(|e| db_error(LOG_EVENTS, e))?;
    Ok(RowsAffected::rows_affected(&done))
}

macro_rules! audit_log_for {
    ($store:ty) => {
        #[async_trait]
        impl AuditLog for $store {
            async fn insert_log_event(&self, event: &LogEvent) -> Result<(), StoreError> {
                insert(self.pool(), event).await
            }

            async fn log_events(
                &self,
                tenant: &TenantId,
                query: &LogQuery,
                page: PageRequest,
            ) -> Result<Page<LogEvent>, StoreError> {
                list(self.pool(), tenant, query, page).await
            }

            async fn log_events_after(
                &self,
                tenant: &TenantId,
                from: Option<&str>,
                take: u32,
            ) -> Result<Vec<LogEvent>, StoreError> {
                after(self.pool(), tenant, from, take).await
            }

            async fn log_event(
                &self,
                tenant: &TenantId,
                log_id: &str,
            ) -> Result<Option<LogEvent>, StoreError> {
                one(self.pool(), tenant, log_id).await
            }

            async fn delete_log_events_before(&self, before: UnixTime) -> Result<u64, StoreError> {
                delete_before(self.pool(), before).await
            }
        }
    };
}

audit_log_for!(SqliteStore);
audit_log_for!(PgStore);
