//! The authorization response: a code and/or an ID token, sent to the redirect URI in
//! the query or by form post, always with `state` and `iss` (RFC 9207). Errors take
//! the same way once the redirect URI is trusted.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::authorization_code::{AuthorizationCode, token_hash};
use portcullis_core::authorize::{AuthorizeRequest, RedirectError, ResponseMode};
use portcullis_core::id_token::{self, IdTokenSpec, claims_for_scope};
use portcullis_core::rng::random_b64url;
use portcullis_core::sso_session::SsoSession;
use portcullis_core::user::User;
use portcullis_core::{CoreError, OAuthError, TenantSettings};
use redirect::append_query;

use crate::pages::{CspNonce, FormPostPage, page_response};
use crate::state::AppState;

/// How long a code may wait for its exchange.
pub const CODE_LIFETIME_SECS: i64 = 300;

/// Sends `fields` to the redirect URI the way `mode` says.
pub fn deliver(
    state: &AppState,
    redirect_uri: &str,
    mode: ResponseMode,
    mut fields: Vec<(String, String)>,
) -> Response {
    fields.push(("iss".to_owned(), state.issuer.as_str().to_owned()));
    match mode {
        ResponseMode::Query => (
            StatusCode::FOUND,
            [
                (header::LOCATION, append_query(redirect_uri, &fields)),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
        )
            .into_response(),
        ResponseMode::FormPost => {
            let nonce = CspNonce::generate(state.rng.as_ref());
            let page = FormPostPage {
                action: redirect_uri.to_owned(),
                fields,
            };
            page_response(StatusCode::OK, &page, &nonce, Some(redirect_uri))
        }
    }
}

/// An error sent back to the client.
pub fn redirect_error(state: &AppState, e: &RedirectError) -> Response {
    let mut fields = vec![
        ("error".to_owned(), e.error.code.as_str().to_owned()),
        ("error_description".to_owned(), e.error.description.clone()),
    ];
    if let Some(s) = &e.state {
        fields.push(("state".to_owned(), s.clone()));
    }
    deliver(state, e.redirect_uri.as_str(), e.response_mode, fields)
}

pub fn redirect_oauth_error(
    state: &AppState,
    req: &AuthorizeRequest,
    error: OAuthError,
) -> Response {
    redirect_error(
        state,
        &RedirectError {
            redirect_uri: req.redirect_uri.clone(),
            response_mode: req.response_mode,
            state: req.state.clone(),
            error,
        },
    )
}

/// Issues what `req` asks for to the logged-in `user` of `session`.
pub async fn respond(
    state: &AppState,
    req: &AuthorizeRequest,
    settings: &TenantSettings,
    session: &SsoSession,
    user: &User,
) -> Result<Response, CoreError> {
    let now = state.clock.now();
    let mut fields = Vec::new();
    let code = if req.response_type.code {
        let code = random_b64url(state.rng.as_ref(), 32);
        state
            .store
            .insert_code(&AuthorizationCode {
                tenant_id: state.tenant.clone(),
                code_hash: token_hash(&code),
                client_id: req.client_id.clone(),
                redirect_uri: req.redirect_uri.as_str().to_owned(),
                user_id: user.user_id.clone(),
                scope: req.scope.join(" "),
                audience: req.audience.clone(),
                nonce: req.nonce.clone(),
                code_challenge: req.code_challenge.as_ref().map(|c| c.as_str().to_owned()),
                sid: session.sid.clone(),
                auth_time: session.auth_time,
                created_at: now,
                expires_at: now.plus_secs(CODE_LIFETIME_SECS),
                consumed_at: None,
            })
            .await?;
        fields.push(("code".to_owned(), code.clone()));
        Some(code)
    } else {
        None
    };
    if req.response_type.id_token {
        let ring = state.keys.current();
        let signer = ring.ring.signing_key(now).ok_or(CoreError::NoSigningKey)?;
        let jwt = id_token::sign(
            signer,
            state.issuer.as_str(),
            now,
            IdTokenSpec {
                sub: user.user_id.to_string(),
                client_id: req.client_id.to_string(),
                nonce: req.nonce.clone(),
                sid: Some(session.sid.clone()),
                auth_time: session.auth_time,
                code,
                profile: claims_for_scope(&req.scope, &user.profile_claims()),
                lifetime: settings.id_token_lifetime,
            },
        )?;
        fields.push(("id_token".to_owned(), jwt));
    }
    if let Some(s) = &req.state {
        fields.push(("state".to_owned(), s.clone()));
    }
    Ok(deliver(
        state,
        req.redirect_uri.as_str(),
        req.response_mode,
        fields,
    ))
}

mod redirect {
    /// `uri` with `fields` added to its query, form-encoded.
    pub fn append_query(uri: &str, fields: &[(String, String)]) -> String {
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let sep = if uri.contains('?') { '&' } else { '?' };
        format!("{uri}{sep}{encoded}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_appended_encoded() {
        let f = vec![
            ("code".to_owned(), "a b&c".to_owned()),
            ("state".to_owned(), "x=y".to_owned()),
        ];
        assert_eq!(
            append_query("https://a/cb", &f),
            "https://a/cb?code=a+b%26c&state=x%3Dy"
        );
        assert_eq!(
            append_query("https://a/cb?k=v", &f),
            "https://a/cb?k=v&code=a+b%26c&state=x%3Dy"
        );
    }
}
