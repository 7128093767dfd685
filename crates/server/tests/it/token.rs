//! `POST /oauth/token` with `client_credentials`: Auth0's answers, exactly.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_core::bootstrap::MANAGEMENT_SCOPES;
use serde_json::{Value, json};

use crate::{get, header, send, server};

struct Setup {
    srv: portcullis_server::Prepared,
    _dir: tempfile::TempDir,
    m2m_id: String,
    m2m_secret: String,
    web_id: String,
    web_secret: String,
    audience: String,
}

async fn setup() -> Setup {
    let (srv, dir) = server(&[]).await;
    let report = srv.bootstrap.clone().unwrap();
    Setup {
        audience: report.management_audience.clone(),
        m2m_id: report.m2m_client_id.to_string(),
        m2m_secret: report.m2m_client_secret.expose().to_owned(),
        web_id: report.web_client_id.to_string(),
        web_secret: report.web_client_secret.expose().to_owned(),
        srv,
        _dir: dir,
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn post(
    s: &Setup,
    content_type: &str,
    body: String,
    authorization: Option<String>,
) -> (axum::http::Response<()>, Value) {
    let mut req = Request::post("/oauth/token").header("content-type", content_type);
    if let Some(a) = authorization {
        req = req.header("authorization", a);
    }
    let (res, bytes) = send(&s.srv.router(), req.body(Body::from(body)).unwrap()).await;
    assert_eq!(header(&res, "cache-control"), "no-store");
    assert_eq!(header(&res, "pragma"), "no-cache");
    let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (res, v)
}

async fn post_form(s: &Setup, pairs: &[(&str, &str)]) -> (axum::http::Response<()>, Value) {
    post(s, "application/x-www-form-urlencoded", form(pairs), None).await
}

fn assert_error(
    res: &axum::http::Response<()>,
    body: &Value,
    status: StatusCode,
    error: &str,
    description: &str,
) {
    assert_eq!(res.status(), status, "{body}");
    assert_eq!(
        body,
        &json!({"error": error, "error_description": description})
    );
}

#[tokio::test]
async fn m2m_token_has_auth0_claims_and_verifies_with_the_jwks() {
    let s = setup().await;
    let (res, body) = post_form(
        &s,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &s.m2m_id),
            ("client_secret", &s.m2m_secret),
            ("audience", &s.audience),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 86_400);
    assert_eq!(body["scope"], MANAGEMENT_SCOPES.join(" "));
    assert!(body.get("refresh_token").is_none());
    assert!(body.get("id_token").is_none());
    let jwt = body["access_token"].as_str().unwrap();

    let (_, jwks) = get(&s.srv.router(), "/.well-known/jwks.json").await;
    let jwks: Value = serde_json::from_slice(&jwks).unwrap();
    let key = &jwks["keys"][0];
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[&s.audience]);
    validation.set_issuer(&[s.srv.issuer().as_str()]);
    let claims: Value = jsonwebtoken::decode(jwt, &decoding, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["iss"], s.srv.issuer().as_str());
    assert_eq!(claims["sub"], format!("{}@clients", s.m2m_id));
    assert_eq!(claims["aud"], s.audience);
    assert_eq!(claims["azp"], s.m2m_id);
    assert_eq!(claims["gty"], "client-credentials");
    assert_eq!(claims["scope"], MANAGEMENT_SCOPES.join(" "));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        86_400
    );
    assert_eq!(claims["jti"].as_str().unwrap().len(), 22);
    assert!(claims.get("permissions").is_none());
}

#[tokio::test]
async fn json_body_and_basic_are_accepted_as_auth0_accepts_them() {
    let s = setup().await;
    let body = json!({
        "grant_type": "client_credentials",
        "client_id": s.m2m_id,
        "client_secret": s.m2m_secret,
        "audience": s.audience,
        "scope": "read:users read:users",
    });
    let (res, v) = post(&s, "application/json", body.to_string(), None).await;
    assert_eq!(res.status(), StatusCode::OK, "{v}");
    assert_eq!(v["scope"], "read:users");
}

#[tokio::test]
async fn scopes_not_granted_are_refused() {
    let s = setup().await;
    let (res, v) = post_form(
        &s,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &s.m2m_id),
            ("client_secret", &s.m2m_secret),
            ("audience", &s.audience),
            ("scope", "read:users fly:rockets"),
        ],
    )
    .await;
    assert_error(
        &res,
        &v,
        StatusCode::FORBIDDEN,
        "access_denied",
        "Client has not been granted scopes: fly:rockets",
    );
}

