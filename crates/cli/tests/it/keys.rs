use std::time::{Duration, Instant};

use crate::{Running, data_dir, kids, run};

/// Polls the JWKS until `pred` holds (key refresh runs every second in these tests).
fn wait_for_jwks(srv: &Running, pred: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let k = kids(&srv.get("/.well-known/jwks.json"));
        if pred(&k) || Instant::now() > deadline {
            return k;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn rotate_publishes_the_next_key_and_revoke_withdraws_it() {
    let (tmp, data) = data_dir();
    let env = [("PORTCULLIS_KEYS_REFRESH_INTERVAL", "1")];
    let srv = Running::start(&data, &[], &env);
    let first = kids(&srv.get("/.well-known/jwks.json"));
    assert_eq!(first.len(), 1);

    let d = data.to_str().unwrap();
    let out = run(
        tmp.path(),
        &["keys", "rotate", "--data-dir", d, "--alg", "ES256"],
        &env,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(said.starts_with("published ES256 key "), "{said}");

    let both = wait_for_jwks(&srv, |k| k.len() == 2);
    assert_eq!(
        both.len(),
        2,
        "the running server did not publish the next key"
    );
    assert_eq!(both[0], first[0]);
    let next = both[1].clone();

    let out = run(
        tmp.path(),
        &["keys", "list", "--data-dir", d, "--json"],
        &env,
    );
    assert_eq!(out.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let states: Vec<(&str, &str, &str)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kid"].as_str().unwrap(),
                r["alg"].as_str().unwrap(),
                r["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![
            (first[0].as_str(), "RS256", "current"),
            (next.as_str(), "ES256", "next")
        ]
    );

    let out = run(tmp.path(), &["keys", "list", "--data-dir", d], &env);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with("KID "), "{table}");
    assert_eq!(table.lines().count(), 3, "{table}");

    let out = run(
        tmp.path(),
        &["keys", "revoke", &next, "--data-dir", d],
        &env,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("revoked {next}; it is no longer published\n")
    );
    assert_eq!(wait_for_jwks(&srv, |k| k.len() == 1), first);

    let out = run(
        tmp.path(),
        &["keys", "revoke", &next, "--data-dir", d],
        &env,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().starts_with(&format!(
        "error: no unrevoked signing key with kid `{next}`"
    )));
}

#[test]
fn rotate_now_then_revoking_the_signing_key_replaces_it() {
    let (tmp, data) = data_dir();
    let d = data.to_str().unwrap();
    let out = run(tmp.path(), &["admin", "bootstrap", "--data-dir", d], &[]);
    assert_eq!(out.status.code(), Some(0));
    let out = run(
        tmp.path(),
        &["keys", "rotate", "--now", "--data-dir", d],
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    let list = |tmp: &std::path::Path| -> Vec<(String, String)> {
        let out = run(tmp, &["keys", "list", "--json", "--data-dir", d], &[]);
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["kid"].as_str().unwrap().to_owned(),
                    r["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let rows = list(tmp.path());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].1, "previous");
    assert_eq!(rows[1].1, "current");

    let current = rows[1].0.clone();
    let out = run(
        tmp.path(),
        &["keys", "revoke", &current, "--data-dir", d],
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        said.starts_with(&format!("revoked {current}, which was signing; RS256 key ")),
        "{said}"
    );
    let rows = list(tmp.path());
    assert_eq!(rows.len(), 3);
    let state_of = |kid: &str| rows.iter().find(|(k, _)| k == kid).unwrap().1.clone();
    assert_eq!(state_of(&current), "revoked");
    let mut states: Vec<&str> = rows.iter().map(|(_, s)| s.as_str()).collect();
    states.sort_unstable();
    assert_eq!(states, vec!["current", "previous", "revoked"]);
}

#[test]
fn keys_on_an_empty_database_say_what_to_do() {
    let (tmp, data) = data_dir();
    std::fs::create_dir(&data).unwrap();
    let out = run(
        tmp.path(),
        &["keys", "list", "--data-dir", data.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("portcullis migrate"), "{stderr}");
}
