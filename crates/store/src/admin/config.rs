//! [`ConfigAdmin`] on SQLite and PostgreSQL.

use async_trait::async_trait;
use portcullis_core::ConfigAdmin;

use crate::{PgStore, SqliteStore};

#[async_trait]
impl ConfigAdmin for SqliteStore {}

#[async_trait]
impl ConfigAdmin for PgStore {}
