//! [`Auth0Client`]: the provider, the session storage and the settings, shared by the
//! routes, the middleware and the extractors.

use std::sync::Arc;

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use super::config::Auth0Config;
use super::id_token::{self, Expected, LogoutTarget, TokenRejected};
use super::provider::Provider;
use super::refresh::{Refreshes, flight_key};
use super::sessions::{Loaded, Sessions};
use super::token_endpoint;
use super::{AccessTokenError, SessionData, TokenSet, WebError};
use crate::auth0_cookie::RequestCookies;
use crate::jwks::http_client;
use crate::rng::{Random, SystemRandom};
use crate::session_cookie::SessionCookies;
use crate::session_store::SessionStore;
use crate::{Clock, SystemClock};

/// The web-app SDK: build one at start, then merge [`Auth0Client::router`] and apply
/// [`Auth0Client::layer`] to the app.
///
/// ```no_run
/// # async fn run() -> Result<(), portcullis_sdk::web::WebError> {
/// use axum::{Router, routing::get};
/// use portcullis_sdk::web::{Auth0Client, Auth0Config, User};
///
/// let auth = Auth0Client::new(Auth0Config::from_env()?).await?;
/// let app: Router = Router::new()
///     .route("/profile", get(|User(user): User| async move { format!("{user:?}") }))
///     .merge(auth.router())
///     .layer(auth.layer());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Auth0Client(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    pub config: Auth0Config,
    pub provider: Provider,
    pub sessions: Sessions,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
    refreshes: Refreshes,
}

/// How to build an [`Auth0Client`] beyond its settings.
pub struct Auth0ClientBuilder {
    config: Auth0Config,
    store: Option<Arc<dyn SessionStore>>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    http: Option<reqwest::Client>,
}

impl Auth0ClientBuilder {
    /// Keep sessions in `store` (stateful sessions); the cookie then holds only an
    /// encrypted id. Without a store the whole session is in the cookie.
    pub fn session_store(mut self, store: Arc<dyn SessionStore>) -> Self {
        self.store = Some(store);
        self
    }

    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn random(mut self, random: Arc<dyn Random>) -> Self {
        self.random = random;
        self
    }

    /// The HTTP client for calls to the provider (e.g. one trusting a private CA).
    /// It should not follow redirects.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Reads the provider's discovery document and keys; errors name the URL and why.
    pub async fn build(self) -> Result<Auth0Client, WebError> {
        let http = match self.http {
            Some(http) => http,
            None => http_client(self.config.http_timeout).map_err(WebError::Provider)?,
        };
        let provider = Provider::discover(&self.config, http, self.clock.clone()).await?;
        let cookies = SessionCookies::new(
            portcullis_jose::CookieKeyRing::from_secrets(&self.config.secrets)?,
            self.config.cookie.clone(),
            self.config.lifetime,
        )?;
        Ok(Auth0Client(Arc::new(Inner {
            provider,
            sessions: Sessions {
                cookies,
                store: self.store,
            },
            clock: self.clock,
            random: self.random,
            refreshes: Refreshes::default(),
            config: self.config,
        })))
    }
}

impl Auth0Client {
    /// A client with stateless sessions, the system clock and randomness.
    pub async fn new(config: Auth0Config) -> Result<Auth0Client, WebError> {
        Auth0Client::builder(config).build().await
    }

    pub fn builder(config: Auth0Config) -> Auth0ClientBuilder {
        Auth0ClientBuilder {
            config,
            store: None,
            clock: Arc::new(SystemClock),
            random: Arc::new(SystemRandom),
            http: None,
        }
    }

    pub fn config(&self) -> &Auth0Config {
        &self.0.config
    }

    /// The issuer as the provider names itself (what `iss` claims must say).
    pub fn issuer(&self) -> &str {
        &self.0.provider.metadata.issuer
    }

    /// The session of a request, read-only (no rolling); `None` when the cookie is
    /// missing, tampered, expired or undecryptable. Only a store outage is an error.
    ///
    /// Within handlers behind [`Auth0Client::layer`], prefer the extractors: they reuse
    /// the session the layer already read.
    pub async fn get_session(&self, headers: &HeaderMap) -> Result<Option<SessionData>, WebError> {
        let header = cookie_header(headers);
        let cookies = RequestCookies::parse(&header);
        Ok(self
            .0
            .sessions
            .load(&cookies, self.0.clock.now())
            .await?
            .map(|l| l.data))
    }

