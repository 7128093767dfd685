//! `/api/v2/clients`.

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::{Value, json};

use super::{Answer, Mgmt};
use crate::send;

/// `POST /oauth/token` with client credentials for `audience`.
pub(super) async fn client_credentials(m: &Mgmt, id: &str, secret: &str, audience: &str) -> Answer {
    let body = json!({
        "grant_type": "client_credentials",
        "client_id": id,
        "client_secret": secret,
        "audience": audience,
    });
    let req = Request::post("/oauth/token")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (res, bytes) = send(&m.app, req).await;
    Answer {
        status: res.status().as_u16(),
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

/// A new machine-to-machine application: `(client_id, client_secret)`.
pub(super) async fn new_m2m(m: &Mgmt, name: &str) -> (String, String) {
    let a = m
        .post(
            "/api/v2/clients",
            json!({"name": name, "app_type": "non_interactive"}),
        )
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
    (
        a.body["client_id"].as_str().unwrap().to_owned(),
        a.body["client_secret"].as_str().unwrap().to_owned(),
    )
}

/// Grants the application `read:users` on the Management API.
pub(super) async fn grant_management(m: &Mgmt, client_id: &str) -> String {
    let a = m
        .post(
            "/api/v2/client-grants",
            json!({"client_id": client_id, "audience": m.audience, "scope": ["read:users"]}),
        )
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
    a.body["id"].as_str().unwrap().to_owned()
}

async fn total(m: &Mgmt) -> u64 {
    let a = m.get("/api/v2/clients?include_totals=true").await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    a.body["total"].as_u64().unwrap()
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

crate::cases! {
    async fn create_answers_201_with_the_secret_once(m: &Mgmt) {
        let a = m
            .post(
                "/api/v2/clients",
                json!({
                    "name": "Billing worker",
                    "description": "Nightly invoices",
                    "app_type": "non_interactive",
                    "is_first_party": true,
                    "oidc_conformant": true,
                    "jwt_configuration": {"alg": "RS256"}
                }),
            )
            .await;
        assert_eq!(a.status, 201, "{:?}", a.body);
        let id = a.body["client_id"].as_str().unwrap().to_owned();
        let secret = a.body["client_secret"].as_str().unwrap().to_owned();
        assert_eq!((id.len(), secret.len()), (32, 64));
        let mut expected = json!({
            "client_id": id,
            "tenant": "default",
            "global": false,
            "name": "Billing worker",
            "description": "Nightly invoices",
            "app_type": "non_interactive",
            "is_first_party": true,
            "oidc_conformant": true,
            "callbacks": [],
            "allowed_logout_urls": [],
            "web_origins": [],
            "grant_types": ["client_credentials"],
            "token_endpoint_auth_method": "client_secret_post",
            "jwt_configuration": {"alg": "RS256", "lifetime_in_seconds": 36000, "secret_encoded": false},
            "client_secret": secret,
        });
        assert_eq!(a.body, expected);
        // GET never shows the secret: only its hash is kept.
        expected.as_object_mut().unwrap().remove("client_secret");
        let got = m.get(&format!("/api/v2/clients/{id}")).await;
        assert_eq!((got.status, &got.body), (200, &expected));
        // The secret works at the token endpoint once the application has a grant.
        grant_management(m, &id).await;
        let t = client_credentials(m, &id, &secret, &m.audience).await;
        assert_eq!(t.status, 200, "{:?}", t.body);
    }

    async fn public_types_get_no_secret(m: &Mgmt) {
        let a = m
            .post(
                "/api/v2/clients",
                json!({
                    "name": "Storefront",
                    "app_type": "spa",
                    "callbacks": ["https://shop.example/callback"],
                    "web_origins": ["https://shop.example"]
                }),
            )
            .await;
        assert_eq!(a.status, 201, "{:?}", a.body);
        assert_eq!(a.body.get("client_secret"), None);
        assert_eq!(a.body.get("description"), None);
        assert_eq!(a.body["token_endpoint_auth_method"], "none");
        assert_eq!(
            a.body["grant_types"],
            json!(["authorization_code", "implicit", "refresh_token"])
        );
        assert_eq!(a.body["web_origins"], json!(["https://shop.example"]));
        // A public application cannot rotate a secret it does not have.
        let id = a.body["client_id"].as_str().unwrap();
        let r = m
            .call(Method::POST, &format!("/api/v2/clients/{id}/rotate-secret"), None)
            .await;
        assert_eq!((r.status, r.body["errorCode"].as_str()), (400, Some("invalid_body")));
    }

    async fn refused_bodies_create_nothing(m: &Mgmt) {
        let before = total(m).await;
        for (body, message) in [
            (
                json!({"name": "X", "app_type": "spa", "callbacks": ["https://x.example/cb#frag"]}),
                None,
            ),
            (
                json!({"name": "X", "app_type": "regular_web", "callbacks": ["https://*.example/cb"]}),
                None,
            ),
            (
                json!({"name": "X", "app_type": "non_interactive", "callbacks": ["https://x.example/cb"]}),
                Some("a non_interactive (machine to machine) application has no callback URLs: it never logs users in"),
            ),
            (json!({"name": "X", "app_type": "sso_integration"}), None),
            (json!({"name": "X", "app_type": "spa", "token_endpoint_auth_method": "client_secret_post"}), None),
            (json!({"name": "X", "app_type": "spa", "grant_types": ["client_credentials"]}), None),
            (json!({"name": "X", "grant_types": ["password"]}), None),
            (json!({"name": "X", "client_secret": "chosen"}), None),
            (json!({"name": "X", "is_first_party": false}), None),
            (json!({"name": "X", "jwt_configuration": {"alg": "HS256"}}), None),
            (json!({"name": "X", "jwt_configuration": {"lifetime_in_seconds": 60}}), None),
            (json!({"name": "X", "description": "d".repeat(141)}), None),
            (json!({"name": "  "}), Some("the name must not be empty")),
            (
                json!({"name": "X", "sso": true}),
                Some("Payload validation error: 'Additional properties not allowed: sso'."),
            ),
            (json!({"app_type": "spa"}), None),
        ] {
            let a = m.post("/api/v2/clients", body.clone()).await;
            assert_eq!(a.status, 400, "{body}: {:?}", a.body);
            assert_eq!(a.body["statusCode"], 400);
            if let Some(msg) = message {
                assert_eq!(a.body["message"], msg, "{body}");
            }
        }
        assert_eq!(total(m).await, before);
    }

    async fn unknown_clients_are_404(m: &Mgmt) {
        let expected = json!({
            "statusCode": 404,
            "error": "Not Found",
            "message": "The client does not exist",
            "errorCode": "inexistent_client"
        });
        for (method, body) in [
            (Method::GET, None),
            (Method::PATCH, Some(json!({"name": "Y"}))),
            (Method::DELETE, None),
        ] {
            let a = m.call(method.clone(), "/api/v2/clients/nope", body).await;
            assert_eq!((a.status, &a.body), (404, &expected), "{method}");
        }
        let a = m
            .call(Method::POST, "/api/v2/clients/nope/rotate-secret", None)
            .await;
        assert_eq!((a.status, &a.body), (404, &expected));
    }

    async fn routes_are_guarded(m: &Mgmt) {
        let (id, _) = new_m2m(m, "Guarded").await;
        let one = format!("/api/v2/clients/{id}");
        let rotate = format!("{one}/rotate-secret");
        m.assert_guarded(Method::POST, "/api/v2/clients", Some(json!({"name": "Z"})), "create:clients").await;
        m.assert_guarded(Method::DELETE, &one, None, "delete:clients").await;
        m.assert_guarded(Method::POST, &rotate, None, "update:client_keys").await;
        // Reading takes read:clients or read:client_keys, updating update:clients or
        // update:client_keys.
        let other = m.token_with(Some("read:users")).await;
        for (method, path, body, message) in [
            (Method::GET, "/api/v2/clients", None, "read:clients,read:client_keys"),
            (Method::GET, one.as_str(), None, "read:clients,read:client_keys"),
            (Method::PATCH, one.as_str(), Some(json!({"name": "Z"})), "update:clients,update:client_keys"),
        ] {
            let none = m.call_as(None, method.clone(), path, body.clone()).await;
            assert_eq!(none.status, 401, "{method} {path}");
            let a = m.call_as(Some(&other), method.clone(), path, body.clone()).await;
            assert_eq!(a.status, 403, "{method} {path}");
            assert_eq!(
                a.body["message"],
                format!("Insufficient scope, expected any of: {message}")
            );
        }
        let keys_only = m.token_with(Some("read:client_keys update:client_keys")).await;
        let a = m.call_as(Some(&keys_only), Method::GET, &one, None).await;
        assert_eq!((a.status, a.body.get("client_secret")), (200, None));
        let a = m
            .call_as(Some(&keys_only), Method::PATCH, &one, Some(json!({"description": "k"})))
            .await;
        assert_eq!((a.status, &a.body["description"]), (200, &json!("k")));
        // Nothing changed through the refused calls.
        let got = m.get(&one).await;
        assert_eq!(got.body["name"], "Guarded");
        assert!(m.get("/api/v2/clients?include_totals=true").await.body["clients"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "Z"));
    }

    async fn listing_pages_filters_and_picks_fields(m: &Mgmt) {
        // The bootstrap made a regular_web and a non_interactive application.
        for (name, t) in [("S1", "spa"), ("N1", "native"), ("S2", "spa")] {
            let mut body = json!({"name": name, "app_type": t});
            if t == "native" {
                body["callbacks"] = json!(["com.example.app:/cb"]);
            }
            let a = m.post("/api/v2/clients", body).await;
            assert_eq!(a.status, 201, "{:?}", a.body);
        }
        let a = m.get("/api/v2/clients?page=1&per_page=2&include_totals=true").await;
        assert_eq!(a.status, 200);
        assert_eq!(keys(&a.body), ["clients", "length", "limit", "start", "total"]);
        assert_eq!(
            (&a.body["start"], &a.body["limit"], &a.body["length"], &a.body["total"]),
            (&json!(2), &json!(2), &json!(2), &json!(5))
        );
        let names: Vec<&str> = a.body["clients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["S1", "N1"]);
        // Without include_totals: the bare array, oldest first.
        let all = m.get("/api/v2/clients").await;
        assert_eq!(all.body.as_array().unwrap().len(), 5);
        assert_eq!(all.body[4]["name"], "S2");

        let a = m.get("/api/v2/clients?app_type=spa,native&include_totals=true").await;
        let names: Vec<&str> = a.body["clients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!((names, &a.body["total"]), (vec!["S1", "N1", "S2"], &json!(3)));
        let a = m.get("/api/v2/clients?app_type=spa&fields=name,app_type").await;
        assert_eq!(
            a.body,
            json!([{"name": "S1", "app_type": "spa"}, {"name": "S2", "app_type": "spa"}])
        );
        let a = m
            .get("/api/v2/clients?app_type=native&fields=callbacks,jwt_configuration,tenant,global,oidc_conformant,is_first_party,web_origins,allowed_logout_urls,grant_types,token_endpoint_auth_method&include_fields=false")
            .await;
        let id = a.body[0]["client_id"].as_str().unwrap().to_owned();
        assert_eq!(a.body, json!([{"client_id": id, "name": "N1", "app_type": "native"}]));
        let a = m.get(&format!("/api/v2/clients/{id}?fields=client_id")).await;
        assert_eq!(a.body, json!({"client_id": id}));

        assert_eq!(m.get("/api/v2/clients?is_global=true").await.body, json!([]));
        assert_eq!(m.get("/api/v2/clients?is_first_party=true").await.body.as_array().unwrap().len(), 5);
        for bad in ["app_type=box", "per_page=101", "q=x", "include_fields=maybe"] {
            let a = m.get(&format!("/api/v2/clients?{bad}")).await;
            assert_eq!(
                (a.status, a.body["errorCode"].as_str()),
                (400, Some("invalid_query_string")),
                "{bad}"
            );
        }
    }

    async fn rotating_the_secret_stops_the_old_one_at_once(m: &Mgmt) {
        let (id, old) = new_m2m(m, "Rotator").await;
        grant_management(m, &id).await;
        assert_eq!(client_credentials(m, &id, &old, &m.audience).await.status, 200);
        let a = m
            .call(Method::POST, &format!("/api/v2/clients/{id}/rotate-secret"), None)
            .await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        let new = a.body["client_secret"].as_str().unwrap().to_owned();
        assert_ne!(new, old);
        assert_eq!((a.body["client_id"].as_str(), a.body["name"].as_str()), (Some(id.as_str()), Some("Rotator")));
        let refused = client_credentials(m, &id, &old, &m.audience).await;
        assert_eq!((refused.status, refused.body["error"].as_str()), (401, Some("invalid_client")));
        assert_eq!(client_credentials(m, &id, &new, &m.audience).await.status, 200);
    }

    async fn patch_changes_what_it_names_and_checks_it(m: &Mgmt) {
        let created = m
            .post(
                "/api/v2/clients",
                json!({"name": "Portal", "app_type": "regular_web", "callbacks": ["https://portal.example/cb"]}),
            )
            .await;
        let id = created.body["client_id"].as_str().unwrap().to_owned();
        let path = format!("/api/v2/clients/{id}");
        let a = m
            .patch(
                &path,
                json!({
                    "name": "Portal 2",
                    "description": "Customer portal",
                    "allowed_logout_urls": ["https://portal.example/"],
                    "token_endpoint_auth_method": "client_secret_basic",
                    "grant_types": ["authorization_code", "refresh_token", "refresh_token"]
                }),
            )
            .await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        assert_eq!(a.body.get("client_secret"), None);
        let got = m.get(&path).await.body;
        assert_eq!(a.body, got);
        assert_eq!(
            (&got["name"], &got["description"], &got["callbacks"], &got["allowed_logout_urls"], &got["token_endpoint_auth_method"], &got["grant_types"]),
            (
                &json!("Portal 2"),
                &json!("Customer portal"),
                &json!(["https://portal.example/cb"]),
                &json!(["https://portal.example/"]),
                &json!("client_secret_basic"),
                &json!(["authorization_code", "refresh_token"])
            )
        );
        // Refused changes leave everything as it was.
        for body in [
            json!({"callbacks": ["javascript:alert(1)"]}),
            json!({"name": "Portal 3", "web_origins": ["https://portal.example/path"]}),
            json!({"token_endpoint_auth_method": "none"}),
            json!({"client_secret": "mine"}),
            json!({"name": "Portal 3", "client_id": "other"}),
            json!({"app_type": "non_interactive"}),
        ] {
            let r = m.patch(&path, body.clone()).await;
            assert_eq!(r.status, 400, "{body}: {:?}", r.body);
        }
        assert_eq!(m.get(&path).await.body, got);

        // Becoming public drops the secret; becoming confidential again makes a new one.
        let a = m
            .patch(&path, json!({"app_type": "spa", "grant_types": ["authorization_code"]}))
            .await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        assert_eq!((&a.body["token_endpoint_auth_method"], a.body.get("client_secret")), (&json!("none"), None));
        let a = m.patch(&path, json!({"app_type": "regular_web"})).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        assert_eq!(a.body["token_endpoint_auth_method"], "client_secret_post");
        assert_eq!(a.body["grant_types"], json!(["authorization_code", "implicit", "refresh_token"]));
        assert_eq!(a.body["client_secret"].as_str().map(str::len), Some(64));
    }

    async fn delete_removes_the_client_and_its_grants(m: &Mgmt) {
        let (id, secret) = new_m2m(m, "Doomed").await;
        grant_management(m, &id).await;
        let before = total(m).await;
        let a = m.delete(&format!("/api/v2/clients/{id}")).await;
        assert_eq!((a.status, &a.body), (204, &Value::Null));
        assert_eq!(total(m).await, before - 1);
        assert_eq!(m.get(&format!("/api/v2/clients/{id}")).await.status, 404);
        let grants = m.get(&format!("/api/v2/client-grants?client_id={id}")).await;
        assert_eq!(grants.body, json!([]));
        let t = client_credentials(m, &id, &secret, &m.audience).await;
        assert_eq!((t.status, t.body["error"].as_str()), (401, Some("invalid_client")));
        assert_eq!(m.delete(&format!("/api/v2/clients/{id}")).await.status, 404);
    }

    async fn jwt_lifetime_follows_the_tenant_setting(m: &Mgmt) {
        let a = m.patch("/api/v2/tenants/settings", json!({"id_token_lifetime": 600})).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        let (id, _) = new_m2m(m, "Lifetimes").await;
        let got = m.get(&format!("/api/v2/clients/{id}")).await;
        assert_eq!(got.body["jwt_configuration"]["lifetime_in_seconds"], 600);
        let a = m
            .patch(
                &format!("/api/v2/clients/{id}"),
                json!({"jwt_configuration": {"lifetime_in_seconds": 600, "alg": "RS256", "secret_encoded": false}}),
            )
            .await;
        assert_eq!(a.status, 200, "{:?}", a.body);
    }
}
