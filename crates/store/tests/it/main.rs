//! The store suite: written once, run on SQLite and on PostgreSQL.
//!
//! PostgreSQL runs when `PORTCULLIS_TEST_DATABASE_URL` is set
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`); each test gets its own database.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod audit_log;
mod catalog;
mod fixtures;
mod open;
mod race;
mod race_grants;
mod signup;
mod story;
mod story_apps;
mod story_refresh;
mod story_resets;
mod story_users;
mod story_verification;

use portcullis_store::DatabaseUrl;
use portcullis_store::testing::{TestDatabase, fresh_postgres};
use tempfile::TempDir;

/// A fresh SQLite file in a directory removed when the guard drops.
pub fn fresh_sqlite() -> (TempDir, DatabaseUrl) {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_file(&dir.path().join("portcullis.db"));
    (dir, url)
}

/// A fresh PostgreSQL database, or `None` when PostgreSQL tests are not configured.
pub async fn fresh_pg() -> Option<(TestDatabase, DatabaseUrl)> {
    let db = fresh_postgres().await?;
    let url = db.database_url();
    Some((db, url))
}
