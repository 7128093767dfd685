//! Password hashing for users of the username/password database connection.
//!
//! New hashes are Argon2id (version 0x13) PHC strings with a 16-byte salt from the
//! injected [`Rng`] and a 32-byte output (security case E36). Verification also accepts
//! bcrypt hashes (`$2a$`, `$2b$`, `$2y$`) of users imported from Auth0; those always ask
//! to be rehashed.
//!
//! Hashing is deliberately slow, so it runs on Tokio's blocking pool behind a semaphore:
//! a login flood queues for a permit instead of starving the async runtime. An unknown
//! user is verified against a valid dummy hash made with the same parameters, so that
//! path costs the same Argon2 work as a wrong password (security case E37).

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::password_hash::{
    PasswordHash as Phc, PasswordHasher as _, PasswordVerifier as _, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::rng::Rng;

/// Salt length of new hashes, in bytes (22 base64 characters in the PHC string).
const SALT_LEN: usize = 16;
/// Output length of new hashes, in bytes.
const OUTPUT_LEN: usize = 32;
/// The highest stored Argon2 memory cost [`PasswordHash::parse`] accepts (256 MiB), so
/// that one stored or imported hash cannot make every login attempt on it exhaust memory.
const MAX_M_KIB: u32 = 256 * 1024;
/// The highest stored Argon2 time cost accepted.
const MAX_T: u32 = 16;
/// The highest stored Argon2 parallelism accepted.
const MAX_P: u32 = 16;
/// The highest bcrypt cost accepted. Auth0 exports cost 10; each step doubles the work,
/// and cost 31 would hold a hashing permit for hours.
const MAX_BCRYPT_COST: u32 = 15;

/// A password as presented by a user: never truncated, never case-folded, Unicode kept
/// exactly as given (no normalisation). Its `Debug` never prints it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(value: String) -> Self {
        Password(value)
    }
    /// The clear value, e.g. for a password-policy check.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A stored password hash: an Argon2 PHC string or an imported bcrypt hash.
