//! Brute-force throttling (cases C.25 and E.38): the token endpoint answers 429 to an
//! address with too many failures, and the login form blocks an account from one
//! address after ten consecutive wrong passwords, counting parallel guesses too.
//! A server with a manual clock, so blocks expire exactly, without sleeping.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response, StatusCode};
use portcullis_core::password::{HashParams, Password, PasswordHasher};
use portcullis_core::rng::random_b64url;
use portcullis_core::{Clock, ManualClock, Store, SystemClock, SystemRng, TenantId, User, UserId};
use portcullis_server::config::{Flags, load_with};
use portcullis_server::routes::universal_login::{
    ACCOUNT_BLOCKED, ADDRESS_BLOCKED, WRONG_CREDENTIALS,
};
use portcullis_server::run::{Injected, prepare_with};
use portcullis_server::throttle::TOKEN_THROTTLED;
use portcullis_store::{DatabaseUrl, OpenOptions};
use serde_json::{Value, json};

use crate::send;
use crate::world::{CALLBACK, enc, form, set_cookie};

const PASSWORD: &str = "correct horse battery staple";

struct Clocked {
    app: Router,
    clock: Arc<ManualClock>,
    store: Arc<dyn Store>,
    /// `scheme://host:port` of the issuer, as a browser sends it in `Origin`.
    origin: String,
    m2m_id: String,
    m2m_secret: String,
    web_id: String,
    web_secret: String,
    audience: String,
    _srv: portcullis_server::Prepared,
    _dir: tempfile::TempDir,
}

/// A server on a fresh data dir whose clock only moves when the test says so.
async fn clocked() -> Clocked {
    let dir = tempfile::tempdir().unwrap();
    let vars = [
        (
            "PORTCULLIS_DATA_DIR",
            dir.path().to_str().unwrap().to_owned(),
        ),
        ("PORTCULLIS_LISTEN", "127.0.0.1:0".to_owned()),
    ];
    let config = load_with(&Flags::default(), &move |k| {
        vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    })
    .unwrap();
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    let injected = Injected {
        clock: Some(clock.clone()),
        ..Injected::default()
    };
    let srv = prepare_with(config, injected).await.unwrap();
    let store = portcullis_store::open(
        &DatabaseUrl::sqlite_file(&dir.path().join("portcullis.db")),
        &OpenOptions::default(),
    )
    .await
    .unwrap();
    let report = srv.bootstrap.clone().unwrap();
    Clocked {
        app: srv.router(),
        clock,
        store,
        origin: srv.issuer().as_str().trim_end_matches('/').to_owned(),
        m2m_id: report.m2m_client_id.to_string(),
        m2m_secret: report.m2m_client_secret.expose().to_owned(),
        web_id: report.web_client_id.to_string(),
        web_secret: report.web_client_secret.expose().to_owned(),
        audience: report.management_audience.clone(),
        _srv: srv,
        _dir: dir,
    }
}

fn peer(ip: &str) -> SocketAddr {
    SocketAddr::new(ip.parse().unwrap(), 40_000)
}

const A: &str = "192.0.2.1";
const B: &str = "198.51.100.2";

impl Clocked {
    async fn post(
        &self,
        from: &str,
        path: &str,
        content_type: &str,
        body: String,
        headers: &[(&str, &str)],
    ) -> (Response<()>, Vec<u8>) {
        let mut req = Request::post(path).header("content-type", content_type);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut req = req.body(Body::from(body)).unwrap();
        req.extensions_mut().insert(ConnectInfo(peer(from)));
        send(&self.app, req).await
    }

    async fn token(&self, from: &str, pairs: &[(&str, &str)]) -> (Response<()>, Value) {
        let (res, body) = self
            .post(
                from,
                "/oauth/token",
                "application/x-www-form-urlencoded",
                form(pairs),
                &[],
            )
            .await;
        assert_eq!(res.headers()["cache-control"], "no-store");
        (res, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn m2m(&self, from: &str, secret: &str) -> (Response<()>, Value) {
        self.token(
            from,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &self.m2m_id),
                ("client_secret", secret),
                ("audience", &self.audience),
            ],
        )
        .await
    }

    async fn user(&self, email: &str) {
        let hasher = PasswordHasher::new(HashParams::OWASP, 1, Arc::new(SystemRng::new()));
        let hash = hasher
            .hash(&Password::new(PASSWORD.to_owned()))
            .await
            .unwrap();
        let now = self.clock.now();
        self.store
            .insert_user(&User {
                tenant_id: TenantId::default_tenant(),
                user_id: UserId::new(format!("auth0|{}", random_b64url(&SystemRng::new(), 12))),
                connection: "Username-Password-Authentication".into(),
                email: email.into(),
                email_verified: true,
                name: email.into(),
                nickname: "n".into(),
                picture: None,
                password_hash: Some(hash),
                blocked: false,
                user_metadata: json!({}),
                app_metadata: json!({}),
                created_at: now,
                updated_at: now,
                last_login: None,
                logins_count: 0,
            })
            .await
            .unwrap();
    }

