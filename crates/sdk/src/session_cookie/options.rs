//! The session cookie's attributes and the session's lifetimes, with nextjs-auth0 v4's
//! defaults.

use std::time::Duration;

use crate::SdkError;
use crate::auth0_cookie::CookieName;

/// nextjs-auth0 v4's default `absoluteDuration`: 3 days.
pub const DEFAULT_ABSOLUTE: Duration = Duration::from_secs(3 * 24 * 60 * 60);
/// nextjs-auth0 v4's default `inactivityDuration`: 1 day.
pub const DEFAULT_INACTIVITY: Duration = Duration::from_secs(24 * 60 * 60);

/// The `SameSite` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Lax,
    Strict,
    /// Only with `Secure` (browsers drop `SameSite=None` cookies without it).
    None,
}

impl SameSite {
    /// `lax`, `strict` or `none`, any case (as `AUTH0_COOKIE_SAME_SITE` holds it).
    pub fn parse(value: &str) -> Result<SameSite, SdkError> {
        match value.to_ascii_lowercase().as_str() {
            "lax" => Ok(SameSite::Lax),
            "strict" => Ok(SameSite::Strict),
            "none" => Ok(SameSite::None),
            _ => Err(SdkError::InvalidSetting {
                name: "same_site",
                why: format!("{value:?} is not lax, strict or none"),
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
            SameSite::None => "None",
        }
    }
}

/// The session cookie's name and attributes; `HttpOnly` is always set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieOptions {
    /// Default `__session`; chunks are `{name}__0`, `{name}__1`, ...
    pub name: CookieName,
    /// Default false; [`CookieOptions::for_base_url`] turns it on for https apps.
    pub secure: bool,
    /// Default `Lax`.
    pub same_site: SameSite,
    /// Default `/`.
    pub path: String,
    /// Default none: the cookie goes back to the host that set it only.
    pub domain: Option<String>,
    /// A transient cookie has no `Max-Age`: the browser drops it when it closes.
    pub transient: bool,
}

impl Default for CookieOptions {
    fn default() -> Self {
        CookieOptions {
            name: CookieName::session(),
            secure: false,
            same_site: SameSite::Lax,
            path: "/".to_owned(),
            domain: None,
            transient: false,
        }
    }
}

impl CookieOptions {
    /// The defaults for an app served at `base_url`: `Secure` when it is https.
    pub fn for_base_url(base_url: &str) -> CookieOptions {
        CookieOptions {
            secure: base_url
                .get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://")),
            ..CookieOptions::default()
        }
    }

    /// Checks what a browser would reject or silently misuse: `SameSite=None` without
    /// `Secure`, a path not starting with `/`, and separators in the path or domain.
    pub fn validate(&self) -> Result<(), SdkError> {
        let invalid = |name, why: &str| {
            Err(SdkError::InvalidSetting {
                name,
                why: why.to_owned(),
            })
        };
        if self.same_site == SameSite::None && !self.secure {
            return invalid("same_site", "SameSite=None needs secure (https)");
        }
        let attribute_safe =
            |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() && b != b';');
        if !self.path.starts_with('/') || !attribute_safe(&self.path) {
            return invalid("path", "it must start with / and hold no spaces or ;");
        }
        if let Some(domain) = &self.domain
            && !attribute_safe(domain)
        {
            return invalid("domain", "it must be a host name, without spaces or ;");
        }
        Ok(())
    }
}

/// How long a session lives, as nextjs-auth0 v4 counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    /// Default true: each write extends the session by `inactivity`, up to `absolute`
    /// after it was created.
    pub rolling: bool,
    /// Default 3 days.
    pub absolute: Duration,
    /// Default 1 day.
    pub inactivity: Duration,
}

impl Default for Lifetime {
    fn default() -> Self {
        Lifetime {
            rolling: true,
            absolute: DEFAULT_ABSOLUTE,
            inactivity: DEFAULT_INACTIVITY,
        }
    }
}

impl Lifetime {
    /// Seconds the session has left when written at `now` (nextjs-auth0 v4's
    /// `calculateMaxAge`): rolling, the sooner of `now + inactivity` and `created_at +
    /// absolute`; otherwise `absolute`. 0 when the session is over.
    pub fn max_age(&self, created_at: i64, now: i64) -> i64 {
        let absolute = secs(self.absolute);
        if !self.rolling {
            return absolute;
        }
        let expires_at = now
            .saturating_add(secs(self.inactivity))
            .min(created_at.saturating_add(absolute));
        expires_at.saturating_sub(now).max(0)
    }
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_sessions_end_at_the_sooner_of_inactivity_and_absolute() {
        let l = Lifetime::default();
        let day = 86_400;
        // Fresh: one day of inactivity.
        assert_eq!(l.max_age(1_000, 1_000), day);
        // Written 2.5 days in: half a day to the absolute end.
        assert_eq!(l.max_age(1_000, 1_000 + 5 * day / 2), day / 2);
        // At or past the absolute end: nothing left.
        assert_eq!(l.max_age(1_000, 1_000 + 3 * day), 0);
        assert_eq!(l.max_age(1_000, 1_000 + 4 * day), 0);
        let fixed = Lifetime {
            rolling: false,
            ..Lifetime::default()
        };
        assert_eq!(fixed.max_age(1_000, 1_000 + day), 3 * day);
    }

    #[test]
    fn options_are_checked() {
        assert!(CookieOptions::for_base_url("https://app.example.com").secure);
        assert!(CookieOptions::for_base_url("HTTPS://app.example.com").secure);
        assert!(!CookieOptions::for_base_url("http://localhost:3000").secure);
        assert!(CookieOptions::default().validate().is_ok());
        let none_insecure = CookieOptions {
            same_site: SameSite::None,
            ..CookieOptions::default()
        };
        assert!(none_insecure.validate().is_err());
        for path in ["", "app", "/a b", "/a;b"] {
            let o = CookieOptions {
                path: path.to_owned(),
                ..CookieOptions::default()
            };
            assert!(o.validate().is_err(), "{path:?}");
        }
        let bad_domain = CookieOptions {
            domain: Some("example.com; Secure".to_owned()),
            ..CookieOptions::default()
        };
        assert!(bad_domain.validate().is_err());
        assert_eq!(SameSite::parse("STRICT").ok(), Some(SameSite::Strict));
        assert!(SameSite::parse("lenient").is_err());
    }
}
