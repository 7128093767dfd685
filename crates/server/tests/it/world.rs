//! A bootstrapped server with a second handle on its SQLite database, so tests can
//! plant users, SSO sessions and refresh tokens and then look at what the server did.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use portcullis_core::rng::random_b64url;
use portcullis_core::{
    Clock, RefreshToken, SsoSession, Store, SystemClock, SystemRng, TenantId, UnixTime, User,
    UserId, token_hash,
};
use portcullis_store::{DatabaseUrl, OpenOptions};
use serde_json::Value;

use crate::{header, send, server};

pub const CALLBACK: &str = "http://localhost:3000/callback";
/// The bootstrapped web application's one allowed logout URL and web origin.
pub const APP_ORIGIN: &str = "http://localhost:3000";

pub struct World {
    pub srv: portcullis_server::Prepared,
    pub store: Arc<dyn Store>,
    pub web_id: String,
    pub web_secret: String,
    pub m2m_id: String,
    pub m2m_secret: String,
    pub audience: String,
    _dir: tempfile::TempDir,
}

pub fn now() -> UnixTime {
    SystemClock.now()
}

pub fn tenant() -> TenantId {
    TenantId::default_tenant()
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl World {
    pub async fn new() -> World {
        let (srv, dir) = server(&[]).await;
        let store = portcullis_store::open(
            &DatabaseUrl::sqlite_file(&dir.path().join("portcullis.db")),
            &OpenOptions::default(),
        )
        .await
        .unwrap();
        let report = srv.bootstrap.clone().unwrap();
        World {
            web_id: report.web_client_id.to_string(),
            web_secret: report.web_client_secret.expose().to_owned(),
            m2m_id: report.m2m_client_id.to_string(),
            m2m_secret: report.m2m_client_secret.expose().to_owned(),
            audience: report.management_audience.clone(),
            srv,
            store,
            _dir: dir,
        }
    }

    pub fn app(&self) -> Router {
        self.srv.router()
    }

    /// `scheme://host:port` of the issuer, as a browser sends it in `Origin`.
    pub fn origin(&self) -> String {
        self.srv.issuer().as_str().trim_end_matches('/').to_owned()
    }

    pub async fn user(&self, email: &str) -> UserId {
        let user_id = UserId::new(format!("auth0|{}", random_b64url(&SystemRng::new(), 12)));
        self.store
            .insert_user(&User {
                tenant_id: tenant(),
                user_id: user_id.clone(),
                connection: "Username-Password-Authentication".into(),
                email: email.into(),
                email_verified: false,
                name: email.into(),
                nickname: "n".into(),
                picture: None,
                password_hash: None,
                blocked: false,
                user_metadata: serde_json::json!({}),
                app_metadata: serde_json::json!({}),
                created_at: now(),
                updated_at: now(),
                last_login: None,
                logins_count: 0,
            })
            .await
            .unwrap();
        user_id
    }

    /// A live SSO session of `user`; returns the cookie value.
    pub async fn session(&self, user: &UserId) -> String {
        let value = random_b64url(&SystemRng::new(), 32);
        self.store
            .insert_session(&SsoSession {
                tenant_id: tenant(),
                id_hash: token_hash(&value),
                sid: random_b64url(&SystemRng::new(), 16),
                user_id: user.clone(),
                auth_time: now(),
                created_at: now(),
                last_active_at: now(),
                expires_at: now().plus_secs(3600),
                revoked_at: None,
            })
            .await
            .unwrap();
        value
    }

    pub async fn session_revoked(&self, cookie: &str) -> bool {
        self.store
            .session(&tenant(), &token_hash(cookie))
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    }

    /// `/authorize` with the session cookie: where it sends the browser.
    pub async fn authorize(&self, cookie: &str) -> String {
        let path = format!(
            "/authorize?client_id={}&redirect_uri={}&response_type=code&scope=openid%20email&state=s1&nonce=n1",
            self.web_id,
            enc(CALLBACK)
        );
        let req = Request::get(path)
            .header("cookie", format!("portcullis_session={cookie}"))
            .body(Body::empty())
            .unwrap();
        let (res, _) = send(&self.app(), req).await;
        assert_eq!(res.status(), StatusCode::FOUND);
        header(&res, "location").to_owned()
    }

    /// The code flow for the logged-in browser: the token response of the web app.
    pub async fn tokens(&self, cookie: &str) -> Value {
        let location = self.authorize(cookie).await;
        let callback = url::Url::parse(&location).unwrap();
        let code = callback
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let body = form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("client_id", &self.web_id),
            ("client_secret", &self.web_secret),
        ]);
        let (res, body) = self.post_form("/oauth/token", body, &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        serde_json::from_slice(&body).unwrap()
    }

    /// An M2M access token for the Management API.
    pub async fn m2m_token(&self) -> String {
        let body = form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &self.m2m_id),
            ("client_secret", &self.m2m_secret),
            ("audience", &self.audience),
        ]);
        let (res, body) = self.post_form("/oauth/token", body, &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let v: Value = serde_json::from_slice(&body).unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    }

    /// Stores a refresh token of the web app for `user`, in family `family` at
    /// `generation`; returns the token.
    pub async fn refresh_token(
        &self,
        user: &UserId,
        family: &str,
        generation: u32,
        expires_at: UnixTime,
        consumed: bool,
    ) -> String {
        let value = random_b64url(&SystemRng::new(), 32);
        self.store
            .insert_refresh_token(&RefreshToken {
                tenant_id: tenant(),
                token_hash: token_hash(&value),
                family_id: family.into(),
                generation,
                client_id: portcullis_core::ClientId::new(self.web_id.clone()),
                user_id: user.clone(),
                scope: "openid offline_access".into(),
                audience: None,
                sid: None,
                code_hash: None,
                auth_time: now(),
                created_at: now(),
                expires_at,
                idle_expires_at: expires_at,
                consumed_at: consumed.then(now),
                revoked_at: None,
            })
            .await
            .unwrap();
        value
    }

    pub async fn refresh_revoked(&self, token: &str) -> bool {
        self.store
            .refresh_token(&tenant(), &token_hash(token))
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    }

    pub async fn post_form(
        &self,
        path: &str,
        body: String,
        headers: &[(&str, &str)],
    ) -> (Response<()>, Vec<u8>) {
        let mut req =
            Request::post(path).header("content-type", "application/x-www-form-urlencoded");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        send(&self.app(), req.body(Body::from(body)).unwrap()).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> (Response<()>, String) {
        let mut req = Request::get(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let (res, body) = send(&self.app(), req.body(Body::empty()).unwrap()).await;
        (res, String::from_utf8(body).unwrap())
    }
}

/// The value `res` sets for cookie `name`.
pub fn set_cookie(res: &Response<()>, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .and_then(|rest| rest.split(';').next())
        .map(str::to_owned)
}