///
/// Not a secret in the sense of a client secret, but it is offline-crackable material,
/// so `Debug` shows only the algorithm and parameters, and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Reads a stored hash; `None` unless it is a complete Argon2 PHC string (algorithm,
    /// parameters, salt *and* hash: one without a hash would verify as "no match"
    /// without doing any work) or a `$2a$`/`$2b$`/`$2y$` bcrypt hash, within the cost
    /// limits above.
    pub fn parse(stored: &str) -> Option<Self> {
        let ok = if is_bcrypt(stored) {
            parse_bcrypt_cost(stored).is_some()
        } else {
            parse_argon2(stored).is_some()
        };
        ok.then(|| PasswordHash(stored.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` -> the first three fields;
        // `$2b$10$<salt+hash>` -> the first two.
        let keep = if is_bcrypt(&self.0) { 3 } else { 4 };
        let header: Vec<&str> = self.0.split('$').take(keep).collect();
        write!(f, "PasswordHash({}$<redacted>)", header.join("$"))
    }
}

/// Argon2id parameters for new hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashParams {
    m_kib: u32,
    t: u32,
    p: u32,
}

impl HashParams {
    /// OWASP Password Storage Cheat Sheet minimum: m=19 MiB, t=2, p=1. The default.
    pub const OWASP: HashParams = HashParams {
        m_kib: 19456,
        t: 2,
        p: 1,
    };
    /// RFC 9106 section 4, second recommended option: m=64 MiB, t=3, p=4.
    pub const RFC9106_LOW_MEMORY: HashParams = HashParams {
        m_kib: 65536,
        t: 3,
        p: 4,
    };

    /// Custom parameters; `None` unless Argon2 accepts them and they are within the
    /// limits [`PasswordHash::parse`] accepts. Weaker than [`HashParams::OWASP`] is
    /// allowed (tests use m=1024, t=1); configuration should check
    /// [`HashParams::meets_owasp_minimum`].
    pub fn new(m_kib: u32, t: u32, p: u32) -> Option<Self> {
        let params = HashParams { m_kib, t, p };
        (params.within_limits() && params.argon2().is_ok()).then_some(params)
    }

    pub fn m_kib(&self) -> u32 {
        self.m_kib
    }
    pub fn t(&self) -> u32 {
        self.t
    }
    pub fn p(&self) -> u32 {
        self.p
    }

    /// m ≥ 19456 KiB and t ≥ 2 (security case E36).
    pub fn meets_owasp_minimum(&self) -> bool {
        self.m_kib >= Self::OWASP.m_kib && self.t >= Self::OWASP.t && self.p >= 1
    }

    fn within_limits(&self) -> bool {
        self.m_kib <= MAX_M_KIB && self.t <= MAX_T && self.p <= MAX_P
    }

    fn argon2(&self) -> Result<Params, argon2::Error> {
        Params::new(self.m_kib, self.t, self.p, Some(OUTPUT_LEN))
    }
}

impl Default for HashParams {
    fn default() -> Self {
        Self::OWASP
    }
}

/// The outcome of [`PasswordHasher::verify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub matched: bool,
    /// The password matched and the stored hash is not an Argon2id hash with the
    /// hasher's current parameters: store `hash(password)` in its place. Always false
    /// when the password did not match, so a wrong password is never stored.
    pub needs_rehash: bool,
}

/// Password hashing failed. Never carries the password.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The hash function reported an error (invalid parameters or stored hash).
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// The blocking task did not complete (no Tokio runtime, or the task panicked).
    #[error("password hashing task failed")]
    Pool,
}

/// Hashes and verifies passwords on Tokio's blocking pool, at most `max_concurrent` at
/// a time. Requires a Tokio runtime.
pub struct PasswordHasher {
    params: HashParams,
    permits: Arc<Semaphore>,
    rng: Arc<dyn Rng>,
    /// A valid hash, with `params`, of a random password nobody knows, made on first
    /// need (so starting the server does not wait for an Argon2 hash). If making it
    /// fails, `verify(None)` fails rather than silently skipping the work.
    dummy: tokio::sync::OnceCell<PasswordHash>,
    gauge: Arc<Gauge>,
}

impl PasswordHasher {
    /// Builds the hasher. `max_concurrent` is clamped to at least 1;
    /// [`PasswordHasher::default_concurrency`] is the number of CPUs.
    pub fn new(params: HashParams, max_concurrent: usize, rng: Arc<dyn Rng>) -> Self {
        PasswordHasher {
            params,
            permits: Arc::new(Semaphore::new(
                max_concurrent.clamp(1, Semaphore::MAX_PERMITS),
            )),
            rng,
            dummy: tokio::sync::OnceCell::new(),
            gauge: Arc::new(Gauge::default()),
        }
    }

    /// The dummy hash for unknown users, made once on the blocking pool.
    async fn dummy(&self) -> Result<PasswordHash, PasswordError> {
        self.dummy
            .get_or_try_init(|| async {
                let mut dummy_password = [0u8; 32];
                self.rng.fill(&mut dummy_password);
                let mut salt = [0u8; SALT_LEN];
                self.rng.fill(&mut salt);
                let params = self.params;
                self.run(move || hash_blocking(params, &dummy_password, &salt))
                    .await?
            })
            .await
            .cloned()
    }

    /// The number of CPUs (`std::thread::available_parallelism`), or 1 if unknown.
    pub fn default_concurrency() -> usize {
        std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
    }

    pub fn params(&self) -> HashParams {
        self.params
    }

    /// Hashes currently running on the blocking pool (not those queued for a permit).
    pub fn in_flight(&self) -> usize {
        self.gauge.current.load(Ordering::Relaxed)
    }

    /// A new Argon2id hash of `pw` with a fresh 16-byte salt.
    pub async fn hash(&self, pw: &Password) -> Result<PasswordHash, PasswordError> {
        let mut salt = [0u8; SALT_LEN];
        self.rng.fill(&mut salt);
        let params = self.params;
        let pw = pw.0.clone();
        self.run(move || hash_blocking(params, pw.as_bytes(), &salt))
            .await?
    }

    /// Checks `pw` against `stored`. With `stored = None` (unknown user) the same Argon2
    /// work is done against the dummy hash and the verdict is always "no match".
    ///
    /// bcrypt hashes only use the first 72 bytes of the password: that is inherent in
    /// an imported bcrypt hash, and goes away when the match rehashes it with Argon2id.
    pub async fn verify(
        &self,
        pw: &Password,
        stored: Option<&PasswordHash>,
    ) -> Result<Verdict, PasswordError> {
        let (target, known) = match stored {
            Some(hash) => (hash.clone(), true),
            None => (self.dummy().await?, false),
        };
        let stale = !is_current(&target, self.params);
        let pw = pw.0.clone();
        let matched = self
            .run(move || verify_blocking(pw.as_bytes(), &target))
            .await??
            && known;
        Ok(Verdict {
            matched,
            needs_rehash: matched && stale,
        })
    }

    /// Runs `work` on the blocking pool once a permit is free. The permit moves into the
    /// task, so it is held until the work ends even if the caller's future is dropped.
    async fn run<T, F>(&self, work: F) -> Result<T, PasswordError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| PasswordError::Pool)?;
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| PasswordError::Pool)?;
        let gauge = Arc::clone(&self.gauge);
        runtime
            .spawn_blocking(move || {
                let _permit = permit;
                let _entered = gauge.enter();
                work()
            })
            .await
            .map_err(|_| PasswordError::Pool)
    }
}

