//! Which cookies to read, with which secrets, and the session lifetimes to enforce.

use std::time::Duration;

use portcullis_jose::CookieKeyRing;

use crate::SdkError;

/// express-openid-connect and nextjs-auth0 v3 default `rollingDuration`: 24 hours.
pub const DEFAULT_ROLLING_DURATION: Duration = Duration::from_secs(24 * 60 * 60);
/// express-openid-connect and nextjs-auth0 v3 default `absoluteDuration`: 7 days.
pub const DEFAULT_ABSOLUTE_DURATION: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// nextjs-auth0 v4 decrypts with `clockTolerance: 15` seconds on the payload's `exp`.
pub const V4_CLOCK_TOLERANCE_SECS: i64 = 15;

/// A cookie name: a non-empty RFC 6265 token (visible ASCII except separators).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieName(String);

impl CookieName {
    pub fn parse(name: &str) -> Result<CookieName, SdkError> {
        let separator = |b: u8| b"()<>@,;:\\\"/[]?={} \t".contains(&b);
        let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && !separator(b));
        if valid {
            Ok(CookieName(name.to_owned()))
        } else {
            Err(SdkError::InvalidCookieName(name.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `__session`, nextjs-auth0 v4's.
    pub fn session() -> CookieName {
        CookieName("__session".to_owned())
    }
}

/// How to read Auth0 SDK session cookies.
///
/// Defaults: nextjs-auth0 v4's `__session` is tried first, then `appSession`
/// (nextjs-auth0 v3 and express-openid-connect) with their default lifetimes: rolling
/// 24 hours, absolute 7 days. Each can be renamed or turned off.
#[derive(Debug)]
pub struct ReaderConfig {
    pub(crate) keys: CookieKeyRing,
    pub(crate) v4_cookie: Option<CookieName>,
    pub(crate) app_session_cookie: Option<CookieName>,
    pub(crate) rolling_duration: Option<i64>,
    pub(crate) absolute_duration: Option<i64>,
}

impl ReaderConfig {
    /// Reads with the given keys (current secret first) and the defaults.
    pub fn new(keys: CookieKeyRing) -> ReaderConfig {
        ReaderConfig {
            keys,
            v4_cookie: Some(CookieName::session()),
            app_session_cookie: Some(CookieName("appSession".to_owned())),
            rolling_duration: Some(secs(DEFAULT_ROLLING_DURATION)),
            absolute_duration: Some(secs(DEFAULT_ABSOLUTE_DURATION)),
        }
    }

    /// Derives the keys from the apps' secrets (`AUTH0_SECRET`; with rotation the current
    /// one first, as express-openid-connect's `secret: [new, old]`).
    pub fn from_secrets<S: AsRef<str>>(secrets: &[S]) -> Result<ReaderConfig, SdkError> {
        Ok(ReaderConfig::new(CookieKeyRing::from_secrets(secrets)?))
    }

    /// The nextjs-auth0 v4 session cookie name (`cookie.name`, default `__session`), or
    /// `None` not to read v4 cookies.
    pub fn with_v4_cookie(mut self, name: Option<CookieName>) -> ReaderConfig {
        self.v4_cookie = name;
        self
    }

    /// The nextjs-auth0 v3 / express-openid-connect cookie name (`session.name`, default
    /// `appSession`), or `None` not to read them.
    pub fn with_app_session_cookie(mut self, name: Option<CookieName>) -> ReaderConfig {
        self.app_session_cookie = name;
        self
    }

    /// `appSession` cookies: refuse sessions not updated within this duration (the SDKs'
    /// `rollingDuration`); `None` when the app has `rolling: false`.
    pub fn with_rolling_duration(mut self, duration: Option<Duration>) -> ReaderConfig {
        self.rolling_duration = duration.map(secs);
        self
    }

    /// `appSession` cookies: refuse sessions created longer ago than this (the SDKs'
    /// `absoluteDuration`); `None` when the app has `absoluteDuration: false`.
    pub fn with_absolute_duration(mut self, duration: Option<Duration>) -> ReaderConfig {
        self.absolute_duration = duration.map(secs);
        self
    }

    pub fn keys(&self) -> &CookieKeyRing {
        &self.keys
    }
}

fn secs(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_names_are_tokens() {
        for good in [
            "__session",
            "appSession",
            "a",
            "__Host-session",
            "x.y_z~!#$%&'*+^`|",
        ] {
            assert_eq!(CookieName::parse(good).unwrap().as_str(), good);
        }
        for bad in ["", "a b", "a=b", "a;b", "a,b", "é", "a\"", "a\u{0}", "a\n"] {
            assert!(CookieName::parse(bad).is_err(), "{bad:?}");
        }
    }
}
