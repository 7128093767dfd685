//! Logout, revocation, introspection and CORS over HTTP against the real binary, with a
//! browser that really logged in: `/v2/logout` and `/oidc/logout` end the SSO session
//! and redirect only to registered URLs; a tampered `id_token_hint` only asks.

use std::path::Path;

use crate::forms::{enc, env_value, hidden, set_cookie};
use crate::{HttpResponse, Running, http, run, run_with_input};

const EMAIL: &str = "grace@example.com";
const PASSWORD: &str = "a long enough password";
const CALLBACK: &str = "http://localhost:3000/callback";
const LOGOUT_URL: &str = "http://localhost:3000";

struct Browser<'a> {
    srv: &'a Running,
    client_id: String,
    secret: String,
    origin: String,
}

impl Browser<'_> {
    fn authorize_path(&self) -> String {
        format!(
            "/authorize?client_id={}&redirect_uri={}&response_type=code&scope=openid%20email&state=s1&nonce=n1",
            self.client_id,
            enc(CALLBACK)
        )
    }

    /// Logs in through the login form; returns the session cookie value.
    fn login(&self) -> String {
        let res = http(self.srv.addr, "GET", &self.authorize_path(), &[], b"");
        assert_eq!(res.status, 302);
        let login = res.header("location").unwrap().to_owned();
        let page = http(self.srv.addr, "GET", &login, &[], b"");
        assert_eq!(page.status, 200);
        let csrf_cookie = set_cookie(&page, "portcullis_csrf");
        let html = page.text();
        let body = format!(
            "csrf={}&state={}&email={}&password={}",
            enc(&hidden(&html, "csrf")),
            enc(&hidden(&html, "state")),
            enc(EMAIL),
            enc(PASSWORD)
        );
        let ok = http(
            self.srv.addr,
            "POST",
            "/u/login",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Cookie", &format!("portcullis_csrf={csrf_cookie}")),
                ("Origin", &self.origin),
            ],
            body.as_bytes(),
        );
        assert_eq!(ok.status, 303, "{}", ok.text());
        set_cookie(&ok, "portcullis_session")
    }

    /// Where `/authorize` sends a browser with this session cookie.
    fn authorize(&self, session: &str) -> String {
        let res = http(
            self.srv.addr,
            "GET",
            &self.authorize_path(),
            &[("Cookie", &format!("portcullis_session={session}"))],
            b"",
        );
        assert_eq!(res.status, 302);
        res.header("location").unwrap().to_owned()
    }

    fn is_logged_in(&self, session: &str) -> bool {
        let location = self.authorize(session);
        if location.starts_with("/u/login?state=") {
            return false;
        }
        assert!(
            location.starts_with(&format!("{CALLBACK}?code=")),
            "{location}"
        );
        true
    }

    /// The code flow with this session: the token response.
    fn tokens(&self, session: &str) -> serde_json::Value {
        let callback = url::Url::parse(&self.authorize(session)).unwrap();
        let code = callback
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let body = format!(
            "grant_type=authorization_code&code={}&redirect_uri={}&client_id={}&client_secret={}",
            enc(&code),
            enc(CALLBACK),
            self.client_id,
            enc(&self.secret)
        );
        let res = self.post("/oauth/token", &body, &[]);
        assert_eq!(res.status, 200, "{}", res.text());
        res.json()
    }

    fn get(&self, path: &str, session: &str) -> HttpResponse {
        http(
            self.srv.addr,
            "GET",
            path,
            &[("Cookie", &format!("portcullis_session={session}"))],
            b"",
        )
    }

    fn post(&self, path: &str, body: &str, headers: &[(&str, &str)]) -> HttpResponse {
        let mut all = vec![("Content-Type", "application/x-www-form-urlencoded")];
        all.extend_from_slice(headers);
        http(self.srv.addr, "POST", path, &all, body.as_bytes())
    }
}

