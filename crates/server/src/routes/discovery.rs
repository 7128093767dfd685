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
        authorization_endpoint: Some(issuer.join("authorize")),
        token_endpoint: Some(issuer.join("oauth/token")),
        userinfo_endpoint: Some(issuer.join("userinfo")),
        revocation_endpoint: Some(issuer.join("oauth/revoke")),
        introspection_endpoint: Some(issuer.join("oauth/introspect")),
        end_session_endpoint: Some(issuer.join("oidc/logout")),
        grant_types_supported: strings(&[
            "authorization_code",
            "implicit",
            "refresh_token",
            "client_credentials",
        ]),
        token_endpoint_auth_methods_supported: strings(&[
            "client_secret_basic",
            "client_secret_post",
            "none",
        ]),
        response_types_supported: strings(&["code", "id_token", "code id_token"]),
        response_modes_supported: strings(&["query", "form_post"]),
        code_challenge_methods_supported: strings(&["S256"]),
        authorization_response_iss_parameter_supported: true,
        subject_types_supported: vec!["public".to_owned()],
        id_token_signing_alg_values_supported: vec![
            "RS256".to_owned(),
            "ES256".to_owned(),
            "EdDSA".to_owned(),
        ],
        scopes_supported: strings(&["openid", "profile", "email", "offline_access"]),
        claims_supported: strings(&[
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "sid",
            "name",
            "nickname",
            "picture",
            "updated_at",
            "email",
            "email_verified",
        ]),
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

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| (*s).to_owned()).collect()
}
