//! Hostile policies and hostile certificates: catastrophic-backtracking patterns decide long
//! hostile subjects correctly, oversized patterns and documents are refused at load, every
//! limit the policy module documents is enforced, and the regex size bound is the same in
//! every build.
#![allow(clippy::unwrap_used)]

#[path = "policy/support.rs"]
mod support;

use certgate::policy::{
    MatcherSpec, PolicySpec, MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_PATTERN_BYTES, MAX_REGEX_WEIGHT,
    MAX_ROUTES, MAX_TOTAL_REGEX_WEIGHT,
};
use certgate::{Code, Policy, PolicyError};
use support::{leaf, Pki};

/// Patterns from the ReDoS literature (OWASP's "evil regex" list, Davis et al. 2018,
/// Kirrage et al. 2013), each with the text after `CN=` and a run of `a` that makes it match:
/// on a backtracking engine each takes exponential time when the input is a long run of `a`
/// that finally fails to match. (Their timing: `cargo bench -p certgate --bench policy`.)
const EVIL: &[(&str, &str)] = &[
    ("CN=(a+)+$", ""),
    ("CN=([a-zA-Z]+)*$", ""),
    ("CN=(a|aa)+$", ""),
    ("CN=(a|a?)+$", ""),
    ("CN=(.*a){12}$", ""),
    ("CN=(\\w+\\s?)*$", ""),
    ("^CN=(([a-z])+.)+[A-Z]([a-z])+$", "Ab"),
    ("CN=(a*)*b", "b"),
    ("CN=(?:a+a+)+b", "b"),
];

/// Characters in the hostile subjects: a backtracking engine would need ~2^4000 steps.
const EVIL_LENGTH: usize = 4000;

fn refused(result: Result<Policy, PolicyError>) -> PolicyError {
    match result {
        Ok(_) => panic!("hostile policy accepted"),
        Err(e) => {
            assert_eq!(e.code(), Code::InvalidPolicy);
            e
        }
    }
}

/// Every evil pattern, as the subject matcher (whole string) and as the principal regex
/// (searched, with captures), decides long hostile subjects correctly: the run of `a` that
/// ends in `!` is refused, the run with the pattern's ending admitted with the whole subject
/// as principal. An exponential engine would hang here, and CI would time out.
#[test]
fn redos_patterns_decide_long_hostile_subjects() {
    let pki = Pki::new("ReDoS CA");
    for (pattern, ending) in EVIL {
        let gate = format!(
            "[principal]\nregex = '''({pattern})'''\nrequired = false\n[default]\naccess = \"authenticated\"\nrequire = {{ subject_regex = '''{pattern}''' }}\n",
        );
        let p = Policy::from_toml(&gate).unwrap_or_else(|e| panic!("{pattern}: {e}"));

        let failing = format!("{}!", "a".repeat(EVIL_LENGTH));
        let id = pki.identity(&p, leaf().cn(&failing));
        let r = p.evaluate(Some(&id), "GET", "/").unwrap_err();
        assert_eq!(r.code, Code::PolicyNoMatch, "{pattern}");
        assert_eq!(p.principal(&id), None, "{pattern}");

        let matching = format!("{}{ending}", "a".repeat(EVIL_LENGTH));
        let id = pki.identity(&p, leaf().cn(&matching));
        let subject = format!("CN={matching}");
        let d = p
            .evaluate(Some(&id), "GET", "/")
            .unwrap_or_else(|r| panic!("{pattern}: {r}"));
        assert_eq!(d.principal.as_deref(), Some(subject.as_str()), "{pattern}");
    }
}

/// The shared regex vectors (tests/policy/regex_vectors.json) load natively with the verdict
/// recorded there; the npm package's policy-parity test checks both wasm builds against the
/// same record, so a pattern admitted by one build and refused by another fails one of them.
/// `CERTGATE_BLESS=1` rewrites the record from this build's verdicts.
#[test]
fn regex_vectors_have_their_recorded_verdicts() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/policy/regex_vectors.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let bless = std::env::var_os("CERTGATE_BLESS").is_some();
    let vectors = doc["vectors"].as_array_mut().unwrap();
    assert!(vectors.len() >= 30);
    let mut admitted = 0;
    for v in vectors.iter_mut() {
        let pattern: String = v["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                p[0].as_str()
                    .unwrap()
                    .repeat(p[1].as_u64().unwrap() as usize)
            })
            .collect();
        let spec: PolicySpec =
            serde_json::from_value(serde_json::json!({ "require": { "subject_regex": pattern } }))
                .unwrap();
        let verdict = match Policy::from_spec(&spec) {
            Ok(_) => {
                admitted += 1;
                serde_json::json!({ "code": "OK" })
            }
            Err(e) => {
                assert!(!e.message.is_empty());
                serde_json::json!({ "code": e.code().as_str(), "field": e.field, "message": e.message })
            }
        };
        match bless {
            true => v["verdict"] = verdict,
            false => assert_eq!(v["verdict"], verdict, "{}", v["name"]),
        }
    }
    assert!(
        admitted >= 10 && admitted + 10 <= vectors.len(),
        "both verdicts are exercised"
    );
    if bless {
        std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
    }
}

