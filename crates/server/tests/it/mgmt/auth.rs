//! Who may call the Management API.

use axum::http::Method;
use serde_json::json;

crate::cases! {
    async fn no_token_is_401_missing_authentication(m: &Mgmt) {
        let a = m.call_as(None, Method::GET, "/api/v2/users", None).await;
        assert_eq!(a.status, 401);
        assert_eq!(
            a.body,
            json!({"statusCode": 401, "error": "Unauthorized", "message": "Missing authentication"})
        );
    }

    async fn a_token_for_another_audience_is_401(m: &Mgmt) {
        // The bootstrapped web application's ID token is no access token, and a userinfo
        // token has the wrong audience: both are refused alike.
        let a = m.call_as(Some("not.a.jwt"), Method::GET, "/api/v2/users", None).await;
        assert_eq!((a.status, a.body["errorCode"].as_str()), (401, Some("invalid_token")));
        // Tamper with the signature of a real token.
        let mut forged = m.token.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == 'A' { 'B' } else { 'A' });
        let a = m.call_as(Some(&forged), Method::GET, "/api/v2/users", None).await;
        assert_eq!(a.status, 401);
    }

    async fn a_token_without_the_scope_is_403(m: &Mgmt) {
        let token = m.token_with(Some("read:roles")).await;
        let a = m.call_as(Some(&token), Method::GET, "/api/v2/users", None).await;
        assert_eq!(
            a.body,
            json!({
                "statusCode": 403,
                "error": "Forbidden",
                "message": "Insufficient scope, expected any of: read:users",
                "errorCode": "insufficient_scope"
            })
        );
    }

    async fn wrong_method_is_405_json(m: &Mgmt) {
        let a = m.call(Method::PUT, "/api/v2/users", None).await;
        assert_eq!((a.status, a.body["statusCode"].as_u64()), (405, Some(405)));
    }
}
