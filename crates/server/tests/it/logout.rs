//! `/v2/logout` and `/oidc/logout`: the session ends, and the browser goes only to a
//! registered logout URL (security cases 15, 31, 33).

use axum::http::StatusCode;

use crate::header;
use crate::world::{APP_ORIGIN, World, enc, form, set_cookie};

const CLEARED: &str = "portcullis_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0";

fn cookie(value: &str) -> String {
    format!("portcullis_session={value}")
}

fn assert_cleared(res: &axum::http::Response<()>) {
    let cookies: Vec<&str> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(cookies.contains(&CLEARED), "{cookies:?}");
    assert_eq!(header(res, "cache-control"), "no-store");
    assert_eq!(header(res, "vary"), "Cookie");
}

fn assert_logged_out_page(res: &axum::http::Response<()>, body: &str) {
    assert_eq!(res.status(), StatusCode::OK, "{body}");
    assert!(res.headers().get("location").is_none());
    assert!(body.contains("<h1>Logged out</h1>"), "{body}");
    assert!(body.contains("You are logged out of "), "{body}");
    assert_cleared(res);
}

#[tokio::test]
async fn v2_logout_to_a_registered_url_redirects_and_the_session_is_dead() {
    let w = World::new().await;
    let user = w.user("ada@example.com").await;
    let sid = w.session(&user).await;
    // Logged in: /authorize answers with a code at once.
    assert!(
        w.authorize(&sid)
            .await
            .starts_with("http://localhost:3000/callback?code=")
    );

    let path = format!(
        "/v2/logout?returnTo={}&client_id={}",
        enc(APP_ORIGIN),
        w.web_id
    );
    let (res, _) = w.get_with(&path, &[("cookie", &cookie(&sid))]).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(header(&res, "location"), APP_ORIGIN);
    assert_cleared(&res);
    assert!(w.session_revoked(&sid).await);
    // The old cookie replayed: anonymous, so /authorize goes to the login page.
    assert!(w.authorize(&sid).await.starts_with("/u/login?state="));
}

#[tokio::test]
async fn v2_logout_never_redirects_anywhere_else() {
    let w = World::new().await;
    let user = w.user("ada@example.com").await;
    let id = w.web_id.clone();
    let cases: Vec<String> = [
        "http://localhost:3000/",
        "HTTP://localhost:3000",
        "http://LOCALHOST:3000",
        "http://localhost:3000.evil.example",
        "http://localhost:3000@evil.example",
        "http://localhost:3000?x=1",
        "http://localhost:3000#f",
        "http://localhost:30000",
        "https://localhost:3000",
        "//evil.example",
        "https://evil.example",
        "javascript:alert(1)",
    ]
    .iter()
    .map(|r| format!("/v2/logout?returnTo={}&client_id={id}", enc(r)))
    .chain([
        // Registered, but no client to check it against.
        format!("/v2/logout?returnTo={}", enc(APP_ORIGIN)),
        // A client without that URL, and an unknown client.
        format!(
            "/v2/logout?returnTo={}&client_id={}",
            enc(APP_ORIGIN),
            w.m2m_id
        ),
        format!("/v2/logout?returnTo={}&client_id=nope", enc(APP_ORIGIN)),
        // No returnTo at all.
        format!("/v2/logout?client_id={id}"),
        "/v2/logout".to_owned(),
    ])
    .collect();
    for path in cases {
        let sid = w.session(&user).await;
        let (res, body) = w.get_with(&path, &[("cookie", &cookie(&sid))]).await;
        assert_logged_out_page(&res, &body);
        assert!(w.session_revoked(&sid).await, "{path}");
    }
}

#[tokio::test]
async fn v2_logout_with_a_repeated_parameter_changes_nothing() {
    let w = World::new().await;
    let user = w.user("ada@example.com").await;
    let sid = w.session(&user).await;
    let path = format!(
        "/v2/logout?returnTo={}&returnTo=https%3A%2F%2Fevil.example&client_id={}",
        enc(APP_ORIGIN),
        w.web_id
    );
    let (res, body) = w.get_with(&path, &[("cookie", &cookie(&sid))]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.headers().get("location").is_none());
    assert!(
        body.contains("Parameter &#39;returnTo&#39; is repeated"),
        "{body}"
    );
    assert!(!w.session_revoked(&sid).await);
}