fn assert_session_cleared(res: &HttpResponse) {
    assert!(
        res.all("set-cookie")
            .contains(&"portcullis_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
        "{:?}",
        res.all("set-cookie")
    );
}

fn logout_flow(cwd: &Path, data: &Path, extra: &[&str], env: &[(&str, &str)]) {
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

    let srv = Running::start(data, extra, env);
    let b = Browser {
        srv: &srv,
        origin: srv.issuer.trim_end_matches('/').to_owned(),
        client_id,
        secret,
    };

    // /v2/logout to a registered URL: 302 there, and the session is dead.
    let session = b.login();
    assert!(b.is_logged_in(&session));
    let res = b.get(
        &format!(
            "/v2/logout?returnTo={}&client_id={}",
            enc(LOGOUT_URL),
            b.client_id
        ),
        &session,
    );
    assert_eq!(res.status, 302);
    assert_eq!(res.header("location"), Some(LOGOUT_URL));
    assert_session_cleared(&res);
    assert!(!b.is_logged_in(&session));

    // /v2/logout to an unregistered URL: the logged-out page, no redirect.
    let session = b.login();
    let res = b.get(
        &format!(
            "/v2/logout?returnTo={}&client_id={}",
            enc("https://evil.example/"),
            b.client_id
        ),
        &session,
    );
    assert_eq!(res.status, 200);
    assert_eq!(res.header("location"), None);
    assert!(res.text().contains("<h1>Logged out</h1>"));
    assert_session_cleared(&res);
    assert!(!b.is_logged_in(&session));

    // /oidc/logout with a valid hint, a registered URL and state: 302 with state.
    let session = b.login();
    let tokens = b.tokens(&session);
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let res = b.get(
        &format!(
            "/oidc/logout?id_token_hint={id_token}&post_logout_redirect_uri={}&state=st%201",
            enc(LOGOUT_URL)
        ),
        &session,
    );
    assert_eq!(res.status, 302, "{}", res.text());
    assert_eq!(
        res.header("location"),
        Some("http://localhost:3000?state=st+1")
    );
    assert_session_cleared(&res);
    assert!(!b.is_logged_in(&session));

    // A modified hint: only the question, the session lives on; confirming ends it.
    let session = b.login();
    let mut modified = id_token.into_bytes();
    let at = modified.len() - 2;
    modified[at] = if modified[at] == b'A' { b'B' } else { b'A' };
    let modified = String::from_utf8(modified).unwrap();
    let res = b.get(
        &format!(
            "/oidc/logout?id_token_hint={modified}&client_id={}&post_logout_redirect_uri={}&state=st",
            b.client_id,
            enc(LOGOUT_URL)
        ),
        &session,
    );
    assert_eq!(res.status, 200);
    assert_eq!(res.header("location"), None);
    let html = res.text();
    assert!(html.contains("<h1>Log out?</h1>"), "{html}");
    assert!(b.is_logged_in(&session));
    let csrf = set_cookie(&res, "portcullis_csrf");
    assert_eq!(hidden(&html, "csrf"), csrf);
    let confirm = format!(
        "csrf={}&client_id={}&post_logout_redirect_uri={}&state={}",
        enc(&csrf),
        enc(&hidden(&html, "client_id")),
        enc(&hidden(&html, "post_logout_redirect_uri")),
        enc(&hidden(&html, "state")),
    );
    let cookies = format!("portcullis_session={session}; portcullis_csrf={csrf}");
    let forged = b.post(
        "/oidc/logout",
        &confirm,
        &[("Cookie", &cookies), ("Origin", "https://evil.example")],
    );
    assert_eq!(forged.status, 403);
    assert!(b.is_logged_in(&session));
    let res = b.post(
        "/oidc/logout",
        &confirm,
        &[("Cookie", &cookies), ("Origin", &b.origin)],
    );
    assert_eq!(res.status, 303);
    assert_eq!(
        res.header("location"),
        Some("http://localhost:3000?state=st")
    );
    assert!(!b.is_logged_in(&session));

    // Revocation: access tokens and unknown tokens get an empty 200 (no refresh token
    // here: the bootstrapped API does not allow offline access).
    let creds = format!("client_id={}&client_secret={}", b.client_id, enc(&b.secret));
    for token in [access.as_str(), "unknown"] {
        let res = b.post("/oauth/revoke", &format!("token={token}&{creds}"), &[]);
        assert_eq!(res.status, 200);
        assert!(res.body.is_empty());
        assert_eq!(res.header("cache-control"), Some("no-store"));
    }
    let res = b.post("/oauth/revoke", &creds, &[]);
    assert_eq!(res.status, 400);
    assert_eq!(
        res.json(),
        serde_json::json!({"error": "invalid_request", "error_description": "Missing required parameter: token"})
    );

    // Introspection: the access token is active, anything else is not.
    let res = b.post("/oauth/introspect", &format!("token={access}&{creds}"), &[]);
    assert_eq!(res.status, 200);
    let v = res.json();
    assert_eq!(v["active"], true);
    assert_eq!(v["client_id"], b.client_id.as_str());
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["iss"], srv.issuer.as_str());
    let res = b.post("/oauth/introspect", &format!("token=unknown&{creds}"), &[]);
    assert_eq!(res.json(), serde_json::json!({"active": false}));

    // CORS for the app's web origin only.
    let preflight = |origin: &str| {
        http(
            srv.addr,
            "OPTIONS",
            "/oauth/token",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
            ],
            b"",
        )
    };
    let res = preflight(LOGOUT_URL);
    assert_eq!(res.status, 204);
    assert_eq!(res.header("access-control-allow-origin"), Some(LOGOUT_URL));
    let res = preflight("https://evil.example");
    assert_eq!(res.status, 405);
    assert_eq!(res.header("access-control-allow-origin"), None);

    // Discovery names the three endpoints.
    let doc = srv.get("/.well-known/openid-configuration").json();
    assert_eq!(
        doc["end_session_endpoint"],
        format!("{}oidc/logout", srv.issuer)
    );
    assert_eq!(
        doc["revocation_endpoint"],
        format!("{}oauth/revoke", srv.issuer)
    );
    assert_eq!(
        doc["introspection_endpoint"],
        format!("{}oauth/introspect", srv.issuer)
    );
}

#[test]
fn logout_on_sqlite() {
    let (tmp, data) = crate::data_dir();
    logout_flow(tmp.path(), &data, &[], &[]);
}

#[tokio::test]
async fn logout_on_postgres() {
    let Some(db) = portcullis_store::testing::fresh_postgres().await else {
        return;
    };
    let (tmp, data) = crate::data_dir();
    let url = db.url.clone();
    let env = [(
        "PORTCULLIS_MASTER_KEY",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    )];
    tokio::task::spawn_blocking(move || {
        logout_flow(tmp.path(), &data, &["--database-url", &url], &env)
    })
    .await
    .unwrap();
    db.drop_database().await.unwrap();
}
