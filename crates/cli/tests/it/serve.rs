use crate::{Running, data_dir, kids};

#[test]
fn fresh_start_serves_discovery_and_jwks_and_restart_keeps_them() {
    let (_tmp, data) = data_dir();
    let first = Running::start(&data, &[], &[]);
    let issuer = format!("http://127.0.0.1:{}/", first.addr.port());
    assert_eq!(first.issuer, issuer);

    let disc = first.get("/.well-known/openid-configuration");
    assert_eq!(disc.status, 200);
    let doc = disc.json();
    assert_eq!(doc["issuer"], issuer.as_str());
    let jwks_uri = doc["jwks_uri"].as_str().unwrap();
    assert_eq!(jwks_uri, format!("{issuer}.well-known/jwks.json"));

    let jwks = first.get("/.well-known/jwks.json");
    assert_eq!(jwks.status, 200);
    assert_eq!(jwks.header("cache-control"), Some("public, max-age=300"));
    let keys = jwks.json()["keys"].as_array().unwrap().clone();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["alg"], "RS256");
    assert_eq!(keys[0]["kty"], "RSA");
    let kid = kids(&jwks);

    assert_eq!(first.get("/readyz").status, 200);
    let (status, stdout) = first.stop();
    assert!(status.success(), "{status:?}");
    // The .env block, printed once.
    assert!(
        stdout.contains(&format!("ISSUER_BASE_URL={issuer}\n")),
        "{stdout}"
    );
    assert!(stdout.contains("CLIENT_SECRET="), "{stdout}");
    assert!(stdout.contains("PORTCULLIS_M2M_CLIENT_SECRET="), "{stdout}");
    assert!(data.join("master.key").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("master.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let second = Running::start(&data, &[], &[]);
    assert_eq!(kids(&second.get("/.well-known/jwks.json")), kid);
    let (status, stdout) = second.stop();
    assert!(status.success());
    assert!(
        !stdout.contains("SECRET"),
        "secrets printed again: {stdout}"
    );
}

#[test]
fn public_url_sets_the_issuer() {
    let (_tmp, data) = data_dir();
    let srv = Running::start(&data, &["--public-url", "https://id.example.com"], &[]);
    assert_eq!(srv.issuer, "https://id.example.com/");
    let doc = srv.get("/.well-known/openid-configuration").json();
    assert_eq!(doc["issuer"], "https://id.example.com/");
    assert_eq!(
        doc["jwks_uri"],
        "https://id.example.com/.well-known/jwks.json"
    );
}

#[test]
fn admin_bootstrap_creates_once() {
    let (tmp, data) = data_dir();
    let d = data.to_str().unwrap();
    let out = crate::run(tmp.path(), &["admin", "bootstrap", "--data-dir", d], &[]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("ISSUER_BASE_URL=http://127.0.0.1:4000/\n"),
        "{stdout}"
    );
    let again = crate::run(tmp.path(), &["admin", "bootstrap", "--data-dir", d], &[]);
    assert_eq!(again.status.code(), Some(0));
    let stdout = String::from_utf8(again.stdout).unwrap();
    assert!(
        stdout.starts_with("tenant default exists already"),
        "{stdout}"
    );
}

#[test]
fn check_config_accepts_a_good_file() {
    let (tmp, data) = data_dir();
    std::fs::write(
        tmp.path().join("portcullis.toml"),
        format!(
            "listen = \"127.0.0.1:4100\"\ndata_dir = \"{}\"\n[keys]\nalgorithm = \"ES256\"\n",
            data.display()
        ),
    )
    .unwrap();
    let out = crate::run(tmp.path(), &["check-config"], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("configuration OK (portcullis.toml)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("issuer        http://127.0.0.1:4100/"),
        "{stdout}"
    );
}

#[test]
fn help_lists_the_commands() {
    let (tmp, _) = data_dir();
    let out = crate::run(tmp.path(), &["--help"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for cmd in ["serve", "migrate", "check-config", "keys", "admin"] {
        assert!(text.contains(cmd), "{cmd} missing from --help");
    }
}

#[test]
fn migrate_creates_the_schema_and_keys_then_ask_for_a_tenant() {
    let (tmp, data) = data_dir();
    let d = data.to_str().unwrap();
    let out = crate::run(tmp.path(), &["migrate", "--data-dir", d], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        said,
        format!("database schema is up to date: sqlite:{d}/portcullis.db\n")
    );
    let out = crate::run(tmp.path(), &["keys", "list", "--data-dir", d], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: tenant default does not exist (run `portcullis admin bootstrap` or start the server once)\n"
    );
}

#[test]
fn logs_are_plain_text_when_not_on_a_terminal() {
    let (tmp, data) = data_dir();
    let d = data.to_str().unwrap();
    let out = crate::run(tmp.path(), &["admin", "bootstrap", "--data-dir", d], &[]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("generated a master key"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "ANSI escapes in piped logs: {stderr:?}"
    );
}
