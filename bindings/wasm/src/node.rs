//! The Node signature provider: webpki's algorithm list, with each signature checked by
//! Node's OpenSSL through `node:crypto.verify` (bindings/npm/lib/node-crypto.js caches one
//! `KeyObject` per public key).
//!
//! Every algorithm mirrors one of webpki's ring algorithms (`webpki::ring::*`, the list the
//! web build uses) with the same identifiers and the same key rules, so both builds reach the
//! same verdict: ring's key checks that OpenSSL would not make (RSA modulus size, exponent
//! range, uncompressed EC points) are made here before the key reaches JavaScript.

use alloc::vec::Vec;

use der::asn1::UintRef;
use der::{Decode, Reader, SliceReader};
use rustls_pki_types::{alg_id, AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm};
use wasm_bindgen::prelude::*;

// The path is relative to the generated glue, bindings/npm/pkg/node/certgate_wasm.js.
#[wasm_bindgen(raw_module = "../../lib/node-crypto.js")]
extern "C" {
    /// `crypto.verify` with the scheme's hash and padding and a cached key for `spki`.
    /// Returns false for a bad signature and for a key OpenSSL refuses; never throws.
    #[wasm_bindgen(js_name = verifySignature, catch)]
    fn verify_signature(scheme: u32, spki: &[u8], message: &[u8], signature: &[u8]) -> Result<bool, JsValue>;
}

/// Every algorithm of webpki's `ALL_VERIFICATION_ALGS` (ring), in the same order.
pub static ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = &[
    &NodeAlgorithm::ecdsa(alg_id::ECDSA_P256, alg_id::ECDSA_SHA256, Scheme::EcdsaSha256, P256_POINT),
    &NodeAlgorithm::ecdsa(alg_id::ECDSA_P256, alg_id::ECDSA_SHA384, Scheme::EcdsaSha384, P256_POINT),
    &NodeAlgorithm::ecdsa(alg_id::ECDSA_P384, alg_id::ECDSA_SHA256, Scheme::EcdsaSha256, P384_POINT),
    &NodeAlgorithm::ecdsa(alg_id::ECDSA_P384, alg_id::ECDSA_SHA384, Scheme::EcdsaSha384, P384_POINT),
    &NodeAlgorithm {
        public_key_alg_id: alg_id::ED25519,
        signature_alg_id: alg_id::ED25519,
        scheme: Scheme::Ed25519,
        key: KeyRule::Ed25519,
    },
    &NodeAlgorithm::rsa(alg_id::RSA_PKCS1_SHA256, Scheme::RsaPkcs1Sha256, 2048),
    &NodeAlgorithm::rsa(alg_id::RSA_PKCS1_SHA384, Scheme::RsaPkcs1Sha384, 2048),
    &NodeAlgorithm::rsa(alg_id::RSA_PKCS1_SHA512, Scheme::RsaPkcs1Sha512, 2048),
    &NodeAlgorithm::rsa(RSA_PKCS1_SHA256_ABSENT_PARAMS, Scheme::RsaPkcs1Sha256, 2048),
    &NodeAlgorithm::rsa(RSA_PKCS1_SHA384_ABSENT_PARAMS, Scheme::RsaPkcs1Sha384, 2048),
    &NodeAlgorithm::rsa(RSA_PKCS1_SHA512_ABSENT_PARAMS, Scheme::RsaPkcs1Sha512, 2048),
    &NodeAlgorithm::rsa(alg_id::RSA_PKCS1_SHA384, Scheme::RsaPkcs1Sha384, 3072),
    &NodeAlgorithm::rsa(alg_id::RSA_PSS_SHA256, Scheme::RsaPssSha256, 2048),
    &NodeAlgorithm::rsa(alg_id::RSA_PSS_SHA384, Scheme::RsaPssSha384, 2048),
    &NodeAlgorithm::rsa(alg_id::RSA_PSS_SHA512, Scheme::RsaPssSha512, 2048),
];

/// The schemes lib/node-crypto.js knows, by number (its `SCHEMES` table, same order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
enum Scheme {
    EcdsaSha256 = 0,
    EcdsaSha384 = 1,
    Ed25519 = 2,
    RsaPkcs1Sha256 = 3,
    RsaPkcs1Sha384 = 4,
    RsaPkcs1Sha512 = 5,
    /// PSS with MGF1 over the same hash and a salt as long as the hash (RFC 4055 §3.1, ring's rule).
    RsaPssSha256 = 6,
    RsaPssSha384 = 7,
    RsaPssSha512 = 8,
}

/// What a public key must look like before OpenSSL sees it: ring's acceptance rules.
#[derive(Clone, Copy, Debug)]
enum KeyRule {
    /// An uncompressed point `04 || x || y` of this many bytes (ring accepts no other form).
    EcPoint(usize),
    /// A 32-byte Ed25519 key.
    Ed25519,
    /// An RSAPublicKey whose modulus has at least this many bits, rounded up to whole bytes.
    Rsa { min_bits: usize },
}

