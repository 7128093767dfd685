//! Who may call the Management API.

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::{Value, json};

use super::Mgmt;
use crate::send;

/// A client_credentials token of the bootstrapped M2M application for `audience`.
async fn token_for(m: &Mgmt, audience: &str) -> String {
    let body = json!({
        "grant_type": "client_credentials",
        "client_id": m.m2m_id,
        "client_secret": m.m2m_secret,
        "audience": audience,
    });
    let req = Request::post("/oauth/token")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (res, bytes) = send(&m.app, req).await;
    assert_eq!(res.status(), 200, "{}", String::from_utf8_lossy(&bytes));
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    json["access_token"].as_str().unwrap().to_owned()
}

crate::cases! {
    async fn no_token_is_401_missing_authentication(m: &Mgmt) {
        let a = m.call_as(None, Method::GET, "/api/v2/users", None).await;
        assert_eq!(a.status, 401);
        assert_eq!(
            a.body,
            json!({"statusCode": 401, "error": "Unauthorized", "message": "Missing authentication"})
        );
    }

    async fn a_token_for_another_audience_is_401(m: &Mgmt) {
        // An API of the tenant whose scope is named like a Management API scope, and a
        // valid token for it: the audience is wrong, so the scope counts for nothing.
        let api = m
            .post(
                "/api/v2/resource-servers",
                json!({"identifier": "https://orders.example/", "scopes": [{"value": "read:users", "description": "x"}]}),
            )
            .await;
        assert_eq!(api.status, 201, "{:?}", api.body);
        let grant = m
            .post(
                "/api/v2/client-grants",
                json!({"client_id": m.m2m_id, "audience": "https://orders.example/", "scope": ["read:users"]}),
            )
            .await;
        assert_eq!(grant.status, 201, "{:?}", grant.body);
        let other = token_for(m, "https://orders.example/").await;
        let a = m.call_as(Some(&other), Method::GET, "/api/v2/users", None).await;
        assert_eq!(
            a.body,
            json!({"statusCode": 401, "error": "Unauthorized", "message": "Invalid token", "errorCode": "invalid_token"})
        );
        let a = m.call_as(Some("not.a.jwt"), Method::GET, "/api/v2/users", None).await;
        assert_eq!((a.status, a.body["errorCode"].as_str()), (401, Some("invalid_token")));
        // A real Management API token with one signature character changed.
        let mut forged: Vec<char> = m.token.chars().collect();
        let at = forged.len() - 20;
        forged[at] = if forged[at] == 'A' { 'B' } else { 'A' };
        let forged: String = forged.into_iter().collect();
        let a = m.call_as(Some(&forged), Method::GET, "/api/v2/users", None).await;
        assert_eq!(a.status, 401);
        // The untouched token works.
        assert_eq!(m.get("/api/v2/users").await.status, 200);
    }

    async fn a_token_without_the_scope_is_403(m: &Mgmt) {
        let token = m.token_with(Some("read:roles")).await;
        let a = m.call_as(Some(&token), Method::GET, "/api/v2/users", None).await;
        assert_eq!(
            a.body,
            json!({
                "statusCode": 403,
                "error": "Forbidden",
                "message": "Insufficient scope, expected any of: read:users",
                "errorCode": "insufficient_scope"
            })
        );
    }

    async fn wrong_method_is_405_json(m: &Mgmt) {
        let a = m.call(Method::PUT, "/api/v2/users", None).await;
        assert_eq!((a.status, a.body["statusCode"].as_u64()), (405, Some(405)));
    }
}
