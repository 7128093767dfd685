//! The pages themselves: what each shows, and its askama template. Every value a page
//! shows is HTML-escaped by askama; none is marked safe.

use askama::Template;

use super::Branding;
use super::response::CspNonce;

/// A page that renders to HTML with this response's CSP nonce.
pub trait Page {
    fn render(&self, nonce: &CspNonce) -> Result<String, askama::Error>;
}

/// `impl Page` for pages with the tenant's branding: each renders its template with the
/// nonce, its `branding` field and itself.
macro_rules! branded_pages {
    ($($page:ty => $template:ident),* $(,)?) => {$(
        impl Page for $page {
            fn render(&self, nonce: &CspNonce) -> Result<String, askama::Error> {
                $template {
                    nonce: nonce.as_str(),
                    branding: &self.branding,
                    page: self,
                }
                .render()
            }
        }
    )*};
}
pub(crate) use branded_pages;

/// `/u/login`: email and password, POSTed to `/u/login` with hidden `csrf` and `state`
/// fields (form fields: `csrf`, `state`, `email`, `password`).
#[derive(Clone)]
pub struct LoginPage {
    pub branding: Branding,
    pub csrf: String,
    /// The login transaction, sent back as the `state` field.
    pub transaction: String,
    /// Prefilled after an error; empty otherwise.
    pub email: String,
    pub error: Option<String>,
    pub signup_url: Option<String>,
}

/// `/u/signup`: POSTed to `/u/signup` (form fields: `csrf`, `state`, `email`, `password`).
#[derive(Clone)]
pub struct SignupPage {
    pub branding: Branding,
    pub csrf: String,
    pub transaction: String,
    pub email: String,
    pub error: Option<String>,
    /// Shown under the password field, e.g. "At least 12 characters."
    pub password_policy: String,
    pub login_url: String,
}

/// An error shown instead of redirecting: an unknown client, a `redirect_uri` that is not
/// registered (security cases 13, 14).
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub branding: Branding,
    pub title: String,
    pub message: String,
}

/// OAuth 2.0 Form Post Response Mode: a form that submits itself to the client's
/// `redirect_uri`, with a button for browsers without JavaScript. Serve it with
/// `form_action = Some(&page.action)` so the CSP lets the form go there.
#[derive(Clone)]
pub struct FormPostPage {
    /// The client's registered `redirect_uri`.
    pub action: String,
    /// The response parameters (`code`, `state`, `id_token`, `iss`, ...), in order.
    pub fields: Vec<(String, String)>,
}

/// "Log out?": asked before ending the session when a logout GET did not come with a
/// valid `id_token_hint` (security case 33). POSTs `csrf` to `/oidc/logout`, with the
/// request's `client_id`, `post_logout_redirect_uri` and `state` as hidden fields when
/// present (checked again on the POST).
#[derive(Clone)]
pub struct LogoutConfirmPage {
    pub branding: Branding,
    pub csrf: String,
    /// The application that asked, when known.
    pub client_name: Option<String>,
    pub client_id: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate<'a> {
    nonce: &'a str,
    branding: &'a Branding,
    page: &'a LoginPage,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupTemplate<'a> {
    nonce: &'a str,
    branding: &'a Branding,
    page: &'a SignupPage,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    nonce: &'a str,
    branding: &'a Branding,
    page: &'a ErrorPage,
}

#[derive(Template)]
#[template(path = "form_post.html")]
struct FormPostTemplate<'a> {
    nonce: &'a str,
    page: &'a FormPostPage,
}

#[derive(Template)]
#[template(path = "logout_confirm.html")]
struct LogoutConfirmTemplate<'a> {
    nonce: &'a str,
    branding: &'a Branding,
    page: &'a LogoutConfirmPage,
}

impl Page for FormPostPage {
    fn render(&self, nonce: &CspNonce) -> Result<String, askama::Error> {
        FormPostTemplate {
            nonce: nonce.as_str(),
            page: self,
        }
        .render()
    }
}

