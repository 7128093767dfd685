//! `JwtAuthLayer` and the `require_*` layers against a provider whose tokens and keys the
//! tests control: security cases A (each bad token gets its exact 401), RFC 6750
//! answers, and the JWKS cache (a flood of unknown kids, rotation, the provider down).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http_body_util::BodyExt as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use portcullis_sdk::ManualClock;
use portcullis_sdk::api::{
    Claims, DiscoveryOptions, JwtAuthLayer, JwtValidator, Requirements, require_any,
    require_permissions, require_scope,
};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::web::fake_provider::{FakeProvider, Signer};

const NOW: i64 = 1_900_000_000;
const AUDIENCE: &str = "https://api.example.com/";

fn claims(fake: &FakeProvider) -> serde_json::Map<String, Value> {
    json!({
        "iss": fake.issuer, "aud": AUDIENCE, "sub": "client@clients", "iat": NOW,
        "exp": NOW + 600, "scope": "read:orders", "permissions": ["read:orders"],
    })
    .as_object()
    .unwrap()
    .clone()
}

async fn validator(fake: &FakeProvider, clock: Arc<ManualClock>, strict: bool) -> JwtValidator {
    let mut requirements = Requirements::new(&fake.issuer, AUDIENCE);
    requirements.strict_type = strict;
    JwtValidator::discover(
        requirements,
        DiscoveryOptions {
            clock,
            ..DiscoveryOptions::default()
        },
    )
    .await
    .unwrap()
}

fn orders_api(validator: JwtValidator) -> Router {
    let read = Router::new()
        .route(
            "/orders",
            get(|c: Claims| async move { c.sub.unwrap_or_default() }),
        )
        .route_layer(require_scope(&["read:orders"]));
    let write = Router::new()
        .route("/orders/new", get(|| async { "created" }))
        .route_layer(require_scope(&["write:orders"]));
    let admin = Router::new()
        .route("/admin", get(|| async { "admin" }))
        .route_layer(require_permissions(&["read:orders", "delete:orders"]));
    let any = Router::new()
        .route("/any", get(|| async { "any" }))
        .route_layer(require_any(&["delete:orders", "read:orders"]));
    read.merge(write)
        .merge(admin)
        .merge(any)
        .layer(JwtAuthLayer::new(Arc::new(validator)))
}

struct Answer {
    status: StatusCode,
    challenge: Option<String>,
    body: Value,
}

