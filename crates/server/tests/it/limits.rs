use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::{send, server};

#[tokio::test]
async fn body_over_the_limit_is_413() {
    let (srv, _dir) = server(&[("PORTCULLIS_HTTP_BODY_LIMIT", "1024")]).await;
    let req = Request::post("/healthz")
        .header("content-length", "2048")
        .body(Body::from(vec![b'a'; 2048]))
        .unwrap();
    let (res, _) = send(&srv.router(), req).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn request_head_over_32_kib_is_431_and_under_is_served() {
    let (srv, _dir) = server(&[]).await;
    let app = srv.router();
    let ok = Request::get("/healthz")
        .header("x-pad", "a".repeat(30 * 1024))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, ok).await.0.status(), StatusCode::OK);
    let big = Request::get("/healthz")
        .header("x-pad", "a".repeat(33 * 1024))
        .body(Body::empty())
        .unwrap();
    let (res, body) = send(&app, big).await;
    assert_eq!(res.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["statusCode"], 431);
}
