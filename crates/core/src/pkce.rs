//! PKCE (RFC 7636), `S256` only.
//!
//! The authorization request's `code_challenge` / `code_challenge_method` become a
//! [`CodeChallenge`] stored with the code; the token request's `code_verifier` becomes a
//! [`CodeVerifier`]; [`verify`] decides. `plain` is refused (RFC 9700 §2.1.1), a challenge
//! without a method is refused rather than taken as `plain`, and a verifier sent for a code
//! issued without a challenge is refused (the downgrade of RFC 9700 §4.8.2).
//!
//! Whether a client must use PKCE (public clients) and burning the code after a failed
//! [`verify`] are the caller's job.

use std::fmt;

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_proto::ErrorCode;
use subtle::ConstantTimeEq;

/// Length of an `S256` challenge: 32 bytes in unpadded base64url.
const CHALLENGE_LEN: usize = 43;
const VERIFIER_MIN: usize = 43;
const VERIFIER_MAX: usize = 128;
/// Longest piece of input echoed in an error message.
const ECHO_MAX: usize = 16;

/// Why PKCE parameters were refused. See [`PkceError::oauth_error`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkceError {
    #[error("code_challenge_method is required with code_challenge (only S256 is supported)")]
    MissingMethod,
    #[error("code_challenge_method was sent without code_challenge")]
    MissingChallenge,
    #[error("code_challenge_method plain is not supported; use S256")]
    PlainNotSupported,
    /// The method, truncated.
    #[error("code_challenge_method `{0}` is not supported; use S256")]
    UnsupportedMethod(String),
    #[error("code_challenge must be 43 base64url characters (BASE64URL(SHA256(code_verifier)))")]
    InvalidChallenge,
    #[error("code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~")]
    InvalidVerifier,
    #[error("code_verifier is required: the authorization request used PKCE")]
    MissingVerifier,
    #[error("code_verifier was sent but the authorization request did not use PKCE")]
    UnexpectedVerifier,
    #[error("code_verifier does not match the code_challenge")]
    Mismatch,
}

impl PkceError {
    /// `invalid_request` for malformed parameters, `invalid_grant` when the verifier does
    /// not fit the code (RFC 7636 §4.4.1, §4.6).
    pub fn oauth_error(&self) -> ErrorCode {
        match self {
            PkceError::MissingMethod
            | PkceError::MissingChallenge
            | PkceError::PlainNotSupported
            | PkceError::UnsupportedMethod(_)
            | PkceError::InvalidChallenge
            | PkceError::InvalidVerifier => ErrorCode::InvalidRequest,
            PkceError::MissingVerifier | PkceError::UnexpectedVerifier | PkceError::Mismatch => {
                ErrorCode::InvalidGrant
            }
        }
    }
}

/// An `S256` code challenge: 43 base64url characters encoding 32 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    /// From the authorization request's `code_challenge` and `code_challenge_method`.
    ///
    /// Neither sent: `Ok(None)`. An empty value counts as not sent (RFC 6749 §3.1).
    pub fn parse(
        challenge: Option<&str>,
        method: Option<&str>,
    ) -> Result<Option<CodeChallenge>, PkceError> {
        let challenge = challenge.filter(|s| !s.is_empty());
        let method = method.filter(|s| !s.is_empty());
        let (challenge, method) = match (challenge, method) {
            (None, None) => return Ok(None),
            (Some(_), None) => return Err(PkceError::MissingMethod),
            (None, Some(_)) => return Err(PkceError::MissingChallenge),
            (Some(c), Some(m)) => (c, m),
        };
        match method {
            "S256" => {}
            "plain" => return Err(PkceError::PlainNotSupported),
            other => {
                return Err(PkceError::UnsupportedMethod(
                    other.chars().take(ECHO_MAX).collect(),
                ));
            }
        }
        CodeChallenge::from_stored(challenge).map(Some)
    }

    /// Rebuilds a challenge stored with a code by [`CodeChallenge::as_str`].
    ///
    /// Accepts 43 characters of the base64url alphabet with no stray low bits: exactly
    /// what `BASE64URL(SHA256(..))` produces.
    pub fn from_stored(stored: &str) -> Result<CodeChallenge, PkceError> {
        let canonical = stored.len() == CHALLENGE_LEN
            && URL_SAFE_NO_PAD
                .decode(stored)
                .is_ok_and(|raw| raw.len() == 32);
        if canonical {
            Ok(CodeChallenge(stored.to_owned()))
        } else {
            Err(PkceError::InvalidChallenge)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Always `S256`, the only method supported.
    pub fn method(&self) -> &'static str {
        "S256"
    }
}

