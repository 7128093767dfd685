//! Registering an application: what an administrator gives, checked once and completed
//! with Auth0's defaults for its type.
//!
//! Callback and logout URLs pass the same checks as redirect URIs
//! ([`RedirectUri::parse_registered`]): no `javascript:`/`data:` and other forbidden
//! schemes, no fragment, no user information, no wildcard (security case B.16). Web
//! origins are compared byte for byte with the browser's `Origin` header, so they must be
//! written as a browser sends it: `https://host[:port]`, lower case, no path.
//!
//! Defaults, as Auth0's:
//!
//! | type | token endpoint auth | secret | grant types |
//! |---|---|---|---|
//! | `spa`, `native` | `none` (PKCE required) | none | `authorization_code`, `implicit`, `refresh_token` |
//! | `regular_web` | `client_secret_post` | yes | `authorization_code`, `implicit`, `refresh_token` |
//! | `non_interactive` | `client_secret_post` | yes | `client_credentials` |
//!
//! `implicit` only allows the ID-token response types (`id_token`, `code id_token`, with
//! `form_post`: express-openid-connect's default); an access token is never sent through
//! the browser, whatever the grant types say.

use crate::application::{AppType, Application, TokenEndpointAuthMethod};
use crate::clock::UnixTime;
use crate::grant::ClientGrant;
use crate::ids::{ClientId, GrantId, TenantId};
use crate::redirect_uri::{RedirectUri, RedirectUriError};
use crate::resource_server::ResourceServer;
use crate::rng::{Rng, random_alphanumeric};
use crate::secret::ClientSecret;

/// Longest input echoed in an error message, in characters.
const ECHO_MAX: usize = 100;
/// Longest application name, in characters.
const NAME_MAX: usize = 128;

/// What an administrator gives to register an application.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub name: String,
    pub app_type: AppType,
    /// Allowed Callback URLs (redirect URIs), matched exactly.
    pub callbacks: Vec<String>,
    /// Allowed Logout URLs (`returnTo`, `post_logout_redirect_uri`), matched exactly.
    pub allowed_logout_urls: Vec<String>,
    /// Allowed Web Origins (CORS), matched exactly with the `Origin` header.
    pub web_origins: Vec<String>,
    /// `None`: the type's default.
    pub token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
}

/// Which list a refused URL came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlKind {
    Callback,
    LogoutUrl,
    WebOrigin,
}

