//! `/u/signup`: a new user of the database connection, with the tenant's default roles,
//! logged in at once. Reached from the login page or with `screen_hint=signup`.
//!
//! Enumeration (security case E.37): a new address is logged in and sent on to the
//! application at once (what apps using `screen_hint=signup` expect), which a taken
//! address cannot be, so the two answers necessarily differ; the taken one says only
//! that the signup failed. Both cost one Argon2 hash. The owner of a taken address is
//! mailed a notice with a reset link (under the per-user hourly limit of reset links).
//! Making the answers identical needs signup to wait for email verification before
//! logging in, which this flow does not do.

use axum::extract::{Query, RawForm, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::Tenant;
use portcullis_core::password::Password;
use portcullis_core::signup::{NewUser, PASSWORD_POLICY, SignupError, create_database_user};

use crate::pages::SignupPage;
use crate::routes::authorize::branding;
use crate::routes::password_reset::{LinkMail, mail_reset_link};
use crate::routes::universal_login::{
    LoginQuery, View, check_form, finish_login, form_page, redirect_target, start_page, unavailable,
};
use crate::state::AppState;

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
    signup_page(&state, &start.tenant, StatusCode::OK, &view, "", None)
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    let form = match check_form(&state, &headers, &body).await {
        Ok(f) => f,
        Err(response) => return response,
    };
    let email = form.field("email").trim().to_owned();
    let password = Password::new(form.field("password").to_owned());
    let created = create_database_user(
        state.store.as_ref(),
        &state.hasher,
        state.clock.as_ref(),
        state.rng.as_ref(),
        &state.tenant,
        &form.tenant.settings.default_roles,
        NewUser {
            email: &email,
            password: &password,
            name: None,
            email_verified: false,
        },
    )
    .await;
    let message = match created {
        Ok(user) => {
            tracing::info!(event = "ss", user_id = %user.user_id, "successful signup");
            return finish_login(&state, &headers, &form, &user).await;
        }
        Err(SignupError::InvalidEmail) => "Enter a valid email address.".to_owned(),
        Err(SignupError::WeakPassword) => format!("Password is too weak. {PASSWORD_POLICY}"),
        Err(SignupError::Exists) => {
            tracing::info!(event = "fs", "failed signup: the email is taken");
            // The owner hears of it, with a way back in (security case E.37; the page
            // itself still has to say the signup failed: see the module docs).
            if let Err(e) =
                mail_reset_link(&state, &form.tenant, &email, LinkMail::SignupAttempt).await
            {
                tracing::error!(error = %e, "mailing the owner of a taken address failed");
            }
            "Could not sign up with this email. If you already have an account, log in instead."
                .to_owned()
        }
        Err(SignupError::Internal(e)) => return unavailable(&state, &e),
    };
    let target = redirect_target(&state, &form.tx).await;
    let view = form.view(target.as_deref());
    signup_page(
        &state,
        &form.tenant,
        StatusCode::BAD_REQUEST,
        &view,
        &email,
        Some(&message),
    )
}

fn signup_page(
    state: &AppState,
    tenant: &Tenant,
    status: StatusCode,
    view: &View<'_>,
    email: &str,
    error: Option<&str>,
) -> Response {
    let page = SignupPage {
        branding: branding(Some(tenant)),
        csrf: view.csrf.to_owned(),
        transaction: view.transaction.to_owned(),
        email: email.to_owned(),
        error: error.map(str::to_owned),
        password_policy: PASSWORD_POLICY.to_owned(),
        login_url: format!("/u/login?state={}", view.transaction),
    };
    form_page(state, status, &page, view)
}