async fn call(app: &Router, path: &str, authorization: Option<&str>) -> Answer {
    let mut request = Request::get(path);
    if let Some(a) = authorization {
        request = request.header("authorization", a);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Answer {
        status,
        challenge,
        body,
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn a_valid_token_reaches_the_handler_with_its_claims() {
    let fake = FakeProvider::start().await;
    let app = orders_api(validator(&fake, Arc::new(ManualClock::new(NOW)), false).await);
    let token = fake.signer.sign(&Value::Object(claims(&fake)));
    let ok = call(&app, "/orders", Some(&bearer(&token))).await;
    assert_eq!(
        (ok.status, ok.body),
        (StatusCode::OK, json!("client@clients"))
    );
    // The scheme is case-insensitive.
    let lower = call(&app, "/orders", Some(&format!("bearer {token}"))).await;
    assert_eq!(lower.status, StatusCode::OK);
    // Within the 5 s leeway.
    let mut c = claims(&fake);
    c.insert("exp".into(), (NOW - 4).into());
    let late = fake.signer.sign(&Value::Object(c));
    assert_eq!(
        call(&app, "/orders", Some(&bearer(&late))).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn no_token_is_401_without_an_error_code() {
    let fake = FakeProvider::start().await;
    let app = orders_api(validator(&fake, Arc::new(ManualClock::new(NOW)), false).await);
    for authorization in [
        None,
        Some("Basic dXNlcjpwYXNz"),
        Some("Bearer"),
        Some("Bearer   "),
    ] {
        let a = call(&app, "/orders", authorization).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{authorization:?}");
        assert_eq!(a.challenge.as_deref(), Some("Bearer"), "{authorization:?}");
    }
}

#[tokio::test]
async fn every_bad_token_gets_its_exact_401() {
    let fake = FakeProvider::start().await;
    let app = orders_api(validator(&fake, Arc::new(ManualClock::new(NOW)), false).await);
    let with = |change: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut c = claims(&fake);
        change(&mut c);
        fake.signer.sign(&Value::Object(c))
    };
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let good = fake.signer.sign(&Value::Object(claims(&fake)));
    let payload = b64(&Value::Object(claims(&fake)));
    // HS256 with the provider's public key as the secret (RS/HS confusion).
    let hs256 = {
        let mut h = Header::new(Algorithm::HS256);
        h.kid = Some("k1".into());
        let secret = fake.signer.jwk.to_string();
        jsonwebtoken::encode(
            &h,
            &Value::Object(claims(&fake)),
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    };
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    parts[1] = b64(
        &json!({"iss": fake.issuer, "aud": AUDIENCE, "exp": NOW + 600, "scope": "write:orders"}),
    );
    let tampered = parts.join(".");
    let other_key = Signer::new("k1").sign(&Value::Object(claims(&fake)));
    let unknown_kid = Signer::new("nope").sign(&Value::Object(claims(&fake)));
    let injected_kid = {
        let mut h = Header::new(Algorithm::ES256);
        h.kid = Some("../../../../dev/null' OR 1=1--".into());
        fake.signer.sign_with(h, &Value::Object(claims(&fake)))
    };
    let jku = {
        let mut h = Header::new(Algorithm::ES256);
        h.kid = Some("k9".into());
        h.jku = Some("http://127.0.0.1:9/jwks".into());
        Signer::new("k9").sign_with(h, &Value::Object(claims(&fake)))
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "expired",
            with(&|c| {
                c.insert("exp".into(), (NOW - 6).into());
            }),
            "the token has expired",
        ),
        (
            "no exp",
            with(&|c| {
                c.remove("exp");
            }),
            "the token's exp claim is missing or invalid",
        ),
        (
            "exp as a string",
            with(&|c| {
                c.insert("exp".into(), "99999999999".into());
            }),
            "the token's exp claim is missing or invalid",
        ),
        (
            "exp 1e300",
            with(&|c| {
                c.insert("exp".into(), json!(1e300));
            }),
            "the token's exp claim is missing or invalid",
        ),
        (
            "nbf in the future",
            with(&|c| {
                c.insert("nbf".into(), (NOW + 6).into());
            }),
            "the token is not valid yet",
        ),
        (
            "nbf as a string",
            with(&|c| {
                c.insert("nbf".into(), "1".into());
            }),
            "the token's nbf claim is missing or invalid",
        ),
        (
            "wrong audience",
            with(&|c| {
                c.insert("aud".into(), "https://other.example.com/".into());
            }),
            "the token's audience is not accepted",
        ),
        (
            "audience list without us",
            with(&|c| {
                c.insert("aud".into(), json!(["a", "b"]));
            }),
            "the token's audience is not accepted",
        ),
        (
            "no audience",
            with(&|c| {
                c.remove("aud");
            }),
            "the token's audience is not accepted",
        ),
        (
            "issuer off by a slash",
            with(&|c| {
                c.insert("iss".into(), format!("{}/", fake.issuer).into());
            }),
            "the token's issuer is not accepted",
        ),
        (
            "issuer in other case",
            with(&|c| {
                c.insert("iss".into(), fake.issuer.to_uppercase().into());
            }),
            "the token's issuer is not accepted",
        ),
        (
            "alg none",
            format!("{}.{payload}.", b64(&json!({"alg": "none", "kid": "k1"}))),
            "the token's algorithm is not allowed",
        ),
        (
            "alg None, no kid",
            format!("{}.{payload}.", b64(&json!({"alg": "None"}))),
            "the token's algorithm is not allowed",
        ),
        (
            "HS256 with the public key",
            hs256,
            "the token's algorithm is not allowed",
        ),
        (
            "tampered payload",
            tampered,
            "the token's signature is invalid",
        ),
        (
            "another key, same kid",
            other_key,
            "the token's signature is invalid",
        ),
        (
            "unknown kid",
            unknown_kid,
            "the token is signed with an unknown key",
        ),
        (
            "kid injection",
            injected_kid,
            "the token is signed with an unknown key",
        ),
        (
            "jku to an attacker key",
            jku,
            "the token is signed with an unknown key",
        ),
        (
            "empty signature",
            format!("{}.", good.rsplit_once('.').unwrap().0),
            "the token's signature is invalid",
        ),
        ("five parts", "a.b.c.d.e".into(), "the token is malformed"),
        ("bad base64", "%%%.%%%.%%%".into(), "the token is malformed"),
        ("100k dots", ".".repeat(100_000), "the token is too large"),
        (
            "not UTF-8 JSON",
            format!("{}.{}.x", URL_SAFE_NO_PAD.encode([0xff, 0xfe]), payload),
            "the token is malformed",
        ),
    ];
    for (name, token, why) in cases {
        let a = call(&app, "/orders", Some(&bearer(&token))).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(
            a.challenge.as_deref(),
            Some(format!("Bearer error=\"invalid_token\", error_description=\"{why}\"").as_str()),
            "{name}"
        );
        assert_eq!(
            a.body,
            json!({"error": "invalid_token", "error_description": why}),
            "{name}"
        );
    }
    // The unknown kids came within the cooldown of the start's fetch: no refetch at all.
    assert_eq!(fake.jwks_hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn scopes_and_permissions_are_required_per_route() {
    let fake = FakeProvider::start().await;
    let app = orders_api(validator(&fake, Arc::new(ManualClock::new(NOW)), false).await);
    let reader = fake.signer.sign(&Value::Object(claims(&fake)));
    assert_eq!(
        call(&app, "/orders", Some(&bearer(&reader))).await.status,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, "/any", Some(&bearer(&reader))).await.status,
        StatusCode::OK
    );
    let denied = call(&app, "/orders/new", Some(&bearer(&reader))).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(
        denied.challenge.as_deref(),
        Some(
            "Bearer error=\"insufficient_scope\", error_description=\"Insufficient scope\", scope=\"write:orders\""
        )
    );
    assert_eq!(denied.body["scope"], "write:orders");
    let admin = call(&app, "/admin", Some(&bearer(&reader))).await;
    assert_eq!(admin.status, StatusCode::FORBIDDEN);
    assert_eq!(admin.body["scope"], "read:orders delete:orders");
    let mut c = claims(&fake);
    c.insert("scope".into(), "write:orders".into());
    c.insert(
        "permissions".into(),
        json!(["read:orders", "delete:orders"]),
    );
    let writer = fake.signer.sign(&Value::Object(c));
    assert_eq!(
        call(&app, "/orders/new", Some(&bearer(&writer)))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, "/admin", Some(&bearer(&writer))).await.status,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, "/orders", Some(&bearer(&writer))).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn strict_mode_requires_at_jwt() {
    let fake = FakeProvider::start().await;
    let app = orders_api(validator(&fake, Arc::new(ManualClock::new(NOW)), true).await);
    let plain = fake.signer.sign(&Value::Object(claims(&fake)));
    let refused = call(&app, "/orders", Some(&bearer(&plain))).await;
    assert_eq!(
        refused.body["error_description"],
        "the token's type is not at+jwt"
    );
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some("k1".into());
    h.typ = Some("at+jwt".into());
    let typed = fake.signer.sign_with(h, &Value::Object(claims(&fake)));
    assert_eq!(
        call(&app, "/orders", Some(&bearer(&typed))).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_thousand_unknown_kids_cost_one_fetch_per_cooldown() {
    let fake = FakeProvider::start().await;
    let clock = Arc::new(ManualClock::new(NOW));
    let app = orders_api(validator(&fake, clock.clone(), false).await);
    assert_eq!(fake.jwks_hits.load(Ordering::SeqCst), 1, "loaded at start");
    clock.advance(30);
    let good = fake.signer.sign(&Value::Object(claims(&fake)));
    let mut tasks = Vec::new();
    for i in 0..1000 {
        let app = app.clone();
        let token = if i % 10 == 0 {
            good.clone()
        } else {
            let mut h = Header::new(Algorithm::ES256);
            h.kid = Some(format!("random-{i}"));
            fake.signer.sign_with(h, &Value::Object(claims(&fake)))
        };
        tasks.push(tokio::spawn(async move {
            (i, call(&app, "/orders", Some(&bearer(&token))).await.status)
        }));
    }
    for t in tasks {
        let (i, status) = t.await.unwrap();
        let expected = if i % 10 == 0 {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(status, expected, "token {i}");
    }
    assert_eq!(
        fake.jwks_hits.load(Ordering::SeqCst),
        2,
        "one refetch for all misses"
    );
    // After the cooldown, another unknown kid may fetch once more.
    clock.advance(30);
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some("later".into());
    let later = fake.signer.sign_with(h, &Value::Object(claims(&fake)));
    call(&app, "/orders", Some(&bearer(&later))).await;
    call(&app, "/orders", Some(&bearer(&later))).await;
    assert_eq!(fake.jwks_hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_rotated_key_verifies_after_one_refetch() {
    let fake = FakeProvider::start().await;
    let clock = Arc::new(ManualClock::new(NOW));
    let app = orders_api(validator(&fake, clock.clone(), false).await);
    clock.advance(30);
    let next = Signer::new("k2");
    fake.extra_keys.lock().unwrap().push(next.jwk.clone());
    let token = next.sign(&Value::Object(claims(&fake)));
    assert_eq!(
        call(&app, "/orders", Some(&bearer(&token))).await.status,
        StatusCode::OK
    );
    assert_eq!(fake.jwks_hits.load(Ordering::SeqCst), 2);
    // The old key still verifies too.
    let old = fake.signer.sign(&Value::Object(claims(&fake)));
    assert_eq!(
        call(&app, "/orders", Some(&bearer(&old))).await.status,
        StatusCode::OK
    );
    assert_eq!(fake.jwks_hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn cached_keys_keep_working_while_the_provider_is_down() {
    let fake = FakeProvider::start().await;
    *fake.jwks_cache_control.lock().unwrap() = Some("public, max-age=60".into());
    let clock = Arc::new(ManualClock::new(NOW));
    let app = orders_api(validator(&fake, clock.clone(), false).await);
    let token = fake.signer.sign(&Value::Object(claims(&fake)));
    fake.jwks_down.store(true, Ordering::SeqCst);
    // Past the set's max-age: the known key verifies while a refresh is tried (and
    // fails) in the background.
    clock.advance(61);
    assert_eq!(
        call(&app, "/orders", Some(&bearer(&token))).await.status,
        StatusCode::OK
    );
    for _ in 0..50 {
        if fake.jwks_hits.load(Ordering::SeqCst) == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        fake.jwks_hits.load(Ordering::SeqCst),
        2,
        "one background refresh"
    );
    assert_eq!(
        call(&app, "/orders", Some(&bearer(&token))).await.status,
        StatusCode::OK
    );
    // An unknown kid waits out the cooldown of that failed attempt.
    let stranger = Signer::new("k3").sign(&Value::Object(claims(&fake)));
    assert_eq!(
        call(&app, "/orders", Some(&bearer(&stranger))).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(fake.jwks_hits.load(Ordering::SeqCst), 2);
    // The provider is back: after the cooldown the set is fresh again.
    fake.jwks_down.store(false, Ordering::SeqCst);
    clock.advance(30);
    assert_eq!(
        call(&app, "/orders", Some(&bearer(&token))).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn remembered_tokens_still_expire_and_never_mix() {
    for ttl in [Duration::from_secs(60), Duration::ZERO] {
        let fake = FakeProvider::start().await;
        let clock = Arc::new(ManualClock::new(NOW));
        let mut requirements = Requirements::new(&fake.issuer, AUDIENCE);
        requirements.cache_ttl = ttl;
        let validator = JwtValidator::discover(
            requirements,
            DiscoveryOptions {
                clock: clock.clone(),
                ..DiscoveryOptions::default()
            },
        )
        .await
        .unwrap();
        let app = orders_api(validator);
        let mut other = claims(&fake);
        other.insert("sub".into(), "someone-else@clients".into());
        let ada = fake.signer.sign(&Value::Object(claims(&fake)));
        let bob = fake.signer.sign(&Value::Object(other));
        for _ in 0..2 {
            assert_eq!(
                call(&app, "/orders", Some(&bearer(&ada))).await.body,
                json!("client@clients"),
                "{ttl:?}"
            );
            assert_eq!(
                call(&app, "/orders", Some(&bearer(&bob))).await.body,
                json!("someone-else@clients"),
                "{ttl:?}"
            );
        }
        // exp is NOW + 600: still checked on every request, remembered or not (verified
        // again at +590, remembered past exp).
        clock.set(NOW + 590);
        assert_eq!(
            call(&app, "/orders", Some(&bearer(&ada))).await.status,
            StatusCode::OK,
            "{ttl:?}"
        );
        clock.set(NOW + 604);
        assert_eq!(
            call(&app, "/orders", Some(&bearer(&ada))).await.status,
            StatusCode::OK,
            "{ttl:?}"
        );
        clock.set(NOW + 605);
        let expired = call(&app, "/orders", Some(&bearer(&ada))).await;
        assert_eq!(
            expired.body["error_description"], "the token has expired",
            "{ttl:?}"
        );
    }
}
