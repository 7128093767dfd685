//! `/api/v2/tenants/settings`.

use axum::http::Method;
use serde_json::{Value, json};

use super::Mgmt;

const PATH: &str = "/api/v2/tenants/settings";

fn defaults() -> Value {
    json!({
        "friendly_name": "Portcullis",
        "session_lifetime": 168,
        "idle_session_lifetime": 72,
        "id_token_lifetime": 36000,
        "default_roles": [],
        "refresh_token_reuse_window": 0,
        "refresh_token_lifetime": 2592000,
        "refresh_token_idle_lifetime": 1296000,
        "signup_requires_verification": false
    })
}

async fn new_role(m: &Mgmt, name: &str) -> String {
    let a = m.post("/api/v2/roles", json!({"name": name})).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    a.body["id"].as_str().unwrap().to_owned()
}

crate::cases! {
    async fn get_shows_every_setting(m: &Mgmt) {
        let a = m.get(PATH).await;
        assert_eq!((a.status, &a.body), (200, &defaults()));
    }

    async fn patch_changes_what_it_names(m: &Mgmt) {
        let a = m
            .patch(
                PATH,
                json!({
                    "friendly_name": "  Acme  ",
                    "picture_url": "https://cdn.acme.example/logo.png",
                    "session_lifetime": 24,
                    "idle_session_lifetime": 12,
                    "id_token_lifetime": 3600,
                    "refresh_token_reuse_window": 30,
                    "refresh_token_lifetime": 86400,
                    "refresh_token_idle_lifetime": 3600,
                    "signup_requires_verification": true
                }),
            )
            .await;
        let expected = json!({
            "friendly_name": "Acme",
            "picture_url": "https://cdn.acme.example/logo.png",
            "session_lifetime": 24,
            "idle_session_lifetime": 12,
            "id_token_lifetime": 3600,
            "default_roles": [],
            "refresh_token_reuse_window": 30,
            "refresh_token_lifetime": 86400,
            "refresh_token_idle_lifetime": 3600,
            "signup_requires_verification": true
        });
        assert_eq!((a.status, &a.body), (200, &expected));
        assert_eq!(m.get(PATH).await.body, expected);
        let stored = m.store.tenant(&portcullis_core::TenantId::default_tenant()).await.unwrap().unwrap();
        assert_eq!(stored.settings.id_token_lifetime, 3600);
        assert!(stored.settings.signup_requires_verification);

        // null removes the picture; an empty body changes nothing.
        let a = m.patch(PATH, json!({"picture_url": null})).await;
        assert_eq!((a.status, a.body.get("picture_url")), (200, None));
        let unchanged = m.patch(PATH, json!({})).await;
        assert_eq!(unchanged.body, a.body);
    }

    async fn refused_patches_change_nothing(m: &Mgmt) {
        for (body, message) in [
            (json!({"friendly_name": "Acme", "flags": {}}), "Payload validation error: 'Additional properties not allowed: flags'."),
            (json!({"friendly_name": "Acme", "session_lifetime": 0}), "session_lifetime must be between 1 and 8760; it would be 0."),
            (json!({"friendly_name": "Acme", "idle_session_lifetime": 200}), "idle_session_lifetime must be between 1 and 168 (at most session_lifetime); it would be 200."),
            (json!({"friendly_name": "Acme", "session_lifetime": 48}), "idle_session_lifetime must be between 1 and 48 (at most session_lifetime); it would be 72."),
            (json!({"friendly_name": "Acme", "refresh_token_idle_lifetime": 2592001}), "refresh_token_idle_lifetime must be between 1 and 2592000 (at most refresh_token_lifetime); it would be 2592001."),
            (json!({"friendly_name": "Acme", "id_token_lifetime": 0}), "id_token_lifetime must be between 1 and 2592000; it would be 0."),
            (json!({"friendly_name": "Acme", "refresh_token_reuse_window": 3601}), "refresh_token_reuse_window must be between 0 and 3600; it would be 3601."),
            (json!({"friendly_name": "Acme", "picture_url": "javascript:alert(1)"}), "picture_url must be an absolute http or https URL of at most 2048 bytes."),
            (json!({"friendly_name": " "}), "friendly_name must be 1 to 255 characters, without control characters."),
        ] {
            let a = m.patch(PATH, body.clone()).await;
            assert_eq!(
                (a.status, a.body["message"].as_str(), a.body["errorCode"].as_str()),
                (400, Some(message), Some("invalid_body")),
                "{body}"
            );
        }
        let a = m.patch(PATH, json!({"session_lifetime": -1})).await;
        assert_eq!(a.status, 400);
        let a = m.patch(PATH, json!({"signup_requires_verification": "yes"})).await;
        assert_eq!(a.status, 400);
        assert_eq!(m.get(PATH).await.body, defaults());
    }

    async fn default_roles_must_exist(m: &Mgmt) {
        let reader = new_role(m, "reader").await;
        let writer = new_role(m, "writer").await;
        let a = m
            .patch(PATH, json!({"friendly_name": "Acme", "default_roles": [reader, "rol_missing"]}))
            .await;
        assert_eq!(
            (a.status, a.body["message"].as_str()),
            (400, Some("default_roles: no role with id rol_missing."))
        );
        assert_eq!(m.get(PATH).await.body, defaults());

        let a = m.patch(PATH, json!({"default_roles": [writer, reader, writer]})).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        assert_eq!(a.body["default_roles"], json!([writer, reader]));
        // A new user gets them.
        let u = m
            .post(
                "/api/v2/users",
                json!({"connection": "Username-Password-Authentication", "email": "new@acme.example", "password": "correct horse battery staple 9!"}),
            )
            .await;
        assert_eq!(u.status, 201, "{:?}", u.body);
        let user_id = u.body["user_id"].as_str().unwrap();
        let roles = m.get(&format!("/api/v2/users/{}/roles", urlencode(user_id))).await;
        let mut ids: Vec<&str> = roles.body.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        ids.sort_unstable();
        let mut want = vec![reader.as_str(), writer.as_str()];
        want.sort_unstable();
        assert_eq!(ids, want);

        let a = m.patch(PATH, json!({"default_roles": []})).await;
        assert_eq!(a.body["default_roles"], json!([]));
    }

    async fn routes_are_guarded(m: &Mgmt) {
        m.assert_guarded(Method::GET, PATH, None, "read:tenant_settings").await;
        m.assert_guarded(Method::PATCH, PATH, Some(json!({"friendly_name": "Nope"})), "update:tenant_settings").await;
        assert_eq!(m.get(PATH).await.body, defaults());
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
