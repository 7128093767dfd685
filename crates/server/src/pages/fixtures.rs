//! What the page tests share: a fixed nonce and a hostile string with its escaped form.

use portcullis_core::Rng;

use super::CspNonce;

pub const NONCE: &str = "+/v7+/v7+/v7+/v7+/v7+w==";
pub const XSS: &str = "\"><script>alert(1)</script>";
pub const XSS_ESCAPED: &str = "&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;";

struct FixedRng;

impl Rng for FixedRng {
    fn fill(&self, dest: &mut [u8]) {
        dest.fill(0xfb);
    }
}

/// The nonce every page test renders with: [`NONCE`].
pub fn nonce() -> CspNonce {
    let n = CspNonce::generate(&FixedRng);
    assert_eq!(n.as_str(), NONCE);
    n
}
