//! `/api/v2/users/{id}/roles` and `/api/v2/users/{id}/permissions`.

use axum::http::Method;
use serde_json::{Value, json};

use super::Mgmt;
use super::roles::{api, path_id, perm, role, tenant, user};

async fn assign(m: &Mgmt, role_id: &str, perms: &[(&str, &str)]) {
    let permissions: Vec<Value> = perms.iter().map(|(a, p)| perm(a, p)).collect();
    let a = m
        .post(
            &format!("/api/v2/roles/{role_id}/permissions"),
            json!({ "permissions": permissions }),
        )
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
}

crate::cases! {
    async fn roles_are_given_listed_and_taken_and_the_next_token_follows(m: &Mgmt) {
        api(m, "urn:orders", &["read:orders", "write:orders"]).await;
        let u = user(m, "a").await;
        let clerk = role(m, "clerk").await;
        let boss = role(m, "boss").await;
        assign(m, &clerk, &[("urn:orders", "read:orders")]).await;
        assign(m, &boss, &[("urn:orders", "read:orders"), ("urn:orders", "write:orders")]).await;
        let path = format!("/api/v2/users/{}/roles", path_id(&u));
        assert_eq!(m.get(&path).await.body, json!([]));

        let a = m.post(&path, json!({"roles": [clerk, boss]})).await;
        assert_eq!((a.status, &a.body), (204, &Value::Null));
        let list = m.get(&path).await;
        assert_eq!(
            list.body,
            json!([
                {"id": boss, "name": "boss", "description": ""},
                {"id": clerk, "name": "clerk", "description": ""},
            ])
        );
        let paged = m.get(&format!("{path}?per_page=1&page=1&include_totals=true")).await;
        assert_eq!(
            paged.body,
            json!({"start": 1, "limit": 1, "length": 1, "total": 2, "roles": [list.body[1]]})
        );
        // What token issuance reads.
        let perms = || async { m.store.user_permissions(&tenant(), &u, "urn:orders").await.unwrap() };
        assert_eq!(perms().await, ["read:orders", "write:orders"]);

        let d = m.call(Method::DELETE, &path, Some(json!({"roles": [boss]}))).await;
        assert_eq!((d.status, &d.body), (204, &Value::Null));
        assert_eq!(perms().await, ["read:orders"]);
        assert_eq!(m.get(&path).await.body, json!([{"id": clerk, "name": "clerk", "description": ""}]));
        // Taking a role the user lacks changes nothing.
        let d = m.call(Method::DELETE, &path, Some(json!({"roles": [boss]}))).await;
        assert_eq!(d.status, 204);
        assert_eq!(perms().await, ["read:orders"]);
    }

    async fn an_unknown_role_is_400_and_no_role_is_given(m: &Mgmt) {
        let u = user(m, "a").await;
        let clerk = role(m, "clerk").await;
        let path = format!("/api/v2/users/{}/roles", path_id(&u));
        let a = m.post(&path, json!({"roles": [clerk, "rol_AAAAAAAAAAAAAAAA"]})).await;
        assert_eq!(a.status, 400);
        assert_eq!(
            a.body,
            json!({
                "statusCode": 400,
                "error": "Bad Request",
                "message": "One or more of the roles do not exist.",
                "errorCode": "invalid_body"
            })
        );
        assert_eq!(m.get(&path).await.body, json!([]));
        let a = m.post(&path, json!({"roles": []})).await;
        assert_eq!((a.status, a.body["errorCode"].as_str()), (400, Some("invalid_body")));
        let a = m.post(&path, json!({"roles": [clerk], "users": []})).await;
        assert_eq!(a.status, 400);
        assert_eq!(m.get(&path).await.body, json!([]));
    }

    async fn an_unknown_user_is_404(m: &Mgmt) {
        let clerk = role(m, "clerk").await;
        api(m, "urn:orders", &["read:orders"]).await;
        let expected = json!({
            "statusCode": 404,
            "error": "Not Found",
            "message": "The user does not exist.",
            "errorCode": "inexistent_user"
        });
        let roles = "/api/v2/users/auth0%7Cghost/roles";
        let perms = "/api/v2/users/auth0%7Cghost/permissions";
        let body = json!({"roles": [clerk]});
        let pbody = json!({"permissions": [perm("urn:orders", "read:orders")]});
        for (method, path, body) in [
            (Method::GET, roles, None),
            (Method::POST, roles, Some(body.clone())),
            (Method::DELETE, roles, Some(body)),
            (Method::GET, perms, None),
            (Method::POST, perms, Some(pbody.clone())),
            (Method::DELETE, perms, Some(pbody)),
        ] {
            let a = m.call(method.clone(), path, body).await;
            assert_eq!((a.status, &a.body), (404, &expected), "{method} {path}");
        }
    }

    async fn user_role_routes_need_their_scopes(m: &Mgmt) {
        let u = user(m, "a").await;
        let clerk = role(m, "clerk").await;
        api(m, "urn:orders", &["read:orders"]).await;
        let roles = format!("/api/v2/users/{}/roles", path_id(&u));
        let perms = format!("/api/v2/users/{}/permissions", path_id(&u));
        let rbody = json!({"roles": [clerk]});
        let pbody = json!({"permissions": [perm("urn:orders", "read:orders")]});
        m.assert_guarded(Method::GET, &perms, None, "read:users").await;
        m.assert_guarded(Method::POST, &perms, Some(pbody.clone()), "update:users").await;
        m.assert_guarded(Method::DELETE, &perms, Some(pbody), "update:users").await;
        assert_eq!(m.get(&perms).await.body, json!([]));

        let with = |scope: &'static str, method: Method, path: String, body: Option<Value>| async move {
            let t = m.token_with(Some(scope)).await;
            m.call_as(Some(&t), method, &path, body).await.status
        };
        // Reading: (read:users and read:roles) or read:role_members.
        assert_eq!(with("read:users", Method::GET, roles.clone(), None).await, 403);
        assert_eq!(with("read:users read:roles", Method::GET, roles.clone(), None).await, 200);
        assert_eq!(with("read:role_members", Method::GET, roles.clone(), None).await, 200);
        assert_eq!(m.call_as(None, Method::GET, &roles, None).await.status, 401);
        // Giving: update:users or create:role_members.
        assert_eq!(with("read:roles delete:role_members", Method::POST, roles.clone(), Some(rbody.clone())).await, 403);
        assert_eq!(m.get(&roles).await.body, json!([]));
        assert_eq!(with("create:role_members", Method::POST, roles.clone(), Some(rbody.clone())).await, 204);
        // Taking: update:users or delete:role_members.
        assert_eq!(with("create:role_members", Method::DELETE, roles.clone(), Some(rbody.clone())).await, 403);
        assert_eq!(m.get(&roles).await.body.as_array().unwrap().len(), 1);
        assert_eq!(with("delete:role_members", Method::DELETE, roles.clone(), Some(rbody.clone())).await, 204);
        assert_eq!(m.get(&roles).await.body, json!([]));
        assert_eq!(with("update:users", Method::POST, roles.clone(), Some(rbody)).await, 204);
    }

    async fn direct_permissions_join_role_permissions(m: &Mgmt) {
        api(m, "urn:orders", &["read:orders", "write:orders", "ship:orders"]).await;
        let u = user(m, "a").await;
        let clerk = role(m, "clerk").await;
        assign(m, &clerk, &[("urn:orders", "read:orders")]).await;
        let roles = format!("/api/v2/users/{}/roles", path_id(&u));
        assert_eq!(m.post(&roles, json!({"roles": [clerk]})).await.status, 204);
        let path = format!("/api/v2/users/{}/permissions", path_id(&u));
        let a = m
            .post(&path, json!({"permissions": [perm("urn:orders", "read:orders"), perm("urn:orders", "write:orders")]}))
            .await;
        assert_eq!((a.status, &a.body), (201, &Value::Null));
        let item = |name: &str, sources: Value| json!({
            "permission_name": name,
            "description": format!("about {name}"),
            "resource_server_name": "API urn:orders",
            "resource_server_identifier": "urn:orders",
            "sources": sources,
        });
        let direct = json!({"source_id": "", "source_name": "", "source_type": "DIRECT"});
        let by_clerk = json!({"source_id": clerk, "source_name": "clerk", "source_type": "ROLE"});
        let list = m.get(&path).await;
        assert_eq!(
            list.body,
            json!([
                item("read:orders", json!([direct, by_clerk])),
                item("write:orders", json!([direct])),
            ])
        );
        let paged = m.get(&format!("{path}?per_page=1&page=1&include_totals=true")).await;
        assert_eq!(
            paged.body,
            json!({"start": 1, "limit": 1, "length": 1, "total": 2, "permissions": [list.body[1]]})
        );
        assert_eq!(
            m.store.user_permissions(&tenant(), &u, "urn:orders").await.unwrap(),
            ["read:orders", "write:orders"]
        );
        // Taking the direct permissions leaves what the role gives.
        let d = m
            .call(Method::DELETE, &path, Some(json!({"permissions": [perm("urn:orders", "read:orders"), perm("urn:orders", "write:orders")]})))
            .await;
        assert_eq!((d.status, &d.body), (204, &Value::Null));
        assert_eq!(m.get(&path).await.body, json!([item("read:orders", json!([by_clerk]))]));
        assert_eq!(
            m.store.user_permissions(&tenant(), &u, "urn:orders").await.unwrap(),
            ["read:orders"]
        );
    }

    async fn unknown_direct_permissions_are_refused_and_nothing_is_given(m: &Mgmt) {
        api(m, "urn:orders", &["read:orders"]).await;
        let u = user(m, "a").await;
        let path = format!("/api/v2/users/{}/permissions", path_id(&u));
        let a = m
            .post(&path, json!({"permissions": [perm("urn:orders", "read:orders"), perm("urn:orders", "nope")]}))
            .await;
        assert_eq!((a.status, a.body["errorCode"].as_str()), (400, Some("invalid_body")));
        let a = m
            .post(&path, json!({"permissions": [perm("urn:orders", "read:orders"), perm("urn:ghost", "read")]}))
            .await;
        assert_eq!((a.status, a.body["errorCode"].as_str()), (404, Some("inexistent_resource_server")));
        let a = m.post(&path, json!({"permissions": []})).await;
        assert_eq!(a.status, 400);
        assert_eq!(m.get(&path).await.body, json!([]));
        assert!(m.store.user_permissions(&tenant(), &u, "urn:orders").await.unwrap().is_empty());
    }
}
