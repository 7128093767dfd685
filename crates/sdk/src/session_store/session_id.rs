//! The random identifier a stateful session cookie carries.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq as _;

/// A session id: at least 256 random bits, base64url without padding.
///
/// Its `Debug` is redacted and equality is constant-time: whoever holds the id holds the
/// session. Built by [`SessionId::generate`] or, from a cookie, by [`SessionId::parse`].
#[derive(Clone)]
pub struct SessionId(String);

/// Why a string is not a session id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidSessionId {
    #[error("session id length outside {min}..={max}")]
    Length { min: usize, max: usize },
    #[error("session id has a character outside base64url")]
    Charset,
}

impl SessionId {
    /// Random bytes in a generated id (256 bits).
    pub const RANDOM_BYTES: usize = 32;
    /// Shortest id [`SessionId::parse`] accepts (192 bits of base64url).
    pub const MIN_LEN: usize = 32;
    /// Longest id [`SessionId::parse`] accepts.
    pub const MAX_LEN: usize = 128;

    /// A new id from `fill`, which must fill its buffer from a CSPRNG (e.g. aws-lc-rs
    /// `SystemRandom`) outside tests.
    pub fn generate(fill: &dyn Fn(&mut [u8])) -> SessionId {
        let mut bytes = [0u8; Self::RANDOM_BYTES];
        fill(&mut bytes);
        SessionId(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// An id from untrusted input (a decrypted cookie): base64url characters only, of a
    /// bounded length, so it is safe as a key in any backend.
    pub fn parse(input: &str) -> Result<SessionId, InvalidSessionId> {
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&input.len()) {
            return Err(InvalidSessionId::Length {
                min: Self::MIN_LEN,
                max: Self::MAX_LEN,
            });
        }
        if !input
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(InvalidSessionId::Charset);
        }
        Ok(SessionId(input.to_owned()))
    }

    /// The id as it goes into the cookie and the store.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId(<redacted>)")
    }
}

impl PartialEq for SessionId {
    fn eq(&self, other: &SessionId) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for SessionId {}

#[cfg(test)]
mod tests {
    use super::*;

    fn counting(buf: &mut [u8]) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = u8::try_from(i % 256).unwrap_or(0);
        }
    }

    #[test]
    fn generated_ids_carry_256_bits_as_base64url() {
        let id = SessionId::generate(&counting);
        assert_eq!(id.as_str().len(), 43);
        assert_eq!(
            URL_SAFE_NO_PAD.decode(id.as_str()).ok(),
            Some((0u8..32).collect::<Vec<_>>())
        );
        assert_eq!(SessionId::parse(id.as_str()), Ok(id));
    }

    #[test]
    fn parse_rejects_bad_length_and_charset() {
        assert!(matches!(
            SessionId::parse("short"),
            Err(InvalidSessionId::Length { .. })
        ));
        assert!(matches!(
            SessionId::parse(&"a".repeat(129)),
            Err(InvalidSessionId::Length { .. })
        ));
        assert!(SessionId::parse(&"a".repeat(128)).is_ok());
        for bad in ["/", "+", "=", ":", "*", " ", "\0", "é"] {
            let input = format!("{}{bad}", "a".repeat(40));
            assert_eq!(
                SessionId::parse(&input),
                Err(InvalidSessionId::Charset),
                "{input:?}"
            );
        }
    }

    #[test]
    fn debug_is_redacted() {
        let id = SessionId::generate(&counting);
        let shown = format!("{id:?}");
        assert!(!shown.contains(id.as_str()));
        assert_eq!(shown, "SessionId(<redacted>)");
    }
}
