use super::*;
use crate::application::TokenEndpointAuthMethod;
use crate::clock::UnixTime;
use crate::ids::TenantId;

const CB: &str = "https://app.example/cb";
type Pairs<'a> = Vec<(&'a str, &'a str)>;

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn app(app_type: AppType, callbacks: &[&str]) -> Application {
    Application {
        tenant_id: TenantId::default_tenant(),
        client_id: ClientId::new("client1"),
        name: "App".into(),
        app_type,
        client_secret_hash: None,
        token_endpoint_auth_method: TokenEndpointAuthMethod::ClientSecretBasic,
        callbacks: callbacks.iter().map(|s| (*s).to_owned()).collect(),
        allowed_logout_urls: vec![],
        web_origins: vec![],
        grant_types: vec!["authorization_code".into(), "implicit".into()],
        created_at: UnixTime(0),
    }
}

fn params(pairs: &[(&str, &str)]) -> AuthorizeParams {
    AuthorizeParams::from_pairs(pairs.iter().copied()).unwrap()
}

fn base<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![
        ("client_id", "client1"),
        ("redirect_uri", CB),
        ("response_type", "code"),
        ("scope", "openid profile"),
        ("state", "xyz"),
    ];
    for (k, val) in extra {
        v.retain(|(kk, _)| kk != k);
        v.push((k, val));
    }
    v
}

fn redirect_error(r: Result<AuthorizeRequest, AuthorizeError>) -> RedirectError {
    match r {
        Err(AuthorizeError::Redirect(e)) => *e,
        other => panic!("expected a redirected error, got {other:?}"),
    }
}

#[test]
fn a_plain_code_request() {
    let a = app(AppType::RegularWeb, &[CB]);
    let r = AuthorizeRequest::parse(&params(&base(&[])), Some(&a)).unwrap();
    assert_eq!(r.client_id.as_str(), "client1");
    assert_eq!(r.redirect_uri.as_str(), CB);
    assert_eq!(
        r.response_type,
        ResponseType {
            code: true,
            id_token: false
        }
    );
    assert_eq!(r.response_mode, ResponseMode::Query);
    assert_eq!(r.scope, vec!["openid", "profile"]);
    assert_eq!(r.state.as_deref(), Some("xyz"));
    assert_eq!(r.nonce, None);
    assert_eq!(r.code_challenge, None);
    assert_eq!(r.prompt, Prompt::default());
}

#[test]
fn express_openid_connect_default_id_token_form_post() {
    let a = app(AppType::RegularWeb, &[CB]);
    let p = params(&base(&[
        ("response_type", "id_token"),
        ("response_mode", "form_post"),
        ("nonce", "n-0S6"),
    ]));
    let r = AuthorizeRequest::parse(&p, Some(&a)).unwrap();
    assert_eq!(
        r.response_type,
        ResponseType {
            code: false,
            id_token: true
        }
    );
    assert_eq!(r.response_mode, ResponseMode::FormPost);
    assert_eq!(r.nonce.as_deref(), Some("n-0S6"));
    let hybrid = params(&base(&[
        ("response_type", "id_token code"),
        ("response_mode", "form_post"),
        ("nonce", "n"),
    ]));
    let r = AuthorizeRequest::parse(&hybrid, Some(&a)).unwrap();
    assert_eq!(
        r.response_type,
        ResponseType {
            code: true,
            id_token: true
        }
    );
}

#[test]
fn state_is_kept_byte_for_byte_even_when_long() {
    let a = app(AppType::RegularWeb, &[CB]);
    let long = "aZ09-._~%!é ".repeat(200);
    let r = AuthorizeRequest::parse(&params(&base(&[("state", &long)])), Some(&a)).unwrap();
    assert_eq!(r.state.as_deref(), Some(long.as_str()));
}

#[test]
fn client_and_redirect_problems_never_redirect() {
    let a = app(AppType::RegularWeb, &[CB, "https://app.example/other"]);
    let cases: Vec<(Pairs, Option<&Application>, NoRedirect)> = vec![
        (
            vec![("response_type", "code")],
            Some(&a),
            NoRedirect::MissingClientId,
        ),
        (base(&[]), None, NoRedirect::UnknownClient),
        (
            base(&[("redirect_uri", "https://app.example/CB")]),
            Some(&a),
            NoRedirect::RedirectUri(RedirectUriError::NotRegistered),
        ),
        (
            base(&[("redirect_uri", "https://evil.example/cb")]),
            Some(&a),
            NoRedirect::RedirectUri(RedirectUriError::NotRegistered),
        ),
        (
            vec![("client_id", "client1"), ("response_type", "code")],
            Some(&a),
            NoRedirect::RedirectUri(RedirectUriError::Ambiguous),
        ),
    ];
    for (pairs, app, expected) in cases {
        let err = AuthorizeRequest::parse(&params(&pairs), app).unwrap_err();
        assert_eq!(err, AuthorizeError::NoRedirect(expected), "{pairs:?}");
    }
    // Even an unsupported response type is not redirected to an unregistered URI.
    let err = AuthorizeRequest::parse(
        &params(&base(&[
            ("redirect_uri", "https://evil/cb"),
            ("response_type", "token"),
        ])),
        Some(&a),
    )
    .unwrap_err();
    assert!(matches!(err, AuthorizeError::NoRedirect(_)));
}

