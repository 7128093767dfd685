//! Reassembling a session cookie that the SDK split into numbered chunks.

use std::borrow::Cow;

use portcullis_jose::cookie_jwe::MAX_COMPACT_LEN;

use super::request_cookies::RequestCookies;

/// More chunks than this can't hold a JWE the reader would accept
/// ([`MAX_COMPACT_LEN`] / 3500-byte chunks is 19).
const MAX_CHUNKS: usize = 32;

/// How chunk names are formed from the cookie name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChunkStyle {
    /// nextjs-auth0 v4: `__session__0`, `__session__1`, ...
    DoubleUnderscore,
    /// nextjs-auth0 v3 and express-openid-connect: `appSession.0`, `appSession.1`, ...
    Dot,
}

impl ChunkStyle {
    fn separator(self) -> &'static str {
        match self {
            ChunkStyle::DoubleUnderscore => "__",
            ChunkStyle::Dot => ".",
        }
    }
}

/// The cookie's whole value: the cookie `name` itself when sent and not empty, otherwise its
/// chunks joined in index order.
///
/// `None` when there is neither, when a chunk index is missing or given twice (`__1` and
/// `__01`), when there are more than [`MAX_CHUNKS`] chunks, or when the joined value is
/// longer than [`MAX_COMPACT_LEN`].
pub(crate) fn assemble<'c>(
    cookies: &'c RequestCookies<'_>,
    name: &str,
    style: ChunkStyle,
) -> Option<Cow<'c, str>> {
    if let Some(value) = cookies.get(name).filter(|v| !v.is_empty()) {
        return Some(Cow::Borrowed(value));
    }
    let separator = style.separator();
    let mut chunks: Vec<(usize, &str)> = Vec::new();
    for (cookie_name, value) in cookies.iter() {
        let Some(index) = cookie_name
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(separator))
        else {
            continue;
        };
        if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        // Three digits are more than enough: anything longer is past MAX_CHUNKS.
        let index: usize = if index.len() <= 3 {
            index.parse().ok()?
        } else {
            return None;
        };
        if index >= MAX_CHUNKS {
            return None;
        }
        chunks.push((index, value));
    }
    if chunks.is_empty() {
        return None;
    }
    chunks.sort_unstable_by_key(|(index, _)| *index);
    let complete = chunks
        .iter()
        .enumerate()
        .all(|(position, (index, _))| position == *index);
    if !complete {
        return None;
    }
    let len = chunks.iter().map(|(_, v)| v.len()).sum::<usize>();
    if len > MAX_COMPACT_LEN {
        return None;
    }
    let mut joined = String::with_capacity(len);
    for (_, value) in chunks {
        joined.push_str(value);
    }
    Some(Cow::Owned(joined))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(header: &str, name: &str, style: ChunkStyle) -> Option<String> {
        assemble(&RequestCookies::parse(header), name, style).map(Cow::into_owned)
    }

    #[test]
    fn whole_cookie_wins_over_chunks() {
        let h = "__session=whole; __session__0=a; __session__1=b";
        assert_eq!(
            read(h, "__session", ChunkStyle::DoubleUnderscore).as_deref(),
            Some("whole")
        );
    }

    #[test]
    fn chunks_join_in_numeric_order() {
        let h = "x=1; __session__10=k; __session__2=c; __session__0=a; __session__1=b; \
                 __session__3=d; __session__4=e; __session__5=f; __session__6=g; \
                 __session__7=h; __session__8=i; __session__9=j";
        assert_eq!(
            read(h, "__session", ChunkStyle::DoubleUnderscore).as_deref(),
            Some("abcdefghijk")
        );
        let h = "appSession.1=b; appSession.0=a";
        assert_eq!(
            read(h, "appSession", ChunkStyle::Dot).as_deref(),
            Some("ab")
        );
        // The other SDK's chunk names are not chunks of this cookie.
        assert_eq!(read(h, "appSession", ChunkStyle::DoubleUnderscore), None);
        assert_eq!(
            read("__session.0=a", "__session", ChunkStyle::DoubleUnderscore),
            None
        );
    }

    #[test]
    fn missing_duplicate_or_too_many_chunks_read_nothing() {
        for h in [
            "__session__1=b",
            "__session__0=a; __session__2=c",
            "__session__0=a; __session__1=b; __session__01=c",
            "__session__0=a; __session__40=b",
            "__session__0=a; __session__99999999999999999999999=b",
            "",
            "__session=",
        ] {
            assert_eq!(
                read(h, "__session", ChunkStyle::DoubleUnderscore),
                None,
                "{h}"
            );
        }
        // Names that only look like chunks are ignored.
        let h = "__session__0=a; __session__x=b; __session__=c; __session__+1=d; __session__1a=e";
        assert_eq!(
            read(h, "__session", ChunkStyle::DoubleUnderscore).as_deref(),
            Some("a")
        );
    }

    #[test]
    fn joined_value_is_capped() {
        let big = "x".repeat(MAX_COMPACT_LEN / 2 + 1);
        let h = format!("appSession.0={big}; appSession.1={big}");
        assert_eq!(read(&h, "appSession", ChunkStyle::Dot), None);
    }
}
