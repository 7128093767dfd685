//! The password-reset pages: ask for a link, choose a new password, and the notices in
//! between. Same look, CSP and escaping as the login pages; no JavaScript.

use askama::Template;

use super::Branding;
use super::response::CspNonce;
use super::views::{Page, branded_pages};

/// `/u/reset-password/request`: an email field, POSTed to the same path (form fields:
/// `csrf`, `email`, and `state` when the user came from a login page).
#[derive(Clone)]
pub struct ResetRequestPage {
    pub branding: Branding,
    pub csrf: String,
    /// The login transaction the user came from, sent back as `state`.
    pub transaction: Option<String>,
    /// "Back to log in", when the user came from a login page.
    pub login_url: Option<String>,
    pub email: String,
    pub error: Option<String>,
}

/// `/u/reset-password?ticket=...`: the new password twice, POSTed to `/u/reset-password`
/// (form fields: `csrf`, `ticket`, `password`, `password_confirm`).
#[derive(Clone)]
pub struct NewPasswordPage {
    pub branding: Branding,
    pub csrf: String,
    pub ticket: String,
    /// The account's address, shown and given to password managers.
    pub email: String,
    pub error: Option<String>,
    pub password_policy: String,
}

/// A title, a message and at most one link: "Check your email", "Password changed",
/// "Link expired".
#[derive(Debug, Clone)]
pub struct NoticePage {
    pub branding: Branding,
    pub title: String,
    pub message: String,
    /// `(href, text)`.
    pub link: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "reset_request.html")]
struct ResetRequestTemplate<'a> {
    nonce: &'a str,
    branding: &'a Branding,
    page: &'a ResetRequestPage,
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct NewPasswordTemplate<'a> {
    nonce: &'a str,
    branding: &'a Branding,
    page: &'a NewPasswordPage,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticeTemplate<'a> {
    nonce: &'a str,
    branding: &'a Branding,
    page: &'a NoticePage,
}

branded_pages! {
    ResetRequestPage => ResetRequestTemplate,
    NewPasswordPage => NewPasswordTemplate,
    NoticePage => NoticeTemplate,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::fixtures::{NONCE, XSS, XSS_ESCAPED, nonce};

    fn branding() -> Branding {
        Branding {
            friendly_name: "Acme".into(),
            logo_url: None,
        }
    }

    fn request() -> ResetRequestPage {
        ResetRequestPage {
            branding: branding(),
            csrf: "csrf-token-123".into(),
            transaction: Some("txn-abc".into()),
            login_url: Some("/u/login?state=txn-abc".into()),
            email: String::new(),
            error: None,
        }
    }

    fn new_password() -> NewPasswordPage {
        NewPasswordPage {
            branding: branding(),
            csrf: "csrf-token-123".into(),
            ticket: "tkt".into(),
            email: "alice@example.com".into(),
            error: None,
            password_policy: "At least 8 characters.".into(),
        }
    }

    fn notice() -> NoticePage {
        NoticePage {
            branding: branding(),
            title: "Check your email".into(),
            message: "We sent a link.".into(),
            link: Some(("/u/login?state=x".into(), "Back to log in".into())),
        }
    }

    fn pages() -> Vec<(&'static str, String)> {
        let n = nonce();
        vec![
            ("request", request().render(&n).unwrap()),
            ("new_password", new_password().render(&n).unwrap()),
            ("notice", notice().render(&n).unwrap()),
        ]
    }

    #[test]
    fn pages_share_the_login_look_without_script() {
        for (name, html) in pages() {
            assert!(html.starts_with("<!doctype html>"), "{name}");
            assert!(
                html.contains(&format!("<style nonce=\"{NONCE}\">")),
                "{name}"
            );
            assert!(!html.contains("<script"), "{name}");
            assert!(!html.contains("<link"), "{name}");
            assert!(html.contains("<p class=\"tenant\">Acme</p>"), "{name}");
        }
    }

    #[test]
    fn request_page_form() {
        let html = request().render(&nonce()).unwrap();
        assert!(html.contains("<form method=\"post\" action=\"/u/reset-password/request\">"));
        assert!(html.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-token-123\">"));
        assert!(html.contains("<input type=\"hidden\" name=\"state\" value=\"txn-abc\">"));
        assert!(html.contains("id=\"email\" name=\"email\" value=\"\""));
        assert!(html.contains("<a href=\"/u/login?state=txn-abc\">Back to log in</a>"));
        let bare = ResetRequestPage {
            transaction: None,
            login_url: None,
            ..request()
        };
        let html = bare.render(&nonce()).unwrap();
        assert!(!html.contains("name=\"state\""));
        assert!(!html.contains("Back to log in"));
    }

    #[test]
    fn new_password_page_form() {
        let html = new_password().render(&nonce()).unwrap();
        assert!(html.contains("<form method=\"post\" action=\"/u/reset-password\">"));
        assert!(html.contains("<input type=\"hidden\" name=\"ticket\" value=\"tkt\">"));
        assert!(html.contains("Enter a new password for alice@example.com."));
        assert!(html.contains("name=\"password\" autocomplete=\"new-password\""));
        assert!(html.contains("name=\"password_confirm\" autocomplete=\"new-password\""));
        assert!(html.contains("id=\"password-policy\">At least 8 characters.</p>"));
    }

    #[test]
    fn user_strings_are_escaped() {
        let page = ResetRequestPage {
            email: XSS.into(),
            transaction: Some(XSS.into()),
            error: Some(XSS.into()),
            ..request()
        };
        let html = page.render(&nonce()).unwrap();
        assert!(!html.contains("<script"));
        assert!(html.contains(&format!("name=\"email\" value=\"{XSS_ESCAPED}\"")));
        let page = NewPasswordPage {
            ticket: XSS.into(),
            email: XSS.into(),
            ..new_password()
        };
        let html = page.render(&nonce()).unwrap();
        assert!(!html.contains("<script"));
        assert!(html.contains(&format!("name=\"ticket\" value=\"{XSS_ESCAPED}\"")));
        let page = NoticePage {
            message: XSS.into(),
            link: Some((XSS.into(), XSS.into())),
            ..notice()
        };
        let html = page.render(&nonce()).unwrap();
        assert!(!html.contains("<script"));
    }
}