/// 65 bytes: `04`, then x and y of 32 bytes each (SEC 1 §2.3.3).
const P256_POINT: usize = 65;
/// 97 bytes: `04`, then x and y of 48 bytes each.
const P384_POINT: usize = 97;
/// ring's ceiling for RSA moduli in verification (`PUBLIC_KEY_PUBLIC_MODULUS_MAX_LEN`).
const RSA_MAX_BITS: usize = 8192;
/// ring's largest public exponent: 2^33 − 1 (ring/src/rsa/public_exponent.rs).
const RSA_MAX_EXPONENT: u64 = (1 << 33) - 1;

/// sha256WithRSAEncryption without the NULL parameters RFC 4055 requires (webpki's
/// `data/alg-rsa-pkcs1-sha256-absent-params.der`, accepted for compatibility).
const RSA_PKCS1_SHA256_ABSENT_PARAMS: AlgorithmIdentifier =
    AlgorithmIdentifier::from_slice(&[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]);
/// sha384WithRSAEncryption without parameters.
const RSA_PKCS1_SHA384_ABSENT_PARAMS: AlgorithmIdentifier =
    AlgorithmIdentifier::from_slice(&[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c]);
/// sha512WithRSAEncryption without parameters.
const RSA_PKCS1_SHA512_ABSENT_PARAMS: AlgorithmIdentifier =
    AlgorithmIdentifier::from_slice(&[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d]);

/// One signature algorithm checked by `node:crypto`.
#[derive(Debug)]
struct NodeAlgorithm {
    public_key_alg_id: AlgorithmIdentifier,
    signature_alg_id: AlgorithmIdentifier,
    scheme: Scheme,
    key: KeyRule,
}

impl NodeAlgorithm {
    const fn ecdsa(key: AlgorithmIdentifier, signature: AlgorithmIdentifier, scheme: Scheme, point: usize) -> Self {
        Self {
            public_key_alg_id: key,
            signature_alg_id: signature,
            scheme,
            key: KeyRule::EcPoint(point),
        }
    }

    const fn rsa(signature: AlgorithmIdentifier, scheme: Scheme, min_bits: usize) -> Self {
        Self {
            public_key_alg_id: alg_id::RSA_ENCRYPTION,
            signature_alg_id: signature,
            scheme,
            key: KeyRule::Rsa { min_bits },
        }
    }
}

impl SignatureVerificationAlgorithm for NodeAlgorithm {
    fn verify_signature(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        if !self.key.admits(public_key) {
            return Err(InvalidSignature);
        }
        let spki = spki_der(self.public_key_alg_id.as_ref(), public_key);
        match verify_signature(self.scheme as u32, &spki, message, signature) {
            Ok(true) => Ok(()),
            // A refused key, a bad signature or an exception: never an acceptance.
            Ok(false) | Err(_) => Err(InvalidSignature),
        }
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key_alg_id
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg_id
    }
}

impl KeyRule {
    fn admits(self, key: &[u8]) -> bool {
        match self {
            Self::EcPoint(len) => key.len() == len && key[0] == 0x04,
            Self::Ed25519 => key.len() == 32,
            Self::Rsa { min_bits } => rsa_key_admitted(key, min_bits),
        }
    }
}

/// ring's rules for an RSAPublicKey (ring/src/rsa/public_modulus.rs, public_exponent.rs):
/// strict DER `SEQUENCE { n INTEGER, e INTEGER }`; n positive, odd, at least `min_bits`
/// rounded up to whole bytes and at most 8192 bits; e odd, 3 ≤ e ≤ 2^33 − 1.
fn rsa_key_admitted(key: &[u8], min_bits: usize) -> bool {
    let Ok(mut reader) = SliceReader::new(key) else { return false };
    let parsed = reader.sequence(|r| Ok::<_, der::Error>((UintRef::decode(r)?, UintRef::decode(r)?)));
    let Ok((n, e)) = parsed else { return false };
    if reader.finish().is_err() {
        return false;
    }
    let (n, e) = (n.as_bytes(), e.as_bytes());
    let (Some(&n_first), Some(&n_last)) = (n.first(), n.last()) else { return false };
    if n_first == 0 || n_last & 1 == 0 || n.len() * 8 < min_bits {
        return false;
    }
    let n_bits = n.len() * 8 - n_first.leading_zeros() as usize;
    if n_bits > RSA_MAX_BITS || e.len() > 5 || e.first().is_none_or(|&b| b == 0) {
        return false;
    }
    let e = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    (3..=RSA_MAX_EXPONENT).contains(&e) && e & 1 == 1
}

/// A DER SubjectPublicKeyInfo: `SEQUENCE { SEQUENCE { alg_id }, BIT STRING { 00 key } }`.
fn spki_der(alg_id: &[u8], key: &[u8]) -> Vec<u8> {
    let mut algorithm = Vec::with_capacity(alg_id.len() + 4);
    push_tlv(&mut algorithm, 0x30, &[alg_id]);
    let mut bits = Vec::with_capacity(key.len() + 6);
    push_tlv(&mut bits, 0x03, &[&[0], key]);
    let mut out = Vec::with_capacity(algorithm.len() + bits.len() + 4);
    push_tlv(&mut out, 0x30, &[&algorithm, &bits]);
    out
}

