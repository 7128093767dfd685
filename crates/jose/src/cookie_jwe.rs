//! The Auth0 SDKs' session-cookie encryption: compact JWE with `alg: dir`, `enc: A256GCM`.
//!
//! nextjs-auth0 (v3 and v4) and express-openid-connect derive a 256-bit key from the app's
//! secret with HKDF-SHA256 (the secret's UTF-8 bytes as input key material, an empty salt,
//! info `"JWE CEK"`) and encrypt the session as a compact JWE whose protected header is the
//! AES-GCM associated data, exactly as sent. express-openid-connect and nextjs-auth0 v3 also
//! take an array of secrets: they encrypt with the first and decrypt with any, which is how a
//! secret is rotated. [`CookieKeyRing`] does the same.
//!
//! Decryption reads untrusted input and never panics: the length is capped
//! ([`MAX_COMPACT_LEN`]) before any work, every part is checked for shape, and the header must
//! be exactly the one algorithm pair (no `zip`, no `crit`, no duplicate members) before the
//! AEAD is tried.

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::hkdf::{HKDF_SHA256, KeyType, Salt};
use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::JoseError;
use crate::b64::{url_encode, url_encode_into};

/// The longest compact JWE accepted, in bytes, checked before anything else is done.
///
/// Browsers keep about 4 KB per cookie; the SDKs chunk a session past 3.5–4 KB, and even a
/// session of many chunks stays far below this.
pub const MAX_COMPACT_LEN: usize = 64 * 1024;
/// Length of the AES-GCM IV (the JWE initialization vector), in bytes.
pub const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;
const KEY_LEN: usize = 32;
/// base64url lengths (no padding) of the IV and the tag.
const IV_B64_LEN: usize = 16;
const TAG_B64_LEN: usize = 22;
/// HKDF info of the content-encryption key, as the Auth0 SDKs use it.
const ENCRYPTION_INFO: &[u8] = b"JWE CEK";

/// Where the 12-byte IV of a new JWE comes from.
///
/// Production code uses [`SystemIvSource`]. Any `Fn(&mut [u8; 12])` is also a source, so a
/// test can fix the IV and compare output byte for byte with a reference implementation;
/// a fixed IV outside tests would reuse GCM nonces and break the encryption.
pub trait IvSource {
    fn fill_iv(&self, iv: &mut [u8; IV_LEN]) -> Result<(), JoseError>;
}

/// Random IVs from the operating system's CSPRNG (aws-lc-rs `SystemRandom`).
#[derive(Debug, Default)]
pub struct SystemIvSource(SystemRandom);

impl SystemIvSource {
    pub fn new() -> SystemIvSource {
        SystemIvSource(SystemRandom::new())
    }
}

impl IvSource for SystemIvSource {
    fn fill_iv(&self, iv: &mut [u8; IV_LEN]) -> Result<(), JoseError> {
        self.0.fill(iv).map_err(|_| JoseError::JweEncrypt)
    }
}

impl<F: Fn(&mut [u8; IV_LEN])> IvSource for F {
    fn fill_iv(&self, iv: &mut [u8; IV_LEN]) -> Result<(), JoseError> {
        self(iv);
        Ok(())
    }
}

/// The AES-256-GCM key the Auth0 SDKs derive from one secret.
///
/// Derive it once (HKDF costs more than a decryption) and reuse it. Only the AES key
/// schedule is kept (aws-lc clears it on drop); `Debug` is redacted.
pub struct CookieKey {
    aead: LessSafeKey,
}

impl CookieKey {
    /// HKDF-SHA256(ikm = `secret` as UTF-8 bytes, salt = empty, info = `"JWE CEK"`, 32 bytes).
    ///
    /// The secret is used as text, never hex- or base64-decoded, as the SDKs do. An empty
    /// secret is refused.
    pub fn derive(secret: &str) -> Result<CookieKey, JoseError> {
        let bytes = derive_bytes(secret)?;
        let aead = UnboundKey::new(&AES_256_GCM, &bytes[..])
            .map(LessSafeKey::new)
            .map_err(|_| JoseError::KeyDerivation)?;
        Ok(CookieKey { aead })
    }

