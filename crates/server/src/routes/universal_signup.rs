//! `/u/signup`: a new user of the database connection, with the tenant's default roles,
//! logged in at once. Reached from the login page or with `screen_hint=signup`.

use axum::extract::{Query, RawForm, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::Tenant;
use portcullis_core::password::Password;
use portcullis_core::signup::{NewUser, PASSWORD_POLICY, SignupError, create_database_user};

use crate::pages::SignupPage;
use crate::routes::authorize::branding;
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
