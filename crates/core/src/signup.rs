//! Creating a user of the username/password database connection: email and password
//! checked, password hashed, the tenant's default roles given.

use unicode_normalization::UnicodeNormalization;

use crate::clock::Clock;
use crate::error::CoreError;
use crate::ids::{RoleId, TenantId, UserId};
use crate::password::{Password, PasswordHasher};
use crate::rng::Rng;
use crate::store::{Store, StoreError};
use crate::user::{DATABASE_CONNECTION, User};

/// The password policy: long enough to resist guessing, nothing else imposed
/// (NIST SP 800-63B). Shown to users as is.
pub const PASSWORD_POLICY: &str = "At least 8 characters.";
const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum SignupError {
    #[error("invalid email address")]
    InvalidEmail,
    #[error("password is too weak: {PASSWORD_POLICY}")]
    WeakPassword,
    #[error("the user already exists")]
    Exists,
    #[error(transparent)]
    Internal(#[from] CoreError),
}

impl From<StoreError> for SignupError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) => SignupError::Exists,
            other => SignupError::Internal(CoreError::Store(other)),
        }
    }
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub password: &'a Password,
    pub name: Option<&'a str>,
    pub email_verified: bool,
}

/// Creates the user and gives it `default_roles`.
pub async fn create_database_user(
    store: &dyn Store,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    rng: &dyn Rng,
    tenant: &TenantId,
    default_roles: &[String],
    new: NewUser<'_>,
) -> Result<User, SignupError> {
    // Compatibility forms folded before the address is checked or stored (E.39): a
    // fullwidth `＠` is an `@`, and the stored address is the one mail is sent to.
    let email: String = new.email.trim().nfkc().collect();
    let email = email.as_str();
    if !plausible_email(email) {
        return Err(SignupError::InvalidEmail);
    }
    if !meets_password_policy(new.password) {
        return Err(SignupError::WeakPassword);
    }
    let hash = hasher
        .hash(new.password)
        .await
        .map_err(|e| SignupError::Internal(CoreError::Password(e.to_string())))?;
    let now = clock.now();
    let nickname = email.split('@').next().unwrap_or(email).to_owned();
    let user = User {
        tenant_id: tenant.clone(),
        user_id: UserId::new_database_user(rng),
        connection: DATABASE_CONNECTION.to_owned(),
        email: email.to_owned(),
        email_verified: new.email_verified,
        name: new.name.map_or_else(|| email.to_owned(), str::to_owned),
        nickname,
        picture: None,
        password_hash: Some(hash),
        blocked: false,
        user_metadata: serde_json::json!({}),
        app_metadata: serde_json::json!({}),
        created_at: now,
        updated_at: now,
        last_login: None,
        logins_count: 0,
    };
    store.insert_user(&user).await?;
    if !default_roles.is_empty() {
        let roles: Vec<RoleId> = default_roles.iter().map(RoleId::new).collect();
        store
            .assign_user_roles(tenant, &user.user_id, &roles)
            .await?;
    }
    Ok(user)
}

/// Whether `password` meets [`PASSWORD_POLICY`] (signup and password reset share it).
pub fn meets_password_policy(password: &Password) -> bool {
    password.expose().chars().count() >= MIN_PASSWORD_CHARS
}

/// One `@` with text on both sides, a dot in the domain, no spaces or controls, at most
/// 254 characters. Deliverability is for email verification to prove.
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::plausible_email;

    #[test]
    fn emails() {
        for ok in ["a@b.co", "first.last+tag@sub.example.com", "ü@exämple.de"] {
            assert!(plausible_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a@@b.co", "a b@c.de", "a@b.co.", "a@.b.co",
        ] {
            assert!(!plausible_email(bad), "{bad}");
        }
    }
}
