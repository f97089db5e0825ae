//! The CSR inspection record: what a PKCS#10 certification request (RFC 2986) asks for,
//! decoded for people, with its self-signature checked by the caller's algorithms.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der::{Decode, Encode, Reader, SliceReader};
use rustls_pki_types::SignatureVerificationAlgorithm;
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName};
use x509_cert::request::{CertReq, ExtensionReq};

use crate::error::{Code, Rejection};
use crate::inspect::{
    extension_name, hex, key_usage_names, san_list, signature_name, spki_key, BasicConstraintsInfo, ExtensionInfo,
    PublicKey, SubjectAltNames,
};
use crate::name::DistinguishedName;
use crate::usage::eku_name;

/// Most request attributes and requested extensions a record decodes. A real CSR carries a
/// handful; 64 bounds the work a hostile one causes.
pub const MAX_CSR_ITEMS: usize = 64;

/// A decoded certification request.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CsrInspection {
    /// The requested subject.
    pub subject: DistinguishedName,
    /// The subject's public key.
    pub public_key: PublicKey,
    /// Signature algorithm name or OID.
    pub signature_algorithm: String,
    /// Whether the request's self-signature verifies with its own key: `None` when none of
    /// the given algorithms fits the key and signature algorithm.
    pub signature_valid: Option<bool>,
    /// Requested subject alternative names.
    pub subject_alt_names: SubjectAltNames,
    /// Requested key usage bits by name.
    pub key_usage: Vec<String>,
    /// Requested extended key usages by name or OID; `None` when not requested.
    pub extended_key_usage: Option<Vec<String>>,
    /// Requested basic constraints.
    pub basic_constraints: Option<BasicConstraintsInfo>,
    /// Every requested extension, in order.
    pub extensions: Vec<ExtensionInfo>,
    /// Other request attributes by name or OID (`challengePassword`'s value is never shown).
    pub attributes: Vec<String>,
    /// SHA-256 of the DER, lowercase hex.
    pub sha256: String,
}

impl CsrInspection {
    /// Decodes a DER CSR and checks its signature with the first of `algs` that fits.
    pub fn from_der(der: &[u8], algs: &[&dyn SignatureVerificationAlgorithm]) -> Result<Self, Rejection> {
        let malformed = |e: der::Error| Rejection::new(Code::MalformedCertificate, None, format!("the CSR cannot be decoded: {e}"));
        let request = CertReq::from_der(der).map_err(malformed)?;
        let info = &request.info;
        if info.attributes.len() > MAX_CSR_ITEMS {
            return Err(Rejection::new(
                Code::TooManyCertificates,
                None,
                format!("the CSR has more than {MAX_CSR_ITEMS} attributes"),
            ));
        }
        let mut extensions = Vec::new();
        let mut attributes = Vec::new();
        for attribute in info.attributes.iter() {
            let oid = attribute.oid.to_string();
            if oid != "1.2.840.113549.1.9.14" {
                attributes.push(attribute_name(&oid));
                continue;
            }
            for value in attribute.values.iter() {
                let requested = value.decode_as::<ExtensionReq>().map_err(malformed)?;
                extensions.extend(requested.0);
            }
        }
        if extensions.len() > MAX_CSR_ITEMS {
            return Err(Rejection::new(
                Code::TooManyCertificates,
                None,
                format!("the CSR requests more than {MAX_CSR_ITEMS} extensions"),
            ));
        }

        let mut record = Self {
            subject: DistinguishedName::from_name(&info.subject),
            public_key: spki_key(&info.public_key),
            signature_algorithm: signature_name(&request.algorithm.oid),
            signature_valid: signature_valid(der, &request, algs),
            subject_alt_names: SubjectAltNames::default(),
            key_usage: Vec::new(),
            extended_key_usage: None,
            basic_constraints: None,
            extensions: Vec::new(),
            attributes,
            sha256: hex(&Sha256::digest(der)),
        };
        for extension in &extensions {
            let value = extension.extn_value.as_bytes();
            let bad = |_| {
                Rejection::new(
                    Code::MalformedExtension,
                    None,
                    format!("the requested {} extension is malformed", extension_name(&extension.extn_id)),
                )
            };
            match extension.extn_id.to_string().as_str() {
                "2.5.29.17" => record.subject_alt_names = san_list(SubjectAltName::from_der(value).map_err(bad)?),
                "2.5.29.15" => record.key_usage = key_usage_names(&KeyUsage::from_der(value).map_err(bad)?),
                "2.5.29.37" => {
                    let eku = ExtendedKeyUsage::from_der(value).map_err(bad)?;
                    record.extended_key_usage = Some(eku.0.iter().map(eku_name).collect());
                }
                "2.5.29.19" => {
                    let bc = BasicConstraints::from_der(value).map_err(bad)?;
                    record.basic_constraints = Some(BasicConstraintsInfo {
                        ca: bc.ca,
                        path_len: bc.path_len_constraint,
                        critical: extension.critical,
                    });
                }
                _ => {}
            }
            record.extensions.push(ExtensionInfo {
                oid: extension.extn_id.to_string(),
                name: extension_name(&extension.extn_id),
                critical: extension.critical,
            });
        }
        Ok(record)
    }
}

/// Checks the self-signature over the request info's original bytes with the algorithm whose
/// key and signature identifiers match the request's.
fn signature_valid(der: &[u8], request: &CertReq, algs: &[&dyn SignatureVerificationAlgorithm]) -> Option<bool> {
    // The outer SEQUENCE's header, then the CertificationRequestInfo element as it was signed.
    let mut reader = SliceReader::new(der).ok()?;
    der::Header::decode(&mut reader).ok()?;
    let info = reader.tlv_bytes().ok()?;
    let key_alg = content(&request.info.public_key.algorithm.to_der().ok()?)?;
    let sig_alg = content(&request.algorithm.to_der().ok()?)?;
    let alg = algs.iter().find(|a| {
        a.public_key_alg_id().as_ref() == key_alg.as_slice() && a.signature_alg_id().as_ref() == sig_alg.as_slice()
    })?;
    let key = request.info.public_key.subject_public_key.as_bytes()?;
    let signature = request.signature.as_bytes()?;
    Some(alg.verify_signature(key, info, signature).is_ok())
}

/// The content octets of a DER element (webpki's algorithm identifiers omit the SEQUENCE header).
fn content(element: &[u8]) -> Option<Vec<u8>> {
    let first = *element.get(1)?;
    let header = if first & 0x80 == 0 { 2 } else { 2 + usize::from(first & 0x7f) };
    Some(element.get(header..)?.to_vec())
}

fn attribute_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.9.7" => String::from("challengePassword"),
        "1.2.840.113549.1.9.2" => String::from("unstructuredName"),
        other => String::from(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junk_is_malformed() {
        let err = CsrInspection::from_der(&[0x30, 0x01, 0x00], &[]).unwrap_err();
        assert_eq!(err.code, Code::MalformedCertificate);
    }

    #[test]
    fn element_content() {
        assert_eq!(content(&[0x30, 0x02, 0x05, 0x00]), Some(alloc::vec![0x05, 0x00]));
        assert_eq!(content(&[0x30, 0x81, 0x01, 0x07]), Some(alloc::vec![0x07]));
        assert_eq!(content(&[0x30]), None);
    }
}
