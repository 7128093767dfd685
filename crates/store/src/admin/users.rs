//! [`UserDirectory`] on SQLite and PostgreSQL.

use async_trait::async_trait;
use portcullis_core::UserDirectory;

use crate::{PgStore, SqliteStore};

#[async_trait]
impl UserDirectory for SqliteStore {}

#[async_trait]
impl UserDirectory for PgStore {}
