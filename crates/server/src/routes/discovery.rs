//! `/.well-known/openid-configuration`: what is implemented, and only that.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use portcullis_proto::OpenIdConfiguration;

use crate::issuer::Issuer;
use crate::state::AppState;

pub fn document(issuer: &Issuer) -> OpenIdConfiguration {
    OpenIdConfiguration {
        issuer: issuer.as_str().to_owned(),
        jwks_uri: issuer.join(".well-known/jwks.json"),
        // The authorization endpoint arrives with the login flow; until then no response
        // type is offered.
        authorization_endpoint: None,
        token_endpoint: Some(issuer.join("oauth/token")),
        grant_types_supported: vec!["client_credentials".to_owned()],
        token_endpoint_auth_methods_supported: vec![
            "client_secret_basic".to_owned(),
            "client_secret_post".to_owned(),
        ],
        response_types_supported: Vec::new(),
        subject_types_supported: vec!["public".to_owned()],
        id_token_signing_alg_values_supported: vec![
            "RS256".to_owned(),
            "ES256".to_owned(),
            "EdDSA".to_owned(),
        ],
        scopes_supported: Vec::new(),
        claims_supported: Vec::new(),
    }
}

pub async fn openid_configuration(State(state): State<AppState>) -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, state.cache_control.clone()),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        state.discovery_json.clone(),
    )
}
