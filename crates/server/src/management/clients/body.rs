//! The bodies of `POST /clients` and `PATCH /clients/{id}`, and the checks of their
//! fields that [`Application::register`] does not do.

use portcullis_core::{AppType, Application, TokenEndpointAuthMethod};
use serde::Deserialize;
use serde_json::Value;

use super::invalid;
use crate::management::error::ApiError;
use portcullis_core::limits::{GRANT_TYPES, MAX_CLIENT_DESCRIPTION as MAX_DESCRIPTION};

/// Auth0's `jwt_configuration`, accepted only with the values Portcullis has.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtConfigurationIn {
    #[serde(default)]
    alg: Option<String>,
    #[serde(default)]
    lifetime_in_seconds: Option<i64>,
    #[serde(default)]
    secret_encoded: Option<bool>,
}

/// The body of `POST /clients` (where `name` is required) and `PATCH /clients/{id}`
/// (where a field left out, or `null`, stays as it is).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientBody {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub app_type: Option<String>,
    #[serde(default)]
    pub callbacks: Option<Vec<String>>,
    #[serde(default)]
    pub allowed_logout_urls: Option<Vec<String>>,
    #[serde(default)]
    pub web_origins: Option<Vec<String>>,
    #[serde(default)]
    pub grant_types: Option<Vec<String>>,
    #[serde(default)]
    pub token_endpoint_auth_method: Option<String>,
    #[serde(default)]
    pub is_first_party: Option<bool>,
    #[serde(default)]
    pub oidc_conformant: Option<bool>,
    #[serde(default)]
    pub jwt_configuration: Option<JwtConfigurationIn>,
    /// Refused: Portcullis generates every secret.
    #[serde(default)]
    pub client_secret: Option<Value>,
}

/// The fields every Portcullis client has with one value: accepted with that value
/// (so a configuration exported from Auth0 imports), refused otherwise.
pub struct Fixed<'a> {
    pub is_first_party: Option<bool>,
    pub oidc_conformant: Option<bool>,
    pub jwt_configuration: Option<&'a JwtConfigurationIn>,
    pub client_secret: Option<&'a Value>,
}

impl ClientBody {
    pub fn fixed(&self) -> Fixed<'_> {
        Fixed {
            is_first_party: self.is_first_party,
            oidc_conformant: self.oidc_conformant,
            jwt_configuration: self.jwt_configuration.as_ref(),
            client_secret: self.client_secret.as_ref(),
        }
    }
}

/// 400 unless each fixed field is absent or has Portcullis's value; `id_token_lifetime`
/// is the tenant's (the only `jwt_configuration.lifetime_in_seconds` there is).
pub fn check_fixed_fields(fixed: &Fixed<'_>, id_token_lifetime: u32) -> Result<(), ApiError> {
    if fixed.client_secret.is_some() {
        return Err(invalid(
            "client_secret cannot be set: Portcullis generates client secrets and stores \
             only their hash. Use POST /api/v2/clients/{id}/rotate-secret for a new one.",
        ));
    }
    if fixed.is_first_party == Some(false) {
        return Err(invalid(
            "is_first_party cannot be false: every Portcullis application is first party.",
        ));
    }
    if fixed.oidc_conformant == Some(false) {
        return Err(invalid(
            "oidc_conformant cannot be false: every Portcullis application is OIDC conformant.",
        ));
    }
    if let Some(jwt) = fixed.jwt_configuration {
        if jwt.alg.as_deref().is_some_and(|a| a != "RS256") {
            return Err(invalid(
                "jwt_configuration.alg can only be RS256: ID tokens are signed with the \
                 tenant's signing keys.",
            ));
        }
        if jwt.secret_encoded == Some(true) {
            return Err(invalid(
                "jwt_configuration.secret_encoded cannot be true: ID tokens are not signed \
                 with the client secret.",
            ));
        }
        if jwt
            .lifetime_in_seconds
            .is_some_and(|s| s != i64::from(id_token_lifetime))
        {
            return Err(invalid(format!(
                "jwt_configuration.lifetime_in_seconds is the tenant's id_token_lifetime \
                 ({id_token_lifetime}): change it with PATCH /api/v2/tenants/settings."
            )));
        }
    }
    Ok(())
}

pub fn app_type(name: &str) -> Result<AppType, ApiError> {
    AppType::parse(name).ok_or_else(|| {
        invalid(format!(
            "app_type {name:?} is not supported: use regular_web, spa, native or \
             non_interactive."
        ))
    })
}

pub fn auth_method(name: &str) -> Result<TokenEndpointAuthMethod, ApiError> {
    TokenEndpointAuthMethod::parse(name).ok_or_else(|| {
        invalid(format!(
            "token_endpoint_auth_method {name:?} is not supported: use none, \
             client_secret_post or client_secret_basic."
        ))
    })
}

/// The description, at most [`MAX_DESCRIPTION`] characters without control characters
/// (empty when none).
pub fn description(value: Option<String>) -> Result<String, ApiError> {
    let value = value.unwrap_or_default();
    if value.chars().count() > MAX_DESCRIPTION || value.chars().any(|c| c.is_control() && c != '\n')
    {
        return Err(invalid(format!(
            "description must be at most {MAX_DESCRIPTION} characters."
        )));
    }
    Ok(value)
}

/// The grant types, known ones only, repeats dropped; `client_credentials` only for a
/// confidential application (it authenticates with its secret).
pub fn grant_types(list: Vec<String>, app: &Application) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for g in list {
        if !GRANT_TYPES.contains(&g.as_str()) {
            return Err(invalid(format!(
                "grant type {g:?} is not supported: use {}.",
                GRANT_TYPES.join(", ")
            )));
        }
        if g == "client_credentials"
            && app.token_endpoint_auth_method == TokenEndpointAuthMethod::None
        {
            return Err(invalid(format!(
                "client_credentials needs a confidential application: a {} application has \
                 no secret.",
                app.app_type.as_str()
            )));
        }
        if !out.contains(&g) {
            out.push(g);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_fields_accept_portcullis_values_only() {
        let jwt = |v: &str| serde_json::from_str::<JwtConfigurationIn>(v).unwrap();
        let ok = jwt(r#"{"alg":"RS256","lifetime_in_seconds":36000,"secret_encoded":false}"#);
        let fixed = |jwt| Fixed {
            is_first_party: Some(true),
            oidc_conformant: Some(true),
            jwt_configuration: jwt,
            client_secret: None,
        };
        assert!(check_fixed_fields(&fixed(Some(&ok)), 36_000).is_ok());
        assert!(check_fixed_fields(&fixed(Some(&ok)), 600).is_err());
        let hs = jwt(r#"{"alg":"HS256"}"#);
        assert!(check_fixed_fields(&fixed(Some(&hs)), 36_000).is_err());
        let secret = Value::from("s");
        let with_secret = Fixed {
            client_secret: Some(&secret),
            ..fixed(None)
        };
        assert!(check_fixed_fields(&with_secret, 36_000).is_err());
        let third_party = Fixed {
            is_first_party: Some(false),
            ..fixed(None)
        };
        assert!(check_fixed_fields(&third_party, 36_000).is_err());
    }

    #[test]
    fn descriptions_are_bounded() {
        assert_eq!(description(None).ok(), Some(String::new()));
        assert!(description(Some("x".repeat(140))).is_ok());
        assert!(description(Some("x".repeat(141))).is_err());
        assert!(description(Some("a\u{0}b".into())).is_err());
    }
}
