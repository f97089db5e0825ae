//! PKCS#12 files for the tests: a root, an intermediate and a leaf from rcgen, written by
//! p12-keystore (the writer `certgate keystore build` uses: PBES2 with PBKDF2-HMAC-SHA256 and
//! AES-256-CBC, an HMAC-SHA256 MAC), and rewritten in place where a test needs a hostile file.

#![allow(dead_code)] // Each test file uses its own part.

use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, LocalKeyId, MacAlgorithm,
    PrivateKey, PrivateKeyChain,
};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};

pub const PASSWORD: &str = "correct horse battery staple";

/// 32,768 iterations, the smallest count DER writes in three bytes: `02 03 00 80 00`, which
/// the tests rewrite to another three-byte count (8,388,607 is `7F FF FF`).
pub const ITERATIONS_3_BYTES: u32 = 32_768;
pub const COUNT_32768: [u8; 5] = [0x02, 0x03, 0x00, 0x80, 0x00];

/// A leaf's key (PKCS#8 DER) and certificates (DER).
pub struct Pki {
    pub key: Vec<u8>,
    pub leaf: Vec<u8>,
    pub intermediate: Vec<u8>,
    pub root: Vec<u8>,
}

impl Pki {
    pub fn new() -> Self {
        let ca = |cn: &str| {
            let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, cn);
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params
        };
        let root_key = KeyPair::generate().expect("root key");
        let root_params = ca("p12 root");
        let root = root_params.self_signed(&root_key).expect("root");
        let root_issuer = Issuer::from_params(&root_params, &root_key);
        let int_key = KeyPair::generate().expect("intermediate key");
        let int_params = ca("p12 intermediate");
        let intermediate = int_params
            .signed_by(&int_key, &root_issuer)
            .expect("intermediate");
        let int_issuer = Issuer::from_params(&int_params, &int_key);
        let leaf_key = KeyPair::generate().expect("leaf key");
        let mut leaf_params = CertificateParams::new(vec!["p12.test".into()]).expect("params");
        leaf_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "p12 leaf");
        let leaf = leaf_params.signed_by(&leaf_key, &int_issuer).expect("leaf");
        Self {
            key: leaf_key.serialize_der(),
            leaf: leaf.der().to_vec(),
            intermediate: intermediate.der().to_vec(),
            root: root.der().to_vec(),
        }
    }

    /// A key store: `keys` entries of the leaf's key, each with `chain`, then `secrets` secret
    /// key entries, all encrypted and MACed with `iterations`.
    pub fn key_store(
        &self,
        chain: &[&[u8]],
        keys: usize,
        secrets: usize,
        iterations: u32,
    ) -> Vec<u8> {
        let certs: Vec<Certificate> = chain
            .iter()
            .map(|der| Certificate::from_der(der).expect("certificate"))
            .collect();
        let mut store = KeyStore::new();
        for i in 0..keys {
            store.add_entry(
                &format!("key{i}"),
                KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(
                    LocalKeyId::from(vec![i as u8 + 1]),
                    PrivateKey::from_der(&self.key).expect("key"),
                    certs.clone(),
                )),
            );
        }
        for i in 0..secrets {
            let secret =
                p12_keystore::secret::Secret::builder(p12_keystore::secret::SecretKeyType::Aes)
                    .with_key(vec![i as u8; 32])
                    .build()
                    .expect("secret");
            store.add_entry(&format!("secret{i}"), KeyStoreEntry::Secret(secret));
        }
        store
            .writer(PASSWORD)
            .encryption_algorithm(EncryptionAlgorithm::PbeWithHmacSha256AndAes256)
            .encryption_iterations(iterations)
            .mac_algorithm(MacAlgorithm::HmacSha256)
            .mac_iterations(iterations)
            .write()
            .expect("write the key store")
    }
}

