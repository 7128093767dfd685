//! `/api/v2/roles`: roles, their permissions and members.

use axum::http::Method;
use portcullis_core::user::DATABASE_CONNECTION;
use portcullis_core::{TenantId, UnixTime, User, UserId};
use serde_json::{Value, json};

use super::Mgmt;

pub(super) fn tenant() -> TenantId {
    TenantId::default_tenant()
}

/// Stores a user `auth0|{local}` with the email `{local}@example.com`.
pub(super) async fn user(m: &Mgmt, local: &str) -> UserId {
    let id = UserId::new(format!("auth0|{local}"));
    m.store
        .insert_user(&User {
            tenant_id: tenant(),
            user_id: id.clone(),
            connection: DATABASE_CONNECTION.to_owned(),
            email: format!("{local}@example.com"),
            email_verified: true,
            name: format!("User {local}"),
            nickname: local.to_owned(),
            picture: None,
            password_hash: None,
            blocked: false,
            user_metadata: json!({}),
            app_metadata: json!({}),
            created_at: UnixTime(1),
            updated_at: UnixTime(1),
            last_login: None,
            logins_count: 0,
        })
        .await
        .unwrap();
    id
}

/// The user id as it goes in a path (`|` percent-encoded).
pub(super) fn path_id(id: &UserId) -> String {
    id.as_str().replace('|', "%7C")
}

/// Creates an API with RBAC and permissions in the token, whose scopes are `scopes`
/// (the description of `s` is `"about s"`).
pub(super) async fn api(m: &Mgmt, identifier: &str, scopes: &[&str]) -> Value {
    let scopes: Vec<Value> = scopes
        .iter()
        .map(|s| json!({"value": s, "description": format!("about {s}")}))
        .collect();
    let a = m
        .post(
            "/api/v2/resource-servers",
            json!({
                "name": format!("API {identifier}"),
                "identifier": identifier,
                "scopes": scopes,
                "enforce_policies": true,
                "token_dialect": "access_token_authz",
            }),
        )
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
    a.body
}

/// Creates a role and returns its id.
pub(super) async fn role(m: &Mgmt, name: &str) -> String {
    let a = m.post("/api/v2/roles", json!({"name": name})).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    a.body["id"].as_str().unwrap().to_owned()
}

pub(super) fn perm(api: &str, name: &str) -> Value {
    json!({"resource_server_identifier": api, "permission_name": name})
}

async fn role_names(m: &Mgmt) -> Vec<String> {
    let a = m.get("/api/v2/roles").await;
    assert_eq!(a.status, 200);
    a.body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn permission_names(m: &Mgmt, role: &str) -> Vec<String> {
    let a = m.get(&format!("/api/v2/roles/{role}/permissions")).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    a.body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["permission_name"].as_str().unwrap().to_owned())
        .collect()
}

