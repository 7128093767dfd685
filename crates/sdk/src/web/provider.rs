//! The OpenID provider as the SDK knows it: its discovery document, read once at start,
//! and its signing keys, fetched from `jwks_uri` and fetched again (at most once a
//! minute) when a token names a key the SDK has not seen.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};
use url::Url;

use super::WebError;
use super::config::{Auth0Config, is_secure_or_loopback};
use crate::Clock;

/// How often, at most, an unknown `kid` makes the SDK fetch the JWKS again.
pub const JWKS_REFETCH_COOLDOWN_SECS: i64 = 60;
/// The largest discovery or JWKS document read.
const MAX_DOCUMENT: usize = 512 * 1024;

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

/// A verification key with the algorithm it is for.
#[derive(Clone)]
pub(crate) struct VerificationKey {
    pub key: DecodingKey,
    pub alg: Algorithm,
}

#[derive(Default)]
struct KeySet {
    by_kid: HashMap<String, VerificationKey>,
    /// Keys without a `kid`, tried when a token has none.
    unnamed: Vec<VerificationKey>,
    fetched_at: i64,
}

/// The provider: metadata plus a cache of its keys.
pub(crate) struct Provider {
    pub metadata: ProviderMetadata,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    keys: RwLock<KeySet>,
    /// Held while fetching, so concurrent misses fetch once.
    fetching: Mutex<()>,
}

impl Provider {
    /// Reads `{issuer}/.well-known/openid-configuration` and the JWKS. Errors say which
    /// URL failed and why.
    pub async fn discover(
        config: &Auth0Config,
        http: reqwest::Client,
        clock: Arc<dyn Clock>,
    ) -> Result<Provider, WebError> {
        let issuer = &config.issuer;
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.as_str().trim_end_matches('/')
        );
        let metadata: ProviderMetadata = get_json(&http, &url).await?;
        // Exactly as configured, or as its normalized URL (a bare origin gains a "/"):
        // an issuer off by a slash or a case in its path is another issuer.
        if metadata.issuer != config.issuer_as_configured && metadata.issuer != issuer.as_str() {
            return Err(WebError::Discovery {
                url,
                why: format!(
                    "it names issuer {:?}, not the configured {:?}",
                    metadata.issuer,
                    issuer.as_str()
                ),
            });
        }
        for (name, endpoint) in [
            ("authorization_endpoint", &metadata.authorization_endpoint),
            ("token_endpoint", &metadata.token_endpoint),
            ("jwks_uri", &metadata.jwks_uri),
        ] {
            let parsed = Url::parse(endpoint).map_err(|e| WebError::Discovery {
                url: url.clone(),
                why: format!("{name} {endpoint:?} is not a URL: {e}"),
            })?;
            if !config.allow_insecure_http && !is_secure_or_loopback(&parsed) {
                return Err(WebError::Discovery {
                    url,
                    why: format!("{name} {endpoint:?} is plain http to another machine"),
                });
            }
        }
        if let Some(methods) = &metadata.code_challenge_methods_supported
            && !methods.iter().any(|m| m == "S256")
        {
            return Err(WebError::Discovery {
                url,
                why: "the provider does not support PKCE with S256".to_owned(),
            });
        }
        let provider = Provider {
            metadata,
            http,
            clock,
            keys: RwLock::new(KeySet::default()),
            fetching: Mutex::new(()),
        };
        provider.refetch().await?;
        Ok(provider)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The key for a token header's `kid`: from the cache, or after one refetch when the
    /// kid is new and the last fetch is older than the cooldown.
    pub async fn key(&self, kid: Option<&str>) -> Option<VerificationKey> {
        if let Some(key) = self.cached(kid).await {
            return Some(key);
        }
        let _guard = self.fetching.lock().await;
        // Another request may have fetched while this one waited.
        if let Some(key) = self.cached(kid).await {
            return Some(key);
        }
        let fetched_at = self.keys.read().await.fetched_at;
        if self.clock.now() - fetched_at < JWKS_REFETCH_COOLDOWN_SECS {
            return None;
        }
        if let Err(e) = self.refetch().await {
            tracing::warn!(error = %e, "could not refresh the provider's signing keys");
            // Keep the old keys; wait out the cooldown before asking again.
            self.keys.write().await.fetched_at = self.clock.now();
            return None;
        }
        self.cached(kid).await
    }

