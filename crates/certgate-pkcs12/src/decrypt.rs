//! Decrypting an encrypted container (RFC 7292 §4.1, id-encryptedData) with the password, so
//! that the keys inside can be counted before p12-keystore derives a key for each of them.
//! Only schemes [`check_work`](crate::check_work) has bounded reach here.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockCipherDecrypt, BlockModeDecrypt, KeyInit, KeyIvInit};
use der::Decode;
use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};
use pkcs8::pkcs5;

/// The plaintext of an encrypted container, or `None` when it does not decrypt (a wrong
/// password, which p12-keystore then reports, or a scheme it does not decrypt either).
pub(crate) fn container(alg: &[u8], ciphertext: &[u8], password: &str) -> Option<Vec<u8>> {
    if let Ok(scheme) = pkcs5::EncryptionScheme::from_der(alg) {
        // PBES2 with the password's UTF-8, as p12-keystore decrypts it.
        return scheme.decrypt(password.as_bytes(), ciphertext).ok();
    }
    let alg = pkcs8::spki::AlgorithmIdentifierOwned::from_der(alg).ok()?;
    let params = alg
        .parameters?
        .decode_as::<pkcs12::pbe_params::Pkcs12PbeParams>()
        .ok()?;
    let salt = params.salt.as_bytes();
    if alg.oid == pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC {
        pbe::<des::TdesEde3>(password, salt, params.iterations, 24, ciphertext)
    } else if alg.oid == pkcs12::PKCS_12_PBEWITH_SHAAND40_BIT_RC2_CBC {
        pbe::<rc2::Rc2>(password, salt, params.iterations, 5, ciphertext)
    } else {
        None
    }
}

/// A PKCS#12 PBE (RFC 7292 appendix B and C): key and IV by the SHA-1 PKCS#12 key
/// derivation from the password, then CBC with PKCS#7 padding.
fn pbe<C: KeyInit + BlockCipherDecrypt>(
    password: &str,
    salt: &[u8],
    iterations: i32,
    key_len: usize,
    ciphertext: &[u8],
) -> Option<Vec<u8>> {
    type Sha1 = sha1_pkcs12::Sha1;
    let key = derive_key_utf8::<Sha1>(
        password,
        salt,
        Pkcs12KeyType::EncryptionKey,
        iterations,
        key_len,
    )
    .ok()?;
    let iv = derive_key_utf8::<Sha1>(password, salt, Pkcs12KeyType::Iv, iterations, 8).ok()?;
    cbc::Decryptor::<C>::new_from_slices(&key, &iv)
        .ok()?
        .decrypt_padded_vec::<Pkcs7>(ciphertext)
        .ok()
}