/// Where `needle` occurs in `haystack`.
pub fn positions(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

/// `file` with the three-byte iteration count at `at` (a position of [`COUNT_32768`]) set to
/// `count`'s low three bytes.
pub fn with_count(file: &[u8], at: usize, count: u32) -> Vec<u8> {
    let mut out = file.to_vec();
    out[at + 2..at + 5].copy_from_slice(&count.to_be_bytes()[1..]);
    out
}

/// A file without a MAC whose one container is encrypted with [`PASSWORD`] (PBES2 with
/// PBKDF2-HMAC-SHA256 at 2,048 iterations and AES-256-CBC, or with `legacy` the PKCS#12 PBE
/// with SHA-1 and 3DES) and holds `keys` shrouded key bags, each asking for `key_iterations`:
/// keys that only the password shows. Their contents are never decrypted (the tests refuse
/// them first), so they are zeros.
pub fn hidden_keys(keys: usize, key_iterations: u32, legacy: bool) -> Vec<u8> {
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockModeEncrypt, KeyIvInit};
    use der::asn1::OctetString;
    use der::{Any, Decode, Encode};
    use pkcs12::cms::content_info::{CmsVersion, ContentInfo};
    use pkcs12::cms::encrypted_data::EncryptedData;
    use pkcs12::cms::enveloped_data::EncryptedContentInfo;
    use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};
    use pkcs8::pkcs5::{pbes2, EncryptionScheme};
    use pkcs8::spki::AlgorithmIdentifierOwned;

    const ID_DATA: der::oid::ObjectIdentifier =
        der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
    const ID_ENCRYPTED_DATA: der::oid::ObjectIdentifier =
        der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
    let pbes2 = |iterations: u32| {
        EncryptionScheme::from(
            pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(iterations, &[7; 16], [9; 16])
                .expect("PBES2 parameters"),
        )
    };
    let alg_id = |der: Vec<u8>| AlgorithmIdentifierOwned::from_der(&der).expect("algorithm");

    let key = pkcs12::pbe_params::EncryptedPrivateKeyInfo {
        encryption_algorithm: alg_id(pbes2(key_iterations).to_der().expect("DER")),
        encrypted_data: OctetString::new(vec![0; 48]).expect("octets"),
    };
    let bag = pkcs12::safe_bag::SafeBag {
        bag_id: pkcs12::PKCS_12_PKCS8_KEY_BAG_OID,
        bag_value: key.to_der().expect("DER"),
        bag_attributes: None,
    };
    let plaintext = vec![bag; keys].to_der().expect("SafeContents");

    let (alg, ciphertext) = if legacy {
        let salt = [5u8; 8];
        let derive = |kind, len| {
            derive_key_utf8::<sha1_pkcs12::Sha1>(PASSWORD, &salt, kind, 2048, len)
                .expect("PKCS#12 key derivation")
        };
        let (key, iv) = (
            derive(Pkcs12KeyType::EncryptionKey, 24),
            derive(Pkcs12KeyType::Iv, 8),
        );
        let ciphertext = cbc::Encryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
            .expect("3DES")
            .encrypt_padded_vec::<Pkcs7>(&plaintext);
        let params = pkcs12::pbe_params::Pkcs12PbeParams {
            salt: OctetString::new(salt.to_vec()).expect("salt"),
            iterations: 2048,
        };
        let alg = AlgorithmIdentifierOwned {
            oid: pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC,
            parameters: Some(Any::encode_from(&params).expect("parameters")),
        };
        (alg, ciphertext)
    } else {
        let scheme = pbes2(2048);
        let ciphertext = scheme.encrypt(PASSWORD, &plaintext).expect("encrypt");
        (alg_id(scheme.to_der().expect("DER")), ciphertext)
    };
    let container = EncryptedData {
        version: CmsVersion::V0,
        enc_content_info: EncryptedContentInfo {
            content_type: ID_DATA,
            content_enc_alg: alg,
            encrypted_content: Some(OctetString::new(ciphertext).expect("octets")),
        },
        unprotected_attrs: None,
    };
    let safes = vec![ContentInfo {
        content_type: ID_ENCRYPTED_DATA,
        content: Any::encode_from(&container).expect("container"),
    }];
    let auth_safe = OctetString::new(safes.to_der().expect("DER")).expect("octets");
    pkcs12::pfx::Pfx {
        version: pkcs12::pfx::Version::V3,
        auth_safe: ContentInfo {
            content_type: ID_DATA,
            content: Any::encode_from(&auth_safe).expect("authenticated safe"),
        },
        mac_data: None,
    }
    .to_der()
    .expect("PFX")
}
