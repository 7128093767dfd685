//! Auth0's `POST /dbconnections/change_password` (security case E.37): one answer for
//! every address, Auth0's body, 400s for bad requests, the per-user hourly limit, CORS
//! for the app's pages, and the outbox of a server without SMTP.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use portcullis_core::{Clock, SystemClock, User, UserId, token_hash};
use portcullis_store::{DatabaseUrl, OpenOptions};
use serde_json::{Value, json};

use crate::reset_env::{CONNECTION, Env, OLD_PASSWORD, SENT, answer, tenant, ticket_of};
use crate::world::form;
use crate::{header, send};

#[tokio::test]
async fn change_password_answers_the_same_for_known_and_unknown_addresses() {
    let env = Env::new().await;
    let alice = env.user("alice@example.com", OLD_PASSWORD).await;
    let requests = [
        json!({"email": "alice@example.com", "connection": CONNECTION}),
        json!({"email": "nobody@example.com", "connection": CONNECTION}),
        json!({"client_id": env.web_id, "email": "alice@example.com", "connection": CONNECTION}),
        json!({"client_id": env.web_id, "email": "nobody@example.com", "connection": CONNECTION}),
        // Another spelling of alice's address: the mail still goes to the address on file.
        json!({"email": "  ALICE@Example.COM ", "connection": CONNECTION}),
    ];
    let mut answers = Vec::new();
    for r in requests {
        let (res, body) = env.change_password_json(r).await;
        answers.push(answer(&res, &body));
    }
    let (res, body) = env
        .post(
            "/dbconnections/change_password",
            "application/x-www-form-urlencoded",
            form(&[("email", "nobody2@example.com"), ("connection", CONNECTION)]),
            &[],
        )
        .await;
    answers.push(answer(&res, &body));
    let first = answers[0].clone();
    assert_eq!(first.0, StatusCode::OK);
    assert_eq!(first.2, SENT);
    assert!(
        first
            .1
            .contains(&("content-type".into(), "text/html; charset=utf-8".into()))
    );
    assert!(
        first
            .1
            .contains(&("cache-control".into(), "no-store".into()))
    );
    assert!(!first.1.iter().any(|(k, _)| k == "set-cookie"));
    for (i, a) in answers.iter().enumerate() {
        assert_eq!(a, &first, "answer {i}");
    }

    // Three mails, all to alice's stored address, each with its own ticket, stored
    // only as its hash.
    let mails = env.mail.sent();
    assert_eq!(mails.len(), 3);
    let mut tickets = Vec::new();
    for m in &mails {
        assert_eq!(m.to, alice.email);
        assert_eq!(
            m.subject,
            format!("Reset your {} password", friendly(&env).await)
        );
        let ticket = ticket_of(&env, m);
        let stored = env
            .store
            .password_reset(&tenant(), &token_hash(&ticket))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.user_id, alice.user_id);
        assert_eq!(stored.expires_at, stored.created_at.plus_secs(3600));
        assert_eq!(
            env.store.password_reset(&tenant(), &ticket).await.unwrap(),
            None
        );
        tickets.push(ticket);
    }
    tickets.sort();
    tickets.dedup();
    assert_eq!(tickets.len(), 3);
}

async fn friendly(env: &Env) -> String {
    env.store
        .tenant(&tenant())
        .await
        .unwrap()
        .unwrap()
        .settings
        .friendly_name
}

