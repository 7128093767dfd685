//! Management API v2 tests. Each case runs twice, on SQLite and on PostgreSQL (when
//! `PORTCULLIS_TEST_DATABASE_URL` is set), through the [`cases!`] macro.

mod auth;
mod client_grants;
mod clients;
mod local;
mod login;
mod logs;
mod openapi;
mod resource_servers;
mod roles;
mod signing_keys;
mod tenant_settings;
mod user_roles;
mod users;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use portcullis_core::Store;
use portcullis_store::testing::{TestDatabase, fresh_postgres};
use portcullis_store::{DatabaseUrl, OpenOptions};
use serde_json::{Value, json};

use crate::{send, server};

/// A bootstrapped server, a handle on its database, and a Management API token with
/// every scope.
pub struct Mgmt {
    pub srv: portcullis_server::Prepared,
    pub app: Router,
    pub store: Arc<dyn Store>,
    /// The bootstrapped M2M application, granted every Management API scope.
    pub m2m_id: String,
    pub m2m_secret: String,
    /// `{issuer}api/v2/`.
    pub audience: String,
    pub token: String,
    _dir: tempfile::TempDir,
    _db: Option<TestDatabase>,
}

/// What a call answered: status and JSON body (`Value::Null` when the body is empty or
/// not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Mgmt {
    pub async fn sqlite() -> Mgmt {
        let (srv, dir) = server(&[]).await;
        let url = DatabaseUrl::sqlite_file(&dir.path().join("portcullis.db"));
        Mgmt::finish(srv, dir, url, None).await
    }

    /// `None` (with a printed note) when PostgreSQL tests are not configured.
    pub async fn postgres() -> Option<Mgmt> {
        let db = fresh_postgres().await?;
        let (srv, dir) = server(&[("PORTCULLIS_DATABASE_URL", db.url.as_str())]).await;
        let url = db.database_url();
        Some(Mgmt::finish(srv, dir, url, Some(db)).await)
    }

    async fn finish(
        srv: portcullis_server::Prepared,
        dir: tempfile::TempDir,
        url: DatabaseUrl,
        db: Option<TestDatabase>,
    ) -> Mgmt {
        let store = portcullis_store::open(&url, &OpenOptions::default())
            .await
            .unwrap();
        let report = srv.bootstrap.clone().unwrap();
        let mut m = Mgmt {
            app: srv.router(),
            store,
            m2m_id: report.m2m_client_id.to_string(),
            m2m_secret: report.m2m_client_secret.expose().to_owned(),
            audience: report.management_audience.clone(),
            token: String::new(),
            srv,
            _dir: dir,
            _db: db,
        };
        m.token = m.token_with(None).await;
        m
    }

    /// A Management API token of the bootstrapped M2M application, with `scope` (all
    /// of its granted scopes when `None`).
    pub async fn token_with(&self, scope: Option<&str>) -> String {
        let mut body = json!({
            "grant_type": "client_credentials",
            "client_id": self.m2m_id,
            "client_secret": self.m2m_secret,
            "audience": self.audience,
        });
        if let Some(s) = scope {
            body["scope"] = s.into();
        }
        let req = Request::post("/oauth/token")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (res, bytes) = send(&self.app, req).await;
        assert_eq!(res.status(), 200, "{}", String::from_utf8_lossy(&bytes));
        let json: Value = serde_json::from_slice(&bytes).unwrap();
        json["access_token"].as_str().unwrap().to_owned()
    }

    /// `method path` with the full-scope token and `body` as JSON.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        self.call_as(Some(&self.token), method, path, body).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }

    /// `method path` with `token` (none when `None`).
    pub async fn call_as(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let (res, bytes) = send(&self.app, req).await;
        Answer {
            status: res.status().as_u16(),
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// Asserts that `method path` answers 401 without a token and 403
    /// `insufficient_scope` with a token lacking `scope`, and changes nothing either
    /// way (the caller checks the state).
    pub async fn assert_guarded(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        scope: &str,
    ) {
        let none = self.call_as(None, method.clone(), path, body.clone()).await;
        assert_eq!(
            none.status, 401,
            "{method} {path} without a token: {:?}",
            none.body
        );
        // A token with every scope but the one the route needs.
        let others: Vec<&str> = portcullis_core::bootstrap::MANAGEMENT_SCOPES
            .iter()
            .copied()
            .filter(|s| *s != scope)
            .collect();
        let token = self.token_with(Some(&others.join(" "))).await;
        let without = self.call_as(Some(&token), method.clone(), path, body).await;
        assert_eq!(
            without.status, 403,
            "{method} {path} without {scope}: {:?}",
            without.body
        );
        assert_eq!(without.body["errorCode"], "insufficient_scope");
        assert_eq!(without.body["error"], "Forbidden");
    }
}

/// Each `async fn name(m: &Mgmt) { ... }` becomes a module `name` with two tests,
/// `sqlite` and `postgres`.
#[macro_export]
macro_rules! cases {
    ($(async fn $name:ident($m:ident: &Mgmt) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn case($m: &$crate::mgmt::Mgmt) $body

                #[tokio::test]
                async fn sqlite() {
                    case(&$crate::mgmt::Mgmt::sqlite().await).await;
                }

                #[tokio::test]
                async fn postgres() {
                    if let Some(m) = $crate::mgmt::Mgmt::postgres().await {
                        case(&m).await;
                    }
                }
            }
        )*
    };
}
