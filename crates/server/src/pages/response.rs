//! The HTTP response around a rendered page: its Content-Security-Policy (with this
//! response's nonce) and the headers that keep it out of caches and frames.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_core::Rng;

use super::views::Page;

/// A fresh CSP nonce for one response: 16 random bytes, base64. Put the same value in the
/// page (`render`) and in the header (`html_response`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspNonce(String);

impl CspNonce {
    pub fn generate(rng: &dyn Rng) -> Self {
        let mut bytes = [0u8; 16];
        rng.fill(&mut bytes);
        CspNonce(STANDARD.encode(bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Used if the policy could not become a header value; it cannot happen with the inputs
/// we build, and the fallback still forbids everything.
const STRICT_POLICY: &str =
    "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The page's policy: nothing but this response's inline style and script, https/data
/// images, forms posting to this origin (plus `form_action`'s origin when given), never
/// framed. A nonce that is not base64 is refused (`'none'`) rather than spliced in.
pub fn content_security_policy(nonce: &str, form_action: Option<&str>) -> String {
    let source = if is_base64_value(nonce) {
        format!("'nonce-{nonce}'")
    } else {
        "'none'".to_owned()
    };
    let mut forms = String::from("'self'");
    if let Some(origin) = form_action.and_then(http_origin) {
        forms.push(' ');
        forms.push_str(&origin);
    }
    format!(
        "default-src 'none'; style-src {source}; script-src {source}; img-src https: data:; \
         form-action {forms}; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// CSP's `base64-value`: what a nonce may contain.
fn is_base64_value(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'='))
}

/// `scheme://host[:port]` of an http(s) URL; None for anything else.
fn http_origin(uri: &str) -> Option<String> {
    let url = url::Url::parse(uri).ok()?;
    if !matches!(url.scheme(), "https" | "http") {
        return None;
    }
    let origin = url.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// An HTML page response: UTF-8 HTML, never cached, never framed, no referrer, and the
/// CSP of [`content_security_policy`].
///
/// `form_action` is the URL a form on the page submits to when that is not this origin
/// (the form_post page: its `redirect_uri`). Browsers (Chrome) also apply `form-action`
/// to the redirects that follow a submission, so a login, consent or logout page whose
/// POST answers with a redirect to the client should pass that redirect URI here too.
pub fn html_response(
    status: StatusCode,
    body: String,
    nonce: &str,
    form_action: Option<&str>,
) -> Response {
    let csp = HeaderValue::from_str(&content_security_policy(nonce, form_action))
        .unwrap_or_else(|_| HeaderValue::from_static(STRICT_POLICY));
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

/// Renders `page` with `nonce` and wraps it with [`html_response`]. A template error
/// (askama only fails if formatting fails) is logged and answered with a plain 500 page.
pub fn page_response(
    status: StatusCode,
    page: &impl Page,
    nonce: &CspNonce,
    form_action: Option<&str>,
) -> Response {
    match page.render(nonce) {
        Ok(body) => html_response(status, body, nonce.as_str(), form_action),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            html_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<!doctype html><title>Error</title><p>Something went wrong.</p>".to_owned(),
                nonce.as_str(),
                None,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_core::SystemRng;

    struct FixedRng(u8);
    impl Rng for FixedRng {
        fn fill(&self, dest: &mut [u8]) {
            dest.fill(self.0);
        }
    }

    fn header(r: &Response, name: header::HeaderName) -> &str {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("<missing>")
    }

    #[test]
    fn nonce_is_16_bytes_base64() {
        let n = CspNonce::generate(&FixedRng(0xfb));
        assert_eq!(n.as_str(), "+/v7+/v7+/v7+/v7+/v7+w==");
        let a = CspNonce::generate(&SystemRng::new());
        let b = CspNonce::generate(&SystemRng::new());
        assert_eq!(a.as_str().len(), 24);
        assert_ne!(a, b);
    }

    #[test]
    fn csp_without_form_action() {
        assert_eq!(
            content_security_policy("abc123==", None),
            "default-src 'none'; style-src 'nonce-abc123=='; script-src 'nonce-abc123=='; \
             img-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        );
    }

    #[test]
    fn csp_with_form_action_adds_its_origin_only() {
        assert_eq!(
            content_security_policy("abc123==", Some("https://App.Example:8443/cb?x=1#f")),
            "default-src 'none'; style-src 'nonce-abc123=='; script-src 'nonce-abc123=='; \
             img-src https: data:; form-action 'self' https://app.example:8443; \
             frame-ancestors 'none'; base-uri 'none'"
        );
        assert!(
            content_security_policy("n", Some("https://app.example:443/cb"))
                .contains("form-action 'self' https://app.example;")
        );
        assert!(
            content_security_policy("n", Some("http://127.0.0.1:3000/callback"))
                .contains("form-action 'self' http://127.0.0.1:3000;")
        );
    }

    #[test]
    fn csp_ignores_form_actions_without_an_http_origin() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "not a url",
            "com.example.app:/cb",
            "",
        ] {
            assert!(
                content_security_policy("n", Some(bad)).contains("form-action 'self';"),
                "{bad}"
            );
        }
    }

    #[test]
    fn csp_refuses_a_nonce_that_is_not_base64() {
        let csp = content_security_policy("x'; script-src *", None);
        assert!(csp.starts_with(
            "default-src 'none'; style-src 'none'; script-src 'none'; img-src https: data:;"
        ));
        assert!(content_security_policy("", None).contains("script-src 'none';"));
    }

    #[test]
    fn html_response_headers() {
        let r = html_response(StatusCode::OK, "<p>hi</p>".into(), "abc123==", None);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(header(&r, header::CONTENT_TYPE), "text/html; charset=utf-8");
        assert_eq!(header(&r, header::CACHE_CONTROL), "no-store");
        assert_eq!(header(&r, header::X_FRAME_OPTIONS), "DENY");
        assert_eq!(header(&r, header::REFERRER_POLICY), "no-referrer");
        assert_eq!(header(&r, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(
            header(&r, header::CONTENT_SECURITY_POLICY),
            "default-src 'none'; style-src 'nonce-abc123=='; script-src 'nonce-abc123=='; \
             img-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        );

        let r = html_response(
            StatusCode::BAD_REQUEST,
            String::new(),
            "abc123==",
            Some("https://app.example/callback"),
        );
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            header(&r, header::CONTENT_SECURITY_POLICY),
            "default-src 'none'; style-src 'nonce-abc123=='; script-src 'nonce-abc123=='; \
             img-src https: data:; form-action 'self' https://app.example; \
             frame-ancestors 'none'; base-uri 'none'"
        );
    }
}
