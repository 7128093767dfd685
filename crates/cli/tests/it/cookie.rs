//! `portcullis cookie encrypt | decrypt`: a round trip, and one-line refusals (the real
//! nextjs-auth0 reading these cookies is in interop/test/session-cookie.test.mjs).

use serde_json::{Value, json};

use crate::{ok, refused, run_with_input};

#[test]
fn encrypt_then_decrypt_and_refusals() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let env = [("AUTH0_SECRET", "a secret shared by the apps")];
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let session = json!({
        "user": {"sub": "auth0|1"},
        "tokenSet": {"accessToken": "at", "expiresAt": now + 60},
        "internal": {"sid": "s", "createdAt": now},
    });
    let set = ok(run_with_input(
        cwd,
        &["cookie", "encrypt", "--inactivity", "2h"],
        &env,
        &session.to_string(),
    ));
    assert!(set.starts_with("Set-Cookie: __session=eyJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiZGlyIn0.."));
    assert!(
        set.trim_end()
            .ends_with("; Max-Age=7200; HttpOnly; SameSite=Lax"),
        "{set}"
    );
    let out: Value =
        serde_json::from_str(&ok(run_with_input(cwd, &["cookie", "decrypt"], &env, &set))).unwrap();
    assert_eq!(out["format"], "nextjs-auth0 v4");
    let exp = out["payload"]["exp"].as_u64().unwrap();
    assert!((now + 7200..=now + 7202).contains(&exp), "{exp}");
    let mut payload = out["payload"].clone();
    payload.as_object_mut().unwrap().remove("exp");
    assert_eq!(payload, session);

    // Another secret, or a cookie past its time: exit 1, one line.
    let wrong = run_with_input(
        cwd,
        &["cookie", "decrypt", "--secret", "another secret"],
        &[],
        &set,
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&wrong.stderr),
        "error: no session could be read: no __session or appSession cookie, or it is \
         expired, tampered or made with another secret\n"
    );
    let later = (exp + 60).to_string();
    let expired = run_with_input(cwd, &["cookie", "decrypt", "--at", &later], &env, &set);
    assert_eq!(expired.status.code(), Some(1));
    // Not JSON, not an object, a bad duration: exit 2.
    assert!(
        refused(run_with_input(cwd, &["cookie", "encrypt"], &env, "{"))
            .starts_with("error: standard input is not JSON: ")
    );
    assert_eq!(
        refused(run_with_input(cwd, &["cookie", "encrypt"], &env, "[1]")),
        "error: invalid session: the session must be a JSON object"
    );
    assert_eq!(
        refused(run_with_input(
            cwd,
            &["cookie", "encrypt", "--absolute", "3 weeks"],
            &env,
            "{}"
        )),
        "error: --absolute: invalid duration `3 weeks`: expected e.g. 90s, 15m, 1h or 2d"
    );
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    // A pipe whose reader is gone before the command writes.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = crate::command(tmp.path(), &["cookie", "encrypt"], &[("AUTH0_SECRET", "s")])
        .stdin(std::process::Stdio::piped())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"user":{"sub":"a"},"internal":{"createdAt":1}}"#)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(141));
}
