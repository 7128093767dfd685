//! Server-rendered pages: universal login and signup, the error page, the OAuth 2.0 Form
//! Post response, the logout confirmation. askama templates (`crates/server/templates/`,
//! checked at compile time, HTML auto-escaping on), one CSP nonce per response, and the
//! CSRF and same-origin checks the form handlers use. Pure rendering: no store, no routes.
//!
//! A handler renders a page with [`Page::render`] (or [`page_response`]) and the nonce
//! it generated for this response, so the nonce in the body and in the CSP header agree.

pub mod csrf;
#[cfg(test)]
mod fixtures;
mod reset_views;
mod response;
mod views;

pub use csrf::{CsrfToken, csrf_matches, same_origin_post};
pub use reset_views::{NewPasswordPage, NoticePage, ResetRequestPage};
pub use response::{CspNonce, content_security_policy, html_response, page_response};
pub use views::{ErrorPage, FormPostPage, LoginPage, LogoutConfirmPage, Page, SignupPage};

/// What the login pages show of a tenant: its name and, when set, its logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branding {
    pub friendly_name: String,
    /// Shown as `<img src>`; the page's CSP allows `https:` and `data:` images only.
    pub logo_url: Option<String>,
}
