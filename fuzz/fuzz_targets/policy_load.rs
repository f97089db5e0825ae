//! The policy loader (`Policy::from_toml`) on arbitrary text; a policy that loads is then
//! evaluated and explained for alice, for no certificate, and for a few requests.
#![no_main]

mod common;

use std::sync::LazyLock;

use certgate::{Identity, Policy};
use libfuzzer_sys::fuzz_target;

static ALICE: LazyLock<Identity> = LazyLock::new(|| {
    let chain =
        certgate::parse_chain(common::ALICE, &certgate::Limits::default()).expect("alice.pem");
    Identity::from_der(&chain[0]).expect("alice's identity")
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let policy = match Policy::from_toml(text) {
        Ok(policy) => policy,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    for (method, path) in [
        ("GET", "/customer/1"),
        ("POST", "/admin/x/y"),
        ("GET", "/health"),
        ("DELETE", "/%2e%2e/"),
    ] {
        let _ = policy.evaluate(Some(&ALICE), method, path);
        let _ = policy.evaluate(None, method, path);
        let _ = policy.explain(Some(&ALICE), method, path);
    }
    let _ = policy.roles(&ALICE);
    let _ = policy.principal(&ALICE);
});
