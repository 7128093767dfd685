//! The web-app SDK's settings: from code ([`Auth0Config::builder`]) or from the Auth0
//! environment variables ([`Auth0Config::from_env`]), checked once into an
//! [`Auth0Config`] whose errors name the setting that is wrong.

use std::time::Duration;

use portcullis_jose::CookieKeyRing;
use url::Url;

use crate::SdkError;
use crate::auth0_cookie::CookieName;
use crate::jwks::is_secure_or_loopback;
use crate::session_cookie::{CookieOptions, Lifetime, SameSite};

/// nextjs-auth0 v4's default scope.
pub const DEFAULT_SCOPE: &str = "openid profile email offline_access";
/// The shortest secret accepted: nextjs-auth0 asks for 32 bytes (`openssl rand -hex 32`).
pub const MIN_SECRET_LEN: usize = 32;

/// Validated settings. Build with [`Auth0Config::builder`] or [`Auth0Config::from_env`].
/// `Debug` leaves the secrets out.
pub struct Auth0Config {
    /// The provider's issuer URL (`https://tenant.auth0.com/`).
    pub(crate) issuer: Url,
    /// The issuer exactly as configured (discovery must name this or `issuer`).
    pub(crate) issuer_as_configured: String,
    /// Allow plain http to a provider that is not on loopback.
    pub(crate) allow_insecure_http: bool,
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<String>,
    /// `AUTH0_SECRET`; more than one (comma-separated) rotates: the first encrypts, all
    /// read.
    pub(crate) secrets: Vec<String>,
    /// `scheme://host[:port]` plus an optional path prefix, without a trailing slash.
    pub(crate) app_base_url: Url,
    pub(crate) scope: String,
    pub(crate) audience: Option<String>,
    pub(crate) cookie: CookieOptions,
    pub(crate) lifetime: Lifetime,
    /// Refresh access tokens this long before they expire.
    pub(crate) refresh_buffer: Duration,
    /// Clock skew allowed on ID and logout token times.
    pub(crate) clock_tolerance: Duration,
    /// The longest any call to the provider may take.
    pub(crate) http_timeout: Duration,
}

impl std::fmt::Debug for Auth0Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth0Config")
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "secrets",
                &format_args!("<{} redacted>", self.secrets.len()),
            )
            .field("app_base_url", &self.app_base_url.as_str())
            .field("scope", &self.scope)
            .field("audience", &self.audience)
            .field("cookie", &self.cookie)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl Auth0Config {
    pub fn builder() -> Auth0ConfigBuilder {
        Auth0ConfigBuilder::default()
    }

    /// The settings from the process environment; see [`Auth0Config::from_env_with`].
    pub fn from_env() -> Result<Auth0Config, SdkError> {
        Auth0Config::from_env_with(|name| std::env::var(name).ok())
    }

    /// The settings from Auth0's environment variables, as nextjs-auth0 v4 and
    /// express-openid-connect read them; `get` looks one up (tests pass a map):
    ///
    /// | variable | setting |
    /// |---|---|
    /// | `AUTH0_DOMAIN` (bare domain means https) or `ISSUER_BASE_URL` | issuer |
    /// | `AUTH0_CLIENT_ID` or `CLIENT_ID` | client id |
    /// | `AUTH0_CLIENT_SECRET` or `CLIENT_SECRET` | client secret |
    /// | `AUTH0_SECRET` or `SECRET` (comma-separated to rotate) | cookie secret |
    /// | `APP_BASE_URL` or `BASE_URL` | the app's URL |
    /// | `AUTH0_SCOPE`, `AUTH0_AUDIENCE` | authorization parameters |
    /// | `AUTH0_COOKIE_NAME`, `_SECURE`, `_SAME_SITE`, `_PATH`, `_DOMAIN`, `_TRANSIENT` | cookie |
    pub fn from_env_with(get: impl Fn(&str) -> Option<String>) -> Result<Auth0Config, SdkError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let either = |a: &str, b: &str| get(a).or_else(|| get(b));
        let mut b = Auth0Config::builder();
        if let Some(domain) = get("AUTH0_DOMAIN") {
            b = b.domain(&domain);
        } else if let Some(issuer) = get("ISSUER_BASE_URL") {
            b = b.issuer(&issuer);
        }
        b.client_id = either("AUTH0_CLIENT_ID", "CLIENT_ID");
        b.client_secret = either("AUTH0_CLIENT_SECRET", "CLIENT_SECRET");
        b.secrets = either("AUTH0_SECRET", "SECRET")
            .map(|s| s.split(',').map(|s| s.trim().to_owned()).collect())
            .unwrap_or_default();
        b.app_base_url = either("APP_BASE_URL", "BASE_URL");
        b.scope = get("AUTH0_SCOPE");
        b.audience = get("AUTH0_AUDIENCE");
        b.cookie_name = get("AUTH0_COOKIE_NAME");
        b.cookie_secure = get("AUTH0_COOKIE_SECURE")
            .map(|v| parse_bool("AUTH0_COOKIE_SECURE", &v))
            .transpose()?;
        b.cookie_same_site = get("AUTH0_COOKIE_SAME_SITE")
            .map(|v| SameSite::parse(&v))
            .transpose()?;
        b.cookie_path = get("AUTH0_COOKIE_PATH");
        b.cookie_domain = get("AUTH0_COOKIE_DOMAIN");
        if let Some(v) = get("AUTH0_COOKIE_TRANSIENT") {
            b.cookie_transient = parse_bool("AUTH0_COOKIE_TRANSIENT", &v)?;
        }
        b.build()
    }

    pub fn issuer(&self) -> &Url {
        &self.issuer
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub fn app_base_url(&self) -> &Url {
        &self.app_base_url
    }

    pub fn cookie(&self) -> &CookieOptions {
        &self.cookie
    }

    pub fn lifetime(&self) -> &Lifetime {
        &self.lifetime
    }

    /// An absolute URL of the app for `path` (which starts with `/`).
    pub(crate) fn app_url(&self, path: &str) -> String {
        format!("{}{path}", self.app_base_url.as_str().trim_end_matches('/'))
    }
}

