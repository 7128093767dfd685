//! The whole login over HTTP against the real binary, on SQLite and on PostgreSQL:
//! authorize → login form → callback with code → token → userinfo, and a replayed code;
//! then, on the same SSO session, offline access to an API made with `admin apis create`:
//! a refresh token, rotated, reused, and refused to other clients and wider scopes.

use std::path::Path;

use crate::forms::{enc, env_value, hidden, set_cookie};
use crate::{Running, data_dir, http, run, run_with_input};

const EMAIL: &str = "grace@example.com";
const PASSWORD: &str = "a long enough password";
const CALLBACK: &str = "http://localhost:3000/callback";

fn full_flow(cwd: &Path, data: &Path, extra: &[&str], env: &[(&str, &str)]) {
    let d = data.to_str().unwrap();
    let mut args = vec!["admin", "bootstrap", "--data-dir", d];
    args.extend_from_slice(extra);
    let boot = run(cwd, &args, env);
    assert_eq!(
        boot.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&boot.stderr)
    );
    let out = String::from_utf8(boot.stdout).unwrap();
    let client_id = env_value(&out, "CLIENT_ID");
    let secret = env_value(&out, "CLIENT_SECRET");
    let mut args = vec![
        "admin",
        "users",
        "create",
        "--email",
        EMAIL,
        "--data-dir",
        d,
    ];
    args.extend_from_slice(extra);
    let created = run_with_input(cwd, &args, env, &format!("{PASSWORD}\n"));
    assert_eq!(
        created.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let user_id = String::from_utf8(created.stdout)
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned();
    create_api(cwd, d, extra, env);

    let srv = Running::start(data, extra, env);
    let origin = srv.issuer.trim_end_matches('/').to_owned();
    let authorize = format!(
        "/authorize?client_id={client_id}&redirect_uri={}&response_type=code&scope=openid%20email&state=s1&nonce=n1",
        enc(CALLBACK)
    );
    let res = http(srv.addr, "GET", &authorize, &[], b"");
    assert_eq!(res.status, 302);
    let login = res.header("location").unwrap().to_owned();
    assert!(login.starts_with("/u/login?state="), "{login}");

    let page = http(srv.addr, "GET", &login, &[], b"");
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let csrf_cookie = set_cookie(&page, "portcullis_csrf");
    let html = page.text();
    let csrf = hidden(&html, "csrf");
    let tx = hidden(&html, "state");
    assert_eq!(csrf, csrf_cookie);

    let post = |password: &str, csrf_field: &str| {
        let body = format!(
            "csrf={}&state={}&email={}&password={}",
            enc(csrf_field),
            enc(&tx),
            enc(EMAIL),
            enc(password)
        );
        http(
            srv.addr,
            "POST",
            "/u/login",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Cookie", &format!("portcullis_csrf={csrf_cookie}")),
                ("Origin", &origin),
            ],
            body.as_bytes(),
        )
    };
    // No valid CSRF token: 403 and no session.
    let forged = post(PASSWORD, "forged");
    assert_eq!(forged.status, 403);
    assert!(
        forged
            .all("set-cookie")
            .iter()
            .all(|c| !c.starts_with("portcullis_session="))
    );
    // Wrong password and unknown user look the same.
    let wrong = post("wrong password!", &csrf);
    assert_eq!(wrong.status, 400);
    assert!(wrong.text().contains("Wrong email or password."));

    let ok = post(PASSWORD, &csrf);
    assert_eq!(ok.status, 303, "{}", ok.text());
    let resume = ok.header("location").unwrap().to_owned();
    let session = set_cookie(&ok, "portcullis_session");
    let res = http(
        srv.addr,
        "GET",
        &resume,
        &[("Cookie", &format!("portcullis_session={session}"))],
        b"",
    );
    assert_eq!(res.status, 302);
    let callback = url::Url::parse(res.header("location").unwrap()).unwrap();
    assert_eq!(&callback.as_str()[..CALLBACK.len()], CALLBACK);
    let q: std::collections::HashMap<String, String> =
        callback.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "s1");
    assert_eq!(q["iss"], srv.issuer);
    let code = q["code"].clone();

    let token_body = format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&client_id={client_id}&client_secret={}",
        enc(&code),
        enc(CALLBACK),
        enc(&secret)
    );
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let tokens = http(
        srv.addr,
        "POST",
        "/oauth/token",
        &form,
        token_body.as_bytes(),
    );
    assert_eq!(tokens.status, 200, "{}", tokens.text());
    let t = tokens.json();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["scope"], "openid email");
    let id_token = t["id_token"].as_str().unwrap();
    let payload = id_token.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["sub"], user_id.as_str());
    assert_eq!(claims["aud"], client_id.as_str());
    assert_eq!(claims["nonce"], "n1");
    assert_eq!(claims["email"], EMAIL);
    assert!(
        claims.get("name").is_none(),
        "profile claims without the profile scope"
    );

    let access = t["access_token"].as_str().unwrap();
    let info = http(
        srv.addr,
        "GET",
        "/userinfo",
        &[("Authorization", &format!("Bearer {access}"))],
        b"",
    );
    assert_eq!(info.status, 200);
    assert_eq!(
        info.json(),
        serde_json::json!({"sub": user_id, "email": EMAIL, "email_verified": false})
    );
    let bad = http(
        srv.addr,
        "GET",
        "/userinfo",
        &[("Authorization", &format!("Bearer {access}x"))],
        b"",
    );
    assert_eq!(bad.status, 401);
    assert_eq!(
        bad.header("www-authenticate"),
        Some("Bearer realm=\"portcullis\", error=\"invalid_token\"")
    );

    let replay = http(
        srv.addr,
        "POST",
        "/oauth/token",
        &form,
        token_body.as_bytes(),
    );
    assert_eq!(replay.status, 400);
    assert_eq!(
        replay.json(),
        serde_json::json!({"error": "invalid_grant", "error_description": "Invalid authorization code"})
    );

    let m2m = (
        env_value(&out, "PORTCULLIS_M2M_CLIENT_ID"),
        env_value(&out, "PORTCULLIS_M2M_CLIENT_SECRET"),
    );
    offline_access(
        &srv,
        (&client_id, &secret),
        (&m2m.0, &m2m.1),
        &session,
        &user_id,
    );
}