/// `\w{16}` is admitted on every platform: the size bound is the pattern's weight, computed
/// from its text, not the heap its automaton takes (which differs between 32-bit wasm and
/// 64-bit native builds).
#[test]
fn regex_size_is_bounded_by_weight_not_by_heap() {
    let pki = Pki::new("Weight CA");
    let p = Policy::from_toml(
        "[principal]\nregex = '''^CN=(\\w{16})$'''\n[default]\naccess = \"authenticated\"\nrequire = { subject_regex = '''CN=\\w{16}''' }",
    )
    .unwrap();
    let id = pki.identity(&p, leaf().cn("abcdefghijklmnop"));
    let d = p.evaluate(Some(&id), "GET", "/").unwrap();
    assert_eq!(d.principal.as_deref(), Some("abcdefghijklmnop"));
    let id = pki.identity(&p, leaf().cn("abcdefghijklmno"));
    assert_eq!(
        p.evaluate(Some(&id), "GET", "/").unwrap_err().code,
        Code::PolicyNoMatch
    );

    let e = refused(Policy::from_toml(
        r#"require = { subject_regex = "CN=\\w{32}" }"#,
    ));
    assert!(
        e.message
            .contains(&format!("the limit is {MAX_REGEX_WEIGHT}")),
        "{}",
        e.message
    );

    // Sixteen regexes near the single limit fit the policy's total; seventeen do not.
    let routes = |n: usize| -> String {
        (0..n)
            .map(|i| {
                format!(
                    "[[routes]]\npath = \"/r{i}\"\naccess = \"authenticated\"\nrequire = {{ subject_regex = '''CN=\\w{{31}}.{{30}}''' }}\n"
                )
            })
            .collect()
    };
    assert_eq!(MAX_TOTAL_REGEX_WEIGHT / MAX_REGEX_WEIGHT, 16);
    assert!(Policy::from_toml(&routes(16)).is_ok());
    let e = refused(Policy::from_toml(&routes(17)));
    assert_eq!(e.field, "routes[16].require.subject_regex");
    assert!(
        e.message.contains("together weigh more than"),
        "{}",
        e.message
    );
}

/// A glob with many stars against a long subject: refused without the final `b`, admitted
/// with it (the two-pointer matcher is O(pattern × input); an exponential one would hang).
#[test]
fn hostile_globs_decide_long_subjects() {
    let pki = Pki::new("Glob CA");
    let p = Policy::from_toml(
        "[principal]\nrequired = false\n[default]\naccess = \"authenticated\"\nrequire = { subject = { CN = \"*a*a*a*a*a*a*a*a*a*a*a*b\" } }",
    )
    .unwrap();
    let id = pki.identity(&p, leaf().cn(&"a".repeat(EVIL_LENGTH)));
    assert_eq!(
        p.evaluate(Some(&id), "GET", "/").unwrap_err().code,
        Code::PolicyNoMatch
    );
    let id = pki.identity(&p, leaf().cn(&format!("{}b", "a".repeat(EVIL_LENGTH))));
    assert!(p.evaluate(Some(&id), "GET", "/").unwrap().authenticated);
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
    for heavy in [
        "\\\\w{1000}",
        "(?:(?:(?:a{1000}){1000}){1000}){1000}",
        "((\\\\w{4}){4}){4}",
        "a{99999999999999999999999}",
    ] {
        let e = refused(Policy::from_toml(&format!(
            "require = {{ subject_regex = \"{heavy}\" }}"
        )));
        assert!(e.message.contains("is too large"), "{heavy}: {}", e.message);
    }
    let nested = format!("{}a{}", "(".repeat(100), ")".repeat(100));
    let e = refused(Policy::from_toml(&format!(
        "require = {{ subject_regex = \"{nested}\" }}"
    )));
    assert!(e.message.contains("more than 64 deep"), "{}", e.message);
    // A long alternation of names is an ordinary pattern: admitted.
    let names: Vec<String> = (0..400).map(|i| format!("user{i:03}")).collect();
    let alternation = format!("CN=(?:{}),O=Example", names.join("|"));
    let text = format!("require = {{ subject_regex = \"{alternation}\" }}");
    assert!(Policy::from_toml(&text).is_ok());
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
