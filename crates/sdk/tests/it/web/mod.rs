//! The web-app SDK end to end: its router and layer in front of a test app, logging in
//! through a real Portcullis (and, for crafted tokens, a small signing provider).

mod backchannel;
pub mod fake_provider;
mod flow;
mod id_token;
mod lifetimes;
mod logout;
mod portcullis;
mod refresh;
mod stateful;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use http_body_util::BodyExt as _;
use portcullis_sdk::web::{Auth0Client, Auth0Config, CurrentSession, Session, User, require_auth};
use serde_json::Value;
use tower::ServiceExt as _;

pub const APP: &str = "http://localhost:3000";
pub const SECRET: &str = "a-cookie-secret-of-at-least-32-characters";

/// The SDK's settings for a provider.
pub fn config(
    issuer: &str,
    client_id: &str,
    client_secret: &str,
) -> portcullis_sdk::web::Auth0ConfigBuilder {
    Auth0Config::builder()
        .issuer(issuer)
        .client_id(client_id)
        .client_secret(client_secret)
        .secret(SECRET)
        .app_base_url(APP)
}

/// The test app: `/` public, `/private` behind `require_auth`, `/token` and `/theme`
/// using the session handle, and the SDK's routes.
pub fn app(auth: &Auth0Client) -> Router {
    Router::new()
        .route(
            "/private",
            get(|User(user): User| async move { Json(user) }),
        )
        .route_layer(middleware::from_fn(require_auth))
        .route(
            "/",
            get(|s: Option<Session>| async move { if s.is_some() { "in" } else { "out" } }),
        )
        .route(
            "/token",
            get(|c: CurrentSession| async move {
                c.access_token()
                    .await
                    .map(|t| t.access_token)
                    .map_err(|e| (StatusCode::UNAUTHORIZED, e.code()))
            }),
        )
        .route(
            "/theme",
            post(|c: CurrentSession| async move {
                let mut s = c.get().await.ok_or(StatusCode::UNAUTHORIZED)?;
                s.extra.insert("theme".into(), "dark".into());
                c.update(s).await.map_err(|_| StatusCode::UNAUTHORIZED)?;
                Ok::<_, StatusCode>("saved")
            }),
        )
        .merge(auth.router())
        .layer(auth.layer())
}

/// A browser's cookie jar over the app's router.
#[derive(Default, Clone)]
pub struct Browser {
    pub cookies: BTreeMap<String, String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers["location"].to_str().unwrap()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }
}

impl Browser {
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Sends a request with the jar's cookies and keeps the cookies of the answer.
    pub async fn send(&mut self, app: &Router, mut request: Request<Body>) -> Reply {
        if !self.cookies.is_empty() {
            request
                .headers_mut()
                .insert("cookie", self.cookie_header().parse().unwrap());
        }
        let response = app.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let reply = Reply {
            status: parts.status,
            headers: parts.headers,
            body: body.collect().await.unwrap().to_bytes().to_vec(),
        };
        for line in reply.set_cookies() {
            let pair = line.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if line.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        reply
    }

    pub async fn get(&mut self, app: &Router, path: &str) -> Reply {
        self.send(app, Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn get_page(&mut self, app: &Router, path: &str) -> Reply {
        let request = Request::get(path)
            .header("accept", "text/html,application/xhtml+xml")
            .body(Body::empty())
            .unwrap();
        self.send(app, request).await
    }
}

/// The path and query of an absolute URL on the app.
pub fn on_app(url: &str) -> String {
    url.strip_prefix(APP)
        .unwrap_or_else(|| panic!("{url} is not on the app"))
        .to_owned()
}

/// A query parameter of a URL.
pub fn param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Logs `browser` in through Portcullis with the SSO cookie `sso`; returns the callback's
/// reply.
pub async fn login_via_portcullis(
    app: &Router,
    browser: &mut Browser,
    portcullis: &portcullis::Portcullis,
    sso: &str,
) -> Reply {
    let start = browser.get(app, "/auth/login").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    let back = portcullis.authorize(start.location(), sso).await;
    browser.get(app, &on_app(&back)).await
}

/// A client with the given clock, on the given provider settings.
pub async fn client(
    builder: portcullis_sdk::web::Auth0ConfigBuilder,
    clock: Arc<dyn portcullis_sdk::Clock>,
) -> Auth0Client {
    Auth0Client::builder(builder.build().unwrap())
        .clock(clock)
        .build()
        .await
        .unwrap()
}
