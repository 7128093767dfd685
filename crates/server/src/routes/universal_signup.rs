//! `/u/signup`: a new user of the database connection, with the tenant's default roles.
//! Reached from the login page or with `screen_hint=signup`. What happens next depends
//! on the tenant setting `signup_requires_verification`.
//!
//! Off (the default, Auth0's behaviour): the new user is logged in and sent on to the
//! application at once (what apps using `screen_hint=signup` expect), which a taken
//! address cannot be, so the two answers necessarily differ (security case E.37 stays
//! open for signup); the taken one says only that the signup failed.
//!
//! On: signup waits for email verification and closes E.37. A new address gets a user
//! with `email_verified = false`, no session, and a mail with a link to
//! `/u/verify-email?ticket=...` (single use, 256 bits, stored hashed, valid 24 hours:
//! [`portcullis_core::email_verification`]). A taken address creates nothing. Both get
//! the same "Check your email" page: same status, body (but for the CSP nonce), headers
//! and cookies (none set). Opening the link marks the address verified and links back
//! to the login page of the signup's login transaction while that still works; it does
//! not log in (a mail scanner opening the link must not get a session). Unverified
//! users may log in, as with Auth0 (`email_verified` is false in their ID token).
//!
//! Either way both paths cost one Argon2 hash, and the owner of a taken address is
//! mailed a notice with a reset link (under the per-user hourly limit of reset links).

