//! Signup with the tenant setting `signup_requires_verification` (security case E.37):
//! a new and a taken address get the very same answer (status, headers, cookies, body
//! but for the CSP nonce) and one mail each (a verification link to the new address, a
//! notice with a reset link to the owner of the taken one); the verification link works
//! once, expires with the injected clock, and sets `email_verified`; unverified users
//! may log in. With the setting off, signup logs in at once as before.

use axum::http::{Response, StatusCode};
use portcullis_core::User;
use portcullis_core::email_verification::VERIFICATION_LIFETIME_SECS;
use portcullis_server::mail::Email;

use crate::reset_env::{Env, NEW_PASSWORD, OLD_PASSWORD, answer, tenant, ticket_of};
use crate::world::set_cookie;

const CARD: &str = "<h1>Check your email</h1>";
const VERIFIED: &str = "<h1>Email verified — you can now log in</h1>";
const EXPIRED: &str = "<h1>This link has expired</h1>";

/// An Env whose tenant has `signup_requires_verification` set to `on`.
async fn env_with(on: bool) -> Env {
    let env = Env::new().await;
    assert!(
        env.store
            .set_signup_requires_verification(&tenant(), on)
            .await
            .unwrap()
    );
    // Past the catalog's cache of the tenant.
    env.clock.advance(6);
    env
}

/// A signup from the signup page of a fresh `/authorize` transaction: the
/// transaction, and the answer.
async fn signup(env: &Env, email: &str, password: &str) -> (String, Response<()>, String) {
    let tx = env.login_transaction("&screen_hint=signup").await;
    let (page, _) = env.get(&format!("/u/signup?state={tx}"), &[]).await;
    let csrf = set_cookie(&page, "portcullis_csrf").unwrap();
    let (res, body) = env
        .post_form(
            "/u/signup",
            &csrf,
            &[("state", &tx), ("email", email), ("password", password)],
        )
        .await;
    (tx, res, body)
}

/// The ticket in a verification mail's link, after checking the link's shape.
fn verification_ticket(env: &Env, mail: &Email) -> String {
    let prefix = format!("{}u/verify-email?ticket=", env.srv.issuer().as_str());
    let link = mail.link.clone().unwrap();
    let ticket = link.strip_prefix(&prefix).unwrap().to_owned();
    assert_eq!(ticket.len(), 43, "256 bits, base64url");
    assert!(mail.text.contains(&link));
    ticket
}

async fn stored(env: &Env, email: &str) -> Option<User> {
    env.store.user_by_email(&tenant(), email).await.unwrap()
}

async fn open_verification(env: &Env, ticket: &str) -> (Response<()>, String) {
    env.get(&format!("/u/verify-email?ticket={ticket}"), &[])
        .await
}

