//! TLS to the state database, where the URL asks for it (`sslmode=require`): rustls, and the
//! server's certificate always verified (name and chain), against the web's roots and the
//! CA file of `sslrootcert=FILE`. A journal holds params and command output: it is not sent
//! to a server that might be someone else's.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tokio_postgres_rustls::MakeRustlsConnect;

pub fn connector(root_cert: Option<&str>) -> Result<MakeRustlsConnect, String> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(file) = root_cert {
        let certs = CertificateDer::pem_file_iter(file)
            .map_err(|e| format!("cannot read sslrootcert {file}: {e}"))?;
        for cert in certs {
            let cert = cert.map_err(|e| format!("cannot read sslrootcert {file}: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| format!("sslrootcert {file}: {e}"))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}