crate::cases! {
    async fn a_role_is_created_read_updated_and_deleted(m: &Mgmt) {
        let a = m
            .post("/api/v2/roles", json!({"name": "admin", "description": "Admins"}))
            .await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        let id = a.body["id"].as_str().unwrap().to_owned();
        let rest = id.strip_prefix("rol_").unwrap();
        assert_eq!(rest.len(), 16);
        assert!(rest.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(a.body, json!({"id": id, "name": "admin", "description": "Admins"}));

        let got = m.get(&format!("/api/v2/roles/{id}")).await;
        assert_eq!((got.status, &got.body), (200, &a.body));

        let p = m
            .patch(&format!("/api/v2/roles/{id}"), json!({"description": "The admins"}))
            .await;
        assert_eq!(p.status, 200);
        assert_eq!(p.body, json!({"id": id, "name": "admin", "description": "The admins"}));
        let p = m.patch(&format!("/api/v2/roles/{id}"), json!({"name": "root"})).await;
        assert_eq!(p.body, json!({"id": id, "name": "root", "description": "The admins"}));
        assert_eq!(m.get(&format!("/api/v2/roles/{id}")).await.body, p.body);

        let d = m.delete(&format!("/api/v2/roles/{id}")).await;
        assert_eq!((d.status, d.body), (200, Value::Null));
        let gone = m.get(&format!("/api/v2/roles/{id}")).await;
        assert_eq!(gone.status, 404);
        assert_eq!(
            gone.body,
            json!({
                "statusCode": 404,
                "error": "Not Found",
                "message": "The role does not exist.",
                "errorCode": "inexistent_role"
            })
        );
        assert_eq!(m.delete(&format!("/api/v2/roles/{id}")).await.status, 404);
        let p = m.patch(&format!("/api/v2/roles/{id}"), json!({"name": "x"})).await;
        assert_eq!(p.status, 404);
        assert!(role_names(m).await.is_empty());
    }

    async fn a_role_without_description_has_an_empty_one(m: &Mgmt) {
        let a = m.post("/api/v2/roles", json!({"name": "reader"})).await;
        assert_eq!(a.body["description"], "");
    }

    async fn duplicate_names_are_409_and_change_nothing(m: &Mgmt) {
        let first = role(m, "admin").await;
        let other = role(m, "editor").await;
        let a = m.post("/api/v2/roles", json!({"name": "admin"})).await;
        assert_eq!(a.status, 409);
        assert_eq!(
            a.body,
            json!({"statusCode": 409, "error": "Conflict", "message": "The role already exists."})
        );
        assert_eq!(role_names(m).await, ["admin", "editor"]);
        let p = m.patch(&format!("/api/v2/roles/{other}"), json!({"name": "admin"})).await;
        assert_eq!(p.status, 409);
        assert_eq!(m.get(&format!("/api/v2/roles/{other}")).await.body["name"], "editor");
        assert_eq!(m.get(&format!("/api/v2/roles/{first}")).await.body["name"], "admin");
    }

    async fn bad_role_bodies_are_400_and_create_nothing(m: &Mgmt) {
        let a = m.post("/api/v2/roles", json!({"name": "a", "nmae": "b"})).await;
        assert_eq!(a.status, 400);
        assert_eq!(
            a.body,
            json!({
                "statusCode": 400,
                "error": "Bad Request",
                "message": "Payload validation error: 'Additional properties not allowed: nmae'.",
                "errorCode": "invalid_body"
            })
        );
        let a = m.post("/api/v2/roles", json!({"description": "x"})).await;
        assert_eq!((a.status, a.body["errorCode"].as_str()), (400, Some("invalid_body")));
        let a = m.post("/api/v2/roles", json!({"name": " "})).await;
        assert_eq!((a.status, a.body["errorCode"].as_str()), (400, Some("invalid_body")));
        let a = m.post("/api/v2/roles", json!({"name": 7})).await;
        assert_eq!(a.status, 400);
        assert!(role_names(m).await.is_empty());
        let id = role(m, "kept").await;
        let p = m.patch(&format!("/api/v2/roles/{id}"), json!({"name": ""})).await;
        assert_eq!(p.status, 400);
        assert_eq!(role_names(m).await, ["kept"]);
    }

    async fn roles_are_paged_and_filtered_by_name(m: &Mgmt) {
        for name in ["gamma", "alpha", "beta-admin"] {
            role(m, name).await;
        }
        assert_eq!(role_names(m).await, ["alpha", "beta-admin", "gamma"]);
        let a = m.get("/api/v2/roles?per_page=2&page=0&include_totals=true").await;
        assert_eq!(a.status, 200);
        let roles = a.body["roles"].as_array().unwrap().clone();
        assert_eq!(
            a.body,
            json!({"start": 0, "limit": 2, "length": 2, "total": 3, "roles": roles})
        );
        assert_eq!(roles[0]["name"], "alpha");
        assert_eq!(roles[1]["name"], "beta-admin");
        let a = m.get("/api/v2/roles?per_page=2&page=1&include_totals=true").await;
        assert_eq!(
            (&a.body["start"], &a.body["length"], &a.body["total"], &a.body["roles"][0]["name"]),
            (&json!(2), &json!(1), &json!(3), &json!("gamma"))
        );
        let a = m.get("/api/v2/roles?name_filter=ADM&include_totals=true").await;
        assert_eq!((&a.body["total"], &a.body["roles"][0]["name"]), (&json!(1), &json!("beta-admin")));
        // LIKE wildcards in the filter are plain characters.
        let a = m.get("/api/v2/roles?name_filter=%25").await;
        assert_eq!(a.body, json!([]));
        let a = m.get("/api/v2/roles?name_filter=a&extra=1").await;
        assert_eq!((a.status, a.body["errorCode"].as_str()), (400, Some("invalid_query_string")));
    }

    async fn role_routes_need_their_scopes(m: &Mgmt) {
        let id = role(m, "admin").await;
        let one = format!("/api/v2/roles/{id}");
        let perms = format!("{one}/permissions");
        let body = json!({"permissions": [perm("urn:x", "read")]});
        m.assert_guarded(Method::GET, "/api/v2/roles", None, "read:roles").await;
        m.assert_guarded(Method::POST, "/api/v2/roles", Some(json!({"name": "x"})), "create:roles").await;
        m.assert_guarded(Method::GET, &one, None, "read:roles").await;
        m.assert_guarded(Method::PATCH, &one, Some(json!({"name": "y"})), "update:roles").await;
        m.assert_guarded(Method::DELETE, &one, None, "delete:roles").await;
        m.assert_guarded(Method::GET, &perms, None, "read:roles").await;
        m.assert_guarded(Method::POST, &perms, Some(body.clone()), "update:roles").await;
        m.assert_guarded(Method::DELETE, &perms, Some(body), "update:roles").await;
        // Nothing changed.
        assert_eq!(role_names(m).await, ["admin"]);

        // Members: read with (read:users and read:roles) or read:role_members; add with
        // update:roles or create:role_members.
        let users = format!("{one}/users");
        let status = |scope: &'static str, method: Method, body: Option<Value>| {
            let users = users.clone();
            async move {
                let t = m.token_with(Some(scope)).await;
                m.call_as(Some(&t), method, &users, body).await
            }
        };
        let a = status("read:users", Method::GET, None).await;
        assert_eq!(a.status, 403);
        assert_eq!(
            a.body,
            json!({
                "statusCode": 403,
                "error": "Forbidden",
                "message": "Insufficient scope, expected all of: read:users,read:roles",
                "errorCode": "insufficient_scope"
            })
        );
        assert_eq!(status("read:roles", Method::GET, None).await.status, 403);
        assert_eq!(status("read:users read:roles", Method::GET, None).await.status, 200);
        assert_eq!(status("read:role_members", Method::GET, None).await.status, 200);
        let u = user(m, "a").await;
        let add = Some(json!({"users": [u.as_str()]}));
        assert_eq!(status("read:roles", Method::POST, add.clone()).await.status, 403);
        assert_eq!(m.call_as(None, Method::POST, &users, add.clone()).await.status, 401);
        assert_eq!(m.get(&users).await.body, json!([]));
        assert_eq!(status("create:role_members", Method::POST, add.clone()).await.status, 200);
        assert_eq!(status("update:roles", Method::POST, add).await.status, 200);
        assert_eq!(m.get(&users).await.body.as_array().unwrap().len(), 1);
    }

    async fn permissions_are_added_listed_and_removed(m: &Mgmt) {
        api(m, "urn:orders", &["read:orders", "write:orders"]).await;
        let id = role(m, "clerk").await;
        let path = format!("/api/v2/roles/{id}/permissions");
        let a = m
            .post(&path, json!({"permissions": [perm("urn:orders", "write:orders"), perm("urn:orders", "read:orders")]}))
            .await;
        assert_eq!((a.status, &a.body), (201, &Value::Null));
        let list = m.get(&path).await;
        assert_eq!(
            list.body,
            json!([
                {"permission_name": "read:orders", "description": "about read:orders",
                 "resource_server_name": "API urn:orders", "resource_server_identifier": "urn:orders"},
                {"permission_name": "write:orders", "description": "about write:orders",
                 "resource_server_name": "API urn:orders", "resource_server_identifier": "urn:orders"},
            ])
        );
        // Adding again changes nothing.
        let a = m.post(&path, json!({"permissions": [perm("urn:orders", "read:orders")]})).await;
        assert_eq!(a.status, 201);
        let paged = m.get(&format!("{path}?per_page=1&page=1&include_totals=true")).await;
        assert_eq!(
            paged.body,
            json!({"start": 1, "limit": 1, "length": 1, "total": 2, "permissions": [list.body[1]]})
        );
        let d = m
            .call(Method::DELETE, &path, Some(json!({"permissions": [perm("urn:orders", "read:orders"), perm("urn:orders", "nope")]})))
            .await;
        assert_eq!((d.status, d.body), (200, Value::Null));
        assert_eq!(permission_names(m, &id).await, ["write:orders"]);
    }

    async fn unknown_permissions_are_refused_and_nothing_is_added(m: &Mgmt) {
        api(m, "urn:orders", &["read:orders"]).await;
        let id = role(m, "clerk").await;
        let path = format!("/api/v2/roles/{id}/permissions");
        let a = m
            .post(&path, json!({"permissions": [perm("urn:orders", "read:orders"), perm("urn:orders", "drop:orders")]}))
            .await;
        assert_eq!(a.status, 400);
        assert_eq!(
            a.body,
            json!({
                "statusCode": 400,
                "error": "Bad Request",
                "message": "Permission 'drop:orders' does not exist on resource server 'urn:orders'.",
                "errorCode": "invalid_body"
            })
        );
        let a = m
            .post(&path, json!({"permissions": [perm("urn:orders", "read:orders"), perm("urn:nothing", "read")]}))
            .await;
        assert_eq!(a.status, 404);
        assert_eq!(a.body["errorCode"], "inexistent_resource_server");
        assert!(permission_names(m, &id).await.is_empty());
        let a = m.post(&path, json!({"permissions": []})).await;
        assert_eq!(
            (a.status, a.body["message"].as_str()),
            (400, Some("Payload validation error: 'Array is too short (0), minimum 1' on property permissions."))
        );
        let a = m.post(&path, json!({"permissions": [{"resource_server_identifier": "urn:orders"}]})).await;
        assert_eq!(a.status, 400);
        let a = m
            .post("/api/v2/roles/rol_AAAAAAAAAAAAAAAA/permissions", json!({"permissions": [perm("urn:orders", "read:orders")]}))
            .await;
        assert_eq!((a.status, a.body["errorCode"].as_str()), (404, Some("inexistent_role")));
        assert_eq!(m.get("/api/v2/roles/rol_AAAAAAAAAAAAAAAA/permissions").await.status, 404);
        assert!(permission_names(m, &id).await.is_empty());
    }

    async fn members_are_added_and_listed(m: &Mgmt) {
        let a = user(m, "a").await;
        let b = user(m, "b").await;
        let id = role(m, "staff").await;
        let path = format!("/api/v2/roles/{id}/users");
        let r = m.post(&path, json!({"users": [b.as_str(), a.as_str(), a.as_str()]})).await;
        assert_eq!((r.status, &r.body), (200, &Value::Null));
        let list = m.get(&path).await;
        assert_eq!(
            list.body,
            json!([
                {"user_id": "auth0|a", "email": "a@example.com", "name": "User a"},
                {"user_id": "auth0|b", "email": "b@example.com", "name": "User b"},
            ])
        );
        let paged = m.get(&format!("{path}?per_page=1&include_totals=true")).await;
        assert_eq!(
            paged.body,
            json!({"start": 0, "limit": 1, "length": 1, "total": 2, "users": [list.body[0]]})
        );
        // Adding again changes nothing.
        assert_eq!(m.post(&path, json!({"users": [a.as_str()]})).await.status, 200);
        assert_eq!(m.get(&path).await.body, list.body);
    }

    async fn an_unknown_member_is_404_and_nobody_gets_the_role(m: &Mgmt) {
        let a = user(m, "a").await;
        let id = role(m, "staff").await;
        let path = format!("/api/v2/roles/{id}/users");
        let r = m.post(&path, json!({"users": [a.as_str(), "auth0|ghost"]})).await;
        assert_eq!(r.status, 404);
        assert_eq!(
            r.body,
            json!({
                "statusCode": 404,
                "error": "Not Found",
                "message": "One or more of the users do not exist.",
                "errorCode": "inexistent_user"
            })
        );
        assert_eq!(m.get(&path).await.body, json!([]));
        let r = m.post(&path, json!({"users": []})).await;
        assert_eq!(r.status, 400);
        let r = m.post("/api/v2/roles/rol_AAAAAAAAAAAAAAAA/users", json!({"users": [a.as_str()]})).await;
        assert_eq!((r.status, r.body["errorCode"].as_str()), (404, Some("inexistent_role")));
        assert_eq!(m.get("/api/v2/roles/rol_AAAAAAAAAAAAAAAA/users").await.status, 404);
    }

    async fn deleting_a_role_takes_it_and_its_permissions_from_users(m: &Mgmt) {
        api(m, "urn:orders", &["read:orders"]).await;
        let u = user(m, "a").await;
        let id = role(m, "clerk").await;
        let kept = role(m, "other").await;
        m.post(&format!("/api/v2/roles/{id}/permissions"), json!({"permissions": [perm("urn:orders", "read:orders")]})).await;
        m.post(&format!("/api/v2/roles/{id}/users"), json!({"users": [u.as_str()]})).await;
        m.post(&format!("/api/v2/roles/{kept}/users"), json!({"users": [u.as_str()]})).await;
        // The role is also one of the tenant's default roles.
        m.store
            .set_default_roles(&tenant(), &[portcullis_core::RoleId::new(&id), portcullis_core::RoleId::new(&kept)])
            .await
            .unwrap();
        assert_eq!(
            m.store.user_permissions(&tenant(), &u, "urn:orders").await.unwrap(),
            ["read:orders"]
        );
        assert_eq!(m.delete(&format!("/api/v2/roles/{id}")).await.status, 200);
        assert!(m.store.user_permissions(&tenant(), &u, "urn:orders").await.unwrap().is_empty());
        let roles = m.get(&format!("/api/v2/users/{}/roles", path_id(&u))).await;
        assert_eq!(roles.body, json!([{"id": kept, "name": "other", "description": ""}]));
        let t = m.store.tenant(&tenant()).await.unwrap().unwrap();
        assert_eq!(t.settings.default_roles, [kept]);
    }
}