#[tokio::test]
async fn new_and_taken_addresses_get_the_same_answer_and_one_mail_each() {
    let env = env_with(true).await;
    let alice = env.user("alice@example.com", OLD_PASSWORD).await;

    // Both from one transaction, so the pages' "back to log in" links are the same.
    let tx = env.login_transaction("&screen_hint=signup").await;
    let (page, _) = env.get(&format!("/u/signup?state={tx}"), &[]).await;
    let csrf = set_cookie(&page, "portcullis_csrf").unwrap();
    let mut answers = Vec::new();
    for email in ["carol@example.com", "Alice@example.com"] {
        let (res, body) = env
            .post_form(
                "/u/signup",
                &csrf,
                &[("state", &tx), ("email", email), ("password", NEW_PASSWORD)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{body}");
        assert!(body.contains(CARD));
        assert!(body.contains(&format!(
            "<a href=\"/u/login?state={tx}\">Back to log in</a>"
        )));
        assert!(!body.contains("example.com"), "the address is not repeated");
        answers.push(answer(&res, &body));
    }
    assert_eq!(answers[0], answers[1]);
    assert!(
        !answers[0].1.iter().any(|(k, _)| k == "set-cookie"),
        "no session, no cookie: {:?}",
        answers[0].1
    );

    // One mail each, to the right address.
    let mails = env.mail.take();
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[0].to, "carol@example.com");
    assert!(mails[0].subject.starts_with("Verify your email for "));
    let ticket = verification_ticket(&env, &mails[0]);
    assert_eq!(mails[1].to, alice.email);
    assert!(mails[1].subject.starts_with("Someone tried to sign up to "));
    let reset = ticket_of(&env, &mails[1]);
    assert_eq!(env.open_link(&reset).await.0.status(), StatusCode::OK);

    // Carol exists, unverified; Alice is unchanged and nobody else was created.
    let carol = stored(&env, "carol@example.com").await.unwrap();
    assert!(!carol.email_verified);
    assert_eq!(carol.logins_count, 0, "signup did not log in");
    assert_eq!(stored(&env, "alice@example.com").await.unwrap(), alice);
    assert_eq!(
        env.login("alice@example.com", OLD_PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    // An unverified user may log in (as with Auth0).
    assert_eq!(
        env.login("carol@example.com", NEW_PASSWORD).await,
        StatusCode::SEE_OTHER
    );

    // The link works once, and links back to the login page of the live transaction.
    let (res, body) = open_verification(&env, &ticket).await;
    assert_eq!(res.status(), StatusCode::OK, "{body}");
    assert!(body.contains(VERIFIED));
    assert!(body.contains(&format!("<a href=\"/u/login?state={tx}\">Log in</a>")));
    assert!(set_cookie(&res, "portcullis_session").is_none());
    assert!(!res.headers().contains_key("set-cookie"));
    assert!(
        stored(&env, "carol@example.com")
            .await
            .unwrap()
            .email_verified
    );
    let (used, used_body) = open_verification(&env, &ticket).await;
    assert_eq!(used.status(), StatusCode::BAD_REQUEST);
    assert!(used_body.contains(EXPIRED));
    // Unknown and used tickets get one answer.
    let (unknown, unknown_body) = open_verification(&env, &"x".repeat(43)).await;
    assert_eq!(answer(&used, &used_body), answer(&unknown, &unknown_body));
    let (empty, empty_body) = env.get("/u/verify-email", &[]).await;
    assert_eq!(answer(&used, &used_body), answer(&empty, &empty_body));
    assert!(env.mail.sent().is_empty());
}

#[tokio::test]
async fn form_mistakes_answer_the_same_for_new_and_taken_addresses() {
    let env = env_with(true).await;
    env.user("alice@example.com", OLD_PASSWORD).await;
    for email in ["carol@example.com", "alice@example.com"] {
        let (_, res, body) = signup(&env, email, "short").await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(body.contains("Password is too weak."));
    }
    assert!(stored(&env, "carol@example.com").await.is_none());
    assert!(env.mail.sent().is_empty());
}

#[tokio::test]
async fn a_verification_link_expires() {
    let env = env_with(true).await;
    let (_, res, _) = signup(&env, "carol@example.com", NEW_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, res, _) = signup(&env, "dave@example.com", NEW_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let mails = env.mail.take();
    assert_eq!(mails.len(), 2);
    let carol = verification_ticket(&env, &mails[0]);
    let dave = verification_ticket(&env, &mails[1]);

    // The last second: it works, but the login transaction (1 hour) is long gone, so
    // the page sends the user back to the application instead.
    env.clock.advance(VERIFICATION_LIFETIME_SECS - 1);
    let (res, body) = open_verification(&env, &carol).await;
    assert_eq!(res.status(), StatusCode::OK, "{body}");
    assert!(body.contains(VERIFIED));
    assert!(body.contains("Go back to the application and log in."));
    assert!(!body.contains("/u/login?state="));
    assert!(
        stored(&env, "carol@example.com")
            .await
            .unwrap()
            .email_verified
    );

    // At its expiry: refused, and the address stays unverified.
    env.clock.advance(1);
    let (res, body) = open_verification(&env, &dave).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body.contains(EXPIRED));
    assert!(
        !stored(&env, "dave@example.com")
            .await
            .unwrap()
            .email_verified
    );
}

#[tokio::test]
async fn with_the_setting_off_signup_logs_in_at_once() {
    let env = env_with(false).await;
    env.user("alice@example.com", OLD_PASSWORD).await;
    let (_, res, _) = signup(&env, "carol@example.com", NEW_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        crate::header(&res, "location").starts_with("/authorize/resume?state="),
        "on to the application"
    );
    assert!(set_cookie(&res, "portcullis_session").is_some());
    assert!(env.mail.take().is_empty(), "no verification mail");
    let carol = stored(&env, "carol@example.com").await.unwrap();
    assert!(!carol.email_verified);
    assert_eq!(carol.logins_count, 1);
    // A taken address still says so, and its owner is mailed.
    let (_, res, body) = signup(&env, "alice@example.com", NEW_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body.contains("Could not sign up with this email."));
    assert_eq!(env.mail.take().len(), 1);
}