    /// `/authorize` then the login page: the form's transaction and CSRF token.
    async fn login_form(&self) -> LoginForm {
        let path = format!(
            "/authorize?client_id={}&redirect_uri={}&response_type=code&scope=openid&state=s1",
            self.web_id,
            enc(CALLBACK)
        );
        let (res, _) = send(&self.app, Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(res.status(), StatusCode::FOUND);
        let login = res.headers()["location"].to_str().unwrap().to_owned();
        let (res, body) = send(&self.app, Request::get(login).body(Body::empty()).unwrap()).await;
        assert_eq!(res.status(), StatusCode::OK);
        let csrf = set_cookie(&res, "portcullis_csrf").unwrap();
        let html = String::from_utf8(body).unwrap();
        LoginForm {
            csrf,
            state: hidden(&html, "state"),
        }
    }

    async fn login(
        &self,
        f: &LoginForm,
        from: &str,
        email: &str,
        password: &str,
    ) -> (StatusCode, Option<String>, String) {
        let body = form(&[
            ("csrf", &f.csrf),
            ("state", &f.state),
            ("email", email),
            ("password", password),
        ]);
        let cookie = format!("portcullis_csrf={}", f.csrf);
        let (res, body) = self
            .post(
                from,
                "/u/login",
                "application/x-www-form-urlencoded",
                body,
                &[("origin", &self.origin), ("cookie", &cookie)],
            )
            .await;
        let retry = res
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let html = String::from_utf8(body).unwrap();
        // The page with the nonce of its CSP taken out, to compare answers.
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|s| s.split('\'').next())
            .map(str::to_owned);
        let html = match nonce {
            Some(n) => html.replace(&n, "NONCE"),
            None => html,
        };
        (res.status(), retry, html)
    }
}

struct LoginForm {
    csrf: String,
    state: String,
}

fn hidden(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\"")).unwrap();
    let rest = &html[at..];
    let start = rest.find("value=\"").unwrap() + 7;
    let end = rest[start..].find('"').unwrap();
    rest[start..start + end]
        .replace("&amp;", "&")
        .replace("&#x2f;", "/")
}

