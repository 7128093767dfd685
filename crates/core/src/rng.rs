//! Injected randomness. Production uses the operating system's CSPRNG through aws-lc-rs.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub trait Rng: Send + Sync + 'static {
    /// Fills `dest` with random bytes. Must be a CSPRNG outside tests.
    fn fill(&self, dest: &mut [u8]);
}

/// The operating system's CSPRNG (aws-lc-rs `SystemRandom`).
#[derive(Debug, Default)]
pub struct SystemRng(aws_lc_rs::rand::SystemRandom);

impl SystemRng {
    pub fn new() -> Self {
        SystemRng(aws_lc_rs::rand::SystemRandom::new())
    }
}

impl Rng for SystemRng {
    fn fill(&self, dest: &mut [u8]) {
        use aws_lc_rs::rand::SecureRandom;
        // aws-lc's RNG does not fail once initialised. If it ever did, handing out
        // predictable bytes as secrets would be worse than stopping: abort.
        if self.0.fill(dest).is_err() {
            std::process::abort();
        }
    }
}

/// `n` random bytes, base64url without padding.
pub fn random_b64url(rng: &dyn Rng, n: usize) -> String {
    let mut buf = vec![0u8; n];
    rng.fill(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A random string of `len` characters from `[A-Za-z0-9]`, without modulo bias
/// (Auth0 client ids look like this: 32 alphanumerics).
pub fn random_alphanumeric(rng: &dyn Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        rng.fill(&mut buf);
        for b in buf {
            // 62 * 4 = 248: reject 248..=255 so every character is equally likely.
            if b < 248 && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphanumeric_has_requested_length_and_alphabet() {
        let s = random_alphanumeric(&SystemRng::new(), 32);
        assert_eq!(s.len(), 32);
        assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    #[test]
    fn b64url_encodes_n_bytes() {
        assert_eq!(random_b64url(&SystemRng::new(), 32).len(), 43);
    }
}
