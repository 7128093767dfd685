//! The quickstart: `/` is public, `/profile` needs a login, `/auth/*` are the SDK's
//! routes. Configure it with the Auth0 variables (the block `portcullis serve` prints on
//! its first start), from the environment or a `.env` file:
//!
//! ```text
//! AUTH0_DOMAIN=http://127.0.0.1:8080
//! AUTH0_CLIENT_ID=...
//! AUTH0_CLIENT_SECRET=...
//! AUTH0_SECRET=...            # 32+ characters: openssl rand -hex 32
//! APP_BASE_URL=http://localhost:3000
//! ```
//!
//! `SESSION_STORE=memory` keeps sessions on the server instead of in the cookie (and
//! enables back-channel logout).

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router, middleware};
use portcullis_sdk::session_store::MemorySessionStore;
use portcullis_sdk::web::{
    Auth0Client, Auth0Config, CurrentSession, Session, Url, User, require_auth,
};
use portcullis_sdk::{SystemClock, session_store};
use serde_json::Value;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match dotenvy::dotenv() {
        Ok(path) => tracing::info!(path = %path.display(), "read settings"),
        Err(e) if e.not_found() => {}
        Err(e) => return Err(e).context("reading .env"),
    }
    let config = Auth0Config::from_env().context("the Auth0 settings")?;
    let listen = listen_address(config.app_base_url())?;
    let mut builder = Auth0Client::builder(config);
    match std::env::var("SESSION_STORE").as_deref() {
        Ok("memory") => {
            let store = Arc::new(MemorySessionStore::new(Arc::new(SystemClock)));
            session_store::spawn_sweeper(store.clone(), std::time::Duration::from_secs(60));
            builder = builder.session_store(store);
        }
        Ok("") | Err(_) => {}
        Ok(other) => anyhow::bail!("SESSION_STORE={other:?}: only \"memory\" is supported here"),
    }
    let auth = builder
        .build()
        .await
        .context("connecting to the provider")?;
    let app = Router::new()
        .route("/profile", get(profile))
        .route("/api/token", get(token))
        .route_layer(middleware::from_fn(require_auth))
        .route("/", get(home))
        .merge(auth.router())
        .layer(auth.layer());
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    tracing::info!(address = %listen, "listening");
    axum::serve(listener, app).await?;
    Ok(())
}

/// The port of APP_BASE_URL on the loopback interface (`PORT` overrides).
fn listen_address(base: &Url) -> anyhow::Result<SocketAddr> {
    let port = match std::env::var("PORT") {
        Ok(p) => p.parse().context("PORT")?,
        Err(_) => base.port_or_known_default().unwrap_or(3000),
    };
    Ok(SocketAddr::from(([127, 0, 0, 1], port)))
}

async fn home(session: Option<Session>) -> Html<String> {
    let body = match session {
        Some(Session(s)) => format!(
            "<p>Welcome, {}!</p><p><a href=\"/profile\">Profile</a> · <a href=\"/auth/logout\">Log out</a></p>",
            escape(
                s.user
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("friend")
            )
        ),
        None => "<p>You are not logged in.</p><p><a href=\"/auth/login\">Log in</a></p>".to_owned(),
    };
    Html(format!("<!doctype html><title>Quickstart</title>{body}"))
}

async fn profile(User(user): User) -> Html<String> {
    let pretty = serde_json::to_string_pretty(&user).unwrap_or_default();
    Html(format!(
        "<!doctype html><title>Profile</title><h1>Profile</h1><pre>{}</pre><a href=\"/\">Home</a>",
        escape(&pretty)
    ))
}

/// The session's access token (refreshed when needed), for calling an API.
async fn token(session: CurrentSession) -> Result<Json<Value>, (axum::http::StatusCode, String)> {
    let tokens = session
        .access_token()
        .await
        .map_err(|e| (axum::http::StatusCode::UNAUTHORIZED, e.to_string()))?;
    Ok(Json(
        serde_json::json!({ "expires_at": tokens.expires_at, "scope": tokens.scope }),
    ))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