/// Settings before they are checked. Unset ones get nextjs-auth0 v4's defaults.
#[derive(Default)]
pub struct Auth0ConfigBuilder {
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    secrets: Vec<String>,
    app_base_url: Option<String>,
    scope: Option<String>,
    audience: Option<String>,
    cookie_name: Option<String>,
    cookie_secure: Option<bool>,
    cookie_same_site: Option<SameSite>,
    cookie_path: Option<String>,
    cookie_domain: Option<String>,
    cookie_transient: bool,
    allow_insecure_http: bool,
    lifetime: Lifetime,
    refresh_buffer: Duration,
    clock_tolerance: Option<Duration>,
    http_timeout: Option<Duration>,
}

impl Auth0ConfigBuilder {
    /// The provider's issuer URL, e.g. `http://127.0.0.1:8080/` or `https://tenant.auth0.com/`.
    pub fn issuer(mut self, issuer: &str) -> Self {
        self.issuer = Some(issuer.to_owned());
        self
    }

    /// An Auth0 domain (`tenant.auth0.com`, meaning https) or a full issuer URL.
    pub fn domain(mut self, domain: &str) -> Self {
        let domain = domain.trim();
        self.issuer = Some(if domain.contains("://") {
            domain.to_owned()
        } else {
            format!("https://{}/", domain.trim_end_matches('/'))
        });
        self
    }

    pub fn client_id(mut self, client_id: &str) -> Self {
        self.client_id = Some(client_id.to_owned());
        self
    }

    pub fn client_secret(mut self, client_secret: &str) -> Self {
        self.client_secret = Some(client_secret.to_owned());
        self
    }

    /// The cookie secret; call again to add older secrets that still read.
    pub fn secret(mut self, secret: &str) -> Self {
        self.secrets.push(secret.to_owned());
        self
    }

    /// Where the app is served, e.g. `http://localhost:3000`.
    pub fn app_base_url(mut self, url: &str) -> Self {
        self.app_base_url = Some(url.to_owned());
        self
    }

    pub fn scope(mut self, scope: &str) -> Self {
        self.scope = Some(scope.to_owned());
        self
    }

    pub fn audience(mut self, audience: &str) -> Self {
        self.audience = Some(audience.to_owned());
        self
    }

    pub fn cookie_name(mut self, name: &str) -> Self {
        self.cookie_name = Some(name.to_owned());
        self
    }

    pub fn cookie_secure(mut self, secure: bool) -> Self {
        self.cookie_secure = Some(secure);
        self
    }

    pub fn cookie_same_site(mut self, same_site: SameSite) -> Self {
        self.cookie_same_site = Some(same_site);
        self
    }

    pub fn cookie_path(mut self, path: &str) -> Self {
        self.cookie_path = Some(path.to_owned());
        self
    }

    pub fn cookie_domain(mut self, domain: &str) -> Self {
        self.cookie_domain = Some(domain.to_owned());
        self
    }

