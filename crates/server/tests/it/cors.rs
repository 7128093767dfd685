//! CORS on `/oauth/token`, `/userinfo` and `/oauth/revoke`: only for the allowed web
//! origins of the tenant's applications.

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};

use crate::send;
use crate::world::{APP_ORIGIN, World, form};

fn acao(res: &Response<()>) -> Option<&str> {
    res.headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap())
}

fn cors_headers(res: &Response<()>) -> Vec<String> {
    res.headers()
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k.starts_with("access-control-"))
        .collect()
}

fn varies_on_origin(res: &Response<()>) -> bool {
    res.headers()
        .get_all("vary")
        .iter()
        .any(|v| v.to_str().unwrap() == "Origin")
}

async fn preflight(w: &World, path: &str, origin: &str) -> Response<()> {
    let req = Request::options(path)
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, auth0-client",
        )
        .body(Body::empty())
        .unwrap();
    send(&w.app(), req).await.0
}

#[tokio::test]
async fn preflight_from_an_allowed_web_origin() {
    let w = World::new().await;
    for path in ["/oauth/token", "/userinfo", "/oauth/revoke"] {
        let res = preflight(&w, path, APP_ORIGIN).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT, "{path}");
        assert_eq!(acao(&res), Some(APP_ORIGIN));
        assert!(varies_on_origin(&res));
        let h = |n: &str| res.headers().get(n).unwrap().to_str().unwrap().to_owned();
        assert_eq!(h("access-control-allow-methods"), "GET, POST");
        assert_eq!(
            h("access-control-allow-headers"),
            "Authorization, Content-Type, Auth0-Client"
        );
        assert_eq!(h("access-control-max-age"), "86400");
        assert!(
            res.headers()
                .get("access-control-allow-credentials")
                .is_none()
        );
    }
}

#[tokio::test]
async fn other_origins_get_no_cors_headers() {
    let w = World::new().await;
    for origin in [
        "https://evil.example",
        "http://localhost:3000/",
        "http://LOCALHOST:3000",
        "https://localhost:3000",
        "http://localhost:3001",
        "http://localhost:3000.evil.example",
        "null",
        "",
    ] {
        for path in ["/oauth/token", "/userinfo", "/oauth/revoke"] {
            let res = preflight(&w, path, origin).await;
            assert_eq!(
                res.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{origin} {path}"
            );
            assert_eq!(cors_headers(&res), Vec::<String>::new(), "{origin} {path}");
        }
    }
    // Not CORS-enabled at all: introspection is for servers.
    let res = preflight(&w, "/oauth/introspect", APP_ORIGIN).await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(cors_headers(&res), Vec::<String>::new());
}

#[tokio::test]
async fn actual_responses_carry_the_origin_only_when_allowed() {
    let w = World::new().await;
    let token_body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", &w.m2m_id),
        ("client_secret", &w.m2m_secret),
        ("audience", &w.audience),
    ]);
    let (res, _) = w
        .post_form(
            "/oauth/token",
            token_body.clone(),
            &[("origin", APP_ORIGIN)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(acao(&res), Some(APP_ORIGIN));
    assert!(varies_on_origin(&res));
    assert_eq!(cors_headers(&res), vec!["access-control-allow-origin"]);

    let (res, _) = w
        .post_form(
            "/oauth/token",
            token_body.clone(),
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(cors_headers(&res), Vec::<String>::new());
    assert!(varies_on_origin(&res));

    let (res, _) = w.post_form("/oauth/token", token_body, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(cors_headers(&res), Vec::<String>::new());

    // Errors too, so the app can read them.
    let (res, _) = w.get_with("/userinfo", &[("origin", APP_ORIGIN)]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(acao(&res), Some(APP_ORIGIN));
    let (res, _) = w
        .post_form(
            "/oauth/revoke",
            form(&[
                ("token", "x"),
                ("client_id", &w.web_id),
                ("client_secret", &w.web_secret),
            ]),
            &[("origin", APP_ORIGIN)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(acao(&res), Some(APP_ORIGIN));
    let (res, _) = w
        .get_with("/userinfo", &[("origin", "https://evil.example")])
        .await;
    assert_eq!(cors_headers(&res), Vec::<String>::new());

    // Two Origin headers: none.
    let req = Request::get("/userinfo")
        .header("origin", APP_ORIGIN)
        .header("origin", "https://evil.example")
        .body(Body::empty())
        .unwrap();
    let (res, _) = send(&w.app(), req).await;
    assert_eq!(cors_headers(&res), Vec::<String>::new());
}
