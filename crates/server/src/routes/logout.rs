//! Logout: `GET /v2/logout` (Auth0) and `GET|POST /oidc/logout` (OpenID Connect
//! RP-Initiated Logout 1.0).
//!
//! Both end this browser's SSO session (revoked in the store, cookie cleared) and then
//! redirect only to a logout URL registered for the application, compared byte for byte
//! as redirect URIs are; anything else ends on a "logged out" page, never an open
//! redirect (security case 15). `/oidc/logout` without a valid `id_token_hint` only asks
//! ("Log out?"), and the answer is a same-origin POST with a CSRF token (case 33).

use axum::extract::{RawForm, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::Validation;
use portcullis_core::sso_session::SsoSession;
use portcullis_core::{Application, ClientId, EventType, StoreError, Tenant, token_hash};
use serde::Deserialize;

use crate::audit::{self, Origin};
use crate::login::cookies::{CSRF, SESSION};
use crate::pages::same_origin_post;
use crate::pages::{CspNonce, CsrfToken, LogoutConfirmPage, csrf_matches, page_response};
use crate::routes::authorize::{branding, error_page};
use crate::state::AppState;
use crate::throttle::ClientIp;

/// How long the CSRF cookie of the confirmation page lives.
const CSRF_MAX_AGE: i64 = 3600;
/// The longest `id_token_hint` looked at.
const MAX_HINT_LEN: usize = 16 * 1024;

/// `GET /v2/logout?returnTo=&client_id=`.
pub async fn v2_logout(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    let tenant = match state.tenant().await {
        Ok(t) => t,
        Err(e) => return unavailable(&state, &e),
    };
    let (return_to, client_id) = match (params.single("returnTo"), params.single("client_id")) {
        (Ok(r), Ok(c)) => (r, c),
        (Err(name), _) | (_, Err(name)) => return repeated(&state, &tenant, name),
    };
    // Without client_id there is no list to check returnTo against (the tenant-level
    // list of Auth0 does not exist here): no redirect.
    let target = match (client_id, return_to) {
        (Some(id), Some(uri)) => match state
            .catalog
            .application(&state.tenant, &ClientId::new(id))
            .await
        {
            Ok(app) => app
                .filter(|a| is_logout_url(a, uri))
                .map(|_| uri.to_owned()),
            Err(e) => return unavailable(&state, &e),
        },
        _ => None,
    };
    if let Err(e) = end_session(&state, ip, &headers).await {
        return unavailable(&state, &e);
    }
    finish(&state, &tenant, target, StatusCode::FOUND)
}

/// `GET /oidc/logout`.
pub async fn oidc_logout_get(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    oidc_logout(&state, ip, &headers, &params, false).await
}

/// `POST /oidc/logout`: an RP posting the same parameters, or the confirmation form.
pub async fn oidc_logout_post(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    let params = Params::parse(&body);
    oidc_logout(&state, ip, &headers, &params, true).await
}

/// The parameters of one request, each present at most once.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(bytes: &[u8]) -> Self {
        Params(url::form_urlencoded::parse(bytes).into_owned().collect())
    }

    /// The parameter's value; an empty value counts as absent, a repeated parameter is
    /// an error carrying its name.
    fn single<'a>(&'a self, name: &'static str) -> Result<Option<&'a str>, &'static str> {
        let mut values = self.0.iter().filter(|(k, _)| k == name);
        match (values.next(), values.next()) {
            (Some(_), Some(_)) => Err(name),
            (Some((_, v)), None) if !v.is_empty() => Ok(Some(v.as_str())),
            _ => Ok(None),
        }
    }
}

struct OidcParams<'a> {
    id_token_hint: Option<&'a str>,
    client_id: Option<&'a str>,
    post_logout_redirect_uri: Option<&'a str>,
    state: Option<&'a str>,
    csrf: Option<&'a str>,
}

