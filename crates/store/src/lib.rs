//! sqlx implementations of Portcullis's [`Store`]: SQLite (the embedded default) and
//! PostgreSQL (shared by many instances), chosen at runtime from the database URL.
//!
//! ```no_run
//! # async fn run() -> Result<(), portcullis_core::StoreError> {
//! use portcullis_store::{DatabaseUrl, OpenOptions};
//! let url = DatabaseUrl::parse("sqlite:portcullis.db")?;
//! let store = portcullis_store::open(&url, &OpenOptions::default()).await?;
//! store.ping().await?;
//! # Ok(()) }
//! ```
//!
//! Migrations are embedded from `migrations/sqlite` and `migrations/postgres` (same file
//! names, forward only) and run by [`open`] unless [`OpenOptions::migrate`] is off.

use std::collections::HashSet;
use std::sync::Arc;

use portcullis_core::{Store, StoreError};
use sqlx::migrate::Migrator;

mod admin;
mod database_url;
mod errors;
mod portable;
mod postgres;
mod refresh;
mod reset_rows;
mod rows;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

pub use database_url::DatabaseUrl;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// How [`open`] treats the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOptions {
    /// Apply pending migrations (default). When off, a database whose schema is missing
    /// or behind is an error asking for `portcullis migrate`.
    pub migrate: bool,
    /// The most connections to hold open (default 10). SQLite uses at most 4: it has one
    /// writer at a time.
    pub max_connections: u32,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            migrate: true,
            max_connections: 10,
        }
    }
}

/// Opens the store at `url`: migrated when `opts.migrate`, else checked to be migrated.
pub async fn open(url: &DatabaseUrl, opts: &OpenOptions) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match url {
        DatabaseUrl::Sqlite(path) => Arc::new(SqliteStore::open(path, opts).await?),
        DatabaseUrl::Postgres(raw) => Arc::new(PgStore::open(raw, opts).await?),
    })
}

/// Applies pending migrations to the database at `url`, then closes it
/// (`portcullis migrate`).
pub async fn migrate(url: &DatabaseUrl) -> Result<(), StoreError> {
    let opts = OpenOptions {
        migrate: true,
        max_connections: 1,
    };
    match url {
        DatabaseUrl::Sqlite(path) => SqliteStore::open(path, &opts).await?.close().await,
        DatabaseUrl::Postgres(raw) => PgStore::open(raw, &opts).await?.close().await,
    }
    Ok(())
}

/// `Ok` when every migration of `migrator` is among the `applied` versions.
fn require_applied(
    migrator: &Migrator,
    applied: impl Iterator<Item = i64>,
) -> Result<(), StoreError> {
    let applied: HashSet<i64> = applied.collect();
    let behind = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .any(|m| !applied.contains(&m.version));
    if behind {
        Err(StoreError::Migration(errors::SCHEMA_BEHIND.to_owned()))
    } else {
        Ok(())
    }
}
