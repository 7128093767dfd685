//! The base64 flavours JOSE uses.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};

/// base64url without padding (RFC 7515 §2), as in JWS segments and JWK members.
pub(crate) fn url_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Appends the base64url (no padding) form of `bytes` to `out`.
pub(crate) fn url_encode_into(bytes: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(bytes, out);
}

const INDIFFERENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);

/// Standard alphabet, padding optional when decoding.
pub(crate) const STANDARD_LENIENT: GeneralPurpose =
    GeneralPurpose::new(&alphabet::STANDARD, INDIFFERENT);

/// URL-safe alphabet, padding optional when decoding.
pub(crate) const URL_SAFE_LENIENT: GeneralPurpose =
    GeneralPurpose::new(&alphabet::URL_SAFE, INDIFFERENT);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoding_has_no_padding_and_url_alphabet() {
        assert_eq!(url_encode(&[0xfb, 0xff]), "-_8");
        let mut s = String::from("x.");
        url_encode_into(b"hi", &mut s);
        assert_eq!(s, "x.aGk");
    }

    #[test]
    fn lenient_engines_accept_both_padding_forms() {
        assert_eq!(STANDARD_LENIENT.decode("+/8=").unwrap(), [0xfb, 0xff]);
        assert_eq!(STANDARD_LENIENT.decode("+/8").unwrap(), [0xfb, 0xff]);
        assert_eq!(URL_SAFE_LENIENT.decode("-_8=").unwrap(), [0xfb, 0xff]);
        assert_eq!(URL_SAFE_LENIENT.decode("-_8").unwrap(), [0xfb, 0xff]);
        assert!(STANDARD_LENIENT.decode("-_8").is_err());
    }
}
