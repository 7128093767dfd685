//! `/u/login`: the universal login page. Server-rendered, no JavaScript, CSRF token on
//! the form, the same answer for an unknown user, a wrong password and a blocked user,
//! and 303 after a successful POST.

use std::sync::Arc;

use axum::extract::{Query, RawForm, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::password::Password;
use portcullis_core::{EventType, LogEvent, Tenant};
use serde::Deserialize;

use crate::audit::{self, Origin};
use crate::login::cookies::CSRF;
use crate::login::session;
use crate::login::transaction::Transaction;
use crate::pages::{
    CspNonce, CsrfToken, LoginPage, Page, csrf_matches, page_response, same_origin_post,
};
use crate::routes::authorize::{branding, error_page};
use crate::state::AppState;
use crate::throttle::{ClientIp, Reason, Refused};

/// Auth0's words for every failed login.
pub const WRONG_CREDENTIALS: &str = "Wrong email or password.";
/// Auth0's words when one account from one address is blocked (brute-force protection).
pub const ACCOUNT_BLOCKED: &str =
    "Your account has been blocked after multiple consecutive login attempts.";
/// Auth0's words when one address is blocked (suspicious IP throttling).
pub const ADDRESS_BLOCKED: &str = "We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.";
const CSRF_MAX_AGE: i64 = 3600;

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    pub(crate) state: String,
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let start = match start_page(&state, &headers, &q.state).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let view = start.view(&q.state);
    login_page(&state, &start.tenant, StatusCode::OK, &view, "", None)
}

/// What the GET of a login or signup page needs: the tenant, the browser's CSRF token
/// (or a new one) and where the browser goes once the form succeeds.
pub(crate) struct PageStart {
    pub(crate) tenant: Arc<Tenant>,
    csrf: String,
    target: Option<String>,
}

impl PageStart {
    pub(crate) fn view<'a>(&'a self, transaction: &'a str) -> View<'a> {
        View {
            csrf: &self.csrf,
            transaction,
            target: self.target.as_deref(),
        }
    }
}

pub(crate) async fn start_page(
    state: &AppState,
    headers: &HeaderMap,
    sealed: &str,
) -> Result<PageStart, Response> {
    let tenant = state.tenant().await.map_err(|e| unavailable(state, &e))?;
    let tx = Transaction::open(sealed, &state.login_key, state.clock.now())
        .map_err(|e| expired(state, &tenant, &e.to_string()))?;
    let target = redirect_target(state, &tx).await;
    let csrf = state
        .cookies
        .get(headers, CSRF)
        .unwrap_or_else(|| CsrfToken::generate(state.rng.as_ref()).as_str().to_owned());
    Ok(PageStart {
        tenant,
        csrf,
        target,
    })
}

