//! The master key that seals signing keys at rest: given in configuration, read from a
//! file, or generated once into the data dir (mode 0600) for the embedded default.

use std::path::Path;

use portcullis_jose::MasterKey;

use crate::config::MasterKeySource;
use crate::error::ServerError;
use crate::tls::write_private;

/// The master key the configuration names (reading or generating its file).
pub fn resolve(source: &MasterKeySource) -> Result<MasterKey, ServerError> {
    match source {
        // A copy, so the configuration keeps its own.
        MasterKeySource::Given(key) => MasterKey::parse(&key.to_base64())
            .map_err(|e| ServerError::Internal(format!("copying the master key: {e}"))),
        MasterKeySource::File { path, generate } => read_or_generate(path, *generate),
    }
}

fn read_or_generate(path: &Path, generate: bool) -> Result<MasterKey, ServerError> {
    let err = |detail: String| ServerError::MasterKeyFile {
        path: path.to_owned(),
        detail,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            warn_if_readable_by_others(path);
            MasterKey::parse(&text).map_err(|e| err(e.to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && generate => {
            let key = MasterKey::generate().map_err(|e| err(e.to_string()))?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
            }
            write_private(path, format!("{}\n", key.to_base64()).as_bytes())?;
            tracing::info!(path = %path.display(), "generated a master key for signing keys at rest; back it up with the database");
            Ok(key)
        }
        Err(e) => Err(err(e.to_string())),
    }
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(path = %path.display(), "master key file is readable by other users; run chmod 600 on it");
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}