impl<'a> OidcParams<'a> {
    fn from(p: &'a Params) -> Result<Self, &'static str> {
        Ok(OidcParams {
            id_token_hint: p.single("id_token_hint")?,
            client_id: p.single("client_id")?,
            post_logout_redirect_uri: p.single("post_logout_redirect_uri")?,
            state: p.single("state")?,
            csrf: p.single("csrf")?,
        })
    }
}

async fn oidc_logout(
    state: &AppState,
    ip: ClientIp,
    headers: &HeaderMap,
    params: &Params,
    post: bool,
) -> Response {
    let tenant = match state.tenant().await {
        Ok(t) => t,
        Err(e) => return unavailable(state, &e),
    };
    let p = match OidcParams::from(params) {
        Ok(p) => p,
        Err(name) => return repeated(state, &tenant, name),
    };
    // A hint that does not verify counts as no hint: the user is asked.
    let hint = match p.id_token_hint.and_then(|t| verify_hint(state, t)) {
        Some(h) => match state
            .catalog
            .application(&state.tenant, &ClientId::new(h.aud.clone()))
            .await
        {
            Ok(Some(app)) => Some((h, app)),
            Ok(None) => None,
            Err(e) => return unavailable(state, &e),
        },
        None => None,
    };
    if let (Some(id), Some((h, _))) = (p.client_id, &hint)
        && id != h.aud
    {
        return error_page(
            state,
            Some(&tenant),
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "The client_id does not match the id_token_hint. No redirect was made.",
        );
    }
    let app = match &hint {
        Some((_, app)) => Some(app.clone()),
        None => match p.client_id {
            Some(id) => match state
                .catalog
                .application(&state.tenant, &ClientId::new(id))
                .await
            {
                Ok(app) => app,
                Err(e) => return unavailable(state, &e),
            },
            None => None,
        },
    };
    let target = app.as_ref().and_then(|a| {
        p.post_logout_redirect_uri
            .filter(|uri| is_logout_url(a, uri))
            .map(|uri| with_state(uri, p.state))
    });
    let status = if post {
        StatusCode::SEE_OTHER
    } else {
        StatusCode::FOUND
    };

    if let Some((h, _)) = &hint {
        // A valid hint for another user than the one logged in here: ask rather than
        // log out someone the hint does not name.
        match active_session(state, headers, &tenant).await {
            Ok(Some(session)) if session.user_id.as_str() != h.sub => {}
            Ok(_) => {
                if let Err(e) = end_session(state, ip, headers).await {
                    return unavailable(state, &e);
                }
                return finish(state, &tenant, target, status);
            }
            Err(e) => return unavailable(state, &e),
        }
    } else if post {
        // The confirmation form: same origin, and the token of its cookie.
        let csrf_ok = match (state.cookies.get(headers, CSRF), p.csrf) {
            (Some(cookie), Some(field)) => csrf_matches(&cookie, field),
            _ => false,
        };
        if !csrf_ok || !same_origin_post(headers, &state.issuer_origin) {
            return error_page(
                state,
                Some(&tenant),
                StatusCode::FORBIDDEN,
                "Forbidden",
                "This logout was not confirmed on this site. You are still logged in.",
            );
        }
        if let Err(e) = end_session(state, ip, headers).await {
            return unavailable(state, &e);
        }
        return finish(state, &tenant, target, status);
    }
    confirm_page(
        state,
        headers,
        &tenant,
        app.as_deref(),
        &p,
        target.as_deref(),
    )
}

/// "Log out?", carrying what the request said to the confirmation POST.
fn confirm_page(
    state: &AppState,
    headers: &HeaderMap,
    tenant: &Tenant,
    app: Option<&Application>,
    p: &OidcParams<'_>,
    target: Option<&str>,
) -> Response {
    let csrf = state
        .cookies
        .get(headers, CSRF)
        .unwrap_or_else(|| CsrfToken::generate(state.rng.as_ref()).as_str().to_owned());
    let page = LogoutConfirmPage {
        branding: branding(Some(tenant)),
        csrf: csrf.clone(),
        client_name: app.map(|a| a.name.clone()),
        client_id: app.map(|a| a.client_id.to_string()),
        post_logout_redirect_uri: p.post_logout_redirect_uri.map(str::to_owned),
        state: p.state.map(str::to_owned),
    };
    let nonce = CspNonce::generate(state.rng.as_ref());
    // The POST answers with a redirect to `target`: the CSP form-action must allow it.
    let mut response = page_response(StatusCode::OK, &page, &nonce, target);
    if let Some(c) = state.cookies.set(CSRF, &csrf, CSRF_MAX_AGE) {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Cookie"));
    response
}

/// Whether `uri` is one of the application's allowed logout URLs, byte for byte.
fn is_logout_url(app: &Application, uri: &str) -> bool {
    app.allowed_logout_urls.iter().any(|u| u == uri)
}

/// `uri` with `state` added to its query.
fn with_state(uri: &str, state: Option<&str>) -> String {
    let Some(s) = state else {
        return uri.to_owned();
    };
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("state", s)
        .finish();
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{encoded}")
}

/// The session of this browser's cookie, if it is still active.
async fn active_session(
    state: &AppState,
    headers: &HeaderMap,
    tenant: &Tenant,
) -> Result<Option<SsoSession>, StoreError> {
    let Some(cookie) = state.cookies.get(headers, SESSION) else {
        return Ok(None);
    };
    let idle = i64::from(tenant.settings.idle_session_lifetime) * 3600;
    Ok(state
        .store
        .session(&state.tenant, &token_hash(&cookie))
        .await?
        .filter(|s| s.is_active(state.clock.now(), idle)))
}

/// Revokes the session of this browser's cookie, if it sent one.
/// A logout that ended a live session is logged (`slo`).
async fn end_session(
    state: &AppState,
    ip: ClientIp,
    headers: &HeaderMap,
) -> Result<(), StoreError> {
    let Some(cookie) = state.cookies.get(headers, SESSION) else {
        return Ok(());
    };
    let id_hash = token_hash(&cookie);
    let Some(session) = state.store.session(&state.tenant, &id_hash).await? else {
        return Ok(());
    };
    if state
        .store
        .revoke_session(&state.tenant, &id_hash, state.clock.now())
        .await?
    {
        let mut event = audit::event(
            state,
            EventType::SuccessLogout,
            "User successfully logged out",
            &Origin::of(ip, headers),
        );
        event.user_id = Some(session.user_id.to_string());
        audit::record(state, event).await;
    }
    Ok(())
}

/// After the session ended: the redirect, or the "logged out" page; the session cookie
/// cleared either way.
fn finish(
    state: &AppState,
    tenant: &Tenant,
    target: Option<String>,
    status: StatusCode,
) -> Response {
    let mut response = match target {
        Some(location) => (
            status,
            [
                (header::LOCATION, location),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
        )
            .into_response(),
        None => error_page(
            state,
            Some(tenant),
            StatusCode::OK,
            "Logged out",
            &format!(
                "You are logged out of {}. You can close this window.",
                tenant.settings.friendly_name
            ),
        ),
    };
    let headers = response.headers_mut();
    if let Some(c) = state.cookies.clear(SESSION) {
        headers.append(header::SET_COOKIE, c);
    }
    headers.insert(header::VARY, HeaderValue::from_static("Cookie"));
    response
}

#[derive(Debug, Deserialize)]
struct HintClaims {
    sub: String,
    aud: Audience,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

struct Hint {
    sub: String,
    /// The client the ID token was issued to.
    aud: String,
}

/// An ID token this issuer signed: a published key with its own algorithm, `typ: JWT`
/// (not an access or logout token), this `iss`, one audience. Expiry is not checked:
/// RP-Initiated Logout accepts expired hints.
fn verify_hint(state: &AppState, token: &str) -> Option<Hint> {
    if token.len() > MAX_HINT_LEN {
        return None;
    }
    let header = jsonwebtoken::decode_header(token).ok()?;
    if header.typ.as_deref() != Some("JWT") {
        return None;
    }
    let ring = state.keys.current();
    let (key, alg) = ring.verifiers.get(header.kid.as_deref()?)?;
    let mut validation = Validation::new(*alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.set_issuer(&[state.issuer.as_str()]);
    validation.set_required_spec_claims(&["iss", "sub", "aud"]);
    let claims = jsonwebtoken::decode::<HintClaims>(token, key, &validation)
        .ok()?
        .claims;
    let aud = match claims.aud {
        Audience::One(a) => a,
        Audience::Many(mut v) if v.len() == 1 => v.pop()?,
        Audience::Many(_) => return None,
    };
    Some(Hint {
        sub: claims.sub,
        aud,
    })
}

fn repeated(state: &AppState, tenant: &Tenant, name: &str) -> Response {
    error_page(
        state,
        Some(tenant),
        StatusCode::BAD_REQUEST,
        "Invalid request",
        &format!("Parameter '{name}' is repeated. No redirect was made."),
    )
}

fn unavailable(state: &AppState, e: &dyn std::error::Error) -> Response {
    tracing::error!(error = %e, "logout failed");
    error_page(
        state,
        None,
        StatusCode::SERVICE_UNAVAILABLE,
        "Temporarily unavailable",
        "Please try again in a moment.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_is_appended_encoded() {
        assert_eq!(with_state("https://a/out", None), "https://a/out");
        assert_eq!(
            with_state("https://a/out", Some("x y&z")),
            "https://a/out?state=x+y%26z"
        );
        assert_eq!(
            with_state("https://a/out?k=v", Some("s")),
            "https://a/out?k=v&state=s"
        );
    }

    #[test]
    fn repeated_parameters_are_refused_and_empty_ones_absent() {
        let p = Params::parse(b"a=1&b=&c=x&c=y");
        assert_eq!(p.single("a"), Ok(Some("1")));
        assert_eq!(p.single("b"), Ok(None));
        assert_eq!(p.single("c"), Err("c"));
        assert_eq!(p.single("d"), Ok(None));
    }
}