#[tokio::test]
async fn audience_missing_unknown_or_not_granted() {
    let s = setup().await;
    let base = [
        ("grant_type", "client_credentials"),
        ("client_id", s.m2m_id.as_str()),
        ("client_secret", s.m2m_secret.as_str()),
    ];
    let (res, v) = post_form(&s, &base).await;
    assert_error(
        &res,
        &v,
        StatusCode::FORBIDDEN,
        "access_denied",
        "No audience parameter was provided, and no default audience has been configured",
    );
    let mut unknown = base.to_vec();
    unknown.push(("audience", "https://nope.example/"));
    let (res, v) = post_form(&s, &unknown).await;
    assert_error(
        &res,
        &v,
        StatusCode::FORBIDDEN,
        "access_denied",
        "Service not found: https://nope.example/",
    );
    // Exact match only: no trailing-slash or case leniency.
    let mut near = base.to_vec();
    let trimmed = s.audience.trim_end_matches('/').to_owned();
    near.push(("audience", &trimmed));
    let (res, _) = post_form(&s, &near).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_web_application_may_not_use_client_credentials() {
    let s = setup().await;
    let (res, v) = post_form(
        &s,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &s.web_id),
            ("client_secret", &s.web_secret),
            ("audience", &s.audience),
        ],
    )
    .await;
    assert_error(
        &res,
        &v,
        StatusCode::FORBIDDEN,
        "unauthorized_client",
        "Grant type 'client_credentials' not allowed for the client.",
    );
}

#[tokio::test]
async fn bad_client_credentials_are_one_invalid_client() {
    let s = setup().await;
    let failed = |res: &axum::http::Response<()>, v: &Value| {
        assert_error(
            res,
            v,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        );
    };
    for (id, secret) in [
        (s.m2m_id.as_str(), "wrong"),
        (s.m2m_id.as_str(), ""),
        ("no-such-client", s.m2m_secret.as_str()),
        (s.web_id.as_str(), s.m2m_secret.as_str()),
    ] {
        let (res, v) = post_form(
            &s,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
                ("audience", &s.audience),
            ],
        )
        .await;
        failed(&res, &v);
        assert!(res.headers().get("www-authenticate").is_none());
    }
    // Basic for a client registered for client_secret_post: the wrong method.
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", s.m2m_id, s.m2m_secret))
    );
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("audience", &s.audience),
    ]);
    let (res, v) = post(
        &s,
        "application/x-www-form-urlencoded",
        body.clone(),
        Some(basic.clone()),
    )
    .await;
    failed(&res, &v);
    assert_eq!(
        header(&res, "www-authenticate"),
        "Basic realm=\"portcullis\", charset=\"UTF-8\""
    );
    // Broken Basic.
    let (res, v) = post(
        &s,
        "application/x-www-form-urlencoded",
        body,
        Some("Basic %%%".into()),
    )
    .await;
    failed(&res, &v);
    // Basic and a body secret together (RFC 6749 §2.3).
    let both = form(&[
        ("grant_type", "client_credentials"),
        ("client_secret", &s.m2m_secret),
    ]);
    let (res, v) = post(&s, "application/x-www-form-urlencoded", both, Some(basic)).await;
    failed(&res, &v);
}

#[tokio::test]
async fn malformed_requests_are_invalid_request() {
    let s = setup().await;
    let (res, v) = post_form(&s, &[("client_id", &s.m2m_id)]).await;
    assert_error(
        &res,
        &v,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "Missing required parameter: grant_type",
    );
    let (res, v) = post_form(&s, &[("grant_type", "password"), ("client_id", &s.m2m_id)]).await;
    assert_error(
        &res,
        &v,
        StatusCode::BAD_REQUEST,
        "unsupported_grant_type",
        "Unsupported grant type: password",
    );
    let (res, v) = post_form(
        &s,
        &[
            ("grant_type", "client_credentials"),
            ("audience", "a"),
            ("audience", "b"),
        ],
    )
    .await;
    assert_error(
        &res,
        &v,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "Parameter 'audience' is repeated",
    );
    let (res, v) = post(
        &s,
        "text/plain",
        "grant_type=client_credentials".into(),
        None,
    )
    .await;
    assert_error(
        &res,
        &v,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "Content-Type must be application/x-www-form-urlencoded or application/json",
    );
    let (res, v) = post(&s, "application/json", "{\"grant_type\":".into(), None).await;
    assert_error(
        &res,
        &v,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "The body is not valid JSON",
    );
    let (res, v) = post(&s, "application/json", "[1]".into(), None).await;
    assert_error(
        &res,
        &v,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "The body must be a JSON object",
    );
    let (res, v) = post(&s, "application/json", "{\"grant_type\":5}".into(), None).await;
    assert_error(
        &res,
        &v,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "Parameter 'grant_type' must be a string",
    );
    let (res, v) = post_form(&s, &[("grant_type", "client_credentials")]).await;
    assert_error(
        &res,
        &v,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "Missing required parameter: client_id",
    );
}

#[tokio::test]
async fn wrong_method_and_oversized_body() {
    let s = setup().await;
    let (res, _) = get(&s.srv.router(), "/oauth/token").await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let req = Request::post("/oauth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("content-length", "70000")
        .body(Body::from(vec![b'a'; 70_000]))
        .unwrap();
    let (res, _) = send(&s.srv.router(), req).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}
