//! A login transaction: the authorization request that sent the user to the login
//! page, sealed (AES-256-GCM with the master key) into the page's `state` field and
//! URL. Nothing is stored server-side, so any instance can finish a login another
//! instance started, and parallel tabs each carry their own.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_core::UnixTime;
use portcullis_jose::{JoseError, MasterKey};
use serde::{Deserialize, Serialize};

/// How long a user has to finish logging in.
pub const TRANSACTION_LIFETIME_SECS: i64 = 3600;

/// Associated data binding the ciphertext to its purpose and format version.
const AAD: &[u8] = b"portcullis/login-transaction/v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    /// The `/authorize` query, parameter by parameter, re-parsed on resume so a change
    /// to the application in the meantime applies.
    pub params: Vec<(String, String)>,
    /// Unix seconds.
    pub exp: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransactionError {
    #[error("the login transaction is invalid")]
    Invalid,
    #[error("the login transaction has expired")]
    Expired,
}

impl Transaction {
    pub fn new(params: Vec<(String, String)>, now: UnixTime) -> Self {
        Transaction {
            params,
            exp: now.plus_secs(TRANSACTION_LIFETIME_SECS).0,
        }
    }

    pub fn seal(&self, key: &MasterKey) -> Result<String, JoseError> {
        let json = serde_json::to_vec(self)?;
        let sealed = key.seal(&json, AAD)?;
        Ok(URL_SAFE_NO_PAD.encode(sealed))
    }

    pub fn open(sealed: &str, key: &MasterKey, now: UnixTime) -> Result<Self, TransactionError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(sealed)
            .map_err(|_| TransactionError::Invalid)?;
        let json = key
            .open(&bytes, AAD)
            .map_err(|_| TransactionError::Invalid)?;
        let tx: Transaction =
            serde_json::from_slice(&json).map_err(|_| TransactionError::Invalid)?;
        if tx.exp <= now.0 {
            return Err(TransactionError::Expired);
        }
        Ok(tx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx() -> Transaction {
        Transaction::new(
            vec![
                ("client_id".into(), "c1".into()),
                ("state".into(), "s p&=".into()),
            ],
            UnixTime(1_000),
        )
    }

    #[test]
    fn round_trip_until_it_expires() {
        let key = MasterKey::generate().unwrap();
        let sealed = tx().seal(&key).unwrap();
        assert_eq!(
            Transaction::open(&sealed, &key, UnixTime(1_000)).unwrap(),
            tx()
        );
        assert_eq!(
            Transaction::open(&sealed, &key, UnixTime(1_000 + TRANSACTION_LIFETIME_SECS)),
            Err(TransactionError::Expired)
        );
    }

    #[test]
    fn tampered_foreign_or_garbage_is_invalid() {
        let key = MasterKey::generate().unwrap();
        let sealed = tx().seal(&key).unwrap();
        let other = MasterKey::generate().unwrap();
        assert_eq!(
            Transaction::open(&sealed, &other, UnixTime(1_000)),
            Err(TransactionError::Invalid)
        );
        let mut bytes = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let flipped = URL_SAFE_NO_PAD.encode(bytes);
        for bad in [flipped.as_str(), "", "!!!", "AAAA"] {
            assert_eq!(
                Transaction::open(bad, &key, UnixTime(1_000)),
                Err(TransactionError::Invalid),
                "{bad}"
            );
        }
    }
}
