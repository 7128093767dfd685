//! The storage boundary. SQLite and PostgreSQL implement it in `portcullis-store`.
//!
//! Lookups return `Result<Option<T>>`: "not found" is a value, a database failure is an
//! error, and the two are never confused.

use async_trait::async_trait;

use crate::application::Application;
use crate::authorization_code::{AuthorizationCode, CodeConsumption};
use crate::bootstrap::TenantSeed;
use crate::clock::UnixTime;
use crate::email_verification::VerificationTicket;
use crate::grant::ClientGrant;
use crate::ids::{ClientId, RoleId, TenantId, UserId};
use crate::keys::StoredKey;
use crate::password::PasswordHash;
use crate::password_reset::ResetTicket;
use crate::refresh_token::{RefreshToken, Rotation};
use crate::resource_server::ResourceServer;
use crate::role::Role;
use crate::sso_session::SsoSession;
use crate::tenant::Tenant;
use crate::user::User;
use crate::{AuditLog, ConfigAdmin, RbacAdmin, UserDirectory};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL cannot be used (unknown scheme, no host, ...).
    #[error("{0}")]
    InvalidUrl(String),
    /// The database could not be reached or failed to answer.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness rule was broken (e.g. a duplicate id).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored row could not be read back into its type.
    #[error("corrupt row in {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
    /// Schema migrations failed.
    #[error("migration failed: {0}")]
    Migration(String),
}

