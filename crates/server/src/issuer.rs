//! The issuer: the tenant's public base URL, with Auth0's trailing slash.

use std::fmt;
use std::net::SocketAddr;

use url::Url;

/// An `http(s)` URL without query or fragment, always ending in `/`
/// (`https://id.example.com/`). Endpoint URLs are built by appending to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer(String);

impl Issuer {
    pub fn parse(text: &str) -> Result<Issuer, String> {
        let url = Url::parse(text.trim())
            .map_err(|e| format!("`{text}` is not an absolute URL ({e})"))?;
        if url.scheme() != "https" && url.scheme() != "http" {
            return Err(format!("`{text}` must start with https:// or http://"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("`{text}` has no host"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!("`{text}` must not have a query or a fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("`{text}` must not contain credentials"));
        }
        let mut s = url.to_string();
        if !s.ends_with('/') {
            s.push('/');
        }
        Ok(Issuer(s))
    }

    /// The issuer a listener answers at when no public URL is configured. An unspecified
    /// address (0.0.0.0, ::) becomes loopback: set `--public-url` for anything else.
    pub fn from_listen(addr: SocketAddr, tls: bool) -> Issuer {
        let scheme = if tls { "https" } else { "http" };
        let host = match addr {
            SocketAddr::V4(a) if a.ip().is_unspecified() => "127.0.0.1".to_owned(),
            SocketAddr::V4(a) => a.ip().to_string(),
            SocketAddr::V6(a) if a.ip().is_unspecified() => "[::1]".to_owned(),
            SocketAddr::V6(a) => format!("[{}]", a.ip()),
        };
        Issuer(format!("{scheme}://{host}:{}/", addr.port()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `issuer` + `path` (a path without a leading slash, e.g. `.well-known/jwks.json`).
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.0, path.trim_start_matches('/'))
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

impl fmt::Display for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_adds_the_trailing_slash() {
        assert_eq!(
            Issuer::parse("https://id.example.com").unwrap().as_str(),
            "https://id.example.com/"
        );
        assert_eq!(
            Issuer::parse("https://example.com/tenant")
                .unwrap()
                .as_str(),
            "https://example.com/tenant/"
        );
    }

    #[test]
    fn parse_rejects_what_cannot_be_an_issuer() {
        for bad in [
            "id.example.com",
            "ftp://id.example.com/",
            "https://id.example.com/?x=1",
            "https://id.example.com/#f",
            "https://user:pw@id.example.com/",
        ] {
            assert!(Issuer::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn from_listen_maps_unspecified_to_loopback() {
        let a: SocketAddr = "0.0.0.0:4000".parse().unwrap();
        assert_eq!(
            Issuer::from_listen(a, false).as_str(),
            "http://127.0.0.1:4000/"
        );
        let b: SocketAddr = "127.0.0.1:8443".parse().unwrap();
        assert_eq!(
            Issuer::from_listen(b, true).as_str(),
            "https://127.0.0.1:8443/"
        );
        let c: SocketAddr = "[::1]:80".parse().unwrap();
        assert_eq!(Issuer::from_listen(c, false).as_str(), "http://[::1]:80/");
    }

    #[test]
    fn join_appends_paths() {
        let i = Issuer::parse("http://127.0.0.1:4000/").unwrap();
        assert_eq!(
            i.join(".well-known/jwks.json"),
            "http://127.0.0.1:4000/.well-known/jwks.json"
        );
        assert_eq!(i.join("/api/v2/"), "http://127.0.0.1:4000/api/v2/");
    }
}
