//! `POST /oauth/revoke` (RFC 7009) and `POST /oauth/introspect` (RFC 7662).

use axum::http::{Response, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::header;
use crate::world::{World, form, now};

fn assert_no_store(res: &Response<()>) {
    assert_eq!(header(res, "cache-control"), "no-store");
    assert_eq!(header(res, "pragma"), "no-cache");
}

async fn revoke(w: &World, pairs: &[(&str, &str)]) -> (Response<()>, Vec<u8>) {
    let (res, body) = w.post_form("/oauth/revoke", form(pairs), &[]).await;
    assert_no_store(&res);
    (res, body)
}

fn assert_empty_200(res: &Response<()>, body: &[u8]) {
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(body)
    );
    assert!(body.is_empty());
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap()
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_its_whole_family() {
    let w = World::new().await;
    let user = w.user("ada@example.com").await;
    let later = now().plus_secs(3600);
    let old = w.refresh_token(&user, "fam-1", 0, later, true).await;
    let live = w.refresh_token(&user, "fam-1", 1, later, false).await;
    let other_family = w.refresh_token(&user, "fam-2", 0, later, false).await;
    let (res, body) = revoke(
        &w,
        &[
            ("token", &old),
            ("token_type_hint", "refresh_token"),
            ("client_id", &w.web_id),
            ("client_secret", &w.web_secret),
        ],
    )
    .await;
    assert_empty_200(&res, &body);
    assert!(w.refresh_revoked(&live).await);
    assert!(!w.refresh_revoked(&other_family).await);
    // Revoking again, or the live one: still 200.
    let (res, body) = revoke(
        &w,
        &[
            ("token", &live),
            ("client_id", &w.web_id),
            ("client_secret", &w.web_secret),
        ],
    )
    .await;
    assert_empty_200(&res, &body);
}

#[tokio::test]
async fn other_clients_unknown_and_access_tokens_get_200_and_nothing_changes() {
    let w = World::new().await;
    let user = w.user("ada@example.com").await;
    let web_token = w
        .refresh_token(&user, "fam-1", 0, now().plus_secs(3600), false)
        .await;
    let access = w.m2m_token().await;
    for token in [web_token.as_str(), "no-such-token", access.as_str()] {
        let (res, body) = revoke(
            &w,
            &[
                ("token", token),
                ("client_id", &w.m2m_id),
                ("client_secret", &w.m2m_secret),
            ],
        )
        .await;
        assert_empty_200(&res, &body);
    }
    assert!(!w.refresh_revoked(&web_token).await);
}

#[tokio::test]
async fn revoke_authenticates_the_client_like_the_token_endpoint() {
    let w = World::new().await;
    let user = w.user("ada@example.com").await;
    let token = w
        .refresh_token(&user, "fam-1", 0, now().plus_secs(3600), false)
        .await;
    let failed =
        json!({"error": "invalid_client", "error_description": "Client authentication failed"});
    for (id, secret) in [
        (w.web_id.as_str(), "wrong"),
        (w.web_id.as_str(), ""),
        ("no-such-client", w.web_secret.as_str()),
        (w.m2m_id.as_str(), w.web_secret.as_str()),
    ] {
        let (res, body) = revoke(
            &w,
            &[
                ("token", &token),
                ("client_id", id),
                ("client_secret", secret),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(json_of(&body), failed);
        assert!(res.headers().get("www-authenticate").is_none());
    }
    // Basic for a client registered for client_secret_post: the challenge comes back.
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", w.web_id, w.web_secret))
    );
    let (res, body) = w
        .post_form(
            "/oauth/revoke",
            form(&[("token", &token)]),
            &[("authorization", &basic)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json_of(&body), failed);
    assert_eq!(
        header(&res, "www-authenticate"),
        "Basic realm=\"portcullis\", charset=\"UTF-8\""
    );
    assert!(!w.refresh_revoked(&token).await);

    // No token.
    let (res, body) = revoke(
        &w,
        &[("client_id", &w.web_id), ("client_secret", &w.web_secret)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        json_of(&body),
        json!({"error": "invalid_request", "error_description": "Missing required parameter: token"})
    );
    // Wrong method.
    let (res, _) = w.get_with("/oauth/revoke", &[]).await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
}

async fn introspect(w: &World, token: &str) -> Value {
    let (res, body) = w
        .post_form(
            "/oauth/introspect",
            form(&[
                ("token", token),
                ("client_id", &w.m2m_id),
                ("client_secret", &w.m2m_secret),
            ]),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_no_store(&res);
    assert_eq!(header(&res, "content-type"), "application/json");
    json_of(&body)
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn introspecting_access_tokens() {
    let w = World::new().await;
    let m2m = w.m2m_token().await;
    let c = claims(&m2m);
    assert_eq!(
        introspect(&w, &m2m).await,
        json!({
            "active": true,
            "scope": c["scope"],
            "client_id": w.m2m_id,
            "sub": format!("{}@clients", w.m2m_id),
            "aud": w.audience,
            "iss": w.srv.issuer().as_str(),
            "exp": c["exp"],
            "iat": c["iat"],
            "token_type": "Bearer",
        })
    );

    let user = w.user("ada@example.com").await;
    let sid = w.session(&user).await;
    let tokens = w.tokens(&sid).await;
    let access = tokens["access_token"].as_str().unwrap();
    let c = claims(access);
    let v = introspect(&w, access).await;
    assert_eq!(v["active"], true, "{v}");
    assert_eq!(v["sub"], user.as_str());
    assert_eq!(v["client_id"], w.web_id);
    assert_eq!(v["aud"], c["aud"]);
    assert_eq!(v["scope"], "openid email");
    assert_eq!(v["token_type"], "Bearer");

    // Not an access token of ours: inactive, and nothing else said.
    let id_token = tokens["id_token"].as_str().unwrap();
    let mut flipped = m2m.clone().into_bytes();
    let at = flipped.len() - 2;
    flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let long = "a".repeat(20_000);
    for token in [
        id_token,
        flipped.as_str(),
        "a.b.c",
        "garbage",
        long.as_str(),
    ] {
        assert_eq!(introspect(&w, token).await, json!({"active": false}));
    }
}

#[tokio::test]
async fn introspecting_refresh_tokens() {
    let w = World::new().await;
    let user = w.user("ada@example.com").await;
    let exp = now().plus_secs(3600);
    let live = w.refresh_token(&user, "fam-1", 0, exp, false).await;
    assert_eq!(
        introspect(&w, &live).await,
        json!({
            "active": true,
            "scope": "openid offline_access",
            "client_id": w.web_id,
            "sub": user.as_str(),
            "exp": exp.0,
            "token_type": "refresh_token",
        })
    );
    let consumed = w.refresh_token(&user, "fam-2", 0, exp, true).await;
    let expired = w
        .refresh_token(&user, "fam-3", 0, now().plus_secs(-1), false)
        .await;
    for token in [consumed.as_str(), expired.as_str(), "unknown-token"] {
        assert_eq!(introspect(&w, token).await, json!({"active": false}));
    }
    // Revoked (by RFC 7009 revocation): inactive from then on.
    let (res, _) = w
        .post_form(
            "/oauth/revoke",
            form(&[
                ("token", &live),
                ("client_id", &w.web_id),
                ("client_secret", &w.web_secret),
            ]),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(introspect(&w, &live).await, json!({"active": false}));
}

#[tokio::test]
async fn introspection_is_for_authenticated_confidential_clients() {
    let w = World::new().await;
    let token = w.m2m_token().await;
    let failed =
        json!({"error": "invalid_client", "error_description": "Client authentication failed"});
    for pairs in [
        vec![("token", token.as_str()), ("client_id", w.m2m_id.as_str())],
        vec![
            ("token", token.as_str()),
            ("client_id", w.m2m_id.as_str()),
            ("client_secret", "wrong"),
        ],
        vec![("token", token.as_str()), ("client_id", "no-such-client")],
    ] {
        let (res, body) = w.post_form("/oauth/introspect", form(&pairs), &[]).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(json_of(&body), failed);
    }
    let (res, body) = w
        .post_form("/oauth/introspect", form(&[("token", &token)]), &[])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        json_of(&body),
        json!({"error": "invalid_request", "error_description": "Missing required parameter: client_id"})
    );
    let (res, body) = w
        .post_form(
            "/oauth/introspect",
            form(&[("client_id", &w.m2m_id), ("client_secret", &w.m2m_secret)]),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        json_of(&body),
        json!({"error": "invalid_request", "error_description": "Missing required parameter: token"})
    );
}

#[tokio::test]
async fn a_revoked_family_can_no_longer_be_refreshed() {
    let w = World::new().await;
    let user = w.user("ada@example.com").await;
    let first = w
        .refresh_token(&user, "fam-1", 0, now().plus_secs(3600), false)
        .await;
    let refresh = |token: String| {
        let w = &w;
        async move {
            let body = form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &token),
                ("client_id", &w.web_id),
                ("client_secret", &w.web_secret),
            ]);
            let (res, body) = w.post_form("/oauth/token", body, &[]).await;
            (res.status(), json_of(&body))
        }
    };
    let (status, v) = refresh(first.clone()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let second = v["refresh_token"].as_str().unwrap().to_owned();
    // Revoking the consumed first token kills the family, the live second one included.
    let (res, body) = revoke(
        &w,
        &[
            ("token", &first),
            ("client_id", &w.web_id),
            ("client_secret", &w.web_secret),
        ],
    )
    .await;
    assert_empty_200(&res, &body);
    let (status, v) = refresh(second.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"], "invalid_grant");
    assert_eq!(introspect(&w, &second).await, json!({"active": false}));
}