/// Renders a page of the login flow with its CSP, and (re)sets the CSRF cookie that
/// its form's token must match.
pub(crate) fn form_page(
    state: &AppState,
    status: StatusCode,
    page: &impl Page,
    view: &View<'_>,
) -> Response {
    let nonce = CspNonce::generate(state.rng.as_ref());
    let mut response = page_response(status, page, &nonce, view.target);
    if let Some(c) = state.cookies.set(CSRF, view.csrf, CSRF_MAX_AGE) {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

/// Where the browser goes after this login: the client's redirect URI. The login page's
/// CSP `form-action` must allow it, since browsers apply it to the redirects that
/// follow a form submission.
pub(crate) async fn redirect_target(state: &AppState, tx: &Transaction) -> Option<String> {
    let param = |name: &str| {
        tx.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if let Some(uri) = param("redirect_uri").filter(|u| !u.is_empty()) {
        return Some(uri);
    }
    let client_id = portcullis_core::ClientId::new(param("client_id")?);
    let app = state
        .catalog
        .application(&state.tenant, &client_id)
        .await
        .ok()??;
    app.callbacks.first().cloned()
}

pub(crate) struct View<'a> {
    pub(crate) csrf: &'a str,
    pub(crate) transaction: &'a str,
    pub(crate) target: Option<&'a str>,
}

/// A POSTed login or signup form that passed the same-origin, CSRF and transaction
/// checks.
pub(crate) struct CheckedForm {
    pub(crate) tenant: Arc<Tenant>,
    pub(crate) fields: Vec<(String, String)>,
    pub(crate) csrf: String,
    pub(crate) sealed: String,
    pub(crate) tx: Transaction,
}

impl CheckedForm {
    /// An audit event from this form's request, naming the application it logs in to.
    pub(crate) fn event(
        &self,
        state: &AppState,
        kind: EventType,
        description: &str,
        ip: ClientIp,
        headers: &HeaderMap,
    ) -> LogEvent {
        let mut event = audit::event(state, kind, description, &Origin::of(ip, headers));
        event.client_id = self
            .tx
            .params
            .iter()
            .find(|(k, _)| k == "client_id")
            .map(|(_, v)| v.clone());
        event
    }

    /// The form again, to show with an error.
    pub(crate) fn view<'a>(&'a self, target: Option<&'a str>) -> View<'a> {
        View {
            csrf: &self.csrf,
            transaction: &self.sealed,
            target,
        }
    }

    pub(crate) fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Same-origin POST (case 33), CSRF cookie equal to the form's token, a live transaction.
pub(crate) async fn check_form(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<CheckedForm, Response> {
    let tenant = state.tenant().await.map_err(|e| unavailable(state, &e))?;
    let forbidden = |message: &str| {
        error_page(
            state,
            Some(&tenant),
            StatusCode::FORBIDDEN,
            "Forbidden",
            message,
        )
    };
    if !same_origin_post(headers, &state.issuer_origin) {
        return Err(forbidden("This form was sent from another site."));
    }
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let presented = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    let csrf = match state.cookies.get(headers, CSRF) {
        Some(c) if csrf_matches(&c, presented) => c,
        _ => {
            return Err(forbidden(
                "Your form expired. Go back to the application and sign in again.",
            ));
        }
    };
    let sealed = fields
        .iter()
        .find(|(k, _)| k == "state")
        .map_or(String::new(), |(_, v)| v.clone());
    let tx = Transaction::open(&sealed, &state.login_key, state.clock.now())
        .map_err(|e| expired(state, &tenant, &e.to_string()))?;
    Ok(CheckedForm {
        tenant,
        fields,
        csrf,
        sealed,
        tx,
    })
}

pub async fn submit(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    let form = match check_form(&state, &headers, &body).await {
        Ok(f) => f,
        Err(response) => return response,
    };
    let email = form.field("email").trim().to_owned();
    let password = Password::new(form.field("password").to_owned());
    // Reserved as a failure before the lookup and the Argon2 verify, so parallel
    // guesses all count (case E.38); the refusal is the same for every account.
    let attempt = match state.throttle.begin_password(ip, &email) {
        Ok(a) => a,
        Err(refused) => {
            let (kind, description) = match refused.reason {
                Reason::Address => (EventType::FailedLogin, ADDRESS_BLOCKED),
                Reason::Account | Reason::Token => (EventType::BlockedAccount, ACCOUNT_BLOCKED),
            };
            let mut event = form.event(&state, kind, description, ip, &headers);
            event.user_name = Some(email.clone());
            audit::record(&state, event).await;
            return blocked(&state, &form, &email, &refused).await;
        }
    };
    let user = match state.store.user_by_email(&state.tenant, &email).await {
        Ok(u) => u,
        Err(e) => return unavailable(&state, &e),
    };
    // Always one Argon2 verification, against a dummy hash for unknown users.
    let verdict = match state
        .hasher
        .verify(
            &password,
            user.as_ref().and_then(|u| u.password_hash.as_ref()),
        )
        .await
    {
        Ok(v) => v,
        Err(e) => return unavailable(&state, &e),
    };
    let user = match user {
        Some(u) if verdict.matched && !u.blocked => {
            attempt.succeeded();
            u
        }
        _ => {
            tracing::info!(event = "f", "failed login");
            let reason = match &user {
                None => "Wrong email or password. (no such user)",
                Some(u) if u.blocked => "user is blocked",
                Some(_) => "Wrong email or password.",
            };
            let mut event = form.event(&state, EventType::FailedLogin, reason, ip, &headers);
            event.user_name = Some(email.clone());
            event.user_id = user.as_ref().map(|u| u.user_id.to_string());
            audit::record(&state, event).await;
            let target = redirect_target(&state, &form.tx).await;
            let view = form.view(target.as_deref());
            return login_page(
                &state,
                &form.tenant,
                StatusCode::BAD_REQUEST,
                &view,
                &email,
                Some(WRONG_CREDENTIALS),
            );
        }
    };
    if verdict.needs_rehash {
        match state.hasher.hash(&password).await {
            Ok(h) => {
                let now = state.clock.now();
                if let Err(e) = state
                    .store
                    .set_password_hash(&state.tenant, &user.user_id, &h, now)
                    .await
                {
                    tracing::warn!(error = %e, "storing a rehashed password failed");
                }
            }
            Err(e) => tracing::warn!(error = %e, "rehashing a password failed"),
        }
    }
    tracing::info!(event = "s", user_id = %user.user_id, "successful login");
    let mut event = form.event(
        &state,
        EventType::SuccessLogin,
        "Successful login",
        ip,
        &headers,
    );
    event.user_name = Some(user.email.clone());
    event.user_id = Some(user.user_id.to_string());
    audit::record(&state, event).await;
    finish_login(&state, &headers, &form, &user).await
}

/// The login form again, 429 with `Retry-After`, when the throttle refuses the attempt.
async fn blocked(state: &AppState, form: &CheckedForm, email: &str, refused: &Refused) -> Response {
    let message = match refused.reason {
        Reason::Account | Reason::Token => ACCOUNT_BLOCKED,
        Reason::Address => ADDRESS_BLOCKED,
    };
    let target = redirect_target(state, &form.tx).await;
    let view = form.view(target.as_deref());
    let mut response = login_page(
        state,
        &form.tenant,
        StatusCode::TOO_MANY_REQUESTS,
        &view,
        email,
        Some(message),
    );
    let (name, value) = refused.retry_after_header();
    response.headers_mut().insert(name, value);
    response
}

/// Records the login, starts a new session (new id), and sends the browser on to
/// finish the authorization: 303, since this answers a POST.
pub(crate) async fn finish_login(
    state: &AppState,
    headers: &HeaderMap,
    form: &CheckedForm,
    user: &portcullis_core::User,
) -> Response {
    let now = state.clock.now();
    if let Err(e) = state
        .store
        .record_login(&state.tenant, &user.user_id, now)
        .await
    {
        return unavailable(state, &e);
    }
    let (_, cookie) = match session::start(state, headers, &form.tenant.settings, user).await {
        Ok(s) => s,
        Err(e) => return unavailable(state, &e),
    };
    let mut response = (
        StatusCode::SEE_OTHER,
        [
            (
                header::LOCATION,
                format!("/authorize/resume?state={}", form.sealed),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response();
    for c in [cookie, state.cookies.clear(CSRF)].into_iter().flatten() {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

fn login_page(
    state: &AppState,
    tenant: &Tenant,
    status: StatusCode,
    view: &View<'_>,
    email: &str,
    error: Option<&str>,
) -> Response {
    let page = LoginPage {
        branding: branding(Some(tenant)),
        csrf: view.csrf.to_owned(),
        transaction: view.transaction.to_owned(),
        email: email.to_owned(),
        error: error.map(str::to_owned),
        signup_url: Some(format!("/u/signup?state={}", view.transaction)),
    };
    form_page(state, status, &page, view)
}

pub(crate) fn expired(state: &AppState, tenant: &Tenant, why: &str) -> Response {
    error_page(
        state,
        Some(tenant),
        StatusCode::BAD_REQUEST,
        "Login expired",
        &format!("{why}. Go back to the application and sign in again."),
    )
}

pub(crate) fn unavailable(state: &AppState, e: &dyn std::error::Error) -> Response {
    tracing::error!(error = %e, "login failed");
    error_page(
        state,
        None,
        StatusCode::SERVICE_UNAVAILABLE,
        "Temporarily unavailable",
        "Please try again in a moment.",
    )
}
