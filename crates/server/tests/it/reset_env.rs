//! The world of the password-reset tests: a bootstrapped server with a recording
//! mailer and a manual clock injected (nothing is sent anywhere), a second handle on its
//! SQLite database, and the browser steps of the reset and login pages.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use portcullis_core::password::{HashParams, Password, PasswordHasher};
use portcullis_core::{
    ClientId, Clock, ManualClock, RefreshToken, SsoSession, Store, SystemClock, SystemRng,
    TenantId, User, UserId, token_hash,
};
use portcullis_server::config::{Flags, load_with};
use portcullis_server::mail::{Email, RecordingMailer};
use portcullis_server::{Injected, Prepared, prepare_with};
use portcullis_store::{DatabaseUrl, OpenOptions};
use serde_json::{Value, json};

use crate::world::{CALLBACK, enc, form, set_cookie};
use crate::{header, send};

pub const SENT: &str = "We've just sent you an email to reset your password.";
pub const CONNECTION: &str = "Username-Password-Authentication";
pub const OLD_PASSWORD: &str = "correct horse battery";
pub const NEW_PASSWORD: &str = "new staple 2026";

pub struct Env {
    pub srv: Prepared,
    pub store: Arc<dyn Store>,
    pub mail: Arc<RecordingMailer>,
    pub clock: Arc<ManualClock>,
    pub web_id: String,
    pub web_secret: String,
    /// The data dir (SQLite file, outbox), removed with the Env.
    _dir: tempfile::TempDir,
}

pub fn tenant() -> TenantId {
    TenantId::default_tenant()
}

impl Env {
    pub async fn new() -> Env {
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
        let mail = Arc::new(RecordingMailer::new());
        let srv = prepare_with(
            config,
            Injected {
                clock: Some(clock.clone()),
                mailer: Some(mail.clone()),
            },
        )
        .await
        .unwrap();
        let store = portcullis_store::open(
            &DatabaseUrl::sqlite_file(&dir.path().join("portcullis.db")),
            &OpenOptions::default(),
        )
        .await
        .unwrap();
        let report = srv.bootstrap.clone().unwrap();
        Env {
            web_id: report.web_client_id.to_string(),
            web_secret: report.web_client_secret.expose().to_owned(),
            srv,
            store,
            mail,
            clock,
            _dir: dir,
        }
    }

    pub fn app(&self) -> Router {
        self.srv.router()
    }

    pub fn origin(&self) -> String {
        self.srv.issuer().as_str().trim_end_matches('/').to_owned()
    }

    /// A database user with `password` (hashed with cheap parameters: a test).
    pub async fn user(&self, email: &str, password: &str) -> User {
        let hasher = PasswordHasher::new(
            HashParams::new(1024, 1, 1).unwrap(),
            1,
            Arc::new(SystemRng::new()),
        );
        let hash = hasher
            .hash(&Password::new(password.to_owned()))
            .await
            .unwrap();
        let now = self.clock.now();
        let user = User {
            tenant_id: tenant(),
            user_id: UserId::new_database_user(&SystemRng::new()),
            connection: CONNECTION.into(),
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
        };
        self.store.insert_user(&user).await.unwrap();
        user
    }

