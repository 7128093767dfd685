//! The suite on SQLite (a temporary file per test), and what only SQL stores do.

use std::sync::Arc;
use std::time::Duration;

use portcullis_sdk::ManualClock;
use portcullis_sdk::session_store::{
    SessionStore, SessionStoreError, SqlStoreOptions, SqliteSessionStore, TableName,
};

use super::support::{Fixture, START, random_id, session};

async fn setup() -> Option<Fixture> {
    // The directory lives as long as the fixture: its cleanup removes it.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("sessions.db").display());
    let clock = Arc::new(ManualClock::new(START));
    // Generous: the first call creates the file, WAL and table (fsyncs) while many tests
    // share two cores; the outage tests check the default timeout.
    let options = SqlStoreOptions {
        timeout: Duration::from_secs(10),
        ..SqlStoreOptions::default()
    };
    let store = SqliteSessionStore::connect(&url, clock.clone(), options).unwrap();
    Some(
        Fixture::new(Arc::new(store), clock).with_cleanup(Box::new(move || {
            Box::pin(async move { dir.close().map_err(|e| e.to_string()) })
        })),
    )
}

session_store_suite!(setup());

#[tokio::test]
async fn in_memory_url_keeps_its_data_between_calls() {
    let clock = Arc::new(ManualClock::new(START));
    let store =
        SqliteSessionStore::connect("sqlite::memory:", clock, SqlStoreOptions::default()).unwrap();
    let id = random_id();
    let stored = session(Some("s"), Some("u"), START + 10);
    store.set(&id, &stored).await.unwrap();
    assert_eq!(store.get(&id).await.unwrap(), Some(stored));
}

#[tokio::test]
async fn app_pool_custom_table_and_sweep() {
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let options = SqlStoreOptions {
        table: TableName::parse("user").unwrap(), // reserved word: quoted
        ..SqlStoreOptions::default()
    };
    let store = SqliteSessionStore::new(pool.clone(), clock.clone(), options);
    for expires in [START + 1, START + 2, START + 3] {
        store
            .set(&random_id(), &session(None, None, expires))
            .await
            .unwrap();
    }
    clock.set(START + 2);
    assert_eq!(store.sweep().await.unwrap(), 2);
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM \"user\"")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 1);
    // The indexes the brief asks for exist.
    let indexes: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'user' ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let names: Vec<&str> = indexes.iter().map(|(n,)| n.as_str()).collect();
    assert!(
        names.contains(&"user_sid")
            && names.contains(&"user_sub")
            && names.contains(&"user_expires_at"),
        "{names:?}"
    );
}

#[tokio::test]
async fn an_undecodable_row_is_corrupt_not_absent() {
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let store = SqliteSessionStore::new(pool.clone(), clock, SqlStoreOptions::default());
    let id = random_id();
    store
        .set(&id, &session(None, None, START + 10))
        .await
        .unwrap();
    sqlx::query("UPDATE portcullis_sessions SET data = '{not json'")
        .execute(&pool)
        .await
        .unwrap();
    assert!(matches!(
        store.get(&id).await,
        Err(SessionStoreError::Corrupt { .. })
    ));
}

#[tokio::test]
async fn a_bad_url_is_a_configuration_error() {
    let clock = Arc::new(ManualClock::new(START));
    assert!(matches!(
        SqliteSessionStore::connect(
            "sqlite:x.db?mode=nonsense",
            clock,
            SqlStoreOptions::default()
        ),
        Err(SessionStoreError::Config(_))
    ));
}
