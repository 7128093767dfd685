//! Redirect URIs: parsed once at the edge, then only ever compared byte for byte.
//!
//! An application registers its redirect URIs (Auth0's "Allowed Callback URLs") with
//! [`RedirectUri::parse_registered`]; the `redirect_uri` of an authorization request is read
//! with [`RedirectUri::parse_requested`] and must equal one of them exactly
//! ([`matches_registered`], [`resolve`]). Nothing is normalised: no lower-casing, no
//! percent-decoding, no dot-segment removal, no default port. The one relaxation is the
//! loopback port of native apps (RFC 8252 §7.3).
//!
//! Every error here means "show an error page": the server never redirects to a URI that
//! failed these checks (RFC 6749 §4.1.2.1).

use std::fmt;

use portcullis_proto::ErrorCode;

/// Longest redirect URI accepted, in bytes.
pub const MAX_LEN: usize = 2048;

/// Schemes never accepted, compared case-insensitively: they run code or read local
/// content in the browser instead of reaching an app.
const FORBIDDEN_SCHEMES: &[&str] = &[
    "javascript",
    "data",
    "vbscript",
    "file",
    "blob",
    "filesystem",
    "about",
];

/// Hosts for which plain `http` is allowed.
const LOOPBACK_HOSTS: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// Registered URIs that accept any port in a native app's request (RFC 8252 §7.3); not
/// `localhost`, which may resolve elsewhere (RFC 8252 §8.3).
const LOOPBACK_IP_PREFIXES: &[&str] = &["http://127.0.0.1", "http://[::1]"];

/// Longest piece of input echoed in an error message.
const ECHO_MAX: usize = 32;

/// Why a redirect URI was refused. None of these may lead to a redirect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectUriError {
    /// No `redirect_uri` was sent and the application has none registered.
    #[error("redirect_uri is missing and the application has no registered callback URL")]
    Missing,
    /// No `redirect_uri` was sent and the application has several registered.
    #[error("redirect_uri is required: the application has several registered callback URLs")]
    Ambiguous,
    /// The `redirect_uri` is well formed but not one of the application's.
    #[error("redirect_uri is not a registered callback URL of this application")]
    NotRegistered,
    /// Longer than [`MAX_LEN`] bytes.
    #[error("redirect_uri is longer than {MAX_LEN} bytes")]
    TooLong,
    /// Not an absolute URI, or a character or component that is not allowed.
    #[error("redirect_uri is malformed: {0}")]
    Malformed(String),
    /// `javascript:`, `data:`, `vbscript:`, `file:` and the like (the scheme, truncated).
    #[error("redirect_uri uses the forbidden scheme `{0}:`")]
    ForbiddenScheme(String),
    /// `http` for a host other than `localhost`, `127.0.0.1` or `[::1]`.
    #[error(
        "redirect_uri must use https (http is allowed only for localhost, 127.0.0.1 and [::1])"
    )]
    InsecureScheme,
    /// A `#fragment` (RFC 6749 §3.1.2).
    #[error("redirect_uri must not contain a fragment")]
    Fragment,
    /// `user@host` or `user:password@host`.
    #[error("redirect_uri must not contain user information (`@`) in the authority")]
    UserInfo,
    /// `*` in the host.
    #[error("redirect_uri must not contain a wildcard in the host")]
    Wildcard,
}

impl RedirectUriError {
    /// The OAuth error code, for logs and the error page; never sent as a redirect.
    pub fn oauth_error(&self) -> ErrorCode {
        ErrorCode::InvalidRequest
    }
}

fn malformed(reason: &str) -> RedirectUriError {
    RedirectUriError::Malformed(reason.to_owned())
}

/// A redirect URI, exactly as registered or sent, that passed [`RedirectUri::parse_registered`]
/// or [`RedirectUri::parse_requested`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RedirectUri(String);

impl RedirectUri {
    /// A redirect URI being registered for an application (Auth0 "Allowed Callback URLs").
    ///
    /// Accepted: an absolute URI of at most [`MAX_LEN`] bytes made of RFC 3986 characters
    /// only; `https`, `http` for loopback hosts only, or a custom scheme for native apps
    /// (`com.example.app:/callback`, `myapp://cb`) other than the forbidden ones; no
    /// fragment, no user information, no `*` in the host, no backslash, whitespace,
    /// control or non-ASCII characters (internationalised hosts must be given in punycode).
    /// The string is kept exactly as given.
    pub fn parse_registered(s: &str) -> Result<RedirectUri, RedirectUriError> {
        check(s)?;
        Ok(RedirectUri(s.to_owned()))
    }

