//! Password reset pages (security cases E.37, E.39, C.27):
//!
//! - `GET/POST /u/reset-password/request`: "Forgot password?" from the login page. The
//!   answer is the same page whether or not the address has an account.
//! - `GET /u/reset-password?ticket=...`: the link in the mail; a new-password form.
//!   Looking does not use the ticket (mail scanners open links).
//! - `POST /u/reset-password`: sets the password, uses the ticket, ends every session and
//!   refresh-token family of the user, and answers 303 to `/u/reset-password/done`.
//!
//! Forms carry the same CSRF token (cookie + field, constant-time compare) and
//! same-origin check as the login form. An unknown, used or expired ticket gets one page
//! that does not say which.

use axum::extract::{Query, RawForm, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::password::Password;
use portcullis_core::password_reset::{
    ResetError, ResetRequest, TICKET_LIFETIME_SECS, complete_reset, request_reset, usable_ticket,
};
use portcullis_core::signup::{PASSWORD_POLICY, plausible_email};
use portcullis_core::{CoreError, EventType, Tenant};
use serde::Deserialize;

use crate::audit::{self, Origin};
use crate::login::cookies::CSRF;
use crate::login::transaction::Transaction;
use crate::mail::{Email, reset_email, signup_attempt_email};
use crate::pages::{
    CspNonce, CsrfToken, NewPasswordPage, NoticePage, Page, ResetRequestPage, csrf_matches,
    page_response, same_origin_post,
};
use crate::routes::authorize::{branding, error_page};
use crate::routes::universal_login::unavailable;
use crate::state::AppState;
use crate::throttle::ClientIp;

const CSRF_MAX_AGE: i64 = 3600;
pub const REQUEST_PATH: &str = "/u/reset-password/request";
pub const DONE_PATH: &str = "/u/reset-password/done";

/// Which mail a reset link goes out in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkMail {
    /// The user asked for it.
    Reset,
    /// Someone tried to sign up with the user's address.
    SignupAttempt,
}

