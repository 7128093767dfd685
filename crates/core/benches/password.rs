//! Password hashing cost with the OWASP parameters (argon2id m=19456 KiB, t=2, p=1):
//! hashing, verifying a known user, and verifying an unknown user against the dummy
//! hash. The last two must cost the same (SECURITY-CASES E37), and the hash rate caps
//! password logins per core.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis_core::SystemRng;
use portcullis_core::password::{HashParams, Password, PasswordHasher};

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let hasher = PasswordHasher::new(HashParams::OWASP, 1, Arc::new(SystemRng::new()));
    let password = Password::new("correct horse battery staple".to_owned());
    let stored = rt.block_on(hasher.hash(&password)).unwrap();
    let wrong = Password::new("wrong".to_owned());

    let mut group = c.benchmark_group("argon2id OWASP");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("hash", |b| {
        b.iter(|| rt.block_on(hasher.hash(&password)).unwrap())
    });
    group.bench_function("verify known user", |b| {
        b.iter(|| rt.block_on(hasher.verify(&wrong, Some(&stored))).unwrap())
    });
    group.bench_function("verify unknown user (dummy hash)", |b| {
        b.iter(|| rt.block_on(hasher.verify(&wrong, None)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
