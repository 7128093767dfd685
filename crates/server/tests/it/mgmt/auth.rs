//! Who may call the Management API.

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::{Value, json};

use super::Mgmt;
use super::login::user_token;
use crate::send;

const PASSWORD: &str = "a long enough password";

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

    async fn user_tokens_for_the_management_api_are_refused(m: &Mgmt) {
        // A user whose role carries Management API permissions logs in asking for the
        // Management API: the token carries them, and is refused all the same (F.41).
        let user = m
            .post(
                "/api/v2/users",
                json!({"connection": "Username-Password-Authentication", "email": "eve@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(user.status, 201);
        let role = m.post("/api/v2/roles", json!({"name": "admins"})).await;
        let role_id = role.body["id"].as_str().unwrap().to_owned();
        let add = m
            .post(
                &format!("/api/v2/roles/{role_id}/permissions"),
                json!({"permissions": [{"resource_server_identifier": m.audience, "permission_name": "read:users"}]}),
            )
            .await;
        assert_eq!(add.status, 201, "{:?}", add.body);
        let assign = m
            .post(
                &format!("/api/v2/users/{}/roles", crate::world::enc(user.body["user_id"].as_str().unwrap())),
                json!({"roles": [role_id]}),
            )
            .await;
        assert_eq!(assign.status, 204, "{:?}", assign.body);
        let token = user_token(m, "eve@example.com", PASSWORD, &m.audience).await;
        let a = m.call_as(Some(&token), Method::GET, "/api/v2/users", None).await;
        assert_eq!(a.status, 403);
        assert_eq!(a.body["errorCode"], "insufficient_scope");
        assert_eq!(
            a.body["message"],
            "The Management API accepts only tokens of machine-to-machine applications (client_credentials)"
        );
    }

    async fn callers_cannot_grant_what_they_do_not_hold(m: &Mgmt) {
        // A delegated administrator: may manage roles, members and grants, but may not
        // delete users.
        let limited = m
            .token_with(Some("create:roles update:roles read:roles create:client_grants update:client_grants create:role_members update:users read:users"))
            .await;
        let as_limited = |method: Method, path: String, body: Value| {
            let token = limited.clone();
            async move { m.call_as(Some(&token), method, &path, Some(body)).await }
        };
        let role = m.post("/api/v2/roles", json!({"name": "deleters"})).await;
        let role_id = role.body["id"].as_str().unwrap().to_owned();
        let perm = |p: &str| json!({"permissions": [{"resource_server_identifier": m.audience, "permission_name": p}]});

        // Into a role: a Management permission it lacks, no; one it holds, yes.
        let a = as_limited(Method::POST, format!("/api/v2/roles/{role_id}/permissions"), perm("delete:users")).await;
        assert_eq!((a.status, a.body["errorCode"].as_str()), (403, Some("insufficient_scope")));
        assert_eq!(a.body["message"], "Cannot grant Management API permissions the caller does not hold: delete:users");
        let a = as_limited(Method::POST, format!("/api/v2/roles/{role_id}/permissions"), perm("read:users")).await;
        assert_eq!(a.status, 201);
        let listed = m.get(&format!("/api/v2/roles/{role_id}/permissions")).await;
        assert_eq!(listed.body.as_array().unwrap().len(), 1);

        // A role carrying what it lacks cannot be handed to anyone.
        let full = m.post(&format!("/api/v2/roles/{role_id}/permissions"), perm("delete:users")).await;
        assert_eq!(full.status, 201);
        let user = m
            .post(
                "/api/v2/users",
                json!({"connection": "Username-Password-Authentication", "email": "mallory@example.com", "password": PASSWORD}),
            )
            .await;
        let user_id = user.body["user_id"].as_str().unwrap().to_owned();
        let a = as_limited(Method::POST, format!("/api/v2/users/{}/roles", crate::world::enc(&user_id)), json!({"roles": [role_id]})).await;
        assert_eq!(a.status, 403);
        let a = as_limited(Method::POST, format!("/api/v2/roles/{role_id}/users"), json!({"users": [user_id]})).await;
        assert_eq!(a.status, 403);
        let a = as_limited(Method::POST, format!("/api/v2/users/{}/permissions", crate::world::enc(&user_id)), perm("delete:users")).await;
        assert_eq!(a.status, 403);
        let roles = m.get(&format!("/api/v2/users/{}/roles", crate::world::enc(&user_id))).await;
        assert_eq!(roles.body, json!([]));

        // Nor can it give an application a Management API grant broader than its own.
        let app = m.post("/api/v2/clients", json!({"name": "helper", "app_type": "non_interactive"})).await;
        let client_id = app.body["client_id"].as_str().unwrap().to_owned();
        let grant = |scope: &[&str]| json!({"client_id": client_id, "audience": m.audience, "scope": scope});
        let a = as_limited(Method::POST, "/api/v2/client-grants".into(), grant(&["read:users", "delete:users"])).await;
        assert_eq!(a.status, 403);
        assert_eq!(m.get(&format!("/api/v2/client-grants?client_id={client_id}")).await.body, json!([]));
        let a = as_limited(Method::POST, "/api/v2/client-grants".into(), grant(&["read:users"])).await;
        assert_eq!(a.status, 201, "{:?}", a.body);
        let grant_id = a.body["id"].as_str().unwrap().to_owned();
        let a = as_limited(Method::PATCH, format!("/api/v2/client-grants/{grant_id}"), json!({"scope": ["delete:users"]})).await;
        assert_eq!(a.status, 403);
    }
}
