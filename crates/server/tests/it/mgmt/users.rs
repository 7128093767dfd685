//! `/api/v2/users` and `/api/v2/users-by-email`.

use axum::body::Body;
use axum::http::{Method, Request};
use portcullis_core::rng::random_b64url;
use portcullis_core::user::DATABASE_CONNECTION;
use portcullis_core::{
    ClientId, Clock, PageRequest, RefreshToken, SsoSession, SystemClock, SystemRng, TenantId,
    UnixTime, User, UserId, token_hash,
};
use serde_json::{Value, json};

use super::Mgmt;
use crate::send;

fn tenant() -> TenantId {
    TenantId::default_tenant()
}

fn now() -> UnixTime {
    SystemClock.now()
}

/// `auth0|x` as it goes in a path.
fn path_id(id: &str) -> String {
    id.replace('|', "%7C")
}

/// A user stored directly (no password hashing), created at `created_at`.
async fn plant(m: &Mgmt, id: &str, email: &str, created_at: i64) -> UserId {
    let user_id = UserId::new(format!("auth0|{id}"));
    m.store
        .create_user(
            &User {
                tenant_id: tenant(),
                user_id: user_id.clone(),
                connection: DATABASE_CONNECTION.into(),
                email: email.into(),
                email_verified: false,
                name: email.into(),
                nickname: id.into(),
                picture: None,
                password_hash: None,
                blocked: false,
                user_metadata: json!({}),
                app_metadata: json!({}),
                created_at: UnixTime(created_at),
                updated_at: UnixTime(created_at),
                last_login: None,
                logins_count: 0,
            },
            &[],
        )
        .await
        .unwrap();
    user_id
}

async fn count_users(m: &Mgmt) -> u64 {
    m.store
        .list_users(
            &tenant(),
            &Default::default(),
            Default::default(),
            PageRequest {
                page: 0,
                per_page: 100,
            },
        )
        .await
        .unwrap()
        .total
}

/// A live refresh token of the bootstrapped web application for `user`.
async fn refresh_token(m: &Mgmt, user: &UserId) -> String {
    let report = m.srv.bootstrap.clone().unwrap();
    let value = random_b64url(&SystemRng::new(), 32);
    m.store
        .insert_refresh_token(&RefreshToken {
            tenant_id: tenant(),
            token_hash: token_hash(&value),
            family_id: random_b64url(&SystemRng::new(), 12),
            generation: 0,
            client_id: ClientId::new(report.web_client_id.to_string()),
            user_id: user.clone(),
            scope: "openid offline_access".into(),
            audience: None,
            sid: None,
            code_hash: None,
            auth_time: now(),
            created_at: now(),
            expires_at: now().plus_secs(3600),
            idle_expires_at: now().plus_secs(3600),
            consumed_at: None,
            revoked_at: None,
        })
        .await
        .unwrap();
    value
}

/// A live SSO session of `user`; returns its cookie value.
async fn session(m: &Mgmt, user: &UserId) -> String {
    let value = random_b64url(&SystemRng::new(), 32);
    m.store
        .insert_session(&SsoSession {
            tenant_id: tenant(),
            id_hash: token_hash(&value),
            sid: random_b64url(&SystemRng::new(), 16),
            user_id: user.clone(),
            auth_time: now(),
            created_at: now(),
            last_active_at: now(),
            expires_at: now().plus_secs(3600),
            revoked_at: None,
        })
        .await
        .unwrap();
    value
}

async fn session_revoked(m: &Mgmt, cookie: &str) -> bool {
    m.store
        .session(&tenant(), &token_hash(cookie))
        .await
        .unwrap()
        .unwrap()
        .revoked_at
        .is_some()
}

async fn refresh_revoked(m: &Mgmt, token: &str) -> bool {
    m.store
        .refresh_token(&tenant(), &token_hash(token))
        .await
        .unwrap()
        .unwrap()
        .revoked_at
        .is_some()
}

