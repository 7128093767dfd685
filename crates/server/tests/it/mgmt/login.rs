//! Logging a user in through the bootstrapped web application, for tests that need a
//! login event or a user's token.

use axum::body::Body;
use axum::http::Request;
use serde_json::Value;

use super::Mgmt;
use crate::send;
use crate::world::{CALLBACK, enc, form, set_cookie};

/// One login at `/u/login` (`audience` asked for at `/authorize`): its status and, after
/// a successful login, where it sends the browser and the SSO session cookie.
pub async fn login(
    m: &Mgmt,
    email: &str,
    password: &str,
    audience: Option<&str>,
) -> (u16, Option<(String, String)>) {
    let web_id = m.srv.bootstrap.as_ref().unwrap().web_client_id.to_string();
    let mut path = format!(
        "/authorize?client_id={web_id}&redirect_uri={}&response_type=code&scope=openid&state=s",
        enc(CALLBACK)
    );
    if let Some(a) = audience {
        path.push_str(&format!("&audience={}", enc(a)));
    }
    let (res, _) = send(&m.app, Request::get(path).body(Body::empty()).unwrap()).await;
    let page = res.headers()["location"].to_str().unwrap().to_owned();
    let (res, body) = send(&m.app, Request::get(page).body(Body::empty()).unwrap()).await;
    let csrf = set_cookie(&res, "portcullis_csrf").unwrap();
    let html = String::from_utf8(body).unwrap();
    let at = html.find("name=\"state\"").unwrap();
    let rest = &html[at..];
    let start = rest.find("value=\"").unwrap() + 7;
    let state = rest[start..start + rest[start..].find('"').unwrap()].to_owned();
    let origin = m.srv.issuer().as_str().trim_end_matches('/').to_owned();
    let req = Request::post("/u/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", origin)
        .header("cookie", format!("portcullis_csrf={csrf}"))
        .header("user-agent", "interop-test/1.0")
        .body(Body::from(form(&[
            ("csrf", &csrf),
            ("state", &state),
            ("email", email),
            ("password", password),
        ])))
        .unwrap();
    let (res, _) = send(&m.app, req).await;
    let next = res.headers().get("location").map(|v| {
        let session = set_cookie(&res, "portcullis_session").unwrap();
        (v.to_str().unwrap().to_owned(), session)
    });
    (res.status().as_u16(), next)
}

/// The access token of a user who logs in asking for `audience`: the whole code flow
/// through the bootstrapped web application.
pub async fn user_token(m: &Mgmt, email: &str, password: &str, audience: &str) -> String {
    let (status, next) = login(m, email, password, Some(audience)).await;
    assert_eq!(status, 303);
    let (resume, session) = next.unwrap();
    let req = Request::get(resume)
        .header("cookie", format!("portcullis_session={session}"))
        .body(Body::empty())
        .unwrap();
    let (res, _) = send(&m.app, req).await;
    let callback = res.headers()["location"].to_str().unwrap().to_owned();
    let code = url::Url::parse(&callback)
        .unwrap_or_else(|e| panic!("{e}: {callback}"))
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no code in {callback}"));
    let report = m.srv.bootstrap.as_ref().unwrap();
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("client_id", report.web_client_id.as_str()),
        ("client_secret", report.web_client_secret.expose()),
    ]);
    let req = Request::post("/oauth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let (res, bytes) = send(&m.app, req).await;
    assert_eq!(res.status(), 200, "{}", String::from_utf8_lossy(&bytes));
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    json["access_token"].as_str().unwrap().to_owned()
}