#[tokio::test]
async fn v2_logout_without_a_session_still_answers() {
    let w = World::new().await;
    let path = format!(
        "/v2/logout?returnTo={}&client_id={}",
        enc(APP_ORIGIN),
        w.web_id
    );
    let (res, _) = w.get_with(&path, &[]).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(header(&res, "location"), APP_ORIGIN);
    let (res, _) = w
        .get_with(&path, &[("cookie", "portcullis_session=garbage")])
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
}

async fn logged_in(w: &World, email: &str) -> (String, String) {
    let user = w.user(email).await;
    let sid = w.session(&user).await;
    let tokens = w.tokens(&sid).await;
    (sid, tokens["id_token"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn oidc_logout_with_a_valid_hint_redirects_with_state() {
    let w = World::new().await;
    let (sid, id_token) = logged_in(&w, "ada@example.com").await;
    let path = format!(
        "/oidc/logout?id_token_hint={id_token}&post_logout_redirect_uri={}&state={}",
        enc(APP_ORIGIN),
        enc("s 1&x")
    );
    let (res, _) = w.get_with(&path, &[("cookie", &cookie(&sid))]).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(
        header(&res, "location"),
        "http://localhost:3000?state=s+1%26x"
    );
    assert_cleared(&res);
    assert!(w.session_revoked(&sid).await);
    assert!(w.authorize(&sid).await.starts_with("/u/login?state="));
}

#[tokio::test]
async fn oidc_logout_variants_with_a_valid_hint() {
    let w = World::new().await;
    let user = w.user("ada@example.com").await;
    let first = w.session(&user).await;
    let id_token = w.tokens(&first).await["id_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let hint = format!("id_token_hint={id_token}");
    let uri = format!("post_logout_redirect_uri={}", enc(APP_ORIGIN));

    // No state: the URL as registered.
    let sid = w.session(&user).await;
    let (res, _) = w
        .get_with(
            &format!("/oidc/logout?{hint}&{uri}"),
            &[("cookie", &cookie(&sid))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(header(&res, "location"), APP_ORIGIN);
    assert!(w.session_revoked(&sid).await);

    // The matching client_id too.
    let sid = w.session(&user).await;
    let path = format!("/oidc/logout?{hint}&{uri}&client_id={}&state=z", w.web_id);
    let (res, _) = w.get_with(&path, &[("cookie", &cookie(&sid))]).await;
    assert_eq!(header(&res, "location"), "http://localhost:3000?state=z");
    assert!(w.session_revoked(&sid).await);

    // An unregistered post_logout_redirect_uri (or one with a query added): logged
    // out, no redirect (oidcc-rp-initiated-logout-bad-post-logout-redirect-uri).
    for bad in [
        "https://evil.example",
        "http://localhost:3000?x=1",
        "http://localhost:3000/",
    ] {
        let sid = w.session(&user).await;
        let path = format!(
            "/oidc/logout?{hint}&post_logout_redirect_uri={}&state=z",
            enc(bad)
        );
        let (res, body) = w.get_with(&path, &[("cookie", &cookie(&sid))]).await;
        assert_logged_out_page(&res, &body);
        assert!(w.session_revoked(&sid).await);
    }

    // No post_logout_redirect_uri: logged out, no redirect.
    let sid = w.session(&user).await;
    let (res, body) = w
        .get_with(
            &format!("/oidc/logout?{hint}&state=z"),
            &[("cookie", &cookie(&sid))],
        )
        .await;
    assert_logged_out_page(&res, &body);
    assert!(w.session_revoked(&sid).await);

    // POSTed by the RP (cross-site form): the same, with 303.
    let sid = w.session(&user).await;
    let body = form(&[
        ("id_token_hint", &id_token),
        ("post_logout_redirect_uri", APP_ORIGIN),
        ("state", "p"),
    ]);
    let (res, _) = w
        .post_form(
            "/oidc/logout",
            body,
            &[
                ("cookie", &cookie(&sid)),
                ("origin", "http://localhost:3000"),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&res, "location"), "http://localhost:3000?state=p");
    assert!(w.session_revoked(&sid).await);
}

#[tokio::test]
async fn oidc_logout_with_a_client_id_other_than_the_hints_is_refused() {
    let w = World::new().await;
    let (sid, id_token) = logged_in(&w, "ada@example.com").await;
    let path = format!(
        "/oidc/logout?id_token_hint={id_token}&client_id={}&post_logout_redirect_uri={}",
        w.m2m_id,
        enc(APP_ORIGIN)
    );
    let (res, body) = w.get_with(&path, &[("cookie", &cookie(&sid))]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.headers().get("location").is_none());
    assert!(body.contains("does not match the id_token_hint"), "{body}");
    assert!(!w.session_revoked(&sid).await);
}

fn assert_confirm_page(res: &axum::http::Response<()>, body: &str) -> String {
    assert_eq!(res.status(), StatusCode::OK, "{body}");
    assert!(res.headers().get("location").is_none());
    assert!(body.contains("<h1>Log out?</h1>"), "{body}");
    assert!(body.contains("<form method=\"post\" action=\"/oidc/logout\">"));
    assert_eq!(header(res, "cache-control"), "no-store");
    assert_eq!(header(res, "vary"), "Cookie");
    let csrf = set_cookie(res, "portcullis_csrf").unwrap();
    assert!(body.contains(&format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">"
    )));
    assert!(
        res.headers()
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap().starts_with("portcullis_session="))
    );
    csrf
}

#[tokio::test]
async fn oidc_logout_without_a_valid_hint_only_asks() {
    let w = World::new().await;
    let (sid, id_token) = logged_in(&w, "ada@example.com").await;
    let access = w.tokens(&sid).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // A flipped signature byte, a flipped payload byte, an access token, garbage.
    let mut sig_flipped = id_token.clone().into_bytes();
    let last = sig_flipped.len() - 2;
    sig_flipped[last] = if sig_flipped[last] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let sig_flipped = String::from_utf8(sig_flipped).unwrap();
    let parts: Vec<&str> = id_token.split('.').collect();
    let mut payload = parts[1].to_owned().into_bytes();
    payload[3] = if payload[3] == b'A' { b'B' } else { b'A' };
    let payload_flipped = format!(
        "{}.{}.{}",
        parts[0],
        String::from_utf8(payload).unwrap(),
        parts[2]
    );
    let hints = [
        Some(sig_flipped),
        Some(payload_flipped),
        Some(access),
        Some("not.a.jwt".to_owned()),
        None,
    ];
    for hint in hints {
        let mut path = format!(
            "/oidc/logout?post_logout_redirect_uri={}&state=s1",
            enc(APP_ORIGIN)
        );
        if let Some(h) = &hint {
            path.push_str(&format!("&id_token_hint={h}"));
        }
        let (res, body) = w
            .get_with(
                &path,
                &[("cookie", &cookie(&sid)), ("sec-fetch-site", "cross-site")],
            )
            .await;
        assert_confirm_page(&res, &body);
        // No client named: nothing to check the URI against, so it is carried but no
        // client_id is.
        assert!(!body.contains("name=\"client_id\""));
        assert!(body.contains(
            "<input type=\"hidden\" name=\"post_logout_redirect_uri\" value=\"http://localhost:3000\">"
        ));
        assert!(body.contains("<input type=\"hidden\" name=\"state\" value=\"s1\">"));
        assert!(!w.session_revoked(&sid).await, "{hint:?}");
    }
    // No parameters at all, with and without a session.
    for headers in [vec![("cookie", cookie(&sid))], vec![]] {
        let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (res, body) = w.get_with("/oidc/logout", &h).await;
        assert_confirm_page(&res, &body);
        assert!(body.contains("Do you want to log out of "));
        assert_eq!(body.matches("<input").count(), 1);
    }
    assert!(!w.session_revoked(&sid).await);
}

#[tokio::test]
async fn a_hint_for_another_user_than_the_logged_in_one_asks() {
    let w = World::new().await;
    let (_, other_hint) = logged_in(&w, "mallory@example.com").await;
    let (sid, _) = logged_in(&w, "ada@example.com").await;
    let path = format!(
        "/oidc/logout?id_token_hint={other_hint}&post_logout_redirect_uri={}",
        enc(APP_ORIGIN)
    );
    let (res, body) = w.get_with(&path, &[("cookie", &cookie(&sid))]).await;
    assert_confirm_page(&res, &body);
    // The hint named the client: its name and id are carried to the form.
    assert!(
        body.contains("Default App wants to log you out of "),
        "{body}"
    );
    assert!(body.contains(&format!(
        "<input type=\"hidden\" name=\"client_id\" value=\"{}\">",
        w.web_id
    )));
    assert!(!w.session_revoked(&sid).await);
}

#[tokio::test]
async fn the_confirmation_post_ends_the_session_and_redirects() {
    let w = World::new().await;
    let user = w.user("ada@example.com").await;
    let sid = w.session(&user).await;
    let path = format!(
        "/oidc/logout?client_id={}&post_logout_redirect_uri={}&state=s1",
        w.web_id,
        enc(APP_ORIGIN)
    );
    let (res, body) = w.get_with(&path, &[("cookie", &cookie(&sid))]).await;
    let csrf = assert_confirm_page(&res, &body);
    assert!(body.contains("Default App wants to log you out of "));
    // The POST answers with a redirect there: the CSP lets the form go.
    assert!(
        header(&res, "content-security-policy")
            .contains("form-action 'self' http://localhost:3000;")
    );
    let origin = w.origin();
    let cookies = format!("portcullis_session={sid}; portcullis_csrf={csrf}");
    let fields = |csrf_field: &str| {
        form(&[
            ("csrf", csrf_field),
            ("client_id", &w.web_id),
            ("post_logout_redirect_uri", APP_ORIGIN),
            ("state", "s1"),
        ])
    };

    let session_only = cookie(&sid);
    // Refused: a wrong or missing token, no CSRF cookie, another origin, cross-site.
    let refused: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            fields("forged"),
            vec![("cookie", &cookies), ("origin", &origin)],
        ),
        (
            form(&[("client_id", &w.web_id)]),
            vec![("cookie", &cookies), ("origin", &origin)],
        ),
        (fields(""), vec![("cookie", &cookies), ("origin", &origin)]),
        (
            fields(&csrf),
            vec![("cookie", &session_only), ("origin", &origin)],
        ),
        (
            fields(&csrf),
            vec![("cookie", &cookies), ("origin", "https://evil.example")],
        ),
        (
            fields(&csrf),
            vec![("cookie", &cookies), ("sec-fetch-site", "cross-site")],
        ),
        (
            fields(&csrf),
            vec![("cookie", &cookies), ("origin", "null")],
        ),
    ];
    for (body, headers) in refused {
        let (res, page) = w.post_form("/oidc/logout", body.clone(), &headers).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{body} {headers:?}");
        assert!(res.headers().get("location").is_none());
        assert!(String::from_utf8_lossy(&page).contains("You are still logged in."));
        assert!(!w.session_revoked(&sid).await);
    }

    let (res, _) = w
        .post_form(
            "/oidc/logout",
            fields(&csrf),
            &[
                ("cookie", &cookies),
                ("origin", &origin),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&res, "location"), "http://localhost:3000?state=s1");
    assert_cleared(&res);
    assert!(w.session_revoked(&sid).await);
}

#[tokio::test]
async fn a_confirmed_logout_to_an_unregistered_uri_shows_the_page() {
    let w = World::new().await;
    let user = w.user("ada@example.com").await;
    let sid = w.session(&user).await;
    let (res, body) = w
        .get_with("/oidc/logout", &[("cookie", &cookie(&sid))])
        .await;
    let csrf = assert_confirm_page(&res, &body);
    let cookies = format!("portcullis_session={sid}; portcullis_csrf={csrf}");
    for (client_id, uri) in [
        (w.web_id.as_str(), "https://evil.example"),
        ("", APP_ORIGIN),
        ("nope", APP_ORIGIN),
    ] {
        let body = form(&[
            ("csrf", &csrf),
            ("client_id", client_id),
            ("post_logout_redirect_uri", uri),
        ]);
        let (res, page) = w
            .post_form("/oidc/logout", body, &[("cookie", &cookies)])
            .await;
        assert_logged_out_page(&res, &String::from_utf8_lossy(&page));
    }
    assert!(w.session_revoked(&sid).await);
}