/// `POST /oauth/token` with the refresh token: status and body.
async fn use_refresh_token(m: &Mgmt, token: &str) -> (u16, Value) {
    let report = m.srv.bootstrap.clone().unwrap();
    let body = json!({
        "grant_type": "refresh_token",
        "refresh_token": token,
        "client_id": report.web_client_id.to_string(),
        "client_secret": report.web_client_secret.expose(),
    });
    let req = Request::post("/oauth/token")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (res, bytes) = send(&m.app, req).await;
    (
        res.status().as_u16(),
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn emails(body: &Value) -> Vec<&str> {
    body.as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect()
}

crate::cases! {
    async fn create_answers_201_with_auth0s_user_and_get_reads_it_back(m: &Mgmt) {
        let a = m
            .post(
                "/api/v2/users",
                json!({
                    "connection": "Username-Password-Authentication",
                    "email": "Ada.Lovelace@Example.com",
                    "password": "correct horse",
                    "user_metadata": {"theme": "dark"},
                    "app_metadata": {"plan": "pro"},
                    "verify_email": false,
                }),
            )
            .await;
        assert_eq!(a.status, 201, "{:?}", a.body);
        let id = a.body["user_id"].as_str().unwrap().to_owned();
        let hex = id.strip_prefix("auth0|").unwrap();
        assert_eq!(hex.len(), 24);
        let created = a.body["created_at"].clone();
        assert!(created.as_str().unwrap().ends_with(".000Z"));
        assert_eq!(
            a.body,
            json!({
                "user_id": id,
                "email": "Ada.Lovelace@Example.com",
                "email_verified": false,
                "name": "Ada.Lovelace@Example.com",
                "nickname": "Ada.Lovelace",
                "created_at": created,
                "updated_at": created,
                "identities": [{
                    "connection": "Username-Password-Authentication",
                    "user_id": hex,
                    "provider": "auth0",
                    "isSocial": false,
                }],
                "user_metadata": {"theme": "dark"},
                "app_metadata": {"plan": "pro"},
                "logins_count": 0,
            })
        );
        let got = m.get(&format!("/api/v2/users/{}", path_id(&id))).await;
        assert_eq!((got.status, &got.body), (200, &a.body));
        // The password works: it was hashed, not stored in clear.
        let stored = m.store.user(&tenant(), &UserId::new(id.clone())).await.unwrap().unwrap();
        let hash = stored.password_hash.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$"));
    }

    async fn create_takes_every_stored_field_and_a_custom_id(m: &Mgmt) {
        let a = m
            .post(
                "/api/v2/users",
                json!({
                    "connection": "Username-Password-Authentication",
                    "email": "grace@example.com",
                    "password": "correct horse",
                    "name": "Grace Hopper",
                    "nickname": "amazing grace",
                    "picture": "https://example.com/g.png",
                    "email_verified": true,
                    "blocked": true,
                    "user_id": "grace-1",
                }),
            )
            .await;
        assert_eq!(a.status, 201, "{:?}", a.body);
        assert_eq!(a.body["user_id"], "auth0|grace-1");
        assert_eq!(a.body["identities"][0]["user_id"], "grace-1");
        assert_eq!(
            (
                &a.body["name"],
                &a.body["nickname"],
                &a.body["picture"],
                &a.body["email_verified"],
                &a.body["blocked"]
            ),
            (
                &json!("Grace Hopper"),
                &json!("amazing grace"),
                &json!("https://example.com/g.png"),
                &json!(true),
                &json!(true)
            )
        );
        // The same custom id again is a conflict.
        let again = m
            .post(
                "/api/v2/users",
                json!({
                    "connection": "Username-Password-Authentication",
                    "email": "other@example.com",
                    "password": "correct horse",
                    "user_id": "grace-1",
                }),
            )
            .await;
        assert_eq!(again.status, 409);
        assert_eq!(count_users(m).await, 1);
    }

    async fn create_gives_the_tenants_default_roles(m: &Mgmt) {
        let role = portcullis_core::Role {
            tenant_id: tenant(),
            id: portcullis_core::RoleId::new("rol_default0000001"),
            name: "reader".into(),
            description: String::new(),
            created_at: now(),
        };
        m.store.insert_role(&role).await.unwrap();
        m.store
            .add_role_permissions(&tenant(), &role.id, &[(m.audience.clone(), "read:users".into())])
            .await
            .unwrap();
        // Through the API, which also drops the cached settings.
        let set = m.patch("/api/v2/tenants/settings", json!({"default_roles": [role.id.as_str()]})).await;
        assert_eq!(set.status, 200, "{:?}", set.body);
        let a = m
            .post(
                "/api/v2/users",
                json!({
                    "connection": "Username-Password-Authentication",
                    "email": "role@example.com",
                    "password": "correct horse",
                }),
            )
            .await;
        assert_eq!(a.status, 201, "{:?}", a.body);
        let user = UserId::new(a.body["user_id"].as_str().unwrap());
        let perms = m.store.user_permissions(&tenant(), &user, &m.audience).await.unwrap();
        assert_eq!(perms, ["read:users"]);
    }

    async fn create_refuses_bad_bodies_without_side_effect(m: &Mgmt) {
        let base = json!({
            "connection": "Username-Password-Authentication",
            "email": "ok@example.com",
            "password": "correct horse",
        });
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            if v.is_null() {
                b.as_object_mut().unwrap().remove(k);
            } else {
                b[k] = v;
            }
            b
        };
        let cases = [
            (
                with("connection", Value::Null),
                json!({"statusCode": 400, "error": "Bad Request", "message": "Payload validation error: 'Missing required property: connection'.", "errorCode": "invalid_body"}),
            ),
            (
                with("connection", json!("google-oauth2")),
                json!({"statusCode": 400, "error": "Bad Request", "message": "The connection does not exist.", "errorCode": "inexistent_connection"}),
            ),
            (
                with("email", Value::Null),
                json!({"statusCode": 400, "error": "Bad Request", "message": "Payload validation error: 'Missing required property: email'.", "errorCode": "invalid_body"}),
            ),
            (
                with("email", json!("not-an-address")),
                json!({"statusCode": 400, "error": "Bad Request", "message": "Payload validation error: 'Object didn't pass validation for format email: not-an-address'.", "errorCode": "invalid_body"}),
            ),
            (
                with("password", Value::Null),
                json!({"statusCode": 400, "error": "Bad Request", "message": "Payload validation error: 'Missing required property: password'.", "errorCode": "invalid_body"}),
            ),
            (
                with("password", json!("short")),
                json!({"statusCode": 400, "error": "Bad Request", "message": "PasswordStrengthError: Password is too weak. At least 8 characters."}),
            ),
            (
                with("given_name", json!("Ada")),
                json!({"statusCode": 400, "error": "Bad Request", "message": "Payload validation error: 'Additional properties not allowed: given_name'.", "errorCode": "invalid_body"}),
            ),
            (
                with("picture", json!("javascript:alert(1)")),
                json!({"statusCode": 400, "error": "Bad Request", "message": "Payload validation error: 'Object didn't pass validation for format absolute-uri: javascript:alert(1) on property picture'.", "errorCode": "invalid_body"}),
            ),
            (
                with("name", json!("")),
                json!({"statusCode": 400, "error": "Bad Request", "message": "Payload validation error: 'String length must be between 1 and 300 on property name'.", "errorCode": "invalid_body"}),
            ),
            (
                with("user_metadata", json!([1])),
                json!({"statusCode": 400, "error": "Bad Request"}),
            ),
        ];
        for (body, expected) in cases {
            let a = m.post("/api/v2/users", body.clone()).await;
            assert_eq!(a.status, 400, "{body}: {:?}", a.body);
            if expected.get("message").is_some() {
                assert_eq!(a.body, expected, "{body}");
            }
        }
        assert_eq!(count_users(m).await, 0);
    }

    async fn a_taken_email_is_409_and_changes_nothing(m: &Mgmt) {
        let id = plant(m, "ada", "ada@example.com", 1_700_000_000).await;
        let before = m.get(&format!("/api/v2/users/{}", path_id(id.as_str()))).await;
        for email in ["ada@example.com", " ADA@Example.COM ", "ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ"] {
            let a = m
                .post(
                    "/api/v2/users",
                    json!({
                        "connection": "Username-Password-Authentication",
                        "email": email,
                        "password": "correct horse",
                        "name": "Impostor",
                    }),
                )
                .await;
            assert_eq!(
                (a.status, &a.body),
                (
                    409,
                    &json!({"statusCode": 409, "error": "Conflict", "message": "The user already exists.", "errorCode": "auth0_idp_error"})
                ),
                "{email}"
            );
        }
        assert_eq!(count_users(m).await, 1);
        let after = m.get(&format!("/api/v2/users/{}", path_id(id.as_str()))).await;
        assert_eq!(after.body, before.body);
    }

    async fn unknown_users_are_404(m: &Mgmt) {
        let expected = json!({"statusCode": 404, "error": "Not Found", "message": "The user does not exist.", "errorCode": "inexistent_user"});
        let a = m.get("/api/v2/users/auth0%7Cnobody").await;
        assert_eq!((a.status, &a.body), (404, &expected));
        let a = m.patch("/api/v2/users/auth0%7Cnobody", json!({"name": "x"})).await;
        assert_eq!((a.status, &a.body), (404, &expected));
        assert_eq!(count_users(m).await, 0);
    }

    async fn every_route_is_guarded(m: &Mgmt) {
        let id = plant(m, "ada", "ada@example.com", 1_700_000_000).await;
        let path = format!("/api/v2/users/{}", path_id(id.as_str()));
        m.assert_guarded(Method::GET, "/api/v2/users", None, "read:users").await;
        m.assert_guarded(Method::GET, "/api/v2/users-by-email?email=ada@example.com", None, "read:users").await;
        m.assert_guarded(Method::GET, &path, None, "read:users").await;
        let body = json!({
            "connection": "Username-Password-Authentication",
            "email": "new@example.com",
            "password": "correct horse",
        });
        m.assert_guarded(Method::POST, "/api/v2/users", Some(body), "create:users").await;
        m.assert_guarded(Method::PATCH, &path, Some(json!({"name": "Changed"})), "update:users").await;
        m.assert_guarded(Method::DELETE, &path, None, "delete:users").await;
        // Nothing changed.
        assert_eq!(count_users(m).await, 1);
        let a = m.get(&path).await;
        assert_eq!((a.status, &a.body["name"]), (200, &json!("ada@example.com")));
    }

    async fn listing_pages_in_creation_order(m: &Mgmt) {
        for i in 1..=7 {
            // Created in reverse id order, so the order cannot come from the id.
            plant(m, &format!("u{}", 8 - i), &format!("user{i}@example.com"), 1_700_000_000 + i).await;
        }
        let a = m.get("/api/v2/users?per_page=3&page=0").await;
        assert_eq!(a.status, 200);
        assert_eq!(emails(&a.body), ["user1@example.com", "user2@example.com", "user3@example.com"]);
        let a = m.get("/api/v2/users?per_page=3&page=2").await;
        assert_eq!(emails(&a.body), ["user7@example.com"]);
        let a = m.get("/api/v2/users?per_page=3&page=2&include_totals=true").await;
        assert_eq!(a.status, 200);
        let users = a.body["users"].clone();
        assert_eq!(
            a.body,
            json!({"start": 6, "limit": 3, "length": 1, "total": 7, "users": users})
        );
        assert_eq!(users[0]["email"], "user7@example.com");
        let a = m.get("/api/v2/users?per_page=3&page=3&include_totals=true").await;
        assert_eq!(a.body, json!({"start": 9, "limit": 3, "length": 0, "total": 7, "users": []}));
        let a = m.get("/api/v2/users?per_page=3&sort=created_at%3A-1").await;
        assert_eq!(emails(&a.body), ["user7@example.com", "user6@example.com", "user5@example.com"]);
        let a = m.get("/api/v2/users?connection=Username-Password-Authentication&include_totals=true").await;
        assert_eq!(a.body["total"], 7);
        let a = m.get("/api/v2/users?connection=google-oauth2&include_totals=true").await;
        assert_eq!((&a.body["total"], &a.body["users"]), (&json!(0), &json!([])));
        // Auth0's limit: the first 1000 users of a listing, no deeper.
        let a = m.get("/api/v2/users?per_page=100&page=9").await;
        assert_eq!(a.status, 200);
        let a = m.get("/api/v2/users?per_page=100&page=10").await;
        assert_eq!((a.status, a.body["errorCode"].as_str()), (400, Some("invalid_paging")));
    }

    async fn same_second_users_page_without_overlap(m: &Mgmt) {
        for i in 0..5 {
            plant(m, &format!("same{i}"), &format!("same{i}@example.com"), 1_700_000_000).await;
        }
        let mut seen = Vec::new();
        for page in 0..3 {
            let a = m.get(&format!("/api/v2/users?per_page=2&page={page}")).await;
            seen.extend(emails(&a.body).into_iter().map(str::to_owned));
        }
        assert_eq!(seen, ["same0@example.com", "same1@example.com", "same2@example.com", "same3@example.com", "same4@example.com"]);
    }

    async fn listing_refuses_bad_queries(m: &Mgmt) {
        for (query, fragment) in [
            ("q=name%3Aada", "supports only q=email:"),
            ("q=email%3Aada*", "supports only q=email:"),
            ("sort=email%3A1", "sorts only by created_at"),
            ("per_page=101", "per_page must be between 1 and 100"),
            ("page=x", "Expected type integer"),
            ("include_fields=maybe", "Expected type boolean"),
            ("frobnicate=1", "Additional properties not allowed: frobnicate"),
        ] {
            let a = m.get(&format!("/api/v2/users?{query}")).await;
            assert_eq!(a.status, 400, "{query}");
            assert_eq!(a.body["errorCode"], "invalid_query_string", "{query}");
            assert!(a.body["message"].as_str().unwrap().contains(fragment), "{query}: {:?}", a.body);
        }
    }

    async fn search_by_email_ignores_case_and_unicode_forms(m: &Mgmt) {
        plant(m, "ada", "Ada@Example.com", 1_700_000_000).await;
        plant(m, "bob", "bob@example.com", 1_700_000_001).await;
        for q in [
            "email%3A%22ada%40example.com%22",
            "email%3AADA%40EXAMPLE.COM",
            // Fullwidth letters fold to ASCII.
            "email%3A%22%EF%BD%81%EF%BD%84%EF%BD%81%40example.com%22",
        ] {
            let a = m.get(&format!("/api/v2/users?q={q}&search_engine=v3&include_totals=true")).await;
            assert_eq!(a.status, 200, "{q}: {:?}", a.body);
            assert_eq!(a.body["total"], 1, "{q}");
            assert_eq!(emails(&a.body["users"]), ["Ada@Example.com"], "{q}");
        }
        let a = m.get("/api/v2/users?q=email%3Anobody%40example.com&search_engine=v2").await;
        assert_eq!((a.status, &a.body), (200, &json!([])));

        let a = m.get("/api/v2/users-by-email?email=ADA%40example.COM").await;
        assert_eq!(a.status, 200);
        assert_eq!(emails(&a.body), ["Ada@Example.com"]);
        assert_eq!(a.body[0]["user_id"], "auth0|ada");
        let a = m.get("/api/v2/users-by-email?email=nobody%40example.com").await;
        assert_eq!((a.status, &a.body), (200, &json!([])));
        let a = m.get("/api/v2/users-by-email").await;
        assert_eq!((a.status, &a.body["errorCode"]), (400, &json!("invalid_query_string")));
        let a = m
            .get("/api/v2/users-by-email?email=ada%40example.com&fields=user_id,email")
            .await;
        assert_eq!(a.body, json!([{"user_id": "auth0|ada", "email": "Ada@Example.com"}]));
    }

    async fn fields_select_members(m: &Mgmt) {
        let id = plant(m, "ada", "ada@example.com", 1_700_000_000).await;
        let path = format!("/api/v2/users/{}", path_id(id.as_str()));
        let a = m.get(&format!("{path}?fields=user_id,email")).await;
        assert_eq!(a.body, json!({"user_id": "auth0|ada", "email": "ada@example.com"}));
        let a = m.get(&format!("{path}?fields=identities,user_metadata,app_metadata,created_at,updated_at,logins_count&include_fields=false")).await;
        assert_eq!(
            a.body,
            json!({"user_id": "auth0|ada", "email": "ada@example.com", "email_verified": false, "name": "ada@example.com", "nickname": "ada"})
        );
        let a = m.get("/api/v2/users?fields=email").await;
        assert_eq!(a.body, json!([{"email": "ada@example.com"}]));
    }

    async fn patch_merges_metadata_and_changes_fields(m: &Mgmt) {
        let a = m
            .post(
                "/api/v2/users",
                json!({
                    "connection": "Username-Password-Authentication",
                    "email": "ada@example.com",
                    "password": "correct horse",
                    "email_verified": true,
                    "user_metadata": {"profileCode": 1479, "addresses": {"work": "x"}, "color": "red"},
                    "app_metadata": {"plan": "free"},
                }),
            )
            .await;
        assert_eq!(a.status, 201);
        let path = format!("/api/v2/users/{}", path_id(a.body["user_id"].as_str().unwrap()));
        let p = m
            .patch(
                &path,
                json!({
                    "user_metadata": {"addresses": {"home": "y"}, "color": null},
                    "app_metadata": {"plan": "pro"},
                    "name": "Ada Lovelace",
                    "nickname": "ada",
                    "picture": "https://example.com/ada.png",
                }),
            )
            .await;
        assert_eq!(p.status, 200, "{:?}", p.body);
        assert_eq!(p.body["user_metadata"], json!({"profileCode": 1479, "addresses": {"home": "y"}}));
        assert_eq!(p.body["app_metadata"], json!({"plan": "pro"}));
        assert_eq!(
            (&p.body["name"], &p.body["nickname"], &p.body["picture"], &p.body["email_verified"]),
            (&json!("Ada Lovelace"), &json!("ada"), &json!("https://example.com/ada.png"), &json!(true))
        );
        assert_eq!(m.get(&path).await.body, p.body);
        // An empty object clears the metadata.
        let p = m.patch(&path, json!({"user_metadata": {}})).await;
        assert_eq!((p.status, &p.body["user_metadata"]), (200, &json!({})));
        assert_eq!(p.body["app_metadata"], json!({"plan": "pro"}));
        // A new address is unverified, unless said otherwise.
        let p = m
            .patch(&path, json!({"email": "Lovelace@Example.com", "connection": "Username-Password-Authentication"}))
            .await;
        assert_eq!((p.status, &p.body["email"], &p.body["email_verified"]), (200, &json!("Lovelace@Example.com"), &json!(false)));
        let found = m.get("/api/v2/users-by-email?email=lovelace%40example.com").await;
        assert_eq!(found.body[0]["user_id"], p.body["user_id"]);
        let p = m.patch(&path, json!({"email": "ada2@example.com", "email_verified": true})).await;
        assert_eq!((&p.body["email"], &p.body["email_verified"]), (&json!("ada2@example.com"), &json!(true)));
    }

    async fn patch_refuses_bad_bodies_and_taken_emails_without_side_effect(m: &Mgmt) {
        plant(m, "bob", "bob@example.com", 1_700_000_000).await;
        let id = plant(m, "ada", "ada@example.com", 1_700_000_001).await;
        let path = format!("/api/v2/users/{}", path_id(id.as_str()));
        let before = m.get(&path).await.body;
        let taken = m.patch(&path, json!({"email": "BOB@example.com", "name": "Changed"})).await;
        assert_eq!(
            (taken.status, &taken.body),
            (409, &json!({"statusCode": 409, "error": "Conflict", "message": "The specified new email already exists", "errorCode": "auth0_idp_error"}))
        );
        for (body, code) in [
            (json!({}), Some("invalid_body")),
            (json!({"password": "short"}), None),
            (json!({"email": "nope"}), Some("invalid_body")),
            (json!({"connection": "github", "name": "x"}), Some("inexistent_connection")),
            (json!({"given_name": "Ada"}), Some("invalid_body")),
            (json!({"blocked": "yes"}), Some("invalid_body")),
            (json!({"nickname": ""}), Some("invalid_body")),
        ] {
            let a = m.patch(&path, body.clone()).await;
            assert_eq!(a.status, 400, "{body}: {:?}", a.body);
            assert_eq!(a.body["errorCode"].as_str(), code, "{body}: {:?}", a.body);
        }
        let empty = m.patch(&path, json!({})).await;
        assert_eq!(empty.body["message"], "Payload validation error: 'Too few properties defined (0), minimum 1'.");
        assert_eq!(m.get(&path).await.body, before);
    }

    async fn a_new_password_revokes_refresh_tokens(m: &Mgmt) {
        let id = plant(m, "ada", "ada@example.com", 1_700_000_000).await;
        let token = refresh_token(m, &id).await;
        let cookie = session(m, &id).await;
        let path = format!("/api/v2/users/{}", path_id(id.as_str()));
        let p = m.patch(&path, json!({"password": "a brand new one", "connection": "Username-Password-Authentication"})).await;
        assert_eq!(p.status, 200, "{:?}", p.body);
        assert!(refresh_revoked(m, &token).await);
        assert!(!session_revoked(m, &cookie).await);
        let user = m.store.user(&tenant(), &id).await.unwrap().unwrap();
        assert!(user.password_hash.unwrap().as_str().starts_with("$argon2id$"));
        let (status, body) = use_refresh_token(m, &token).await;
        assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));
    }

    async fn blocking_ends_sessions_and_refresh_tokens(m: &Mgmt) {
        let id = plant(m, "ada", "ada@example.com", 1_700_000_000).await;
        let other = plant(m, "bob", "bob@example.com", 1_700_000_001).await;
        let token = refresh_token(m, &id).await;
        let cookie = session(m, &id).await;
        let others_token = refresh_token(m, &other).await;
        let path = format!("/api/v2/users/{}", path_id(id.as_str()));
        // A name change alone revokes nothing.
        let p = m.patch(&path, json!({"name": "Ada"})).await;
        assert_eq!(p.status, 200);
        assert!(!refresh_revoked(m, &token).await);
        assert!(!session_revoked(m, &cookie).await);
        let p = m.patch(&path, json!({"blocked": true})).await;
        assert_eq!((p.status, &p.body["blocked"]), (200, &json!(true)));
        assert!(refresh_revoked(m, &token).await);
        assert!(session_revoked(m, &cookie).await);
        assert!(!refresh_revoked(m, &others_token).await);
        let p = m.patch(&path, json!({"blocked": false})).await;
        assert_eq!(p.status, 200);
        assert_eq!(p.body.get("blocked"), None);
    }

    async fn delete_answers_204_and_ends_everything_of_the_user(m: &Mgmt) {
        let id = plant(m, "ada", "ada@example.com", 1_700_000_000).await;
        let keep = plant(m, "bob", "bob@example.com", 1_700_000_001).await;
        let token = refresh_token(m, &id).await;
        let _cookie = session(m, &id).await;
        // The token works before the deletion (and rotates).
        let (status, body) = use_refresh_token(m, &token).await;
        assert_eq!(status, 200, "{body}");
        let next = body["refresh_token"].as_str().unwrap().to_owned();
        let path = format!("/api/v2/users/{}", path_id(id.as_str()));
        let d = m.delete(&path).await;
        assert_eq!((d.status, &d.body), (204, &Value::Null));
        assert_eq!(m.get(&path).await.status, 404);
        let (status, body) = use_refresh_token(m, &next).await;
        assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")), "{body}");
        assert!(m.store.refresh_token(&tenant(), &token_hash(&next)).await.unwrap().is_none());
        // Deleting again, or an id never seen, is 204 too; others stay.
        assert_eq!(m.delete(&path).await.status, 204);
        assert_eq!(m.delete("/api/v2/users/auth0%7Cnobody").await.status, 204);
        assert_eq!(count_users(m).await, 1);
        assert!(m.store.user(&tenant(), &keep).await.unwrap().is_some());
    }

    async fn users_path_has_no_put(m: &Mgmt) {
        let a = m.call(Method::PUT, "/api/v2/users", None).await;
        assert_eq!(a.status, 405);
    }
}
