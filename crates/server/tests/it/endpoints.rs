use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;

use crate::{get, header, send, server};

#[tokio::test]
async fn discovery_names_the_issuer_and_only_what_exists() {
    let (srv, _dir) = server(&[("PORTCULLIS_PUBLIC_URL", "https://id.example.com")]).await;
    let (res, body) = get(&srv.router(), "/.well-known/openid-configuration").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "content-type"), "application/json");
    assert_eq!(header(&res, "cache-control"), "public, max-age=300");
    let doc: Value = serde_json::from_slice(&body).unwrap();
    // Exactly what is implemented.
    assert_eq!(
        doc,
        serde_json::json!({
            "issuer": "https://id.example.com/",
            "jwks_uri": "https://id.example.com/.well-known/jwks.json",
            "authorization_endpoint": "https://id.example.com/authorize",
            "token_endpoint": "https://id.example.com/oauth/token",
            "userinfo_endpoint": "https://id.example.com/userinfo",
            "revocation_endpoint": "https://id.example.com/oauth/revoke",
            "introspection_endpoint": "https://id.example.com/oauth/introspect",
            "end_session_endpoint": "https://id.example.com/oidc/logout",
            "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
            "subject_types_supported": ["public"],
            "response_types_supported": ["code", "id_token", "code id_token"],
            "response_modes_supported": ["query", "form_post"],
            "grant_types_supported": ["authorization_code", "implicit", "refresh_token", "client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": true,
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid",
                "name", "nickname", "picture", "updated_at", "email", "email_verified"],
        })
    );
}

#[tokio::test]
async fn issuer_defaults_to_the_bound_address() {
    let (srv, _dir) = server(&[]).await;
    let expected = format!("http://127.0.0.1:{}/", srv.local_addr().port());
    assert_eq!(srv.issuer().as_str(), expected);
    let (_, body) = get(&srv.router(), "/.well-known/openid-configuration").await;
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(doc["issuer"], expected);
}

#[tokio::test]
async fn jwks_publishes_one_rs256_public_key() {
    let (srv, _dir) = server(&[]).await;
    let (res, body) = get(&srv.router(), "/.well-known/jwks.json").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "cache-control"), "public, max-age=300");
    assert_eq!(header(&res, "access-control-allow-origin"), "*");
    let jwks: Value = serde_json::from_slice(&body).unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let k = &keys[0];
    assert_eq!(k["kty"], "RSA");
    assert_eq!(k["alg"], "RS256");
    assert_eq!(k["use"], "sig");
    assert_eq!(k["e"], "AQAB");
    assert_eq!(k["n"].as_str().unwrap().len(), 342); // 256 bytes, base64url
    assert_eq!(
        k["kid"].as_str().unwrap(),
        srv.bootstrap.as_ref().unwrap().kid
    );
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        assert!(
            k.get(private).is_none(),
            "private member {private} published"
        );
    }
}

#[tokio::test]
async fn jwks_cache_age_is_configurable() {
    let (srv, _dir) = server(&[("PORTCULLIS_KEYS_JWKS_MAX_AGE", "60")]).await;
    let (res, _) = get(&srv.router(), "/.well-known/jwks.json").await;
    assert_eq!(header(&res, "cache-control"), "public, max-age=60");
}

#[tokio::test]
async fn health_and_readiness() {
    let (srv, _dir) = server(&[]).await;
    let app = srv.router();
    let (res, body) = get(&app, "/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body, br#"{"status":"ok"}"#);
    let (res, body) = get(&app, "/readyz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body, br#"{"status":"ready"}"#);
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let (srv, _dir) = server(&[]).await;
    let app = srv.router();
    for path in ["/.well-known/jwks.json", "/healthz", "/nope"] {
        let (res, _) = get(&app, path).await;
        assert_eq!(header(&res, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&res, "x-frame-options"), "DENY", "{path}");
        assert_eq!(
            header(&res, "content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(header(&res, "referrer-policy"), "no-referrer", "{path}");
        assert!(res.headers().get("strict-transport-security").is_none());
    }
}

#[tokio::test]
async fn hsts_when_the_public_url_is_https() {
    let (srv, _dir) = server(&[("PORTCULLIS_PUBLIC_URL", "https://id.example.com/")]).await;
    let (res, _) = get(&srv.router(), "/healthz").await;
    assert_eq!(
        header(&res, "strict-transport-security"),
        "max-age=31536000"
    );
}

#[tokio::test]
async fn unknown_path_is_a_json_404() {
    let (srv, _dir) = server(&[]).await;
    let (res, body) = get(&srv.router(), "/no/such/thing").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"statusCode": 404, "error": "Not Found", "message": "Not Found"})
    );
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let (srv, _dir) = server(&[]).await;
    let req = Request::post("/.well-known/jwks.json")
        .body(Body::empty())
        .unwrap();
    let (res, _) = send(&srv.router(), req).await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&res, "allow"), "GET,HEAD");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let (srv, _dir) = server(&[]).await;
    let app = srv.router();
    get(&app, "/.well-known/jwks.json").await;
    get(&app, "/.well-known/jwks.json").await;
    get(&app, "/missing").await;
    let (res, body) = get(&app, "/metrics").await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.contains(
            r#"portcullis_http_requests_total{method="GET",route="/.well-known/jwks.json",status="200"} 2"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"portcullis_http_requests_total{method="GET",route="unmatched",status="404"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"portcullis_http_request_duration_seconds_count{route="/.well-known/jwks.json"} 2"#
        ),
        "{text}"
    );
}
