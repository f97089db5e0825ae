//! The x509-limbo dev suite through the certgate core, checked against the reviewed
//! exceptions file: no unsafe accept, and exactly the listed cases not passing.

use std::path::PathBuf;

use certgate_limbo::{run_suite, tally, Exceptions, Suite};

/// `../shared/conformance/limbo-dev.json.gz` beside the repository, where CI and every
/// developer machine keep the suite.
fn suite_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/limbo-dev.json.gz")
}

#[test]
fn the_dev_suite_matches_the_exceptions_file() {
    let path = suite_path();
    let suite = Suite::load(&path).unwrap_or_else(|e| panic!("the limbo dev suite is needed: {e}"));
    assert_eq!(
        suite.testcases.len(),
        7_993,
        "{} is not the dev suite",
        path.display()
    );
    // A fixed "now" for the cases without a validation time keeps the run reproducible as the
    // suite's real-world certificates expire; it is the one scripts/test.sh passes as --now.
    let now = 1_780_000_000;
    let outcomes = run_suite(&suite, now);
    let t = tally(&suite, &outcomes);
    assert_eq!(t.unsafe_accepts, 0, "{t:?}");
    assert!(t.pass >= 7_950, "{t:?}");
    assert!(t.skipped < 5, "{t:?}");

    let exceptions =
        Exceptions::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("exceptions.json"))
            .unwrap_or_else(|e| panic!("{e}"));
    if let Err(problems) = exceptions.check(&suite, &outcomes) {
        panic!("the run differs from tests/limbo/exceptions.json:\n{problems}");
    }
    assert!(
        exceptions
            .cases
            .values()
            .all(|e| !e.reason.trim().is_empty()),
        "every exception has a reason"
    );
}
