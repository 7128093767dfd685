//! The OpenID provider as the SDK knows it: its discovery document, read once at start,
//! and its signing keys ([`JwksCache`]: cached, refetched once per cooldown when a token
//! names a key the SDK has not seen).

use std::sync::Arc;

use serde::Deserialize;

use super::WebError;
use super::config::Auth0Config;
use crate::Clock;
use crate::jwks::{Discovered, FetchError, JwksCache, JwksOptions, VerificationKey, discover};

/// The parts of the discovery document the SDK uses.
#[derive(Debug, Clone, Deserialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    #[serde(default)]
    pub backchannel_logout_supported: bool,
}

impl Discovered for ProviderMetadata {
    fn issuer(&self) -> &str {
        &self.issuer
    }

    fn endpoints(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("authorization_endpoint", &self.authorization_endpoint),
            ("token_endpoint", &self.token_endpoint),
            ("jwks_uri", &self.jwks_uri),
        ]
    }
}

/// The provider: metadata plus a cache of its keys.
pub(crate) struct Provider {
    pub metadata: ProviderMetadata,
    http: reqwest::Client,
    jwks: Arc<JwksCache>,
}

impl From<FetchError> for WebError {
    fn from(e: FetchError) -> WebError {
        WebError::Discovery {
            url: e.url,
            why: e.why,
        }
    }
}

impl Provider {
    /// Reads `{issuer}/.well-known/openid-configuration` and the JWKS. Errors say which
    /// URL failed and why.
    pub async fn discover(
        config: &Auth0Config,
        http: reqwest::Client,
        clock: Arc<dyn Clock>,
    ) -> Result<Provider, WebError> {
        // As configured, or as its normalized URL (a bare origin gains a "/").
        let metadata: ProviderMetadata = discover(
            &http,
            &config.issuer_as_configured,
            &[config.issuer.as_str()],
            config.allow_insecure_http,
        )
        .await?;
        if let Some(methods) = &metadata.code_challenge_methods_supported
            && !methods.iter().any(|m| m == "S256")
        {
            return Err(WebError::Discovery {
                url: format!(
                    "{}/.well-known/openid-configuration",
                    config.issuer_as_configured.trim_end_matches('/')
                ),
                why: "the provider does not support PKCE with S256".to_owned(),
            });
        }
        let jwks = JwksCache::new(
            &metadata.jwks_uri,
            http.clone(),
            clock,
            JwksOptions::default(),
        );
        jwks.load().await?;
        Ok(Provider {
            metadata,
            http,
            jwks,
        })
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The key for a token header's `kid` (see [`JwksCache::key`]).
    pub async fn key(&self, kid: Option<&str>) -> Option<VerificationKey> {
        self.jwks.key(kid).await
    }
}
