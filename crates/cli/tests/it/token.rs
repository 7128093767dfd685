//! `portcullis token decode | verify` on a token from a running server.

use serde_json::{Value, json};

use crate::forms::env_value;
use crate::listing::bootstrapped_server;
use crate::{data_dir, http, ok, run};

#[test]
fn verify_says_valid_or_why_not() {
    let (tmp, data) = data_dir();
    let cwd = tmp.path();
    let (boot, listen, _server) = bootstrapped_server(cwd, &data);
    let audience = env_value(&boot, "PORTCULLIS_M2M_AUDIENCE");
    let body = json!({
        "grant_type": "client_credentials",
        "client_id": env_value(&boot, "PORTCULLIS_M2M_CLIENT_ID"),
        "client_secret": env_value(&boot, "PORTCULLIS_M2M_CLIENT_SECRET"),
        "audience": audience,
    })
    .to_string();
    let addr = listen.parse().unwrap();
    let answer = http(
        addr,
        "POST",
        "/oauth/token",
        &[("content-type", "application/json")],
        body.as_bytes(),
    );
    let token = answer.json()["access_token"].as_str().unwrap().to_owned();
    let issuer = format!("http://{listen}/");

    let decoded: Value =
        serde_json::from_str(&ok(run(cwd, &["token", "decode", &token], &[]))).unwrap();
    assert_eq!(decoded["header"]["alg"], "RS256");
    assert_eq!(decoded["claims"]["aud"], json!(audience));
    assert!(decoded["times"]["exp"].as_str().unwrap().contains(" (in "));

    let verify = |extra: &[&str]| {
        let mut args = vec![
            "token",
            "verify",
            token.as_str(),
            "--issuer",
            issuer.as_str(),
        ];
        args.extend_from_slice(extra);
        run(cwd, &args, &[])
    };
    assert!(ok(verify(&["--audience", &audience])).ends_with("\nvalid\n"));
    assert!(ok(verify(&[])).ends_with("\nvalid (audience not checked: no --audience)\n"));
    let wrong = verify(&["--audience", "https://other.example/"]);
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&wrong.stderr),
        "error: invalid: the token's audience is not accepted\n"
    );
    // Portcullis writes RFC 9068 access tokens: strict mode takes them.
    assert_eq!(decoded["header"]["typ"], "at+jwt");
    assert!(ok(verify(&["--audience", &audience, "--strict"])).ends_with("\nvalid\n"));
    // The issuer off by a slash is another issuer: discovery says so.
    let slashless = format!("http://{listen}");
    let other = run(
        cwd,
        &["token", "verify", &token, "--issuer", &slashless],
        &[],
    );
    assert_eq!(other.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&other.stderr),
        format!(
            "error: cannot read the issuer's keys: {slashless}/.well-known/openid-configuration: \
             it names issuer \"{issuer}\", not the configured \"{slashless}\"\n"
        )
    );
    // Not a token at all: exit 2.
    let garbage = run(cwd, &["token", "decode", "not-a-jwt"], &[]);
    assert_eq!(garbage.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&garbage.stderr),
        "error: not a JWT: it needs three dot-separated parts (header.payload.signature)\n"
    );
}
