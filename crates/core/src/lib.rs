//! The Portcullis domain. No HTTP and no SQL here: storage is the [`Store`] trait,
//! time is the [`Clock`] trait and randomness the [`Rng`] trait, all injected.

pub mod application;
pub mod authorization_code;
pub mod authorize;
pub mod bootstrap;
pub mod client_auth;
pub mod client_credentials;
pub mod clock;
pub mod code_grant;
pub mod error;
pub mod grant;
pub mod id_token;
pub mod ids;
pub mod keys;
pub mod oauth_error;
pub mod password;
pub mod pkce;
pub mod redirect_uri;
pub mod refresh_grant;
pub mod refresh_token;
pub mod resource_server;
pub mod rng;
pub mod role;
pub mod secret;
pub mod signup;
pub mod sso_session;
pub mod store;
pub mod tenant;
pub mod token;
pub mod user;

pub use application::{AppType, Application, TokenEndpointAuthMethod};
pub use authorization_code::{AuthorizationCode, CodeConsumption, token_hash};
pub use clock::{Clock, ManualClock, SystemClock, UnixTime};
pub use error::CoreError;
pub use grant::ClientGrant;
pub use ids::{ClientId, GrantId, ResourceServerId, RoleId, TenantId, UserId};
pub use oauth_error::OAuthError;
pub use refresh_token::{RefreshToken, Rotation};
pub use resource_server::{ResourceServer, ResourceServerScope};
pub use rng::{Rng, SystemRng};
pub use role::Role;
pub use secret::{ClientSecret, SecretHash};
pub use sso_session::SsoSession;
pub use store::{Store, StoreError};
pub use tenant::{Tenant, TenantSettings};
pub use user::{User, normalize_email};