/// Everything Portcullis keeps. The Management API's areas are the supertraits
/// [`UserDirectory`], [`RbacAdmin`] and [`ConfigAdmin`]; the audit log is [`AuditLog`].
#[async_trait]
pub trait Store:
    UserDirectory + RbacAdmin + ConfigAdmin + AuditLog + Send + Sync + 'static
{
    /// A cheap round trip to the database, for `/readyz`.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Writes everything in `seed` in one transaction, unless its tenant exists already.
    /// Returns `true` when this call created the tenant. Two instances racing on one
    /// database get exactly one `true`.
    async fn bootstrap(&self, seed: &TenantSeed) -> Result<bool, StoreError>;

    async fn tenant(&self, id: &TenantId) -> Result<Option<Tenant>, StoreError>;

    async fn application(
        &self,
        tenant: &TenantId,
        client_id: &ClientId,
    ) -> Result<Option<Application>, StoreError>;
    /// All applications of a tenant, oldest first.
    async fn applications(&self, tenant: &TenantId) -> Result<Vec<Application>, StoreError>;
    /// Stores a new application (checked by
    /// [`Application::register`](crate::application::Application::register)). `Conflict`
    /// when the tenant has its client id already, or does not exist.
    async fn insert_application(&self, app: &Application) -> Result<(), StoreError>;
    /// Stores a new client grant. `Conflict` when the tenant has its id already or a grant
    /// for the same client and audience, or when the tenant, the application or the API
    /// does not exist.
    async fn insert_client_grant(&self, grant: &ClientGrant) -> Result<(), StoreError>;
    /// Replaces the tenant's `default_roles` setting with `roles` (repeats dropped, order
    /// kept), leaving its other settings as they are. `Ok(false)` when there is no such
    /// tenant; `Conflict`, and nothing changes, when a role is not one of the tenant's.
    async fn set_default_roles(
        &self,
        tenant: &TenantId,
        roles: &[RoleId],
    ) -> Result<bool, StoreError>;
    /// Sets the tenant's `signup_requires_verification` setting, leaving its other
    /// settings as they are. `Ok(false)` when there is no such tenant.
    async fn set_signup_requires_verification(
        &self,
        tenant: &TenantId,
        on: bool,
    ) -> Result<bool, StoreError>;

    /// All APIs of a tenant, oldest first.
    async fn resource_servers(&self, tenant: &TenantId) -> Result<Vec<ResourceServer>, StoreError>;

    /// Stores a new API. `Conflict` when the tenant has its id or its identifier already,
    /// or does not exist.
    async fn insert_resource_server(&self, api: &ResourceServer) -> Result<(), StoreError>;

    /// The API whose identifier (audience) is `identifier`.
    async fn resource_server_by_identifier(
        &self,
        tenant: &TenantId,
        identifier: &str,
    ) -> Result<Option<ResourceServer>, StoreError>;

    /// All client grants of a tenant, oldest first.
    async fn client_grants(&self, tenant: &TenantId) -> Result<Vec<ClientGrant>, StoreError>;
    /// The grant of `client_id` for the API `audience` (there is at most one).
    async fn client_grant(
        &self,
        tenant: &TenantId,
        client_id: &ClientId,
        audience: &str,
    ) -> Result<Option<ClientGrant>, StoreError>;

    /// All signing keys of a tenant, revoked ones included, ordered by `activates_at`
    /// then `created_at`.
    async fn signing_keys(&self, tenant: &TenantId) -> Result<Vec<StoredKey>, StoreError>;
    async fn insert_signing_key(&self, key: &StoredKey) -> Result<(), StoreError>;
    /// Marks a key revoked at `at`. Returns `false` when no unrevoked key has that kid.
    async fn revoke_signing_key(
        &self,
        tenant: &TenantId,
        kid: &str,
        at: UnixTime,
    ) -> Result<bool, StoreError>;

    // Users.

    /// Stores a new user. `Conflict` when the tenant already has the user id or a user
    /// whose email normalises ([`normalize_email`](crate::user::normalize_email)) to the
    /// same address, or when the tenant does not exist.
    async fn insert_user(&self, user: &User) -> Result<(), StoreError>;
    async fn user(&self, tenant: &TenantId, user_id: &UserId) -> Result<Option<User>, StoreError>;
    /// The user whose email is `email`, compared after normalising both.
    async fn user_by_email(
        &self,
        tenant: &TenantId,
        email: &str,
    ) -> Result<Option<User>, StoreError>;
    /// Replaces the user's password hash and sets `updated_at`. `false` when there is no
    /// such user.
    async fn set_password_hash(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        hash: &PasswordHash,
        at: UnixTime,
    ) -> Result<bool, StoreError>;
    /// Counts a successful login: `logins_count + 1`, `last_login = at`. Atomic, so
    /// concurrent logins all count. `false` when there is no such user.
    async fn record_login(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        at: UnixTime,
    ) -> Result<bool, StoreError>;

    // Roles and permissions.

    /// Stores a new role. `Conflict` when the tenant has the id or the name already.
    async fn insert_role(&self, role: &Role) -> Result<(), StoreError>;
    async fn role(&self, tenant: &TenantId, id: &RoleId) -> Result<Option<Role>, StoreError>;
    /// Gives `role` each `(audience, permission)`; pairs it has already are skipped.
    /// `Conflict` when the role or an API does not exist.
    async fn add_role_permissions(
        &self,
        tenant: &TenantId,
        role: &RoleId,
        permissions: &[(String, String)],
    ) -> Result<(), StoreError>;
    /// Gives the user each role; roles it has already are skipped. `Conflict` when the
    /// user or a role does not exist.
    async fn assign_user_roles(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        roles: &[RoleId],
    ) -> Result<(), StoreError>;
    /// The permissions the user's roles and direct grants give on the API `audience`:
    /// distinct, sorted (bytewise).
    async fn user_permissions(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        audience: &str,
    ) -> Result<Vec<String>, StoreError>;

    // Authorization codes.

    /// `Conflict` when the code hash exists, or the client or user does not.
    async fn insert_code(&self, code: &AuthorizationCode) -> Result<(), StoreError>;
    /// Marks the code consumed at `at`, atomically: of any number of concurrent calls
    /// (on any number of instances) for one code, exactly one gets `Consumed`; the rest
    /// get `AlreadyConsumed`. Expiry is not checked here.
    async fn consume_code(
        &self,
        tenant: &TenantId,
        code_hash: &str,
        at: UnixTime,
    ) -> Result<CodeConsumption, StoreError>;

    // Refresh tokens.

    /// Stores a token, typically generation 0 of a new family. `Conflict` when the hash,
    /// or the family and generation, exist already, or the client or user does not.
    async fn insert_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError>;
    /// Presents the token whose hash is `presented_hash` and, if it may be used,
    /// replaces it with `next`, all in one transaction. See [`Rotation`] and the
    /// [`refresh_token`](crate::refresh_token) module for the rules.
    ///
    /// `next` must continue the presented token: same tenant, family, client and user,
    /// generation + 1; otherwise `Conflict`, and nothing changes. Of concurrent calls
    /// presenting one live token, exactly one gets `Rotated`; with `reuse_window_secs`
    /// 0 the others get `Reused` and the whole family, the winner's new token included,
    /// ends revoked.
    async fn rotate_refresh_token(
        &self,
        tenant: &TenantId,
        presented_hash: &str,
        next: &RefreshToken,
        at: UnixTime,
        reuse_window_secs: i64,
    ) -> Result<Rotation, StoreError>;
    /// Revokes every live token of the family. Returns how many were revoked.
    async fn revoke_refresh_family(
        &self,
        tenant: &TenantId,
        family_id: &str,
        at: UnixTime,
    ) -> Result<u64, StoreError>;
    /// Revokes every family that came from the code `code_hash` (a replayed code:
    /// security case C.19). Returns how many tokens were revoked.
    async fn revoke_refresh_by_code(
        &self,
        tenant: &TenantId,
        code_hash: &str,
        at: UnixTime,
    ) -> Result<u64, StoreError>;
    /// Revokes every refresh token of the user (password change, block, deletion).
    /// Returns how many were revoked.
    async fn revoke_user_refresh_tokens(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        at: UnixTime,
    ) -> Result<u64, StoreError>;
    async fn refresh_token(
        &self,
        tenant: &TenantId,
        token_hash: &str,
    ) -> Result<Option<RefreshToken>, StoreError>;

    // SSO sessions.

    /// `Conflict` when the id hash or the sid exist already, or the user does not.
    async fn insert_session(&self, session: &SsoSession) -> Result<(), StoreError>;
    /// The session whose cookie hashes to `id_hash`, revoked or expired ones included.
    async fn session(
        &self,
        tenant: &TenantId,
        id_hash: &str,
    ) -> Result<Option<SsoSession>, StoreError>;
    /// Moves `last_active_at` forward to `at` (never back). `false` when there is no such
    /// unrevoked session.
    async fn touch_session(
        &self,
        tenant: &TenantId,
        id_hash: &str,
        at: UnixTime,
    ) -> Result<bool, StoreError>;
    /// `false` when there is no such unrevoked session.
    async fn revoke_session(
        &self,
        tenant: &TenantId,
        id_hash: &str,
        at: UnixTime,
    ) -> Result<bool, StoreError>;
    /// Revokes every session of the user. Returns how many were revoked.
    async fn revoke_user_sessions(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        at: UnixTime,
    ) -> Result<u64, StoreError>;

    // Password resets (see the [`password_reset`](crate::password_reset) module).

    /// Stores a new ticket. `Conflict` when its hash exists already, or the user does not.
    async fn insert_password_reset(&self, ticket: &ResetTicket) -> Result<(), StoreError>;
    /// The ticket whose hash is `ticket_hash`, used or expired ones included.
    async fn password_reset(
        &self,
        tenant: &TenantId,
        ticket_hash: &str,
    ) -> Result<Option<ResetTicket>, StoreError>;
    /// How many tickets were made for the user at or after `since`.
    async fn count_password_resets_since(
        &self,
        tenant: &TenantId,
        user_id: &UserId,
        since: UnixTime,
    ) -> Result<u64, StoreError>;
    /// Uses the ticket: in one transaction, marks it consumed at `at` (only if it is
    /// unconsumed and `at` is before its expiry), gives its user the password `hash`
    /// (`updated_at = at`) and marks the user's other unconsumed tickets consumed.
    /// Returns the consumed ticket, or `None` (and nothing changes) when the ticket is
    /// unknown, used or expired. Of concurrent calls for one ticket, on any number of
    /// instances, at most one gets `Some`.
    async fn consume_password_reset(
        &self,
        tenant: &TenantId,
        ticket_hash: &str,
        hash: &PasswordHash,
        at: UnixTime,
    ) -> Result<Option<ResetTicket>, StoreError>;

    // Email verification (see the [`email_verification`](crate::email_verification)
    // module).

    /// Stores a new verification ticket. `Conflict` when its hash exists already, or
    /// the user does not.
    async fn insert_email_verification(
        &self,
        ticket: &VerificationTicket,
    ) -> Result<(), StoreError>;
    /// Uses the ticket: in one transaction, marks it consumed at `at` (only if it is
    /// unconsumed and `at` is before its expiry) and sets `email_verified` of its user
    /// (`updated_at = at`). Returns the consumed ticket, or `None` (and nothing changes)
    /// when the ticket is unknown, used or expired. Of concurrent calls for one ticket,
    /// on any number of instances, at most one gets `Some`.
    async fn consume_email_verification(
        &self,
        tenant: &TenantId,
        ticket_hash: &str,
        at: UnixTime,
    ) -> Result<Option<VerificationTicket>, StoreError>;

    // Revoked grants.

    /// Records that the access tokens of `grant_id` are revoked, until `until`
    /// (portcullis_core::revocation). Revoking a grant again changes nothing.
    async fn revoke_grant(
        &self,
        tenant: &TenantId,
        grant_id: &str,
        at: UnixTime,
        until: UnixTime,
    ) -> Result<(), StoreError>;

    /// Whether `grant_id` was revoked.
    async fn grant_revoked(&self, tenant: &TenantId, grant_id: &str) -> Result<bool, StoreError>;

    // Housekeeping.

    /// Deletes, in every tenant, what can never be used again and has been dead for
    /// more than `grace_secs`: codes past `expires_at`; refresh-token families past their
    /// absolute `expires_at`, past the newest idle expiry of the family, or wholly
    /// revoked; sessions past `expires_at` or revoked; password-reset and
    /// email-verification tickets past `expires_at` or consumed. Whole families go at once.
    /// Returns how many rows were deleted.
    async fn sweep_expired(&self, at: UnixTime, grace_secs: i64) -> Result<u64, StoreError>;
}
