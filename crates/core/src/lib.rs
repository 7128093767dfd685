//! The Portcullis domain. No HTTP and no SQL here: storage is the [`Store`] trait,
//! time is the [`Clock`] trait and randomness the [`Rng`] trait, all injected.

pub mod application;
pub mod authorize;
pub mod bootstrap;
pub mod client_auth;
pub mod client_credentials;
pub mod clock;
pub mod error;
pub mod grant;
pub mod id_token;
pub mod ids;
pub mod keys;
pub mod oauth_error;
pub mod password;
pub mod pkce;
pub mod redirect_uri;
pub mod resource_server;
pub mod rng;
pub mod secret;
pub mod store;
pub mod tenant;
pub mod token;

pub use application::{AppType, Application, TokenEndpointAuthMethod};
pub use clock::{Clock, ManualClock, SystemClock, UnixTime};
pub use error::CoreError;
pub use grant::ClientGrant;
pub use ids::{ClientId, GrantId, ResourceServerId, TenantId};
pub use oauth_error::OAuthError;
pub use resource_server::{ResourceServer, ResourceServerScope};
pub use rng::{Rng, SystemRng};
pub use secret::{ClientSecret, SecretHash};
pub use store::{Store, StoreError};
pub use tenant::{Tenant, TenantSettings};
