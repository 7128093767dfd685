//! The bodies of `POST /users` and `PATCH /users/{id}`, and the checks of their fields
//! with Auth0's 400 answers.
//!
//! Only the members Portcullis stores are accepted; Auth0 members it does not keep
//! (`given_name`, `family_name`, `username`, `phone_number`, ...) are refused by name
//! rather than silently dropped.

use portcullis_core::password::Password;
use portcullis_core::signup::{PASSWORD_POLICY, meets_password_policy, plausible_email};
use portcullis_core::user::DATABASE_CONNECTION;
use portcullis_core::user_directory::fold_email;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::management::error::ApiError;

/// The longest `name` and `nickname`, in characters (Auth0's limit).
const MAX_NAME_CHARS: usize = 300;
/// The longest custom `user_id`, in bytes, prefix excluded.
const MAX_USER_ID_BYTES: usize = 255;
/// The longest `picture` URL, in bytes.
const MAX_PICTURE_BYTES: usize = 2048;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateBody {
    pub connection: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub picture: Option<String>,
    pub user_metadata: Option<Map<String, Value>>,
    pub app_metadata: Option<Map<String, Value>>,
    pub blocked: Option<bool>,
    pub email_verified: Option<bool>,
    /// Accepted for compatibility; the Management API sends no mail.
    #[allow(dead_code)]
    pub verify_email: Option<bool>,
    pub user_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PatchBody {
    pub connection: Option<String>,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub picture: Option<String>,
    pub password: Option<String>,
    pub blocked: Option<bool>,
    pub user_metadata: Option<Map<String, Value>>,
    pub app_metadata: Option<Map<String, Value>>,
    /// Accepted for compatibility; the Management API sends no mail.
    pub verify_email: Option<bool>,
}

pub(super) fn missing(property: &str) -> ApiError {
    ApiError::invalid_body(format!("Missing required property: {property}"))
}

/// Portcullis has one connection, the username/password database.
pub(super) fn check_connection(connection: &str) -> Result<(), ApiError> {
    if connection == DATABASE_CONNECTION {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "The connection does not exist.",
            Some("inexistent_connection"),
        ))
    }
}

/// The address folded as signup folds it, if it is plausible.
pub(super) fn check_email(raw: &str) -> Result<String, ApiError> {
    let email = fold_email(raw);
    if plausible_email(&email) {
        Ok(email)
    } else {
        Err(ApiError::invalid_body(format!(
            "Object didn't pass validation for format email: {raw}"
        )))
    }
}

/// A password that meets the tenant's policy.
pub(super) fn check_password(raw: String) -> Result<Password, ApiError> {
    let password = Password::new(raw);
    if meets_password_policy(&password) {
        Ok(password)
    } else {
        Err(ApiError::bad_request(
            format!("PasswordStrengthError: Password is too weak. {PASSWORD_POLICY}"),
            None,
        ))
    }
}

/// `name` or `nickname`: 1 to 300 characters, no control characters.
pub(super) fn check_name(property: &str, value: &str) -> Result<(), ApiError> {
    let n = value.chars().count();
    if n == 0 || n > MAX_NAME_CHARS {
        return Err(ApiError::invalid_body(format!(
            "String length must be between 1 and {MAX_NAME_CHARS} on property {property}"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::invalid_body(format!(
            "Control characters are not allowed on property {property}"
        )));
    }
    Ok(())
}

/// An absolute `http` or `https` URL.
pub(super) fn check_picture(value: &str) -> Result<(), ApiError> {
    let ok = value.len() <= MAX_PICTURE_BYTES
        && url::Url::parse(value).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid_body(format!(
            "Object didn't pass validation for format absolute-uri: {value} on property picture"
        )))
    }
}

/// A custom id becomes `auth0|<id>`, as Auth0 prefixes it with the strategy.
pub(super) fn check_user_id(raw: &str) -> Result<String, ApiError> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_USER_ID_BYTES
        && !raw.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(format!("auth0|{raw}"))
    } else {
        Err(ApiError::invalid_body(format!(
            "user_id must be 1 to {MAX_USER_ID_BYTES} bytes without spaces or control characters"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_checks() {
        assert_eq!(
            check_email(" Ａda@Example.com ").ok().as_deref(),
            Some("Ada@Example.com")
        );
        assert!(check_email("nope").is_err());
        assert!(check_password("short".into()).is_err());
        assert!(check_password("long enough".into()).is_ok());
        assert!(check_name("name", "").is_err());
        assert!(check_name("name", &"x".repeat(301)).is_err());
        assert!(check_name("name", "Ada\u{0}").is_err());
        assert!(check_name("name", "Ada Lovelace").is_ok());
        assert!(check_picture("https://example.com/a.png").is_ok());
        assert!(check_picture("javascript:alert(1)").is_err());
        assert_eq!(check_user_id("abc").ok().as_deref(), Some("auth0|abc"));
        assert!(check_user_id("a b").is_err());
        assert!(check_user_id("").is_err());
        assert!(check_connection("google-oauth2").is_err());
    }
}
