//! Stateful sessions: the cookie holds an encrypted id, the data lives in the store. Ids
//! are regenerated at login; a store outage answers 503 fast and leaves the cookie.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use portcullis_sdk::auth0_cookie::{Auth0Session, ReaderConfig, read_session};
use portcullis_sdk::session_store::{
    MemorySessionStore, SessionId, SessionStore, SessionStoreError, StoredSession,
};
use portcullis_sdk::{Clock, ManualClock};

use super::fake_provider::{FakeProvider, app_on, fake_config, login};
use super::{Browser, SECRET};

const NOW: i64 = 1_900_000_000;

/// The memory store, with a switch that makes every call fail as an unreachable
/// backend would (after the store's own timeout).
struct Flaky {
    inner: MemorySessionStore,
    down: AtomicBool,
}

impl Flaky {
    fn check(&self, operation: &'static str) -> Result<(), SessionStoreError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(SessionStoreError::Unavailable {
                operation,
                source: "connection refused".into(),
            });
        }
        Ok(())
    }
}

#[async_trait]
impl SessionStore for Flaky {
    async fn get(&self, id: &SessionId) -> Result<Option<StoredSession>, SessionStoreError> {
        self.check("get")?;
        self.inner.get(id).await
    }
    async fn set(&self, id: &SessionId, s: &StoredSession) -> Result<(), SessionStoreError> {
        self.check("set")?;
        self.inner.set(id, s).await
    }
    async fn delete(&self, id: &SessionId) -> Result<(), SessionStoreError> {
        self.check("delete")?;
        self.inner.delete(id).await
    }
    async fn delete_by_logout(
        &self,
        sid: Option<&str>,
        sub: Option<&str>,
    ) -> Result<u64, SessionStoreError> {
        self.check("delete_by_logout")?;
        self.inner.delete_by_logout(sid, sub).await
    }
}

async fn setup() -> (Arc<FakeProvider>, Arc<Flaky>, axum::Router) {
    let fake = FakeProvider::start().await;
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(NOW));
    let store = Arc::new(Flaky {
        inner: MemorySessionStore::new(clock.clone()),
        down: AtomicBool::new(false),
    });
    let app = app_on(fake_config(&fake), clock, Some(store.clone())).await;
    (fake, store, app)
}

/// The store id in the browser's session cookie.
fn cookie_id(browser: &Browser) -> String {
    let reader = ReaderConfig::from_secrets(&[SECRET]).unwrap();
    match read_session(&browser.cookie_header(), &reader, NOW).unwrap() {
        Auth0Session::Stateful(r) => r.id().to_owned(),
        Auth0Session::Stateless(_) => panic!("a stateless cookie"),
    }
}

#[tokio::test]
async fn the_cookie_holds_an_id_and_login_regenerates_it() {
    let (fake, store, app) = setup().await;
    let mut browser = Browser::default();
    login(&app, &mut browser, &fake, NOW, |_| {}).await;
    assert!(
        browser.cookies["__session"].len() < 300,
        "only an id in the cookie"
    );
    assert_eq!(store.inner.len(), 1);
    let first = cookie_id(&browser);
    assert_eq!(browser.get(&app, "/").await.text(), "in");

    // The app's own fields are saved in the store.
    let saved = browser
        .send(&app, Request::post("/theme").body(Body::empty()).unwrap())
        .await;
    assert_eq!(saved.text(), "saved");
    let id = SessionId::parse(&first).unwrap();
    let stored = store.inner.get(&id).await.unwrap().unwrap();
    assert_eq!(stored.data["theme"], "dark");
    assert_eq!(stored.sid.as_deref(), Some("sid-1"));
    assert_eq!(stored.sub.as_deref(), Some("user-1"));

    // Logging in again (fixation: the old id may be known to someone) gives a new id
    // and deletes the old session.
    login(&app, &mut browser, &fake, NOW, |_| {}).await;
    let second = cookie_id(&browser);
    assert_ne!(first, second);
    assert_eq!(store.inner.len(), 1);
    assert!(store.inner.get(&id).await.unwrap().is_none());

    // A cookie whose session was deleted is no session.
    let mut stale = browser.clone();
    browser.get(&app, "/auth/logout").await;
    assert_eq!(store.inner.len(), 0);
    assert_eq!(stale.get(&app, "/").await.text(), "out");
}

#[tokio::test]
async fn a_store_outage_answers_503_fast_and_keeps_the_cookie() {
    let (fake, store, app) = setup().await;
    let mut browser = Browser::default();
    login(&app, &mut browser, &fake, NOW, |_| {}).await;
    let cookie = browser.cookies["__session"].clone();

    store.down.store(true, Ordering::SeqCst);
    for path in [
        "/",
        "/auth/profile",
        "/private",
        "/auth/access-token",
        "/auth/logout",
    ] {
        let started = Instant::now();
        let reply = browser.get(&app, path).await;
        assert!(started.elapsed() < Duration::from_secs(1), "{path}");
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(reply.headers["retry-after"], "1", "{path}");
        assert!(reply.set_cookies().is_empty(), "{path}: cookie untouched");
    }
    assert_eq!(browser.cookies["__session"], cookie);
    // A visitor without a session cookie never touches the store.
    assert_eq!(Browser::default().get(&app, "/").await.text(), "out");

    store.down.store(false, Ordering::SeqCst);
    assert_eq!(browser.get(&app, "/").await.text(), "in");
}
