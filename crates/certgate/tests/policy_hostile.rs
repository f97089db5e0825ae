//! Hostile policies and hostile certificates: catastrophic-backtracking patterns run in
//! linear time, oversized patterns and documents are refused at load, and every limit the
//! policy module documents is enforced.
#![allow(clippy::unwrap_used)]

#[path = "policy/support.rs"]
mod support;

use std::time::{Duration, Instant};

use certgate::policy::{
    MatcherSpec, PolicySpec, MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_PATTERN_BYTES, MAX_ROUTES,
};
use certgate::{Code, Policy, PolicyError};
use support::{leaf, Pki};

/// Patterns from the ReDoS literature (OWASP's "evil regex" list, Davis et al. 2018,
/// Kirrage et al. 2013): each takes exponential time on a backtracking engine when the
/// input is a long run of `a` that finally fails to match.
const EVIL: &[&str] = &[
    "CN=(a+)+$",
    "CN=([a-zA-Z]+)*$",
    "CN=(a|aa)+$",
    "CN=(a|a?)+$",
    "CN=(.*a){12}$",
    "CN=(\\w+\\s?)*$",
    "CN=^(([a-z])+.)+[A-Z]([a-z])+$",
    "CN=(a*)*b",
    "CN=(?:a+a+)+b",
];

fn refused(result: Result<Policy, PolicyError>) -> PolicyError {
    match result {
        Ok(_) => panic!("hostile policy accepted"),
        Err(e) => {
            assert_eq!(e.code(), Code::InvalidPolicy);
            e
        }
    }
}

/// Matches a CN of `n` letters `a` followed by `!` against every evil pattern, as a subject
/// matcher (whole-string) and as the principal regex (search with captures).
fn run_evil(pki: &Pki, n: usize) -> Duration {
    let cn = format!("{}!", "a".repeat(n));
    let mut total = Duration::ZERO;
    for pattern in EVIL {
        let gate = format!(
            "[principal]\nregex = '''({})'''\nrequired = false\n[default]\naccess = \"authenticated\"\nrequire = {{ subject_regex = '''{}''' }}\n",
            pattern, pattern
        );
        let p = Policy::from_toml(&gate).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        let id = pki.identity(&p, leaf().cn(&cn));
        let start = Instant::now();
        let r = p.evaluate(Some(&id), "GET", "/").unwrap_err();
        let principal = p.principal(&id);
        total += start.elapsed();
        assert_eq!(r.code, Code::PolicyNoMatch, "{pattern}");
        assert_eq!(principal, None, "{pattern}");
    }
    total
}

#[test]
fn redos_patterns_run_in_linear_time() {
    let pki = Pki::new("ReDoS CA");
    // A backtracking engine needs ~2^n steps for n = 64 on most of these; here every
    // pattern is linear, so doubling the input roughly doubles the time. Generous absolute
    // bounds keep this stable on a loaded machine and in debug builds.
    let short = run_evil(&pki, 1000);
    let long = run_evil(&pki, 4000);
    assert!(
        long < Duration::from_secs(5),
        "4000-byte subjects took {long:?}"
    );
    assert!(
        long < short * 16 + Duration::from_millis(50),
        "time grew faster than linearly: {short:?} for 1000 bytes, {long:?} for 4000"
    );
}