    /// Decrypts a compact JWE made with this key. See [`CookieKeyRing::decrypt`].
    pub fn decrypt(&self, compact: &str) -> Result<DecryptedCookie, JoseError> {
        let parsed = ParsedJwe::parse(compact)?;
        let plaintext = parsed.open(self).ok_or(JoseError::JweDecrypt)?;
        Ok(DecryptedCookie {
            header: parsed.header,
            plaintext,
            key_index: 0,
        })
    }

    /// Encrypts `plaintext` under a protected header of `{"alg":"dir","enc":"A256GCM"}`
    /// followed by the members of `extra` (express-openid-connect and nextjs-auth0 v3 put
    /// `iat`, `uat` and `exp` there). `extra` must not repeat `alg` or `enc`, nor contain
    /// `zip` or `crit`.
    pub fn encrypt(
        &self,
        extra: &Map<String, Value>,
        plaintext: &[u8],
        iv: &dyn IvSource,
    ) -> Result<String, JoseError> {
        let mut header = String::from(r#"{"alg":"dir","enc":"A256GCM""#);
        for (name, value) in extra {
            header.push(',');
            header.push_str(&serde_json::to_string(name)?);
            header.push(':');
            header.push_str(&serde_json::to_string(value)?);
        }
        header.push('}');
        self.encrypt_with_header_json(&header, plaintext, iv)
    }

    /// Encrypts `plaintext` with `header_json` as the protected header, byte for byte.
    ///
    /// For writers that must match another implementation's member order (nextjs-auth0 v4
    /// writes `{"enc":"A256GCM","alg":"dir"}`). The header is checked like a received one.
    pub fn encrypt_with_header_json(
        &self,
        header_json: &str,
        plaintext: &[u8],
        iv: &dyn IvSource,
    ) -> Result<String, JoseError> {
        // Base64url grows 3 bytes to 4; refuse what decryption would refuse.
        let estimate = (header_json.len() + plaintext.len()).saturating_mul(4) / 3 + 64;
        if estimate > MAX_COMPACT_LEN {
            return Err(JoseError::JweTooLarge {
                len: estimate,
                max: MAX_COMPACT_LEN,
            });
        }
        parse_protected_header(header_json.as_bytes())?;
        let mut nonce = [0u8; IV_LEN];
        iv.fill_iv(&mut nonce)?;
        let header_b64 = url_encode(header_json.as_bytes());
        let mut buffer = Zeroizing::new(plaintext.to_vec());
        let tag = self
            .aead
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(header_b64.as_bytes()),
                &mut buffer[..],
            )
            .map_err(|_| JoseError::JweEncrypt)?;
        let mut out = header_b64;
        out.push_str("..");
        url_encode_into(&nonce, &mut out);
        out.push('.');
        url_encode_into(&buffer, &mut out);
        out.push('.');
        url_encode_into(tag.as_ref(), &mut out);
        Ok(out)
    }
}

/// The 32 key bytes: HKDF-SHA256 over the secret's UTF-8 bytes, empty salt, info "JWE CEK".
fn derive_bytes(secret: &str) -> Result<Zeroizing<[u8; KEY_LEN]>, JoseError> {
    if secret.is_empty() {
        return Err(JoseError::InvalidCookieSecret("the secret is empty"));
    }
    struct Len32;
    impl KeyType for Len32 {
        fn len(&self) -> usize {
            KEY_LEN
        }
    }
    let prk = Salt::new(HKDF_SHA256, &[]).extract(secret.as_bytes());
    let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
    let info = [ENCRYPTION_INFO];
    prk.expand(&info, Len32)
        .and_then(|okm| okm.fill(&mut bytes[..]))
        .map_err(|_| JoseError::KeyDerivation)?;
    Ok(bytes)
}

impl fmt::Debug for CookieKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CookieKey(<redacted>)")
    }
}

/// One or more cookie keys: encrypt with the first, decrypt with any (secret rotation).
#[derive(Debug)]
pub struct CookieKeyRing {
    current: CookieKey,
    previous: Vec<CookieKey>,
}

