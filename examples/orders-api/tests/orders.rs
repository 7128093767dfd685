//! The orders API accepts Portcullis tokens with the right scope and refuses the rest.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use portcullis_sdk::api::{DiscoveryOptions, JwtValidator, Requirements};
use portcullis_server::config::{Flags, load_with};
use serde_json::{Value, json};
use tower::ServiceExt as _;

const AUDIENCE: &str = "https://orders.example.com/";

async fn call(app: &axum::Router, method: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri("/orders");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn portcullis_tokens_with_the_right_scope_get_in() {
    let dir = tempfile::tempdir().unwrap();
    let vars = [
        (
            "PORTCULLIS_DATA_DIR".to_owned(),
            dir.path().to_str().unwrap().to_owned(),
        ),
        ("PORTCULLIS_LISTEN".to_owned(), "127.0.0.1:0".to_owned()),
    ];
    let config = load_with(&Flags::default(), &move |k| {
        vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    })
    .unwrap();
    let srv = portcullis_server::prepare(config).await.unwrap();
    let report = srv.bootstrap.clone().unwrap();
    let issuer = srv.issuer().as_str().to_owned();
    tokio::spawn(srv.serve(std::future::pending()));
    let http = reqwest::Client::new();
    let token = |audience: &str| {
        let (http, issuer) = (http.clone(), issuer.clone());
        let body = json!({
            "grant_type": "client_credentials",
            "client_id": report.m2m_client_id.to_string(),
            "client_secret": report.m2m_client_secret.expose(),
            "audience": audience,
        });
        async move {
            let answer: Value = http
                .post(format!("{issuer}oauth/token"))
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            answer["access_token"].as_str().expect("a token").to_owned()
        }
    };
    // The orders API, and a grant of read:orders (only) to the M2M application.
    let management = token(&report.management_audience).await;
    let created = http
        .post(format!("{issuer}api/v2/resource-servers"))
        .bearer_auth(&management)
        .json(
            &json!({"name": "Orders", "identifier": AUDIENCE, "scopes": [
            {"value": "read:orders", "description": "Read orders"},
            {"value": "write:orders", "description": "Create orders"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let granted = http
        .post(format!("{issuer}api/v2/client-grants"))
        .bearer_auth(&management)
        .json(
            &json!({"client_id": report.m2m_client_id.to_string(), "audience": AUDIENCE,
                      "scope": ["read:orders"]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(granted.status(), 201);

    let validator = JwtValidator::discover(
        Requirements::new(&issuer, AUDIENCE),
        DiscoveryOptions::default(),
    )
    .await
    .unwrap();
    let app = portcullis_example_orders_api::app(Arc::new(validator));
    let reader = token(AUDIENCE).await;

    let (status, body) = call(&app, "GET", Some(&reader)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["for"], format!("{}@clients", report.m2m_client_id));
    let (status, body) = call(&app, "POST", Some(&reader)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "insufficient_scope");
    assert_eq!(body["scope"], "write:orders");
    // A token for another API, no token, a tampered token: 401.
    let (status, body) = call(&app, "GET", Some(&management)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["error_description"],
        "the token's audience is not accepted"
    );
    assert_eq!(call(&app, "GET", None).await.0, StatusCode::UNAUTHORIZED);
    let signature_at = reader.rfind('.').unwrap() + 10;
    let flipped = if &reader[signature_at..=signature_at] == "A" {
        "B"
    } else {
        "A"
    };
    let tampered = format!(
        "{}{flipped}{}",
        &reader[..signature_at],
        &reader[signature_at + 1..]
    );
    assert_eq!(
        call(&app, "GET", Some(&tampered)).await.0,
        StatusCode::UNAUTHORIZED
    );
}
