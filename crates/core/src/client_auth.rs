//! Client authentication at the token endpoint (RFC 6749 §2.3): which credentials were
//! presented and how, checked against the application's registered method.

use crate::application::{Application, TokenEndpointAuthMethod};
use crate::ids::ClientId;
use crate::oauth_error::OAuthError;
use crate::secret::ClientSecret;

/// What the client presented, parsed from the request by the server.
#[derive(Debug, Clone)]
pub struct PresentedClient {
    pub client_id: ClientId,
    pub secret: Option<ClientSecret>,
    /// How the credentials came: Basic header, body, or no secret at all.
    pub method: TokenEndpointAuthMethod,
}

/// The one answer for every failed authentication, so a caller cannot tell an unknown
/// client from a wrong secret.
pub fn client_authentication_failed() -> OAuthError {
    OAuthError::invalid_client("Client authentication failed")
}

/// Checks `presented` against `app` (the application with that client id, if any).
/// Secrets are compared as constant-time hash comparisons.
pub fn authenticate<'a>(
    app: Option<&'a Application>,
    presented: &PresentedClient,
) -> Result<&'a Application, OAuthError> {
    let Some(app) = app else {
        return Err(client_authentication_failed());
    };
    if presented.method != app.token_endpoint_auth_method {
        return Err(client_authentication_failed());
    }
    match (&app.client_secret_hash, &presented.secret) {
        (Some(hash), Some(secret)) if hash.verify(secret) => Ok(app),
        (None, None) if app.token_endpoint_auth_method == TokenEndpointAuthMethod::None => Ok(app),
        _ => Err(client_authentication_failed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::AppType;
    use crate::clock::UnixTime;
    use crate::ids::TenantId;

    fn app(method: TokenEndpointAuthMethod, secret: Option<&str>) -> Application {
        Application {
            tenant_id: TenantId::default_tenant(),
            client_id: ClientId::new("c1"),
            name: "x".into(),
            app_type: if secret.is_some() {
                AppType::NonInteractive
            } else {
                AppType::Spa
            },
            client_secret_hash: secret.map(|s| ClientSecret::from_presented(s).hash()),
            token_endpoint_auth_method: method,
            callbacks: vec![],
            allowed_logout_urls: vec![],
            web_origins: vec![],
            grant_types: vec![],
            created_at: UnixTime(0),
        }
    }

    fn presented(method: TokenEndpointAuthMethod, secret: Option<&str>) -> PresentedClient {
        PresentedClient {
            client_id: ClientId::new("c1"),
            secret: secret.map(ClientSecret::from_presented),
            method,
        }
    }

    use TokenEndpointAuthMethod::{ClientSecretBasic as Basic, ClientSecretPost as Post};

    #[test]
    fn right_secret_by_the_registered_method_passes() {
        let a = app(Post, Some("s3cret"));
        assert!(authenticate(Some(&a), &presented(Post, Some("s3cret"))).is_ok());
        let b = app(Basic, Some("s3cret"));
        assert!(authenticate(Some(&b), &presented(Basic, Some("s3cret"))).is_ok());
    }

    #[test]
    fn every_failure_is_the_same_invalid_client() {
        let a = app(Post, Some("s3cret"));
        let cases = [
            authenticate(None, &presented(Post, Some("s3cret"))),
            authenticate(Some(&a), &presented(Post, Some("wrong"))),
            authenticate(Some(&a), &presented(Post, Some(""))),
            authenticate(Some(&a), &presented(Post, None)),
            authenticate(Some(&a), &presented(Basic, Some("s3cret"))),
            authenticate(Some(&a), &presented(TokenEndpointAuthMethod::None, None)),
        ];
        for result in cases {
            assert_eq!(result.unwrap_err(), client_authentication_failed());
        }
    }

    #[test]
    fn public_clients_authenticate_without_a_secret_only() {
        let spa = app(TokenEndpointAuthMethod::None, None);
        assert!(authenticate(Some(&spa), &presented(TokenEndpointAuthMethod::None, None)).is_ok());
        assert!(authenticate(Some(&spa), &presented(Post, Some("x"))).is_err());
    }
}