    pub(crate) fn expected(&self) -> Expected<'_> {
        Expected {
            issuer: &self.0.provider.metadata.issuer,
            client_id: &self.0.config.client_id,
            now: self.0.clock.now(),
            tolerance: i64::try_from(self.0.config.clock_tolerance.as_secs()).unwrap_or(60),
        }
    }

    /// The session's access token, refreshed first when it is expired or within the
    /// refresh buffer (one refresh per session at a time). `Ok(true)` when the session
    /// changed and must be saved.
    pub(crate) async fn access_token(
        &self,
        session: &mut Loaded,
    ) -> Result<bool, AccessTokenError> {
        let now = self.0.clock.now();
        let buffer = i64::try_from(self.0.config.refresh_buffer.as_secs()).unwrap_or(0);
        let tokens = &session.data.token_set;
        if tokens.expires_at > now.saturating_add(buffer) {
            return Ok(false);
        }
        let Some(refresh_token) = tokens.refresh_token.clone() else {
            return Err(AccessTokenError::MissingRefreshToken);
        };
        let key = flight_key(
            session.data.sub().unwrap_or(""),
            &session.data.internal.sid,
            session.data.internal.created_at,
            &refresh_token,
        );
        let previous = tokens.clone();
        let sub = session.data.sub().unwrap_or("").to_owned();
        let refreshed = self
            .0
            .refreshes
            .run(key, now, || async move {
                self.refresh(&previous, &refresh_token, &sub)
                    .await
                    .map_err(Arc::new)
            })
            .await
            .map_err(|e| AccessTokenError::FailedToRefresh(WebError::Provider(e.to_string())))?;
        if let Some(id_token) = &refreshed.id_token
            && refreshed.id_token != session.data.token_set.id_token
            && let Ok(claims) = self.peek_claims(id_token)
        {
            session.data.user = SessionData::user_from_claims(&claims);
        }
        session.data.token_set = refreshed;
        Ok(true)
    }

    /// One refresh token grant; a new ID token must be valid and for the same user.
    async fn refresh(
        &self,
        previous: &TokenSet,
        refresh_token: &str,
        sub: &str,
    ) -> Result<TokenSet, WebError> {
        let mut grant = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        if let Some(audience) = previous.audience.as_deref() {
            grant.push(("audience", audience));
        }
        let response = token_endpoint::request(&self.0.provider, &self.0.config, &grant).await?;
        if let Some(id_token) = &response.id_token {
            let claims =
                id_token::validate_refreshed_id_token(id_token, &self.0.provider, &self.expected())
                    .await
                    .map_err(|e| WebError::Provider(format!("refreshed ID token refused: {e}")))?;
            if claims.get("sub").and_then(Value::as_str) != Some(sub) {
                return Err(WebError::Provider(
                    "refreshed ID token is for another user".to_owned(),
                ));
            }
        }
        Ok(response.token_set(Some(previous), None, self.0.clock.now()))
    }

    /// The claims of an ID token this client already validated.
    fn peek_claims(&self, token: &str) -> Result<Map<String, Value>, TokenRejected> {
        let payload = token.split('.').nth(1).ok_or(TokenRejected::Malformed)?;
        let bytes =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
                .map_err(|_| TokenRejected::Malformed)?;
        serde_json::from_slice(&bytes).map_err(|_| TokenRejected::Malformed)
    }

    /// Validates a back-channel logout token and ends the matching stored sessions.
    /// Returns how many were deleted.
    pub(crate) async fn backchannel_logout(
        &self,
        store: &dyn SessionStore,
        logout_token: &str,
    ) -> Result<Result<(LogoutTarget, u64), TokenRejected>, WebError> {
        let target =
            match id_token::validate_logout_token(logout_token, &self.0.provider, &self.expected())
                .await
            {
                Ok(target) => target,
                Err(rejected) => return Ok(Err(rejected)),
            };
        let deleted = store
            .delete_by_logout(target.sid.as_deref(), target.sub.as_deref())
            .await?;
        Ok(Ok((target, deleted)))
    }
}

/// Every `Cookie` header of a request, joined as one.
pub(crate) fn cookie_header(headers: &HeaderMap) -> String {
    let mut out = String::new();
    for value in headers.get_all(axum::http::header::COOKIE) {
        if let Ok(value) = value.to_str() {
            if !out.is_empty() {
                out.push_str("; ");
            }
            out.push_str(value);
        }
    }
    out
}
