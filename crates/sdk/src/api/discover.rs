//! Building a [`JwtValidator`] from the issuer alone: its discovery document names the
//! `jwks_uri`; the document's `issuer` must be the configured one, exactly.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::{JwtValidator, Requirements};
use crate::jwks::{Discovered, FetchError, JwksCache, JwksOptions, discover, http_client};
use crate::{Clock, SystemClock};

/// How discovery and the key cache behave.
pub struct DiscoveryOptions {
    pub clock: Arc<dyn Clock>,
    pub jwks: JwksOptions,
    /// Bound on each call to the provider (default 5 s).
    pub timeout: Duration,
    /// Accept plain http to a provider that is not on loopback. Never in production.
    pub danger_allow_http: bool,
    /// The HTTP client for discovery and the JWKS (e.g. one trusting a private CA); it
    /// should follow no redirects. Default: one bounded by `timeout`.
    pub http: Option<reqwest::Client>,
}

impl Default for DiscoveryOptions {
    fn default() -> Self {
        DiscoveryOptions {
            clock: Arc::new(SystemClock),
            jwks: JwksOptions::default(),
            timeout: Duration::from_secs(5),
            danger_allow_http: false,
            http: None,
        }
    }
}

#[derive(Deserialize)]
struct Metadata {
    issuer: String,
    jwks_uri: String,
}

impl Discovered for Metadata {
    fn issuer(&self) -> &str {
        &self.issuer
    }

    fn endpoints(&self) -> Vec<(&'static str, &str)> {
        vec![("jwks_uri", &self.jwks_uri)]
    }
}

impl JwtValidator {
    /// Reads `{issuer}/.well-known/openid-configuration`, checks it, and loads the keys.
    pub async fn discover(
        requirements: Requirements,
        options: DiscoveryOptions,
    ) -> Result<JwtValidator, FetchError> {
        let http = match options.http {
            Some(http) => http,
            None => http_client(options.timeout).map_err(|why| FetchError {
                url: requirements.issuer.clone(),
                why,
            })?,
        };
        let metadata: Metadata =
            discover(&http, &requirements.issuer, &[], options.danger_allow_http).await?;
        let jwks = JwksCache::new(
            &metadata.jwks_uri,
            http,
            options.clock.clone(),
            options.jwks,
        );
        jwks.load().await?;
        Ok(JwtValidator::new(requirements, jwks, options.clock))
    }
}