#[test]
fn hostile_globs_are_bounded() {
    let pki = Pki::new("Glob CA");
    let p = Policy::from_toml(
        "[principal]\nrequired = false\n[default]\naccess = \"authenticated\"\nrequire = { subject = { CN = \"*a*a*a*a*a*a*a*a*a*a*a*b\" } }",
    )
    .unwrap();
    let id = pki.identity(&p, leaf().cn(&"a".repeat(4000)));
    let start = Instant::now();
    assert_eq!(
        p.evaluate(Some(&id), "GET", "/").unwrap_err().code,
        Code::PolicyNoMatch
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_one_megabyte_pattern_is_refused_at_load() {
    let huge = "a".repeat(1_000_000);
    let text = format!("[[routes]]\npath = \"/\"\naccess = \"authenticated\"\nrequire = {{ subject_regex = \"{huge}\" }}\n");
    assert!(text.len() < MAX_DOCUMENT_BYTES);
    let e = refused(Policy::from_toml(&text));
    assert_eq!(e.field, "routes[0].require.subject_regex");
    assert_eq!(e.line, Some(4));
    assert!(
        e.message
            .contains(&format!("longer than the {MAX_PATTERN_BYTES}-byte limit")),
        "{}",
        e.message
    );
    assert!(
        e.message.len() < 200,
        "the message quotes the pattern abbreviated"
    );

    // The same through the object (JSON / JavaScript) path, for every pattern kind.
    for matcher in [
        MatcherSpec::SubjectRegex(huge.clone()),
        MatcherSpec::SanDns(huge.as_str().into()),
        MatcherSpec::SanUri(huge.as_str().into()),
    ] {
        let mut spec = PolicySpec::default();
        spec.require = Some(matcher);
        let e = refused(Policy::from_spec(&spec));
        assert!(e.message.contains("-byte limit"), "{}", e.message);
        assert_eq!(e.line, None, "objects have no lines");
        assert!(e.field.starts_with("require."), "{}", e.field);
    }
    let mut spec = PolicySpec::default();
    spec.principal.regex = Some(format!("({huge})"));
    assert_eq!(refused(Policy::from_spec(&spec)).field, "principal.regex");

    // And a document over the limit is refused before it is parsed.
    let e = refused(Policy::from_toml(&format!(
        "# {}",
        "x".repeat(MAX_DOCUMENT_BYTES)
    )));
    assert!(e.message.contains("the limit is"), "{}", e.message);
}

#[test]
fn regexes_that_compile_to_huge_automata_are_refused() {
    let e = refused(Policy::from_toml(
        r#"require = { subject_regex = "\\w{1000}" }"#,
    ));
    assert!(e.message.contains("compiles to more than"), "{}", e.message);
    let nested = format!("{}a{}", "(".repeat(100), ")".repeat(100));
    let e = refused(Policy::from_toml(&format!(
        "require = {{ subject_regex = \"{nested}\" }}"
    )));
    assert!(e.message.contains("is invalid"), "{}", e.message);
}

#[test]
fn matcher_nesting_and_rule_counts_are_limited() {
    let mut m = MatcherSpec::SanDns("x.example.com".into());
    for _ in 0..=MAX_DEPTH {
        m = MatcherSpec::Not(Box::new(m));
    }
    let mut spec = PolicySpec::default();
    spec.require = Some(m);
    let e = refused(Policy::from_spec(&spec));
    assert!(e.message.contains("nested more than"), "{}", e.message);

    let mut text = String::new();
    for i in 0..=MAX_ROUTES {
        text.push_str(&format!(
            "[[routes]]\npath = \"/r{i}\"\naccess = \"anonymous\"\n"
        ));
    }
    let e = refused(Policy::from_toml(&text));
    assert_eq!(e.field, "routes");

    // Deeply nested TOML is refused by the parser, not by a stack overflow.
    let deep = format!("require = {}{}", "{ not = ".repeat(200), "}".repeat(200));
    refused(Policy::from_toml(&deep));
}

#[test]
fn hostile_request_paths_are_bounded() {
    let p = Policy::from_toml("[[routes]]\npath = \"/a/**/z\"\naccess = \"anonymous\"").unwrap();
    let long = format!("/a{}", "/b".repeat(10_000));
    assert_eq!(
        p.evaluate(None, "GET", &long).unwrap_err().code,
        Code::PolicyNoMatch
    );
    let many_escapes = format!("/a/{}", "%25".repeat(100_000));
    assert_eq!(
        p.evaluate(None, "GET", &many_escapes).unwrap_err().code,
        Code::PolicyNoMatch
    );
    assert!(p.evaluate(None, "GET", "/a/b/c/z").is_ok());
}

/// Every prefix of the example policy and hundreds of byte-mutated copies either load or
/// are refused with `INVALID_POLICY` and a line inside the document: never a panic.
#[test]
fn mangled_documents_are_refused_cleanly() {
    let example = include_str!("../policy.example.toml");
    let lines = example.lines().count() + 1;
    let check = |text: &str| {
        if let Err(e) = Policy::from_toml(text) {
            assert_eq!(e.code(), Code::InvalidPolicy);
            assert!(e.line.is_none_or(|l| l >= 1 && l <= lines), "{e}");
        }
    };
    for (cut, _) in example.char_indices().step_by(13) {
        check(&example[..cut]);
    }
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    const NOISE: &[u8] = b"[]{}=\"',.#\n *?/\\0aZ";
    for _ in 0..500 {
        let mut bytes = example.as_bytes().to_vec();
        for _ in 0..1 + next() % 4 {
            let at = (next() % bytes.len() as u64) as usize;
            bytes[at] = NOISE[(next() % NOISE.len() as u64) as usize];
        }
        if let Ok(text) = std::str::from_utf8(&bytes) {
            check(text);
        }
    }
}

/// Arbitrary request paths and methods are decided, never panicked on.
#[test]
fn arbitrary_requests_are_decided() {
    let p = Policy::from_toml(include_str!("../policy.example.toml")).unwrap();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    const ALPHABET: &[char] = &[
        '/', '.', '%', '2', 'f', 'F', 'e', ';', '?', '#', 'a', 'é', '\0', '*', '{', ' ',
    ];
    for _ in 0..5000 {
        let len = (next() % 24) as usize;
        let path: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        let method = ["GET", "get", "", "PO ST", "DELETE"][(next() % 5) as usize];
        match p.evaluate(None, method, &path) {
            Ok(d) => assert!(!d.authenticated),
            Err(r) => assert!(
                matches!(r.code, Code::PolicyNoMatch | Code::NoCertificate),
                "{r}"
            ),
        }
    }
}

/// A pattern that is not a regex on its own must not become one by being anchored:
/// `a)|(b` wrapped as `\A(?:a)|(b)\z` would match any subject starting with `a`.
#[test]
fn patterns_cannot_escape_their_anchors() {
    for pattern in ["CN=a)|(.*", ".*)|(x", ")(", "(?x)CN=a # comment"] {
        let text = format!("require = {{ subject_regex = '''{pattern}''' }}");
        let e = refused(Policy::from_toml(&text));
        assert!(e.message.contains("is invalid"), "{pattern}: {}", e.message);
    }
}
