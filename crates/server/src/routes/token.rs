//! `POST /oauth/token`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use portcullis_core::client_auth::authenticate;
use portcullis_core::client_credentials::{self, ClientCredentialsRequest, GrantError};
use portcullis_core::code_grant::{self, CodeRequest};
use portcullis_core::refresh_grant::{self, RefreshError, RefreshRequest};
use portcullis_core::token::Issuance;
use portcullis_core::{CoreError, EventType, OAuthError};
use portcullis_proto::{ErrorCode, TokenResponse};

use crate::audit::{self, Origin};
use crate::oauth_response::token_success;
use crate::routes::client_endpoint;
use crate::routes::token_request::{parse_body, presented_client};
use crate::state::AppState;
use crate::throttle::ClientIp;

/// Throttled as every client-authenticated endpoint is (`client_endpoint`).
pub async fn token(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let work = handle(&state, ip, &headers, &body);
    client_endpoint::answer(&state, ip, &headers, work, token_success).await
}

async fn handle(
    state: &AppState,
    ip: ClientIp,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<TokenResponse, GrantError> {
    let params = parse_body(headers, body)?;
    let grant_type = params
        .get("grant_type")
        .ok_or_else(|| OAuthError::invalid_request("Missing required parameter: grant_type"))?;
    if ![
        client_credentials::GRANT_TYPE,
        code_grant::GRANT_TYPE,
        refresh_grant::GRANT_TYPE,
    ]
    .contains(&grant_type)
    {
        return Err(OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            format!("Unsupported grant type: {grant_type}"),
        )
        .into());
    }
    let presented = presented_client(headers, &params)?;
    let app = state
        .catalog
        .application(&state.tenant, &presented.client_id)
        .await?;
    let app = authenticate(app.as_deref(), &presented)?;
    let ring = state.keys.current();
    let now = state.clock.now();
    let signer = ring
        .ring
        .signing_key(now)
        .ok_or(GrantError::Internal(CoreError::NoSigningKey))?;
    let issuance = Issuance {
        issuer: state.issuer.as_str(),
        now,
        rng: state.rng.as_ref(),
        signer,
    };
    let owned = |name: &str| params.get(name).map(str::to_owned);
    let (access, id_token, refresh_token) = if grant_type == code_grant::GRANT_TYPE {
        let tenant = state.tenant().await?;
        let request = CodeRequest {
            code: owned("code"),
            redirect_uri: owned("redirect_uri"),
            code_verifier: owned("code_verifier"),
        };
        let tokens =
            code_grant::exchange(&state.catalog, &issuance, &tenant.settings, app, &request)
                .await?;
        (tokens.access, tokens.id_token, tokens.refresh_token)
    } else if grant_type == refresh_grant::GRANT_TYPE {
        let tenant = state.tenant().await?;
        let request = RefreshRequest {
            refresh_token: owned("refresh_token"),
            scope: owned("scope"),
        };
        let refreshed =
            refresh_grant::refresh(&state.catalog, &issuance, &tenant.settings, app, &request)
                .await;
        let tokens = match refreshed {
            Ok(t) => t,
            Err(e) => {
                if let RefreshError::Reused {
                    family_id,
                    client_id,
                    user_id,
                } = &e
                {
                    // Auth0's "Failed Exchange of Rotating Refresh Token": a used token
                    // came back, so it may have been stolen; its family is revoked.
                    tracing::warn!(
                        event = "ferrt",
                        %client_id,
                        %user_id,
                        family_id,
                        "refresh token reuse detected: family revoked"
                    );
                    let mut event = audit::event(
                        state,
                        EventType::RefreshTokenReuse,
                        "Unsuccessful Refresh Token exchange, reused refresh token detected",
                        &Origin::of(ip, headers),
                    );
                    event.client_id = Some(client_id.to_string());
                    event.user_id = Some(user_id.to_string());
                    event.details = serde_json::json!({ "family_id": family_id });
                    audit::record(state, event).await;
                }
                return Err(e.into_grant_error());
            }
        };
        (tokens.access, tokens.id_token, Some(tokens.refresh_token))
    } else {
        let request = ClientCredentialsRequest {
            audience: owned("audience"),
            scope: owned("scope"),
        };
        let access = client_credentials::issue(&state.catalog, &issuance, app, &request).await?;
        (access, None, None)
    };
    Ok(TokenResponse {
        access_token: access.jwt,
        id_token,
        refresh_token,
        scope: access.scope,
        expires_in: access.expires_in,
        token_type: "Bearer".to_owned(),
    })
}
