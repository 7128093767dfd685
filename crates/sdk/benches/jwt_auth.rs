//! What protecting an API costs per request: `JwtValidator::validate` of an RS256 and an
//! ES256 access token (keys cached; every call verifying, and RS256 once remembered),
//! and the same axum route served in-process with and without `JwtAuthLayer` +
//! `require_scope` (verifying every request). The keys come from a JWKS served on
//! loopback by this bench, signed with Portcullis' own signing code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use axum::{Json, Router};
use criterion::{Criterion, criterion_group, criterion_main};
use portcullis_jose::{Algorithm, SigningKey};
use portcullis_sdk::api::{
    Claims, DiscoveryOptions, JwtAuthLayer, JwtValidator, Requirements, require_scope,
};
use serde_json::json;
use tower::ServiceExt as _;

const AUDIENCE: &str = "https://orders.example.com/";

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let rs = SigningKey::generate(Algorithm::Rs256, "rs".into()).unwrap();
    let es = SigningKey::generate(Algorithm::Es256, "es".into()).unwrap();
    let keys = json!({"keys": [rs.public_jwk(), es.public_jwk()]});
    let issuer = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let issuer = format!("{origin}/");
        let discovery = json!({"issuer": issuer, "jwks_uri": format!("{origin}/jwks")});
        let app = Router::new()
            .route(
                "/.well-known/openid-configuration",
                get(move || async move { Json(discovery) }),
            )
            .route("/jwks", get(move || async move { Json(keys) }));
        tokio::spawn(async move { axum::serve(listener, app).await });
        issuer
    });
    // Every request verifies (the remembered-token cache off), as express-jwt does...
    let mut requirements = Requirements::new(&issuer, AUDIENCE);
    requirements.cache_ttl = std::time::Duration::ZERO;
    let validator = Arc::new(
        rt.block_on(JwtValidator::discover(
            requirements,
            DiscoveryOptions::default(),
        ))
        .unwrap(),
    );
    // ...and as shipped: a token seen in the last minute is remembered.
    let remembering = Arc::new(
        rt.block_on(JwtValidator::discover(
            Requirements::new(&issuer, AUDIENCE),
            DiscoveryOptions::default(),
        ))
        .unwrap(),
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({
        "iss": issuer, "aud": [AUDIENCE, format!("{issuer}userinfo")], "sub": "auth0|64b7f0c0e4b0a1b2c3d4e5f6",
        "iat": now, "exp": now + 86_400, "azp": "x6Jv0vcT2MGzWrB7DZmpuAZfV0bd3NlM",
        "scope": "openid profile email read:orders", "permissions": ["read:orders"],
    });
    let rs_token = rs.sign_jwt(Some("at+jwt"), &claims).unwrap();
    let es_token = es.sign_jwt(Some("at+jwt"), &claims).unwrap();
    assert!(rt.block_on(validator.validate(&rs_token)).is_ok());

    c.bench_function("JwtValidator::validate RS256", |b| {
        b.iter(|| rt.block_on(validator.validate(black_box(&rs_token))))
    });
    c.bench_function("JwtValidator::validate RS256, remembered", |b| {
        b.iter(|| rt.block_on(remembering.validate(black_box(&rs_token))))
    });
    c.bench_function("JwtValidator::validate ES256", |b| {
        b.iter(|| rt.block_on(validator.validate(black_box(&es_token))))
    });

    // The floor: the RSA signature check alone, with the parsed key.
    let key = rt.block_on(validator.jwks().key(Some("rs"))).unwrap();
    let (input, signature) = rs_token.rsplit_once('.').unwrap();
    let signature =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, signature)
            .unwrap();
    assert!(key.verifies(input.as_bytes(), &signature));
    c.bench_function("part: RS256 signature check only", |b| {
        b.iter(|| key.verifies(black_box(input.as_bytes()), &signature))
    });

    let handler = || async { Json(json!({"orders": [{"id": 1}]})) };
    let open: Router = Router::new().route("/orders", get(handler));
    let protected: Router = Router::new()
        .route(
            "/orders",
            get(|_claims: Claims| async { Json(json!({"orders": [{"id": 1}]})) }),
        )
        .route_layer(require_scope(&["read:orders"]))
        .layer(JwtAuthLayer::new(validator.clone()));
    let request = |token: Option<&str>| {
        let mut r = Request::get("/orders");
        if let Some(t) = token {
            r = r.header("authorization", format!("Bearer {t}"));
        }
        r.body(Body::empty()).unwrap()
    };
    c.bench_function("route /orders unprotected", |b| {
        b.iter(|| rt.block_on(open.clone().oneshot(request(None))).unwrap())
    });
    c.bench_function("route /orders with JwtAuthLayer RS256", |b| {
        b.iter(|| {
            let r = rt
                .block_on(protected.clone().oneshot(request(Some(&rs_token))))
                .unwrap();
            assert!(r.status().is_success());
            r
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
