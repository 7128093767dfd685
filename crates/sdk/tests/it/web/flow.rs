//! The whole login flow against a real Portcullis: login, callback, profile, access
//! token, a protected page, logout with RP-initiated logout at Portcullis.

use std::sync::Arc;

use axum::http::StatusCode;
use portcullis_sdk::SystemClock;
use portcullis_sdk::auth0_cookie::{ReaderConfig, read_session};
use serde_json::json;

use super::portcullis::Portcullis;
use super::{APP, Browser, SECRET, app, client, config, on_app, param};

#[tokio::test]
async fn login_profile_token_and_logout_through_portcullis() {
    let p = Portcullis::start().await;
    let (user_id, sso) = p.logged_in_user("ada@example.com").await;
    let audience = p.offline_api().await;
    let auth = client(
        config(&p.issuer, &p.client_id, &p.client_secret).audience(&audience),
        Arc::new(SystemClock),
    )
    .await;
    let app = app(&auth);
    let mut browser = Browser::default();

    // A protected page sends a browser to the login, an API call gets 401.
    let page = browser.get_page(&app, "/private?tab=1").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        format!("{APP}/auth/login?returnTo=%2Fprivate%3Ftab%3D1")
    );
    let api = browser.get(&app, "/private").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.json()["error"], "not_authenticated");

    // /auth/login: PKCE, state, nonce, the transaction cookie.
    let start = browser
        .get(&app, "/auth/login?returnTo=/private%3Ftab%3D1")
        .await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    let authorize = start.location().to_owned();
    assert!(
        authorize.starts_with(&format!("{}authorize?", p.issuer)),
        "{authorize}"
    );
    assert_eq!(param(&authorize, "response_type").as_deref(), Some("code"));
    assert_eq!(param(&authorize, "client_id"), Some(p.client_id.clone()));
    assert_eq!(
        param(&authorize, "redirect_uri").as_deref(),
        Some("http://localhost:3000/auth/callback")
    );
    assert_eq!(
        param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(
        param(&authorize, "scope").as_deref(),
        Some("openid profile email offline_access")
    );
    assert_eq!(param(&authorize, "audience"), Some(audience));
    let state = param(&authorize, "state").unwrap();
    assert_eq!(state.len(), 43);
    assert!(browser.cookies.contains_key(&format!("__txn_{state}")));

    // Portcullis answers with a code; the callback starts the session.
    let back = p.authorize(&authorize, &sso).await;
    assert_eq!(param(&back, "iss").as_deref(), Some(p.issuer.as_str()));
    let kept_txn = browser.clone();
    let done = browser.get(&app, &on_app(&back)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    assert_eq!(done.location(), format!("{APP}/private?tab=1"));
    assert_eq!(done.headers["cache-control"], "no-store");
    assert_eq!(done.headers.get_all("vary").iter().count(), 1);
    assert_eq!(done.headers["vary"], "Cookie");
    assert!(
        !browser.cookies.contains_key(&format!("__txn_{state}")),
        "transaction deleted"
    );
    let set = done.set_cookies();
    let session_cookie = set.iter().find(|c| c.starts_with("__session=")).unwrap();
    assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Lax"));
    assert!(session_cookie.contains("Max-Age=86400"), "{session_cookie}");

    // The user, on a protected page and at /auth/profile.
    let private = browser.get(&app, "/private").await;
    assert_eq!(private.status, StatusCode::OK);
    let user = private.json();
    assert_eq!(user["sub"], json!(user_id.to_string()));
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["name"], "Ada Lovelace");
    assert!(user.get("nonce").is_none() && user.get("iss").is_none());
    let profile = browser.get(&app, "/auth/profile").await;
    assert_eq!(profile.json(), user);
    assert_eq!(profile.headers["cache-control"], "no-store");
    assert_eq!(profile.headers["vary"], "Cookie");

    // The cookie is nextjs-auth0 v4's: the Auth0 cookie reader sees the same session.
    let reader = ReaderConfig::from_secrets(&[SECRET]).unwrap();
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let read = read_session(&browser.cookie_header(), &reader, now).unwrap();
    let data = read.data().unwrap();
    assert_eq!(data.sub().as_deref(), Some(user_id.to_string().as_str()));
    assert!(
        data.refresh_token().is_some(),
        "offline_access gave a refresh token"
    );
    assert!(data.id_token().is_some());

    // /auth/access-token answers as nextjs-auth0 v4 does.
    let token = browser.get(&app, "/auth/access-token").await;
    assert_eq!(token.status, StatusCode::OK);
    let body = token.json();
    assert_eq!(body["token"].as_str(), data.access_token());
    assert!(body["expires_in"].as_i64().unwrap() > 0);
    assert_eq!(body["expires_at"].as_i64(), data.access_token_expires_at());

    // The same callback again (the old transaction cookie kept): the code is spent.
    let mut replay = kept_txn;
    let again = replay.get(&app, &on_app(&back)).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(!replay.cookies.contains_key("__session"));

    // Logout: the local session ends, and Portcullis accepts the RP-initiated logout.
    let out = browser.get(&app, "/auth/logout").await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let end = out.location().to_owned();
    assert!(
        end.starts_with(&format!("{}oidc/logout?", p.issuer)),
        "{end}"
    );
    assert_eq!(
        param(&end, "post_logout_redirect_uri").as_deref(),
        Some(APP)
    );
    assert_eq!(param(&end, "id_token_hint").as_deref(), data.id_token());
    let sid = data.payload()["internal"]["sid"].as_str().unwrap();
    assert!(!sid.is_empty());
    assert_eq!(param(&end, "logout_hint").as_deref(), Some(sid));
    // The refresh token was revoked at Portcullis: a copied cookie mints nothing.
    let refreshed = p
        .http
        .post(format!("{}oauth/token", p.issuer))
        .json(&json!({
            "grant_type": "refresh_token",
            "refresh_token": data.refresh_token().unwrap(),
            "client_id": p.client_id,
            "client_secret": p.client_secret,
        }))
        .send()
        .await
        .unwrap();
    // (Without the revocation this refresh would succeed: the token was never used.)
    assert_eq!(refreshed.status(), 400);
    assert_eq!(
        refreshed.json::<serde_json::Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    assert!(!browser.cookies.contains_key("__session"));
    let at_provider = p
        .http
        .get(&end)
        .header("cookie", format!("portcullis_session={sso}"))
        .send()
        .await
        .unwrap();
    assert_eq!(at_provider.status(), 302);
    assert_eq!(at_provider.headers()["location"], APP);
    assert_eq!(
        browser.get(&app, "/auth/profile").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(browser.get(&app, "/").await.text(), "out");
}

#[tokio::test]
async fn the_callback_refuses_a_missing_or_foreign_state() {
    let p = Portcullis::start().await;
    let (_, sso) = p.logged_in_user("bob@example.com").await;
    let auth = client(
        config(&p.issuer, &p.client_id, &p.client_secret),
        Arc::new(SystemClock),
    )
    .await;
    let app = app(&auth);
    let mut alice = Browser::default();
    let start = alice.get(&app, "/auth/login").await;
    let back = p.authorize(start.location(), &sso).await;
    // Another browser (no transaction cookie) can't use alice's callback URL.
    let mut mallory = Browser::default();
    let stolen = mallory.get(&app, &on_app(&back)).await;
    assert_eq!(stolen.status, StatusCode::BAD_REQUEST);
    assert!(mallory.cookies.is_empty());
    // Without state, with an error from the provider, with another issuer: 400.
    assert_eq!(
        alice.get(&app, "/auth/callback?code=x").await.status,
        StatusCode::BAD_REQUEST
    );
    let state = param(&back, "state").unwrap();
    let code = param(&back, "code").unwrap();
    let foreign =
        format!("/auth/callback?code={code}&state={state}&iss=http%3A%2F%2Fevil.example%2F");
    let refused = alice.clone().get(&app, &foreign).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.text(), "The response is from another issuer.");
    // The transaction still works with the right issuer: nothing was used up.
    let ok = alice.get(&app, &on_app(&back)).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    assert_eq!(alice.get(&app, "/").await.text(), "in");
}
