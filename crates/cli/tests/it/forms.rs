//! Helpers for tests that act as a browser: bootstrap output, form encoding, cookies
//! and the hidden fields of a page.

use crate::HttpResponse;

/// `NAME=value` from the `.env` block printed on first start.
pub fn env_value(stdout: &str, name: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("{name} not printed"))
        .to_owned()
}

/// Form-encodes one value.
pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The value of cookie `name` set by `res`.
pub fn set_cookie(res: &HttpResponse, name: &str) -> String {
    res.all("set-cookie")
        .iter()
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("no {name} cookie"))
        .to_owned()
}

/// The value of the input `name` of `html`, unescaped.
pub fn hidden(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\"")).unwrap();
    let value = &html[at..];
    let start = value.find("value=\"").unwrap() + 7;
    let end = value[start..].find('"').unwrap();
    value[start..start + end]
        .replace("&amp;", "&")
        .replace("&#x2f;", "/")
}