    pub async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: String,
        headers: &[(&str, &str)],
    ) -> (Response<()>, String) {
        let mut req = Request::post(path).header("content-type", content_type);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let (res, body) = send(&self.app(), req.body(Body::from(body)).unwrap()).await;
        (res, String::from_utf8(body).unwrap())
    }

    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> (Response<()>, String) {
        let mut req = Request::get(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let (res, body) = send(&self.app(), req.body(Body::empty()).unwrap()).await;
        (res, String::from_utf8(body).unwrap())
    }

    pub async fn change_password_json(&self, body: Value) -> (Response<()>, String) {
        self.post(
            "/dbconnections/change_password",
            "application/json",
            body.to_string(),
            &[],
        )
        .await
    }

    /// Asks for a reset of `email` through the API; returns the ticket mailed, if any.
    pub async fn ask(&self, email: &str) -> Option<String> {
        let before = self.mail.sent().len();
        let (res, body) = self
            .change_password_json(json!({"email": email, "connection": CONNECTION}))
            .await;
        assert_eq!((res.status(), body.as_str()), (StatusCode::OK, SENT));
        self.mail.sent().get(before).map(|m| ticket_of(self, m))
    }

    /// POSTs a same-origin form with the CSRF cookie and field `csrf`.
    pub async fn post_form(
        &self,
        path: &str,
        csrf: &str,
        pairs: &[(&str, &str)],
    ) -> (Response<()>, String) {
        let mut all = vec![("csrf", csrf)];
        all.extend_from_slice(pairs);
        let origin = self.origin();
        let cookie = format!("portcullis_csrf={csrf}");
        self.post(
            path,
            "application/x-www-form-urlencoded",
            form(&all),
            &[("cookie", &cookie), ("origin", &origin)],
        )
        .await
    }

    /// The new-password page of `ticket`: its CSRF cookie.
    pub async fn open_link(&self, ticket: &str) -> (Response<()>, String, Option<String>) {
        let (res, html) = self
            .get(&format!("/u/reset-password?ticket={ticket}"), &[])
            .await;
        let csrf = set_cookie(&res, "portcullis_csrf");
        (res, html, csrf)
    }

    pub async fn reset(
        &self,
        ticket: &str,
        password: &str,
        confirm: &str,
    ) -> (Response<()>, String) {
        let (_, _, csrf) = self.open_link(ticket).await;
        // An unusable link sets no cookie; post with a token of our own then.
        let csrf = csrf.unwrap_or_else(|| "c".repeat(43));
        self.post_form(
            "/u/reset-password",
            &csrf,
            &[
                ("ticket", ticket),
                ("password", password),
                ("password_confirm", confirm),
            ],
        )
        .await
    }

    /// The sealed login transaction of a fresh `/authorize` for the web app.
    pub async fn login_transaction(&self, extra: &str) -> String {
        let path = format!(
            "/authorize?client_id={}&redirect_uri={}&response_type=code&scope=openid&state=s1{extra}",
            self.web_id,
            enc(CALLBACK)
        );
        let (res, _) = self.get(&path, &[]).await;
        assert_eq!(res.status(), StatusCode::FOUND);
        let location = header(&res, "location").to_owned();
        location.split_once("state=").unwrap().1.to_owned()
    }

    /// A login at `/u/login`: its status (303 when the password was right).
    pub async fn login(&self, email: &str, password: &str) -> StatusCode {
        let tx = self.login_transaction("").await;
        let (page, html) = self.get(&format!("/u/login?state={tx}"), &[]).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(html.contains("href=\"/u/reset-password/request?state="));
        let csrf = set_cookie(&page, "portcullis_csrf").unwrap();
        let (res, _) = self
            .post_form(
                "/u/login",
                &csrf,
                &[("state", &tx), ("email", email), ("password", password)],
            )
            .await;
        res.status()
    }

    pub async fn live_session(&self, user: &UserId) -> String {
        let value = format!("cookie-{}", user.as_str());
        let now = self.clock.now();
        self.store
            .insert_session(&SsoSession {
                tenant_id: tenant(),
                id_hash: token_hash(&value),
                sid: format!("sid-{}", user.as_str()),
                user_id: user.clone(),
                auth_time: now,
                created_at: now,
                last_active_at: now,
                expires_at: now.plus_secs(86_400),
                revoked_at: None,
            })
            .await
            .unwrap();
        value
    }

    pub async fn live_refresh_token(&self, user: &UserId, family: &str) -> String {
        let value = format!("refresh-{family}");
        let now = self.clock.now();
        self.store
            .insert_refresh_token(&RefreshToken {
                tenant_id: tenant(),
                token_hash: token_hash(&value),
                family_id: family.into(),
                generation: 0,
                client_id: ClientId::new(self.web_id.clone()),
                user_id: user.clone(),
                scope: "openid offline_access".into(),
                audience: None,
                sid: None,
                code_hash: None,
                auth_time: now,
                created_at: now,
                expires_at: now.plus_secs(30 * 86_400),
                idle_expires_at: now.plus_secs(15 * 86_400),
                consumed_at: None,
                revoked_at: None,
            })
            .await
            .unwrap();
        value
    }

    pub async fn refresh(&self, token: &str) -> (StatusCode, Value) {
        let body = form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
            ("client_id", &self.web_id),
            ("client_secret", &self.web_secret),
        ]);
        let (res, body) = self
            .post(
                "/oauth/token",
                "application/x-www-form-urlencoded",
                body,
                &[],
            )
            .await;
        (res.status(), serde_json::from_str(&body).unwrap())
    }

    pub async fn password_hash(&self, user: &UserId) -> String {
        let u = self.store.user(&tenant(), user).await.unwrap().unwrap();
        u.password_hash.unwrap().as_str().to_owned()
    }
}

/// The ticket in a mail's link, after checking the link's shape.
pub fn ticket_of(env: &Env, mail: &Email) -> String {
    let prefix = format!("{}u/reset-password?ticket=", env.srv.issuer().as_str());
    let link = mail.link.clone().unwrap();
    let ticket = link.strip_prefix(&prefix).unwrap().to_owned();
    assert_eq!(ticket.len(), 43, "256 bits, base64url");
    assert!(mail.text.contains(&link));
    ticket
}

/// Status, every header (the CSP nonce blanked) and body with the nonce blanked: what
/// must not depend on whether an address has an account.
pub fn answer(res: &Response<()>, body: &str) -> (StatusCode, Vec<(String, String)>, String) {
    let nonce = res
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .and_then(|csp| csp.split("'nonce-").nth(1))
        .and_then(|rest| rest.split('\'').next())
        .map(str::to_owned);
    let blank = |s: &str| match &nonce {
        Some(n) => s.replace(n.as_str(), "NONCE"),
        None => s.to_owned(),
    };
    let headers = res
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), blank(v.to_str().unwrap())))
        .collect();
    (res.status(), headers, blank(body))
}