/// Makes a ticket for the account of `email`, if there is one (and it has not had its
/// hourly share), and mails the link to the address on file. Whatever happens, the
/// caller answers the same: `Err` only when looking the account up failed, which does
/// not depend on the address. A failure to store the ticket or send the mail is logged.
pub(crate) async fn mail_reset_link(
    state: &AppState,
    tenant: &Tenant,
    email: &str,
    kind: LinkMail,
) -> Result<(), CoreError> {
    let requested = request_reset(
        state.store.as_ref(),
        state.clock.as_ref(),
        state.rng.as_ref(),
        &state.tenant,
        email,
    )
    .await?;
    let (user, ticket) = match requested {
        ResetRequest::Issued { user, ticket } => (user, ticket),
        ResetRequest::NoSuchUser => {
            tracing::info!(
                event = "fcpr",
                "password reset asked for an unknown address"
            );
            return Ok(());
        }
        ResetRequest::Throttled { user_id } => {
            tracing::warn!(
                event = "fcpr",
                user_id = %user_id,
                "too many password resets for this user this hour; no mail sent"
            );
            return Ok(());
        }
        ResetRequest::Failed { user_id, error } => {
            tracing::error!(
                error = %error,
                user_id = %user_id,
                "making a password-reset ticket failed"
            );
            return Ok(());
        }
    };
    let link = state
        .issuer
        .join(&format!("u/reset-password?ticket={}", ticket.expose()));
    let minutes = TICKET_LIFETIME_SECS / 60;
    let name = &tenant.settings.friendly_name;
    let message: Email = match kind {
        LinkMail::Reset => reset_email(&user.email, name, &link, minutes),
        LinkMail::SignupAttempt => signup_attempt_email(&user.email, name, &link, minutes),
    };
    match state.mailer.send(message).await {
        Ok(()) => tracing::info!(
            event = "scpr",
            user_id = %user.user_id,
            "password-reset link mailed"
        ),
        Err(e) => tracing::error!(
            error = %e,
            user_id = %user.user_id,
            "mailing a password-reset link failed"
        ),
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct RequestQuery {
    /// The login transaction of the page the user came from.
    #[serde(default)]
    state: String,
}

#[derive(Debug, Deserialize)]
pub struct TicketQuery {
    #[serde(default)]
    ticket: String,
}

/// The browser's CSRF token, or a new one.
fn csrf_token(state: &AppState, headers: &HeaderMap) -> String {
    state
        .cookies
        .get(headers, CSRF)
        .unwrap_or_else(|| CsrfToken::generate(state.rng.as_ref()).as_str().to_owned())
}

/// A form page, with the CSRF cookie its token must match.
fn form_page(state: &AppState, status: StatusCode, page: &impl Page, csrf: &str) -> Response {
    let nonce = CspNonce::generate(state.rng.as_ref());
    let mut response = page_response(status, page, &nonce, None);
    if let Some(c) = state.cookies.set(CSRF, csrf, CSRF_MAX_AGE) {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

pub(crate) fn notice(state: &AppState, status: StatusCode, page: NoticePage) -> Response {
    let nonce = CspNonce::generate(state.rng.as_ref());
    page_response(status, &page, &nonce, None)
}

/// The one answer for a ticket that is unknown, used or expired.
fn invalid_link(state: &AppState, tenant: &Tenant) -> Response {
    notice(
        state,
        StatusCode::BAD_REQUEST,
        NoticePage {
            branding: branding(Some(tenant)),
            title: "This link has expired".to_owned(),
            message: "The password-reset link is invalid, has expired or has been used. \
                      Ask for a new one."
                .to_owned(),
            link: Some((REQUEST_PATH.to_owned(), "Reset your password".to_owned())),
        },
    )
}

/// The form was posted from another site, or its CSRF token does not match the cookie.
fn forbidden(state: &AppState, tenant: &Tenant, message: &str) -> Response {
    error_page(
        state,
        Some(tenant),
        StatusCode::FORBIDDEN,
        "Forbidden",
        message,
    )
}

/// A form posted from our own page, and the browser's CSRF token.
struct PostedForm {
    fields: Vec<(String, String)>,
    csrf: String,
}

impl PostedForm {
    fn field(&self, name: &str) -> &str {
        field(&self.fields, name)
    }
}

/// The fields of a form posted from our own page, with the browser's CSRF token; or
/// why the form is refused (shown on a 403 page by [`checked_fields`]).
fn form_fields(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<PostedForm, &'static str> {
    if !same_origin_post(headers, &state.issuer_origin) {
        return Err("This form was sent from another site.");
    }
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let presented = field(&fields, "csrf");
    match state.cookies.get(headers, CSRF) {
        Some(csrf) if csrf_matches(&csrf, presented) => Ok(PostedForm { fields, csrf }),
        _ => Err("Your form expired. Open the page again and retry."),
    }
}

/// [`form_fields`], or the 403 page.
async fn checked_fields(
    state: &AppState,
    tenant: &Tenant,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<PostedForm, Response> {
    form_fields(state, headers, body).map_err(|why| forbidden(state, tenant, why))
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The login transaction `sealed`, when it is one that still works: the request page
/// then links back to the login page.
fn live_transaction(state: &AppState, sealed: &str) -> Option<String> {
    (!sealed.is_empty() && Transaction::open(sealed, &state.login_key, state.clock.now()).is_ok())
        .then(|| sealed.to_owned())
}

fn request_page(
    tenant: &Tenant,
    csrf: &str,
    transaction: Option<String>,
    email: &str,
    error: Option<&str>,
) -> ResetRequestPage {
    ResetRequestPage {
        branding: branding(Some(tenant)),
        csrf: csrf.to_owned(),
        login_url: transaction.as_ref().map(|t| format!("/u/login?state={t}")),
        transaction,
        email: email.to_owned(),
        error: error.map(str::to_owned),
    }
}

/// `GET /u/reset-password/request`.
pub async fn show_request(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<RequestQuery>,
) -> Response {
    let tenant = match state.tenant().await {
        Ok(t) => t,
        Err(e) => return unavailable(&state, &e),
    };
    let tenant: &Tenant = &tenant;
    let csrf = csrf_token(&state, &headers);
    let tx = live_transaction(&state, &q.state);
    let page = request_page(tenant, &csrf, tx, "", None);
    form_page(&state, StatusCode::OK, &page, &csrf)
}

/// `POST /u/reset-password/request`: the same "check your email" page for every
/// plausible address.
pub async fn submit_request(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    let tenant = match state.tenant().await {
        Ok(t) => t,
        Err(e) => return unavailable(&state, &e),
    };
    let tenant: &Tenant = &tenant;
    let form = match checked_fields(&state, tenant, &headers, &body).await {
        Ok(f) => f,
        Err(response) => return response,
    };
    let csrf = form.csrf.clone();
    let email = form.field("email").trim().to_owned();
    let tx = live_transaction(&state, form.field("state"));
    if !plausible_email(&email) {
        let page = request_page(
            tenant,
            &csrf,
            tx,
            &email,
            Some("Enter a valid email address."),
        );
        return form_page(&state, StatusCode::BAD_REQUEST, &page, &csrf);
    }
    if let Err(e) = mail_reset_link(&state, tenant, &email, LinkMail::Reset).await {
        return unavailable(&state, &e);
    }
    let back = tx.map(|t| (format!("/u/login?state={t}"), "Back to log in".to_owned()));
    notice(
        &state,
        StatusCode::OK,
        NoticePage {
            branding: branding(Some(tenant)),
            title: "Check your email".to_owned(),
            // Not even the address is repeated: the page is the same for every one.
            message: format!(
                "If this address has an account, we have sent it a link to reset the \
                 password. The link works for {} minutes.",
                TICKET_LIFETIME_SECS / 60
            ),
            link: back,
        },
    )
}

fn new_password_page(
    tenant: &Tenant,
    csrf: &str,
    ticket: &str,
    email: &str,
    error: Option<String>,
) -> NewPasswordPage {
    NewPasswordPage {
        branding: branding(Some(tenant)),
        csrf: csrf.to_owned(),
        ticket: ticket.to_owned(),
        email: email.to_owned(),
        error,
        password_policy: PASSWORD_POLICY.to_owned(),
    }
}

/// The account address of a usable ticket, or `None` when the ticket cannot be used.
async fn ticket_owner_email(state: &AppState, ticket: &str) -> Result<Option<String>, CoreError> {
    let Some(t) = usable_ticket(
        state.store.as_ref(),
        state.clock.as_ref(),
        &state.tenant,
        ticket,
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(state
        .store
        .user(&state.tenant, &t.user_id)
        .await?
        .map(|u| u.email))
}

/// `GET /u/reset-password?ticket=...`: the new-password form, or the invalid-link page.
pub async fn show_reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<TicketQuery>,
) -> Response {
    let tenant = match state.tenant().await {
        Ok(t) => t,
        Err(e) => return unavailable(&state, &e),
    };
    let tenant: &Tenant = &tenant;
    let email = match ticket_owner_email(&state, &q.ticket).await {
        Ok(Some(email)) => email,
        Ok(None) => return invalid_link(&state, tenant),
        Err(e) => return unavailable(&state, &e),
    };
    let csrf = csrf_token(&state, &headers);
    let page = new_password_page(tenant, &csrf, q.ticket.trim(), &email, None);
    form_page(&state, StatusCode::OK, &page, &csrf)
}

/// `POST /u/reset-password`: 303 to the done page, or the form again with what to fix,
/// or the invalid-link page.
pub async fn submit_reset(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    let tenant = match state.tenant().await {
        Ok(t) => t,
        Err(e) => return unavailable(&state, &e),
    };
    let tenant: &Tenant = &tenant;
    let form = match checked_fields(&state, tenant, &headers, &body).await {
        Ok(f) => f,
        Err(response) => return response,
    };
    let csrf = form.csrf.clone();
    let ticket = form.field("ticket").trim().to_owned();
    let password = Password::new(form.field("password").to_owned());
    if password.expose() != form.field("password_confirm") {
        let error = "The passwords do not match.".to_owned();
        return form_again(&state, tenant, &csrf, &ticket, error).await;
    }
    let done = complete_reset(
        state.store.as_ref(),
        &state.hasher,
        state.clock.as_ref(),
        &state.tenant,
        &ticket,
        &password,
    )
    .await;
    match done {
        Ok(done) => {
            tracing::info!(
                event = "scp",
                user_id = %done.user_id,
                sessions_revoked = done.sessions_revoked,
                refresh_tokens_revoked = done.refresh_tokens_revoked,
                "password changed with a reset link"
            );
            let mut event = audit::event(
                &state,
                EventType::SuccessChangePassword,
                "Changed password",
                &Origin::of(ip, &headers),
            );
            event.user_id = Some(done.user_id.to_string());
            event.details = serde_json::json!({
                "sessions_revoked": done.sessions_revoked,
                "refresh_tokens_revoked": done.refresh_tokens_revoked,
            });
            audit::record(&state, event).await;
            let mut response = (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, DONE_PATH.to_owned()),
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                ],
            )
                .into_response();
            if let Some(c) = state.cookies.clear(CSRF) {
                response.headers_mut().append(header::SET_COOKIE, c);
            }
            response
        }
        Err(ResetError::WeakPassword) => {
            let error = format!("Password is too weak. {PASSWORD_POLICY}");
            form_again(&state, tenant, &csrf, &ticket, error).await
        }
        Err(ResetError::InvalidTicket) => {
            tracing::info!(event = "fcp", "password reset with an unusable link");
            invalid_link(&state, tenant)
        }
        Err(ResetError::Internal(e)) => unavailable(&state, &e),
    }
}

/// The new-password form again with `error`, while the ticket can still be used.
async fn form_again(
    state: &AppState,
    tenant: &Tenant,
    csrf: &str,
    ticket: &str,
    error: String,
) -> Response {
    match ticket_owner_email(state, ticket).await {
        Ok(Some(email)) => {
            let page = new_password_page(tenant, csrf, ticket, &email, Some(error));
            form_page(state, StatusCode::BAD_REQUEST, &page, csrf)
        }
        Ok(None) => invalid_link(state, tenant),
        Err(e) => unavailable(state, &e),
    }
}

/// `GET /u/reset-password/done`.
pub async fn done(State(state): State<AppState>) -> Response {
    let tenant = match state.tenant().await {
        Ok(t) => t,
        Err(e) => return unavailable(&state, &e),
    };
    let tenant: &Tenant = &tenant;
    notice(
        &state,
        StatusCode::OK,
        NoticePage {
            branding: branding(Some(tenant)),
            title: "Password changed".to_owned(),
            message: "Your password has been changed and you have been signed out everywhere. \
                      Go back to the application and log in with your new password."
                .to_owned(),
            link: None,
        },
    )
}
