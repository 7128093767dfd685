//! The cookies of the login flow: the SSO session and the CSRF token of the login
//! forms. `__Host-` prefixed (Secure, Path=/, no Domain) when the issuer is https;
//! plain names on http, where browsers refuse Secure cookies.

use axum::http::{HeaderMap, HeaderValue, header};

pub const SESSION: &str = "portcullis_session";
pub const CSRF: &str = "portcullis_csrf";

#[derive(Debug, Clone, Copy)]
pub struct CookieJar {
    pub secure: bool,
}

impl CookieJar {
    pub fn name(&self, base: &str) -> String {
        if self.secure {
            format!("__Host-{base}")
        } else {
            base.to_owned()
        }
    }

    /// The value of cookie `base`, if sent exactly once. Duplicates (cookie tossing)
    /// count as absent.
    pub fn get(&self, headers: &HeaderMap, base: &str) -> Option<String> {
        let name = self.name(base);
        let mut found = None;
        for value in headers.get_all(header::COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            for pair in text.split(';') {
                let Some((k, v)) = pair.trim().split_once('=') else {
                    continue;
                };
                if k == name {
                    if found.is_some() {
                        return None;
                    }
                    found = Some(v.to_owned());
                }
            }
        }
        found.filter(|v| !v.is_empty() && v.len() <= 256)
    }

    /// `Set-Cookie` for `base` = `value`, HttpOnly, Path=/, SameSite=Lax.
    pub fn set(&self, base: &str, value: &str, max_age_secs: i64) -> Option<HeaderValue> {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}",
            self.name(base)
        ))
        .ok()
    }

    /// `Set-Cookie` deleting `base`.
    pub fn clear(&self, base: &str) -> Option<HeaderValue> {
        self.set(base, "", 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cookies: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for c in cookies {
            h.append(header::COOKIE, c.parse().unwrap());
        }
        h
    }

    #[test]
    fn names_are_host_prefixed_on_https() {
        assert_eq!(
            CookieJar { secure: true }.name(SESSION),
            "__Host-portcullis_session"
        );
        assert_eq!(
            CookieJar { secure: false }.name(SESSION),
            "portcullis_session"
        );
    }

    #[test]
    fn get_finds_one_and_refuses_duplicates() {
        let jar = CookieJar { secure: false };
        assert_eq!(
            jar.get(&headers(&["a=1; portcullis_session=abc; b=2"]), SESSION)
                .as_deref(),
            Some("abc")
        );
        assert_eq!(
            jar.get(
                &headers(&["portcullis_session=a", "portcullis_session=b"]),
                SESSION
            ),
            None
        );
        assert_eq!(jar.get(&headers(&["portcullis_session="]), SESSION), None);
        assert_eq!(jar.get(&headers(&[]), SESSION), None);
        // The __Host- name is a different cookie.
        assert_eq!(
            jar.get(&headers(&["__Host-portcullis_session=abc"]), SESSION),
            None
        );
    }

    #[test]
    fn set_cookie_attributes() {
        let v = CookieJar { secure: true }.set(SESSION, "v", 60).unwrap();
        assert_eq!(
            v.to_str().unwrap(),
            "__Host-portcullis_session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        let v = CookieJar { secure: false }.clear(CSRF).unwrap();
        assert_eq!(
            v.to_str().unwrap(),
            "portcullis_csrf=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
        );
    }
}
