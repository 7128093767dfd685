//! The suite on PostgreSQL: a fresh table per test on `PORTCULLIS_TEST_DATABASE_URL`,
//! dropped afterwards.

use std::sync::Arc;
use std::time::Duration;

use portcullis_sdk::ManualClock;
use portcullis_sdk::session_store::{
    PostgresSessionStore, SessionStore, SessionStoreError, SqlStoreOptions, TableName,
};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

use super::support::{Fixture, START, env_url, random_hex, random_id, session};

const VAR: &str = "PORTCULLIS_TEST_DATABASE_URL";

/// The server's URL, or `None` when the variable is unset; a set variable naming a server
/// that cannot be reached fails the test.
async fn server() -> Option<String> {
    let url = env_url(VAR, "PostgreSQL")?;
    match PgConnection::connect(&url).await {
        Ok(conn) => {
            let _ = conn.close().await;
            Some(url)
        }
        Err(e) => panic!("{VAR} is set but PostgreSQL is unreachable: {e}"),
    }
}

async fn store_on_fresh_table() -> Option<(PostgresSessionStore, Arc<ManualClock>, Fixture)> {
    let url = server().await?;
    let table = format!("portcullis_sessions_t_{}", random_hex(12));
    let clock = Arc::new(ManualClock::new(START));
    let options = SqlStoreOptions {
        table: TableName::parse(&table).unwrap(),
        // Generous: many tests share two cores; the outage tests check the default.
        timeout: Duration::from_secs(10),
        ..SqlStoreOptions::default()
    };
    let store = PostgresSessionStore::connect(&url, clock.clone(), options.clone()).unwrap();
    let handle = PostgresSessionStore::connect(&url, clock.clone(), options).unwrap();
    let fixture = Fixture::new(Arc::new(handle), clock.clone()).with_cleanup(Box::new(move || {
        Box::pin(async move {
            let mut conn = PgConnection::connect(&url)
                .await
                .map_err(|e| e.to_string())?;
            sqlx::query(AssertSqlSafe(format!("DROP TABLE IF EXISTS \"{table}\"")))
                .execute(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
            conn.close().await.map_err(|e| e.to_string())
        })
    }));
    Some((store, clock, fixture))
}

async fn setup() -> Option<Fixture> {
    store_on_fresh_table().await.map(|(_, _, fixture)| fixture)
}

session_store_suite!(setup());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_is_jsonb_and_indexed_and_swept() {
    let Some((store, clock, _fixture)) = store_on_fresh_table().await else {
        return;
    };
    let id = random_id();
    store
        .set(&id, &session(Some("s"), Some("u"), START + 1))
        .await
        .unwrap();
    store
        .set(&random_id(), &session(None, None, START + 100))
        .await
        .unwrap();
    let table = store.table().as_str();
    let (kind,): (String,) = sqlx::query_as(
        "SELECT data_type FROM information_schema.columns WHERE table_name = $1 AND column_name = 'data'",
    )
    .bind(table)
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(kind, "jsonb");
    let (indexes,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pg_indexes WHERE tablename = $1")
        .bind(table)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(indexes, 4, "primary key + sid + sub + expires_at");
    clock.set(START + 1);
    assert_eq!(store.sweep().await.unwrap(), 1);
    assert_eq!(store.get(&id).await.unwrap(), None);
}

#[tokio::test]
async fn a_bad_url_is_a_configuration_error() {
    let clock = Arc::new(ManualClock::new(START));
    let err = PostgresSessionStore::connect(
        "postgres://u:hunter2@[::1",
        clock,
        SqlStoreOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, SessionStoreError::Config(_)));
    assert!(!err.to_string().contains("hunter2"), "{err}");
}