fn assert_throttled(res: &Response<()>, body: &Value, retry_after: &str) {
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(
        body,
        &json!({"error": "too_many_requests", "error_description": TOKEN_THROTTLED})
    );
    assert_eq!(res.headers()["retry-after"], retry_after);
    assert_eq!(res.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn wrong_client_secrets_are_throttled_per_address() {
    let w = clocked().await;
    for i in 0..30 {
        let (res, body) = w.m2m(A, &format!("guess-{i}")).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{i}: {body}");
        assert_eq!(body["error"], "invalid_client");
    }
    let (res, body) = w.m2m(A, "guess-30").await;
    assert_throttled(&res, &body, "2");
    // Refused before anything is read: the right secret, or a body that would
    // otherwise be a 400, get the same 429.
    let (res, body) = w.m2m(A, &w.m2m_secret.clone()).await;
    assert_throttled(&res, &body, "2");
    let (res, bytes) = w
        .post(A, "/oauth/token", "text/plain", "x".into(), &[])
        .await;
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_throttled(&res, &body, "2");
    // Another address is served.
    let (res, _) = w.m2m(B, &w.m2m_secret.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Two seconds later, one more attempt.
    w.clock.advance(2);
    let (res, _) = w.m2m(A, &w.m2m_secret.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (res, _) = w.m2m(A, "guess-31").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (res, body) = w.m2m(A, &w.m2m_secret.clone()).await;
    assert_throttled(&res, &body, "2");
    // A minute later the whole budget is back.
    w.clock.advance(60);
    for _ in 0..30 {
        let (res, _) = w.m2m(A, "guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let (res, body) = w.m2m(A, "guess").await;
    assert_throttled(&res, &body, "2");
}

#[tokio::test]
async fn random_codes_and_refresh_tokens_count_as_failures() {
    let w = clocked().await;
    let (web_id, web_secret) = (w.web_id.clone(), w.web_secret.clone());
    for i in 0..30 {
        let guess = format!("guess-{i}");
        let pairs: Vec<(&str, &str)> = if i % 2 == 0 {
            vec![
                ("grant_type", "authorization_code"),
                ("code", &guess),
                ("redirect_uri", CALLBACK),
                ("client_id", &web_id),
                ("client_secret", &web_secret),
            ]
        } else {
            vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", &guess),
                ("client_id", &web_id),
                ("client_secret", &web_secret),
            ]
        };
        let (res, body) = w.token(A, &pairs).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{i}: {body}");
        assert_eq!(body["error"], "invalid_grant");
    }
    let (res, body) = w.m2m(A, &w.m2m_secret.clone()).await;
    assert_throttled(&res, &body, "2");
}

#[tokio::test]
async fn secrets_guessed_at_revoke_and_introspect_share_the_budget() {
    let w = clocked().await;
    for (i, path) in ["/oauth/revoke", "/oauth/introspect"]
        .iter()
        .cycle()
        .take(30)
        .enumerate()
    {
        let guess = format!("guess-{i}");
        let body = form(&[
            ("token", "t"),
            ("client_id", &w.web_id),
            ("client_secret", &guess),
        ]);
        let (res, bytes) = w
            .post(A, path, "application/x-www-form-urlencoded", body, &[])
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{i} {path}");
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["error"], "invalid_client");
    }
    for path in ["/oauth/revoke", "/oauth/introspect"] {
        let body = form(&[
            ("token", "t"),
            ("client_id", &w.web_id),
            ("client_secret", &w.web_secret),
        ]);
        let (res, bytes) = w
            .post(A, path, "application/x-www-form-urlencoded", body, &[])
            .await;
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_throttled(&res, &body, "2");
    }
    let (res, body) = w.m2m(A, &w.m2m_secret.clone()).await;
    assert_throttled(&res, &body, "2");
}

#[tokio::test]
async fn successes_and_malformed_requests_do_not_count() {
    let w = clocked().await;
    for _ in 0..40 {
        let (res, _) = w.m2m(A, &w.m2m_secret.clone()).await;
        assert_eq!(res.status(), StatusCode::OK);
        let (res, body) = w.token(A, &[("client_id", "x")]).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "invalid_request");
    }
    // The full budget of 30 failures is still there.
    for _ in 0..30 {
        let (res, _) = w.m2m(A, "guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let (res, body) = w.m2m(A, "guess").await;
    assert_throttled(&res, &body, "2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_parallel_wrong_passwords_all_count() {
    let w = Arc::new(clocked().await);
    w.user("ada@example.com").await;
    let f = Arc::new(w.login_form().await);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let (w, f) = (w.clone(), f.clone());
        tasks.spawn(async move {
            w.login(&f, A, "ada@example.com", &format!("wrong {i}"))
                .await
        });
    }
    let (mut evaluated, mut refused) = (0, 0);
    while let Some(done) = tasks.join_next().await {
        let (status, retry, html) = done.unwrap();
        match status {
            StatusCode::BAD_REQUEST => {
                assert!(html.contains(WRONG_CREDENTIALS));
                assert_eq!(retry, None);
                evaluated += 1;
            }
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(html.contains(ACCOUNT_BLOCKED));
                assert_eq!(retry.as_deref(), Some("900"));
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((evaluated, refused), (10, 40));

    // The right password from the same address: still blocked.
    let (status, _, html) = w.login(&f, A, "ada@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains(ACCOUNT_BLOCKED));
    // The real user elsewhere is not locked out.
    let (status, _, _) = w.login(&f, B, "ada@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Fifteen minutes later (by the injected clock) the block is over.
    w.clock.advance(899);
    let (status, retry, _) = w.login(&f, A, "ada@example.com", PASSWORD).await;
    assert_eq!(
        (status, retry.as_deref()),
        (StatusCode::TOO_MANY_REQUESTS, Some("1"))
    );
    w.clock.advance(1);
    let (status, _, _) = w.login(&f, A, "ada@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_blocked_unknown_account_looks_like_a_blocked_known_one() {
    let w = clocked().await;
    w.user("ada@example.com").await;
    let f = w.login_form().await;
    let mut last = Vec::new();
    for email in ["ada@example.com", "nobody@example.com"] {
        for _ in 0..10 {
            let (status, _, _) = w.login(&f, A, email, "wrong").await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
        }
        let (status, retry, html) = w.login(&f, A, email, "wrong").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(retry.as_deref(), Some("900"));
        assert!(html.contains(ACCOUNT_BLOCKED));
        last.push(html.replace(email, "EMAIL"));
    }
    assert_eq!(last[0], last[1]);
}

#[tokio::test]
async fn a_good_login_resets_the_streak() {
    let w = clocked().await;
    w.user("ada@example.com").await;
    let f = w.login_form().await;
    for _ in 0..9 {
        let (status, _, _) = w.login(&f, A, "ada@example.com", "wrong").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let (status, _, _) = w.login(&f, A, "Ada@Example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    for _ in 0..10 {
        let (status, _, _) = w.login(&f, A, "ada@example.com", "wrong").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let (status, _, _) = w.login(&f, A, "ada@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_guessing_many_accounts_is_throttled() {
    let w = Arc::new(clocked().await);
    let f = Arc::new(w.login_form().await);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..150 {
        let (w, f) = (w.clone(), f.clone());
        tasks.spawn(async move {
            w.login(&f, A, &format!("user{i}@example.com"), "wrong")
                .await
        });
    }
    let (mut evaluated, mut refused) = (0, 0);
    while let Some(done) = tasks.join_next().await {
        let (status, retry, html) = done.unwrap();
        match status {
            StatusCode::BAD_REQUEST => evaluated += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(html.contains(ADDRESS_BLOCKED));
                assert_eq!(retry.as_deref(), Some("36"));
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((evaluated, refused), (100, 50));
    // Another address is not affected.
    let (status, _, _) = w.login(&f, B, "user0@example.com", "wrong").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
