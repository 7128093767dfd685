//! JWT signing cost: a key parsed once (what the server does) vs. parsing PKCS#8 per token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis_jose::{Algorithm, SigningKey};
use serde::Serialize;

/// An access token as Auth0 issues it for an API with RBAC on.
#[derive(Serialize)]
struct AccessTokenClaims {
    iss: &'static str,
    sub: &'static str,
    aud: [&'static str; 2],
    azp: &'static str,
    scope: &'static str,
    iat: u64,
    exp: u64,
    jti: &'static str,
    permissions: [&'static str; 3],
}

const CLAIMS: AccessTokenClaims = AccessTokenClaims {
    iss: "https://tenant.example.com/",
    sub: "auth0|5f7c8ec7c33c6c004bbafe82",
    aud: [
        "https://api.example.com",
        "https://tenant.example.com/userinfo",
    ],
    azp: "kbyuFDidLLm280LIwVFiazOqjO3ty8KH",
    scope: "openid profile email offline_access read:messages",
    iat: 1_700_000_000,
    exp: 1_700_086_400,
    jti: "b5a4f6c2-1c5e-4b0a-9f3e-2d8f0c7a6e11",
    permissions: ["read:messages", "write:messages", "delete:messages"],
};

fn sign(c: &mut Criterion) {
    let mut group = c.benchmark_group("sign_jwt");
    group
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(20);

    let rsa = SigningKey::generate(Algorithm::Rs256, "rs".into()).unwrap();
    let rsa_der = rsa.to_pkcs8();
    group.bench_function("RS256 pre-parsed key", |b| {
        b.iter(|| rsa.sign_jwt(Some("at+jwt"), black_box(&CLAIMS)).unwrap())
    });
    group.bench_function("RS256 parse PKCS#8 per call", |b| {
        b.iter(|| {
            let key =
                SigningKey::from_pkcs8(Algorithm::Rs256, "rs".into(), black_box(&rsa_der)).unwrap();
            key.sign_jwt(Some("at+jwt"), black_box(&CLAIMS)).unwrap()
        })
    });

    for alg in [Algorithm::Es256, Algorithm::EdDsa] {
        let key = SigningKey::generate(alg, alg.to_string()).unwrap();
        group.bench_function(format!("{alg} pre-parsed key"), |b| {
            b.iter(|| key.sign_jwt(Some("at+jwt"), black_box(&CLAIMS)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, sign);
criterion_main!(benches);
