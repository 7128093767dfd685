//! TLS with rustls: certificates from files, or a local CA and a localhost certificate
//! made on first use (`--tls-self-signed`), so clients that insist on https can run
//! locally with `NODE_EXTRA_CA_CERTS=<data-dir>/tls/ca.pem`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::ServerError;

/// The files of a self-signed setup.
#[derive(Debug, Clone)]
pub struct SelfSigned {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Loads a PEM certificate chain and private key into a rustls server configuration.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, ServerError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| ServerError::Tls(format!("{}: {e}", cert.display())))?
        .collect::<Result<_, _>>()
        .map_err(|e| ServerError::Tls(format!("{}: {e}", cert.display())))?;
    if certs.is_empty() {
        return Err(ServerError::Tls(format!(
            "{}: no PEM certificate found",
            cert.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| ServerError::Tls(format!("{}: {e}", key.display())))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| ServerError::Tls(format!("certificate and key do not match: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Makes (once) a local CA and a certificate for localhost, 127.0.0.1 and ::1 under
/// `data_dir/tls/`, and returns their paths. Existing files are reused, so clients that
/// trust the CA keep trusting it across restarts.
pub fn ensure_self_signed(data_dir: &Path) -> Result<SelfSigned, ServerError> {
    let dir = data_dir.join("tls");
    let files = SelfSigned {
        ca: dir.join("ca.pem"),
        cert: dir.join("localhost.pem"),
        key: dir.join("localhost-key.pem"),
    };
    if files.ca.exists() && files.cert.exists() && files.key.exists() {
        return Ok(files);
    }
    let tls_err = |e: rcgen::Error| ServerError::Tls(format!("making a local certificate: {e}"));
    std::fs::create_dir_all(&dir).map_err(|e| ServerError::DataDir {
        path: dir.clone(),
        detail: e.to_string(),
    })?;

    // A half-written set from an interrupted start is replaced whole.
    for stale in [&files.ca, &files.cert, &files.key] {
        if stale.exists() {
            std::fs::remove_file(stale).map_err(|e| ServerError::DataDir {
                path: stale.clone(),
                detail: e.to_string(),
            })?;
        }
    }
    let ca_key = KeyPair::generate().map_err(tls_err)?;
    let mut ca_params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "Portcullis local CA");
    ca_params.distinguished_name = dn;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(tls_err)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate().map_err(tls_err)?;
    let mut leaf_params = CertificateParams::new(vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ])
    .map_err(tls_err)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "localhost");
    leaf_params.distinguished_name = dn;
    let leaf_cert = leaf_params.signed_by(&leaf_key, &issuer).map_err(tls_err)?;

    write_private(&files.key, leaf_key.serialize_pem().as_bytes())?;
    write_file(&files.cert, leaf_cert.pem().as_bytes())?;
    write_file(&files.ca, ca_cert.pem().as_bytes())?;
    Ok(files)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ServerError> {
    std::fs::write(path, bytes).map_err(|e| ServerError::DataDir {
        path: path.to_owned(),
        detail: e.to_string(),
    })
}

/// Writes a secret readable by the owner only (mode 0600 on Unix).
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ServerError> {
    use std::io::Write;
    let err = |e: std::io::Error| ServerError::DataDir {
        path: path.to_owned(),
        detail: e.to_string(),
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(err)?;
    file.write_all(bytes).map_err(err)?;
    file.sync_all().map_err(err)
}