    /// A transient cookie has no expiry: the browser drops it when it closes.
    pub fn cookie_transient(mut self, transient: bool) -> Self {
        self.cookie_transient = transient;
        self
    }

    /// Talk plain http to a provider that is not on this machine (never do this in
    /// production: tokens and codes would cross the network in clear). http to a
    /// loopback provider (`localhost`, `127.0.0.1`, `[::1]`) is always allowed.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    pub fn lifetime(mut self, lifetime: Lifetime) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// Refresh access tokens this long before they expire (default 0: when expired).
    pub fn refresh_buffer(mut self, buffer: Duration) -> Self {
        self.refresh_buffer = buffer;
        self
    }

    /// Clock skew allowed on ID and logout tokens (default 60 s).
    pub fn clock_tolerance(mut self, tolerance: Duration) -> Self {
        self.clock_tolerance = Some(tolerance);
        self
    }

    /// The longest a call to the provider may take (default 5 s).
    pub fn http_timeout(mut self, timeout: Duration) -> Self {
        self.http_timeout = Some(timeout);
        self
    }

    /// Checks every setting; the error names the first one that is missing or wrong.
    pub fn build(self) -> Result<Auth0Config, SdkError> {
        let issuer_as_configured = self.issuer.clone().unwrap_or_default().trim().to_owned();
        let issuer = parse_url("issuer (AUTH0_DOMAIN or ISSUER_BASE_URL)", self.issuer)?;
        if !self.allow_insecure_http && !is_secure_or_loopback(&issuer) {
            return Err(invalid(
                "issuer (AUTH0_DOMAIN or ISSUER_BASE_URL)",
                "plain http is only allowed to a provider on loopback; use https",
            ));
        }
        let app_base_url = parse_url("app_base_url (APP_BASE_URL)", self.app_base_url)?;
        if app_base_url.query().is_some() || app_base_url.fragment().is_some() {
            return Err(invalid(
                "app_base_url (APP_BASE_URL)",
                "it must not have a query or fragment",
            ));
        }
        let client_id = self
            .client_id
            .filter(|c| !c.is_empty())
            .ok_or_else(|| missing("client_id (AUTH0_CLIENT_ID)"))?;
        if self.secrets.is_empty() {
            return Err(missing("secret (AUTH0_SECRET)"));
        }
        if self.secrets.iter().any(|s| s.len() < MIN_SECRET_LEN) {
            return Err(invalid(
                "secret (AUTH0_SECRET)",
                "each secret must be at least 32 characters (openssl rand -hex 32)",
            ));
        }
        CookieKeyRing::from_secrets(&self.secrets)?;
        let mut cookie = CookieOptions::for_base_url(app_base_url.as_str());
        if let Some(name) = &self.cookie_name {
            cookie.name = CookieName::parse(name)?;
        }
        if let Some(secure) = self.cookie_secure {
            // An https app never sends its session over plain http.
            cookie.secure = secure || cookie.secure;
        }
        if let Some(same_site) = self.cookie_same_site {
            cookie.same_site = same_site;
        }
        if let Some(path) = self.cookie_path {
            cookie.path = path;
        }
        cookie.domain = self.cookie_domain;
        cookie.transient = self.cookie_transient;
        cookie.validate()?;
        Ok(Auth0Config {
            issuer,
            issuer_as_configured,
            allow_insecure_http: self.allow_insecure_http,
            client_id,
            client_secret: self.client_secret.filter(|s| !s.is_empty()),
            secrets: self.secrets,
            app_base_url,
            scope: self.scope.unwrap_or_else(|| DEFAULT_SCOPE.to_owned()),
            audience: self.audience,
            cookie,
            lifetime: self.lifetime,
            refresh_buffer: self.refresh_buffer,
            clock_tolerance: self.clock_tolerance.unwrap_or(Duration::from_secs(60)),
            http_timeout: self.http_timeout.unwrap_or(Duration::from_secs(5)),
        })
    }
}

fn missing(name: &'static str) -> SdkError {
    SdkError::InvalidSetting {
        name,
        why: "it is not set".to_owned(),
    }
}

fn invalid(name: &'static str, why: &str) -> SdkError {
    SdkError::InvalidSetting {
        name,
        why: why.to_owned(),
    }
}