    /// The `redirect_uri` parameter of a request. The same checks as
    /// [`RedirectUri::parse_registered`] (a URI that fails them can never equal a
    /// registered one); the value is then only compared, with [`matches_registered`].
    pub fn parse_requested(s: &str) -> Result<RedirectUri, RedirectUriError> {
        check(s)?;
        Ok(RedirectUri(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RedirectUri {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Whether `requested` is one of `registered`: exact byte-for-byte equality.
///
/// With `native_loopback_any_port` (native apps, RFC 8252 §7.3) a registered
/// `http://127.0.0.1/...` or `http://[::1]/...` without a port also matches the same URI
/// with any port; nothing else may differ.
pub fn matches_registered(
    requested: &RedirectUri,
    registered: &[RedirectUri],
    native_loopback_any_port: bool,
) -> bool {
    registered.iter().any(|r| {
        r.0 == requested.0 || (native_loopback_any_port && loopback_with_port(&requested.0, &r.0))
    })
}

/// The redirect URI of an authorization request.
///
/// Sent: it must parse and match a registered one. Not sent (or sent empty, which
/// RFC 6749 §3.1 says is the same): the registered one if there is exactly one, else
/// [`RedirectUriError::Missing`] (none) or [`RedirectUriError::Ambiguous`] (several).
pub fn resolve(
    requested: Option<&str>,
    registered: &[RedirectUri],
    native: bool,
) -> Result<RedirectUri, RedirectUriError> {
    match requested.filter(|s| !s.is_empty()) {
        None => match registered {
            [only] => Ok(only.clone()),
            [] => Err(RedirectUriError::Missing),
            _ => Err(RedirectUriError::Ambiguous),
        },
        Some(s) => {
            let uri = RedirectUri::parse_requested(s)?;
            if matches_registered(&uri, registered, native) {
                Ok(uri)
            } else {
                Err(RedirectUriError::NotRegistered)
            }
        }
    }
}

/// `requested` is `registered` (a port-less loopback IP URI) with `:port` inserted after
/// the host.
fn loopback_with_port(requested: &str, registered: &str) -> bool {
    LOOPBACK_IP_PREFIXES.iter().any(|prefix| {
        let Some(reg_rest) = registered.strip_prefix(prefix) else {
            return false;
        };
        // The host must end right after the prefix, with no port.
        if !(reg_rest.is_empty() || reg_rest.starts_with(['/', '?'])) {
            return false;
        }
        let Some(with_port) = requested
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix(':'))
        else {
            return false;
        };
        let digits = with_port.len()
            - with_port
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .len();
        let (port, req_rest) = with_port.split_at(digits);
        valid_port(port) && req_rest == reg_rest
    })
}

/// All the checks, shared by registration and requests.
fn check(s: &str) -> Result<(), RedirectUriError> {
    if s.len() > MAX_LEN {
        return Err(RedirectUriError::TooLong);
    }
    if s.is_empty() {
        return Err(malformed("empty"));
    }
    let (scheme, rest) = split_scheme(s)?;
    let lower_scheme = scheme.to_ascii_lowercase();
    if FORBIDDEN_SCHEMES.contains(&lower_scheme.as_str()) {
        return Err(RedirectUriError::ForbiddenScheme(truncate(scheme)));
    }
    check_characters(s)?;
    if s.contains('#') {
        return Err(RedirectUriError::Fragment);
    }
    let web = lower_scheme == "https" || lower_scheme == "http";
    match rest.strip_prefix("//") {
        Some(after) => {
            let end = after.find(['/', '?']).unwrap_or(after.len());
            let host = check_authority(&after[..end])?;
            if web && host.is_empty() {
                return Err(malformed("missing host"));
            }
            if lower_scheme == "http"
                && !LOOPBACK_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host))
            {
                return Err(RedirectUriError::InsecureScheme);
            }
        }
        None if web => return Err(malformed("missing `//` and host")),
        None if rest.is_empty() => return Err(malformed("nothing after the scheme")),
        None => {}
    }
    Ok(())
}

/// `scheme ":" rest`, with `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
fn split_scheme(s: &str) -> Result<(&str, &str), RedirectUriError> {
    let not_absolute = || malformed("not an absolute URI (no scheme)");
    let (scheme, rest) = s.split_once(':').ok_or_else(not_absolute)?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
        return Err(not_absolute());
    }
    Ok((scheme, rest))
}

/// Only RFC 3986 characters (reserved, unreserved, `%` + two hex digits); this refuses
/// whitespace, controls, non-ASCII, backslash and `"<>^`{|}`.
fn check_characters(s: &str) -> Result<(), RedirectUriError> {
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\\' => return Err(malformed("backslash")),
            b'%' => {
                let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
                if !(hex(i + 1) && hex(i + 2)) {
                    return Err(malformed("`%` not followed by two hex digits"));
                }
            }
            _ if b.is_ascii_whitespace() || b.is_ascii_control() => {
                return Err(malformed("whitespace or control character"));
            }
            _ if !b.is_ascii() => {
                return Err(malformed(
                    "non-ASCII character (use punycode or percent-encoding)",
                ));
            }
            _ if b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b) => {}
            _ => return Err(malformed("character not allowed in a URI")),
        }
    }
    Ok(())
}

