//! Test fixtures: randomness, a clock set by hand, and a store that cleans up after itself.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use portcullis_sdk::ManualClock;
use portcullis_sdk::session_store::{SessionId, SessionStore, StoredSession};

/// Where the manual clock starts (any time works: TTLs are relative to it).
pub const START: i64 = 1_700_000_000;

pub fn fill_random(buf: &mut [u8]) {
    SystemRandom::new().fill(buf).expect("system RNG");
}

pub fn random_id() -> SessionId {
    SessionId::generate(&fill_random)
}

/// `2 * bytes` random lowercase hex characters, for table names and key prefixes.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    fill_random(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A session with a realistic nextjs-auth0 v4 `SessionData` shape.
pub fn session(sid: Option<&str>, sub: Option<&str>, expires_at: i64) -> StoredSession {
    StoredSession {
        data: serde_json::json!({
            "user": {"sub": sub, "name": "Zoë Ünïcode ✓", "email": "zoe@example.com"},
            "tokenSet": {
                "accessToken": random_hex(32),
                "idToken": "eyJhbGciOiJSUzI1NiJ9.e30.sig",
                "refreshToken": null,
                "expiresAt": expires_at,
                "scope": "openid profile email offline_access",
            },
            "internal": {"sid": sid, "createdAt": START},
            "numbers": [0, -1, 1.5, 9_007_199_254_740_993_u64, 1e-7],
            "nested": {"a": [{"b": [true, false, null]}], "empty": {}, "quote": "\"\\\n"},
        }),
        sid: sid.map(str::to_owned),
        sub: sub.map(str::to_owned),
        expires_at,
    }
}

/// Removes a test's table or keys; runs on its own thread and runtime, since it may run
/// while the test's runtime is unwinding.
pub type Cleanup =
    Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send>;

/// One store on a namespace (table, key prefix) of its own, and its clock.
pub struct Fixture {
    pub store: Arc<dyn SessionStore>,
    pub clock: Arc<ManualClock>,
    cleanup: Option<Cleanup>,
}

impl Fixture {
    pub fn new(store: Arc<dyn SessionStore>, clock: Arc<ManualClock>) -> Fixture {
        Fixture {
            store,
            clock,
            cleanup: None,
        }
    }

    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres", feature = "redis")),
        allow(dead_code)
    )]
    pub fn with_cleanup(mut self, cleanup: Cleanup) -> Fixture {
        self.cleanup = Some(cleanup);
        self
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let Some(cleanup) = self.cleanup.take() else {
            return;
        };
        let done = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(cleanup())
        })
        .join()
        .unwrap_or_else(|_| Err("cleanup thread panicked".to_owned()));
        if let Err(e) = done {
            eprintln!("warning: test cleanup failed: {e}");
        }
    }
}

#[cfg_attr(not(any(feature = "postgres", feature = "redis")), allow(dead_code))]
/// The value of `var`, or `None` with a note when it is unset (the test then skips).
pub fn env_url(var: &str, what: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().to_owned()),
        _ => {
            eprintln!("note: {var} not set; skipping {what} session store test");
            None
        }
    }
}
