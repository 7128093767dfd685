//! CSRF defences for the login, signup, consent and logout forms (security case 33): a
//! random token compared in constant time, and a same-origin check on the POST itself.

use std::fmt;

use axum::http::HeaderMap;
use portcullis_core::Rng;
use subtle::ConstantTimeEq;

/// A CSRF token: 32 random bytes, base64url without padding (43 characters).
#[derive(Clone)]
pub struct CsrfToken(String);

impl CsrfToken {
    pub fn generate(rng: &dyn Rng) -> Self {
        CsrfToken(portcullis_core::rng::random_b64url(rng, 32))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// [`csrf_matches`] with this token as the expected value.
    pub fn matches(&self, presented: &str) -> bool {
        csrf_matches(&self.0, presented)
    }
}

impl fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfToken(<redacted>)")
    }
}

/// True when `presented` equals `expected`, compared in constant time. An empty expected
/// token matches nothing, not even an empty presented one.
pub fn csrf_matches(expected: &str, presented: &str) -> bool {
    // subtle answers "not equal" at once for different lengths; the length of a token
    // is not a secret.
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

/// True when a POST plausibly comes from our own pages: `Sec-Fetch-Site` is absent or
/// `same-origin`, and `Origin` is absent or is `issuer_origin` (`scheme://host[:port]`,
/// no path; a trailing slash or a default port in `issuer_origin` is tolerated). A
/// repeated header, `Origin: null`, `same-site` and `cross-site` all answer false.
pub fn same_origin_post(headers: &HeaderMap, issuer_origin: &str) -> bool {
    let fetch_site_ok = match single(headers, "sec-fetch-site") {
        Single::Absent => true,
        Single::One(v) => v.eq_ignore_ascii_case("same-origin"),
        Single::Invalid => false,
    };
    let origin_ok = match single(headers, "origin") {
        Single::Absent => true,
        Single::One(v) => normalized_origin(issuer_origin)
            .is_some_and(|ours| !v.is_empty() && v.eq_ignore_ascii_case(&ours)),
        Single::Invalid => false,
    };
    fetch_site_ok && origin_ok
}

enum Single<'a> {
    Absent,
    One(&'a str),
    /// Repeated, or not visible ASCII.
    Invalid,
}

fn single<'a>(headers: &'a HeaderMap, name: &str) -> Single<'a> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (None, _) => Single::Absent,
        (Some(v), None) => v.to_str().map_or(Single::Invalid, Single::One),
        (Some(_), Some(_)) => Single::Invalid,
    }
}

/// The serialized origin a browser would send for `issuer_origin`.
fn normalized_origin(issuer_origin: &str) -> Option<String> {
    let url = url::Url::parse(issuer_origin).ok()?;
    let origin = url.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use portcullis_core::SystemRng;

    const ISSUER: &str = "https://auth.example";

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_static(value));
        }
        h
    }

    #[test]
    fn token_is_32_bytes_base64url_and_redacted() {
        let t = CsrfToken::generate(&SystemRng::new());
        assert_eq!(t.as_str().len(), 43);
        assert!(
            t.as_str()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(t.as_str(), CsrfToken::generate(&SystemRng::new()).as_str());
        assert_eq!(format!("{t:?}"), "CsrfToken(<redacted>)");
        assert!(t.matches(t.as_str()));
    }

    #[test]
    fn csrf_matches_cases() {
        assert!(csrf_matches("abc", "abc"));
        assert!(!csrf_matches("abc", "abd"));
        assert!(!csrf_matches("abc", "ABC"));
        assert!(!csrf_matches("abc", "ab"));
        assert!(!csrf_matches("abc", "abcd"));
        assert!(!csrf_matches("abc", ""));
        assert!(!csrf_matches("", "abc"));
        assert!(!csrf_matches("", ""));
    }

    #[test]
    fn no_headers_is_same_origin() {
        assert!(same_origin_post(&HeaderMap::new(), ISSUER));
    }

    #[test]
    fn sec_fetch_site() {
        assert!(same_origin_post(
            &headers(&[("sec-fetch-site", "same-origin")]),
            ISSUER
        ));
        for other in ["cross-site", "same-site", "none", ""] {
            assert!(
                !same_origin_post(&headers(&[("sec-fetch-site", other)]), ISSUER),
                "{other}"
            );
        }
        assert!(!same_origin_post(
            &headers(&[
                ("sec-fetch-site", "same-origin"),
                ("sec-fetch-site", "cross-site")
            ]),
            ISSUER
        ));
    }

    #[test]
    fn origin_equal_to_the_issuer() {
        assert!(same_origin_post(
            &headers(&[("origin", "https://auth.example")]),
            ISSUER
        ));
        assert!(same_origin_post(
            &headers(&[
                ("origin", "https://auth.example"),
                ("sec-fetch-site", "same-origin")
            ]),
            ISSUER
        ));
        // The issuer as configured (trailing slash, default port) still matches.
        assert!(same_origin_post(
            &headers(&[("origin", "https://auth.example")]),
            "https://auth.example:443/"
        ));
        assert!(same_origin_post(
            &headers(&[("origin", "http://localhost:3000")]),
            "http://localhost:3000"
        ));
    }

    #[test]
    fn origin_other_than_the_issuer() {
        for other in [
            "https://evil.example",
            "https://auth.example.evil",
            "https://sub.auth.example",
            "https://auth.example:8443",
            "http://auth.example",
            "null",
            "",
        ] {
            assert!(
                !same_origin_post(&headers(&[("origin", other)]), ISSUER),
                "{other}"
            );
        }
        assert!(!same_origin_post(
            &headers(&[
                ("origin", "https://auth.example"),
                ("sec-fetch-site", "cross-site")
            ]),
            ISSUER
        ));
        assert!(!same_origin_post(
            &headers(&[
                ("origin", "https://auth.example"),
                ("origin", "https://evil.example")
            ]),
            ISSUER
        ));
    }

    #[test]
    fn an_issuer_origin_that_does_not_parse_matches_no_origin() {
        assert!(!same_origin_post(
            &headers(&[("origin", "null")]),
            "not a url"
        ));
    }
}