use axum::extract::{Query, RawForm, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::email_verification::{
    VERIFICATION_LIFETIME_SECS, issue_verification, verify_email,
};
use portcullis_core::password::Password;
use portcullis_core::signup::{NewUser, PASSWORD_POLICY, SignupError, create_database_user};
use portcullis_core::{EventType, Tenant};
use serde::Deserialize;

use crate::audit;
use crate::login::transaction::Transaction;
use crate::mail::verification_email;
use crate::pages::{NoticePage, SignupPage};
use crate::routes::authorize::branding;
use crate::routes::password_reset::{LinkMail, mail_reset_link, notice};
use crate::routes::universal_login::{
    CheckedForm, LoginQuery, View, check_form, finish_login, form_page, redirect_target,
    start_page, unavailable,
};
use crate::state::AppState;
use crate::throttle::ClientIp;

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
    let logged = match &created {
        Ok(user) => Some((EventType::SuccessSignup, "Successful signup", Some(user))),
        Err(SignupError::InvalidEmail) => Some((EventType::FailedSignup, "invalid email", None)),
        Err(SignupError::WeakPassword) => {
            Some((EventType::FailedSignup, "Password is too weak", None))
        }
        Err(SignupError::Exists) => {
            Some((EventType::FailedSignup, "The user already exists.", None))
        }
        Err(SignupError::Internal(_)) => None,
    };
    if let Some((kind, description, user)) = logged {
        let mut event = form.event(&state, kind, description, ip, &headers);
        event.user_name = Some(email.clone());
        event.user_id = user.map(|u| u.user_id.to_string());
        audit::record(&state, event).await;
    }
    let verify = form.tenant.settings.signup_requires_verification;
    let message = match created {
        Ok(user) if verify => {
            tracing::info!(
                event = "ss",
                user_id = %user.user_id,
                "successful signup; verification mailed"
            );
            mail_verification_link(&state, &form, &user).await;
            return check_your_email(&state, &form);
        }
        Ok(user) => {
            tracing::info!(event = "ss", user_id = %user.user_id, "successful signup");
            return finish_login(&state, &headers, &form, &user).await;
        }
        Err(SignupError::InvalidEmail) => "Enter a valid email address.".to_owned(),
        Err(SignupError::WeakPassword) => format!("Password is too weak. {PASSWORD_POLICY}"),
        Err(SignupError::Exists) => {
            tracing::info!(event = "fs", "failed signup: the email is taken");
            // The owner hears of it, with a way back in (security case E.37; unless
            // signup waits for verification, the page itself still has to say the
            // signup failed: see the module docs).
            if let Err(e) =
                mail_reset_link(&state, &form.tenant, &email, LinkMail::SignupAttempt).await
            {
                tracing::error!(error = %e, "mailing the owner of a taken address failed");
            }
            if verify {
                // Exactly the answer a new address gets (security case E.37).
                return check_your_email(&state, &form);
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

/// Where the verification link points.
pub const VERIFY_PATH: &str = "/u/verify-email";

#[derive(Debug, Deserialize)]
pub struct VerifyQuery {
    #[serde(default)]
    ticket: String,
}

/// Makes a verification ticket for the new `user` and mails the link to the address
/// stored for it. A failure is logged: the answer must not depend on it (the user can
/// still log in, unverified, and ask for a password reset).
async fn mail_verification_link(
    state: &AppState,
    form: &CheckedForm,
    user: &portcullis_core::User,
) {
    let ticket = match issue_verification(
        state.store.as_ref(),
        state.clock.as_ref(),
        state.rng.as_ref(),
        &state.tenant,
        &user.user_id,
        Some(&form.sealed),
    )
    .await
    {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(
                error = %e,
                user_id = %user.user_id,
                "making an email-verification ticket failed"
            );
            return;
        }
    };
    let link = state.issuer.join(&format!(
        "{}?ticket={}",
        VERIFY_PATH.trim_start_matches('/'),
        ticket.expose()
    ));
    let message = verification_email(
        &user.email,
        &form.tenant.settings.friendly_name,
        &link,
        VERIFICATION_LIFETIME_SECS / 3600,
    );
    match state.mailer.send(message).await {
        Ok(()) => tracing::info!(
            event = "svr",
            user_id = %user.user_id,
            "email-verification link mailed"
        ),
        Err(e) => tracing::error!(
            error = %e,
            user_id = %user.user_id,
            "mailing an email-verification link failed"
        ),
    }
}

/// The one answer to a signup when signup waits for verification, whether the address
/// was new or taken: it depends only on the form's transaction, never on the address.
fn check_your_email(state: &AppState, form: &CheckedForm) -> Response {
    notice(
        state,
        StatusCode::OK,
        NoticePage {
            branding: branding(Some(&form.tenant)),
            title: "Check your email".to_owned(),
            // Not even the address is repeated.
            message: format!(
                "We have sent a message to the address you entered. To finish signing up, \
                 open the link in it within {} hours, then log in. If the address already \
                 has an account, the message tells you how to log in to it instead.",
                VERIFICATION_LIFETIME_SECS / 3600
            ),
            link: Some((
                format!("/u/login?state={}", form.sealed),
                "Back to log in".to_owned(),
            )),
        },
    )
}

/// `GET /u/verify-email?ticket=...`: uses the ticket, marks the address verified, and
/// links to the login page of the signup's transaction while it still works. An
/// unknown, used or expired ticket gets one page that does not say which.
pub async fn verify(State(state): State<AppState>, Query(q): Query<VerifyQuery>) -> Response {
    let tenant = match state.tenant().await {
        Ok(t) => t,
        Err(e) => return unavailable(&state, &e),
    };
    let verified = match verify_email(
        state.store.as_ref(),
        state.clock.as_ref(),
        &state.tenant,
        &q.ticket,
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return unavailable(&state, &e),
    };
    let Some(ticket) = verified else {
        tracing::info!(event = "fv", "email verification with an unusable link");
        return notice(
            &state,
            StatusCode::BAD_REQUEST,
            NoticePage {
                branding: branding(Some(&tenant)),
                title: "This link has expired".to_owned(),
                message: "The verification link is invalid, has expired or has been used. \
                          If you have verified your address already, log in."
                    .to_owned(),
                link: None,
            },
        );
    };
    tracing::info!(event = "sv", user_id = %ticket.user_id, "email verified");
    let now = state.clock.now();
    let login = ticket
        .login_state
        .filter(|sealed| Transaction::open(sealed, &state.login_key, now).is_ok())
        .map(|sealed| (format!("/u/login?state={sealed}"), "Log in".to_owned()));
    let message = if login.is_some() {
        "Your email address is verified. You can now log in."
    } else {
        "Your email address is verified. Go back to the application and log in."
    };
    notice(
        &state,
        StatusCode::OK,
        NoticePage {
            branding: branding(Some(&tenant)),
            title: "Email verified — you can now log in".to_owned(),
            message: message.to_owned(),
            link: login,
        },
    )
}
