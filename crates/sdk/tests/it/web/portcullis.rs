//! A real Portcullis, in-process on a loopback port, with a user and an SSO session
//! planted in its database: `/authorize` then answers with a code at once.

use std::sync::Arc;

use portcullis_core::rng::random_b64url;
use portcullis_core::{
    Clock as _, SsoSession, Store, SystemClock, SystemRng, TenantId, User, UserId, token_hash,
};
use portcullis_server::config::{Flags, load_with};
use portcullis_store::{DatabaseUrl, OpenOptions};

pub struct Portcullis {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    m2m: (String, String, String),
    pub store: Arc<dyn Store>,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Portcullis {
    pub async fn start() -> Portcullis {
        let dir = tempfile::tempdir().unwrap();
        let vars = [
            (
                "PORTCULLIS_DATA_DIR".to_owned(),
                dir.path().to_str().unwrap().to_owned(),
            ),
            ("PORTCULLIS_LISTEN".to_owned(), "127.0.0.1:0".to_owned()),
        ];
        let config = load_with(&Flags::default(), &move |k| {
            vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
        .unwrap();
        let srv = portcullis_server::prepare(config).await.unwrap();
        let report = srv.bootstrap.clone().unwrap();
        let issuer = srv.issuer().as_str().to_owned();
        tokio::spawn(srv.serve(std::future::pending()));
        let store = portcullis_store::open(
            &DatabaseUrl::sqlite_file(&dir.path().join("portcullis.db")),
            &OpenOptions::default(),
        )
        .await
        .unwrap();
        Portcullis {
            issuer,
            client_id: report.web_client_id.to_string(),
            client_secret: report.web_client_secret.expose().to_owned(),
            m2m: (
                report.m2m_client_id.to_string(),
                report.m2m_client_secret.expose().to_owned(),
                report.management_audience.clone(),
            ),
            store,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            _dir: dir,
        }
    }

    /// Registers an API that allows offline access (refresh tokens), through the
    /// Management API; returns its identifier (the audience).
    pub async fn offline_api(&self) -> String {
        let (id, secret, audience) = &self.m2m;
        let token: serde_json::Value = self
            .http
            .post(format!("{}oauth/token", self.issuer))
            .json(&serde_json::json!({
                "grant_type": "client_credentials",
                "client_id": id,
                "client_secret": secret,
                "audience": audience,
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let identifier = "https://api.example.com/".to_owned();
        let created = self
            .http
            .post(format!("{}api/v2/resource-servers", self.issuer))
            .bearer_auth(token["access_token"].as_str().unwrap())
            .json(&serde_json::json!({
                "name": "Example API", "identifier": identifier, "allow_offline_access": true,
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201, "{:?}", created.text().await);
        identifier
    }

    /// A user with a live SSO session: the `portcullis_session` cookie value.
    pub async fn logged_in_user(&self, email: &str) -> (UserId, String) {
        let now = SystemClock.now();
        let tenant = TenantId::default_tenant();
        let user_id = UserId::new(format!("auth0|{}", random_b64url(&SystemRng::new(), 12)));
        self.store
            .insert_user(&User {
                tenant_id: tenant.clone(),
                user_id: user_id.clone(),
                connection: "Username-Password-Authentication".into(),
                email: email.into(),
                email_verified: true,
                name: "Ada Lovelace".into(),
                nickname: "ada".into(),
                picture: None,
                password_hash: None,
                blocked: false,
                user_metadata: serde_json::json!({}),
                app_metadata: serde_json::json!({}),
                created_at: now,
                updated_at: now,
                last_login: None,
                logins_count: 0,
            })
            .await
            .unwrap();
        let value = random_b64url(&SystemRng::new(), 32);
        self.store
            .insert_session(&SsoSession {
                tenant_id: tenant,
                id_hash: token_hash(&value),
                sid: random_b64url(&SystemRng::new(), 16),
                user_id: user_id.clone(),
                auth_time: now,
                created_at: now,
                last_active_at: now,
                expires_at: now.plus_secs(3600),
                revoked_at: None,
            })
            .await
            .unwrap();
        (user_id, value)
    }

    /// The browser at the provider: follows the authorize URL with the SSO cookie and
    /// returns where Portcullis sends it back (the app's callback with a code).
    pub async fn authorize(&self, authorize_url: &str, sso: &str) -> String {
        let res = self
            .http
            .get(authorize_url)
            .header("cookie", format!("portcullis_session={sso}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 302, "{:?}", res.text().await);
        res.headers()["location"].to_str().unwrap().to_owned()
    }
}
