//! The suite on Redis: a fresh key prefix per test on `PORTCULLIS_TEST_REDIS_URL`, whose
//! keys are deleted afterwards.

use std::sync::Arc;
use std::time::Duration;

use portcullis_sdk::ManualClock;
use portcullis_sdk::session_store::{
    KeyPrefix, RedisSessionStore, RedisStoreOptions, SessionStore, SessionStoreError,
};

use super::support::{Fixture, START, env_url, random_hex, random_id, session};

const VAR: &str = "PORTCULLIS_TEST_REDIS_URL";

/// A plain connection to the server, or `None` when the variable is unset; a set variable
/// naming a server that cannot be reached fails the test.
async fn server() -> Option<(String, redis::aio::MultiplexedConnection)> {
    let url = env_url(VAR, "Redis")?;
    let client = redis::Client::open(url.as_str()).unwrap();
    let conn = tokio::time::timeout(
        Duration::from_secs(5),
        client.get_multiplexed_async_connection(),
    )
    .await;
    match conn {
        Ok(Ok(conn)) => Some((url, conn)),
        Ok(Err(e)) => panic!("{VAR} is set but Redis is unreachable: {e}"),
        Err(_) => panic!("{VAR} is set but Redis did not answer within 5 s"),
    }
}

struct Setup {
    store: RedisSessionStore,
    prefix: String,
    conn: redis::aio::MultiplexedConnection,
    clock: Arc<ManualClock>,
    fixture: Fixture,
}

async fn store_on_fresh_prefix() -> Option<Setup> {
    let (url, conn) = server().await?;
    let prefix = format!("portcullis:test:{}:", random_hex(12));
    let clock = Arc::new(ManualClock::new(START));
    let options = RedisStoreOptions {
        prefix: KeyPrefix::parse(&prefix).unwrap(),
        // Generous: many tests share two cores; the outage tests check the default.
        timeout: Duration::from_secs(10),
    };
    let store = RedisSessionStore::connect(&url, clock.clone(), options.clone()).unwrap();
    let handle = RedisSessionStore::connect(&url, clock.clone(), options).unwrap();
    let pattern = format!("{prefix}*");
    let fixture = Fixture::new(Arc::new(handle), clock.clone()).with_cleanup(Box::new(move || {
        Box::pin(async move {
            let client = redis::Client::open(url.as_str()).map_err(|e| e.to_string())?;
            let mut conn = client
                .get_multiplexed_async_connection()
                .await
                .map_err(|e| e.to_string())?;
            let mut cursor = 0u64;
            loop {
                let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1000)
                    .query_async(&mut conn)
                    .await
                    .map_err(|e| e.to_string())?;
                if !keys.is_empty() {
                    redis::cmd("DEL")
                        .arg(&keys)
                        .exec_async(&mut conn)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                if next == 0 {
                    return Ok(());
                }
                cursor = next;
            }
        })
    }));
    Some(Setup {
        store,
        prefix,
        conn,
        clock,
        fixture,
    })
}

async fn setup() -> Option<Fixture> {
    store_on_fresh_prefix().await.map(|s| s.fixture)
}

session_store_suite!(setup());

async fn ttl(conn: &mut redis::aio::MultiplexedConnection, key: &str) -> i64 {
    redis::cmd("TTL").arg(key).query_async(conn).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_expire_with_the_session_and_indexes_outlive_it() {
    let Some(Setup {
        store,
        prefix,
        mut conn,
        clock,
        fixture: _cleanup,
    }) = store_on_fresh_prefix().await
    else {
        return;
    };
    let (long, short) = (random_id(), random_id());
    store
        .set(&long, &session(Some("sid-X"), Some("user-X"), START + 1000))
        .await
        .unwrap();
    store
        .set(&short, &session(Some("sid-X"), Some("user-X"), START + 10))
        .await
        .unwrap();
    let session_ttl = ttl(&mut conn, &format!("{prefix}{}", short.as_str())).await;
    assert!((1..=10).contains(&session_ttl), "{session_ttl}");
    // The shorter session did not shorten the indexes below the longer one's life.
    for index in ["sid:sid-X", "sub:user-X"] {
        let index_ttl = ttl(&mut conn, &format!("{prefix}{index}")).await;
        assert!((990..=1000).contains(&index_ttl), "{index}: {index_ttl}");
    }
    // Stored when already expired: kept for at least one second, never returned.
    clock.set(START + 2000);
    let late = random_id();
    store
        .set(&late, &session(None, None, START + 1))
        .await
        .unwrap();
    let late_ttl = ttl(&mut conn, &format!("{prefix}{}", late.as_str())).await;
    assert_eq!(late_ttl, 1);
    assert_eq!(store.get(&late).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undecodable_value_is_corrupt_not_absent() {
    let Some(Setup {
        store,
        prefix,
        mut conn,
        fixture: _cleanup,
        ..
    }) = store_on_fresh_prefix().await
    else {
        return;
    };
    let id = random_id();
    redis::cmd("SET")
        .arg(format!("{prefix}{}", id.as_str()))
        .arg("{not json")
        .exec_async(&mut conn)
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
        RedisSessionStore::connect("http://nope", clock, RedisStoreOptions::default()),
        Err(SessionStoreError::Config(_))
    ));
}
