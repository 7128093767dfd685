//! Access tokens die with their grant (security cases C.19 and C.27): a replayed code, a
//! reused refresh token and `/oauth/revoke` make `/userinfo` answer 401 and
//! `/oauth/introspect` answer inactive for every access token of that authorization,
//! and for no other.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use portcullis_core::TenantSettings;
use serde_json::{Value, json};

use crate::refresh::{Env, ORDERS, env, invalid_grant, rt};
use crate::{header, send};

async fn userinfo(e: &Env, access_token: &str) -> (StatusCode, String) {
    let req = Request::get("/userinfo")
        .header("authorization", format!("Bearer {access_token}"))
        .body(Body::empty())
        .unwrap();
    let (res, _) = send(&e.srv.router(), req).await;
    let challenge = if res.status() == StatusCode::OK {
        String::new()
    } else {
        header(&res, "www-authenticate").to_owned()
    };
    (res.status(), challenge)
}

const REFUSED: (StatusCode, &str) = (
    StatusCode::UNAUTHORIZED,
    "Bearer realm=\"portcullis\", error=\"invalid_token\"",
);

async fn assert_refused(e: &Env, access_token: &str) {
    let (status, challenge) = userinfo(e, access_token).await;
    assert_eq!((status, challenge.as_str()), REFUSED);
    assert_eq!(introspect(e, access_token).await, json!({"active": false}));
}

async fn assert_accepted(e: &Env, access_token: &str) {
    assert_eq!(userinfo(e, access_token).await.0, StatusCode::OK);
    assert_eq!(introspect(e, access_token).await["active"], json!(true));
}

async fn introspect(e: &Env, token: &str) -> Value {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("token", token),
            ("client_id", e.web.id.as_str()),
            ("client_secret", e.web.secret.as_str()),
        ])
        .finish();
    let req = Request::post("/oauth/introspect")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let (res, bytes) = send(&e.srv.router(), req).await;
    assert_eq!(res.status(), StatusCode::OK);
    serde_json::from_slice(&bytes).unwrap()
}

fn access(body: &Value) -> String {
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_replayed_code_kills_the_access_tokens_of_its_first_exchange() {
    let e = env(TenantSettings::default()).await;
    let code = e.code(&e.alice, "openid email", None).await;
    let first = access(&e.exchange(&code).await);
    let bystander = access(&e.login().await);
    assert_accepted(&e, &first).await;

    let replay = e
        .post(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &e.web.id),
            ("client_secret", &e.web.secret),
        ])
        .await;
    assert_eq!(
        replay,
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_grant", "error_description": "Invalid authorization code"})
        )
    );
    assert_refused(&e, &first).await;
    // Another login of the same user and application is another grant.
    assert_accepted(&e, &bystander).await;
}

#[tokio::test]
async fn a_replayed_code_kills_the_refreshed_access_tokens_too() {
    let e = env(TenantSettings::default()).await;
    let code = e
        .code(&e.alice, "openid offline_access read:orders", Some(ORDERS))
        .await;
    let first = e.exchange(&code).await;
    let (status, refreshed) = e.refresh(&rt(&first)).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    assert_accepted(&e, &access(&refreshed)).await;

    e.post(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("client_id", &e.web.id),
        ("client_secret", &e.web.secret),
    ])
    .await;
    assert_refused(&e, &access(&first)).await;
    assert_refused(&e, &access(&refreshed)).await;
    invalid_grant(e.refresh(&rt(&refreshed)).await);
}

#[tokio::test]
async fn refresh_token_reuse_kills_every_access_token_of_the_family() {
    let e = env(TenantSettings::default()).await;
    let bystander = access(&e.login().await);
    let r0_body = e.login().await;
    let (status, r1_body) = e.refresh(&rt(&r0_body)).await;
    assert_eq!(status, StatusCode::OK, "{r1_body}");
    assert_accepted(&e, &access(&r1_body)).await;

    invalid_grant(e.refresh(&rt(&r0_body)).await);
    assert_refused(&e, &access(&r0_body)).await;
    assert_refused(&e, &access(&r1_body)).await;
    assert_accepted(&e, &bystander).await;
}

#[tokio::test]
async fn revoking_the_refresh_token_kills_its_access_tokens() {
    let e = env(TenantSettings::default()).await;
    let body = e.login().await;
    assert_accepted(&e, &access(&body)).await;
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("token", rt(&body).as_str()),
            ("client_id", e.web.id.as_str()),
            ("client_secret", e.web.secret.as_str()),
        ])
        .finish();
    let req = Request::post("/oauth/revoke")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let (res, _) = send(&e.srv.router(), req).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_refused(&e, &access(&body)).await;
}