const ORDERS: &str = "https://orders.example/";

/// `admin apis create`: an API that allows offline access; the same identifier twice is
/// refused.
fn create_api(cwd: &Path, data: &str, extra: &[&str], env: &[(&str, &str)]) {
    let mut args = vec![
        "admin",
        "apis",
        "create",
        "--identifier",
        ORDERS,
        "--name",
        "Orders",
        "--allow-offline-access",
        "--scope",
        "read:orders",
        "--scope",
        "write:orders",
        "--data-dir",
        data,
    ];
    args.extend_from_slice(extra);
    let created = run(cwd, &args, env);
    assert_eq!(
        created.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let out = String::from_utf8(created.stdout).unwrap();
    let id = out
        .strip_prefix("created ")
        .and_then(|rest| rest.strip_suffix(&format!(" ({ORDERS})\n")))
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(id.len(), 24);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    let again = run(cwd, &args, env);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&again.stderr),
        format!("error: an API with identifier {ORDERS} exists already\n")
    );
}

/// On the SSO session: a code for the orders API with `offline_access`, its refresh
/// token rotated, then reused (C.27).
fn offline_access(
    srv: &Running,
    (client_id, secret): (&str, &str),
    (m2m_id, m2m_secret): (&str, &str),
    session: &str,
    user_id: &str,
) {
    let authorize = format!(
        "/authorize?client_id={client_id}&redirect_uri={}&response_type=code&scope={}&audience={}&state=s2",
        enc(CALLBACK),
        enc("openid offline_access read:orders"),
        enc(ORDERS),
    );
    let res = http(
        srv.addr,
        "GET",
        &authorize,
        &[("Cookie", &format!("portcullis_session={session}"))],
        b"",
    );
    assert_eq!(res.status, 302);
    let callback = url::Url::parse(res.header("location").unwrap()).unwrap();
    let code = callback
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let token = |params: &[(&str, &str)]| {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        let res = http(
            srv.addr,
            "POST",
            "/oauth/token",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        );
        (res.status, res.json())
    };
    let refresh = |rt: &str, client: (&str, &str), scope: Option<&str>| {
        let mut params = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", client.0),
            ("client_secret", client.1),
        ];
        if let Some(s) = scope {
            params.push(("scope", s));
        }
        token(&params)
    };
    let web = (client_id, secret);
    let invalid = serde_json::json!({
        "error": "invalid_grant",
        "error_description": "Unknown or invalid refresh token."
    });

    let (status, t) = token(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("client_id", client_id),
        ("client_secret", secret),
    ]);
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["scope"], "openid offline_access read:orders");
    let r0 = t["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(r0.len(), 43);

    // Rotation: new access, ID and refresh tokens.
    let (status, t) = refresh(&r0, web, None);
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["scope"], "openid offline_access read:orders");
    assert!(t["id_token"].is_string());
    let r1 = t["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r0);
    let info = http(
        srv.addr,
        "GET",
        "/userinfo",
        &[(
            "Authorization",
            &format!("Bearer {}", t["access_token"].as_str().unwrap()),
        )],
        b"",
    );
    assert_eq!(info.status, 200);
    assert_eq!(info.json(), serde_json::json!({"sub": user_id}));

    // A wider scope, or a client that may not refresh: refused, R1 not used up.
    let (status, t) = refresh(&r1, web, Some("openid write:orders"));
    assert_eq!(status, 400);
    assert_eq!(
        t,
        serde_json::json!({
            "error": "invalid_scope",
            "error_description": "The requested scope exceeds the scope granted: write:orders"
        })
    );
    let (status, t) = refresh(&r1, (m2m_id, m2m_secret), None);
    assert_eq!(status, 403);
    assert_eq!(
        t,
        serde_json::json!({
            "error": "unauthorized_client",
            "error_description": "Grant type 'refresh_token' not allowed for the client."
        })
    );
    let (status, t) = refresh(&r1, web, None);
    assert_eq!(status, 200, "{t}");
    let r2 = t["refresh_token"].as_str().unwrap().to_owned();

    // R0 again: reuse. The whole family is revoked, R2 included.
    assert_eq!(refresh(&r0, web, None), (400, invalid.clone()));
    assert_eq!(refresh(&r2, web, None), (400, invalid));
}

