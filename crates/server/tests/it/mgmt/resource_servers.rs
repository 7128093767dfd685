//! `/api/v2/resource-servers`: the tenant's APIs.

use axum::http::Method;
use portcullis_core::{ClientGrant, ClientId, GrantId, UnixTime};
use serde_json::{Value, json};

use super::Mgmt;
use super::roles::{api, path_id, perm, role, tenant, user};

async fn identifiers(m: &Mgmt) -> Vec<String> {
    let a = m.get("/api/v2/resource-servers").await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    a.body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["identifier"].as_str().unwrap().to_owned())
        .collect()
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

crate::cases! {
    async fn an_api_is_created_and_read_by_id_or_identifier(m: &Mgmt) {
        let a = m
            .post(
                "/api/v2/resource-servers",
                json!({
                    "name": "Orders",
                    "identifier": "https://orders.example/",
                    "scopes": [
                        {"value": "read:orders", "description": "Read orders"},
                        {"value": "write:orders"},
                        {"value": "read:orders", "description": "again"}
                    ],
                    "signing_alg": "RS256",
                    "token_lifetime": 3600,
                    "allow_offline_access": true,
                    "skip_consent_for_verifiable_first_party_clients": true
                }),
            )
            .await;
        assert_eq!(a.status, 201, "{:?}", a.body);
        let id = a.body["id"].as_str().unwrap().to_owned();
        assert_eq!(id.len(), 24);
        assert_eq!(
            a.body,
            json!({
                "id": id,
                "name": "Orders",
                "identifier": "https://orders.example/",
                "scopes": [
                    {"value": "read:orders", "description": "Read orders"},
                    {"value": "write:orders"}
                ],
                "signing_alg": "RS256",
                "token_lifetime": 3600,
                "allow_offline_access": true,
                "enforce_policies": false,
                "token_dialect": "access_token"
            })
        );
        let by_id = m.get(&format!("/api/v2/resource-servers/{id}")).await;
        assert_eq!((by_id.status, &by_id.body), (200, &a.body));
        let by_identifier = m
            .get(&format!("/api/v2/resource-servers/{}", encode("https://orders.example/")))
            .await;
        assert_eq!((by_identifier.status, &by_identifier.body), (200, &a.body));
        let missing = m.get("/api/v2/resource-servers/nope").await;
        assert_eq!(
            (missing.status, missing.body),
            (404, json!({
                "statusCode": 404,
                "error": "Not Found",
                "message": "The resource server does not exist.",
                "errorCode": "inexistent_resource_server"
            }))
        );
    }

    async fn defaults_are_auth0s_and_the_name_defaults_to_the_identifier(m: &Mgmt) {
        let a = m.post("/api/v2/resource-servers", json!({"identifier": "urn:bare"})).await;
        assert_eq!(a.status, 201, "{:?}", a.body);
        assert_eq!(
            a.body,
            json!({
                "id": a.body["id"],
                "name": "urn:bare",
                "identifier": "urn:bare",
                "scopes": [],
                "signing_alg": "RS256",
                "token_lifetime": 86400,
                "allow_offline_access": false,
                "enforce_policies": false,
                "token_dialect": "access_token"
            })
        );
    }

    async fn the_list_is_paged_and_marks_the_system_api(m: &Mgmt) {
        api(m, "urn:a", &[]).await;
        api(m, "urn:b", &[]).await;
        let all = m.get("/api/v2/resource-servers").await;
        let list = all.body.as_array().unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0]["identifier"], m.audience.as_str());
        assert_eq!(list[0]["is_system"], true);
        assert_eq!(list[1].get("is_system"), None);
        assert_eq!(list[1]["identifier"], "urn:a");
        assert_eq!(list[2]["identifier"], "urn:b");
        let paged = m.get("/api/v2/resource-servers?page=1&per_page=2&include_totals=true").await;
        assert_eq!(
            paged.body,
            json!({"start": 2, "limit": 2, "length": 1, "total": 3, "resource_servers": [list[2]]})
        );
        let bad = m.get("/api/v2/resource-servers?per_page=500").await;
        assert_eq!((bad.status, bad.body["errorCode"].as_str()), (400, Some("invalid_query_string")));
    }

    async fn a_taken_identifier_is_409_and_changes_nothing(m: &Mgmt) {
        api(m, "urn:orders", &["read:orders"]).await;
        let a = m
            .post("/api/v2/resource-servers", json!({"name": "Other", "identifier": "urn:orders"}))
            .await;
        assert_eq!(
            (a.status, a.body),
            (409, json!({
                "statusCode": 409,
                "error": "Conflict",
                "message": "A resource server with the same identifier already exists."
            }))
        );
        let a = m.post("/api/v2/resource-servers", json!({"identifier": m.audience})).await;
        assert_eq!(a.status, 409);
        assert_eq!(identifiers(m).await, [m.audience.as_str(), "urn:orders"]);
        let got = m.get("/api/v2/resource-servers/urn:orders").await;
        assert_eq!(got.body["name"], "API urn:orders");
    }

    async fn bad_api_bodies_are_400_and_create_nothing(m: &Mgmt) {
        let cases = [
            (json!({"identifier": "urn:x", "signing_secret": "0123456789abcdef0"}),
             Some("Payload validation error: 'Additional properties not allowed: signing_secret'.")),
            (json!({"identifier": "urn:x", "scopes": [{"value": "read orders"}]}), None),
            (json!({"identifier": "urn:x", "scopes": [{"value": "read", "other": 1}]}), None),
            (json!({"identifier": "urn:x", "token_dialect": "rfc9068_profile"}), None),
            (json!({"identifier": "urn:x", "token_dialect": "bogus"}), None),
            (json!({"identifier": "urn:x", "signing_alg": "HS256"}), None),
            (json!({"identifier": "urn:x", "token_lifetime": 2_592_001}), None),
            (json!({"identifier": "urn:x", "token_lifetime": -1}), None),
            (json!({"identifier": "urn:x", "token_dialect": "access_token_authz"}), None),
            (json!({"identifier": "urn:x", "name": "<b>"}), None),
            (json!({"identifier": "has space"}), None),
            (json!({"identifier": ""}), None),
            (json!({"name": "no identifier"}), None),
        ];
        for (body, message) in cases {
            let a = m.post("/api/v2/resource-servers", body.clone()).await;
            assert_eq!(a.status, 400, "{body}: {:?}", a.body);
            assert_eq!(a.body["errorCode"], "invalid_body", "{body}");
            if let Some(msg) = message {
                assert_eq!(a.body["message"], msg);
            }
        }
        assert_eq!(identifiers(m).await, [m.audience.as_str()]);
    }

    async fn an_api_is_updated_but_not_its_identifier(m: &Mgmt) {
        let created = api(m, "urn:orders", &["read:orders"]).await;
        let id = created["id"].as_str().unwrap();
        let path = format!("/api/v2/resource-servers/{id}");
        let a = m
            .patch(&path, json!({
                "name": "Orders v2",
                "token_lifetime": 600,
                "allow_offline_access": true,
                "scopes": [{"value": "read:orders", "description": "Read"}, {"value": "ship:orders"}]
            }))
            .await;
        assert_eq!(a.status, 201, "{:?}", a.body);
        let expected = json!({
            "id": id,
            "name": "Orders v2",
            "identifier": "urn:orders",
            "scopes": [{"value": "read:orders", "description": "Read"}, {"value": "ship:orders"}],
            "signing_alg": "RS256",
            "token_lifetime": 600,
            "allow_offline_access": true,
            "enforce_policies": true,
            "token_dialect": "access_token_authz"
        });
        assert_eq!(a.body, expected);
        assert_eq!(m.get(&path).await.body, expected);
        // By identifier too.
        let a = m.patch("/api/v2/resource-servers/urn:orders", json!({"name": "Orders v3"})).await;
        assert_eq!((a.status, &a.body["name"]), (201, &json!("Orders v3")));

        let refused = [
            json!({"identifier": "urn:other"}),
            json!({"enforce_policies": false}),
            json!({"token_dialect": "rfc9068_profile_authz"}),
            json!({"scopes": [{"value": ""}]}),
            json!({"signing_alg": "PS256"}),
        ];
        for body in refused {
            let a = m.patch(&path, body.clone()).await;
            assert_eq!((a.status, a.body["errorCode"].as_str()), (400, Some("invalid_body")), "{body}");
        }
        let a = m.patch(&path, json!({"identifier": "urn:other"})).await;
        assert_eq!(a.body["message"], "Payload validation error: 'Additional properties not allowed: identifier'.");
        let now = m.get(&path).await.body;
        assert_eq!((&now["identifier"], &now["name"], &now["enforce_policies"]), (&json!("urn:orders"), &json!("Orders v3"), &json!(true)));
        assert_eq!(m.patch("/api/v2/resource-servers/nope", json!({"name": "x"})).await.status, 404);
    }

    async fn the_system_api_cannot_be_changed_or_deleted(m: &Mgmt) {
        let path = format!("/api/v2/resource-servers/{}", encode(&m.audience));
        let before = m.get(&path).await.body;
        assert_eq!(before["is_system"], true);
        let a = m.patch(&path, json!({"name": "Mine"})).await;
        assert_eq!(
            (a.status, a.body),
            (400, json!({
                "statusCode": 400,
                "error": "Bad Request",
                "message": "System resource servers cannot be patched.",
                "errorCode": "invalid_body"
            }))
        );
        let d = m.delete(&path).await;
        assert_eq!((d.status, d.body["message"].as_str()), (400, Some("System resource servers cannot be deleted.")));
        assert_eq!(m.get(&path).await.body, before);
        // Management tokens still work.
        assert_eq!(m.get("/api/v2/resource-servers").await.status, 200);
    }

    async fn dropping_a_scope_takes_it_from_roles_and_users(m: &Mgmt) {
        api(m, "urn:orders", &["read:orders", "write:orders"]).await;
        let u = user(m, "a").await;
        let clerk = role(m, "clerk").await;
        let both = json!({"permissions": [perm("urn:orders", "read:orders"), perm("urn:orders", "write:orders")]});
        assert_eq!(m.post(&format!("/api/v2/roles/{clerk}/permissions"), both.clone()).await.status, 201);
        assert_eq!(m.post(&format!("/api/v2/users/{}/permissions", path_id(&u)), both).await.status, 201);
        let a = m
            .patch("/api/v2/resource-servers/urn:orders", json!({"scopes": [{"value": "read:orders"}]}))
            .await;
        assert_eq!(a.status, 201);
        let role_perms = m.get(&format!("/api/v2/roles/{clerk}/permissions")).await.body;
        assert_eq!(role_perms.as_array().unwrap().len(), 1);
        assert_eq!(role_perms[0]["permission_name"], "read:orders");
        // The description now comes from the new scope list (none).
        assert_eq!(role_perms[0]["description"], "");
        let user_perms = m.get(&format!("/api/v2/users/{}/permissions", path_id(&u))).await.body;
        let names: Vec<&str> = user_perms.as_array().unwrap().iter().map(|p| p["permission_name"].as_str().unwrap()).collect();
        assert_eq!(names, ["read:orders"]);
        m.post(&format!("/api/v2/users/{}/roles", path_id(&u)), json!({"roles": [clerk]})).await;
        assert_eq!(
            m.store.user_permissions(&tenant(), &u, "urn:orders").await.unwrap(),
            ["read:orders"]
        );
    }

    async fn deleting_an_api_takes_its_permissions_and_grants(m: &Mgmt) {
        let created = api(m, "urn:orders", &["read:orders"]).await;
        api(m, "urn:kept", &["read:kept"]).await;
        let u = user(m, "a").await;
        let clerk = role(m, "clerk").await;
        let perms = json!({"permissions": [perm("urn:orders", "read:orders"), perm("urn:kept", "read:kept")]});
        m.post(&format!("/api/v2/roles/{clerk}/permissions"), perms.clone()).await;
        m.post(&format!("/api/v2/users/{}/permissions", path_id(&u)), perms).await;
        m.post(&format!("/api/v2/users/{}/roles", path_id(&u)), json!({"roles": [clerk]})).await;
        m.store
            .insert_client_grant(&ClientGrant {
                tenant_id: tenant(),
                id: GrantId::new("cgr_orders0000000000"),
                client_id: ClientId::new(&m.m2m_id),
                audience: "urn:orders".to_owned(),
                scope: vec!["read:orders".to_owned()],
                created_at: UnixTime(1),
            })
            .await
            .unwrap();
        assert_eq!(m.store.user_permissions(&tenant(), &u, "urn:orders").await.unwrap(), ["read:orders"]);

        let d = m.delete(&format!("/api/v2/resource-servers/{}", created["id"].as_str().unwrap())).await;
        assert_eq!((d.status, &d.body), (204, &Value::Null));
        assert_eq!(m.get("/api/v2/resource-servers/urn:orders").await.status, 404);
        assert_eq!(identifiers(m).await, [m.audience.as_str(), "urn:kept"]);
        let role_perms = m.get(&format!("/api/v2/roles/{clerk}/permissions")).await.body;
        assert_eq!(role_perms.as_array().unwrap().len(), 1);
        assert_eq!(role_perms[0]["resource_server_identifier"], "urn:kept");
        let user_perms = m.get(&format!("/api/v2/users/{}/permissions", path_id(&u))).await.body;
        assert_eq!(user_perms.as_array().unwrap().len(), 1);
        assert_eq!(user_perms[0]["resource_server_identifier"], "urn:kept");
        assert!(m.store.user_permissions(&tenant(), &u, "urn:orders").await.unwrap().is_empty());
        let grants = m.store.client_grants(&tenant()).await.unwrap();
        assert!(grants.iter().all(|g| g.audience != "urn:orders"));
        assert_eq!(grants.len(), 1);
        // The identifier is free again; deleting twice is 404.
        assert_eq!(m.delete("/api/v2/resource-servers/urn:orders").await.status, 404);
        api(m, "urn:orders", &[]).await;
    }

    async fn api_routes_need_their_scopes(m: &Mgmt) {
        let created = api(m, "urn:orders", &["read:orders"]).await;
        let one = format!("/api/v2/resource-servers/{}", created["id"].as_str().unwrap());
        m.assert_guarded(Method::GET, "/api/v2/resource-servers", None, "read:resource_servers").await;
        m.assert_guarded(Method::POST, "/api/v2/resource-servers", Some(json!({"identifier": "urn:new"})), "create:resource_servers").await;
        m.assert_guarded(Method::GET, &one, None, "read:resource_servers").await;
        m.assert_guarded(Method::PATCH, &one, Some(json!({"name": "Changed"})), "update:resource_servers").await;
        m.assert_guarded(Method::DELETE, &one, None, "delete:resource_servers").await;
        assert_eq!(identifiers(m).await, [m.audience.as_str(), "urn:orders"]);
        assert_eq!(m.get(&one).await.body, created);
    }
}