impl UrlKind {
    fn as_str(self) -> &'static str {
        match self {
            UrlKind::Callback => "callback URL",
            UrlKind::LogoutUrl => "logout URL",
            UrlKind::WebOrigin => "web origin",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    #[error("the name must not be empty")]
    EmptyName,
    #[error("the name must be at most {NAME_MAX} characters, without control characters")]
    BadName,
    /// A callback, logout URL or web origin that may not be registered (the value,
    /// truncated, and why).
    #[error("{} {value:?} {reason}", kind.as_str())]
    Url {
        kind: UrlKind,
        value: String,
        reason: String,
    },
    /// Callbacks, logout URLs or web origins for a machine-to-machine application.
    #[error("a non_interactive (machine to machine) application has no {}s: it never logs users in", kind.as_str())]
    NotInteractive { kind: UrlKind },
    #[error("a {app_type} application is public: its token endpoint auth method can only be none")]
    PublicNeedsNone { app_type: &'static str },
    #[error(
        "a {app_type} application is confidential: its token endpoint auth method must be client_secret_basic or client_secret_post"
    )]
    ConfidentialNeedsSecret { app_type: &'static str },
}

impl Application {
    /// A new application of `tenant`, checked, with a new client id and (confidential
    /// types) a new secret, returned in clear this once; only its hash is kept.
    /// Repeated URLs are dropped, order kept.
    pub fn register(
        tenant: &TenantId,
        new: NewApplication,
        rng: &dyn Rng,
        now: UnixTime,
    ) -> Result<(Application, Option<ClientSecret>), RegistrationError> {
        let name = new.name.trim().to_owned();
        if name.is_empty() {
            return Err(RegistrationError::EmptyName);
        }
        if name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
            return Err(RegistrationError::BadName);
        }
        let app_type = new.app_type;
        let method = match (app_type.is_confidential(), new.token_endpoint_auth_method) {
            (false, None | Some(TokenEndpointAuthMethod::None)) => TokenEndpointAuthMethod::None,
            (false, Some(_)) => {
                return Err(RegistrationError::PublicNeedsNone {
                    app_type: app_type.as_str(),
                });
            }
            (true, None) => TokenEndpointAuthMethod::ClientSecretPost,
            (true, Some(TokenEndpointAuthMethod::None)) => {
                return Err(RegistrationError::ConfidentialNeedsSecret {
                    app_type: app_type.as_str(),
                });
            }
            (true, Some(m)) => m,
        };
        if app_type == AppType::NonInteractive {
            for (kind, list) in [
                (UrlKind::Callback, &new.callbacks),
                (UrlKind::LogoutUrl, &new.allowed_logout_urls),
                (UrlKind::WebOrigin, &new.web_origins),
            ] {
                if !list.is_empty() {
                    return Err(RegistrationError::NotInteractive { kind });
                }
            }
        }
        let native = app_type == AppType::Native;
        let callbacks = checked(UrlKind::Callback, new.callbacks, |u| check_url(u, native))?;
        let allowed_logout_urls = checked(UrlKind::LogoutUrl, new.allowed_logout_urls, |u| {
            check_url(u, native)
        })?;
        let web_origins = checked(UrlKind::WebOrigin, new.web_origins, check_origin)?;
        let grant_types: &[&str] = match app_type {
            AppType::NonInteractive => &["client_credentials"],
            AppType::RegularWeb | AppType::Spa | AppType::Native => {
                &["authorization_code", "implicit", "refresh_token"]
            }
        };
        let secret = (method != TokenEndpointAuthMethod::None).then(|| ClientSecret::generate(rng));
        let app = Application {
            tenant_id: tenant.clone(),
            client_id: ClientId::new(random_alphanumeric(rng, 32)),
            name,
            app_type,
            client_secret_hash: secret.as_ref().map(ClientSecret::hash),
            token_endpoint_auth_method: method,
            callbacks,
            allowed_logout_urls,
            web_origins,
            grant_types: grant_types.iter().map(|g| (*g).to_owned()).collect(),
            created_at: now,
        };
        Ok((app, secret))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientGrantError {
    /// Client grants are for `client_credentials`, which only machine-to-machine
    /// applications may use.
    #[error(
        "{client_id} is a {app_type} application: only non_interactive (machine to machine) applications get client grants"
    )]
    NotMachineToMachine {
        client_id: ClientId,
        app_type: &'static str,
    },
    /// Scopes the API does not define.
    #[error("{audience} has no scope named {} (its scopes: {defined})", unknown.join(", "))]
    UnknownScopes {
        audience: String,
        unknown: Vec<String>,
        /// The API's scopes, comma-separated, or `none`.
        defined: String,
    },
}

impl ClientGrant {
    /// A new grant letting `app` get tokens for `api` (client credentials) with `scopes`,
    /// each of which the API must define. Repeated scopes are dropped, order kept.
    pub fn create(
        app: &Application,
        api: &ResourceServer,
        scopes: Vec<String>,
        rng: &dyn Rng,
        now: UnixTime,
    ) -> Result<ClientGrant, ClientGrantError> {
        if !app.grant_types.iter().any(|g| g == "client_credentials") {
            return Err(ClientGrantError::NotMachineToMachine {
                client_id: app.client_id.clone(),
                app_type: app.app_type.as_str(),
            });
        }
        let mut scope: Vec<String> = Vec::with_capacity(scopes.len());
        for s in scopes {
            if !scope.contains(&s) {
                scope.push(s);
            }
        }
        let unknown: Vec<String> = scope
            .iter()
            .filter(|s| !api.scopes.iter().any(|d| &d.value == *s))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            let defined: Vec<&str> = api.scopes.iter().map(|d| d.value.as_str()).collect();
            return Err(ClientGrantError::UnknownScopes {
                audience: api.identifier.clone(),
                unknown,
                defined: if defined.is_empty() {
                    "none".to_owned()
                } else {
                    defined.join(", ")
                },
            });
        }
        Ok(ClientGrant {
            tenant_id: app.tenant_id.clone(),
            id: GrantId::generate(rng),
            client_id: app.client_id.clone(),
            audience: api.identifier.clone(),
            scope,
            created_at: now,
        })
    }
}

