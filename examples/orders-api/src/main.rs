//! The API quickstart: `ISSUER_BASE_URL` (or `AUTH0_DOMAIN`) and `AUTH0_AUDIENCE` say
//! which tokens it accepts; `PORT` (default 3001, 0 for any free port) where it listens,
//! on loopback.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use portcullis_sdk::api::{DiscoveryOptions, JwtValidator, Requirements};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let issuer = match (
        std::env::var("ISSUER_BASE_URL"),
        std::env::var("AUTH0_DOMAIN"),
    ) {
        (Ok(url), _) => url,
        (_, Ok(domain)) if domain.contains("://") => domain,
        (_, Ok(domain)) => format!("https://{}/", domain.trim_end_matches('/')),
        _ => anyhow::bail!("set ISSUER_BASE_URL (or AUTH0_DOMAIN) to the token issuer"),
    };
    let audience =
        std::env::var("AUTH0_AUDIENCE").context("set AUTH0_AUDIENCE to this API's identifier")?;
    let validator = JwtValidator::discover(
        Requirements::new(&issuer, &audience),
        DiscoveryOptions::default(),
    )
    .await
    .with_context(|| format!("reading the keys of {issuer}"))?;
    let port = match std::env::var("PORT") {
        Ok(p) => p.parse().context("PORT")?,
        Err(_) => 3001,
    };
    let listen = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, issuer, audience, "listening");
    axum::serve(
        listener,
        portcullis_example_orders_api::app(Arc::new(validator)),
    )
    .await?;
    Ok(())
}
