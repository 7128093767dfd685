//! The database URL, parsed once: its scheme picks the backend.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use portcullis_core::StoreError;

/// Where the data lives. `Debug` and `Display` print the [redacted](Self::redacted) form,
/// so a URL with a password can be logged.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file, or `:memory:` for a private in-memory database.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`), as given.
    Postgres(String),
}

const SQLITE_MEMORY: &str = ":memory:";

const ACCEPTED: &str = "`sqlite:PATH`, `sqlite://PATH`, `sqlite::memory:`, \
                        `postgres://...` or `postgresql://...`";

impl DatabaseUrl {
    /// Reads `sqlite:path`, `sqlite://path`, `sqlite::memory:`, `postgres://...` and
    /// `postgresql://...`. Anything else is an error naming the accepted schemes.
    pub fn parse(s: &str) -> Result<DatabaseUrl, StoreError> {
        let s = s.trim();
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            // Never echo the input: it may hold a password.
            let parsed = url::Url::parse(s)
                .map_err(|e| StoreError::InvalidUrl(format!("invalid PostgreSQL URL: {e}")))?;
            if parsed.host_str().is_none_or(str::is_empty) {
                return Err(StoreError::InvalidUrl(
                    "invalid PostgreSQL URL: no host".to_owned(),
                ));
            }
            return Ok(DatabaseUrl::Postgres(s.to_owned()));
        }
        if lower.starts_with("sqlite:") {
            let rest = &s["sqlite:".len()..];
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(StoreError::InvalidUrl(
                    "invalid SQLite URL: no file name (e.g. `sqlite:portcullis.db`)".to_owned(),
                ));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        let scheme = s.split_once(':').map_or("", |(scheme, _)| scheme);
        Err(StoreError::InvalidUrl(if scheme.is_empty() {
            format!("unsupported database URL: expected {ACCEPTED}")
        } else {
            format!("unsupported database URL scheme `{scheme}:`: expected {ACCEPTED}")
        }))
    }

    /// An SQLite file at `path`.
    pub fn sqlite_file(path: &Path) -> DatabaseUrl {
        DatabaseUrl::Sqlite(path.to_path_buf())
    }

    /// A private in-memory SQLite database, gone when the store is dropped.
    pub fn sqlite_memory() -> DatabaseUrl {
        DatabaseUrl::Sqlite(PathBuf::from(SQLITE_MEMORY))
    }

    /// The URL with any password replaced by `***`, for logs and error messages.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("sqlite:{}", path.display()),
            DatabaseUrl::Postgres(url) => redact_postgres(url),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, DatabaseUrl::Postgres(_))
    }

    pub(crate) fn is_sqlite_memory(path: &Path) -> bool {
        path == Path::new(SQLITE_MEMORY)
    }
}

impl FromStr for DatabaseUrl {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DatabaseUrl::parse(s)
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

/// Replaces the password, in the user info or a `password=` query parameter, by `***`.
pub(crate) fn redact_postgres(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return "<invalid PostgreSQL URL>".to_owned();
    };
    if url.password().is_some() && url.set_password(Some("***")).is_err() {
        return "<PostgreSQL URL>".to_owned();
    }
    if url.query_pairs().any(|(k, _)| k == "password") {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "password" {
                    "***".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// The password of a PostgreSQL URL, if any, so it can be scrubbed from messages.
pub(crate) fn postgres_password(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw).ok()?;
    let from_query = url
        .query_pairs()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.into_owned());
    url.password()
        .map(str::to_owned)
        .or(from_query)
        .filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sqlite_forms() {
        assert_eq!(
            DatabaseUrl::parse("sqlite:data/p.db").ok(),
            Some(DatabaseUrl::Sqlite(PathBuf::from("data/p.db")))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/p.db").ok(),
            Some(DatabaseUrl::Sqlite(PathBuf::from("/var/lib/p.db")))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite::memory:").ok(),
            Some(DatabaseUrl::sqlite_memory())
        );
        assert!(DatabaseUrl::parse("sqlite:").is_err());
    }

    #[test]
    fn parses_postgres_forms() {
        for s in [
            "postgres://u@h/db",
            "postgresql://u:p@h:5433/db?sslmode=require",
        ] {
            let url = DatabaseUrl::parse(s).ok();
            assert_eq!(url, Some(DatabaseUrl::Postgres(s.to_owned())));
            assert!(url.is_some_and(|u| u.is_postgres()));
        }
        assert!(DatabaseUrl::parse("postgres://").is_err());
    }

    #[test]
    fn rejects_other_schemes_naming_the_accepted_ones() {
        for s in ["mysql://x", "portcullis.db", ""] {
            let err = DatabaseUrl::parse(s).err().map(|e| e.to_string());
            let err = err.unwrap_or_default();
            assert!(
                err.contains("sqlite:") && err.contains("postgres://"),
                "{err}"
            );
        }
    }

    #[test]
    fn redacts_passwords_everywhere() {
        let url = DatabaseUrl::Postgres("postgres://user:s3cret@127.0.0.1/db".to_owned());
        assert_eq!(url.redacted(), "postgres://user:***@127.0.0.1/db");
        assert_eq!(
            format!("{url:?}"),
            "DatabaseUrl(postgres://user:***@127.0.0.1/db)"
        );
        assert_eq!(format!("{url}"), "postgres://user:***@127.0.0.1/db");
        let url = DatabaseUrl::Postgres("postgres://user@h/db?password=s3cret&x=1".to_owned());
        assert_eq!(url.redacted(), "postgres://user@h/db?password=***&x=1");
        let url = DatabaseUrl::Postgres("postgres://user@h/db".to_owned());
        assert_eq!(url.redacted(), "postgres://user@h/db");
        assert_eq!(
            postgres_password("postgres://u:s3cret@h/db").as_deref(),
            Some("s3cret")
        );
    }
}
