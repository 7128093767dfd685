//! Users of a tenant, shaped as Auth0's user profile.

use unicode_normalization::UnicodeNormalization;

use crate::clock::UnixTime;
use crate::ids::{TenantId, UserId};
use crate::password::PasswordHash;

/// The name of the username/password database connection, as Auth0 names it.
pub const DATABASE_CONNECTION: &str = "Username-Password-Authentication";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    /// The connection the user signs in with, e.g. [`DATABASE_CONNECTION`].
    pub connection: String,
    /// The email as the user gave it (shown back as is). Uniqueness is checked on
    /// [`normalize_email`] of it.
    pub email: String,
    pub email_verified: bool,
    pub name: String,
    pub nickname: String,
    pub picture: Option<String>,
    /// `None` for users who cannot sign in with a password.
    pub password_hash: Option<PasswordHash>,
    pub blocked: bool,
    /// Auth0 `user_metadata`: the user may edit it. A JSON object.
    pub user_metadata: serde_json::Value,
    /// Auth0 `app_metadata`: only the tenant's admins may edit it. A JSON object.
    pub app_metadata: serde_json::Value,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
    pub last_login: Option<UnixTime>,
    pub logins_count: u32,
}

/// The form of an email address used to compare addresses: surrounding whitespace
/// removed, Unicode compatibility forms folded (NFKC: fullwidth `ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ`
/// is `alice@example.com`) and lowercased. `Alice@Example.COM ` and `alice@example.com`
/// are the same user, so a look-alike address cannot become a second account (E.39).
pub fn normalize_email(email: &str) -> String {
    let folded: String = email.trim().nfkc().collect();
    folded.to_lowercase().nfkc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_trims_and_lowercases_unicode() {
        assert_eq!(
            normalize_email("  Alice@Example.COM\t"),
            "alice@example.com"
        );
        assert_eq!(normalize_email("ÉLODIE@exemple.fr"), "élodie@exemple.fr");
        assert_eq!(normalize_email("ΣΩ@x.gr"), "σω@x.gr");
        assert_eq!(
            normalize_email("ＡＬＩＣＥ＠ｅｘａｍｐｌｅ．ｃｏｍ"),
            "alice@example.com"
        );
        assert_eq!(normalize_email("ℌello@example.com"), "hello@example.com");
        // Composed and decomposed accents are one address.
        assert_eq!(
            normalize_email("E\u{301}lodie@exemple.fr"),
            normalize_email("\u{c9}lodie@exemple.fr")
        );
        assert_eq!(normalize_email(""), "");
    }
}

impl User {
    /// The profile claims Auth0 gives a database user (ID token, `/userinfo`), before
    /// filtering by scope.
    pub fn profile_claims(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        m.insert("name".into(), self.name.clone().into());
        m.insert("nickname".into(), self.nickname.clone().into());
        if let Some(p) = &self.picture {
            m.insert("picture".into(), p.clone().into());
        }
        m.insert("updated_at".into(), rfc3339(self.updated_at.0).into());
        m.insert("email".into(), self.email.clone().into());
        m.insert("email_verified".into(), self.email_verified.into());
        m
    }
}

/// `2026-11-24T05:00:00.000Z`, as Auth0 formats dates.
pub fn rfc3339(unix: i64) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'_>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(FORMAT).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod claims_tests {
    use super::rfc3339;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_496_400), "2026-11-24T05:00:00.000Z");
    }
}
