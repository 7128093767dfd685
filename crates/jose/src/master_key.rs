//! The master key that seals private keys at rest (AES-256-GCM).

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::JoseError;
use crate::b64::{STANDARD_LENIENT, URL_SAFE_LENIENT};

/// Length of a master key in bytes.
const KEY_LEN: usize = 32;
/// First byte of every sealed value: AES-256-GCM, 12-byte random nonce, 16-byte tag.
const VERSION_1: u8 = 0x01;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 1 + NONCE_LEN;

const EXPECTED: &str = "master key must be 32 bytes, base64 or hex encoded";

/// 32 secret bytes from configuration, zeroized on drop.
///
/// Sealed values are `0x01 || nonce (12) || ciphertext || tag (16)`; the associated data
/// (for signing keys, the kid) is authenticated but not stored. `Debug` is redacted and
/// equality is constant-time.
pub struct MasterKey(Zeroizing<[u8; KEY_LEN]>);

impl MasterKey {
    /// A new random key from the system's secure random source.
    pub fn generate() -> Result<MasterKey, JoseError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        SystemRandom::new()
            .fill(&mut bytes[..])
            .map_err(|_| JoseError::InvalidMasterKey("cannot generate a master key".into()))?;
        Ok(MasterKey(bytes))
    }

    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> MasterKey {
        MasterKey(Zeroizing::new(bytes))
    }

    /// Reads a key as written in configuration: 64 hex digits, or standard base64 (padded
    /// or not) or base64url of exactly 32 bytes. Surrounding whitespace is ignored.
    ///
    /// The error never contains the input.
    pub fn parse(text: &str) -> Result<MasterKey, JoseError> {
        let text = text.trim();
        let decoded = if text.len() == 2 * KEY_LEN && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            decode_hex(text)
        } else {
            STANDARD_LENIENT
                .decode(text)
                .or_else(|_| URL_SAFE_LENIENT.decode(text))
                .map(Zeroizing::new)
                .map_err(|_| JoseError::InvalidMasterKey(EXPECTED.to_owned()))?
        };
        let bytes: [u8; KEY_LEN] = decoded.as_slice().try_into().map_err(|_| {
            JoseError::InvalidMasterKey(format!("{EXPECTED} (got {} bytes)", decoded.len()))
        })?;
        Ok(MasterKey::from_bytes(bytes))
    }

    /// Standard base64 with padding, as [`MasterKey::parse`] reads it.
    /// A key for one purpose, derived with HKDF-SHA256 (empty salt, `purpose` as info),
    /// so data sealed for one purpose can never be opened as another's.
    pub fn derive(&self, purpose: &[u8]) -> Result<MasterKey, JoseError> {
        struct Len32;
        impl aws_lc_rs::hkdf::KeyType for Len32 {
            fn len(&self) -> usize {
                KEY_LEN
            }
        }
        let prk = aws_lc_rs::hkdf::Salt::new(aws_lc_rs::hkdf::HKDF_SHA256, &[]).extract(&*self.0);
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        let info = [purpose];
        prk.expand(&info, Len32)
            .and_then(|okm| okm.fill(&mut *out))
            .map_err(|_| JoseError::KeyDerivation)?;
        Ok(MasterKey(out))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(&self.0[..])
    }

    fn aead_key(&self) -> Result<LessSafeKey, aws_lc_rs::error::Unspecified> {
        Ok(LessSafeKey::new(UnboundKey::new(
            &AES_256_GCM,
            &self.0[..],
        )?))
    }

    /// Encrypts and authenticates `plaintext`, and authenticates `aad`.
    ///
    /// Output: `0x01 || 12-byte random nonce || ciphertext || 16-byte tag`.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, JoseError> {
        let key = self.aead_key().map_err(|_| JoseError::Encrypt)?;
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| JoseError::Encrypt)?;
        let mut sealed = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
        sealed.push(VERSION_1);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(plaintext);
        let tag = key
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut sealed[HEADER_LEN..],
            )
            .map_err(|_| JoseError::Encrypt)?;
        sealed.extend_from_slice(tag.as_ref());
        Ok(sealed)
    }

    /// Reverses [`MasterKey::seal`]. Any failure (wrong key, other `aad`, truncated or
    /// altered data, unknown version) is [`JoseError::Decrypt`].
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, JoseError> {
        let (version, rest) = sealed.split_first().ok_or(JoseError::Decrypt)?;
        if *version != VERSION_1 || rest.len() < NONCE_LEN + TAG_LEN {
            return Err(JoseError::Decrypt);
        }
        let (nonce, ciphertext_and_tag) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| JoseError::Decrypt)?;
        let key = self.aead_key().map_err(|_| JoseError::Decrypt)?;
        let mut buffer = Zeroizing::new(ciphertext_and_tag.to_vec());
        let plaintext_len = key
            .open_in_place(nonce, Aad::from(aad), &mut buffer)
            .map_err(|_| JoseError::Decrypt)?
            .len();
        buffer.truncate(plaintext_len);
        Ok(buffer)
    }
}

fn decode_hex(text: &str) -> Zeroizing<Vec<u8>> {
    fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => 0,
        }
    }
    Zeroizing::new(
        text.as_bytes()
            .chunks_exact(2)
            .map(|pair| (nibble(pair[0]) << 4) | nibble(pair[1]))
            .collect(),
    )
}

impl PartialEq for MasterKey {
    fn eq(&self, other: &MasterKey) -> bool {
        verify_slices_are_equal(&self.0[..], &other.0[..]).is_ok()
    }
}