impl fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .field("available_permits", &self.permits.available_permits())
            .finish_non_exhaustive()
    }
}

/// Hashes running now, and the most ever seen at once.
#[derive(Default)]
struct Gauge {
    current: AtomicUsize,
    peak: AtomicUsize,
}

impl Gauge {
    fn enter(&self) -> GaugeGuard<'_> {
        let now = self.current.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        GaugeGuard(self)
    }
}

struct GaugeGuard<'a>(&'a Gauge);

impl Drop for GaugeGuard<'_> {
    fn drop(&mut self) {
        self.0.current.fetch_sub(1, Ordering::SeqCst);
    }
}

fn hash_blocking(
    params: HashParams,
    password: &[u8],
    salt: &[u8; SALT_LEN],
) -> Result<PasswordHash, PasswordError> {
    let argon2 = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        params
            .argon2()
            .map_err(|e| PasswordError::Hash(e.to_string()))?,
    );
    let salt = SaltString::encode_b64(salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    let phc = argon2
        .hash_password(password, &salt)
        .map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(PasswordHash(phc.to_string()))
}

fn verify_blocking(password: &[u8], stored: &PasswordHash) -> Result<bool, PasswordError> {
    if is_bcrypt(stored.as_str()) {
        return bcrypt::verify(password, stored.as_str())
            .map_err(|e| PasswordError::Hash(e.to_string()));
    }
    let phc = parse_argon2(stored.as_str())
        .ok_or_else(|| PasswordError::Hash("stored hash is not a valid Argon2 hash".into()))?;
    // `verify_password` takes algorithm, version and parameters from the stored hash.
    match Argon2::default().verify_password(password, &phc) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(PasswordError::Hash(e.to_string())),
    }
}

fn is_bcrypt(stored: &str) -> bool {
    ["$2a$", "$2b$", "$2y$"]
        .iter()
        .any(|prefix| stored.starts_with(prefix))
}

/// The cost of a well-formed bcrypt hash within the accepted range.
fn parse_bcrypt_cost(stored: &str) -> Option<u32> {
    let parts: bcrypt::HashParts = stored.parse().ok()?;
    let cost = parts.get_cost();
    (4..=MAX_BCRYPT_COST).contains(&cost).then_some(cost)
}

/// A complete Argon2 PHC string (salt and hash present, salt long enough for Argon2,
/// parameters valid and within limits).
fn parse_argon2(stored: &str) -> Option<Phc<'_>> {
    let phc = Phc::new(stored).ok()?;
    Algorithm::try_from(phc.algorithm).ok()?;
    if let Some(version) = phc.version {
        Version::try_from(version).ok()?;
    }
    let params = Params::try_from(&phc).ok()?;
    let within = HashParams {
        m_kib: params.m_cost(),
        t: params.t_cost(),
        p: params.p_cost(),
    }
    .within_limits();
    let mut buf = [0u8; 64];
    let salt_len = phc.salt?.decode_b64(&mut buf).ok()?.len();
    (within && phc.hash.is_some() && salt_len >= argon2::MIN_SALT_LEN).then_some(phc)
}