/// Checks `host [ ":" port ]` and returns the host (IPv6 literals with their brackets).
fn check_authority(authority: &str) -> Result<&str, RedirectUriError> {
    if authority.contains('@') {
        return Err(RedirectUriError::UserInfo);
    }
    let (host, port) = if authority.starts_with('[') {
        let close = authority
            .find(']')
            .ok_or_else(|| malformed("unterminated IPv6 literal"))?;
        let (host, after) = authority.split_at(close + 1);
        let inner = &host[1..close];
        if inner.is_empty()
            || !inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.'))
        {
            return Err(malformed("invalid IPv6 literal"));
        }
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| malformed("unexpected characters after the IPv6 literal"))?,
            ),
        };
        (host, port)
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.contains('*') {
        return Err(RedirectUriError::Wildcard);
    }
    if !host.starts_with('[')
        && !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
    {
        return Err(malformed("invalid character in host"));
    }
    if let Some(p) = port
        && !valid_port(p)
    {
        return Err(malformed("invalid port"));
    }
    Ok(host)
}

/// 1 to 5 digits, 1..=65535.
fn valid_port(p: &str) -> bool {
    (1..=5).contains(&p.len())
        && p.bytes().all(|b| b.is_ascii_digit())
        && p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n))
}

fn truncate(s: &str) -> String {
    s.chars().take(ECHO_MAX).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use RedirectUriError as E;

    fn reg(s: &str) -> RedirectUri {
        RedirectUri::parse_registered(s).unwrap()
    }

    const APP: &str = "https://app.example/cb";

    #[test]
    fn registration_accepts_the_allowed_forms_unchanged() {
        for s in [
            APP,
            "https://app.example",
            "https://app.example:8443/cb?tenant=a&x=%2F",
            "https://app.example/cb/",
            "https://xn--pp-8kc.example/cb",
            "HTTPS://App.Example/CB",
            "http://localhost/cb",
            "http://localhost:3000/callback",
            "http://LocalHost:3000/callback",
            "http://127.0.0.1/cb",
            "http://127.0.0.1:8080/cb",
            "http://[::1]/cb",
            "http://[::1]:8080/cb",
            "https://[2001:db8::1]/cb",
            "com.example.app:/callback",
            "com.example.app:/oauth2redirect/auth0",
            "myapp://cb",
            "myapp:///callback",
        ] {
            assert_eq!(
                RedirectUri::parse_registered(s).map(|u| u.into_string()),
                Ok(s.to_owned()),
                "{s}"
            );
            assert_eq!(
                RedirectUri::parse_requested(s).map(|u| u.into_string()),
                Ok(s.to_owned()),
                "{s}"
            );
        }
    }

    /// Case B.16 and the registration rules.
    #[test]
    fn registration_rejects_each_forbidden_form() {
        let fs = |s: &str| E::ForbiddenScheme(s.to_owned());
        let m = |s: &str| E::Malformed(s.to_owned());
        let cases: &[(&str, E)] = &[
            ("javascript:alert(1)", fs("javascript")),
            ("JaVaScRiPt:alert(1)", fs("JaVaScRiPt")),
            ("javascript://app.example/%0aalert(1)", fs("javascript")),
            ("data:text/html,hi", fs("data")),
            ("DATA:text/html;base64,PHNjcmlwdD4=", fs("DATA")),
            ("vbscript:msgbox(1)", fs("vbscript")),
            ("VBScript:msgbox(1)", fs("VBScript")),
            ("file:///etc/passwd", fs("file")),
            ("FILE://host/share", fs("FILE")),
            ("blob:https://app.example/1234", fs("blob")),
            (" javascript:alert(1)", m("not an absolute URI (no scheme)")),
            (
                "java\tscript:alert(1)",
                m("not an absolute URI (no scheme)"),
            ),
            ("https://app.example/cb#f", E::Fragment),
            ("https://app.example/cb#", E::Fragment),
            ("myapp://cb#x", E::Fragment),
            ("https://*.example/cb", E::Wildcard),
            ("https://app.*.example/cb", E::Wildcard),
            ("https://*/cb", E::Wildcard),
            ("myapp://*/cb", E::Wildcard),
            ("https://user@app.example/cb", E::UserInfo),
            ("https://user:pw@app.example/cb", E::UserInfo),
            ("https://app.example@evil.example/cb", E::UserInfo),
            ("https://a@b@evil.example/cb", E::UserInfo),
            ("http://app.example/cb", E::InsecureScheme),
            ("HTTP://app.example/cb", E::InsecureScheme),
            ("http://localhost.evil.example/cb", E::InsecureScheme),
            ("http://127.0.0.1.nip.io/cb", E::InsecureScheme),
            ("http://10.0.0.1/cb", E::InsecureScheme),
            ("https://app.example\\@evil.example/cb", m("backslash")),
            ("https://app.example\\cb", m("backslash")),
            (
                "https://app.example/c b",
                m("whitespace or control character"),
            ),
            (
                "https://app.example/cb ",
                m("whitespace or control character"),
            ),
            (
                "https://app.example/cb\n",
                m("whitespace or control character"),
            ),
            (
                "https://app.example/\u{0}cb",
                m("whitespace or control character"),
            ),
            (
                "https://app.example/cb\u{7f}",
                m("whitespace or control character"),
            ),
            (
                "https://аpp.example/cb",
                m("non-ASCII character (use punycode or percent-encoding)"),
            ),
            (
                "https://app.example/<script>",
                m("character not allowed in a URI"),
            ),
            (
                "https://app.example/%zz",
                m("`%` not followed by two hex digits"),
            ),
            (
                "https://app.example/%2",
                m("`%` not followed by two hex digits"),
            ),
            ("https://app%2eexample/cb", m("invalid character in host")),
            ("https://app.example:/cb", m("invalid port")),
            ("https://app.example:0/cb", m("invalid port")),
            ("https://app.example:65536/cb", m("invalid port")),
            ("https://app.example:80a/cb", m("invalid port")),
            ("https://[::1/cb", m("unterminated IPv6 literal")),
            ("https://[fe80::1%25eth0]/cb", m("invalid IPv6 literal")),
            (
                "https://[::1]x/cb",
                m("unexpected characters after the IPv6 literal"),
            ),
            ("https:///cb", m("missing host")),
            ("https:app.example/cb", m("missing `//` and host")),
            ("https:/app.example/cb", m("missing `//` and host")),
            ("myapp:", m("nothing after the scheme")),
            ("/cb", m("not an absolute URI (no scheme)")),
            ("app.example/cb", m("not an absolute URI (no scheme)")),
            ("//app.example/cb", m("not an absolute URI (no scheme)")),
            ("1app:/cb", m("not an absolute URI (no scheme)")),
            ("", m("empty")),
        ];
        for (s, want) in cases {
            assert_eq!(
                RedirectUri::parse_registered(s).as_ref(),
                Err(want),
                "registered {s:?}"
            );
            assert_eq!(
                RedirectUri::parse_requested(s).as_ref(),
                Err(want),
                "requested {s:?}"
            );
        }
    }

    #[test]
    fn length_limit_is_2048_bytes() {
        let base = "https://app.example/";
        let ok = format!("{base}{}", "a".repeat(MAX_LEN - base.len()));
        assert!(RedirectUri::parse_registered(&ok).is_ok());
        let long = format!("{ok}a");
        assert_eq!(RedirectUri::parse_registered(&long), Err(E::TooLong));
        assert_eq!(RedirectUri::parse_requested(&long), Err(E::TooLong));
    }

    #[test]
    fn forbidden_scheme_echo_is_truncated() {
        let err = E::ForbiddenScheme(truncate(&"x".repeat(100)));
        assert!(err.to_string().len() < 100, "{err}");
    }

    /// Case B.13: each variant of `https://app.example/cb`, through [`resolve`] (what the
    /// server calls) and, where it parses, through [`matches_registered`].
    #[test]
    fn exact_match_rejects_every_variant() {
        let registered = [reg(APP)];
        let m = |s: &str| Err(E::Malformed(s.to_owned()));
        let cases: &[(&str, Result<(), E>)] = &[
            ("https://app.example/CB", Err(E::NotRegistered)),
            ("HTTPS://APP.EXAMPLE/cb", Err(E::NotRegistered)),
            ("https://APP.example/cb", Err(E::NotRegistered)),
            ("https://app.example/cb/", Err(E::NotRegistered)),
            ("https://app.example/cb?x=1", Err(E::NotRegistered)),
            ("https://app.example/cb?", Err(E::NotRegistered)),
            ("https://app.example/cb#f", Err(E::Fragment)),
            ("https://app.example/cb/../x", Err(E::NotRegistered)),
            ("https://app.example/x/../cb", Err(E::NotRegistered)),
            ("https://app.example/./cb", Err(E::NotRegistered)),
            ("https://app.example/cb/%2e%2e/x", Err(E::NotRegistered)),
            ("https://app.example/%2e%2e/cb", Err(E::NotRegistered)),
            ("https://app.example/%63b", Err(E::NotRegistered)),
            ("https://app.example/cb/..;/x", Err(E::NotRegistered)),
            ("https://app.example/cb..;/", Err(E::NotRegistered)),
            ("https://app.example@evil/cb", Err(E::UserInfo)),
            ("https://app.example@evil.example/cb", Err(E::UserInfo)),
            ("https://a@app.example@evil.example/cb", Err(E::UserInfo)),
            ("https://app.example:443@evil.example/cb", Err(E::UserInfo)),
            ("https://evil.example\\@app.example/cb", m("backslash")),
            ("https://app.example\\cb", m("backslash")),
            ("https://app.example\\@evil/cb", m("backslash")),
            ("http://app.example/cb", Err(E::InsecureScheme)),
            ("https://app.example:443/cb", Err(E::NotRegistered)),
            ("https://app.example:8443/cb", Err(E::NotRegistered)),
            ("https://app.example./cb", Err(E::NotRegistered)),
            ("https://app.example.evil/cb", Err(E::NotRegistered)),
            ("https://evil.example/cb", Err(E::NotRegistered)),
            ("https://xn--pp-8kc.example/cb", Err(E::NotRegistered)),
            (
                "https://аpp.example/cb",
                m("non-ASCII character (use punycode or percent-encoding)"),
            ),
            (
                "https://app.example/cb ",
                m("whitespace or control character"),
            ),
            (
                " https://app.example/cb",
                m("not an absolute URI (no scheme)"),
            ),
            ("https://app.example/cb%00", Err(E::NotRegistered)),
            (
                "https://app.example/cb\u{0}",
                m("whitespace or control character"),
            ),
            ("//app.example/cb", m("not an absolute URI (no scheme)")),
            ("/cb", m("not an absolute URI (no scheme)")),
            (
                "javascript:alert(1)//https://app.example/cb",
                Err(E::ForbiddenScheme("javascript".into())),
            ),
            (APP, Ok(())),
        ];
        for (s, want) in cases {
            for native in [false, true] {
                let got = resolve(Some(s), &registered, native).map(|u| {
                    assert_eq!(u.as_str(), APP);
                });
                assert_eq!(&got, want, "{s:?} native={native}");
            }
            if let Ok(uri) = RedirectUri::parse_requested(s) {
                let want_match = *s == APP;
                assert_eq!(
                    matches_registered(&uri, &registered, false),
                    want_match,
                    "{s:?}"
                );
                assert_eq!(
                    matches_registered(&uri, &registered, true),
                    want_match,
                    "{s:?}"
                );
            }
        }
    }

    #[test]
    fn exact_match_finds_one_of_several() {
        let registered = [reg("https://a.example/cb"), reg(APP), reg("myapp://cb")];
        for s in [APP, "https://a.example/cb", "myapp://cb"] {
            assert_eq!(resolve(Some(s), &registered, false), Ok(reg(s)));
        }
        assert_eq!(
            resolve(Some("myapp://cb/"), &registered, false),
            Err(E::NotRegistered)
        );
        assert_eq!(
            resolve(Some("MyApp://cb"), &registered, false),
            Err(E::NotRegistered)
        );
        assert_eq!(resolve(Some(APP), &[], false), Err(E::NotRegistered));
    }

    /// RFC 8252 §7.3 / §8.3: any port for a port-less loopback IP, native apps only.
    #[test]
    fn native_loopback_any_port() {
        let registered = [
            reg("http://127.0.0.1/cb"),
            reg("http://[::1]/cb?x=1"),
            reg("http://localhost/cb"),
            reg("http://127.0.0.1:8080/fixed"),
            reg("http://127.0.0.1"),
        ];
        // (requested, matches for a native app, matches for any other app)
        let cases: &[(&str, bool, bool)] = &[
            ("http://127.0.0.1/cb", true, true),
            ("http://127.0.0.1:51234/cb", true, false),
            ("http://127.0.0.1:1/cb", true, false),
            ("http://127.0.0.1:65535/cb", true, false),
            ("http://[::1]:51234/cb?x=1", true, false),
            ("http://[::1]/cb?x=1", true, true),
            ("http://127.0.0.1:51234", true, false),
            // Only the port may differ.
            ("http://127.0.0.1:51234/cb/", false, false),
            ("http://127.0.0.1:51234/CB", false, false),
            ("http://127.0.0.1:51234/cb?x=1", false, false),
            ("http://[::1]:51234/cb", false, false),
            ("http://127.0.0.1:51234/cbx", false, false),
            ("http://[::1]:51234/cb?x=2", false, false),
            ("HTTP://127.0.0.1:51234/cb", false, false),
            // Not localhost (RFC 8252 §8.3).
            ("http://localhost/cb", true, true),
            ("http://localhost:51234/cb", false, false),
            // A registered port is exact.
            ("http://127.0.0.1:8080/fixed", true, true),
            ("http://127.0.0.1:8081/fixed", false, false),
            ("http://127.0.0.1/fixed", false, false),
        ];
        for &(s, native, web) in cases {
            let uri = RedirectUri::parse_requested(s).unwrap();
            assert_eq!(
                matches_registered(&uri, &registered, true),
                native,
                "native {s}"
            );
            assert_eq!(matches_registered(&uri, &registered, false), web, "web {s}");
        }
        // A port that does not parse never reaches the comparison.
        for s in [
            "http://127.0.0.1:0/cb",
            "http://127.0.0.1:99999/cb",
            "http://127.0.0.1:/cb",
        ] {
            assert_eq!(
                resolve(Some(s), &registered, true),
                Err(E::Malformed("invalid port".into())),
                "{s}"
            );
        }
        // Other loopback addresses are not loopback hosts here: http is refused outright.
        for s in ["http://127.0.0.10:51234/cb", "http://127.0.0.2:51234/cb"] {
            assert_eq!(
                resolve(Some(s), &registered, true),
                Err(E::InsecureScheme),
                "{s}"
            );
        }
        // Defence in depth: the helper itself refuses odd ports and host suffixes.
        assert!(!loopback_with_port(
            "http://127.0.0.1:/cb",
            "http://127.0.0.1/cb"
        ));
        assert!(!loopback_with_port(
            "http://127.0.0.1:0/cb",
            "http://127.0.0.1/cb"
        ));
        assert!(!loopback_with_port(
            "http://127.0.0.10:80/cb",
            "http://127.0.0.10/cb"
        ));
        assert!(!loopback_with_port(
            "http://127.0.0.1:80/cb",
            "http://127.0.0.1:80/cb"
        ));
        assert!(!loopback_with_port(
            "https://127.0.0.1:80/cb",
            "https://127.0.0.1/cb"
        ));
    }

    /// Case B.14: nothing sent is fine only when there is exactly one candidate.
    #[test]
    fn resolve_without_redirect_uri() {
        let one = [reg(APP)];
        let two = [reg(APP), reg("https://app.example/other")];
        for native in [false, true] {
            assert_eq!(resolve(None, &one, native), Ok(reg(APP)));
            assert_eq!(resolve(Some(""), &one, native), Ok(reg(APP)));
            assert_eq!(resolve(None, &two, native), Err(E::Ambiguous));
            assert_eq!(resolve(Some(""), &two, native), Err(E::Ambiguous));
            assert_eq!(resolve(None, &[], native), Err(E::Missing));
            assert_eq!(resolve(Some(""), &[], native), Err(E::Missing));
        }
    }

    #[test]
    fn errors_are_invalid_request_and_do_not_echo_input() {
        let err = resolve(Some("https://evil.example/<x>"), &[reg(APP)], false).unwrap_err();
        assert_eq!(err.oauth_error(), ErrorCode::InvalidRequest);
        assert!(!err.to_string().contains("evil"), "{err}");
        let err = resolve(Some("https://evil.example/cb"), &[reg(APP)], false).unwrap_err();
        assert!(!err.to_string().contains("evil"), "{err}");
    }
}
