//! Policy evaluation against arbitrary certificates: the input is `METHOD PATH\n` then DER;
//! the DER leaf goes through `Identity::from_der` and is evaluated by the core's example policy
//! and the demo policy. A decision or a rejection, never a panic; a request without a
//! certificate is never admitted to a route that needs one.
#![no_main]

mod common;

use std::sync::LazyLock;

use certgate::{Identity, Policy};
use libfuzzer_sys::fuzz_target;

static POLICIES: LazyLock<[Policy; 2]> = LazyLock::new(|| {
    [
        Policy::from_toml(common::EXAMPLE_POLICY).expect("policy.example.toml loads"),
        Policy::from_toml(common::DEMO_POLICY).expect("the demo policy loads"),
    ]
});

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (request, der) = (&data[..split], data.get(split + 1..).unwrap_or_default());
    let request = String::from_utf8_lossy(request);
    let (method, path) = request.split_once(' ').unwrap_or(("GET", &request));
    let identity = Identity::from_der(der).ok();
    for policy in POLICIES.iter() {
        let _ = policy.evaluate(identity.as_ref(), method, path);
        // Without a certificate, only an anonymous rule admits, and it names no principal.
        if let Ok(decision) = policy.evaluate(None, method, path) {
            assert!(
                !decision.authenticated && decision.principal.is_none(),
                "{method} {path}: {decision:?}"
            );
        }
        let _ = policy.explain(identity.as_ref(), method, path);
        if let Some(identity) = &identity {
            let _ = policy.roles(identity);
            let _ = policy.principal(identity);
        }
    }
    // The demo policy admits no one without a certificate except by its /health route.
    if let Ok(decision) = POLICIES[1].evaluate(None, method, path) {
        assert_eq!(
            decision.rule, "routes[0]",
            "{method} {path} admitted without a certificate"
        );
    }
});