/// Each value of `list` checked with `check` (which says why a value is refused), repeats
/// dropped.
fn checked(
    kind: UrlKind,
    list: Vec<String>,
    check: impl Fn(&str) -> Result<(), String>,
) -> Result<Vec<String>, RegistrationError> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for value in list {
        if let Err(reason) = check(&value) {
            return Err(RegistrationError::Url {
                kind,
                value: value.chars().take(ECHO_MAX).collect(),
                reason,
            });
        }
        if !out.contains(&value) {
            out.push(value);
        }
    }
    Ok(out)
}

/// A callback or logout URL: a valid registered redirect URI; a custom scheme only for
/// native applications; no `*` anywhere (nothing is a pattern here).
fn check_url(value: &str, native: bool) -> Result<(), String> {
    RedirectUri::parse_registered(value).map_err(|e| reason(&e))?;
    if value.contains('*') {
        return Err(wildcard());
    }
    if !native && !is_web(value) {
        return Err(
            "must use https, or http on localhost (custom schemes are for native applications)"
                .to_owned(),
        );
    }
    Ok(())
}

/// A web origin as a browser sends it in `Origin`: `https://host[:port]` (or http for a
/// loopback host), lower case, no path, query or default port.
fn check_origin(value: &str) -> Result<(), String> {
    RedirectUri::parse_registered(value).map_err(|e| reason(&e))?;
    if value.contains('*') {
        return Err(wildcard());
    }
    if !is_web(value) {
        return Err("must be an https origin, or http on localhost".to_owned());
    }
    let after_scheme = value.split_once("://").map_or("", |(_, rest)| rest);
    if after_scheme.contains(['/', '?']) {
        return Err(
            "must be an origin only (scheme, host and port), without a path: \
                    browsers send e.g. https://app.example.com"
                .to_owned(),
        );
    }
    if value.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err("must be lower case, as browsers send it".to_owned());
    }
    let default_port = match value.split_once("://") {
        Some(("https", authority)) => authority.ends_with(":443"),
        Some(("http", authority)) => authority.ends_with(":80"),
        _ => false,
    };
    if default_port {
        return Err("must not name the default port, as browsers leave it out".to_owned());
    }
    Ok(())
}

fn is_web(value: &str) -> bool {
    let scheme = value.split_once(':').map_or("", |(s, _)| s);
    scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")
}

fn wildcard() -> String {
    "must not contain a wildcard (*): URLs are matched exactly".to_owned()
}

