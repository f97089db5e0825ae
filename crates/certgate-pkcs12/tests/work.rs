//! The pre-check: key-derivation work is bounded, and algorithms p12-keystore cannot decrypt
//! are named, before any password is tried. Every file here would otherwise cost seconds to
//! minutes of PBKDF2, or read as a wrong password.

#[path = "common/stores.rs"]
mod common;

use certgate_pkcs12::{check_work, read, Code, MAX_ITERATIONS, MAX_TOTAL_ITERATIONS};
use common::{positions, with_count, Pki, COUNT_32768, ITERATIONS_3_BYTES, PASSWORD};

/// Asserts that `file` is refused by `check_work` and by `read` with the right password, with
/// `UNSUPPORTED_PKCS12` and a message holding every piece of `expected`.
fn assert_unsupported(file: &[u8], expected: &[&str]) {
    for error in [
        check_work(file).expect_err("check_work refuses"),
        read(file, PASSWORD).expect_err("read refuses"),
    ] {
        assert_eq!(error.code, Code::Unsupported, "{error}");
        assert!(
            error.to_string().starts_with("UNSUPPORTED_PKCS12: "),
            "{error}"
        );
        for piece in expected {
            assert!(
                error.message.contains(piece),
                "`{piece}` missing in {error}"
            );
        }
    }
}

#[test]
fn a_step_of_8388607_iterations_is_refused_by_name() {
    let pki = Pki::new();
    let file = pki.key_store(&[&pki.leaf, &pki.intermediate], 1, 0, ITERATIONS_3_BYTES);
    read(&file, PASSWORD).expect("the unchanged file opens");
    let at = positions(&file, &COUNT_32768);
    // p12-keystore writes the certificate container, then the key, then the MAC.
    assert_eq!(at.len(), 3, "three iteration counts: {at:?}");
    for (i, what) in ["a certificate container", "a private key", "the MAC"]
        .into_iter()
        .enumerate()
    {
        // 0x7FFFFF: minutes of PBKDF2, and p12-keystore's bare "Invalid parameters".
        assert_unsupported(
            &with_count(&file, at[i], 0x7F_FF_FF),
            &[
                &format!("{what} asks for 8388607 key-derivation iterations"),
                "certgate accepts 1 to 1000000",
            ],
        );
    }
    // 0x800000 is a negative INTEGER: no derivation at all.
    assert_unsupported(
        &with_count(&file, at[2], 0x80_00_00),
        &["the MAC asks for -8388608 key-derivation iterations"],
    );
    // A million, the ceiling, is one step's allowance.
    check_work(&with_count(&file, at[0], 1_000_000)).expect("a million iterations per step");
}

#[test]
fn the_total_over_all_steps_is_bounded() {
    let pki = Pki::new();
    // Ten steps at the per-step ceiling (the MAC, the certificate container, eight keys) are
    // exactly the total; an eleventh key is over it.
    for (keys, accepted) in [(8, true), (9, false)] {
        let file = pki.key_store(&[&pki.leaf], keys, 0, ITERATIONS_3_BYTES);
        let at = positions(&file, &COUNT_32768);
        assert_eq!(at.len(), keys + 2, "{at:?}");
        let hostile = at.iter().fold(file, |file, &at| {
            with_count(&file, at, MAX_ITERATIONS as u32)
        });
        if accepted {
            check_work(&hostile).expect("ten million iterations in all");
        } else {
            assert_unsupported(
                &hostile,
                &[&format!(
                    "asks for more than {MAX_TOTAL_ITERATIONS} key-derivation iterations in all"
                )],
            );
        }
    }
}

#[test]
fn encrypted_secret_bags_count_toward_the_total() {
    // Java's secret key entries: p12-keystore decrypts every one (a million iterations each
    // at most) even though certgate reads none of them.
    let pki = Pki::new();
    let file = pki.key_store(&[], 0, 10, ITERATIONS_3_BYTES);
    let at = positions(&file, &COUNT_32768);
    // The (empty) certificate container, ten secrets, the MAC.
    assert_eq!(at.len(), 12, "{at:?}");
    let hostile = at.iter().fold(file.clone(), |file, &at| {
        with_count(&file, at, MAX_ITERATIONS as u32)
    });
    assert_unsupported(&hostile, &["key-derivation iterations in all"]);
    // One secret asking for too much is named.
    assert_unsupported(
        &with_count(&file, at[1], 0x7F_FF_FF),
        &["a secret key asks for 8388607 key-derivation iterations"],
    );
}

#[test]
fn pbkdf2_with_sha1_is_unsupported_not_a_wrong_password() {
    let pki = Pki::new();
    let file = pki.key_store(&[&pki.leaf], 1, 0, 2048);
    // hmacWithSHA256 (1.2.840.113549.2.9) becomes hmacWithSHA1 (…2.7), which p12-keystore's
    // PBES2 lacks: it would fail to decrypt, as if the password were wrong.
    let prf = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x09];
    let at = positions(&file, &prf);
    assert_eq!(at.len(), 2, "the container's and the key's PRF: {at:?}");
    for (i, what) in ["a certificate container", "a private key"]
        .into_iter()
        .enumerate()
    {
        let mut sha1 = file.clone();
        sha1[at[i] + 7] = 0x07;
        assert_unsupported(
            &sha1,
            &[&format!(
                "{what} is encrypted with PBES2 and PBKDF2-HMAC-SHA1"
            )],
        );
    }
    // The MAC's SHA-256 (2.16.840.1.101.3.4.2.1) becomes SHA3-256 (…2.8).
    let sha256 = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    let at = positions(&file, &sha256);
    assert_eq!(at.len(), 1, "the MAC's digest: {at:?}");
    let mut sha3 = file.clone();
    sha3[at[0] + 8] = 0x08;
    assert_unsupported(&sha3, &["the MAC uses digest 2.16.840.1.101.3.4.2.8"]);
}

#[test]
fn keys_inside_an_encrypted_container_are_counted_before_any_is_derived() {
    // Only the password shows these keys; p12-keystore would derive a key for each one,
    // a million iterations apiece, with nothing bounding the total.
    for legacy in [false, true] {
        let at_ceiling = common::hidden_keys(10, MAX_ITERATIONS as u32, legacy);
        check_work(&at_ceiling).expect("nothing visible without the password is over a limit");
        let error = read(&at_ceiling, PASSWORD).expect_err("refused");
        assert_eq!(error.code, Code::Unsupported, "{error}");
        assert!(
            error.message.contains("key-derivation iterations in all"),
            "{error}"
        );
        let one = common::hidden_keys(1, 0x7F_FF_FF, legacy);
        let error = read(&one, PASSWORD).expect_err("refused");
        assert!(
            error.message.contains(
                "a private key inside an encrypted container asks for 8388607 key-derivation \
                 iterations"
            ),
            "{error}"
        );
        // With the wrong password nothing inside is seen, and nothing derived: the
        // container does not decrypt, as p12-keystore then reports.
        let error = read(&at_ceiling, "wrong").expect_err("refused");
        assert_eq!(error.code, Code::WrongPassword, "legacy {legacy}: {error}");
        // Within the limits, the keys are read as far as p12-keystore goes (zeros do not
        // decrypt): the count let them through.
        let few = common::hidden_keys(2, 2048, legacy);
        let error = read(&few, PASSWORD).expect_err("zeros are no key");
        assert_eq!(error.code, Code::WrongPassword, "legacy {legacy}: {error}");
    }
}