#[test]
fn code_flow_on_sqlite() {
    let (tmp, data) = data_dir();
    full_flow(tmp.path(), &data, &[], &[]);
}

#[tokio::test]
async fn code_flow_on_postgres() {
    let Some(db) = portcullis_store::testing::fresh_postgres().await else {
        return;
    };
    let (tmp, data) = data_dir();
    let url = db.url.clone();
    let env = [(
        "PORTCULLIS_MASTER_KEY",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    )];
    tokio::task::spawn_blocking(move || {
        full_flow(tmp.path(), &data, &["--database-url", &url], &env)
    })
    .await
    .unwrap();
    db.drop_database().await.unwrap();
}

#[test]
fn signup_with_screen_hint_logs_the_new_user_in() {
    let (tmp, data) = data_dir();
    let d = data.to_str().unwrap();
    let boot = run(tmp.path(), &["admin", "bootstrap", "--data-dir", d], &[]);
    let client_id = env_value(&String::from_utf8(boot.stdout).unwrap(), "CLIENT_ID");
    let srv = Running::start(&data, &[], &[]);
    let origin = srv.issuer.trim_end_matches('/').to_owned();
    let authorize = format!(
        "/authorize?client_id={client_id}&redirect_uri={}&response_type=code&scope=openid&state=s9&screen_hint=signup",
        enc(CALLBACK)
    );
    let res = http(srv.addr, "GET", &authorize, &[], b"");
    let signup = res.header("location").unwrap().to_owned();
    assert!(signup.starts_with("/u/signup?state="), "{signup}");
    let page = http(srv.addr, "GET", &signup, &[], b"");
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("autocomplete=\"new-password\""));
    let csrf = set_cookie(&page, "portcullis_csrf");
    let tx = hidden(&html, "state");
    let post = |email: &str, password: &str| {
        let body = format!(
            "csrf={}&state={}&email={}&password={}",
            enc(&csrf),
            enc(&tx),
            enc(email),
            enc(password)
        );
        http(
            srv.addr,
            "POST",
            "/u/signup",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Cookie", &format!("portcullis_csrf={csrf}")),
                ("Origin", &origin),
            ],
            body.as_bytes(),
        )
    };
    let weak = post("new@example.com", "short");
    assert_eq!(weak.status, 400);
    assert!(
        weak.text()
            .contains("Password is too weak. At least 8 characters.")
    );
    let bad = post("not-an-email", PASSWORD);
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("Enter a valid email address."));
    let ok = post("New@Example.com", PASSWORD);
    assert_eq!(ok.status, 303, "{}", ok.text());
    let session = set_cookie(&ok, "portcullis_session");
    let res = http(
        srv.addr,
        "GET",
        ok.header("location").unwrap(),
        &[("Cookie", &format!("portcullis_session={session}"))],
        b"",
    );
    assert_eq!(res.status, 302);
    assert!(
        res.header("location")
            .unwrap()
            .starts_with(&format!("{CALLBACK}?code="))
    );
    // The same email again, in other case: refused.
    let again = post("new@EXAMPLE.com", PASSWORD);
    assert_eq!(again.status, 400);
    assert!(again.text().contains("Could not sign up with this email."));
}