#[test]
fn repeated_parameters_are_refused_before_anything() {
    let err = AuthorizeParams::from_pairs([("client_id", "a"), ("client_id", "b")]).unwrap_err();
    assert_eq!(err, NoRedirect::Repeated("client_id".into()));
}

#[test]
fn other_errors_redirect_with_state() {
    let a = app(AppType::RegularWeb, &[CB]);
    let cases: Vec<(Pairs, ErrorCode, &str)> = vec![
        (
            base(&[("response_type", "token")]),
            ErrorCode::UnsupportedResponseType,
            "Unsupported response type: token",
        ),
        (
            base(&[("response_type", "code token")]),
            ErrorCode::UnsupportedResponseType,
            "Unsupported response type: code token",
        ),
        (
            vec![
                ("client_id", "client1"),
                ("redirect_uri", CB),
                ("state", "xyz"),
            ],
            ErrorCode::InvalidRequest,
            "Missing required parameter: response_type",
        ),
        (
            base(&[("response_type", "id_token"), ("nonce", "n")]),
            ErrorCode::InvalidRequest,
            "response_mode=form_post is required when response_type includes id_token",
        ),
        (
            base(&[
                ("response_type", "id_token"),
                ("response_mode", "form_post"),
            ]),
            ErrorCode::InvalidRequest,
            "nonce is required when response_type includes id_token",
        ),
        (
            base(&[
                ("response_type", "id_token"),
                ("response_mode", "form_post"),
                ("nonce", "n"),
                ("scope", "profile"),
            ]),
            ErrorCode::InvalidRequest,
            "The openid scope is required when response_type includes id_token",
        ),
        (
            base(&[("response_mode", "fragment")]),
            ErrorCode::InvalidRequest,
            "Unsupported response_mode: fragment",
        ),
        (
            base(&[
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "plain"),
            ]),
            ErrorCode::InvalidRequest,
            "code_challenge_method plain is not supported; use S256",
        ),
        (
            base(&[("code_challenge", CHALLENGE)]),
            ErrorCode::InvalidRequest,
            "code_challenge_method is required with code_challenge (only S256 is supported)",
        ),
        (
            base(&[("prompt", "none login")]),
            ErrorCode::InvalidRequest,
            "prompt=none cannot be combined with other values",
        ),
        (
            base(&[("prompt", "bogus")]),
            ErrorCode::InvalidRequest,
            "Unsupported prompt value: bogus",
        ),
        (
            base(&[("max_age", "-1")]),
            ErrorCode::InvalidRequest,
            "max_age must be a non-negative whole number of seconds",
        ),
    ];
    for (pairs, code, description) in cases {
        let e = redirect_error(AuthorizeRequest::parse(&params(&pairs), Some(&a)));
        assert_eq!(e.redirect_uri.as_str(), CB);
        assert_eq!(e.state.as_deref(), Some("xyz"), "{pairs:?}");
        assert_eq!(e.error, OAuthError::new(code, description), "{pairs:?}");
    }
}

#[test]
fn public_clients_must_use_pkce() {
    for t in [AppType::Spa, AppType::Native] {
        let a = app(t, &[CB]);
        let e = redirect_error(AuthorizeRequest::parse(&params(&base(&[])), Some(&a)));
        assert_eq!(e.error.code, ErrorCode::InvalidRequest);
        let ok = params(&base(&[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]));
        let r = AuthorizeRequest::parse(&ok, Some(&a)).unwrap();
        assert_eq!(r.code_challenge.unwrap().as_str(), CHALLENGE);
    }
}

#[test]
fn grants_the_application_lacks_are_unauthorized_client() {
    let mut a = app(AppType::RegularWeb, &[CB]);
    a.grant_types = vec!["authorization_code".into()];
    let p = params(&base(&[
        ("response_type", "id_token"),
        ("response_mode", "form_post"),
        ("nonce", "n"),
    ]));
    let e = redirect_error(AuthorizeRequest::parse(&p, Some(&a)));
    assert_eq!(e.response_mode, ResponseMode::FormPost);
    assert_eq!(
        e.error,
        OAuthError::unauthorized_client("Grant type 'implicit' not allowed for the client.")
    );
    a.grant_types = vec!["client_credentials".into()];
    let e = redirect_error(AuthorizeRequest::parse(&params(&base(&[])), Some(&a)));
    assert_eq!(
        e.error,
        OAuthError::unauthorized_client(
            "Grant type 'authorization_code' not allowed for the client."
        )
    );
}

#[test]
fn prompt_max_age_audience_and_signup_hint() {
    let a = app(AppType::RegularWeb, &[CB]);
    let p = params(&base(&[
        ("prompt", "login consent"),
        ("max_age", "0"),
        ("audience", "https://api.example/"),
        ("screen_hint", "signup"),
    ]));
    let r = AuthorizeRequest::parse(&p, Some(&a)).unwrap();
    assert_eq!(
        r.prompt,
        Prompt {
            none: false,
            login: true
        }
    );
    assert_eq!(r.max_age, Some(0));
    assert_eq!(r.audience.as_deref(), Some("https://api.example/"));
    assert!(r.screen_hint_signup);
    let none = AuthorizeRequest::parse(&params(&base(&[("prompt", "none")])), Some(&a)).unwrap();
    assert_eq!(
        none.prompt,
        Prompt {
            none: true,
            login: false
        }
    );
}
