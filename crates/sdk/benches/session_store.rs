//! One `get` of a ~3 KB session from Redis (`PORTCULLIS_TEST_REDIS_URL`; skipped with a
//! note when unset). Measures the round trip plus JSON decoding, on a fresh key prefix
//! that is deleted afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use criterion::{Criterion, criterion_group};
use portcullis_sdk::session_store::{
    KeyPrefix, RedisSessionStore, RedisStoreOptions, SessionId, SessionStore, StoredSession,
};
use portcullis_sdk::{Clock, SystemClock};

const VAR: &str = "PORTCULLIS_TEST_REDIS_URL";

fn fill(buf: &mut [u8]) {
    SystemRandom::new().fill(buf).unwrap();
}

fn hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    fill(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A nextjs-auth0 v4 `SessionData` of about 3 KB: an ID token, an access token, a
/// refresh token and a profile.
fn session(now: i64) -> StoredSession {
    let data = serde_json::json!({
        "user": {
            "sub": "auth0|5f7c8ec7c33c6c004bbafe82",
            "name": "Bench User",
            "nickname": "bench",
            "email": "bench@example.com",
            "email_verified": true,
            "picture": format!("https://example.com/avatars/{}.png", hex(16)),
            "updated_at": "2026-01-01T00:00:00.000Z",
        },
        "tokenSet": {
            "accessToken": hex(850),
            "idToken": hex(400),
            "refreshToken": hex(32),
            "scope": "openid profile email offline_access",
            "expiresAt": now + 86_400,
        },
        "internal": {"sid": hex(16), "createdAt": now},
    });
    StoredSession {
        data,
        sid: Some(hex(16)),
        sub: Some("auth0|5f7c8ec7c33c6c004bbafe82".to_owned()),
        expires_at: now + 86_400,
    }
}

fn bench(c: &mut Criterion) {
    let Ok(url) = std::env::var(VAR) else {
        eprintln!("note: {VAR} not set; skipping the Redis session store bench");
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let prefix = format!("portcullis:bench:{}:", hex(8));
    let options = RedisStoreOptions {
        prefix: KeyPrefix::parse(&prefix).unwrap(),
        timeout: Duration::from_secs(5),
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = runtime.block_on(async {
        RedisSessionStore::connect(url.trim(), clock.clone(), options).unwrap()
    });
    let id = SessionId::generate(&fill);
    let stored = session(clock.now());
    let stored_sid = stored.sid.clone();
    let size = serde_json::to_vec(&stored.data).unwrap().len();
    runtime.block_on(store.set(&id, &stored)).unwrap();
    assert_eq!(runtime.block_on(store.get(&id)).unwrap(), Some(stored));

    c.bench_function(&format!("redis get ({size} B session)"), |b| {
        b.iter(|| runtime.block_on(store.get(&id)).unwrap())
    });

    // Logging out by sid, then by sub, removes the session and empties both indexes.
    runtime.block_on(async {
        let deleted = store
            .delete_by_logout(stored_sid.as_deref(), None)
            .await
            .unwrap();
        assert_eq!(deleted, 1);
        store
            .delete_by_logout(None, Some("auth0|5f7c8ec7c33c6c004bbafe82"))
            .await
            .unwrap();
    });
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