fn push_tlv(out: &mut Vec<u8>, tag: u8, parts: &[&[u8]]) {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    for part in parts {
        out.extend_from_slice(part);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// A DER INTEGER of `bytes` (adds the sign octet when the top bit is set).
    fn integer(bytes: &[u8]) -> Vec<u8> {
        let mut value = Vec::new();
        if bytes[0] & 0x80 != 0 {
            value.push(0);
        }
        value.extend_from_slice(bytes);
        let mut out = Vec::new();
        push_tlv(&mut out, 0x02, &[&value]);
        out
    }

    fn rsa_key(n: &[u8], e: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        push_tlv(&mut out, 0x30, &[&integer(n), &integer(e)]);
        out
    }

    fn modulus(bytes: usize) -> Vec<u8> {
        let mut n = vec![0xc5; bytes];
        n[bytes - 1] = 0x01; // odd
        n
    }

    #[test]
    fn rsa_keys_follow_rings_rules() {
        let e = [0x01, 0x00, 0x01];
        assert!(rsa_key_admitted(&rsa_key(&modulus(256), &e), 2048));
        assert!(rsa_key_admitted(&rsa_key(&modulus(1024), &e), 2048), "8192 bits");
        assert!(!rsa_key_admitted(&rsa_key(&modulus(1025), &e), 2048), "over 8192 bits");
        assert!(!rsa_key_admitted(&rsa_key(&modulus(255), &e), 2048), "2040 bits");
        assert!(!rsa_key_admitted(&rsa_key(&modulus(256), &e), 3072), "2048 bits for a 3072 minimum");
        let mut even = modulus(256);
        even[255] = 0x02;
        assert!(!rsa_key_admitted(&rsa_key(&even, &e), 2048), "even modulus");
        assert!(rsa_key_admitted(&rsa_key(&modulus(256), &[3]), 2048), "e = 3");
        assert!(!rsa_key_admitted(&rsa_key(&modulus(256), &[1]), 2048), "e = 1");
        assert!(!rsa_key_admitted(&rsa_key(&modulus(256), &[0x01, 0x00, 0x00]), 2048), "even e");
        assert!(!rsa_key_admitted(&rsa_key(&modulus(256), &[0x02, 0, 0, 0, 1]), 2048), "e > 2^33 - 1");
        assert!(rsa_key_admitted(&rsa_key(&modulus(256), &[0x01, 0xff, 0xff, 0xff, 0xff]), 2048), "e = 2^33 - 1");
        let mut trailing = rsa_key(&modulus(256), &e);
        trailing.push(0);
        assert!(!rsa_key_admitted(&trailing, 2048), "trailing data");
        assert!(!rsa_key_admitted(&[], 2048));
        assert!(!rsa_key_admitted(&[0x30, 0x00], 2048));
    }

    #[test]
    fn ec_points_must_be_uncompressed() {
        let mut point = vec![0x04; P256_POINT];
        assert!(KeyRule::EcPoint(P256_POINT).admits(&point));
        point[0] = 0x02;
        assert!(!KeyRule::EcPoint(P256_POINT).admits(&point), "compressed");
        assert!(!KeyRule::EcPoint(P256_POINT).admits(&[0x04; 33]));
        assert!(!KeyRule::EcPoint(P384_POINT).admits(&[0x04; P256_POINT]), "wrong curve size");
        assert!(!KeyRule::EcPoint(P256_POINT).admits(&[]));
    }

    #[test]
    fn spki_wraps_algorithm_and_key() {
        let point = [0x04; P256_POINT];
        let spki = spki_der(alg_id::ECDSA_P256.as_ref(), &point);
        // 30 59 | 30 13 <ecPublicKey, prime256v1> | 03 42 00 <65-byte point>
        assert_eq!(&spki[..4], &[0x30, 0x59, 0x30, 0x13]);
        assert_eq!(&spki[23..26], &[0x03, 0x42, 0x00]);
        assert_eq!(spki.len(), 0x5b);
        let rsa = spki_der(alg_id::RSA_ENCRYPTION.as_ref(), &[0u8; 270]);
        // Long form lengths: 30 82 01 22 | 30 0d … | 03 82 01 0f 00 …
        assert_eq!(&rsa[..4], &[0x30, 0x82, 0x01, 0x22]);
        assert_eq!(&rsa[19..24], &[0x03, 0x82, 0x01, 0x0f, 0x00]);
        assert_eq!(rsa.len(), 4 + 0x122);
    }

    #[test]
    fn algorithms_mirror_webpki_identifiers() {
        assert_eq!(ALGORITHMS.len(), 15);
        let distinct: Vec<_> = ALGORITHMS
            .iter()
            .map(|a| (a.public_key_alg_id(), a.signature_alg_id()))
            .collect();
        assert!(distinct.contains(&(alg_id::ECDSA_P256, alg_id::ECDSA_SHA256)));
        assert!(distinct.contains(&(alg_id::RSA_ENCRYPTION, alg_id::RSA_PSS_SHA512)));
        assert!(distinct.contains(&(alg_id::ED25519, alg_id::ED25519)));
    }
}
