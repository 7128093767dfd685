//! The callback's ID token checks (OpenID Connect Core 3.1.3.7), each one broken in
//! turn: the login is refused with 400 and no session starts.

use std::sync::Arc;

use axum::http::StatusCode;
use portcullis_sdk::ManualClock;
use serde_json::{Map, Value, json};

use super::Browser;
use super::fake_provider::{FakeProvider, Signer, login, started};

const NOW: i64 = 1_900_000_000;

#[tokio::test]
async fn a_good_id_token_starts_a_session() {
    let (fake, app) = started(Arc::new(ManualClock::new(NOW))).await;
    let mut browser = Browser::default();
    let done = login(&app, &mut browser, &fake, NOW, |_| {}).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    assert_eq!(done.location(), "http://localhost:3000/");
    let profile = browser.get(&app, "/auth/profile").await;
    assert_eq!(
        profile.json(),
        json!({"sub": "user-1", "email": "ada@example.com", "name": "Ada"})
    );
}

#[tokio::test]
async fn each_broken_claim_is_refused() {
    let (fake, app) = started(Arc::new(ManualClock::new(NOW))).await;
    type Tweak = Box<dyn FnOnce(&mut Map<String, Value>)>;
    let cases: Vec<(&str, Tweak)> = vec![
        (
            "other issuer",
            Box::new(|c| {
                c.insert("iss".into(), "http://evil.example".into());
            }),
        ),
        (
            "other audience",
            Box::new(|c| {
                c.insert("aud".into(), "other-client".into());
            }),
        ),
        (
            "several audiences, no azp",
            Box::new(|c| {
                c.insert("aud".into(), json!(["fake-client", "api"]));
            }),
        ),
        (
            "azp of another client",
            Box::new(|c| {
                c.insert("azp".into(), "other-client".into());
            }),
        ),
        (
            "expired",
            Box::new(|c| {
                c.insert("exp".into(), (NOW - 61).into());
            }),
        ),
        (
            "no exp",
            Box::new(|c| {
                c.remove("exp");
            }),
        ),
        (
            "issued in the future",
            Box::new(|c| {
                c.insert("iat".into(), (NOW + 120).into());
            }),
        ),
        (
            "no iat",
            Box::new(|c| {
                c.remove("iat");
            }),
        ),
        (
            "wrong nonce",
            Box::new(|c| {
                c.insert("nonce".into(), "replayed".into());
            }),
        ),
        (
            "no nonce",
            Box::new(|c| {
                c.remove("nonce");
            }),
        ),
        (
            "no sub",
            Box::new(|c| {
                c.remove("sub");
            }),
        ),
    ];
    for (name, tweak) in cases {
        let mut browser = Browser::default();
        let done = login(&app, &mut browser, &fake, NOW, tweak).await;
        assert_eq!(done.status, StatusCode::BAD_REQUEST, "{name}");
        assert_eq!(done.text(), "The provider's ID token is invalid.", "{name}");
        assert!(!browser.cookies.contains_key("__session"), "{name}");
        assert!(
            browser.cookies.keys().all(|k| !k.starts_with("__txn_")),
            "{name}: txn kept"
        );
    }
}

#[tokio::test]
async fn tokens_signed_by_another_key_or_algorithm_are_refused() {
    let (fake, app) = started(Arc::new(ManualClock::new(NOW))).await;
    let forger = Signer::new("k1");
    let unknown = Signer::new("k2");
    let none_alg = |claims: &Value| {
        use base64::Engine as _;
        let b64 =
            |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "kid": "k1"})),
            b64(claims)
        )
    };
    let hs256 = |claims: &Value| {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        header.kid = Some("k1".into());
        jsonwebtoken::encode(
            &header,
            claims,
            &jsonwebtoken::EncodingKey::from_secret(b"guess"),
        )
        .unwrap()
    };
    type Sign<'a> = Box<dyn Fn(&Value) -> String + 'a>;
    let cases: Vec<(&str, Sign)> = vec![
        ("same kid, another key", Box::new(|c| forger.sign(c))),
        ("unknown kid", Box::new(|c| unknown.sign(c))),
        ("alg none", Box::new(none_alg)),
        ("HS256 with a guessed secret", Box::new(hs256)),
    ];
    for (name, sign) in cases {
        let mut browser = Browser::default();
        let start = browser.get(&app, "/auth/login").await;
        let state = super::param(start.location(), "state").unwrap();
        let nonce = super::param(start.location(), "nonce").unwrap();
        let claims = Value::Object(fake.good_claims(&nonce, NOW));
        fake.give("c", sign(&claims));
        let iss: String = url::form_urlencoded::byte_serialize(fake.issuer.as_bytes()).collect();
        let done = browser
            .get(
                &app,
                &format!("/auth/callback?code=c&state={state}&iss={iss}"),
            )
            .await;
        assert_eq!(done.status, StatusCode::BAD_REQUEST, "{name}");
        assert!(!browser.cookies.contains_key("__session"), "{name}");
    }
}

#[tokio::test]
async fn a_missing_iss_parameter_is_refused_when_the_provider_sends_one() {
    let (_fake, app) = started(Arc::new(ManualClock::new(NOW))).await;
    let mut browser = Browser::default();
    let start = browser.get(&app, "/auth/login").await;
    let state = super::param(start.location(), "state").unwrap();
    let done = browser
        .get(&app, &format!("/auth/callback?code=c&state={state}"))
        .await;
    assert_eq!(done.status, StatusCode::BAD_REQUEST);
    assert_eq!(done.text(), "The response has no iss parameter.");
}

#[tokio::test]
async fn discovery_errors_name_the_url_and_the_problem() {
    let fake = FakeProvider::start().await;
    let build = |issuer: &str| super::config(issuer, "c", "s").build().unwrap();
    // Off by a slash: another issuer.
    let slash = format!("{}/", fake.issuer);
    let e = portcullis_sdk::web::Auth0Client::new(build(&slash))
        .await
        .err()
        .unwrap()
        .to_string();
    assert_eq!(
        e,
        format!(
            "provider discovery failed at {}/.well-known/openid-configuration: it names \
             issuer {:?}, not the configured {slash:?}",
            fake.issuer, fake.issuer
        )
    );
    // Nobody there.
    let e = portcullis_sdk::web::Auth0Client::new(build("http://127.0.0.1:9"))
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.starts_with(
            "provider discovery failed at http://127.0.0.1:9/.well-known/openid-configuration: \
             the request failed"
        ),
        "{e}"
    );
}