    async fn cached(&self, kid: Option<&str>) -> Option<VerificationKey> {
        let keys = self.keys.read().await;
        match kid {
            Some(kid) => keys.by_kid.get(kid).cloned(),
            None if keys.by_kid.len() + keys.unnamed.len() == 1 => keys
                .by_kid
                .values()
                .next()
                .or(keys.unnamed.first())
                .cloned(),
            None => None,
        }
    }

    async fn refetch(&self) -> Result<(), WebError> {
        let set: JwkSet = get_json(&self.http, &self.metadata.jwks_uri).await?;
        let mut keys = KeySet {
            fetched_at: self.clock.now(),
            ..KeySet::default()
        };
        for jwk in &set.keys {
            if jwk
                .common
                .public_key_use
                .as_ref()
                .is_some_and(|u| *u != jsonwebtoken::jwk::PublicKeyUse::Signature)
            {
                continue;
            }
            let Ok(key) = DecodingKey::from_jwk(jwk) else {
                continue;
            };
            let Some(alg) = algorithm_of(jwk) else {
                continue;
            };
            let key = VerificationKey { key, alg };
            match &jwk.common.key_id {
                Some(kid) => {
                    keys.by_kid.insert(kid.clone(), key);
                }
                None => keys.unnamed.push(key),
            }
        }
        if keys.by_kid.is_empty() && keys.unnamed.is_empty() {
            return Err(WebError::Discovery {
                url: self.metadata.jwks_uri.clone(),
                why: "it holds no signing key this SDK can use".to_owned(),
            });
        }
        *self.keys.write().await = keys;
        Ok(())
    }
}

/// The JWK's algorithm: its `alg`, or the usual one for its key type.
fn algorithm_of(jwk: &jsonwebtoken::jwk::Jwk) -> Option<Algorithm> {
    use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, KeyAlgorithm};
    if let Some(alg) = jwk.common.key_algorithm {
        return match alg {
            KeyAlgorithm::RS256 => Some(Algorithm::RS256),
            KeyAlgorithm::RS384 => Some(Algorithm::RS384),
            KeyAlgorithm::RS512 => Some(Algorithm::RS512),
            KeyAlgorithm::PS256 => Some(Algorithm::PS256),
            KeyAlgorithm::PS384 => Some(Algorithm::PS384),
            KeyAlgorithm::PS512 => Some(Algorithm::PS512),
            KeyAlgorithm::ES256 => Some(Algorithm::ES256),
            KeyAlgorithm::ES384 => Some(Algorithm::ES384),
            KeyAlgorithm::EdDSA => Some(Algorithm::EdDSA),
            _ => None,
        };
    }
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Some(Algorithm::RS256),
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => Some(Algorithm::ES256),
            EllipticCurve::P384 => Some(Algorithm::ES384),
            _ => None,
        },
        AlgorithmParameters::OctetKeyPair(_) => Some(Algorithm::EdDSA),
        AlgorithmParameters::OctetKey(_) => None,
    }
}

/// GETs a JSON document, refusing errors, other content and documents over 512 KiB.
async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
) -> Result<T, WebError> {
    let fail = |why: String| WebError::Discovery {
        url: url.to_owned(),
        why,
    };
    let response = http
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| fail(format!("the request failed: {e}")))?;
    if !response.status().is_success() {
        return Err(fail(format!("it answered {}", response.status())));
    }
    let body = read_limited(response, MAX_DOCUMENT)
        .await
        .map_err(|e| fail(e.to_string()))?;
    serde_json::from_slice(&body).map_err(|e| fail(format!("it is not the expected JSON: {e}")))
}

/// The body, or an error when it is longer than `limit`.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, WebError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| WebError::Provider(format!("reading the response failed: {e}")))?
    {
        if body.len() + chunk.len() > limit {
            return Err(WebError::Provider(format!(
                "the response is larger than {limit} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The HTTP client for calls to the provider.
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, WebError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("portcullis-sdk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| WebError::Provider(format!("could not build the HTTP client: {e}")))
}
