//! sqlx errors mapped onto core's [`StoreError`].

use portcullis_core::StoreError;
use sqlx::error::ErrorKind;

/// Maps an error from a query on `table`.
///
/// - a broken uniqueness, foreign-key or check rule -> `Conflict`
/// - a row that does not decode -> `Corrupt`
/// - a failed migration -> `Migration`
/// - anything else (I/O, pool, timeout, an unexpected database error) -> `Unavailable`
pub(crate) fn db_error(table: &'static str, err: sqlx::Error) -> StoreError {
    match err {
        sqlx::Error::Database(e) => match e.kind() {
            ErrorKind::UniqueViolation => {
                StoreError::Conflict(format!("{table}: already exists ({})", e.message()))
            }
            ErrorKind::ForeignKeyViolation => StoreError::Conflict(format!(
                "{table}: refers to a row that does not exist ({})",
                e.message()
            )),
            ErrorKind::NotNullViolation
            | ErrorKind::CheckViolation
            | ErrorKind::ExclusionViolation => {
                StoreError::Conflict(format!("{table}: rejected ({})", e.message()))
            }
            _ => StoreError::Unavailable(format!("{table}: {}", e.message())),
        },
        sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::TypeNotFound { .. } => StoreError::Corrupt {
            table,
            detail: err.to_string(),
        },
        sqlx::Error::Migrate(e) => StoreError::Migration(e.to_string()),
        other => StoreError::Unavailable(format!("{table}: {}", describe(&other))),
    }
}

/// A short description of a connection-level error, without the `sqlx` prefixes.
pub(crate) fn describe(err: &sqlx::Error) -> String {
    match err {
        // "Connection refused (os error 111)" -> "connection refused".
        sqlx::Error::Io(e) => lowercase_first(&strip_os_error(&e.to_string())),
        sqlx::Error::Database(e) => e.message().to_owned(),
        sqlx::Error::PoolTimedOut => "timed out".to_owned(),
        other => other.to_string(),
    }
}

fn strip_os_error(s: &str) -> String {
    match s.find(" (os error ") {
        Some(i) if s.ends_with(')') => s[..i].to_owned(),
        _ => s.to_owned(),
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The error for a database that cannot be opened, naming its (redacted) URL and never
/// its password, even if a driver message were to include it.
pub(crate) fn connect_error(
    redacted_url: &str,
    password: Option<&str>,
    err: &sqlx::Error,
) -> StoreError {
    let mut message = describe(err);
    if let Some(password) = password {
        message = message.replace(password, "***");
    }
    StoreError::Unavailable(format!("cannot connect to {redacted_url}: {message}"))
}

pub(crate) fn migrate_error(err: sqlx::migrate::MigrateError) -> StoreError {
    StoreError::Migration(err.to_string())
}

pub(crate) const SCHEMA_BEHIND: &str =
    "database schema is not up to date: run `portcullis migrate`";