branded_pages! {
    LoginPage => LoginTemplate,
    SignupPage => SignupTemplate,
    ErrorPage => ErrorTemplate,
    LogoutConfirmPage => LogoutConfirmTemplate,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::fixtures::{NONCE, XSS, XSS_ESCAPED, nonce};

    fn branding() -> Branding {
        Branding {
            friendly_name: "Acme".into(),
            logo_url: Some("https://cdn.acme.example/logo.png".into()),
        }
    }

    fn login() -> LoginPage {
        LoginPage {
            branding: branding(),
            csrf: "csrf-token-123".into(),
            transaction: "txn-abc".into(),
            email: String::new(),
            error: None,
            signup_url: Some("/u/signup?state=txn-abc".into()),
        }
    }

    fn signup() -> SignupPage {
        SignupPage {
            branding: branding(),
            csrf: "csrf-token-123".into(),
            transaction: "txn-abc".into(),
            email: String::new(),
            error: None,
            password_policy: "At least 12 characters.".into(),
            login_url: "/u/login?state=txn-abc".into(),
        }
    }

    fn error_page() -> ErrorPage {
        ErrorPage {
            branding: Branding {
                friendly_name: "Acme".into(),
                logo_url: None,
            },
            title: "Unknown application".into(),
            message: "The client_id is not registered.".into(),
        }
    }

    fn form_post() -> FormPostPage {
        FormPostPage {
            action: "https://app.example/callback".into(),
            fields: vec![
                ("code".into(), "SplxlOBeZQQYbYS6WxSbIA".into()),
                ("state".into(), "af0ifjsldkj".into()),
            ],
        }
    }

    fn logout() -> LogoutConfirmPage {
        LogoutConfirmPage {
            branding: branding(),
            csrf: "csrf-token-123".into(),
            client_name: Some("My App".into()),
            client_id: None,
            post_logout_redirect_uri: None,
            state: None,
        }
    }

    /// ` on<letters>=` anywhere: an inline event handler attribute.
    fn has_event_handler(html: &str) -> bool {
        html.match_indices(" on").any(|(i, _)| {
            let rest = &html[i + 3..];
            let letters = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            letters > 0 && rest[letters..].starts_with('=')
        })
    }

    fn all_pages() -> Vec<(&'static str, Result<String, askama::Error>)> {
        let n = nonce();
        vec![
            ("login", login().render(&n)),
            ("signup", signup().render(&n)),
            ("error", error_page().render(&n)),
            ("form_post", form_post().render(&n)),
            ("logout", logout().render(&n)),
        ]
    }

    #[test]
    fn every_page_renders_a_phone_friendly_document() {
        for (name, html) in all_pages() {
            let html = html.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(html.starts_with("<!doctype html>"), "{name}");
            assert!(html.contains("<html lang=\"en\">"), "{name}");
            assert!(html.contains("<meta charset=\"utf-8\">"), "{name}");
            assert!(
                html.contains(
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                ),
                "{name}"
            );
            assert_eq!(html.matches("<style").count(), 1, "{name}");
            assert!(!html.contains("<link"), "{name}: no external assets");
            assert!(
                !has_event_handler(&html),
                "{name}: no inline event handlers"
            );
        }
    }

    #[test]
    fn event_handler_check_works() {
        assert!(has_event_handler("<body onload=\"x()\">"));
        assert!(!has_event_handler("<p>based on this</p>"));
    }

    #[test]
    fn nonce_is_on_the_style_and_script_tags_only() {
        for (name, html) in all_pages() {
            let html = html.unwrap_or_default();
            let on_style = format!("<style nonce=\"{NONCE}\">");
            let on_script = format!("<script nonce=\"{NONCE}\">");
            assert!(html.contains(&on_style), "{name}");
            let scripts = if name == "form_post" { 1 } else { 0 };
            assert_eq!(html.matches("<script").count(), scripts, "{name}");
            assert_eq!(html.matches(&on_script).count(), scripts, "{name}");
            assert_eq!(html.matches(NONCE).count(), 1 + scripts, "{name}");
        }
    }

    #[test]
    fn pages_show_the_tenant_name_and_logo() {
        let html = login().render(&nonce()).unwrap_or_default();
        assert!(html.contains("<p class=\"tenant\">Acme</p>"));
        assert!(html.contains("<img src=\"https://cdn.acme.example/logo.png\" alt=\"\""));
        let html = error_page().render(&nonce()).unwrap_or_default();
        assert!(html.contains("<p class=\"tenant\">Acme</p>"));
        assert!(!html.contains("<img"));
    }

    #[test]
    fn login_page_form() {
        let html = login().render(&nonce()).unwrap_or_default();
        assert!(html.contains("<form method=\"post\" action=\"/u/login\">"));
        assert!(html.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-token-123\">"));
        assert!(html.contains("<input type=\"hidden\" name=\"state\" value=\"txn-abc\">"));
        assert!(html.contains("<label for=\"email\">"));
        assert!(html.contains("<label for=\"password\">"));
        assert!(html.contains("id=\"email\" name=\"email\" value=\"\" autocomplete=\"username\""));
        assert!(html.contains("name=\"password\" autocomplete=\"current-password\""));
        assert!(html.contains("<a href=\"/u/signup?state=txn-abc\">Sign up</a>"));
        assert!(!html.contains("role=\"alert\""));
        // Focus goes to the email field first.
        assert!(html.contains("spellcheck=\"false\" required autofocus>"));
    }

    #[test]
    fn login_page_after_an_error() {
        let page = LoginPage {
            email: "jane@example.com".into(),
            error: Some("Wrong email or password.".into()),
            signup_url: None,
            ..login()
        };
        let html = page.render(&nonce()).unwrap_or_default();
        assert!(html.contains("role=\"alert\">Wrong email or password.</p>"));
        assert!(html.contains("value=\"jane@example.com\""));
        assert!(html.contains("autocomplete=\"current-password\" required autofocus>"));
        assert!(!html.contains("Sign up"));
    }

    #[test]
    fn user_controlled_strings_are_escaped() {
        let page = LoginPage {
            email: XSS.into(),
            error: Some(XSS.into()),
            transaction: XSS.into(),
            ..login()
        };
        let html = page.render(&nonce()).unwrap_or_default();
        assert!(!html.contains("<script"));
        assert!(!html.contains(XSS));
        assert!(html.contains(&format!("name=\"email\" value=\"{XSS_ESCAPED}\"")));
        assert!(html.contains(&format!("name=\"state\" value=\"{XSS_ESCAPED}\"")));
        assert!(html.contains(&format!("role=\"alert\">{XSS_ESCAPED}</p>")));

        let page = SignupPage {
            email: XSS.into(),
            ..signup()
        };
        let html = page.render(&nonce()).unwrap_or_default();
        assert!(!html.contains("<script"));
        assert!(html.contains(&format!("value=\"{XSS_ESCAPED}\"")));

        let page = ErrorPage {
            branding: Branding {
                friendly_name: XSS.into(),
                logo_url: Some(XSS.into()),
            },
            title: XSS.into(),
            message: XSS.into(),
        };
        let html = page.render(&nonce()).unwrap_or_default();
        assert!(!html.contains("<script"));
        assert!(html.contains(&format!("<img src=\"{XSS_ESCAPED}\"")));
        assert!(html.contains(&format!("<h1>{XSS_ESCAPED}</h1>")));

        let page = LogoutConfirmPage {
            client_name: Some(XSS.into()),
            ..logout()
        };
        let html = page.render(&nonce()).unwrap_or_default();
        assert!(!html.contains("<script"));
        assert!(html.contains(XSS_ESCAPED));
    }

    #[test]
    fn signup_page_form() {
        let html = signup().render(&nonce()).unwrap_or_default();
        assert!(html.contains("<form method=\"post\" action=\"/u/signup\">"));
        assert!(html.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-token-123\">"));
        assert!(html.contains("<input type=\"hidden\" name=\"state\" value=\"txn-abc\">"));
        assert!(html.contains("autocomplete=\"email\""));
        assert!(html.contains("autocomplete=\"new-password\""));
        assert!(html.contains("<label for=\"email\">"));
        assert!(html.contains("<label for=\"password\">"));
        assert!(html.contains("id=\"password-policy\">At least 12 characters.</p>"));
        assert!(html.contains("<a href=\"/u/login?state=txn-abc\">Log in</a>"));
    }

    #[test]
    fn error_page_has_no_form_and_no_redirect() {
        let html = error_page().render(&nonce()).unwrap_or_default();
        assert!(html.contains("<h1>Unknown application</h1>"));
        assert!(html.contains("The client_id is not registered."));
        assert!(!html.contains("<form"));
        assert!(!html.contains("http-equiv"));
    }

    #[test]
    fn form_post_page() {
        let html = form_post().render(&nonce()).unwrap_or_default();
        assert!(html.contains("<form method=\"post\" action=\"https://app.example/callback\">"));
        assert!(
            html.contains("<input type=\"hidden\" name=\"code\" value=\"SplxlOBeZQQYbYS6WxSbIA\">")
        );
        assert!(html.contains("<input type=\"hidden\" name=\"state\" value=\"af0ifjsldkj\">"));
        assert!(html.contains("<noscript><button type=\"submit\">Continue</button></noscript>"));
        assert!(html.contains(&format!(
            "<script nonce=\"{NONCE}\">document.forms[0].submit()</script>"
        )));
        assert_eq!(html.matches("<form").count(), 1);
    }

    #[test]
    fn form_post_values_and_action_are_escaped() {
        let page = FormPostPage {
            action: "https://app.example/cb?a=\"onmouseover=alert(1)".into(),
            fields: vec![
                ("state".into(), "a\"b'c<d>&e".into()),
                ("x\"><script>".into(), "v".into()),
            ],
        };
        let html = page.render(&nonce()).unwrap_or_default();
        assert!(html.contains(
            "<form method=\"post\" action=\"https://app.example/cb?a=&#34;onmouseover=alert(1)\">"
        ));
        assert!(html.contains(
            "<input type=\"hidden\" name=\"state\" value=\"a&#34;b&#39;c&#60;d&#62;&#38;e\">"
        ));
        assert!(html.contains("name=\"x&#34;&#62;&#60;script&#62;\" value=\"v\""));
        assert_eq!(html.matches("<script").count(), 1);
    }

    #[test]
    fn logout_confirm_page() {
        let html = logout().render(&nonce()).unwrap_or_default();
        assert!(html.contains("<h1>Log out?</h1>"));
        assert!(html.contains("My App wants to log you out of Acme."));
        assert!(html.contains("<form method=\"post\" action=\"/oidc/logout\">"));
        assert!(html.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-token-123\">"));
        assert!(html.contains("<button type=\"submit\">Log out</button>"));

        let page = LogoutConfirmPage {
            client_name: None,
            ..logout()
        };
        let html = page.render(&nonce()).unwrap_or_default();
        assert!(html.contains("Do you want to log out of Acme?"));
        assert_eq!(html.matches("<input").count(), 1);

        let page = LogoutConfirmPage {
            client_id: Some("c1".into()),
            post_logout_redirect_uri: Some("https://app.example/bye?a=1&b=2".into()),
            state: Some(XSS.into()),
            ..logout()
        };
        let html = page.render(&nonce()).unwrap_or_default();
        assert!(html.contains("<input type=\"hidden\" name=\"client_id\" value=\"c1\">"));
        assert!(html.contains(
            "<input type=\"hidden\" name=\"post_logout_redirect_uri\" value=\"https://app.example/bye?a=1&#38;b=2\">"
        ));
        assert!(html.contains(&format!(
            "<input type=\"hidden\" name=\"state\" value=\"{XSS_ESCAPED}\">"
        )));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn page_response_renders_with_the_same_nonce_in_header_and_body() {
        use axum::http::{StatusCode, header};
        let n = nonce();
        let page = form_post();
        let r = super::super::page_response(StatusCode::OK, &page, &n, Some(&page.action));
        let csp = r
            .headers()
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(csp.contains(&format!("script-src 'nonce-{NONCE}';")));
        assert!(csp.contains("form-action 'self' https://app.example;"));
    }
}