/// Why a URL was refused, worded for registration.
fn reason(e: &RedirectUriError) -> String {
    match e {
        RedirectUriError::TooLong => {
            format!("is longer than {} bytes", crate::redirect_uri::MAX_LEN)
        }
        RedirectUriError::Malformed(detail) => format!("is malformed: {detail}"),
        RedirectUriError::ForbiddenScheme(scheme) => {
            format!("uses the forbidden scheme `{scheme}:`")
        }
        RedirectUriError::InsecureScheme => {
            "must use https (http is allowed only for localhost, 127.0.0.1 and [::1])".to_owned()
        }
        RedirectUriError::Fragment => "must not contain a fragment (#)".to_owned(),
        RedirectUriError::UserInfo => "must not contain user information (@)".to_owned(),
        RedirectUriError::Wildcard => wildcard(),
        RedirectUriError::Missing
        | RedirectUriError::Ambiguous
        | RedirectUriError::NotRegistered => "is not a valid URL".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SystemRng;

    fn new(app_type: AppType) -> NewApplication {
        NewApplication {
            name: "My App".to_owned(),
            app_type,
            callbacks: Vec::new(),
            allowed_logout_urls: Vec::new(),
            web_origins: Vec::new(),
            token_endpoint_auth_method: None,
        }
    }

    fn register(
        n: NewApplication,
    ) -> Result<(Application, Option<ClientSecret>), RegistrationError> {
        Application::register(
            &TenantId::default_tenant(),
            n,
            &SystemRng::new(),
            UnixTime(9),
        )
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn each_type_gets_auth0s_defaults() {
        use TokenEndpointAuthMethod as M;
        let code = ["authorization_code", "implicit", "refresh_token"];
        for (t, method, grants) in [
            (AppType::Spa, M::None, &code[..]),
            (AppType::Native, M::None, &code[..]),
            (AppType::RegularWeb, M::ClientSecretPost, &code[..]),
            (
                AppType::NonInteractive,
                M::ClientSecretPost,
                &["client_credentials"][..],
            ),
        ] {
            let (app, secret) = register(new(t)).unwrap();
            assert_eq!(app.token_endpoint_auth_method, method, "{t:?}");
            assert_eq!(app.grant_types, grants, "{t:?}");
            assert_eq!(app.app_type, t);
            assert_eq!(app.client_id.as_str().len(), 32);
            assert!(
                app.client_id
                    .as_str()
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric())
            );
            assert_eq!(app.created_at, UnixTime(9));
            assert_eq!(app.name, "My App");
            match (&app.client_secret_hash, &secret) {
                (Some(hash), Some(secret)) => {
                    assert!(t.is_confidential());
                    assert_eq!(secret.expose().len(), 64);
                    assert!(hash.verify(secret));
                }
                (None, None) => assert!(!t.is_confidential()),
                _ => panic!("{t:?}: a secret without its hash or the reverse"),
            }
        }
    }

    #[test]
    fn the_auth_method_can_be_chosen_when_it_fits_the_type() {
        use TokenEndpointAuthMethod as M;
        let with = |t, m| NewApplication {
            token_endpoint_auth_method: Some(m),
            ..new(t)
        };
        let (app, secret) = register(with(AppType::RegularWeb, M::ClientSecretBasic)).unwrap();
        assert_eq!(app.token_endpoint_auth_method, M::ClientSecretBasic);
        assert!(secret.is_some());
        let (app, secret) = register(with(AppType::Spa, M::None)).unwrap();
        assert_eq!(app.token_endpoint_auth_method, M::None);
        assert!(secret.is_none());
        for t in [AppType::Spa, AppType::Native] {
            assert_eq!(
                register(with(t, M::ClientSecretPost)).err(),
                Some(RegistrationError::PublicNeedsNone {
                    app_type: t.as_str()
                })
            );
        }
        for t in [AppType::RegularWeb, AppType::NonInteractive] {
            assert_eq!(
                register(with(t, M::None)).err(),
                Some(RegistrationError::ConfidentialNeedsSecret {
                    app_type: t.as_str()
                })
            );
        }
    }

    #[test]
    fn urls_are_kept_exactly_without_repeats() {
        let (app, _) = register(NewApplication {
            callbacks: strings(&[
                "https://app.example/cb",
                "http://localhost:3000/callback",
                "https://app.example/cb",
            ]),
            allowed_logout_urls: strings(&["https://app.example/", "https://app.example"]),
            web_origins: strings(&[
                "https://app.example",
                "http://localhost:3000",
                "https://app.example:8443",
                "http://[::1]:5173",
            ]),
            ..new(AppType::Spa)
        })
        .unwrap();
        assert_eq!(
            app.callbacks,
            ["https://app.example/cb", "http://localhost:3000/callback"]
        );
        assert_eq!(
            app.allowed_logout_urls,
            ["https://app.example/", "https://app.example"]
        );
        assert_eq!(
            app.web_origins,
            [
                "https://app.example",
                "http://localhost:3000",
                "https://app.example:8443",
                "http://[::1]:5173"
            ]
        );
    }

    /// Case B.16: forbidden schemes, wildcards and fragments, in every list.
    #[test]
    fn forbidden_urls_are_refused_in_every_list() {
        let bad = [
            (
                "javascript:alert(1)",
                "uses the forbidden scheme `javascript:`",
            ),
            (
                "JaVaScRiPt:alert(1)",
                "uses the forbidden scheme `JaVaScRiPt:`",
            ),
            ("data:text/html,hi", "uses the forbidden scheme `data:`"),
            (
                "https://*.example.com/cb",
                "must not contain a wildcard (*): URLs are matched exactly",
            ),
            (
                "https://app.example/*",
                "must not contain a wildcard (*): URLs are matched exactly",
            ),
            (
                "https://app.example/cb#frag",
                "must not contain a fragment (#)",
            ),
            ("https://app.example/cb#", "must not contain a fragment (#)"),
            (
                "https://user@app.example/cb",
                "must not contain user information (@)",
            ),
            (
                "http://app.example/cb",
                "must use https (http is allowed only for localhost, 127.0.0.1 and [::1])",
            ),
            ("/callback", "is malformed: not an absolute URI (no scheme)"),
        ];
        for kind in [UrlKind::Callback, UrlKind::LogoutUrl, UrlKind::WebOrigin] {
            for (value, reason) in bad {
                let mut n = new(AppType::Spa);
                let list = match kind {
                    UrlKind::Callback => &mut n.callbacks,
                    UrlKind::LogoutUrl => &mut n.allowed_logout_urls,
                    UrlKind::WebOrigin => &mut n.web_origins,
                };
                list.push("https://app.example".to_owned());
                list.push(value.to_owned());
                assert_eq!(
                    register(n).err(),
                    Some(RegistrationError::Url {
                        kind,
                        value: value.to_owned(),
                        reason: reason.to_owned()
                    }),
                    "{kind:?} {value}"
                );
            }
        }
        let err = register(NewApplication {
            callbacks: strings(&["javascript:alert(document.cookie)//"]),
            ..new(AppType::RegularWeb)
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "callback URL \"javascript:alert(document.cookie)//\" uses the forbidden scheme `javascript:`"
        );
    }

    #[test]
    fn custom_schemes_are_for_native_apps_only() {
        let custom = strings(&["com.example.app:/callback", "myapp://cb"]);
        let (app, _) = register(NewApplication {
            callbacks: custom.clone(),
            allowed_logout_urls: custom.clone(),
            ..new(AppType::Native)
        })
        .unwrap();
        assert_eq!(app.callbacks, custom);
        for t in [AppType::Spa, AppType::RegularWeb] {
            let err = register(NewApplication {
                callbacks: custom.clone(),
                ..new(t)
            })
            .unwrap_err();
            assert_eq!(
                err.to_string(),
                "callback URL \"com.example.app:/callback\" must use https, or http on localhost (custom schemes are for native applications)"
            );
        }
        let err = register(NewApplication {
            web_origins: strings(&["myapp://cb"]),
            ..new(AppType::Native)
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "web origin \"myapp://cb\" must be an https origin, or http on localhost"
        );
    }

    #[test]
    fn origins_must_be_written_as_browsers_send_them() {
        for (value, reason) in [
            (
                "https://app.example/",
                "must be an origin only (scheme, host and port), without a path: browsers send e.g. https://app.example.com",
            ),
            (
                "https://app.example/app",
                "must be an origin only (scheme, host and port), without a path: browsers send e.g. https://app.example.com",
            ),
            (
                "https://app.example?x",
                "must be an origin only (scheme, host and port), without a path: browsers send e.g. https://app.example.com",
            ),
            (
                "https://App.example",
                "must be lower case, as browsers send it",
            ),
            (
                "HTTPS://app.example",
                "must be lower case, as browsers send it",
            ),
            (
                "https://app.example:443",
                "must not name the default port, as browsers leave it out",
            ),
            (
                "http://localhost:80",
                "must not name the default port, as browsers leave it out",
            ),
        ] {
            assert_eq!(
                register(NewApplication {
                    web_origins: vec![value.to_owned()],
                    ..new(AppType::Spa)
                })
                .err(),
                Some(RegistrationError::Url {
                    kind: UrlKind::WebOrigin,
                    value: value.to_owned(),
                    reason: reason.to_owned()
                }),
                "{value}"
            );
        }
    }

    #[test]
    fn machine_to_machine_apps_have_no_urls() {
        let err = register(NewApplication {
            web_origins: strings(&["https://app.example"]),
            ..new(AppType::NonInteractive)
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a non_interactive (machine to machine) application has no web origins: it never logs users in"
        );
    }

    fn orders_api() -> ResourceServer {
        ResourceServer::create(
            &TenantId::default_tenant(),
            crate::resource_server::NewApi {
                name: "Orders".to_owned(),
                identifier: "https://orders.example/".to_owned(),
                scopes: strings(&["read:orders", "write:orders", "admin:orders"]),
                allow_offline_access: false,
                rbac: false,
                permissions_in_token: false,
            },
            &SystemRng::new(),
            UnixTime(1),
        )
        .unwrap()
    }

    #[test]
    fn client_grants_are_for_machine_to_machine_apps_and_defined_scopes() {
        let rng = SystemRng::new();
        let api = orders_api();
        let (m2m, _) = register(new(AppType::NonInteractive)).unwrap();
        let grant = ClientGrant::create(
            &m2m,
            &api,
            strings(&["write:orders", "read:orders", "write:orders"]),
            &rng,
            UnixTime(5),
        )
        .unwrap();
        assert!(grant.id.as_str().starts_with("cgr_"));
        assert_eq!(grant.id.as_str().len(), 20);
        assert_eq!(
            (
                grant.tenant_id,
                grant.client_id,
                grant.audience.as_str(),
                grant.scope,
                grant.created_at
            ),
            (
                m2m.tenant_id.clone(),
                m2m.client_id.clone(),
                "https://orders.example/",
                strings(&["write:orders", "read:orders"]),
                UnixTime(5)
            )
        );
        assert_eq!(
            ClientGrant::create(&m2m, &api, Vec::new(), &rng, UnixTime(5))
                .unwrap()
                .scope,
            Vec::<String>::new()
        );

        let err = ClientGrant::create(
            &m2m,
            &api,
            strings(&["read:orders", "delete:orders", "x"]),
            &rng,
            UnixTime(5),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "https://orders.example/ has no scope named delete:orders, x (its scopes: read:orders, write:orders, admin:orders)"
        );

        let (spa, _) = register(new(AppType::Spa)).unwrap();
        let err = ClientGrant::create(&spa, &api, Vec::new(), &rng, UnixTime(5)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} is a spa application: only non_interactive (machine to machine) applications get client grants",
                spa.client_id
            )
        );
    }

    #[test]
    fn names_and_echoes_are_bounded() {
        let named = |name: &str| NewApplication {
            name: name.to_owned(),
            ..new(AppType::Spa)
        };
        assert_eq!(
            register(named("  ")).err(),
            Some(RegistrationError::EmptyName)
        );
        assert_eq!(
            register(named("a\nb")).err(),
            Some(RegistrationError::BadName)
        );
        assert_eq!(
            register(named(&"x".repeat(129))).err(),
            Some(RegistrationError::BadName)
        );
        assert_eq!(register(named("  Trimmed ")).unwrap().0.name, "Trimmed");
        let long = format!("javascript:{}", "a".repeat(500));
        let err = register(NewApplication {
            callbacks: vec![long],
            ..new(AppType::Spa)
        })
        .unwrap_err();
        assert!(err.to_string().len() < 200, "{err}");
    }
}
