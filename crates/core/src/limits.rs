//! The limits and allowed values of tenant configuration, shared by the Management API
//! (which answers 400 past them) and `portcullis admin apply` (which checks a whole file
//! against them before writing anything), so the two can never disagree.

/// Longest API name, in characters.
pub const MAX_API_NAME: usize = 200;
/// Longest API identifier (audience), in bytes.
pub const MAX_API_IDENTIFIER: usize = 600;
/// Longest scope value, in bytes.
pub const MAX_SCOPE_VALUE: usize = 280;
/// Longest scope description, in characters.
pub const MAX_SCOPE_DESCRIPTION: usize = 500;
/// Longest access-token lifetime of an API, seconds (30 days, Auth0's maximum).
pub const MAX_API_TOKEN_LIFETIME: u32 = 2_592_000;
/// The `signing_alg` an API may name: tokens are signed with the tenant's keys.
pub const API_SIGNING_ALGS: &[&str] = &["RS256"];
/// Auth0's `token_dialect` values Portcullis issues.
pub const TOKEN_DIALECTS: &[&str] = &["access_token", "access_token_authz"];

/// Auth0's limit on an application's `description`, in characters.
pub const MAX_CLIENT_DESCRIPTION: usize = 140;
/// The grant types an application may list.
pub const GRANT_TYPES: &[&str] = &[
    "authorization_code",
    "implicit",
    "refresh_token",
    "client_credentials",
];

/// Longest friendly name, in characters.
pub const MAX_FRIENDLY_NAME: usize = 255;
/// Longest picture URL, in bytes.
pub const MAX_PICTURE_URL: usize = 2048;
/// Longest SSO session, hours (one year, Auth0's maximum).
pub const MAX_SESSION_HOURS: u32 = 8760;
/// Longest ID token lifetime, seconds (30 days, Auth0's maximum).
pub const MAX_ID_TOKEN_LIFETIME: u32 = 2_592_000;
/// Longest refresh-token family lifetime, seconds (one year, Auth0's maximum).
pub const MAX_REFRESH_LIFETIME: u32 = 31_557_600;
/// Longest rotation overlap, seconds (one hour).
pub const MAX_REUSE_WINDOW: u32 = 3600;