fn parse_url(name: &'static str, value: Option<String>) -> Result<Url, SdkError> {
    let value = value.ok_or_else(|| missing(name))?;
    let url = Url::parse(value.trim()).map_err(|e| invalid(name, &format!("{value:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(name, &format!("{value:?} is not an http(s) URL")));
    }
    Ok(url)
}

fn parse_bool(name: &'static str, value: &str) -> Result<bool, SdkError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(invalid(name, &format!("{value:?} is not true or false"))),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn env(pairs: &[(&str, &str)]) -> Result<Auth0Config, SdkError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Auth0Config::from_env_with(|k| map.get(k).cloned())
    }

    const BASE: [(&str, &str); 4] = [
        ("AUTH0_DOMAIN", "tenant.example.com"),
        ("AUTH0_CLIENT_ID", "cid"),
        ("AUTH0_SECRET", SECRET),
        ("APP_BASE_URL", "https://app.example.com"),
    ];

    #[test]
    fn reads_the_auth0_variables_with_v4_defaults() {
        let c = env(&BASE).unwrap();
        assert_eq!(c.issuer.as_str(), "https://tenant.example.com/");
        assert_eq!(c.client_id, "cid");
        assert_eq!(c.scope, DEFAULT_SCOPE);
        assert!(c.cookie.secure, "https app base URL");
        assert_eq!(c.cookie.name.as_str(), "__session");
        assert_eq!(c.lifetime, Lifetime::default());
        assert_eq!(
            c.app_url("/auth/callback"),
            "https://app.example.com/auth/callback"
        );
    }

    #[test]
    fn cookie_variables_apply_but_https_stays_secure() {
        let mut pairs = BASE.to_vec();
        pairs.extend([
            ("AUTH0_COOKIE_SECURE", "false"),
            ("AUTH0_COOKIE_SAME_SITE", "strict"),
            ("AUTH0_COOKIE_PATH", "/app"),
            ("AUTH0_COOKIE_DOMAIN", "example.com"),
            ("AUTH0_COOKIE_TRANSIENT", "true"),
            ("AUTH0_COOKIE_NAME", "sess"),
        ]);
        let c = env(&pairs).unwrap();
        assert!(c.cookie.secure);
        assert_eq!(c.cookie.same_site, SameSite::Strict);
        assert_eq!(c.cookie.path, "/app");
        assert_eq!(c.cookie.domain.as_deref(), Some("example.com"));
        assert!(c.cookie.transient);
        assert_eq!(c.cookie.name.as_str(), "sess");
    }

    #[test]
    fn errors_name_the_setting() {
        let message = |pairs: &[(&str, &str)]| env(pairs).unwrap_err().to_string();
        assert_eq!(
            message(&BASE[1..]),
            "invalid issuer (AUTH0_DOMAIN or ISSUER_BASE_URL): it is not set"
        );
        assert_eq!(
            message(&[BASE[0], BASE[2], BASE[3]]),
            "invalid client_id (AUTH0_CLIENT_ID): it is not set"
        );
        let mut short = BASE.to_vec();
        short[2] = ("AUTH0_SECRET", "short");
        assert!(message(&short).starts_with("invalid secret (AUTH0_SECRET): each secret"));
        let mut bad_url = BASE.to_vec();
        bad_url[3] = ("APP_BASE_URL", "ftp://x");
        assert!(
            message(&bad_url).starts_with("invalid app_base_url (APP_BASE_URL)"),
            "{}",
            message(&bad_url)
        );
        let mut remote_http = BASE.to_vec();
        remote_http[0] = ("AUTH0_DOMAIN", "http://idp.example.com");
        assert_eq!(
            message(&remote_http),
            "invalid issuer (AUTH0_DOMAIN or ISSUER_BASE_URL): plain http is only allowed to a \
             provider on loopback; use https"
        );
        let mut bad_bool = BASE.to_vec();
        bad_bool.push(("AUTH0_COOKIE_TRANSIENT", "maybe"));
        assert_eq!(
            message(&bad_bool),
            "invalid AUTH0_COOKIE_TRANSIENT: \"maybe\" is not true or false"
        );
    }

    #[test]
    fn issuer_base_url_and_rotated_secrets() {
        let other = "fedcba9876543210fedcba9876543210";
        let both = format!("{SECRET},{other}");
        let c = env(&[
            ("ISSUER_BASE_URL", "http://127.0.0.1:3001"),
            ("CLIENT_ID", "cid"),
            ("SECRET", &both),
            ("BASE_URL", "http://localhost:3000"),
        ])
        .unwrap();
        assert_eq!(c.issuer.as_str(), "http://127.0.0.1:3001/");
        assert_eq!(c.issuer_as_configured, "http://127.0.0.1:3001");
        assert!(!c.cookie.secure);
        assert_eq!(c.secrets.len(), 2);
        let shown = format!("{c:?}");
        assert!(!shown.contains(SECRET) && !shown.contains(other), "{shown}");
    }
}
