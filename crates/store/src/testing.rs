//! Throwaway PostgreSQL databases for tests (feature `testing`).
//!
//! Set `PORTCULLIS_TEST_DATABASE_URL` to a server the tests may create databases on
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`). Unset, PostgreSQL tests skip
//! with a note; set but unreachable, they fail, so CI cannot silently skip them.

use std::time::Duration;

use portcullis_core::{Rng, SystemRng};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::DatabaseUrl;
use crate::database_url::redact_postgres;

pub const TEST_DATABASE_URL_VAR: &str = "PORTCULLIS_TEST_DATABASE_URL";

/// A database made for one test, dropped (with `WITH (FORCE)`, closing any connection
/// still open to it) by [`TestDatabase::drop_database`] or, failing that, on `Drop`.
#[derive(Debug)]
pub struct TestDatabase {
    /// `postgres://.../portcullis_t_<hex>`.
    pub url: String,
    admin_url: String,
    name: String,
    dropped: bool,
}

impl TestDatabase {
    pub fn database_url(&self) -> DatabaseUrl {
        DatabaseUrl::Postgres(self.url.clone())
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drops the database now, reporting failure.
    pub async fn drop_database(mut self) -> Result<(), String> {
        self.dropped = true;
        drop_database(&self.admin_url, &self.name).await
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        self.dropped = true;
        // Drop cannot await, and the test's runtime may be shutting down: clean up on a
        // thread with its own runtime and wait for it.
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(drop_database(&admin_url, &name))
        });
        let outcome = cleanup
            .join()
            .unwrap_or_else(|_| Err("cleanup thread panicked".to_owned()));
        if let Err(e) = outcome {
            eprintln!("warning: could not drop test database {}: {e}", self.name);
        }
    }
}

async fn drop_database(admin_url: &str, name: &str) -> Result<(), String> {
    let mut conn = PgConnection::connect(admin_url)
        .await
        .map_err(|e| e.to_string())?;
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .map_err(|e| e.to_string())?;
    conn.close().await.map_err(|e| e.to_string())
}

/// A fresh, empty database on the server named by `PORTCULLIS_TEST_DATABASE_URL`, or
/// `None` (with a note on stderr) when the variable is unset.
///
/// # Panics
/// When the variable is set but the server cannot be reached or refuses to create the
/// database.
// Panicking is the point: a CI job that sets the variable must fail, not skip, when
// PostgreSQL is down. This is test support, never called by the server.
#[allow(clippy::panic)]
pub async fn fresh_postgres() -> Option<TestDatabase> {
    let admin_url = match std::env::var(TEST_DATABASE_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => url.trim().to_owned(),
        _ => {
            eprintln!("note: {TEST_DATABASE_URL_VAR} not set; skipping PostgreSQL test");
            return None;
        }
    };
    let redacted = redact_postgres(&admin_url);
    if !matches!(DatabaseUrl::parse(&admin_url), Ok(DatabaseUrl::Postgres(_))) {
        panic!("{TEST_DATABASE_URL_VAR}={redacted} is not a postgres:// URL");
    }
    let mut conn = match PgConnection::connect(&admin_url).await {
        Ok(conn) => conn,
        Err(e) => panic!(
            "{TEST_DATABASE_URL_VAR} is set but PostgreSQL at {redacted} is unreachable: {e}"
        ),
    };

    let mut bytes = [0u8; 16];
    SystemRng::new().fill(&mut bytes);
    let name: String = std::iter::once("portcullis_t_".to_owned())
        .chain(bytes.iter().map(|b| format!("{b:02x}")))
        .collect();

    // CREATE DATABASE copies template1 and fails if another session is briefly using it
    // (another test creating its database): retry a few times.
    let mut attempt = 0;
    loop {
        let created = sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await;
        match created {
            Ok(_) => break,
            Err(e) if attempt < 20 && e.to_string().contains("being accessed by other users") => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("cannot create test database {name} on {redacted}: {e}"),
        }
    }
    let _ = conn.close().await;

    let mut url = match url::Url::parse(&admin_url) {
        Ok(url) => url,
        Err(e) => panic!("{TEST_DATABASE_URL_VAR}={redacted}: {e}"),
    };
    url.set_path(&format!("/{name}"));
    Some(TestDatabase {
        url: url.to_string(),
        admin_url,
        name,
        dropped: false,
    })
}