/// A `code_verifier`: 43 to 128 characters of `[A-Za-z0-9-._~]` (RFC 7636 §4.1). Its
/// `Debug` never prints it.
#[derive(Clone)]
pub struct CodeVerifier(String);

impl CodeVerifier {
    pub fn parse(verifier: &str) -> Result<CodeVerifier, PkceError> {
        let ok = (VERIFIER_MIN..=VERIFIER_MAX).contains(&verifier.len())
            && verifier
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if ok {
            Ok(CodeVerifier(verifier.to_owned()))
        } else {
            Err(PkceError::InvalidVerifier)
        }
    }

    /// `BASE64URL(SHA256(ASCII(code_verifier)))` (RFC 7636 §4.2).
    fn s256(&self) -> String {
        URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, self.0.as_bytes()).as_ref())
    }
}

impl fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeVerifier(<redacted>)")
    }
}

/// Checks the token request's verifier against the challenge stored with the code.
///
/// Neither: fine. Challenge without verifier: [`PkceError::MissingVerifier`]. Verifier
/// without challenge: [`PkceError::UnexpectedVerifier`] (a downgrade). Both: the S256 of
/// the verifier must equal the challenge (constant time), else [`PkceError::Mismatch`].
pub fn verify(
    challenge: Option<&CodeChallenge>,
    verifier: Option<&CodeVerifier>,
) -> Result<(), PkceError> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (Some(_), None) => Err(PkceError::MissingVerifier),
        (None, Some(_)) => Err(PkceError::UnexpectedVerifier),
        (Some(c), Some(v)) => {
            if bool::from(v.s256().as_bytes().ct_eq(c.0.as_bytes())) {
                Ok(())
            } else {
                Err(PkceError::Mismatch)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B: the verifier is the base64url of these 32 octets.
    const RFC_OCTETS: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    type Parsed = Result<Option<CodeChallenge>, PkceError>;
    type Checked = Result<(), PkceError>;

    fn challenge(s: &str) -> CodeChallenge {
        CodeChallenge::parse(Some(s), Some("S256"))
            .unwrap()
            .unwrap()
    }

    fn verifier(s: &str) -> CodeVerifier {
        CodeVerifier::parse(s).unwrap()
    }

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(URL_SAFE_NO_PAD.encode(RFC_OCTETS), RFC_VERIFIER);
        let v = verifier(RFC_VERIFIER);
        assert_eq!(v.s256(), RFC_CHALLENGE);
        assert_eq!(verify(Some(&challenge(RFC_CHALLENGE)), Some(&v)), Ok(()));
    }

    /// Case B.18 (a), (b) and the authorization-request syntax.
    #[test]
    fn challenge_parsing() {
        use PkceError as E;
        let ok = Ok(Some(CodeChallenge(RFC_CHALLENGE.to_owned())));
        let bad_last = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"; // stray low bits
        let cases: &[(Option<&str>, Option<&str>, Parsed)] = &[
            (None, None, Ok(None)),
            (Some(""), Some(""), Ok(None)),
            (Some(RFC_CHALLENGE), Some("S256"), ok.clone()),
            (
                Some(RFC_CHALLENGE),
                Some("plain"),
                Err(E::PlainNotSupported),
            ),
            (Some(RFC_VERIFIER), Some("plain"), Err(E::PlainNotSupported)),
            (Some(RFC_CHALLENGE), None, Err(E::MissingMethod)),
            (Some(RFC_CHALLENGE), Some(""), Err(E::MissingMethod)),
            (None, Some("S256"), Err(E::MissingChallenge)),
            (Some(""), Some("S256"), Err(E::MissingChallenge)),
            (None, Some("plain"), Err(E::MissingChallenge)),
            (
                Some(RFC_CHALLENGE),
                Some("s256"),
                Err(E::UnsupportedMethod("s256".into())),
            ),
            (
                Some(RFC_CHALLENGE),
                Some("S512"),
                Err(E::UnsupportedMethod("S512".into())),
            ),
            (
                Some(RFC_CHALLENGE),
                Some(" S256"),
                Err(E::UnsupportedMethod(" S256".into())),
            ),
            (
                Some(RFC_CHALLENGE),
                Some(&"x".repeat(100)),
                Err(E::UnsupportedMethod("x".repeat(ECHO_MAX))),
            ),
            (
                Some(&RFC_CHALLENGE[..42]),
                Some("S256"),
                Err(E::InvalidChallenge),
            ),
            (
                Some(&format!("{RFC_CHALLENGE}A")),
                Some("S256"),
                Err(E::InvalidChallenge),
            ),
            (
                Some(&format!("{RFC_CHALLENGE}=")),
                Some("S256"),
                Err(E::InvalidChallenge),
            ),
            (
                Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"),
                Some("S256"),
                Err(E::InvalidChallenge),
            ),
            (
                Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw/cM"),
                Some("S256"),
                Err(E::InvalidChallenge),
            ),
            (
                Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw.cM"),
                Some("S256"),
                Err(E::InvalidChallenge),
            ),
            (
                Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw cM"),
                Some("S256"),
                Err(E::InvalidChallenge),
            ),
            (Some(bad_last), Some("S256"), Err(E::InvalidChallenge)),
            // The Appendix B verifier is 43 base64url characters too: a (different) challenge.
            (
                Some(RFC_VERIFIER),
                Some("S256"),
                Ok(Some(CodeChallenge(RFC_VERIFIER.to_owned()))),
            ),
        ];
        for (c, m, want) in cases {
            assert_eq!(&CodeChallenge::parse(*c, *m), want, "{c:?} {m:?}");
        }
    }

    /// Case B.18 (f).
    #[test]
    fn verifier_parsing() {
        let unreserved = "ABCXYZabcxyz0189-._~";
        let ok: &[String] = &[
            RFC_VERIFIER.to_owned(),
            "a".repeat(43),
            "a".repeat(128),
            unreserved.repeat(3),
            "~".repeat(43),
        ];
        for s in ok {
            assert_eq!(CodeVerifier::parse(s).map(|v| v.0), Ok(s.clone()), "{s}");
        }
        let bad: &[String] = &[
            String::new(),
            "a".repeat(42),
            "a".repeat(129),
            RFC_VERIFIER[..42].to_owned(),
            format!("{RFC_VERIFIER}+"),
            format!("{RFC_VERIFIER}/"),
            format!("{RFC_VERIFIER}="),
            format!("{RFC_VERIFIER}%"),
            format!("{RFC_VERIFIER} "),
            format!(" {RFC_VERIFIER}"),
            format!("{RFC_VERIFIER}\n"),
            format!("{RFC_VERIFIER}\0"),
            format!("{}é", "a".repeat(42)),
            format!("{}аa", "a".repeat(42)),
        ];
        for s in bad {
            assert_eq!(
                CodeVerifier::parse(s).map(|v| v.0),
                Err(PkceError::InvalidVerifier),
                "{s:?}"
            );
        }
    }

    /// Case B.18 (d), (e) and a wrong verifier.
    #[test]
    fn verify_outcomes() {
        use PkceError as E;
        let c = challenge(RFC_CHALLENGE);
        let good = verifier(RFC_VERIFIER);
        let wrong = verifier(&format!("{}F", &RFC_VERIFIER[..42]));
        let longer = verifier(&format!("{RFC_VERIFIER}a"));
        let challenge_as_verifier = verifier(RFC_CHALLENGE);
        let cases: &[(Option<&CodeChallenge>, Option<&CodeVerifier>, Checked)] = &[
            (None, None, Ok(())),
            (Some(&c), Some(&good), Ok(())),
            (Some(&c), None, Err(E::MissingVerifier)),
            (None, Some(&good), Err(E::UnexpectedVerifier)),
            (Some(&c), Some(&wrong), Err(E::Mismatch)),
            (Some(&c), Some(&longer), Err(E::Mismatch)),
            (Some(&c), Some(&challenge_as_verifier), Err(E::Mismatch)),
        ];
        for (i, (c, v, want)) in cases.iter().enumerate() {
            assert_eq!(&verify(*c, *v), want, "case {i}");
        }
    }

    #[test]
    fn error_codes() {
        use PkceError as E;
        for e in [
            E::MissingMethod,
            E::MissingChallenge,
            E::PlainNotSupported,
            E::UnsupportedMethod("x".into()),
            E::InvalidChallenge,
            E::InvalidVerifier,
        ] {
            assert_eq!(e.oauth_error(), ErrorCode::InvalidRequest, "{e}");
        }
        for e in [E::MissingVerifier, E::UnexpectedVerifier, E::Mismatch] {
            assert_eq!(e.oauth_error(), ErrorCode::InvalidGrant, "{e}");
        }
    }

    #[test]
    fn stored_round_trip_and_redacted_debug() {
        let c = challenge(RFC_CHALLENGE);
        assert_eq!(CodeChallenge::from_stored(c.as_str()), Ok(c.clone()));
        assert_eq!(
            CodeChallenge::from_stored("nope"),
            Err(PkceError::InvalidChallenge)
        );
        assert_eq!(
            CodeChallenge::from_stored(""),
            Err(PkceError::InvalidChallenge)
        );
        assert_eq!(c.method(), "S256");
        assert_eq!(
            format!("{:?}", verifier(RFC_VERIFIER)),
            "CodeVerifier(<redacted>)"
        );
    }
}
