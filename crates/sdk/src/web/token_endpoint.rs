//! Calls to the provider's token endpoint: the authorization code exchange and the
//! refresh token grant, authenticated with `client_secret_post` (or as a public client);
//! and the revocation of the refresh token at logout.

use serde::Deserialize;

use super::config::Auth0Config;
use super::provider::Provider;
use super::{TokenSet, WebError};
use crate::jwks::read_limited;

/// The largest token response read.
const MAX_TOKEN_RESPONSE: usize = 256 * 1024;

/// A successful token response (RFC 6749 5.1).
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub id_token: Option<String>,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<i64>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub token_type: Option<String>,
}

impl TokenResponse {
    /// The token set this response gives at `now`; what it leaves out is kept from
    /// `previous` (a refresh may not rotate the refresh token or send an ID token).
    pub fn token_set(
        &self,
        previous: Option<&TokenSet>,
        audience: Option<&str>,
        now: i64,
    ) -> TokenSet {
        TokenSet {
            access_token: self.access_token.clone(),
            id_token: self
                .id_token
                .clone()
                .or_else(|| previous.and_then(|p| p.id_token.clone())),
            scope: self
                .scope
                .clone()
                .or_else(|| previous.and_then(|p| p.scope.clone())),
            refresh_token: self
                .refresh_token
                .clone()
                .or_else(|| previous.and_then(|p| p.refresh_token.clone())),
            // Without expires_in the token's lifetime is unknown: treat it as an hour,
            // as Auth0's default for APIs is longer and refreshing early is harmless.
            expires_at: now.saturating_add(self.expires_in.unwrap_or(3600).max(0)),
            audience: audience
                .map(str::to_owned)
                .or_else(|| previous.and_then(|p| p.audience.clone())),
            token_type: self.token_type.clone(),
        }
    }
}

#[derive(Deserialize)]
struct ErrorResponse {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Revokes a refresh token at the provider's revocation endpoint (RFC 7009), if it has
/// one. Best effort: logout goes on whatever the answer, so failures are only logged.
pub(crate) async fn revoke_refresh_token(
    provider: &Provider,
    config: &Auth0Config,
    refresh_token: &str,
) {
    let Some(endpoint) = &provider.metadata.revocation_endpoint else {
        return;
    };
    let body = form_body(
        config,
        &[
            ("token", refresh_token),
            ("token_type_hint", "refresh_token"),
        ],
    );
    let sent = provider
        .http()
        .post(endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => {}
        Ok(response) => {
            tracing::warn!(status = %response.status(), "revoking the refresh token at logout failed")
        }
        Err(e) => tracing::warn!(error = %e, "revoking the refresh token at logout failed"),
    }
}

/// `pairs` plus the client's credentials (`client_secret_post`), form-encoded.
fn form_body(config: &Auth0Config, pairs: &[(&str, &str)]) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.extend_pairs(pairs);
    form.append_pair("client_id", &config.client_id);
    if let Some(secret) = &config.client_secret {
        form.append_pair("client_secret", secret);
    }
    form.finish()
}

/// POSTs a grant to the token endpoint with the client's credentials.
pub(crate) async fn request(
    provider: &Provider,
    config: &Auth0Config,
    grant: &[(&str, &str)],
) -> Result<TokenResponse, WebError> {
    let body = form_body(config, grant);
    let response = provider
        .http()
        .post(&provider.metadata.token_endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| WebError::Provider(format!("token endpoint: {e}")))?;
    let status = response.status();
    let body = read_limited(response, MAX_TOKEN_RESPONSE)
        .await
        .map_err(|why| WebError::Provider(format!("token endpoint: {why}")))?;
    if !status.is_success() {
        let why = match serde_json::from_slice::<ErrorResponse>(&body) {
            Ok(e) => format!("{} ({})", e.error, e.error_description.unwrap_or_default()),
            Err(_) => "no OAuth error body".to_owned(),
        };
        return Err(WebError::Provider(format!(
            "token endpoint answered {status}: {why}"
        )));
    }
    serde_json::from_slice(&body)
        .map_err(|e| WebError::Provider(format!("token endpoint: unexpected response: {e}")))
}
