//! Every configuration error: one line on stderr naming the setting, exit code 2.

use std::net::TcpListener;

use crate::{Running, data_dir, run};

/// Runs and returns (exit code, the single stderr line); fails if stderr is not one line.
fn fails(cwd: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = run(cwd, args, env);
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr, got: {stderr}");
    (out.status.code().unwrap(), lines[0].to_owned())
}

#[test]
fn unknown_key_in_the_config_file() {
    let (tmp, _) = data_dir();
    std::fs::write(
        tmp.path().join("portcullis.toml"),
        "lisen = \"127.0.0.1:4000\"\n",
    )
    .unwrap();
    for cmd in ["serve", "check-config"] {
        let (code, line) = fails(tmp.path(), &[cmd], &[]);
        assert_eq!(code, 2);
        assert!(
            line.starts_with(
                "error: portcullis.toml: line 1: unknown field `lisen`, expected one of"
            ),
            "{line}"
        );
    }
}

#[test]
fn bad_values_from_flag_env_and_file() {
    let (tmp, _) = data_dir();
    let (code, line) = fails(tmp.path(), &["serve", "--listen", "nope"], &[]);
    assert_eq!(code, 2);
    assert_eq!(
        line,
        "error: invalid listen address (from --listen): `nope` is not HOST:PORT, e.g. 127.0.0.1:4000"
    );
    let (code, line) = fails(
        tmp.path(),
        &["check-config"],
        &[("PORTCULLIS_LOG_FORMAT", "xml")],
    );
    assert_eq!(code, 2);
    assert_eq!(
        line,
        "error: invalid log format (from PORTCULLIS_LOG_FORMAT): `xml` is not one of: pretty, json"
    );
    let (code, line) = fails(tmp.path(), &["serve", "--database-url", "mysql://x/y"], &[]);
    assert_eq!(code, 2);
    assert!(
        line.starts_with("error: invalid database URL (from --database-url): "),
        "{line}"
    );
    let (code, line) = fails(tmp.path(), &["serve", "--public-url", "example.com"], &[]);
    assert_eq!(code, 2);
    assert!(
        line.starts_with("error: invalid public URL (from --public-url): "),
        "{line}"
    );
}

#[test]
fn missing_config_file_named_explicitly() {
    let (tmp, _) = data_dir();
    let (code, line) = fails(tmp.path(), &["serve", "--config", "nope.toml"], &[]);
    assert_eq!(code, 2);
    assert!(line.starts_with("error: nope.toml: "), "{line}");
}

#[test]
fn port_in_use() {
    let (tmp, data) = data_dir();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, line) = fails(
        tmp.path(),
        &[
            "serve",
            "--listen",
            &addr,
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert_eq!(
        line,
        format!(
            "error: cannot listen on {addr}: the address is already in use (choose another with --listen)"
        )
    );
}

#[test]
fn tls_files_that_do_not_exist() {
    let (tmp, data) = data_dir();
    let d = data.to_str().unwrap();
    let (code, line) = fails(
        tmp.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            d,
            "--tls-cert",
            "c.pem",
            "--tls-key",
            "k.pem",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(line.starts_with("error: TLS: c.pem: "), "{line}");
    let (code, line) = fails(tmp.path(), &["serve", "--tls-cert", "c.pem"], &[]);
    assert_eq!(code, 2);
    assert_eq!(
        line,
        "error: invalid TLS settings (from --tls-cert): a certificate needs a key (--tls-key)"
    );
}

#[test]
fn wrong_master_key_for_existing_keys() {
    let (tmp, data) = data_dir();
    let srv = Running::start(&data, &[], &[]);
    srv.stop();
    let other = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let out = run(
        tmp.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[("PORTCULLIS_MASTER_KEY", other)],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let last = stderr.lines().last().unwrap();
    assert!(last.starts_with("error: signing key "), "{last}");
    assert!(last.contains("same PORTCULLIS_MASTER_KEY"), "{last}");
}

#[test]
fn database_unreachable_is_exit_1() {
    let (tmp, data) = data_dir();
    let out = run(
        tmp.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data.to_str().unwrap(),
            "--database-url",
            "postgres://nobody:hunter2@127.0.0.1:1/x",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let last = stderr.lines().last().unwrap();
    assert!(last.starts_with("error: "), "{last}");
    assert!(last.contains("127.0.0.1:1"), "{last}");
    assert!(!stderr.contains("hunter2"), "password leaked: {stderr}");
}