/// Whether `stored` is exactly what [`PasswordHasher::hash`] makes with `params` now.
fn is_current(stored: &PasswordHash, params: HashParams) -> bool {
    let Some(phc) = parse_argon2(stored.as_str()) else {
        return false;
    };
    let Ok(p) = Params::try_from(&phc) else {
        return false;
    };
    let mut buf = [0u8; 64];
    let salt_len = phc
        .salt
        .and_then(|s| s.decode_b64(&mut buf).ok().map(|b| b.len()));
    phc.algorithm == Algorithm::Argon2id.ident()
        && phc.version == Some(Version::V0x13.into())
        && p.m_cost() == params.m_kib
        && p.t_cost() == params.t
        && p.p_cost() == params.p
        && p.output_len() == Some(OUTPUT_LEN)
        && p.keyid().is_empty()
        && p.data().is_empty()
        && salt_len.is_some_and(|n| n >= SALT_LEN)
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::rng::SystemRng;

    fn small() -> HashParams {
        HashParams::new(1024, 1, 1).unwrap()
    }

    fn hasher(params: HashParams, max_concurrent: usize) -> PasswordHasher {
        PasswordHasher::new(params, max_concurrent, Arc::new(SystemRng::new()))
    }

    fn pw(s: &str) -> Password {
        Password::new(s.to_owned())
    }

    const MATCH: Verdict = Verdict {
        matched: true,
        needs_rehash: false,
    };
    const NO_MATCH: Verdict = Verdict {
        matched: false,
        needs_rehash: false,
    };

    #[tokio::test]
    async fn round_trip_and_wrong_password() {
        let h = hasher(small(), 2);
        let stored = h.hash(&pw("correct horse")).await.unwrap();
        assert_eq!(
            h.verify(&pw("correct horse"), Some(&stored)).await.unwrap(),
            MATCH
        );
        assert_eq!(
            h.verify(&pw("correct horsf"), Some(&stored)).await.unwrap(),
            NO_MATCH
        );
        assert_eq!(h.verify(&pw(""), Some(&stored)).await.unwrap(), NO_MATCH);
        assert_eq!(PasswordHash::parse(stored.as_str()), Some(stored.clone()));
    }

    #[tokio::test]
    async fn owasp_params_make_the_expected_phc_string() {
        let h = hasher(HashParams::default(), 1);
        let stored = h.hash(&pw("hunter2")).await.unwrap();
        let rest = stored
            .as_str()
            .strip_prefix("$argon2id$v=19$m=19456,t=2,p=1$")
            .unwrap();
        let (salt, hash) = rest.split_once('$').unwrap();
        assert_eq!(salt.len(), 22, "16-byte salt");
        assert_eq!(hash.len(), 43, "32-byte output");
        assert_eq!(
            h.verify(&pw("hunter2"), Some(&stored)).await.unwrap(),
            MATCH
        );
    }

    #[tokio::test]
    async fn long_and_unicode_passwords_are_not_truncated_or_folded() {
        let h = hasher(small(), 2);

        let long: String = "abcdefghij".repeat(12); // 120 characters
        let stored = h.hash(&Password::new(long.clone())).await.unwrap();
        assert_eq!(
            h.verify(&Password::new(long.clone()), Some(&stored))
                .await
                .unwrap(),
            MATCH
        );
        let mut other: Vec<char> = long.chars().collect();
        other[99] = 'X';
        let other: String = other.into_iter().collect();
        assert_eq!(
            h.verify(&Password::new(other), Some(&stored))
                .await
                .unwrap(),
            NO_MATCH
        );
        assert_eq!(
            h.verify(&Password::new(long[..64].to_owned()), Some(&stored))
                .await
                .unwrap(),
            NO_MATCH
        );

        let stored = h.hash(&pw("Passwort")).await.unwrap();
        assert_eq!(
            h.verify(&pw("Passwort"), Some(&stored)).await.unwrap(),
            MATCH
        );
        assert_eq!(
            h.verify(&pw("passwort"), Some(&stored)).await.unwrap(),
            NO_MATCH
        );

        let unicode = "Pässwörd 🔐 密码 — ΣΊΣΥΦΟΣ";
        let stored = h.hash(&pw(unicode)).await.unwrap();
        assert_eq!(h.verify(&pw(unicode), Some(&stored)).await.unwrap(), MATCH);
        assert_eq!(
            h.verify(&pw(&unicode.to_lowercase()), Some(&stored))
                .await
                .unwrap(),
            NO_MATCH
        );
    }

    #[tokio::test]
    async fn two_hashes_of_one_password_differ() {
        let h = hasher(small(), 2);
        let a = h.hash(&pw("same")).await.unwrap();
        let b = h.hash(&pw("same")).await.unwrap();
        assert_ne!(a, b);
        assert_eq!(h.verify(&pw("same"), Some(&a)).await.unwrap(), MATCH);
        assert_eq!(h.verify(&pw("same"), Some(&b)).await.unwrap(), MATCH);
    }

    #[tokio::test]
    async fn needs_rehash_when_params_differ() {
        let old = hasher(HashParams::new(1024, 1, 1).unwrap(), 2);
        let new = hasher(HashParams::new(2048, 1, 1).unwrap(), 2);
        let stored = old.hash(&pw("pw")).await.unwrap();
        assert_eq!(
            new.verify(&pw("pw"), Some(&stored)).await.unwrap(),
            Verdict {
                matched: true,
                needs_rehash: true
            }
        );
        // A wrong password never asks for a rehash.
        assert_eq!(
            new.verify(&pw("nope"), Some(&stored)).await.unwrap(),
            NO_MATCH
        );
        assert_eq!(old.verify(&pw("pw"), Some(&stored)).await.unwrap(), MATCH);

        // Argon2i with the same costs is stale too.
        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            small().argon2().unwrap(),
        )
        .hash_password(b"pw", &SaltString::encode_b64(&[7; 16]).unwrap())
        .unwrap()
        .to_string();
        let argon2i = PasswordHash::parse(&argon2i).unwrap();
        assert_eq!(
            old.verify(&pw("pw"), Some(&argon2i)).await.unwrap(),
            Verdict {
                matched: true,
                needs_rehash: true
            }
        );
    }

    #[tokio::test]
    async fn bcrypt_hashes_verify_and_ask_for_rehash() {
        let h = hasher(small(), 2);
        let parts = bcrypt::hash_with_result("hunter2", 4).unwrap();
        for version in [
            bcrypt::Version::TwoA,
            bcrypt::Version::TwoB,
            bcrypt::Version::TwoY,
        ] {
            let stored = PasswordHash::parse(&parts.format_for_version(version)).unwrap();
            assert_eq!(
                h.verify(&pw("hunter2"), Some(&stored)).await.unwrap(),
                Verdict {
                    matched: true,
                    needs_rehash: true
                }
            );
            assert_eq!(
                h.verify(&pw("Hunter2"), Some(&stored)).await.unwrap(),
                NO_MATCH
            );
        }
        // `$2x$` (the buggy crypt_blowfish variant) is not accepted.
        assert_eq!(
            PasswordHash::parse(&parts.format_for_version(bcrypt::Version::TwoX)),
            None
        );
    }

    #[tokio::test]
    async fn bcrypt_only_uses_the_first_72_bytes() {
        // Inherent in bcrypt: documented on `verify`, and why a match is rehashed.
        let h = hasher(small(), 2);
        let long = "x".repeat(72);
        let stored = PasswordHash::parse(&bcrypt::hash(&long, 4).unwrap()).unwrap();
        assert!(
            h.verify(&Password::new(format!("{long}tail")), Some(&stored))
                .await
                .unwrap()
                .matched
        );
    }

    #[test]
    fn bcrypt_cost_is_bounded() {
        let parts = bcrypt::hash_with_result("pw", 4).unwrap();
        let s = parts.format_for_version(bcrypt::Version::TwoB);
        assert!(PasswordHash::parse(&s).is_some());
        assert_eq!(PasswordHash::parse(&s.replacen("$04$", "$31$", 1)), None);
        assert_eq!(PasswordHash::parse(&s.replacen("$04$", "$03$", 1)), None);
    }

    #[test]
    fn parse_rejects_incomplete_and_foreign_hashes() {
        let salt = "c2FsdHNhbHRzYWx0c2FsdA";
        let hash = "eXV6VXJ6TnVXZ1dCU2VQd01rbGJLUmJzUm5xaVdyZGg";
        let full = format!("$argon2id$v=19$m=1024,t=1,p=1${salt}${hash}");
        assert!(PasswordHash::parse(&full).is_some());
        // No hash part: argon2 would report "no match" without doing the work.
        assert_eq!(
            PasswordHash::parse(&format!("$argon2id$v=19$m=1024,t=1,p=1${salt}")),
            None
        );
        assert_eq!(PasswordHash::parse("$argon2id$v=19$m=1024,t=1,p=1"), None);
        // Salt shorter than Argon2's 8-byte minimum.
        assert_eq!(
            PasswordHash::parse(&format!("$argon2id$v=19$m=1024,t=1,p=1$c2FsdA${hash}")),
            None
        );
        // Parameters Argon2 rejects, or beyond the limits.
        assert_eq!(
            PasswordHash::parse(&format!("$argon2id$v=19$m=1,t=1,p=1${salt}${hash}")),
            None
        );
        assert_eq!(
            PasswordHash::parse(&format!("$argon2id$v=19$m=4194304,t=1,p=1${salt}${hash}")),
            None
        );
        assert_eq!(
            PasswordHash::parse(&format!("$argon2id$v=17$m=1024,t=1,p=1${salt}${hash}")),
            None
        );
        assert_eq!(
            PasswordHash::parse(&format!("$pbkdf2-sha256$i=1000${salt}${hash}")),
            None
        );
        assert_eq!(PasswordHash::parse(""), None);
        assert_eq!(PasswordHash::parse("hunter2"), None);
        assert_eq!(PasswordHash::parse("$2b$10$short"), None);
    }

    #[test]
    fn hash_params_validate() {
        assert_eq!(HashParams::default(), HashParams::OWASP);
        assert!(HashParams::OWASP.meets_owasp_minimum());
        assert!(HashParams::RFC9106_LOW_MEMORY.meets_owasp_minimum());
        assert!(!small().meets_owasp_minimum());
        assert_eq!(
            HashParams::new(19456, 2, 1),
            Some(HashParams::OWASP),
            "OWASP constant is valid"
        );
        assert_eq!(
            HashParams::new(65536, 3, 4),
            Some(HashParams::RFC9106_LOW_MEMORY)
        );
        assert_eq!(HashParams::new(1024, 0, 1), None);
        assert_eq!(HashParams::new(1024, 1, 0), None);
        assert_eq!(HashParams::new(4, 1, 1), None);
        assert_eq!(HashParams::new(1 << 20, 1, 1), None);
    }

    #[tokio::test]
    async fn unknown_user_is_verified_against_a_valid_dummy() {
        let params = small();
        let h = hasher(params, 2);
        let dummy = h.dummy().await.unwrap();
        // A complete PHC string with the hasher's current parameters ...
        assert_eq!(PasswordHash::parse(dummy.as_str()), Some(dummy.clone()));
        assert!(dummy.as_str().starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert!(is_current(&dummy, params));
        // ... that argon2 verifies (a wrong password is a clean "no match", not an error).
        assert!(!verify_blocking(b"guess", &dummy).unwrap());
        assert_eq!(h.verify(&pw("guess"), None).await.unwrap(), NO_MATCH);
        assert_eq!(h.verify(&pw(""), None).await.unwrap(), NO_MATCH);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_semaphore_bounds_concurrent_hashes() {
        for max in [1, 2] {
            let h = Arc::new(hasher(HashParams::new(2048, 1, 1).unwrap(), max));
            let tasks: Vec<_> = (0..6)
                .map(|i| {
                    let h = Arc::clone(&h);
                    tokio::spawn(async move { h.hash(&Password::new(format!("pw{i}"))).await })
                })
                .collect();
            for task in tasks {
                task.await.unwrap().unwrap();
            }
            let peak = h.gauge.peak.load(Ordering::SeqCst);
            assert!(peak >= 1 && peak <= max, "peak {peak} with max {max}");
            assert_eq!(h.in_flight(), 0);
            assert_eq!(h.permits.available_permits(), max);
        }
    }

    #[tokio::test]
    async fn zero_concurrency_is_clamped_to_one() {
        let h = hasher(small(), 0);
        assert!(h.hash(&pw("x")).await.is_ok());
        assert!(PasswordHasher::default_concurrency() >= 1);
    }

    #[test]
    fn without_a_runtime_it_errors_instead_of_panicking() {
        let h = hasher(small(), 1);
        let result = block_on_without_runtime(h.hash(&pw("x")));
        assert!(matches!(result, Err(PasswordError::Pool)));
    }

    /// Polls a future on this thread without a Tokio runtime.
    fn block_on_without_runtime<F: std::future::Future>(fut: F) -> F::Output {
        use std::task::{Context, Poll, Waker};
        let mut fut = std::pin::pin!(fut);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    #[test]
    fn debug_is_redacted() {
        assert_eq!(format!("{:?}", pw("hunter2")), "Password(<redacted>)");
        let stored = PasswordHash::parse(
            "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$eXV6VXJ6TnVXZ1dCU2VQd01rbGJLUmJzUm5xaVdyZGg",
        )
        .unwrap();
        assert_eq!(
            format!("{stored:?}"),
            "PasswordHash($argon2id$v=19$m=1024,t=1,p=1$<redacted>)"
        );
        let bcrypt = PasswordHash::parse(&bcrypt::hash("pw", 4).unwrap()).unwrap();
        assert_eq!(format!("{bcrypt:?}"), "PasswordHash($2b$04$<redacted>)");
        let e = PasswordError::Hash("boom".into());
        assert!(!format!("{e} {e:?}").contains("hunter2"));
    }
}
