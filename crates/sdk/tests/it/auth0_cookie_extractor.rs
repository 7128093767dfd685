//! The axum extractor over Auth0 SDK cookies: a service reads the session a Next.js or
//! Express app wrote, by the shared secret.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use http_body_util::BodyExt as _;
use portcullis_sdk::ManualClock;
use portcullis_sdk::auth0_cookie::{Auth0AppSession, CookieReader, ReaderConfig};
use tower::ServiceExt as _;

use crate::{cookie_header, generated_at, secret, vector};

async fn call(app: &Router, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn handlers_get_the_session_of_a_nextjs_or_express_app() {
    let v4 = vector("v4_stateless_chunked_longlived");
    let eoc = vector("eoc_cookie_store_longlived");
    for (v, expected) in [
        (v4, "NextjsV4 s1d-AbCdEf"),
        (eoc, "ExpressOpenidConnect s1d-AbCdEf"),
    ] {
        let reader = CookieReader::with_clock(
            ReaderConfig::from_secrets(&[secret()]).unwrap(),
            Arc::new(ManualClock::new(generated_at(v))),
        );
        let app =
            Router::new()
                .route(
                    "/me",
                    get(|Auth0AppSession(s): Auth0AppSession| async move {
                        s.data()
                            .map(|d| {
                                format!(
                                    "{:?} {}",
                                    d.format(),
                                    d.payload()["sid"]
                                        .as_str()
                                        .or(d.payload()["user"]["sid"].as_str())
                                        .unwrap_or("")
                                )
                            })
                            .unwrap_or_default()
                    }),
                )
                .route(
                    "/maybe",
                    get(|s: Option<Auth0AppSession>| async move {
                        if s.is_some() { "yes" } else { "no" }
                    }),
                )
                .with_state(reader);
        let header = cookie_header(v);
        assert_eq!(
            call(&app, "/me", Some(&header)).await,
            (StatusCode::OK, expected.to_owned())
        );
        assert_eq!(call(&app, "/maybe", Some(&header)).await.1, "yes");
        assert_eq!(call(&app, "/me", None).await.0, StatusCode::UNAUTHORIZED);
        let tampered = header.replacen('.', ".x", 2);
        assert_eq!(
            call(&app, "/me", Some(&tampered)).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(call(&app, "/maybe", Some("garbage")).await.1, "no");
    }
}
