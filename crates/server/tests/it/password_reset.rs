//! The password-reset pages (security cases E.37, E.39, C.27): the forgot-password form
//! answers the same for every address; a ticket works once (also under a parallel
//! race), expires with the injected clock, needs the form's CSRF token; a reset sets an
//! Argon2id hash, kills the user's sessions and refresh tokens, and the old password
//! stops working while the new one logs in. A taken signup address mails its owner.

use std::sync::Arc;

use axum::http::StatusCode;
use portcullis_core::token_hash;

use crate::header;
use crate::reset_env::{Env, NEW_PASSWORD, OLD_PASSWORD, answer, tenant, ticket_of};
use crate::world::{CALLBACK, enc, form, set_cookie};

#[tokio::test]
async fn the_forgot_password_page_answers_the_same_for_known_and_unknown_addresses() {
    let env = Env::new().await;
    env.user("alice@example.com", OLD_PASSWORD).await;
    // From the login page, with its transaction: a way back.
    let tx = env.login_transaction("").await;
    let (page, html) = env
        .get(&format!("/u/reset-password/request?state={tx}"), &[])
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(
        header(&page, "content-security-policy")
            .split("; ")
            .find(|d| d.starts_with("frame-ancestors")),
        Some("frame-ancestors 'none'")
    );
    assert!(!html.contains("<script"));
    assert!(html.contains("<form method=\"post\" action=\"/u/reset-password/request\">"));
    assert!(html.contains(&format!(
        "<a href=\"/u/login?state={tx}\">Back to log in</a>"
    )));
    let csrf = set_cookie(&page, "portcullis_csrf").unwrap();

    let mut answers = Vec::new();
    for email in [
        "alice@example.com",
        "nobody@example.com",
        "Alice@Example.com",
    ] {
        let (res, body) = env
            .post_form(
                "/u/reset-password/request",
                &csrf,
                &[("state", &tx), ("email", email)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{body}");
        assert!(body.contains("<h1>Check your email</h1>"));
        answers.push(answer(&res, &body));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], answers[2]);
    assert!(!answers[0].1.iter().any(|(k, _)| k == "set-cookie"));
    assert_eq!(env.mail.sent().len(), 2);

    // Not an address at all: the form again (this says nothing about accounts).
    let (res, body) = env
        .post_form("/u/reset-password/request", &csrf, &[("email", "nope")])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body.contains("Enter a valid email address."));
    // No CSRF token, or another site: 403, no mail.
    let (res, _) = env
        .post(
            "/u/reset-password/request",
            "application/x-www-form-urlencoded",
            form(&[("email", "alice@example.com")]),
            &[("cookie", &format!("portcullis_csrf={csrf}"))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (res, _) = env
        .post(
            "/u/reset-password/request",
            "application/x-www-form-urlencoded",
            form(&[("csrf", &csrf), ("email", "alice@example.com")]),
            &[
                ("cookie", &format!("portcullis_csrf={csrf}")),
                ("origin", "https://evil.example"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(env.mail.sent().len(), 2);
}

#[tokio::test]
async fn a_reset_sets_the_password_and_kills_sessions_and_refresh_tokens() {
    let env = Env::new().await;
    let alice = env.user("alice@example.com", OLD_PASSWORD).await;
    let bob = env.user("bob@example.com", OLD_PASSWORD).await;
    let session = env.live_session(&alice.user_id).await;
    let refresh = env.live_refresh_token(&alice.user_id, "fam-alice").await;
    let bob_refresh = env.live_refresh_token(&bob.user_id, "fam-bob").await;
    assert_eq!(
        env.login("alice@example.com", OLD_PASSWORD).await,
        StatusCode::SEE_OTHER
    );

    let ticket = env.ask("alice@example.com").await.unwrap();
    let (page, html, csrf) = env.open_link(&ticket).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(csrf.is_some());
    assert!(html.contains("Enter a new password for alice@example.com."));
    assert!(html.contains(&format!("name=\"ticket\" value=\"{ticket}\"")));
    assert!(!html.contains("<script"));
    assert!(header(&page, "content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(header(&page, "cache-control"), "no-store");
    assert_eq!(header(&page, "referrer-policy"), "no-referrer");
    // Looking at the link twice does not use it.
    assert_eq!(env.open_link(&ticket).await.0.status(), StatusCode::OK);

    // Mistakes show the form again and leave the ticket usable.
    let (res, body) = env.reset(&ticket, NEW_PASSWORD, "something else").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body.contains("The passwords do not match."));
    let (res, body) = env.reset(&ticket, "short", "short").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body.contains("Password is too weak. At least 8 characters."));
    let old_hash = env.password_hash(&alice.user_id).await;

    let (res, _) = env.reset(&ticket, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&res, "location"), "/u/reset-password/done");
    assert_eq!(header(&res, "cache-control"), "no-store");
    assert_eq!(set_cookie(&res, "portcullis_csrf").as_deref(), Some(""));
    let (done, body) = env.get("/u/reset-password/done", &[]).await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(body.contains("<h1>Password changed</h1>"));

    // The new hash is Argon2id with the server's parameters.
    let new_hash = env.password_hash(&alice.user_id).await;
    assert_ne!(new_hash, old_hash);
    assert!(
        new_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{new_hash}"
    );

    // Every session and refresh-token family of alice is dead; bob's are not.
    let s = env
        .store
        .session(&tenant(), &token_hash(&session))
        .await
        .unwrap()
        .unwrap();
    assert!(s.revoked_at.is_some());
    let r = env
        .store
        .refresh_token(&tenant(), &token_hash(&refresh))
        .await
        .unwrap()
        .unwrap();
    assert!(r.revoked_at.is_some());
    let (status, body) = env.refresh(&refresh).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    let (status, _) = env.refresh(&bob_refresh).await;
    assert_eq!(status, StatusCode::OK);
    // The planted session no longer logs anyone in.
    let (res, _) = env
        .get(
            &format!(
                "/authorize?client_id={}&redirect_uri={}&response_type=code&scope=openid&prompt=none&state=s",
                env.web_id,
                enc(CALLBACK)
            ),
            &[("cookie", &format!("portcullis_session={session}"))],
        )
        .await;
    assert!(header(&res, "location").contains("error=login_required"));

    // The old password fails, the new one works.
    assert_eq!(
        env.login("alice@example.com", OLD_PASSWORD).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        env.login("alice@example.com", NEW_PASSWORD).await,
        StatusCode::SEE_OTHER
    );

    // The ticket works once: after use, the link and the form get the one error page.
    let (res, html, csrf) = env.open_link(&ticket).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(html.contains("<h1>This link has expired</h1>"));
    assert_eq!(csrf, None);
    let (res, body) = env
        .reset(&ticket, "another password", "another password")
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body.contains("<h1>This link has expired</h1>"));
    assert_eq!(env.password_hash(&alice.user_id).await, new_hash);
}

#[tokio::test]
async fn unknown_used_and_expired_tickets_get_the_same_page() {
    let env = Env::new().await;
    let alice = env.user("alice@example.com", OLD_PASSWORD).await;
    let sibling = env.ask("alice@example.com").await.unwrap();
    let used = env.ask("alice@example.com").await.unwrap();
    let (res, _) = env.reset(&used, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // A successful reset also spends the user's other tickets.
    let (res, _, _) = env.open_link(&sibling).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let fresh = env.ask("alice@example.com").await.unwrap();
    env.clock.advance(3599);
    assert_eq!(env.open_link(&fresh).await.0.status(), StatusCode::OK);
    let (_, _, csrf) = env.open_link(&fresh).await;
    env.clock.advance(1);
    let hash_before = env.password_hash(&alice.user_id).await;

    let mut pages = Vec::new();
    for ticket in [fresh.as_str(), used.as_str(), "unknown-ticket", ""] {
        let (res, html, _) = env.open_link(ticket).await;
        pages.push(answer(&res, &html));
    }
    for p in &pages {
        assert_eq!(p, &pages[0]);
    }
    assert_eq!(pages[0].0, StatusCode::BAD_REQUEST);
    assert!(pages[0].2.contains("This link has expired"));
    // Posting the expired one, even with the CSRF token of its page: the same page, and
    // the password does not change.
    let (res, body) = env
        .post_form(
            "/u/reset-password",
            csrf.as_deref().unwrap(),
            &[
                ("ticket", &fresh),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(answer(&res, &body), pages[0]);
    assert_eq!(env.password_hash(&alice.user_id).await, hash_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_uses_of_one_ticket_exactly_one_wins() {
    let env = Arc::new(Env::new().await);
    env.user("alice@example.com", OLD_PASSWORD).await;
    let ticket = env.ask("alice@example.com").await.unwrap();
    let (_, _, csrf) = env.open_link(&ticket).await;
    let csrf = csrf.unwrap();
    let barrier = Arc::new(tokio::sync::Barrier::new(6));
    let mut tasks = Vec::new();
    for i in 0..6 {
        let env = Arc::clone(&env);
        let (ticket, csrf, barrier) = (ticket.clone(), csrf.clone(), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            let password = format!("parallel password {i}");
            barrier.wait().await;
            let (res, _) = env
                .post_form(
                    "/u/reset-password",
                    &csrf,
                    &[
                        ("ticket", &ticket),
                        ("password", &password),
                        ("password_confirm", &password),
                    ],
                )
                .await;
            (res.status(), password)
        }));
    }
    let mut winners = Vec::new();
    for t in tasks {
        let (status, password) = t.await.unwrap();
        match status {
            StatusCode::SEE_OTHER => winners.push(password),
            StatusCode::BAD_REQUEST => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one use wins");
    assert_eq!(
        env.login("alice@example.com", &winners[0]).await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_reset_form_checks_csrf_and_origin() {
    let env = Env::new().await;
    env.user("alice@example.com", OLD_PASSWORD).await;
    let ticket = env.ask("alice@example.com").await.unwrap();
    let (_, _, csrf) = env.open_link(&ticket).await;
    let csrf = csrf.unwrap();
    let fields = form(&[
        ("csrf", &csrf),
        ("ticket", &ticket),
        ("password", NEW_PASSWORD),
        ("password_confirm", NEW_PASSWORD),
    ]);
    let cookie = format!("portcullis_csrf={csrf}");
    let other = format!("portcullis_csrf={}", "x".repeat(43));
    for headers in [
        vec![("cookie", other.as_str())],
        vec![],
        vec![
            ("cookie", cookie.as_str()),
            ("origin", "https://evil.example"),
        ],
        vec![
            ("cookie", cookie.as_str()),
            ("sec-fetch-site", "cross-site"),
        ],
    ] {
        let (res, _) = env
            .post(
                "/u/reset-password",
                "application/x-www-form-urlencoded",
                fields.clone(),
                &headers,
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{headers:?}");
    }
    // The ticket is still good.
    let (res, _) = env.reset(&ticket, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_signup_with_a_taken_address_mails_its_owner() {
    let env = Env::new().await;
    let alice = env.user("alice@example.com", OLD_PASSWORD).await;
    let tx = env.login_transaction("&screen_hint=signup").await;
    let (page, _) = env.get(&format!("/u/signup?state={tx}"), &[]).await;
    let csrf = set_cookie(&page, "portcullis_csrf").unwrap();
    let (res, body) = env
        .post_form(
            "/u/signup",
            &csrf,
            &[
                ("state", &tx),
                ("email", "Alice@example.com"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body.contains("Could not sign up with this email."));
    let mails = env.mail.take();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, alice.email);
    assert!(mails[0].subject.starts_with("Someone tried to sign up to "));
    let ticket = ticket_of(&env, &mails[0]);
    assert_eq!(env.open_link(&ticket).await.0.status(), StatusCode::OK);
    // The attempt changed nothing: the old password still works.
    assert_eq!(
        env.login("alice@example.com", OLD_PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    // A new address signs up and is logged in, and nobody is mailed.
    let (res, _) = env
        .post_form(
            "/u/signup",
            &csrf,
            &[
                ("state", &tx),
                ("email", "carol@example.com"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(env.mail.sent().is_empty());
}
