//! Guard: every stable code in `Code::ALL` is produced by at least one test.
//!
//! A code counts as covered when a test source in this directory names it as `Code::Variant`
//! outside a comment. The topic tests assert on the code they produce, so a code that no test
//! names is a code no test produces. The policy codes (POLICY_NO_MATCH, ROLE_MISSING,
//! INVALID_POLICY) belong to the policy layer and are covered by `tests/policy*.rs`; every other
//! code must appear in a topic test (not in this file, not only in the policy tests).

use std::collections::BTreeMap;
use std::path::Path;

use certgate::Code;

const POLICY_CODES: &[Code] = &[Code::PolicyNoMatch, Code::RoleMissing, Code::InvalidPolicy];

/// Test sources by file name: `*.rs` in `tests/` and its subdirectories, except this file
/// and the shared helpers, with `//` comments removed.
fn sources() -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("tests/ is readable") {
            let entry = entry.expect("tests/ entry");
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let path = entry.path();
            if path.is_dir() && name != "fixtures" && name != "common" {
                walk(&path, &format!("{name}/"), out);
            } else if name.ends_with(".rs") && name != "codes.rs" {
                let text = std::fs::read_to_string(&path).expect("test source is UTF-8");
                let code: String = text
                    .lines()
                    .map(|line| line.split("//").next().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join("\n");
                out.insert(name, code);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests"),
        "",
        &mut out,
    );
    out
}

/// Whether `source` names `Code::{variant}` as a whole identifier.
fn names(source: &str, variant: &str) -> bool {
    let needle = format!("Code::{variant}");
    source.match_indices(&needle).any(|(at, _)| {
        !source[at + needle.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[test]
fn every_code_is_produced_by_a_test() {
    let sources = sources();
    let is_policy_file = |name: &str| name.starts_with("policy");
    let mut missing = Vec::new();
    for code in Code::ALL {
        let variant = format!("{code:?}");
        let covered = if POLICY_CODES.contains(code) {
            sources
                .iter()
                .any(|(name, text)| is_policy_file(name) && names(text, &variant))
        } else {
            sources
                .iter()
                .any(|(name, text)| !is_policy_file(name) && names(text, &variant))
        };
        if !covered {
            missing.push(code.as_str());
        }
    }
    assert!(
        missing.is_empty(),
        "codes no test produces: {missing:?} (test files scanned: {:?})",
        sources.keys()
    );
}

#[test]
fn the_scan_sees_the_topic_tests() {
    let sources = sources();
    for topic in [
        "chain.rs",
        "validity.rs",
        "usage.rs",
        "crl.rs",
        "pinning.rs",
        "inspect.rs",
        "malformed.rs",
        "parity.rs",
    ] {
        assert!(
            sources.contains_key(topic),
            "{topic} not scanned: {:?}",
            sources.keys()
        );
    }
    assert!(names("x(Code::CertExpired)", "CertExpired"));
    assert!(!names("x(Code::CertExpiredSoon)", "CertExpired"));
    assert!(
        !sources["chain.rs"].contains("// "),
        "comments are stripped"
    );
}
