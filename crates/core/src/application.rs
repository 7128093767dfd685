//! Applications (OAuth clients), typed as Auth0's `app_type`.

use serde::{Deserialize, Serialize};

use crate::clock::UnixTime;
use crate::ids::{ClientId, TenantId};
use crate::secret::SecretHash;

/// Auth0's `app_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppType {
    /// Regular Web Application: confidential, has a secret.
    RegularWeb,
    /// Single Page Application: public, PKCE.
    Spa,
    /// Native: public, PKCE.
    Native,
    /// Machine to Machine: `client_credentials` only.
    NonInteractive,
}

impl AppType {
    pub fn as_str(self) -> &'static str {
        match self {
            AppType::RegularWeb => "regular_web",
            AppType::Spa => "spa",
            AppType::Native => "native",
            AppType::NonInteractive => "non_interactive",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "regular_web" => AppType::RegularWeb,
            "spa" => AppType::Spa,
            "native" => AppType::Native,
            "non_interactive" => AppType::NonInteractive,
            _ => return None,
        })
    }

    /// Whether this type of application holds a secret.
    pub fn is_confidential(self) -> bool {
        matches!(self, AppType::RegularWeb | AppType::NonInteractive)
    }
}

/// Auth0's `token_endpoint_auth_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenEndpointAuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    None,
}

impl TokenEndpointAuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenEndpointAuthMethod::ClientSecretBasic => "client_secret_basic",
            TokenEndpointAuthMethod::ClientSecretPost => "client_secret_post",
            TokenEndpointAuthMethod::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "client_secret_basic" => TokenEndpointAuthMethod::ClientSecretBasic,
            "client_secret_post" => TokenEndpointAuthMethod::ClientSecretPost,
            "none" => TokenEndpointAuthMethod::None,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub tenant_id: TenantId,
    pub client_id: ClientId,
    pub name: String,
    pub app_type: AppType,
    /// `None` for public clients.
    pub client_secret_hash: Option<SecretHash>,
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
    /// Auth0 `callbacks`: allowed redirect URIs, matched exactly.
    pub callbacks: Vec<String>,
    pub allowed_logout_urls: Vec<String>,
    pub web_origins: Vec<String>,
    /// Auth0 `grant_types`, e.g. `authorization_code`, `refresh_token`, `client_credentials`.
    pub grant_types: Vec<String>,
    pub created_at: UnixTime,
}
