//! How a PKCS#12 file is protected, in words, read from its structure alone.

use der::Decode;
use pkcs8::pkcs5::{self, pbes2};

use crate::error::Error;
use crate::layout::{layout, Container, Key};

/// How a PKCS#12 file is protected, read from its structure alone (no password needed):
/// what `openssl pkcs12 -info` reports, and what old Java, macOS and Windows releases choke on.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProtectionInfo {
    /// The integrity MAC: digest and iterations; `None` when the file has no MAC.
    pub mac: Option<String>,
    /// How each certificate container is encrypted (`none` for plain ones).
    pub certificates: Vec<String>,
    /// How each private key is encrypted (`none` for plain key bags).
    pub keys: Vec<String>,
}

/// Reads the protection of a PKCS#12 file. Unreadable shrouded keys show as `unknown` and
/// containers of other content types are left out: this describes what
/// [`check_work`](crate::check_work) refuses.
pub fn protection(data: &[u8]) -> Result<ProtectionInfo, Error> {
    let layout = layout(data)?;
    let mut info = ProtectionInfo {
        mac: layout.mac.as_ref().map(|m| {
            format!(
                "HMAC-{} ({} iterations)",
                digest_name(&m.digest),
                m.iterations
            )
        }),
        ..ProtectionInfo::default()
    };
    for container in &layout.containers {
        match container {
            Container::Encrypted { alg, .. } => info.certificates.push(scheme_name(alg)),
            Container::Plain(bags) => {
                for key in &bags.keys {
                    info.keys.push(match key {
                        Key::Shrouded(Ok(alg)) => scheme_name(alg),
                        Key::Shrouded(Err(_)) => "unknown".into(),
                        Key::Plain => "none".into(),
                    });
                }
                if bags.certificates > 0 {
                    info.certificates.push("none".into());
                }
            }
            Container::Other(_) => {}
        }
    }
    Ok(info)
}

/// A password-based encryption scheme in words, from its DER AlgorithmIdentifier.
fn scheme_name(alg: &[u8]) -> String {
    match pkcs5::EncryptionScheme::from_der(alg) {
        Ok(pkcs5::EncryptionScheme::Pbes2(params)) => {
            let kdf = match &params.kdf {
                pbes2::Kdf::Pbkdf2(p) => {
                    let prf = match p.prf {
                        pbes2::Pbkdf2Prf::HmacWithSha1 => "SHA1",
                        pbes2::Pbkdf2Prf::HmacWithSha224 => "SHA224",
                        pbes2::Pbkdf2Prf::HmacWithSha256 => "SHA256",
                        pbes2::Pbkdf2Prf::HmacWithSha384 => "SHA384",
                        pbes2::Pbkdf2Prf::HmacWithSha512 => "SHA512",
                        _ => "other",
                    };
                    format!("PBKDF2-HMAC-{prf}, {} iterations", p.iteration_count)
                }
                pbes2::Kdf::Scrypt(p) => format!(
                    "scrypt N={} r={} p={}",
                    p.cost_parameter, p.block_size, p.parallelization
                ),
                _ => "other key derivation".into(),
            };
            let cipher = match params.encryption {
                pbes2::EncryptionScheme::Aes128Cbc { .. } => "AES-128-CBC",
                pbes2::EncryptionScheme::Aes192Cbc { .. } => "AES-192-CBC",
                pbes2::EncryptionScheme::Aes256Cbc { .. } => "AES-256-CBC",
                pbes2::EncryptionScheme::Aes128Gcm { .. } => "AES-128-GCM",
                pbes2::EncryptionScheme::Aes256Gcm { .. } => "AES-256-GCM",
                pbes2::EncryptionScheme::DesEde3Cbc { .. } => "3DES-CBC",
                _ => "other cipher",
            };
            format!("PBES2 ({kdf}, {cipher})")
        }
        Ok(pkcs5::EncryptionScheme::Pbes1(_)) => "PBES1 (legacy)".into(),
        Ok(_) => "unknown".into(),
        Err(_) => legacy_pbe_name(alg),
    }
}

/// The PKCS#12 PBE schemes (RFC 7292 appendix C), with their iteration count.
pub(crate) fn legacy_pbe_name(alg: &[u8]) -> String {
    let Ok(alg) = pkcs8::spki::AlgorithmIdentifierOwned::from_der(alg) else {
        return "unknown".into();
    };
    let name = match alg.oid.to_string().as_str() {
        "1.2.840.113549.1.12.1.1" => "pbeWithSHAAnd128BitRC4",
        "1.2.840.113549.1.12.1.2" => "pbeWithSHAAnd40BitRC4",
        "1.2.840.113549.1.12.1.3" => "pbeWithSHAAnd3-KeyTripleDES-CBC",
        "1.2.840.113549.1.12.1.4" => "pbeWithSHAAnd2-KeyTripleDES-CBC",
        "1.2.840.113549.1.12.1.5" => "pbeWithSHAAnd128BitRC2-CBC",
        "1.2.840.113549.1.12.1.6" => "pbeWithSHAAnd40BitRC2-CBC",
        other => return other.to_owned(),
    };
    let iterations = alg
        .parameters
        .and_then(|p| p.decode_as::<pkcs12::pbe_params::Pkcs12PbeParams>().ok())
        .map(|p| format!(", {} iterations", p.iterations))
        .unwrap_or_default();
    format!("{name} (legacy{iterations})")
}

/// A MAC digest's name from its dotted OID: the ones p12-keystore verifies, else `unknown`.
pub(crate) fn digest_name(oid: &str) -> &'static str {
    match oid {
        "1.3.14.3.2.26" => "SHA1",
        "2.16.840.1.101.3.4.2.4" => "SHA224",
        "2.16.840.1.101.3.4.2.1" => "SHA256",
        "2.16.840.1.101.3.4.2.2" => "SHA384",
        "2.16.840.1.101.3.4.2.3" => "SHA512",
        "2.16.840.1.101.3.4.2.5" => "SHA512-224",
        "2.16.840.1.101.3.4.2.6" => "SHA512-256",
        _ => "unknown",
    }
}