impl CookieKeyRing {
    /// A ring of already-derived keys, the current one first. At least one key is needed.
    pub fn new(keys: Vec<CookieKey>) -> Result<CookieKeyRing, JoseError> {
        let mut keys = keys.into_iter();
        let current = keys
            .next()
            .ok_or(JoseError::InvalidCookieSecret("no secret given"))?;
        Ok(CookieKeyRing {
            current,
            previous: keys.collect(),
        })
    }

    /// Derives a key from each secret, the current one first (as express-openid-connect's
    /// `secret: [new, old]`).
    pub fn from_secrets<S: AsRef<str>>(secrets: &[S]) -> Result<CookieKeyRing, JoseError> {
        let keys = secrets
            .iter()
            .map(|secret| CookieKey::derive(secret.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        CookieKeyRing::new(keys)
    }

    /// The key new cookies are encrypted with.
    pub fn current(&self) -> &CookieKey {
        &self.current
    }

    /// Every key, the current one first.
    pub fn keys(&self) -> impl Iterator<Item = &CookieKey> {
        std::iter::once(&self.current).chain(&self.previous)
    }

    /// Decrypts a compact JWE, trying each key in order.
    ///
    /// Checks, in order: length at most [`MAX_COMPACT_LEN`]; five parts; empty encrypted
    /// key; a protected header that is a JSON object with `alg: "dir"`, `enc: "A256GCM"`,
    /// no `zip`, no `crit` and no duplicate member; a 12-byte IV and 16-byte tag; then
    /// AES-256-GCM with the base64url header as sent as associated data.
    /// [`DecryptedCookie::key_index`] says which key opened it.
    pub fn decrypt(&self, compact: &str) -> Result<DecryptedCookie, JoseError> {
        let parsed = ParsedJwe::parse(compact)?;
        for (key_index, key) in self.keys().enumerate() {
            if let Some(plaintext) = parsed.open(key) {
                return Ok(DecryptedCookie {
                    header: parsed.header,
                    plaintext,
                    key_index,
                });
            }
        }
        Err(JoseError::JweDecrypt)
    }

    /// Encrypts with the current key; see [`CookieKey::encrypt`].
    pub fn encrypt(
        &self,
        extra: &Map<String, Value>,
        plaintext: &[u8],
        iv: &dyn IvSource,
    ) -> Result<String, JoseError> {
        self.current.encrypt(extra, plaintext, iv)
    }
}

/// A decrypted cookie: its protected header and plaintext.
///
/// `Debug` shows the header and the plaintext's length only: the plaintext holds tokens.
pub struct DecryptedCookie {
    /// The protected header, `alg` and `enc` included (express-openid-connect and
    /// nextjs-auth0 v3 keep `iat`, `uat` and `exp` here).
    pub header: Map<String, Value>,
    /// The decrypted payload, zeroized on drop.
    pub plaintext: Zeroizing<Vec<u8>>,
    /// Position in the key ring of the key that opened it: 0 is the current key; more means
    /// an older secret, and the cookie should be re-issued.
    pub key_index: usize,
}

impl fmt::Debug for DecryptedCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptedCookie")
            .field("header", &self.header)
            .field(
                "plaintext",
                &format_args!("<{} bytes redacted>", self.plaintext.len()),
            )
            .field("key_index", &self.key_index)
            .finish()
    }
}

/// A compact JWE whose shape and header have been checked, ready for the AEAD.
struct ParsedJwe<'a> {
    header_b64: &'a str,
    header: Map<String, Value>,
    iv: [u8; IV_LEN],
    ciphertext: Vec<u8>,
    tag: [u8; TAG_LEN],
}

