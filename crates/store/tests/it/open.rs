//! Opening: URLs, schema checks, errors that name the database but never its password.

use portcullis_core::StoreError;
use portcullis_store::{DatabaseUrl, OpenOptions, open};

const NO_MIGRATE: OpenOptions = OpenOptions {
    migrate: false,
    max_connections: 2,
};

const BEHIND: &str = "database schema is not up to date: run `portcullis migrate`";

async fn unmigrated_is_refused(url: DatabaseUrl) {
    match open(&url, &NO_MIGRATE).await {
        Err(StoreError::Migration(msg)) => assert_eq!(msg, BEHIND),
        Err(e) => panic!("expected a migration error, got {e}"),
        Ok(_) => panic!("opened an unmigrated database"),
    }
    portcullis_store::migrate(&url).await.unwrap();
    let store = open(&url, &NO_MIGRATE).await.unwrap();
    store.ping().await.unwrap();
}

#[tokio::test]
async fn unmigrated_sqlite_is_refused_without_migrate() {
    let (_dir, url) = crate::fresh_sqlite();
    unmigrated_is_refused(url).await;
}

#[tokio::test]
async fn unmigrated_postgres_is_refused_without_migrate() {
    let Some((db, url)) = crate::fresh_pg().await else {
        return;
    };
    unmigrated_is_refused(url).await;
    db.drop_database().await.unwrap();
}

#[test]
fn other_schemes_are_rejected() {
    let err = DatabaseUrl::parse("mysql://x").unwrap_err().to_string();
    assert!(err.contains("`mysql:`"), "{err}");
    assert!(
        err.contains("sqlite:") && err.contains("postgres://"),
        "{err}"
    );
}

#[test]
fn redacted_hides_the_password() {
    let url = DatabaseUrl::parse("postgres://user:hunter2@127.0.0.1/db").unwrap();
    assert!(url.is_postgres());
    assert_eq!(url.redacted(), "postgres://user:***@127.0.0.1/db");
    assert!(!format!("{url:?} {url}").contains("hunter2"));
    let url = DatabaseUrl::parse("sqlite:data/portcullis.db").unwrap();
    assert!(!url.is_postgres());
    assert_eq!(url.redacted(), "sqlite:data/portcullis.db");
}

#[tokio::test]
async fn unreachable_postgres_names_the_redacted_url() {
    // Port 1 on loopback: nothing listens there.
    let url = DatabaseUrl::parse("postgres://user:hunter2@127.0.0.1:1/db").unwrap();
    let err = open(&url, &OpenOptions::default()).await.err().unwrap();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Unavailable(_)), "{msg}");
    assert!(
        msg.contains("cannot connect to postgres://user:***@127.0.0.1:1/db: connection refused"),
        "{msg}"
    );
    assert!(!msg.contains("hunter2"), "{msg}");
}

#[tokio::test]
async fn unopenable_sqlite_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-dir").join("p.db");
    let err = open(&DatabaseUrl::sqlite_file(&path), &OpenOptions::default())
        .await
        .err()
        .unwrap();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Unavailable(_)), "{msg}");
    assert!(
        msg.contains(&format!("cannot connect to sqlite:{}", path.display())),
        "{msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_databases_are_removed_on_drop_even_while_in_use() {
    use sqlx::Connection;
    let Some((db, url)) = crate::fresh_pg().await else {
        return;
    };
    let name = db.name().to_owned();
    let store = open(&url, &OpenOptions::default()).await.unwrap();
    store.ping().await.unwrap();
    drop(db);
    let admin = std::env::var(portcullis_store::testing::TEST_DATABASE_URL_VAR).unwrap();
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, 0, "{name} still exists");
    assert!(store.ping().await.is_err());
}

#[tokio::test]
async fn sqlite_files_are_in_wal_mode_synchronous_normal_and_a_second_process_can_open_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    let first = portcullis_store::SqliteStore::open(&path, &OpenOptions::default())
        .await
        .unwrap();
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(first.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    // NORMAL (1): commits are not fsynced one by one; WAL keeps the file consistent.
    let (synchronous,): (i64,) = sqlx::query_as("PRAGMA synchronous")
        .fetch_one(first.pool())
        .await
        .unwrap();
    assert_eq!(synchronous, 1);
    // Opening again while the first pool holds connections (a CLI command next to a
    // running server) neither fails nor changes the mode.
    let second = portcullis_store::SqliteStore::open(
        &path,
        &OpenOptions {
            migrate: false,
            ..OpenOptions::default()
        },
    )
    .await
    .unwrap();
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(second.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}
