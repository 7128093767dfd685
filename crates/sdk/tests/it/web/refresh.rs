//! Access token refresh: through a real Portcullis (rotating refresh tokens, reuse
//! detection), and at a provider that counts calls.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::http::StatusCode;
use portcullis_sdk::{ManualClock, SystemClock};

use super::fake_provider::{login, started};
use super::portcullis::Portcullis;
use super::{Browser, app, client, config, login_via_portcullis};

const NOW: i64 = 1_900_000_000;

#[tokio::test]
async fn parallel_requests_share_one_refresh_at_portcullis() {
    let p = Portcullis::start().await;
    let (_, sso) = p.logged_in_user("ada@example.com").await;
    // A buffer longer than the token's life: every read refreshes.
    let audience = p.offline_api().await;
    let settings = config(&p.issuer, &p.client_id, &p.client_secret)
        .audience(&audience)
        .refresh_buffer(Duration::from_secs(30 * 24 * 3600));
    let auth = client(settings, Arc::new(SystemClock)).await;
    let app = app(&auth);
    let mut browser = Browser::default();
    login_via_portcullis(&app, &mut browser, &p, &sso).await;
    let first = browser.get(&app, "/token").await.text();

    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (app, mut b) = (app.clone(), browser.clone());
        tasks.push(tokio::spawn(async move {
            let reply = b.get(&app, "/token").await;
            (reply.status, reply.text(), b)
        }));
    }
    let mut tokens = Vec::new();
    let mut last = None;
    for t in tasks {
        let (status, token, b) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{token}");
        tokens.push(token);
        last = Some(b);
    }
    assert!(tokens.iter().all(|t| *t == tokens[0]), "one refresh shared");
    assert_ne!(tokens[0], first);
    // The rotated refresh token was saved and the family is intact: refreshing again
    // with the new cookie works (a reused token would have revoked the family).
    let mut browser = last.unwrap();
    let next = browser.get(&app, "/token").await;
    assert_eq!(next.status, StatusCode::OK, "{}", next.text());
    assert_ne!(next.text(), tokens[0]);
}

#[tokio::test]
async fn one_call_per_session_and_never_across_sessions() {
    let clock = Arc::new(ManualClock::new(NOW));
    let (fake, app) = started(clock.clone()).await;
    fake.answers.lock().unwrap().refresh_delay = Duration::from_millis(100);
    let mut ada = Browser::default();
    login(&app, &mut ada, &fake, NOW, |_| {}).await;
    let mut bob = Browser::default();
    login(&app, &mut bob, &fake, NOW, |c| {
        c.insert("sub".into(), "user-2".into());
    })
    .await;
    // Fresh tokens are not refreshed.
    assert_eq!(ada.get(&app, "/token").await.text(), "at-0");
    clock.set(NOW + 61);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (app, mut b) = (
            app.clone(),
            if i % 2 == 0 { ada.clone() } else { bob.clone() },
        );
        tasks.push(tokio::spawn(async move {
            (i, b.get(&app, "/token").await.text())
        }));
    }
    let mut by_user: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    for t in tasks {
        let (i, token) = t.await.unwrap();
        by_user[i % 2].push(token);
    }
    assert_eq!(
        fake.refreshes.load(Ordering::SeqCst),
        2,
        "one refresh per session"
    );
    for tokens in &by_user {
        assert!(tokens.iter().all(|t| t == &tokens[0]), "{tokens:?}");
    }
    assert_ne!(
        by_user[0][0], by_user[1][0],
        "each session got its own token"
    );
    // Each session's refresh token was used once: a second refresh with it would have
    // been refused by the provider.
    assert_eq!(fake.used_refresh_tokens.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_refused_refresh_is_reported_as_nextjs_auth0_does() {
    let clock = Arc::new(ManualClock::new(NOW));
    let (fake, app) = started(clock.clone()).await;
    let mut browser = Browser::default();
    login(&app, &mut browser, &fake, NOW, |_| {}).await;
    fake.answers.lock().unwrap().refuse_refresh = true;
    clock.set(NOW + 61);
    let reply = browser.get(&app, "/auth/access-token").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["error"]["code"], "failed_to_refresh_token");
    assert_eq!(
        reply.json()["error"]["message"],
        "The access token has expired and there was an error while trying to refresh it."
    );
    // The session itself is kept.
    assert_eq!(browser.get(&app, "/").await.text(), "in");
}
