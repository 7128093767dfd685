//! The backend-for-frontend: browser calls to `/api/...` reach the allow-listed upstream
//! with the session's access token and nothing of the browser's credentials (security
//! case 34), with the CSRF header required, bodies streamed, anonymous routes, and an
//! upstream 401 made clear.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::any;
use portcullis_sdk::ManualClock;
use portcullis_sdk::bff::{ProxyRoute, proxy_router};
use portcullis_sdk::web::Auth0Client;
use serde_json::{Value, json};

use crate::web::Browser;
use crate::web::fake_provider::{FakeProvider, fake_config, login};

const NOW: i64 = 1_900_000_000;

/// An upstream that answers with what it received (or echoes the body at `/v1/echo`,
/// or 401 at `/v1/unauthorized`), and counts calls.
async fn upstream(calls: Arc<AtomicUsize>) -> String {
    let seen = move |request: Request| {
        let calls = calls.clone();
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            let (parts, body) = request.into_parts();
            let body: Bytes = axum::body::to_bytes(body, 8 << 20).await.unwrap();
            if parts.uri.path() == "/v1/echo" {
                return ([("set-cookie", "upstream=1")], body).into_response();
            }
            if parts.uri.path() == "/v1/slow" {
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            if parts.uri.path() == "/v1/unauthorized" {
                return StatusCode::UNAUTHORIZED.into_response();
            }
            let headers: BTreeMap<String, String> = parts
                .headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
                .collect();
            (
                [("set-cookie", "upstream=1")],
                axum::Json(json!({
                    "method": parts.method.as_str(),
                    "path": parts.uri.path(),
                    "query": parts.uri.query(),
                    "headers": headers,
                    "body": String::from_utf8_lossy(&body),
                })),
            )
                .into_response()
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, Router::new().fallback(any(seen))).await });
    base
}

async fn setup() -> (
    Arc<FakeProvider>,
    Arc<ManualClock>,
    Arc<AtomicUsize>,
    Router,
) {
    let fake = FakeProvider::start().await;
    let clock = Arc::new(ManualClock::new(NOW));
    let auth = Auth0Client::builder(fake_config(&fake).build().unwrap())
        .clock(clock.clone())
        .build()
        .await
        .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let base = upstream(calls.clone()).await;
    let routes = [
        ProxyRoute {
            answer_timeout: Duration::from_millis(300),
            ..ProxyRoute::new(
                "/api/orders",
                url::Url::parse(&format!("{base}/v1/")).unwrap(),
            )
        },
        ProxyRoute {
            anonymous: true,
            ..ProxyRoute::new(
                "/api/public",
                url::Url::parse(&format!("{base}/open/")).unwrap(),
            )
        },
    ];
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let app = Router::new()
        .merge(auth.login_router())
        .merge(proxy_router(&routes, http))
        .layer(auth.layer());
    (fake, clock, calls, app)
}

fn request(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Body,
) -> axum::http::Request<Body> {
    let mut r = axum::http::Request::builder().method(method).uri(path);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.body(body).unwrap()
}

#[tokio::test]
async fn calls_reach_the_upstream_with_the_session_token_only() {
    let (fake, clock, calls, app) = setup().await;
    let mut browser = Browser::default();
    login(&app, &mut browser, &fake, NOW, |_| {}).await;

    let got = browser
        .send(
            &app,
            request(
                "GET",
                "/api/orders/7/items?x=1",
                &[("authorization", "Bearer from-js"), ("x-request-id", "r1")],
                Body::empty(),
            ),
        )
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text());
    let seen = got.json();
    assert_eq!(seen["path"], "/v1/7/items");
    assert_eq!(seen["query"], "x=1");
    assert_eq!(seen["headers"]["authorization"], "Bearer at-0");
    assert_eq!(seen["headers"]["x-request-id"], "r1");
    assert!(seen["headers"].get("cookie").is_none(), "{seen}");
    assert_eq!(got.headers["cache-control"], "no-store");
    assert!(
        got.set_cookies()
            .iter()
            .all(|c| !c.starts_with("upstream="))
    );

    // Writes need X-CSRF: 1; without it the upstream is not called.
    let before = calls.load(Ordering::SeqCst);
    let refused = browser
        .send(
            &app,
            request(
                "POST",
                "/api/orders",
                &[("content-type", "application/json")],
                Body::from("{}"),
            ),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.json()["error"], "csrf");
    assert_eq!(calls.load(Ordering::SeqCst), before);
    // A 1 MB body streams there and back.
    let big: Vec<u8> = (0..1_048_576u32).map(|i| (i % 251) as u8).collect();
    let echoed = browser
        .send(
            &app,
            request(
                "POST",
                "/api/orders/echo",
                &[("x-csrf", "1")],
                Body::from(big.clone()),
            ),
        )
        .await;
    assert_eq!(echoed.status, StatusCode::OK);
    assert_eq!(echoed.body, big);

    // Tokens never reach the browser's JavaScript.
    assert_eq!(
        browser.get(&app, "/auth/access-token").await.status,
        StatusCode::NOT_FOUND
    );

    // Paths that try to leave the upstream are 404 here.
    for path in [
        "/api/orders/http://169.254.169.254/latest",
        "/api/orders/..%2F..%2Fadmin",
        "/api/orders//evil.example/",
    ] {
        let before = calls.load(Ordering::SeqCst);
        assert_eq!(
            browser.get(&app, path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
        assert_eq!(calls.load(Ordering::SeqCst), before, "{path}");
    }
    // The upstream refusing the token is a clear 401.
    let refused = browser.get(&app, "/api/orders/unauthorized").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.json()["error"], "upstream_unauthorized");

    // An upstream that does not start answering in time: 504, fast.
    let started = Instant::now();
    let slow = browser.get(&app, "/api/orders/slow").await;
    assert_eq!(slow.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(slow.json()["error"], "gateway_timeout");
    assert!(started.elapsed() < Duration::from_secs(3));

    // The token expired: the BFF refreshes it first.
    clock.set(NOW + 61);
    let later = browser.get(&app, "/api/orders/1").await;
    assert_eq!(later.json()["headers"]["authorization"], "Bearer at-1");
}

#[tokio::test]
async fn without_a_session_only_anonymous_routes_pass() {
    let (_fake, _clock, calls, app) = setup().await;
    let mut stranger = Browser::default();
    stranger
        .cookies
        .insert("__session".into(), "garbage".into());
    let refused = stranger.get(&app, "/api/orders").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.json()["error"], "not_authenticated");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let open = stranger.get(&app, "/api/public/news").await;
    assert_eq!(open.status, StatusCode::OK);
    let seen: Value = open.json();
    assert_eq!(seen["path"], "/open/news");
    assert!(seen["headers"].get("authorization").is_none());
    assert!(seen["headers"].get("cookie").is_none());
}