impl<'a> ParsedJwe<'a> {
    fn parse(compact: &'a str) -> Result<ParsedJwe<'a>, JoseError> {
        if compact.len() > MAX_COMPACT_LEN {
            return Err(JoseError::JweTooLarge {
                len: compact.len(),
                max: MAX_COMPACT_LEN,
            });
        }
        let mut parts = compact.split('.');
        let (Some(header_b64), Some(encrypted_key), Some(iv), Some(ciphertext), Some(tag), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(JoseError::JweMalformed("expected five dot-separated parts"));
        };
        if !encrypted_key.is_empty() {
            return Err(JoseError::JweMalformed(
                "the encrypted key must be empty with alg dir",
            ));
        }
        if iv.len() != IV_B64_LEN {
            return Err(JoseError::JweMalformed("the IV must be 12 bytes"));
        }
        if tag.len() != TAG_B64_LEN {
            return Err(JoseError::JweMalformed("the tag must be 16 bytes"));
        }
        let header_json = decode(header_b64)?;
        let header = parse_protected_header(&header_json)?;
        let iv: [u8; IV_LEN] = decode(iv)?
            .try_into()
            .map_err(|_| JoseError::JweMalformed("the IV must be 12 bytes"))?;
        let tag: [u8; TAG_LEN] = decode(tag)?
            .try_into()
            .map_err(|_| JoseError::JweMalformed("the tag must be 16 bytes"))?;
        let ciphertext = decode(ciphertext)?;
        Ok(ParsedJwe {
            header_b64,
            header,
            iv,
            ciphertext,
            tag,
        })
    }

    /// The plaintext if `key` authenticates the JWE, else `None`.
    fn open(&self, key: &CookieKey) -> Option<Zeroizing<Vec<u8>>> {
        let mut plaintext = Zeroizing::new(vec![0u8; self.ciphertext.len()]);
        key.aead
            .open_separate_gather(
                Nonce::assume_unique_for_key(self.iv),
                Aad::from(self.header_b64.as_bytes()),
                &self.ciphertext,
                &self.tag,
                &mut plaintext,
            )
            .ok()?;
        Some(plaintext)
    }
}

/// Strict base64url without padding (non-canonical trailing bits are refused).
fn decode(part: &str) -> Result<Vec<u8>, JoseError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| JoseError::JweMalformed("a part is not base64url"))
}

/// Parses and checks a protected header: a JSON object without duplicate members, with
/// `alg: "dir"`, `enc: "A256GCM"`, and neither `zip` nor `crit`.
fn parse_protected_header(json: &[u8]) -> Result<Map<String, Value>, JoseError> {
    let UniqueMembers(header) = serde_json::from_slice(json).map_err(|_| {
        JoseError::JweUnsupportedHeader("not a JSON object without duplicate members")
    })?;
    if header.get("alg").and_then(Value::as_str) != Some("dir") {
        return Err(JoseError::JweUnsupportedHeader("alg must be dir"));
    }
    if header.get("enc").and_then(Value::as_str) != Some("A256GCM") {
        return Err(JoseError::JweUnsupportedHeader("enc must be A256GCM"));
    }
    if header.contains_key("zip") {
        return Err(JoseError::JweUnsupportedHeader(
            "compression is not supported",
        ));
    }
    if header.contains_key("crit") {
        return Err(JoseError::JweUnsupportedHeader(
            "no critical extension is supported",
        ));
    }
    Ok(header)
}

/// A JSON object whose members all have different names (serde_json keeps the last of
/// duplicates, which would let `{"alg":"dir","alg":"x"}` mean different things to different
/// readers).
struct UniqueMembers(Map<String, Value>);

impl<'de> Deserialize<'de> for UniqueMembers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = UniqueMembers;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<UniqueMembers, A::Error> {
                let mut map = Map::new();
                while let Some(name) = access.next_key::<String>()? {
                    if map.contains_key(&name) {
                        return Err(de::Error::custom("duplicate member"));
                    }
                    let value: Value = access.next_value()?;
                    map.insert(name, value);
                }
                Ok(UniqueMembers(map))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The secret of the shared Auth0 SDK vectors and its HKDF output, as the SDKs computed it.
    const SECRET: &str = "a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    const ENC_KEY_HEX: &str = "782f3f28f02750af00d00071064125490d328336c20226301261830b061b83dc";

