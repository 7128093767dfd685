//! The `Cookie` request header, parsed once into name/value pairs.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

/// At most this many cookies are read from a request; later ones are ignored.
/// Chrome keeps 180 cookies per domain, so a real browser never sends more.
pub const MAX_COOKIES: usize = 180;
/// A `Cookie` header (all of them together) longer than this is not read at all.
/// Browsers send at most about 4 KB per cookie; servers usually refuse headers
/// well below this.
pub const MAX_COOKIE_HEADER_LEN: usize = 128 * 1024;

/// The cookies of one request, in the order they were sent.
///
/// Parsing follows the npm `cookie` package that express-openid-connect and nextjs-auth0 v3
/// use: pairs separated by `;`, optional spaces around names and values, surrounding
/// double quotes removed, values percent-decoded (kept as sent when that fails), pairs
/// without `=` skipped. For a name sent more than once the first value wins.
#[derive(Debug, Default)]
pub struct RequestCookies<'a> {
    pairs: Vec<(&'a str, Cow<'a, str>)>,
}

impl<'a> RequestCookies<'a> {
    /// Parses one `Cookie` header value.
    pub fn parse(header: &'a str) -> RequestCookies<'a> {
        RequestCookies::parse_all([header])
    }

    /// Parses several `Cookie` header values (HTTP/2 may split cookies across headers).
    /// Nothing is read when they are longer than [`MAX_COOKIE_HEADER_LEN`] in total.
    pub fn parse_all<I>(headers: I) -> RequestCookies<'a>
    where
        I: IntoIterator<Item = &'a str>,
        I::IntoIter: Clone,
    {
        let headers = headers.into_iter();
        let total = headers
            .clone()
            .fold(0usize, |sum, h| sum.saturating_add(h.len()));
        if total > MAX_COOKIE_HEADER_LEN {
            return RequestCookies::default();
        }
        let mut pairs: Vec<(&'a str, Cow<'a, str>)> = Vec::new();
        let pieces = headers.flat_map(|header| header.split(';'));
        for piece in pieces {
            if pairs.len() == MAX_COOKIES {
                break;
            }
            let Some((name, value)) = piece.split_once('=') else {
                continue;
            };
            let name = name.trim();
            if name.is_empty() || pairs.iter().any(|(seen, _)| *seen == name) {
                continue;
            }
            pairs.push((name, decode_value(value.trim())));
        }
        RequestCookies { pairs }
    }

    /// The (decoded) value of the first cookie called `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_ref())
    }

    /// Every cookie, in the order sent, duplicates removed.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, v)| (*n, v.as_ref()))
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

fn decode_value(value: &str) -> Cow<'_, str> {
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    if !value.contains('%') {
        return Cow::Borrowed(value);
    }
    match percent_decode_str(value).decode_utf8() {
        Ok(decoded) => decoded,
        Err(_) => Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_spaces_quotes_and_percent_encoding() {
        let c = RequestCookies::parse(r#"a=1; b = two ;c="q%20d"; d=%3A%E2%9C%93; e=%FF%; f"#);
        assert_eq!(c.get("a"), Some("1"));
        assert_eq!(c.get("b"), Some("two"));
        assert_eq!(c.get("c"), Some("q d"));
        assert_eq!(c.get("d"), Some(":✓"));
        // Not UTF-8 once decoded: kept as sent, as the npm `cookie` package does.
        assert_eq!(c.get("e"), Some("%FF%"));
        assert_eq!(c.get("f"), None);
        assert_eq!(c.len(), 5);
    }

    #[test]
    fn first_of_duplicate_names_wins() {
        let c = RequestCookies::parse("s=first; s=second;s=third");
        assert_eq!(c.get("s"), Some("first"));
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn empty_and_odd_headers_give_no_cookies() {
        for header in ["", ";", ";;; ;", "=", "=x", "noequals", "\u{0}"] {
            assert!(RequestCookies::parse(header).is_empty(), "{header:?}");
        }
        assert_eq!(RequestCookies::parse("a==b").get("a"), Some("=b"));
    }

    #[test]
    fn limits_on_count_and_size() {
        let many: Vec<String> = (0..500).map(|i| format!("c{i}=v")).collect();
        let header = many.join("; ");
        let c = RequestCookies::parse(&header);
        assert_eq!(c.len(), MAX_COOKIES);
        assert_eq!(c.get("c179"), Some("v"));
        assert_eq!(c.get("c180"), None);

        let huge = format!("a=1; big={}", "x".repeat(MAX_COOKIE_HEADER_LEN));
        assert!(RequestCookies::parse(&huge).is_empty());
    }

    #[test]
    fn several_headers_read_as_one() {
        let c = RequestCookies::parse_all(["a=1; b=2", "b=3; c=4"]);
        assert_eq!(
            c.iter().collect::<Vec<_>>(),
            [("a", "1"), ("b", "2"), ("c", "4")]
        );
    }
}
