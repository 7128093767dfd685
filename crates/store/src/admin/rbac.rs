//! [`RbacAdmin`] on SQLite and PostgreSQL.

use async_trait::async_trait;
use portcullis_core::RbacAdmin;

use crate::{PgStore, SqliteStore};

#[async_trait]
impl RbacAdmin for SqliteStore {}

#[async_trait]
impl RbacAdmin for PgStore {}
