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
