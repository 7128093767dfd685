//! `GET /authorize` and `GET /authorize/resume`: answer at once from the SSO session,
//! or send the user to the login page with the request sealed in a transaction.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::authorize::{AuthorizeError, AuthorizeParams, AuthorizeRequest, NoRedirect};
use portcullis_core::{OAuthError, Tenant};
use portcullis_proto::ErrorCode;

use crate::login::respond::{redirect_error, redirect_oauth_error, respond};
use crate::login::session;
use crate::login::transaction::{TRANSACTION_LIFETIME_SECS, Transaction};
use crate::pages::{Branding, CspNonce, ErrorPage, page_response};
use crate::state::AppState;

pub async fn authorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    authorize_pairs(&state, &headers, pairs, None).await
}

/// After a login: the transaction carries the original request; a session started
/// after the transaction began satisfies `prompt=login` and `max_age`.
pub async fn resume(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let sealed = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    match Transaction::open(&sealed, &state.login_key, state.clock.now()) {
        Ok(tx) => {
            let started = tx.exp - TRANSACTION_LIFETIME_SECS;
            authorize_pairs(&state, &headers, tx.params, Some(started)).await
        }
        Err(e) => error_page(
            &state,
            None,
            StatusCode::BAD_REQUEST,
            "Login expired",
            &format!("{e}. Go back to the application and sign in again."),
        ),
    }
}

async fn authorize_pairs(
    state: &AppState,
    headers: &HeaderMap,
    pairs: Vec<(String, String)>,
    logged_in_since: Option<i64>,
) -> Response {
    match handle(state, headers, pairs, logged_in_since).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "authorize failed");
            error_page(
                state,
                None,
                StatusCode::SERVICE_UNAVAILABLE,
                "Temporarily unavailable",
                "Please try again in a moment.",
            )
        }
    }
}

async fn handle(
    state: &AppState,
    headers: &HeaderMap,
    pairs: Vec<(String, String)>,
    logged_in_since: Option<i64>,
) -> Result<Response, portcullis_core::CoreError> {
    let tenant = state.tenant().await?;
    let params = match AuthorizeParams::from_pairs(pairs.clone()) {
        Ok(p) => p,
        Err(e) => return Ok(no_redirect(state, Some(&tenant), &e)),
    };
    let app = match params.client_id() {
        Ok(id) => state.catalog.application(&state.tenant, &id).await?,
        Err(e) => return Ok(no_redirect(state, Some(&tenant), &e)),
    };
    let req = match AuthorizeRequest::parse(&params, app.as_deref()) {
        Ok(r) => r,
        Err(AuthorizeError::NoRedirect(e)) => return Ok(no_redirect(state, Some(&tenant), &e)),
        Err(AuthorizeError::Redirect(e)) => return Ok(redirect_error(state, &e)),
    };
    if let Some(aud) = &req.audience
        && state
            .catalog
            .resource_server(&state.tenant, aud)
            .await?
            .is_none()
    {
        return Ok(redirect_oauth_error(
            state,
            &req,
            OAuthError::access_denied(format!("Service not found: {aud}")),
        ));
    }

    let now = state.clock.now();
    if let Some((session, user)) = session::current(state, headers, &tenant.settings).await? {
        let fresh = logged_in_since.is_some_and(|t| session.auth_time.0 >= t);
        let within_max_age = req.max_age.is_none_or(|m| {
            now.0.saturating_sub(session.auth_time.0) <= i64::try_from(m).unwrap_or(i64::MAX)
        });
        if fresh || (!req.prompt.login && within_max_age) {
            return respond(state, &req, &tenant.settings, &session, &user).await;
        }
    }
    if req.prompt.none {
        return Ok(redirect_oauth_error(
            state,
            &req,
            OAuthError::new(ErrorCode::LoginRequired, "Login required"),
        ));
    }
    let sealed = Transaction::new(pairs, now).seal(&state.login_key)?;
    let page = if req.screen_hint_signup {
        "/u/signup"
    } else {
        "/u/login"
    };
    let location = format!("{page}?state={sealed}");
    Ok((
        StatusCode::FOUND,
        [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response())
}

fn no_redirect(state: &AppState, tenant: Option<&Tenant>, e: &NoRedirect) -> Response {
    let (title, message) = match e {
        NoRedirect::UnknownClient | NoRedirect::MissingClientId => (
            "Unknown application",
            "The application that sent you here is not registered (client_id). No redirect was made.".to_owned(),
        ),
        other => (
            "Invalid request",
            format!("The application sent an invalid request: {other}. No redirect was made."),
        ),
    };
    error_page(state, tenant, StatusCode::BAD_REQUEST, title, &message)
}

pub fn error_page(
    state: &AppState,
    tenant: Option<&Tenant>,
    status: StatusCode,
    title: &str,
    message: &str,
) -> Response {
    let nonce = CspNonce::generate(state.rng.as_ref());
    let page = ErrorPage {
        branding: branding(tenant),
        title: title.to_owned(),
        message: message.to_owned(),
    };
    page_response(status, &page, &nonce, None)
}

pub fn branding(tenant: Option<&Tenant>) -> Branding {
    match tenant {
        Some(t) => Branding {
            friendly_name: t.settings.friendly_name.clone(),
            logo_url: t.settings.picture_url.clone(),
        },
        None => Branding {
            friendly_name: "Portcullis".to_owned(),
            logo_url: None,
        },
    }
}
