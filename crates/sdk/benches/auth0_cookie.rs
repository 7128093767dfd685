//! Reading a nextjs-auth0 v4 stateless session cookie of about 3 KB from a `Cookie` header:
//! header parsing, decryption and JSON parsing, with the key derived once beforehand;
//! once into a `serde_json::Value` (the Auth0 cookie reader), once into the web SDK's
//! typed `SessionData` (what its layer does on every request).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis_jose::{CookieKeyRing, SystemIvSource};
use portcullis_sdk::auth0_cookie::{ReaderConfig, RequestCookies, read_session};
use portcullis_sdk::session_cookie::{CookieOptions, Lifetime, SessionCookies};
use serde_json::json;

const NOW: i64 = 1_800_000_000;

/// A v4 `SessionData` as nextjs-auth0 writes it, with realistic token sizes.
fn session_cookie(config: &ReaderConfig) -> String {
    let payload = json!({
        "user": {
            "sub": "auth0|64b7f0c0e4b0a1b2c3d4e5f6",
            "name": "Jane Doe",
            "nickname": "jane",
            "picture": "https://s.gravatar.com/avatar/0123456789abcdef0123456789abcdef?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fjd.png",
            "email": "jane@example.com",
            "email_verified": true,
            "updated_at": "2026-01-01T00:00:00.000Z",
            "sid": "s1d-AbCdEfGhIjKlMnOpQrStUvWxYz"
        },
        "tokenSet": {
            "accessToken": format!("eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.{}.{}", "a".repeat(700), "s".repeat(342)),
            "idToken": format!("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.{}.{}", "i".repeat(600), "s".repeat(342)),
            "scope": "openid profile email offline_access",
            "refreshToken": "v1.MWYzZjI0ZDQtYWFhYS00YmJiLWNjY2MtZGRkZGRkZGRkZGRk",
            "expiresAt": NOW + 86_400
        },
        "internal": {"sid": "s1d-AbCdEfGhIjKlMnOpQrStUvWxYz", "createdAt": NOW - 60},
        "exp": NOW + 259_200
    });
    let bytes = serde_json::to_vec(&payload).unwrap();
    let jwe = config
        .keys()
        .current()
        .encrypt_with_header_json(
            r#"{"enc":"A256GCM","alg":"dir"}"#,
            &bytes,
            &SystemIvSource::new(),
        )
        .unwrap();
    format!("theme=dark; _ga=GA1.1.123456789.1700000000; __session={jwe}; other=1")
}

fn read(c: &mut Criterion) {
    let config =
        ReaderConfig::from_secrets(&["a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f6071829"])
            .unwrap();
    let header = session_cookie(&config);
    eprintln!("Cookie header: {} bytes", header.len());
    assert!(read_session(&header, &config, NOW).is_some());
    c.bench_function("read_session v4 stateless ~3 KB", |b| {
        b.iter(|| read_session(black_box(&header), &config, NOW))
    });

    // What the web SDK's layer does per request: the typed one-pass read.
    let cookies = SessionCookies::new(
        CookieKeyRing::from_secrets(&["a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f6071829"])
            .unwrap(),
        CookieOptions::default(),
        Lifetime::default(),
    )
    .unwrap();
    assert!(
        cookies
            .read_session(&RequestCookies::parse(&header), NOW)
            .is_some()
    );
    c.bench_function("SessionCookies::read_session typed ~3 KB", |b| {
        b.iter(|| cookies.read_session(&RequestCookies::parse(black_box(&header)), NOW))
    });

    // The parts, to see where the time goes.
    let jwe = header
        .split("; ")
        .find_map(|c| c.strip_prefix("__session="))
        .unwrap()
        .to_owned();
    c.bench_function("part: decrypt only", |b| {
        b.iter(|| config.keys().decrypt(black_box(&jwe)).unwrap())
    });
    let plaintext = config.keys().decrypt(&jwe).unwrap().plaintext;
    c.bench_function("part: payload JSON only", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&plaintext)).unwrap())
    });
}

criterion_group!(benches, read);
criterion_main!(benches);
