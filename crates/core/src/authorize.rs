//! The authorization request (`/authorize`), parsed into a typed value once, in the
//! order RFC 6749 §4.1.2.1 requires: the client and the redirect URI first (failures
//! there are shown on an error page and never redirected), then everything else
//! (failures are sent back to the now trusted redirect URI).

use std::collections::HashMap;

use portcullis_proto::ErrorCode;

use crate::application::{AppType, Application};
use crate::ids::ClientId;
use crate::oauth_error::OAuthError;
use crate::pkce::CodeChallenge;
use crate::redirect_uri::{RedirectUri, RedirectUriError, resolve};

/// The raw query, each parameter at most once (RFC 6749 §3.1), empty values dropped.
#[derive(Debug, Default, Clone)]
pub struct AuthorizeParams(HashMap<String, String>);

/// Why no redirect can be made: shown to the user on an error page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoRedirect {
    #[error("the request has no client_id")]
    MissingClientId,
    #[error("the parameter '{0}' is repeated")]
    Repeated(String),
    #[error("unknown client")]
    UnknownClient,
    #[error(transparent)]
    RedirectUri(#[from] RedirectUriError),
}

impl AuthorizeParams {
    /// From query pairs; a repeated parameter is refused before anything else, since
    /// even the client and redirect URI would then be ambiguous.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Self, NoRedirect>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut map = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for (k, v) in pairs {
            let (k, v) = (k.into(), v.into());
            if !seen.insert(k.clone()) {
                return Err(NoRedirect::Repeated(k));
            }
            if !v.is_empty() {
                map.insert(k, v);
            }
        }
        Ok(AuthorizeParams(map))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn client_id(&self) -> Result<ClientId, NoRedirect> {
        self.get("client_id")
            .map(ClientId::new)
            .ok_or(NoRedirect::MissingClientId)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    FormPost,
}

/// `code`, `id_token`, or `code id_token`. Never `token`: no access token in the
/// front channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseType {
    pub code: bool,
    pub id_token: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
}

/// A valid authorization request of a known client to one of its redirect URIs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    pub client_id: ClientId,
    pub redirect_uri: RedirectUri,
    pub response_type: ResponseType,
    pub response_mode: ResponseMode,
    pub scope: Vec<String>,
    /// Echoed byte for byte.
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<CodeChallenge>,
    pub prompt: Prompt,
    pub max_age: Option<u64>,
    pub audience: Option<String>,
    pub screen_hint_signup: bool,
}

