//! `Set-Cookie` header values for the session cookie and its chunks.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::options::CookieOptions;

/// `name=value` with the options' attributes; `max_age` in seconds, `None` for a transient
/// cookie. `now` gives `Expires` (for clients that ignore `Max-Age`).
pub(crate) fn set(
    name: &str,
    value: &str,
    options: &CookieOptions,
    max_age: Option<i64>,
    now: i64,
) -> String {
    let mut out = format!("{name}={value}; Path={}", options.path);
    if let Some(domain) = &options.domain {
        out.push_str("; Domain=");
        out.push_str(domain);
    }
    if let Some(max_age) = max_age {
        let at = UNIX_EPOCH
            + Duration::from_secs(u64::try_from(now.saturating_add(max_age)).unwrap_or(0));
        out.push_str("; Expires=");
        out.push_str(&httpdate::fmt_http_date(at.max(UNIX_EPOCH)));
        out.push_str(&format!("; Max-Age={max_age}"));
    }
    if options.secure {
        out.push_str("; Secure");
    }
    out.push_str("; HttpOnly; SameSite=");
    out.push_str(options.same_site.as_str());
    out
}

/// Removes the cookie `name` (same path and domain, or the browser keeps it).
pub(crate) fn delete(name: &str, options: &CookieOptions) -> String {
    let mut out = format!(
        "{name}=; Path={}; Expires={}; Max-Age=0",
        options.path,
        httpdate::fmt_http_date(SystemTime::UNIX_EPOCH)
    );
    if let Some(domain) = &options.domain {
        out.push_str("; Domain=");
        out.push_str(domain);
    }
    if options.secure {
        out.push_str("; Secure");
    }
    out.push_str("; HttpOnly; SameSite=");
    out.push_str(options.same_site.as_str());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session_cookie::SameSite;

    #[test]
    fn attributes() {
        let o = CookieOptions {
            secure: true,
            domain: Some("example.com".to_owned()),
            same_site: SameSite::Strict,
            ..CookieOptions::default()
        };
        assert_eq!(
            set("__session", "abc", &o, Some(86_400), 1_800_000_000),
            "__session=abc; Path=/; Domain=example.com; Expires=Sat, 16 Jan 2027 08:00:00 GMT; \
             Max-Age=86400; Secure; HttpOnly; SameSite=Strict"
        );
        assert_eq!(
            set("__session", "abc", &CookieOptions::default(), None, 0),
            "__session=abc; Path=/; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            delete("__session__1", &CookieOptions::default()),
            "__session__1=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; \
             SameSite=Lax"
        );
    }
}
