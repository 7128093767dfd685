//! Configuration shared by the SQL session stores: the (validated) table name and the
//! timeout.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{DEFAULT_TIMEOUT, SessionStoreError, StoredSession};

/// A table name that is safe to put into SQL: an ASCII letter or `_`, then letters, digits
/// or `_`, at most 48 characters (so `{name}_expires_at` stays within PostgreSQL's 63).
/// It is always quoted in SQL, so reserved words are fine.
#[derive(Clone, PartialEq, Eq)]
pub struct TableName(String);

impl TableName {
    pub const DEFAULT: &'static str = "portcullis_sessions";
    pub const MAX_LEN: usize = 48;

    pub fn parse(name: &str) -> Result<TableName, SessionStoreError> {
        let mut bytes = name.bytes();
        let first_ok = bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
        if !first_ok
            || name.len() > Self::MAX_LEN
            || !bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(SessionStoreError::Config(format!(
                "session table name {name:?} is not an identifier \
                 ([A-Za-z_][A-Za-z0-9_]*, at most {} characters)",
                Self::MAX_LEN
            )));
        }
        Ok(TableName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for TableName {
    fn default() -> TableName {
        TableName(Self::DEFAULT.to_owned())
    }
}

impl fmt::Debug for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Options of `SqliteSessionStore` and `PostgresSessionStore`.
#[derive(Debug, Clone)]
pub struct SqlStoreOptions {
    /// Created on first use with `CREATE TABLE IF NOT EXISTS`.
    pub table: TableName,
    /// Bound on every call, connecting included.
    pub timeout: Duration,
    /// Pool size when the store opens its own pool from a URL.
    pub max_connections: u32,
}

impl Default for SqlStoreOptions {
    fn default() -> SqlStoreOptions {
        SqlStoreOptions {
            table: TableName::default(),
            timeout: DEFAULT_TIMEOUT,
            max_connections: 4,
        }
    }
}

/// Writes between two sweeps that `set` runs by itself.
pub(crate) const SWEEP_EVERY: u64 = 1024;

/// The SQL dialects the stores speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    Sqlite,
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Postgres,
}

/// Every statement a SQL store runs, built once from the validated table name (the only
/// part not bound as a parameter).
#[derive(Debug, Clone)]
pub(crate) struct Queries {
    pub create: Vec<Arc<str>>,
    /// `$1` id, `$2` now -> `(data as text, sid, sub, expires_at)`.
    pub get: Arc<str>,
    /// `$1` id, `$2` data (JSON text), `$3` sid, `$4` sub, `$5` expires_at.
    pub upsert: Arc<str>,
    /// `$1` id.
    pub delete: Arc<str>,
    /// `$1` sid.
    pub delete_by_sid: Arc<str>,
    /// `$1` sub.
    pub delete_by_sub: Arc<str>,
    /// `$1` now.
    pub sweep: Arc<str>,
}

impl Queries {
    pub(crate) fn new(table: &TableName, dialect: Dialect) -> Queries {
        let t = table.as_str();
        let (data_type, time_type, data_in, data_out) = match dialect {
            Dialect::Sqlite => ("TEXT", "INTEGER", "$2", "data"),
            Dialect::Postgres => ("JSONB", "BIGINT", "$2::jsonb", "data::text"),
        };
        let text = |s: String| Arc::<str>::from(s);
        Queries {
            create: vec![
                text(format!(
                    "CREATE TABLE IF NOT EXISTS \"{t}\" (\
                     id TEXT PRIMARY KEY NOT NULL, \
                     data {data_type} NOT NULL, \
                     sid TEXT, \
                     sub TEXT, \
                     expires_at {time_type} NOT NULL)"
                )),
                text(format!(
                    "CREATE INDEX IF NOT EXISTS \"{t}_sid\" ON \"{t}\" (sid)"
                )),
                text(format!(
                    "CREATE INDEX IF NOT EXISTS \"{t}_sub\" ON \"{t}\" (sub)"
                )),
                text(format!(
                    "CREATE INDEX IF NOT EXISTS \"{t}_expires_at\" ON \"{t}\" (expires_at)"
                )),
            ],
            get: text(format!(
                "SELECT {data_out}, sid, sub, expires_at FROM \"{t}\" \
                 WHERE id = $1 AND expires_at > $2"
            )),
            upsert: text(format!(
                "INSERT INTO \"{t}\" (id, data, sid, sub, expires_at) \
                 VALUES ($1, {data_in}, $3, $4, $5) \
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data, sid = excluded.sid, \
                 sub = excluded.sub, expires_at = excluded.expires_at"
            )),
            delete: text(format!("DELETE FROM \"{t}\" WHERE id = $1")),
            delete_by_sid: text(format!("DELETE FROM \"{t}\" WHERE sid = $1")),
            delete_by_sub: text(format!("DELETE FROM \"{t}\" WHERE sub = $1")),
            sweep: text(format!("DELETE FROM \"{t}\" WHERE expires_at <= $1")),
        }
    }
}

/// A stored row back into a session; undecodable JSON is `Corrupt`.
pub(crate) fn decode_row(
    (data, sid, sub, expires_at): (String, Option<String>, Option<String>, i64),
) -> Result<StoredSession, SessionStoreError> {
    let data = serde_json::from_str(&data).map_err(|e| SessionStoreError::corrupt("get", e))?;
    Ok(StoredSession {
        data,
        sid,
        sub,
        expires_at,
    })
}

/// The session's JSON as stored.
pub(crate) fn encode_data(session: &StoredSession) -> Result<String, SessionStoreError> {
    serde_json::to_string(&session.data).map_err(|e| SessionStoreError::corrupt("set", e))
}

/// How a sqlx error is reported: an undecodable row is `Corrupt`, anything else
/// (connection, pool timeout, server error) `Unavailable`.
pub(crate) fn sql_error(operation: &'static str, e: sqlx::Error) -> SessionStoreError {
    match e {
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
            SessionStoreError::corrupt(operation, e)
        }
        other => SessionStoreError::unavailable(operation, other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_identifiers() {
        for good in [
            "portcullis_sessions",
            "_s",
            "Sessions2",
            "user",
            &"a".repeat(48),
        ] {
            assert_eq!(
                TableName::parse(good).ok().as_ref().map(TableName::as_str),
                Some(good)
            );
        }
        for bad in [
            "",
            "1abc",
            "a-b",
            "a b",
            "a;DROP TABLE users",
            "a\"b",
            "public.sessions",
            "sessiоns", // Cyrillic o
            &"a".repeat(49),
        ] {
            assert!(
                matches!(TableName::parse(bad), Err(SessionStoreError::Config(_))),
                "{bad:?}"
            );
        }
    }
}