#[tokio::test]
async fn change_password_refuses_bad_requests_with_400_and_sends_nothing() {
    let env = Env::new().await;
    env.user("alice@example.com", OLD_PASSWORD).await;
    let cases = [
        (
            json!({"client_id": "NoSuchClient000000000000000000000", "email": "alice@example.com", "connection": CONNECTION}),
            "Unknown client",
        ),
        (
            json!({"email": "alice@example.com", "connection": "google-oauth2"}),
            "connection not found",
        ),
        (
            json!({"email": "alice@example.com"}),
            "Missing required parameter: connection",
        ),
        (
            json!({"connection": CONNECTION}),
            "Missing required parameter: email",
        ),
        (
            json!({"email": ["alice@example.com"], "connection": CONNECTION}),
            "email must be a string",
        ),
    ];
    for (body, description) in cases {
        let (res, text) = env.change_password_json(body).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{description}");
        assert_eq!(header(&res, "cache-control"), "no-store");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v,
            json!({"error": "invalid_request", "error_description": description})
        );
    }
    let (res, _) = env
        .post(
            "/dbconnections/change_password",
            "application/x-www-form-urlencoded",
            "email=alice%40example.com&email=bob%40example.com&connection=Username-Password-Authentication".into(),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (res, _) = env
        .post(
            "/dbconnections/change_password",
            "text/plain",
            "alice@example.com".into(),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(env.mail.sent().is_empty());
}

#[tokio::test]
async fn at_most_five_reset_mails_per_user_per_hour() {
    let env = Env::new().await;
    env.user("alice@example.com", OLD_PASSWORD).await;
    for _ in 0..5 {
        assert!(env.ask("alice@example.com").await.is_some());
    }
    // The sixth gets the same answer and no mail.
    assert_eq!(env.ask("alice@example.com").await, None);
    assert_eq!(env.mail.sent().len(), 5);
    env.clock.advance(3600);
    assert!(env.ask("alice@example.com").await.is_some());
}
#[tokio::test]
async fn without_smtp_mail_goes_to_the_outbox() {
    // The default server: no mailer injected, no SMTP configured.
    let (srv, dir) = crate::server(&[]).await;
    let store = portcullis_store::open(
        &DatabaseUrl::sqlite_file(&dir.path().join("portcullis.db")),
        &OpenOptions::default(),
    )
    .await
    .unwrap();
    let now = SystemClock.now();
    store
        .insert_user(&User {
            tenant_id: tenant(),
            user_id: UserId::new("auth0|0123456789abcdef01234567"),
            connection: CONNECTION.into(),
            email: "alice@example.com".into(),
            email_verified: true,
            name: "Alice".into(),
            nickname: "alice".into(),
            picture: None,
            password_hash: None,
            blocked: false,
            user_metadata: json!({}),
            app_metadata: json!({}),
            created_at: now,
            updated_at: now,
            last_login: None,
            logins_count: 0,
        })
        .await
        .unwrap();
    let req = Request::post("/dbconnections/change_password")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"email": "alice@example.com", "connection": CONNECTION}).to_string(),
        ))
        .unwrap();
    let (res, body) = send(&srv.router(), req).await;
    assert_eq!(
        (res.status(), body.as_slice()),
        (StatusCode::OK, SENT.as_bytes())
    );
    let outbox = dir.path().join("outbox");
    let files: Vec<_> = std::fs::read_dir(&outbox).unwrap().collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
    assert!(text.contains("To: alice@example.com\r\n"), "{text}");
    let link = format!("{}u/reset-password?ticket=", srv.issuer().as_str());
    assert!(text.contains(&link), "{text}");
}

#[tokio::test]
async fn browsers_of_the_app_may_call_change_password_cross_origin() {
    // auth0.js calls it from the app's pages: CORS for the app's web origins only.
    let env = Env::new().await;
    let preflight = |origin: &'static str| {
        Request::options("/dbconnections/change_password")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(Body::empty())
            .unwrap()
    };
    let (res, _) = send(&env.app(), preflight(crate::world::APP_ORIGIN)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&res, "access-control-allow-origin"),
        crate::world::APP_ORIGIN
    );
    let (res, _) = send(&env.app(), preflight("https://evil.example")).await;
    assert!(res.headers().get("access-control-allow-origin").is_none());
    let (res, body) = env
        .post(
            "/dbconnections/change_password",
            "application/json",
            json!({"email": "nobody@example.com", "connection": CONNECTION}).to_string(),
            &[("origin", crate::world::APP_ORIGIN)],
        )
        .await;
    assert_eq!((res.status(), body.as_str()), (StatusCode::OK, SENT));
    assert_eq!(
        header(&res, "access-control-allow-origin"),
        crate::world::APP_ORIGIN
    );
}
