//! Session lifetimes with an injected clock: rolling extension, inactivity and absolute
//! expiry; and cookies that are tampered, truncated, oversized or garbage.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use portcullis_sdk::ManualClock;
use portcullis_sdk::session_cookie::Lifetime;

use super::Browser;
use super::fake_provider::{FakeProvider, app_on, fake_config, login, started};

const NOW: i64 = 1_900_000_000;
const HOUR: i64 = 3600;

fn max_age(reply: &super::Reply) -> Option<i64> {
    reply
        .set_cookies()
        .iter()
        .find(|c| c.starts_with("__session="))
        .and_then(|c| c.split("Max-Age=").nth(1))
        .and_then(|v| v.split(';').next())
        .map(|v| v.parse().unwrap())
}

#[tokio::test]
async fn rolling_sessions_extend_until_the_absolute_lifetime() {
    let clock = Arc::new(ManualClock::new(NOW));
    let (fake, app) = started(clock.clone()).await;
    let mut browser = Browser::default();
    let done = login(&app, &mut browser, &fake, NOW, |_| {}).await;
    assert_eq!(max_age(&done), Some(24 * HOUR));
    // Active every 23 hours: each response extends the session by a day...
    for day in 1..=3 {
        clock.set(NOW + day * 23 * HOUR);
        let home = browser.get(&app, "/").await;
        assert_eq!(home.text(), "in", "day {day}");
        let left = 3 * 24 * HOUR - day * 23 * HOUR;
        assert_eq!(max_age(&home), Some(left.min(24 * HOUR)), "day {day}");
        assert_eq!(home.headers["cache-control"], "no-store");
    }
    // ...but never past three days after login (read with nextjs-auth0's 15 s of
    // clock tolerance).
    clock.set(NOW + 3 * 24 * HOUR + 14);
    assert_eq!(browser.clone().get(&app, "/").await.text(), "in");
    clock.set(NOW + 3 * 24 * HOUR + 15);
    assert_eq!(browser.get(&app, "/").await.text(), "out");
}

#[tokio::test]
async fn an_idle_session_ends_after_the_inactivity_duration() {
    let clock = Arc::new(ManualClock::new(NOW));
    let (fake, app) = started(clock.clone()).await;
    let mut browser = Browser::default();
    login(&app, &mut browser, &fake, NOW, |_| {}).await;
    let idle = browser.clone();
    // nextjs-auth0 reads with 15 s of clock tolerance.
    clock.set(NOW + 24 * HOUR + 14);
    assert_eq!(idle.clone().get(&app, "/").await.text(), "in");
    clock.set(NOW + 24 * HOUR + 15);
    let out = idle.clone().get(&app, "/auth/profile").await;
    assert_eq!(out.status, StatusCode::UNAUTHORIZED);
    assert!(
        out.set_cookies().is_empty(),
        "an expired session is not extended"
    );
}

#[tokio::test]
async fn a_fixed_session_is_not_extended() {
    let fake = FakeProvider::start().await;
    let clock = Arc::new(ManualClock::new(NOW));
    let lifetime = Lifetime {
        rolling: false,
        absolute: Duration::from_secs(2 * HOUR as u64),
        ..Lifetime::default()
    };
    let app = app_on(fake_config(&fake).lifetime(lifetime), clock.clone(), None).await;
    let mut browser = Browser::default();
    let done = login(&app, &mut browser, &fake, NOW, |_| {}).await;
    assert_eq!(max_age(&done), Some(2 * HOUR));
    clock.set(NOW + HOUR);
    let home = browser.get(&app, "/").await;
    assert_eq!(home.text(), "in");
    assert!(home.set_cookies().is_empty());
    clock.set(NOW + 2 * HOUR + 15);
    assert_eq!(browser.get(&app, "/").await.text(), "out");
}

#[tokio::test]
async fn hostile_cookies_are_no_session_and_never_an_error() {
    let clock = Arc::new(ManualClock::new(NOW));
    let (fake, app) = started(clock.clone()).await;
    let mut browser = Browser::default();
    login(&app, &mut browser, &fake, NOW, |_| {}).await;
    let good = browser.cookies["__session"].clone();
    let mut flipped = good.clone().into_bytes();
    let middle = flipped.len() / 2;
    flipped[middle] = if flipped[middle] == b'A' { b'B' } else { b'A' };
    let hostile = [
        ("tampered", String::from_utf8(flipped).unwrap()),
        ("truncated", good[..good.len() - 10].to_owned()),
        ("oversized", "A".repeat(100 * 1024)),
        ("garbage", "%%%not.a.jwe%%%".to_owned()),
        ("empty parts", "....".to_owned()),
    ];
    for (name, value) in hostile {
        let mut b = Browser::default();
        b.cookies.insert("__session".into(), value);
        assert_eq!(b.get(&app, "/").await.text(), "out", "{name}");
        assert_eq!(
            b.get(&app, "/auth/profile").await.status,
            StatusCode::UNAUTHORIZED,
            "{name}"
        );
        assert_eq!(
            b.get(&app, "/private").await.status,
            StatusCode::UNAUTHORIZED,
            "{name}"
        );
        let token = b.get(&app, "/auth/access-token").await;
        assert_eq!(token.status, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(token.json()["error"]["code"], "missing_session", "{name}");
    }
    // The real cookie still works.
    assert_eq!(browser.get(&app, "/").await.text(), "in");
}