impl Eq for MasterKey {}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn derived_keys_differ_by_purpose_and_do_not_open_each_other() {
        let master = super::MasterKey::generate().unwrap();
        let a = master.derive(b"a").unwrap();
        assert_eq!(a, master.derive(b"a").unwrap());
        assert_ne!(a, master.derive(b"b").unwrap());
        assert_ne!(a, master);
        let sealed = a.seal(b"x", b"").unwrap();
        assert!(master.derive(b"b").unwrap().open(&sealed, b"").is_err());
        assert_eq!(&*a.open(&sealed, b"").unwrap(), b"x");
    }
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

    use super::*;

    fn key(byte: u8) -> MasterKey {
        MasterKey::from_bytes([byte; KEY_LEN])
    }

    #[test]
    fn seal_open_round_trip() {
        let master = MasterKey::generate().unwrap();
        for plaintext in [&b""[..], b"x", &[7u8; 1000]] {
            let sealed = master.seal(plaintext, b"kid-1").unwrap();
            assert_eq!(sealed.len(), 1 + 12 + plaintext.len() + 16);
            assert_eq!(sealed[0], 0x01);
            assert_eq!(&**master.open(&sealed, b"kid-1").unwrap(), plaintext);
        }
    }

    #[test]
    fn seal_uses_a_fresh_nonce() {
        let master = key(1);
        let a = master.seal(b"same plaintext", b"").unwrap();
        let b = master.seal(b"same plaintext", b"").unwrap();
        assert_ne!(a, b);
        assert_ne!(a[1..13], b[1..13]);
    }

    #[test]
    fn open_rejects_everything_else() {
        let master = key(1);
        let sealed = master.seal(b"secret pkcs8", b"kid-1").unwrap();
        let decrypt = |m: &MasterKey, s: &[u8], aad: &[u8]| match m.open(s, aad) {
            Err(JoseError::Decrypt) => {}
            other => panic!("expected Decrypt, got {other:?}"),
        };

        decrypt(&key(2), &sealed, b"kid-1");
        decrypt(&master, &sealed, b"kid-2");
        decrypt(&master, &sealed, b"");
        for len in 0..sealed.len() {
            decrypt(&master, &sealed[..len], b"kid-1");
        }
        for i in 0..sealed.len() {
            let mut flipped = sealed.clone();
            flipped[i] ^= 0x80;
            decrypt(&master, &flipped, b"kid-1");
        }
        let mut version_2 = sealed.clone();
        version_2[0] = 0x02;
        decrypt(&master, &version_2, b"kid-1");
        let mut extended = sealed.clone();
        extended.push(0);
        decrypt(&master, &extended, b"kid-1");
    }

    #[test]
    fn decrypt_error_text() {
        assert_eq!(
            JoseError::Decrypt.to_string(),
            "cannot decrypt: wrong master key or corrupted data"
        );
    }

    #[test]
    fn parse_accepts_every_encoding_of_32_bytes() {
        let bytes: [u8; 32] =
            std::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(0xf0));
        let expected = MasterKey::from_bytes(bytes);
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let encodings = [
            STANDARD.encode(bytes),
            STANDARD_NO_PAD.encode(bytes),
            URL_SAFE.encode(bytes),
            URL_SAFE_NO_PAD.encode(bytes),
            hex.clone(),
            hex.to_uppercase(),
            format!("  {}\n", STANDARD.encode(bytes)),
            format!("{hex}\n"),
        ];
        for text in &encodings {
            assert_eq!(MasterKey::parse(text).unwrap(), expected, "{text:?}");
        }
        // Make sure both alphabets were exercised.
        assert!(encodings[0].contains(['+', '/']));
        assert!(encodings[2].contains(['-', '_']));
    }

    #[test]
    fn parse_rejects_wrong_lengths_and_garbage() {
        let short = [0x5au8; 31];
        let long = [0x5au8; 33];
        let inputs = [
            STANDARD.encode(short),
            STANDARD.encode(long),
            URL_SAFE_NO_PAD.encode(short),
            "ab".repeat(31),
            "ab".repeat(33),
            "zz".repeat(32),
            "not a key at all!".to_owned(),
            String::new(),
            "   ".to_owned(),
            format!("{}$", STANDARD_NO_PAD.encode([1u8; 32])),
        ];
        for text in &inputs {
            let err = MasterKey::parse(text).unwrap_err();
            let message = err.to_string();
            assert!(matches!(err, JoseError::InvalidMasterKey(_)), "{err:?}");
            assert!(
                message.contains("master key must be 32 bytes, base64 or hex encoded"),
                "{message}"
            );
            if !text.trim().is_empty() {
                assert!(!message.contains(text.trim()), "{message} echoes {text}");
            }
        }
    }

    #[test]
    fn base64_round_trip() {
        let master = MasterKey::generate().unwrap();
        let text = master.to_base64();
        assert_eq!(text.len(), 44);
        assert!(text.ends_with('='));
        assert_eq!(MasterKey::parse(&text).unwrap(), master);
        assert_ne!(MasterKey::generate().unwrap(), master);
    }

    #[test]
    fn debug_is_redacted() {
        let master = key(0xab);
        assert_eq!(format!("{master:?}"), "MasterKey(<redacted>)");
        assert_eq!(
            format!("{:?}", Some(&master)),
            "Some(MasterKey(<redacted>))"
        );
    }
}
