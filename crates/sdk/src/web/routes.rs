//! The SDK's routes, at nextjs-auth0 v4's paths: `/auth/login`, `/auth/callback`,
//! `/auth/logout`, `/auth/profile`, `/auth/access-token` and `/auth/backchannel-logout`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use url::Url;

use super::client::{Auth0Client, cookie_header};
use super::id_token::{self};
use super::request_session::{RequestSession, SessionHandled, no_store, unavailable};
use super::token_endpoint;
use super::transaction::{Transaction, safe_return_to};
use super::{AccessTokenError, Internal, SessionData};
use crate::auth0_cookie::RequestCookies;
use crate::rng::IvFrom;

/// Authorization parameters `/auth/login` passes on to the provider.
const PASSED_ON: [&str; 7] = [
    "screen_hint",
    "prompt",
    "login_hint",
    "connection",
    "organization",
    "invitation",
    "ui_locales",
];

type Params = Query<HashMap<String, String>>;

impl Auth0Client {
    /// The `/auth/*` routes, to merge into the app's router (under
    /// [`Auth0Client::layer`]).
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        self.login_router().route(
            "/auth/access-token",
            get(access_token).with_state(self.clone()),
        )
    }

    /// [`Auth0Client::router`] without `/auth/access-token`: for a backend-for-frontend,
    /// where tokens must never reach the browser's JavaScript.
    pub fn login_router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        Router::new()
            .route("/auth/login", get(login).with_state(self.clone()))
            .route("/auth/callback", get(callback).with_state(self.clone()))
            .route("/auth/logout", get(logout).with_state(self.clone()))
            .route("/auth/profile", get(profile).with_state(self.clone()))
            .route(
                "/auth/backchannel-logout",
                post(backchannel_logout).with_state(self.clone()),
            )
    }

    fn callback_url(&self) -> String {
        self.0.config.app_url("/auth/callback")
    }
}

/// The request's session: the one the layer read, or read now.
async fn current(client: &Auth0Client, request: &Parts) -> Result<Arc<RequestSession>, Response> {
    if let Some(current) = request.extensions.get::<Arc<RequestSession>>() {
        return Ok(current.clone());
    }
    RequestSession::load(client, &request.headers)
        .await
        .map_err(|e| unavailable(&e))
}

/// Writes the session's cookies into `response` and marks it done for the layer. These
/// responses depend on the session cookie: never cached.
async fn finish(current: &RequestSession, mut response: Response) -> Response {
    current.finish(&mut response).await;
    no_store(response.headers_mut());
    response.extensions_mut().insert(SessionHandled);
    response
}

fn text(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], body).into_response()
}