    fn fixed_iv(iv: &mut [u8; IV_LEN]) {
        for (i, b) in iv.iter_mut().enumerate() {
            *b = u8::try_from(i).unwrap();
        }
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn key() -> CookieKey {
        CookieKey::derive(SECRET).unwrap()
    }

    #[test]
    fn derives_the_sdks_key_from_the_secret_text() {
        assert_eq!(hex(&derive_bytes(SECRET).unwrap()[..]), ENC_KEY_HEX);
        assert!(CookieKey::derive("").is_err());
        assert_eq!(format!("{:?}", key()), "CookieKey(<redacted>)");
    }

    #[test]
    fn round_trip_with_header_members() {
        let key = key();
        let mut extra = Map::new();
        extra.insert("iat".into(), json!(1_700_000_000));
        let jwe = key
            .encrypt(&extra, br#"{"a":1}"#, &SystemIvSource::new())
            .unwrap();
        let out = key.decrypt(&jwe).unwrap();
        assert_eq!(&out.plaintext[..], br#"{"a":1}"#);
        assert_eq!(
            Value::Object(out.header),
            json!({"alg": "dir", "enc": "A256GCM", "iat": 1_700_000_000})
        );
        // A fresh IV each time.
        let again = key
            .encrypt(&extra, br#"{"a":1}"#, &SystemIvSource::new())
            .unwrap();
        assert_ne!(jwe, again);
    }

    #[test]
    fn fixed_iv_is_deterministic_and_header_bytes_are_kept() {
        let key = key();
        let header = r#"{"enc":"A256GCM","alg":"dir"}"#;
        let a = key
            .encrypt_with_header_json(header, b"{}", &fixed_iv)
            .unwrap();
        let b = key
            .encrypt_with_header_json(header, b"{}", &fixed_iv)
            .unwrap();
        assert_eq!(a, b);
        assert!(a.starts_with("eyJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiZGlyIn0..AAECAwQFBgcICQoL."));
    }

    #[test]
    fn encrypt_refuses_headers_it_would_not_read() {
        let key = key();
        for header in [
            r#"{"alg":"dir"}"#,
            r#"{"alg":"dir","enc":"A128GCM"}"#,
            r#"{"alg":"dir","enc":"A256GCM","zip":"DEF"}"#,
            r#"{"alg":"dir","enc":"A256GCM","alg":"dir"}"#,
            "[]",
        ] {
            assert!(
                key.encrypt_with_header_json(header, b"{}", &fixed_iv)
                    .is_err(),
                "{header}"
            );
        }
        let mut extra = Map::new();
        extra.insert("alg".into(), json!("dir"));
        assert!(key.encrypt(&extra, b"{}", &fixed_iv).is_err());
        assert!(
            key.encrypt(&Map::new(), &vec![b'x'; MAX_COMPACT_LEN], &fixed_iv)
                .is_err()
        );
    }

    /// Encrypts `payload` under a header given as JSON text, for the header tests.
    fn with_header(header: &str) -> String {
        let h = url_encode(header.as_bytes());
        let mut buffer = b"{}".to_vec();
        let tag = key()
            .aead
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key([7; IV_LEN]),
                Aad::from(h.as_bytes()),
                &mut buffer,
            )
            .unwrap();
        format!(
            "{h}..{}.{}.{}",
            url_encode(&[7; IV_LEN]),
            url_encode(&buffer),
            url_encode(tag.as_ref())
        )
    }

    #[test]
    fn header_must_be_exactly_dir_a256gcm() {
        let key = key();
        assert!(
            key.decrypt(&with_header(r#"{"alg":"dir","enc":"A256GCM"}"#))
                .is_ok()
        );
        for header in [
            r#"{"alg":"dir","enc":"A128GCM"}"#,
            r#"{"alg":"dir","enc":"A256CBC-HS512"}"#,
            r#"{"alg":"A256KW","enc":"A256GCM"}"#,
            r#"{"alg":"DIR","enc":"A256GCM"}"#,
            r#"{"alg":"none","enc":"A256GCM"}"#,
            r#"{"enc":"A256GCM"}"#,
            r#"{"alg":"dir"}"#,
            r#"{"alg":["dir"],"enc":"A256GCM"}"#,
            r#"{"alg":"dir","enc":"A256GCM","zip":"DEF"}"#,
            r#"{"alg":"dir","enc":"A256GCM","crit":["exp"],"exp":1}"#,
            r#"{"alg":"dir","enc":"A256GCM","alg":"dir"}"#,
            r#"{"alg":"x","alg":"dir","enc":"A256GCM"}"#,
            r#"["alg","dir"]"#,
            "null",
            "",
            "\u{feff}{}",
        ] {
            assert!(
                matches!(
                    key.decrypt(&with_header(header)),
                    Err(JoseError::JweUnsupportedHeader(_))
                ),
                "{header}"
            );
        }
    }

    #[test]
    fn malformed_compact_strings_are_errors_not_panics() {
        let key = key();
        let good = key.encrypt(&Map::new(), b"{}", &fixed_iv).unwrap();
        let parts: Vec<&str> = good.split('.').collect();
        let join = |p: &[&str]| p.join(".");
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let deep_header = with_header(&format!(r#"{{"alg":"dir","enc":"A256GCM","x":{deep}}}"#));
        for bad in [
            String::new(),
            ".".into(),
            "....".into(),
            ".....".into(),
            "a.b.c.d.e".into(),
            join(&parts[..4]),
            format!("{good}."),
            join(&[parts[0], "AAAA", parts[2], parts[3], parts[4]]),
            join(&[parts[0], parts[1], "AAECAwQFBgcICQo", parts[3], parts[4]]),
            join(&[parts[0], parts[1], "AAECAwQFBgcICQoLDA", parts[3], parts[4]]),
            join(&[parts[0], parts[1], parts[2], parts[3], "AAAA"]),
            join(&[parts[0], parts[1], parts[2], "!!!!", parts[4]]),
            join(&[parts[0], parts[1], "AAECAwQFBgcICQo=", parts[3], parts[4]]),
            join(&["e30=", parts[1], parts[2], parts[3], parts[4]]),
            join(&["%%%", parts[1], parts[2], parts[3], parts[4]]),
            format!("{}..{}", "A".repeat(MAX_COMPACT_LEN), "x"),
            ".".repeat(100_000),
            "é.é.é.é.é".into(),
            deep_header,
        ] {
            assert!(key.decrypt(&bad).is_err(), "{:.80}", bad);
        }
        assert!(matches!(
            key.decrypt(&"A".repeat(100 * 1024)),
            Err(JoseError::JweTooLarge { .. })
        ));
    }

    #[test]
    fn any_flipped_character_fails_to_decrypt() {
        let key = key();
        let good = key
            .encrypt(&Map::new(), br#"{"sub":"x"}"#, &fixed_iv)
            .unwrap();
        for i in 0..good.len() {
            let mut bytes = good.clone().into_bytes();
            if bytes[i] == b'.' {
                continue;
            }
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let bad = String::from_utf8(bytes).unwrap();
            assert!(key.decrypt(&bad).is_err(), "position {i}");
        }
    }

    #[test]
    fn key_ring_encrypts_with_the_first_and_reads_with_any() {
        let old = CookieKeyRing::from_secrets(&["old secret"]).unwrap();
        let rotated = CookieKeyRing::from_secrets(&["new secret", "old secret"]).unwrap();
        let removed = CookieKeyRing::from_secrets(&["new secret"]).unwrap();
        let from_old = old
            .encrypt(&Map::new(), b"{}", &SystemIvSource::new())
            .unwrap();
        assert_eq!(rotated.decrypt(&from_old).unwrap().key_index, 1);
        assert!(matches!(
            removed.decrypt(&from_old),
            Err(JoseError::JweDecrypt)
        ));
        let from_new = rotated
            .encrypt(&Map::new(), b"{}", &SystemIvSource::new())
            .unwrap();
        assert_eq!(removed.decrypt(&from_new).unwrap().key_index, 0);
        assert!(old.decrypt(&from_new).is_err());
        assert!(CookieKeyRing::from_secrets::<&str>(&[]).is_err());
        assert!(CookieKeyRing::from_secrets(&["a", ""]).is_err());
    }

    #[test]
    fn debug_never_shows_the_plaintext() {
        let key = key();
        let jwe = key
            .encrypt(&Map::new(), b"{\"access_token\":\"secret-at\"}", &fixed_iv)
            .unwrap();
        let out = key.decrypt(&jwe).unwrap();
        let debug = format!("{out:?}");
        assert!(!debug.contains("secret-at"), "{debug}");
        assert!(debug.contains("bytes redacted"));
    }
}
