//! Injected randomness: session ids, login state, nonces, PKCE verifiers and cookie IVs
//! all come from a [`Random`], so tests can fix them.

use portcullis_jose::{IvSource, JoseError};

/// A source of random bytes.
pub trait Random: Send + Sync {
    fn fill(&self, buf: &mut [u8]);
}

/// The operating system's CSPRNG (aws-lc-rs).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemRandom;

impl Random for SystemRandom {
    fn fill(&self, buf: &mut [u8]) {
        // aws-lc's generator does not fail once seeded. If it ever did, predictable
        // session ids or nonces would be worse than stopping: fail closed.
        if aws_lc_rs::rand::fill(buf).is_err() {
            tracing::error!("the system random generator failed; stopping");
            std::process::abort();
        }
    }
}

/// Cookie IVs from a [`Random`].
pub(crate) struct IvFrom<'a>(pub &'a dyn Random);

impl IvSource for IvFrom<'_> {
    fn fill_iv(&self, iv: &mut [u8; 12]) -> Result<(), JoseError> {
        self.0.fill(iv);
        Ok(())
    }
}
