//! A store that is down or silent fails closed and fast: `Unavailable` within the
//! timeout (default 1 s) for every call, never a hang, never `None` ("logged out").
//! These need no server: they point the stores at a closed port or at a listener that
//! accepts connections and never answers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use portcullis_sdk::ManualClock;
use portcullis_sdk::session_store::{SessionStore, SessionStoreError};
use tokio::net::TcpListener;

use super::support::{START, random_id, session};

/// The correctness bound of the brief: 1 s timeout plus scheduling slack.
const BOUND: Duration = Duration::from_millis(1500);

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A port whose listener accepts every connection and never reads or writes. The
/// connections stay open until the task is aborted.
async fn blackhole() -> (u16, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = listener.accept().await {
            held.push(conn);
        }
    });
    (port, task)
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(START))
}

async fn assert_fails_fast(store: &dyn SessionStore, bound: Duration) {
    fn check<T: std::fmt::Debug>(
        op: &str,
        answer: Result<T, SessionStoreError>,
        started: Instant,
        bound: Duration,
    ) {
        let took = started.elapsed();
        assert!(
            matches!(answer, Err(SessionStoreError::Unavailable { .. })),
            "{op}: expected Unavailable, got {answer:?}"
        );
        assert!(took < bound, "{op} took {took:?}, bound {bound:?}");
    }
    let id = random_id();
    let started = Instant::now();
    check("get", store.get(&id).await, started, bound);
    let started = Instant::now();
    check(
        "set",
        store
            .set(&id, &session(Some("s"), Some("u"), START + 60))
            .await,
        started,
        bound,
    );
    let started = Instant::now();
    check("delete", store.delete(&id).await, started, bound);
    let started = Instant::now();
    check(
        "delete_by_logout",
        store.delete_by_logout(Some("s"), None).await,
        started,
        bound,
    );
    // Still down: a second get is as fast, and still not "logged out".
    let started = Instant::now();
    check("get again", store.get(&id).await, started, bound);
}

#[cfg(feature = "redis")]
mod redis {
    use portcullis_sdk::session_store::{RedisSessionStore, RedisStoreOptions};

    use super::*;

    #[tokio::test]
    async fn closed_port_is_unavailable_fast() {
        let url = format!("redis://127.0.0.1:{}/", closed_port());
        let store =
            RedisSessionStore::connect(&url, clock(), RedisStoreOptions::default()).unwrap();
        assert_fails_fast(&store, BOUND).await;
    }

    #[tokio::test]
    async fn silent_server_times_out_as_unavailable() {
        let (port, task) = blackhole().await;
        let url = format!("redis://127.0.0.1:{port}/");
        let store =
            RedisSessionStore::connect(&url, clock(), RedisStoreOptions::default()).unwrap();
        assert_fails_fast(&store, BOUND).await;
        task.abort();
    }

    #[tokio::test]
    async fn the_timeout_is_configurable() {
        let (port, task) = blackhole().await;
        let url = format!("redis://127.0.0.1:{port}/");
        let options = RedisStoreOptions {
            timeout: Duration::from_millis(200),
            ..RedisStoreOptions::default()
        };
        let store = RedisSessionStore::connect(&url, clock(), options).unwrap();
        assert_fails_fast(&store, Duration::from_millis(700)).await;
        task.abort();
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use portcullis_sdk::session_store::{PostgresSessionStore, SqlStoreOptions};

    use super::*;

    #[tokio::test]
    async fn closed_port_is_unavailable_fast() {
        let url = format!("postgres://postgres@127.0.0.1:{}/postgres", closed_port());
        let store =
            PostgresSessionStore::connect(&url, clock(), SqlStoreOptions::default()).unwrap();
        assert_fails_fast(&store, BOUND).await;
    }

    #[tokio::test]
    async fn silent_server_times_out_as_unavailable() {
        let (port, task) = blackhole().await;
        let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        let store =
            PostgresSessionStore::connect(&url, clock(), SqlStoreOptions::default()).unwrap();
        assert_fails_fast(&store, BOUND).await;
        task.abort();
    }

    #[tokio::test]
    async fn the_timeout_is_configurable() {
        let (port, task) = blackhole().await;
        let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        let options = SqlStoreOptions {
            timeout: Duration::from_millis(200),
            ..SqlStoreOptions::default()
        };
        let store = PostgresSessionStore::connect(&url, clock(), options).unwrap();
        assert_fails_fast(&store, Duration::from_millis(700)).await;
        task.abort();
    }
}
