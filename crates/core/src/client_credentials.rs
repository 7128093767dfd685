//! The `client_credentials` grant: a machine-to-machine application gets an access token
//! for an API it has a client grant for, with Auth0's answers when it may not.

use crate::application::Application;
use crate::catalog::Catalog;
use crate::error::CoreError;
use crate::oauth_error::OAuthError;
use crate::token::{AccessTokenSpec, Audience, Issuance, IssuedAccessToken};

pub const GRANT_TYPE: &str = "client_credentials";

/// The parameters of the request besides client authentication.
#[derive(Debug, Clone, Default)]
pub struct ClientCredentialsRequest {
    pub audience: Option<String>,
    pub scope: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// The client gets this error.
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    /// Our failure: logged, and the client gets a generic server error.
    #[error(transparent)]
    Internal(#[from] CoreError),
}

impl From<crate::store::StoreError> for GrantError {
    fn from(e: crate::store::StoreError) -> Self {
        GrantError::Internal(CoreError::Store(e))
    }
}

/// Issues the token, or says why not. `app` is already authenticated.
pub async fn issue(
    catalog: &Catalog,
    issuance: &Issuance<'_>,
    app: &Application,
    request: &ClientCredentialsRequest,
) -> Result<IssuedAccessToken, GrantError> {
    if !app.grant_types.iter().any(|g| g == GRANT_TYPE) {
        return Err(OAuthError::unauthorized_client(format!(
            "Grant type '{GRANT_TYPE}' not allowed for the client."
        ))
        .into());
    }
    let Some(audience) = request.audience.as_deref().filter(|a| !a.is_empty()) else {
        return Err(OAuthError::access_denied(
            "No audience parameter was provided, and no default audience has been configured",
        )
        .into());
    };
    let Some(api) = catalog.resource_server(&app.tenant_id, audience).await? else {
        return Err(OAuthError::access_denied(format!("Service not found: {audience}")).into());
    };
    let Some(grant) = catalog
        .client_grant(&app.tenant_id, &app.client_id, audience)
        .await?
    else {
        return Err(OAuthError::access_denied(format!(
            "Client is not authorized to access \"{audience}\". You need to create a \"client-grant\" associated to this API."
        ))
        .into());
    };
    let scopes: Vec<String> = match request.scope.as_deref() {
        None => grant.scope.clone(),
        Some(asked) => {
            let mut wanted: Vec<&str> = Vec::new();
            for s in asked.split(' ').filter(|s| !s.is_empty()) {
                if !wanted.contains(&s) {
                    wanted.push(s);
                }
            }
            let missing: Vec<&str> = wanted
                .iter()
                .copied()
                .filter(|s| !grant.scope.iter().any(|g| g == s))
                .collect();
            if !missing.is_empty() {
                return Err(OAuthError::access_denied(format!(
                    "Client has not been granted scopes: {}",
                    missing.join(", ")
                ))
                .into());
            }
            wanted.into_iter().map(str::to_owned).collect()
        }
    };
    let scope = (!scopes.is_empty()).then(|| scopes.join(" "));
    let permissions =
        (api.enforce_policies && api.token_dialect == "access_token_authz").then(|| scopes.clone());
    Ok(issuance.access_token(AccessTokenSpec {
        sub: format!("{}@clients", app.client_id),
        azp: app.client_id.to_string(),
        aud: Audience::One(api.identifier.clone()),
        scope,
        gty: Some("client-credentials"),
        permissions,
        lifetime: api.token_lifetime,
        grant: None,
    })?)
}