fn found(location: &str) -> Response {
    let mut response = Redirect::to(location).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /auth/login?returnTo=/path`: a new transaction cookie, then the provider's
/// authorization endpoint with PKCE (S256), state and nonce.
async fn login(State(client): State<Auth0Client>, Query(params): Params) -> Response {
    let inner = &client.0;
    let now = inner.clock.now();
    let return_to = safe_return_to(params.get("returnTo").map(String::as_str));
    let txn = Transaction::new(&|b| inner.random.fill(b), return_to, now);
    let Ok(mut url) = Url::parse(&inner.provider.metadata.authorization_endpoint) else {
        return text(
            StatusCode::BAD_GATEWAY,
            "The provider's authorization endpoint is invalid.",
        );
    };
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("client_id", &inner.config.client_id)
            .append_pair("redirect_uri", &client.callback_url())
            .append_pair("response_type", "code")
            .append_pair("scope", &inner.config.scope)
            .append_pair("state", &txn.state)
            .append_pair("nonce", &txn.nonce)
            .append_pair("code_challenge", &txn.code_challenge())
            .append_pair("code_challenge_method", "S256");
        if let Some(audience) = &inner.config.audience {
            query.append_pair("audience", audience);
        }
        for name in PASSED_ON {
            if let Some(value) = params.get(name) {
                query.append_pair(name, value);
            }
        }
    }
    let Some(cookie) = txn.set_cookie(
        inner.sessions.cookies.keys(),
        &inner.config.cookie,
        &IvFrom(inner.random.as_ref()),
    ) else {
        return text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Could not start the login.",
        );
    };
    let mut response = found(url.as_str());
    if let Ok(cookie) = HeaderValue::try_from(cookie) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// `GET /auth/callback?code=&state=&iss=`: checks the transaction and `iss`, exchanges
/// the code, validates the ID token, and starts a new session.
async fn callback(State(client): State<Auth0Client>, request: Parts) -> Response {
    let params: HashMap<String, String> = request
        .uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let current = match current(&client, &request).await {
        Ok(current) => current,
        Err(response) => return response,
    };
    let inner = &client.0;
    let now = inner.clock.now();
    let header = cookie_header(&request.headers);
    let cookies = RequestCookies::parse(&header);
    let state = params.get("state").map(String::as_str).unwrap_or("");
    let Some(txn) = Transaction::read(&cookies, state, inner.sessions.cookies.keys(), now) else {
        return text(
            StatusCode::BAD_REQUEST,
            "The login state is missing, invalid or expired. Start the login again.",
        );
    };
    let delete_txn = Transaction::delete_cookie(&txn.state, &inner.config.cookie);
    let refuse = |body: &'static str| {
        let mut response = text(StatusCode::BAD_REQUEST, body);
        if let Ok(cookie) = HeaderValue::try_from(delete_txn.clone()) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        response
    };
    if let Some(error) = params.get("error") {
        tracing::info!(error, description = ?params.get("error_description"), "the provider refused the login");
        return refuse("The login was not completed at the provider.");
    }
    let issuer = &inner.provider.metadata.issuer;
    match params.get("iss") {
        Some(iss) if iss != issuer => return refuse("The response is from another issuer."),
        None if inner
            .provider
            .metadata
            .authorization_response_iss_parameter_supported =>
        {
            return refuse("The response has no iss parameter.");
        }
        _ => {}
    }
    let Some(code) = params.get("code") else {
        return refuse("The response has no authorization code.");
    };
    let callback_url = client.callback_url();
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", callback_url.as_str()),
        ("code_verifier", txn.code_verifier.as_str()),
    ];
    let tokens = match token_endpoint::request(&inner.provider, &inner.config, &grant).await {
        Ok(tokens) => tokens,
        Err(e) => {
            tracing::warn!(error = %e, "the authorization code exchange failed");
            return refuse("The provider did not accept the login. Start the login again.");
        }
    };
    let Some(id_token) = tokens.id_token.as_deref() else {
        return refuse("The provider sent no ID token.");
    };
    let claims = match id_token::validate_id_token(
        id_token,
        &inner.provider,
        &client.expected(),
        &txn.nonce,
    )
    .await
    {
        Ok(claims) => claims,
        Err(e) => {
            tracing::warn!(reason = %e, "ID token refused");
            return refuse("The provider's ID token is invalid.");
        }
    };
    let session = SessionData {
        user: SessionData::user_from_claims(&claims),
        token_set: tokens.token_set(None, inner.config.audience.as_deref(), now),
        internal: Internal {
            sid: claims
                .get("sid")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            created_at: now,
        },
        extra: serde_json::Map::new(),
    };
    if let Err(e) = current.replace(session).await {
        return unavailable(&e);
    }
    let mut response = found(&inner.config.app_url(&txn.return_to));
    if let Ok(cookie) = HeaderValue::try_from(delete_txn) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    finish(&current, response).await
}

/// `GET /auth/logout?returnTo=/path`: revokes the refresh token, ends the local session,
/// then RP-initiated logout at the provider back to the app (Auth0's `/v2/logout` when
/// the provider has no `end_session_endpoint`).
async fn logout(State(client): State<Auth0Client>, request: Parts) -> Response {
    let current = match current(&client, &request).await {
        Ok(current) => current,
        Err(response) => return response,
    };
    let return_to: Option<String> = request.uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "returnTo")
            .map(|(_, v)| v.into_owned())
    });
    let ended = match current.destroy().await {
        Ok(ended) => ended,
        Err(e) => return unavailable(&e),
    };
    let inner = &client.0;
    // Without returnTo: the app's base URL as configured (no trailing slash), which is
    // what the Auth0 SDKs send and what "Allowed Logout URLs" usually lists.
    let back = match return_to.as_deref() {
        Some(path) => inner.config.app_url(&safe_return_to(Some(path))),
        None => inner.config.app_url(""),
    };
    // As nextjs-auth0 v4: the refresh token is revoked, so a copied session cookie
    // can't mint tokens after logout.
    if let Some(refresh_token) = ended
        .as_ref()
        .and_then(|s| s.token_set.refresh_token.as_deref())
    {
        token_endpoint::revoke_refresh_token(&inner.provider, &inner.config, refresh_token).await;
    }
    let target = match inner.provider.metadata.end_session_endpoint.as_deref() {
        Some(endpoint) => rp_initiated_logout(&client, endpoint, &back, ended.as_ref()),
        // Auth0 tenants without RP-initiated logout discovery: Auth0's own logout.
        None => inner.config.issuer.join("v2/logout").ok().map(|mut url| {
            url.query_pairs_mut()
                .append_pair("returnTo", &back)
                .append_pair("client_id", &inner.config.client_id);
            url.to_string()
        }),
    };
    finish(&current, found(target.as_deref().unwrap_or(&back))).await
}

/// The provider's end-session URL for `session` (OpenID Connect RP-Initiated Logout),
/// with the hints nextjs-auth0 v4 sends.
fn rp_initiated_logout(
    client: &Auth0Client,
    endpoint: &str,
    back: &str,
    session: Option<&SessionData>,
) -> Option<String> {
    let mut url = Url::parse(endpoint).ok()?;
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("client_id", &client.0.config.client_id)
            .append_pair("post_logout_redirect_uri", back);
        if let Some(sid) = session.and_then(SessionData::sid) {
            query.append_pair("logout_hint", sid);
        }
        if let Some(hint) = session.and_then(|s| s.token_set.id_token.as_deref()) {
            query.append_pair("id_token_hint", hint);
        }
    }
    Some(url.to_string())
}

/// `GET /auth/profile`: the session's user, or 401.
async fn profile(State(client): State<Auth0Client>, request: Parts) -> Response {
    let current = match current(&client, &request).await {
        Ok(current) => current,
        Err(response) => return response,
    };
    let response = match current.get().await {
        Some(session) => (
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(Value::Object(session.user)),
        )
            .into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    };
    finish(&current, response).await
}

/// `GET /auth/access-token`: a live access token (refreshed if needed), as nextjs-auth0
/// v4 answers: `{token, scope, expires_at, expires_in, token_type}`.
async fn access_token(State(client): State<Auth0Client>, request: Parts) -> Response {
    let current = match current(&client, &request).await {
        Ok(current) => current,
        Err(response) => return response,
    };
    let now = client.0.clock.now();
    let response = match current.access_token().await {
        Ok(tokens) => {
            let mut body = json!({
                "token": tokens.access_token,
                "scope": tokens.scope,
                "expires_at": tokens.expires_at,
                "expires_in": (tokens.expires_at - now).max(0),
            });
            if let Some(token_type) = tokens.token_type {
                body["token_type"] = token_type.into();
            }
            ([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
        }
        Err(e) => {
            if let AccessTokenError::FailedToRefresh(cause) = &e {
                tracing::warn!(error = %cause, "refreshing the access token failed");
            }
            (
                StatusCode::UNAUTHORIZED,
                [(header::CACHE_CONTROL, "no-store")],
                axum::Json(json!({"error": {"message": e.to_string(), "code": e.code()}})),
            )
                .into_response()
        }
    };
    finish(&current, response).await
}

/// `POST /auth/backchannel-logout` (form `logout_token`): the provider ends sessions.
/// Needs a session store: stateless sessions can't be ended from outside.
async fn backchannel_logout(
    State(client): State<Auth0Client>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(store) = client.0.sessions.store.clone() else {
        return text(
            StatusCode::NOT_IMPLEMENTED,
            "A session data store is not configured.",
        );
    };
    let Some(token) = form.get("logout_token") else {
        return text(
            StatusCode::BAD_REQUEST,
            "Missing `logout_token` in the request body.",
        );
    };
    match client.backchannel_logout(store.as_ref(), token).await {
        Ok(Ok((target, deleted))) => {
            tracing::info!(sid = ?target.sid, sub = ?target.sub, deleted, "back-channel logout");
            (
                StatusCode::NO_CONTENT,
                [(header::CACHE_CONTROL, "no-store")],
            )
                .into_response()
        }
        Ok(Err(rejected)) => {
            tracing::warn!(reason = %rejected, "logout token refused");
            text(StatusCode::BAD_REQUEST, "Invalid logout token.")
        }
        Err(e) => unavailable(&e),
    }
}