/// Where an error goes once the redirect URI is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectError {
    pub redirect_uri: RedirectUri,
    pub response_mode: ResponseMode,
    pub state: Option<String>,
    pub error: OAuthError,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizeError {
    #[error(transparent)]
    NoRedirect(#[from] NoRedirect),
    #[error("{}", .0.error)]
    Redirect(Box<RedirectError>),
}

/// The application's registered callbacks that are valid redirect URIs.
fn registered(app: &Application) -> Vec<RedirectUri> {
    app.callbacks
        .iter()
        .filter_map(|c| RedirectUri::parse_registered(c).ok())
        .collect()
}

impl AuthorizeRequest {
    /// Parses the request of `app` (looked up by the caller from `params.client_id()`;
    /// `None` when unknown).
    pub fn parse(
        params: &AuthorizeParams,
        app: Option<&Application>,
    ) -> Result<AuthorizeRequest, AuthorizeError> {
        let client_id = params.client_id()?;
        let app = app.ok_or(NoRedirect::UnknownClient)?;
        let native = app.app_type == AppType::Native;
        let redirect_uri = resolve(params.get("redirect_uri"), &registered(app), native)
            .map_err(NoRedirect::from)?;
        let state = params.get("state").map(str::to_owned);

        // From here on, errors go back to the client. Until the response type is known
        // they go in the query; form_post is honoured once it is valid.
        let requested_mode = params.get("response_mode");
        let fail = |mode: ResponseMode, error: OAuthError| {
            AuthorizeError::Redirect(Box::new(RedirectError {
                redirect_uri: redirect_uri.clone(),
                response_mode: mode,
                state: state.clone(),
                error,
            }))
        };
        let early_mode = match requested_mode {
            Some("form_post") => ResponseMode::FormPost,
            _ => ResponseMode::Query,
        };
        let response_type =
            parse_response_type(params.get("response_type")).map_err(|e| fail(early_mode, e))?;
        let response_mode = match (requested_mode, response_type.id_token) {
            (None | Some("query"), false) => ResponseMode::Query,
            (Some("form_post"), _) => ResponseMode::FormPost,
            (None, true) => {
                return Err(fail(
                    ResponseMode::Query,
                    OAuthError::invalid_request(
                        "response_mode=form_post is required when response_type includes id_token",
                    ),
                ));
            }
            (Some("query"), true) => {
                return Err(fail(
                    ResponseMode::Query,
                    OAuthError::invalid_request(
                        "response_mode=query is not allowed when response_type includes id_token",
                    ),
                ));
            }
            (Some(other), _) => {
                return Err(fail(
                    early_mode,
                    OAuthError::invalid_request(format!(
                        "Unsupported response_mode: {}",
                        truncate(other)
                    )),
                ));
            }
        };
        let fail = |error: OAuthError| fail(response_mode, error);

        for (wanted, grant) in [
            (response_type.code, "authorization_code"),
            (response_type.id_token, "implicit"),
        ] {
            if wanted && !app.grant_types.iter().any(|g| g == grant) {
                return Err(fail(OAuthError::unauthorized_client(format!(
                    "Grant type '{grant}' not allowed for the client."
                ))));
            }
        }

        let scope: Vec<String> = params
            .get("scope")
            .unwrap_or("")
            .split(' ')
            .filter(|s| !s.is_empty())
            .fold(Vec::new(), |mut acc, s| {
                if !acc.iter().any(|a| a == s) {
                    acc.push(s.to_owned());
                }
                acc
            });
        let nonce = params.get("nonce").map(str::to_owned);
        if response_type.id_token {
            if !scope.iter().any(|s| s == "openid") {
                return Err(fail(OAuthError::invalid_request(
                    "The openid scope is required when response_type includes id_token",
                )));
            }
            if nonce.is_none() {
                return Err(fail(OAuthError::invalid_request(
                    "nonce is required when response_type includes id_token",
                )));
            }
        }

        let code_challenge = CodeChallenge::parse(
            params.get("code_challenge"),
            params.get("code_challenge_method"),
        )
        .map_err(|e| fail(OAuthError::new(e.oauth_error(), e.to_string())))?;
        if code_challenge.is_none()
            && response_type.code
            && matches!(app.app_type, AppType::Spa | AppType::Native)
        {
            return Err(fail(OAuthError::invalid_request(
                "PKCE is required for public clients: send code_challenge with code_challenge_method=S256",
            )));
        }

        let prompt = parse_prompt(params.get("prompt")).map_err(fail)?;
        let max_age = params
            .get("max_age")
            .map(|v| {
                v.parse::<u64>().map_err(|_| {
                    fail(OAuthError::invalid_request(
                        "max_age must be a non-negative whole number of seconds",
                    ))
                })
            })
            .transpose()?;

        Ok(AuthorizeRequest {
            client_id,
            redirect_uri,
            response_type,
            response_mode,
            scope,
            state,
            nonce,
            code_challenge,
            prompt,
            max_age,
            audience: params.get("audience").map(str::to_owned),
            screen_hint_signup: params.get("screen_hint") == Some("signup"),
        })
    }
}

fn parse_response_type(value: Option<&str>) -> Result<ResponseType, OAuthError> {
    let Some(value) = value else {
        return Err(OAuthError::invalid_request(
            "Missing required parameter: response_type",
        ));
    };
    let mut rt = ResponseType {
        code: false,
        id_token: false,
    };
    for part in value.split(' ').filter(|s| !s.is_empty()) {
        match part {
            "code" if !rt.code => rt.code = true,
            "id_token" if !rt.id_token => rt.id_token = true,
            _ => {
                return Err(OAuthError::new(
                    ErrorCode::UnsupportedResponseType,
                    format!("Unsupported response type: {}", truncate(value)),
                ));
            }
        }
    }
    if !rt.code && !rt.id_token {
        return Err(OAuthError::new(
            ErrorCode::UnsupportedResponseType,
            format!("Unsupported response type: {}", truncate(value)),
        ));
    }
    Ok(rt)
}

fn parse_prompt(value: Option<&str>) -> Result<Prompt, OAuthError> {
    let mut prompt = Prompt::default();
    for part in value.unwrap_or("").split(' ').filter(|s| !s.is_empty()) {
        match part {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            // Consent is implied for first-party applications; select_account has no
            // account chooser to show. Both are accepted and change nothing.
            "consent" | "select_account" => {}
            other => {
                return Err(OAuthError::invalid_request(format!(
                    "Unsupported prompt value: {}",
                    truncate(other)
                )));
            }
        }
    }
    if prompt.none && (prompt.login || value.is_some_and(|v| v.split(' ').count() > 1)) {
        return Err(OAuthError::invalid_request(
            "prompt=none cannot be combined with other values",
        ));
    }
    Ok(prompt)
}

/// Attacker-controlled text echoed in an error, cut short.
fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests;
