//! The audit log: logins, failed logins and Management API writes become Auth0 log
//! events at `/api/v2/logs`.

use axum::http::Method;
use serde_json::{Value, json};

use super::Mgmt;
use crate::world::enc;

const PASSWORD: &str = "a long enough password";

/// A user made through the Management API; returns its id.
async fn user(m: &Mgmt, email: &str) -> String {
    let a = m
        .post(
            "/api/v2/users",
            json!({"connection": "Username-Password-Authentication", "email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
    a.body["user_id"].as_str().unwrap().to_owned()
}

/// One login at `/u/login` through the bootstrapped web application: its status.
async fn login(m: &Mgmt, email: &str, password: &str) -> u16 {
    super::login::login(m, email, password, None).await.0
}

fn types(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect()
}

crate::cases! {
    async fn logins_and_failed_logins_are_logged(m: &Mgmt) {
        let id = user(m, "ada@example.com").await;
        assert_eq!(login(m, "ada@example.com", "wrong password!").await, 400);
        assert_eq!(login(m, "ada@example.com", PASSWORD).await, 303);

        let failed = m.get("/api/v2/logs?q=type:%22f%22").await;
        assert_eq!(failed.status, 200);
        let failed = failed.body.as_array().unwrap().clone();
        assert_eq!(failed.len(), 1);
        let f = &failed[0];
        assert_eq!(f["type"], "f");
        assert_eq!(f["user_id"], id.as_str());
        assert_eq!(f["user_name"], "ada@example.com");
        assert_eq!(f["user_agent"], "interop-test/1.0");
        assert_eq!(f["description"], "Wrong email or password.");
        assert_eq!(f["client_id"], m.srv.bootstrap.as_ref().unwrap().web_client_id.to_string());
        assert_eq!(f["_id"], f["log_id"]);

        // The user's own log, newest first: the login after the failure.
        let mine = m.get(&format!("/api/v2/users/{}/logs", enc(&id))).await;
        assert_eq!(types(&mine.body), ["s", "f"]);
        let one = m.get(&format!("/api/v2/logs/{}", failed[0]["log_id"].as_str().unwrap())).await;
        assert_eq!(one.body, failed[0]);
        let none = m.get("/api/v2/logs/000000000000nope").await;
        assert_eq!((none.status, none.body["errorCode"].as_str()), (404, Some("inexistent_log")));
    }

    async fn management_writes_are_logged_without_their_bodies(m: &Mgmt) {
        user(m, "bea@example.com").await;
        // Refused: the address is taken.
        let dup = m
            .post(
                "/api/v2/users",
                json!({"connection": "Username-Password-Authentication", "email": "bea@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(dup.status, 409);
        // Without a token: not logged at all.
        let anon = m.call_as(None, Method::POST, "/api/v2/roles", Some(json!({"name": "x"}))).await;
        assert_eq!(anon.status, 401);

        let logs = m.get("/api/v2/logs?sort=date:1&include_totals=true").await;
        assert_eq!(logs.body["total"], 2);
        let events = logs.body["logs"].as_array().unwrap();
        assert_eq!(types(&logs.body["logs"]), ["sapi", "fapi"]);
        assert_eq!(events[0]["description"], "Create users");
        assert_eq!(events[0]["client_id"], m.m2m_id.as_str());
        assert_eq!(
            events[1]["details"],
            json!({"request": {"method": "post", "path": "/api/v2/users"}, "response": {"statusCode": 409}})
        );
        assert!(!logs.body.to_string().contains(PASSWORD));
    }

    async fn checkpoint_paging_and_scopes(m: &Mgmt) {
        for i in 0..5 {
            user(m, &format!("u{i}@example.com")).await;
        }
        let first = m.get("/api/v2/logs?take=2").await;
        assert_eq!(first.body.as_array().unwrap().len(), 2);
        let last_id = first.body[1]["log_id"].as_str().unwrap().to_owned();
        let next = m.get(&format!("/api/v2/logs?from={last_id}&take=10")).await;
        assert_eq!(next.body.as_array().unwrap().len(), 3);
        assert!(next.body[0]["log_id"].as_str().unwrap() > last_id.as_str());

        let page = m.get("/api/v2/logs?per_page=2&page=2&include_totals=true").await;
        assert_eq!(
            (page.body["start"].as_u64(), page.body["limit"].as_u64(), page.body["length"].as_u64(), page.body["total"].as_u64()),
            (Some(4), Some(2), Some(1), Some(5))
        );
        let bad = m.get("/api/v2/logs?q=description:x").await;
        assert_eq!((bad.status, bad.body["errorCode"].as_str()), (400, Some("invalid_query_string")));

        m.assert_guarded(Method::GET, "/api/v2/logs", None, "read:logs").await;
        m.assert_guarded(Method::GET, "/api/v2/users/auth0%7Cx/logs", None, "read:logs_users").await;
    }
}
