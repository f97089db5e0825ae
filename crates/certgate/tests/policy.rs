//! The policy layer through the public API: schema, matchers, principal sources, roles,
//! route rules, explain traces and load-time errors, on certificates generated at test time
//! and verified by the real verifier.
#![allow(clippy::unwrap_used)]

#[path = "policy/support.rs"]
mod support;

use certgate::policy::{PolicySpec, Stage, DEFAULT_PRINCIPAL_REGEX};
use certgate::{Code, Policy, Rejection};
use support::{leaf, policy, staff, Pki};

fn denied(result: Result<certgate::Decision, Rejection>) -> Rejection {
    match result {
        Ok(d) => panic!("expected a denial, got {d:?}"),
        Err(r) => r,
    }
}

// ---- seed scenarios -------------------------------------------------------------------

/// Dropwizard's regex filter: certificates whose subject is not recognised get a 403.
#[test]
fn dn_regex_filter_refuses_unrecognised_subjects_with_403() {
    let pki = Pki::new("Staff CA");
    let p = policy(
        r#"
        require = { subject_regex = "CN=[a-z]+,OU=(eng|ops),O=Example,C=GB" }
        [default]
        access = "authenticated"
        "#,
    );
    let ok = pki.identity(&p, staff("alice", "eng"));
    let decision = p.evaluate(Some(&ok), "GET", "/anything").unwrap();
    assert_eq!(decision.principal.as_deref(), Some("alice"));
    assert!(decision.authenticated);

    let other = pki.identity(&p, staff("mallory", "sales"));
    let r = denied(p.evaluate(Some(&other), "GET", "/anything"));
    assert_eq!(r.code, Code::PolicyNoMatch);
    assert_eq!(r.code.as_str(), "POLICY_NO_MATCH");
    assert_eq!(r.code.http_status(), 403);
    assert_eq!(r.cert_index, Some(0));
    assert!(
        r.message.contains("CN=mallory,OU=sales,O=Example,C=GB"),
        "{}",
        r.message
    );
    assert!(r.message.contains("require"), "{}", r.message);
    // The regex must match the whole subject, not a part of it.
    let longer = pki.identity(
        &p,
        staff("alice", "eng").attr(rcgen::DnType::LocalityName, "x"),
    );
    assert_eq!(
        denied(p.evaluate(Some(&longer), "GET", "/")).code,
        Code::PolicyNoMatch
    );
}

/// Spring Security's example: `pavel` has role `user`, which GET /customer/{id} needs.
#[test]
fn pavel_is_a_user_and_may_read_customers_while_others_may_not() {
    let pki = Pki::new("Spring CA");
    let p = policy(
        r#"
        [principal]
        source = "subject_regex"
        regex = "CN=(.*?)(?:,|$)"

        [roles]
        pavel = ["user"]

        [[routes]]
        name = "customer"
        methods = ["GET"]
        path = "/customer/{id}"
        roles = ["user"]
        "#,
    );
    let pavel = pki.identity(&p, staff("pavel", "eng"));
    let d = p.evaluate(Some(&pavel), "GET", "/customer/42").unwrap();
    assert_eq!(d.rule, "customer");
    assert_eq!(d.principal.as_deref(), Some("pavel"));
    assert_eq!(d.roles, ["user"]);

    let alice = pki.identity(&p, staff("alice", "eng"));
    let r = denied(p.evaluate(Some(&alice), "GET", "/customer/42"));
    assert_eq!(r.code, Code::RoleMissing);
    assert_eq!(r.code.http_status(), 403);
    assert!(
        r.message
            .contains("route `customer` (GET /customer/{id}) needs role user"),
        "{}",
        r.message
    );
    assert!(
        r.message.contains("principal `alice` has no roles"),
        "{}",
        r.message
    );

    // No certificate: 401. Other methods and paths: the default rule, deny.
    let r = denied(p.evaluate(None, "GET", "/customer/42"));
    assert_eq!((r.code, r.code.http_status()), (Code::NoCertificate, 401));
    assert_eq!(
        denied(p.evaluate(Some(&pavel), "DELETE", "/customer/42")).code,
        Code::PolicyNoMatch
    );
    assert_eq!(
        denied(p.evaluate(Some(&pavel), "GET", "/customer/42/orders")).code,
        Code::PolicyNoMatch
    );
    assert_eq!(
        denied(p.evaluate(Some(&pavel), "GET", "/customer")).code,
        Code::PolicyNoMatch
    );
}

/// Airlock-style: only some modules need a client certificate.
#[test]
fn anonymous_route_next_to_one_that_needs_a_certificate() {
    let pki = Pki::new("Airlock CA");
    let p = policy(
        r#"
        [[routes]]
        path = "/public/**"
        access = "anonymous"

        [[routes]]
        name = "login"
        path = "/login"
        access = "authenticated"
        "#,
    );
    let d = p.evaluate(None, "GET", "/public/index.html").unwrap();
    assert!(!d.authenticated);
    assert_eq!(d.principal, None);
    assert!(
        p.evaluate(None, "GET", "/public").is_ok(),
        "`**` matches zero segments"
    );

    let r = denied(p.evaluate(None, "POST", "/login"));
    assert_eq!(r.code, Code::NoCertificate);
    assert!(
        r.message
            .contains("route `login` (* /login) needs a client certificate"),
        "{}",
        r.message
    );

    let bob = pki.identity(&p, staff("bob", "eng"));
    assert_eq!(
        p.evaluate(Some(&bob), "POST", "/login")
            .unwrap()
            .principal
            .as_deref(),
        Some("bob")
    );
    // A certificate on an anonymous route is reported, not required.
    let d = p.evaluate(Some(&bob), "GET", "/public/a/b").unwrap();
    assert_eq!(d.principal.as_deref(), Some("bob"));
    assert!(!d.authenticated);
}

#[test]
fn spiffe_workload_allowed_by_trust_domain() {
    let pki = Pki::new("SPIRE CA");
    let p = policy(
        r#"
        [principal]
        source = "spiffe_id"

        [[grants]]
        match = { spiffe = { trust_domain = "prod.example.org", path = "/ns/payments/sa/*" } }
        roles = ["payments"]

        [[routes]]
        path = "/pay/**"
        roles = ["payments"]

        [default]
        access = "authenticated"
        require = { spiffe = { trust_domain = "prod.example.org" } }
        "#,
    );
    let web = pki.identity(
        &p,
        leaf().uri("spiffe://prod.example.org/ns/web/sa/frontend"),
    );
    let d = p.evaluate(Some(&web), "GET", "/status").unwrap();
    assert_eq!(
        d.principal.as_deref(),
        Some("spiffe://prod.example.org/ns/web/sa/frontend")
    );
    assert_eq!(
        denied(p.evaluate(Some(&web), "POST", "/pay/1")).code,
        Code::RoleMissing
    );

    let payer = pki.identity(
        &p,
        leaf().uri("spiffe://prod.example.org/ns/payments/sa/api"),
    );
    assert_eq!(
        p.evaluate(Some(&payer), "POST", "/pay/1").unwrap().roles,
        ["payments"]
    );

    let staging = pki.identity(
        &p,
        leaf().uri("spiffe://staging.example.org/ns/payments/sa/api"),
    );
    let r = denied(p.evaluate(Some(&staging), "GET", "/status"));
    assert_eq!(r.code, Code::PolicyNoMatch);
    assert!(
        r.message
            .contains("does not match `spiffe://prod.example.org/**`"),
        "{}",
        r.message
    );
    assert_eq!(
        denied(p.evaluate(Some(&staging), "POST", "/pay/1")).code,
        Code::RoleMissing
    );

    // Not an X.509-SVID: two URI SANs, or a malformed ID. No SPIFFE ID, no principal.
    for bad in [
        leaf()
            .uri("spiffe://prod.example.org/ns/web/sa/a")
            .uri("https://example.org/"),
        leaf().uri("spiffe://prod.example.org/ns/../sa/a"),
        leaf().uri("spiffe://Prod.Example.org/ns/web"),
        leaf().uri("spiffe://prod.example.org/ns/web/?q=1"),
    ] {
        let id = pki.identity(&p, bad);
        assert_eq!(id.spiffe_id(), None);
        assert_eq!(
            denied(p.evaluate(Some(&id), "GET", "/status")).code,
            Code::PolicyNoMatch
        );
    }
}

// ---- matchers -------------------------------------------------------------------------

/// A policy admitting, on every route, exactly the certificates `matcher` matches.
fn gate(matcher: &str) -> Policy {
    policy(&format!(
        "[principal]\nrequired = false\n[default]\naccess = \"authenticated\"\nrequire = {matcher}\n"
    ))
}

fn admits(p: &Policy, id: &certgate::Identity) -> bool {
    match p.evaluate(Some(id), "GET", "/") {
        Ok(_) => true,
        Err(r) => {
            assert_eq!(r.code, Code::PolicyNoMatch, "{r}");
            false
        }
    }
}

#[test]
fn subject_attributes_exact_glob_and_repeated() {
    let pki = Pki::new("Attr CA");
    let p = gate(r#"{ subject = { CN = "svc-*", OU = ["payments", "billing"], O = "Example" } }"#);
    let svc = pki.identity(&p, staff("svc-ledger", "billing"));
    assert!(admits(&p, &svc));
    assert!(!admits(&p, &pki.identity(&p, staff("svc-ledger", "eng"))));
    assert!(!admits(&p, &pki.identity(&p, staff("ledger", "billing"))));
    // Case-sensitive; an absent attribute never matches.
    assert!(!admits(
        &p,
        &pki.identity(&p, staff("SVC-ledger", "billing"))
    ));
    assert!(!admits(
        &p,
        &pki.identity(&p, leaf().ou("billing").cn("svc-x"))
    ));
    // Any value of a repeated attribute may match.
    let two_ous = staff("svc-a", "eng").oid(&[2, 5, 4, 11], "payments");
    assert!(admits(&p, &pki.identity(&p, two_ous)));

    // Other attribute names, case-insensitive keys, dotted OIDs.
    let p = gate(
        r#"{ subject = { uid = "u-1?", "2.5.4.3" = "carol", emailAddress = "*@example.com" } }"#,
    );
    let carol = leaf()
        .cn("carol")
        .uid("u-12")
        .oid(&[1, 2, 840, 113549, 1, 9, 1], "carol@example.com");
    assert!(admits(&p, &pki.identity(&p, carol)));
    let dave = leaf()
        .cn("carol")
        .uid("u-123")
        .oid(&[1, 2, 840, 113549, 1, 9, 1], "carol@example.com");
    assert!(!admits(&p, &pki.identity(&p, dave)));
}

#[test]
fn issuer_regex_and_attributes() {
    let staff_ca = Pki::new("Staff CA");
    let partner_ca = Pki::new("Partner CA");
    let p = gate(r#"{ issuer_regex = "CN=Staff CA,O=Example,C=GB" }"#);
    assert!(admits(&p, &staff_ca.identity(&p, staff("a", "eng"))));
    assert!(!admits(&p, &partner_ca.identity(&p, staff("a", "eng"))));
    let p = gate(r#"{ issuer = { CN = "Partner *" } }"#);
    assert!(!admits(&p, &staff_ca.identity(&p, staff("a", "eng"))));
    assert!(admits(&p, &partner_ca.identity(&p, staff("a", "eng"))));
}

#[test]
fn san_dns_wildcards_stay_within_a_label() {
    let pki = Pki::new("DNS CA");
    let p = gate(r#"{ san_dns = ["*.svc.example.com", "db.example.org"] }"#);
    assert!(admits(
        &p,
        &pki.identity(&p, leaf().dns("api.svc.example.com"))
    ));
    assert!(admits(
        &p,
        &pki.identity(&p, leaf().dns("other.net").dns("DB.Example.ORG"))
    ));
    assert!(!admits(
        &p,
        &pki.identity(&p, leaf().dns("a.b.svc.example.com"))
    ));
    assert!(!admits(
        &p,
        &pki.identity(&p, leaf().dns("svc.example.com"))
    ));
    assert!(!admits(
        &p,
        &pki.identity(&p, staff("api.svc.example.com", "eng"))
    ));
    let deep = gate(r#"{ san_dns = "**.example.com" }"#);
    assert!(admits(
        &deep,
        &pki.identity(&deep, leaf().dns("a.b.example.com"))
    ));
    assert!(!admits(
        &deep,
        &pki.identity(&deep, leaf().dns("example.com.evil.net"))
    ));
}

#[test]
fn san_ip_addresses_and_blocks() {
    let pki = Pki::new("IP CA");
    let p = gate(r#"{ san_ip = ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"] }"#);
    assert!(admits(&p, &pki.identity(&p, leaf().ip("10.1.2.3"))));
    assert!(admits(&p, &pki.identity(&p, leaf().ip("2001:db8::1"))));
    assert!(admits(&p, &pki.identity(&p, leaf().ip("192.0.2.7"))));
    assert!(!admits(&p, &pki.identity(&p, leaf().ip("192.0.2.8"))));
    assert!(!admits(&p, &pki.identity(&p, leaf().ip("::ffff:10.1.2.3"))));
    assert!(!admits(&p, &pki.identity(&p, leaf().dns("10.1.2.3"))));
}

#[test]
fn san_email_and_uri() {
    let pki = Pki::new("Mail CA");
    let p = gate(r#"{ san_email = "*@Example.com" }"#);
    assert!(admits(
        &p,
        &pki.identity(&p, leaf().email("ann@example.COM"))
    ));
    assert!(!admits(
        &p,
        &pki.identity(&p, leaf().email("ann@example.com.evil"))
    ));
    let p = gate(r#"{ san_uri = "https://id.example.com/users/*" }"#);
    assert!(admits(
        &p,
        &pki.identity(&p, leaf().uri("https://id.example.com/users/ann"))
    ));
    assert!(!admits(
        &p,
        &pki.identity(&p, leaf().uri("http://id.example.com/users/ann"))
    ));
}

#[test]
fn fingerprint_pins_one_certificate() {
    let pki = Pki::new("Pin CA");
    let pinned = pki.issue(staff("kiosk", "ops"));
    let hex = certgate::sha256_hex(pinned.leaf());
    let colons: Vec<String> = hex
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8(c.to_vec()).unwrap().to_uppercase())
        .collect();
    let p = gate(&format!(r#"{{ fingerprint = ["{}"] }}"#, colons.join(":")));
    assert!(admits(&p, &p.identity(&pinned).unwrap()));
    // The same names in another certificate are not the pinned certificate.
    assert!(!admits(&p, &pki.identity(&p, staff("kiosk", "ops"))));
    // An identity decoded without the policy's help still computes the fingerprint.
    assert!(admits(
        &p,
        &certgate::Identity::from_verified(&pinned).unwrap()
    ));
    let never = gate(&format!(r#"{{ not = {{ fingerprint = "{hex}" }} }}"#));
    assert!(!admits(&never, &never.identity(&pinned).unwrap()));
    // An identity decoded for a policy that reads no fingerprint is refused, not guessed
    // about, by one that does (here `not` would otherwise turn "unknown" into a match).
    let by_names = gate(r#"{ subject = { OU = "ops" } }"#);
    let lean = by_names.identity(&pinned).unwrap();
    assert_eq!(lean.sha256(), None);
    assert_eq!(lean.issuer(), None);
    assert_eq!(lean.subject_alt_names(), None);
    let r = denied(never.evaluate(Some(&lean), "GET", "/"));
    assert_eq!(r.code, Code::PolicyNoMatch);
    assert!(
        r.message
            .contains("decoded without parts this policy reads"),
        "{}",
        r.message
    );
    assert!(admits(&by_names, &lean));
}

#[test]
fn all_any_not_combine() {
    let pki = Pki::new("Combo CA");
    let p = gate(
        r#"{ all = [
            { subject = { O = "Example" } },
            { any = [ { subject = { OU = "eng" } }, { san_dns = "*.ops.example.com" } ] },
            { not = { subject = { CN = "intern-*" } } },
        ] }"#,
    );
    assert!(admits(&p, &pki.identity(&p, staff("ann", "eng"))));
    assert!(admits(
        &p,
        &pki.identity(&p, staff("bob", "sales").dns("bob.ops.example.com"))
    ));
    assert!(!admits(&p, &pki.identity(&p, staff("carl", "sales"))));
    assert!(!admits(&p, &pki.identity(&p, staff("intern-dan", "eng"))));
    let r = denied(p.evaluate(
        Some(&pki.identity(&p, staff("intern-dan", "eng"))),
        "GET",
        "/",
    ));
    assert!(
        r.message
            .contains("condition 3 of 3 fails: not (subject `CN=intern-dan"),
        "{}",
        r.message
    );
}

// ---- principal and roles ------------------------------------------------------------------

fn principal_of(toml: &str, pki: &Pki, l: support::Leaf) -> Option<String> {
    let p = policy(toml);
    let id = pki.identity(&p, l);
    p.principal(&id).map(String::from)
}

#[test]
fn principal_sources() {
    let pki = Pki::new("Principal CA");
    assert_eq!(DEFAULT_PRINCIPAL_REGEX, "CN=(.*?)(?:,|$)");
    // Default: Spring's regex; the left-most CN when there are several.
    let two_cns = leaf().c("GB").cn("outer").oid(&[2, 5, 4, 3], "inner");
    assert_eq!(
        principal_of("", &pki, staff("pavel", "eng")),
        Some("pavel".into())
    );
    assert_eq!(
        principal_of("", &pki, leaf().cn("solo")),
        Some("solo".into())
    );
    assert_eq!(principal_of("", &pki, two_cns), Some("inner".into()));
    // Spring's regex searches the whole subject, so text `CN=` inside another value counts
    // when there is no CN; the `common_name` source reads only real CN attributes.
    let no_cn = || leaf().c("GB").o("xCN=admin");
    assert_eq!(principal_of("", &pki, no_cn()), Some("admin".into()));
    assert_eq!(
        principal_of("[principal]\nsource = \"common_name\"", &pki, no_cn()),
        None
    );
    let two_cns = leaf().c("GB").cn("outer").oid(&[2, 5, 4, 3], "inner");
    assert_eq!(
        principal_of("[principal]\nsource = \"common_name\"", &pki, two_cns),
        Some("inner".into())
    );
    assert_eq!(
        principal_of(
            "[principal]\nregex = \"OU=([^,]+)\"",
            &pki,
            staff("x", "payments")
        ),
        Some("payments".into())
    );
    assert_eq!(
        principal_of(
            "[principal]\nsource = \"attribute\"\nattribute = \"UID\"",
            &pki,
            leaf().cn("x").uid("u-7")
        ),
        Some("u-7".into())
    );
    let sans = || {
        leaf()
            .cn("x")
            .dns("host.example.com")
            .email("a@example.com")
            .uri("urn:x:1")
    };
    assert_eq!(
        principal_of("[principal]\nsource = \"san_dns\"", &pki, sans()),
        Some("host.example.com".into())
    );
    assert_eq!(
        principal_of("[principal]\nsource = \"san_email\"", &pki, sans()),
        Some("a@example.com".into())
    );
    assert_eq!(
        principal_of("[principal]\nsource = \"san_uri\"", &pki, sans()),
        Some("urn:x:1".into())
    );
    assert_eq!(
        principal_of("[principal]\nsource = \"spiffe_id\"", &pki, sans()),
        None
    );
}

#[test]
fn missing_principal_is_refused_unless_optional() {
    let pki = Pki::new("NoCN CA");
    let strict = policy("[default]\naccess = \"authenticated\"");
    let id = pki.identity(&strict, leaf().o("Example").dns("x.example.com"));
    let r = denied(strict.evaluate(Some(&id), "GET", "/"));
    assert_eq!(r.code, Code::PolicyNoMatch);
    assert!(
        r.message.contains("no principal could be taken"),
        "{}",
        r.message
    );
    let lax = policy("[principal]\nrequired = false\n[default]\naccess = \"authenticated\"");
    let d = lax.evaluate(Some(&id), "GET", "/").unwrap();
    assert_eq!(d.principal, None);
}

#[test]
fn grants_give_roles_by_matcher_and_combine_with_the_table() {
    let pki = Pki::new("Grant CA");
    let p = policy(
        r#"
        [roles]
        ann = ["auditor"]

        [[grants]]
        name = "payments team"
        match = { subject = { OU = "payments" } }
        roles = ["payments-writer", "reader"]

        [[routes]]
        methods = ["POST", "put"]
        path = "/payments/**"
        roles = ["payments-writer"]

        [[routes]]
        path = "/audit"
        roles = ["auditor", "admin-never-granted-elsewhere"]

        [[grants]]
        match = { subject = { CN = "root" } }
        roles = ["admin-never-granted-elsewhere"]
        "#,
    );
    let ann = pki.identity(&p, staff("ann", "payments"));
    let d = p
        .evaluate(Some(&ann), "post", "/payments/1/refund")
        .unwrap();
    assert_eq!(d.roles, ["auditor", "payments-writer", "reader"]);
    assert_eq!(p.roles(&ann), d.roles);
    assert!(p.evaluate(Some(&ann), "PUT", "/payments/1").is_ok());
    assert!(p.evaluate(Some(&ann), "GET", "/audit").is_ok());
    let bob = pki.identity(&p, staff("bob", "eng"));
    let r = denied(p.evaluate(Some(&bob), "POST", "/payments/1"));
    assert_eq!(r.code, Code::RoleMissing);
    assert!(
        r.message
            .contains("needs role payments-writer; principal `bob` has no roles"),
        "{}",
        r.message
    );
    let r = denied(p.evaluate(Some(&bob), "GET", "/audit"));
    assert!(
        r.message
            .contains("needs role auditor or admin-never-granted-elsewhere"),
        "{}",
        r.message
    );
    // GET on /payments matches no route; the default denies.
    assert_eq!(
        denied(p.evaluate(Some(&ann), "GET", "/payments/1")).code,
        Code::PolicyNoMatch
    );
}

// ---- routes ------------------------------------------------------------------------------

#[test]
fn first_matching_route_wins_and_the_default_applies_last() {
    let pki = Pki::new("Route CA");
    let p = policy(
        r#"
        [[routes]]
        name = "closed"
        path = "/admin/debug/**"
        access = "deny"

        [[routes]]
        name = "admin"
        path = "/admin/**"
        access = "authenticated"
        require = { subject = { OU = "ops" } }

        [[routes]]
        name = "health"
        methods = ["GET", "HEAD"]
        path = "/health"
        access = "anonymous"

        [[routes]]
        path = "/v*/items/{id}"
        access = "authenticated"

        [default]
        access = "anonymous"
        "#,
    );
    let ops = pki.identity(&p, staff("olga", "ops"));
    let eng = pki.identity(&p, staff("ed", "eng"));
    let r = denied(p.evaluate(Some(&ops), "GET", "/admin/debug/vars"));
    assert_eq!(r.code, Code::PolicyNoMatch);
    assert!(
        r.message
            .contains("route `closed` (* /admin/debug/**) denies every request"),
        "{}",
        r.message
    );
    assert_eq!(
        p.evaluate(Some(&ops), "GET", "/admin/users").unwrap().rule,
        "admin"
    );
    let r = denied(p.evaluate(Some(&eng), "GET", "/admin/users"));
    assert_eq!(r.code, Code::PolicyNoMatch);
    assert!(
        r.message.contains("`require` of route `admin`"),
        "{}",
        r.message
    );
    assert!(
        r.message.contains("subject OU is eng (wanted ops)"),
        "{}",
        r.message
    );
    assert_eq!(p.evaluate(None, "HEAD", "/health").unwrap().rule, "health");
    assert_eq!(p.evaluate(None, "POST", "/health").unwrap().rule, "default");
    assert_eq!(
        p.evaluate(Some(&eng), "GET", "/v2/items/9").unwrap().rule,
        "routes[3]"
    );
    assert_eq!(
        denied(p.evaluate(None, "GET", "/v2/items/9")).code,
        Code::NoCertificate
    );
    assert_eq!(
        p.evaluate(None, "GET", "/v2/items/9/x").unwrap().rule,
        "default"
    );
    // Trailing slash and query string do not change the route.
    assert_eq!(
        p.evaluate(Some(&ops), "GET", "/admin/users/?page=2")
            .unwrap()
            .rule,
        "admin"
    );
}

#[test]
fn ambiguous_request_paths_are_refused_before_any_rule() {
    let pki = Pki::new("Path CA");
    let p = policy(
        r#"
        [[routes]]
        path = "/admin/**"
        roles = ["admin"]

        [roles]
        root = ["admin"]

        [default]
        access = "anonymous"
        "#,
    );
    let eve = pki.identity(&p, staff("eve", "eng"));
    for path in [
        "/public/../admin/x",
        "//admin/x",
        "/admin;jsessionid=1/x",
        "/%61dmin/../admin",
        "/x%2F..%2Fadmin",
        "/./admin",
        "/%2561dmin/x",
        "relative",
    ] {
        let r = denied(p.evaluate(Some(&eve), "GET", path));
        assert_eq!(r.code, Code::PolicyNoMatch, "{path}");
    }
    // Escapes are decoded before matching: `/%61dmin` is `/admin`.
    assert_eq!(
        denied(p.evaluate(Some(&eve), "GET", "/%61dmin/x")).code,
        Code::RoleMissing
    );
    assert!(p.evaluate(Some(&eve), "GET", "/adminx").is_ok());
}

// ---- explain -----------------------------------------------------------------------------

#[test]
fn explain_records_every_step_and_serialises() {
    let pki = Pki::new("Explain CA");
    let p = policy(
        r#"
        [roles]
        pavel = ["user"]

        [[grants]]
        name = "eng"
        match = { subject = { OU = "eng" } }
        roles = ["engineer"]

        [[routes]]
        name = "login"
        path = "/login"
        access = "anonymous"

        [[routes]]
        name = "customer"
        methods = ["GET"]
        path = "/customer/{id}"
        roles = ["user"]
        "#,
    );
    let alice = pki.identity(&p, staff("alice", "eng"));
    let e = p.explain(Some(&alice), "GET", "/customer/7");
    assert!(!e.outcome.allowed);
    assert_eq!(e.outcome.code, Some(Code::RoleMissing));
    assert_eq!(e.outcome.status, 403);
    assert_eq!(e.outcome.rule, "customer");
    assert_eq!(e.principal.as_deref(), Some("alice"));
    assert_eq!(e.roles, ["engineer"]);
    let kinds: Vec<(Stage, &str, bool)> = e
        .steps
        .iter()
        .map(|s| (s.stage, s.rule.as_str(), s.matched))
        .collect();
    assert_eq!(
        kinds,
        [
            (Stage::Route, "login", false),
            (Stage::Route, "customer", true),
            (Stage::Principal, "principal", true),
            (Stage::Roles, "roles", false),
            (Stage::Grant, "eng", true),
            (Stage::Access, "customer", false),
        ]
    );
    assert!(e.steps[0]
        .detail
        .contains("* /login does not cover GET /customer/7"));
    // The explained outcome is the evaluation's.
    let r = denied(p.evaluate(Some(&alice), "GET", "/customer/7"));
    assert_eq!(e.outcome.message, r.message);

    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["outcome"]["code"], "ROLE_MISSING");
    assert_eq!(json["steps"][1]["stage"], "route");
    assert_eq!(json["subject"], "CN=alice,OU=eng,O=Example,C=GB");
    let text = e.to_string();
    assert!(text.contains("DENY 403 ROLE_MISSING by customer"), "{text}");

    let pavel = pki.identity(&p, staff("pavel", "ops"));
    let e = p.explain(Some(&pavel), "GET", "/customer/7");
    assert!(e.outcome.allowed);
    assert_eq!((e.outcome.code, e.outcome.status), (None, 200));
    let e = p.explain(None, "GET", "/a/../customer/7");
    assert_eq!(e.steps[0].stage, Stage::Path);
    assert_eq!(e.outcome.code, Some(Code::PolicyNoMatch));
}

// ---- one schema: TOML, JSON, the example ------------------------------------------------

const EXAMPLE: &str = include_str!("../policy.example.toml");

#[test]
fn the_same_document_loads_from_json() {
    let pki = Pki::new("JSON CA");
    let toml_policy = policy(EXAMPLE);
    let spec: PolicySpec = toml::from_str(EXAMPLE).unwrap();
    let json = serde_json::to_string(&spec).unwrap();
    let from_json: PolicySpec = serde_json::from_str(&json).unwrap();
    assert_eq!(from_json, spec);
    let json_policy = Policy::from_spec(&from_json).unwrap();

    // A hand-written JSON object, as a JavaScript caller passes it.
    let hand: PolicySpec = serde_json::from_str(
        r#"{
            "principal": { "source": "common_name" },
            "roles": { "pavel": ["user"] },
            "routes": [
                { "methods": ["GET"], "path": "/customer/{id}", "roles": ["user"] },
                { "path": "/health", "access": "anonymous" }
            ],
            "default": { "access": "deny" }
        }"#,
    )
    .unwrap();
    let hand = Policy::from_spec(&hand).unwrap();
    let pavel = pki.identity(&hand, staff("pavel", "eng"));
    assert!(hand.evaluate(Some(&pavel), "GET", "/customer/1").is_ok());
    assert!(hand.evaluate(None, "GET", "/health").is_ok());
    assert_eq!(
        denied(hand.evaluate(Some(&pavel), "GET", "/x")).code,
        Code::PolicyNoMatch
    );

    // Both loads of the example decide alike.
    for l in [
        staff("pavel", "eng"),
        staff("ann", "payments"),
        staff("eve", "sales"),
        leaf().uri("spiffe://prod.example.org/ns/batch/sa/reports"),
    ] {
        let v = pki.issue(l);
        for (method, path) in [
            ("GET", "/health"),
            ("GET", "/customer/3"),
            ("POST", "/payments/9"),
            ("GET", "/reports/q3"),
            ("DELETE", "/x"),
        ] {
            let a = toml_policy.evaluate_verified(Some(&v), method, path);
            let b = json_policy.evaluate_verified(Some(&v), method, path);
            assert_eq!(a, b, "{method} {path}");
        }
    }
    let hand_err =
        serde_json::from_str::<PolicySpec>(r#"{ "routes": [ { "path": "/", "role": ["x"] } ] }"#)
            .unwrap_err();
    assert!(
        hand_err.to_string().contains("unknown field `role`"),
        "{hand_err}"
    );
}

#[test]
fn the_example_policy_behaves_as_its_comments_say() {
    let pki = Pki::new("Example CA");
    let p = policy(EXAMPLE);
    assert!(p.evaluate(None, "GET", "/health").is_ok());
    let pavel = pki.identity(&p, staff("pavel", "eng"));
    assert_eq!(
        p.evaluate(Some(&pavel), "GET", "/customer/3")
            .unwrap()
            .roles,
        ["user"]
    );
    let ann = pki.identity(&p, staff("ann", "payments"));
    assert!(p.evaluate(Some(&ann), "POST", "/payments/9").is_ok());
    assert_eq!(
        denied(p.evaluate(Some(&ann), "GET", "/customer/3")).code,
        Code::RoleMissing
    );
    let eve = pki.identity(
        &p,
        staff("eve", "sales").attr(rcgen::DnType::LocalityName, "x"),
    );
    assert_eq!(
        denied(p.evaluate(Some(&eve), "GET", "/customer/3")).code,
        Code::PolicyNoMatch
    );
    let batch = pki.identity(
        &p,
        leaf().uri("spiffe://prod.example.org/ns/batch/sa/reports"),
    );
    assert!(p.evaluate(Some(&batch), "GET", "/reports/q3").is_ok());
    assert_eq!(
        denied(p.evaluate(None, "GET", "/customer/3")).code,
        Code::NoCertificate
    );
}

/// The example's "Limits" table gives the numbers the code enforces: each row names its
/// constant's value, so changing a limit without its documentation fails here.
#[test]
fn the_example_states_the_limits_the_code_enforces() {
    use certgate::policy::*;
    let rows = [
        ("document", MAX_DOCUMENT_BYTES as u64),
        ("pattern", MAX_PATTERN_BYTES as u64),
        ("regex weight", MAX_REGEX_WEIGHT),
        ("matchers", MAX_MATCHERS as u64),
        ("nesting", MAX_DEPTH as u64),
        ("list", MAX_LIST as u64),
        ("routes", MAX_ROUTES as u64),
        ("grants", MAX_GRANTS as u64),
        ("roles", MAX_ROLES as u64),
        ("request path", MAX_PATH_SEGMENTS as u64),
    ];
    for (label, value) in rows {
        let row = EXAMPLE
            .lines()
            .find_map(|line| {
                line.strip_prefix("#   ")?
                    .strip_prefix(label)?
                    .strip_prefix(' ')
            })
            .unwrap_or_else(|| panic!("policy.example.toml has no `#   {label}` row"));
        let stated: u64 = row.split_whitespace().next().unwrap().parse().unwrap();
        assert_eq!(stated, value, "policy.example.toml's `{label}` row");
    }
    let weight_row = EXAMPLE
        .lines()
        .find(|l| l.starts_with("#   regex weight"))
        .unwrap();
    assert!(
        weight_row.contains(&format!(" {MAX_TOTAL_REGEX_WEIGHT} for all")),
        "{weight_row}"
    );
}

// ---- INVALID_POLICY at load time ---------------------------------------------------------

fn refused(toml: &str) -> certgate::PolicyError {
    match Policy::from_toml(toml) {
        Ok(_) => panic!("policy accepted:\n{toml}"),
        Err(e) => {
            assert_eq!(e.code(), Code::InvalidPolicy);
            e
        }
    }
}

#[test]
fn invalid_policies_name_the_line_and_field() {
    let e = refused("[[routes]]\npath = \"/a\"\naccess = \"authenticated\"\n\n[[routes]]\npath = \"/b\"\nrequire = { subject_regex = \"CN=(unclosed\" }\naccess = \"authenticated\"\n");
    assert_eq!(e.field, "routes[1].require.subject_regex");
    assert_eq!(e.line, Some(7));
    assert!(
        e.message
            .contains("regex `CN=(unclosed` is invalid: found open group without closing ')'"),
        "{e}"
    );
    let rejection: Rejection = e.clone().into();
    assert_eq!(rejection.code, Code::InvalidPolicy);
    assert!(
        rejection
            .message
            .starts_with("invalid policy at line 7, column"),
        "{}",
        rejection.message
    );
    assert!(rejection.to_string().starts_with("INVALID_POLICY: "));

    // A misspelt key must not be ignored (it would leave a route open).
    let e = refused("[[routes]]\npath = \"/a\"\n\nrole = [\"admin\"]\n");
    assert_eq!(e.line, Some(4));
    assert!(e.message.contains("unknown field `role`"), "{e}");

    let e = refused("[[routes]]\npath = \"/a\"\nroles = [\"admn\"]\n[roles]\nroot = [\"admin\"]\n");
    assert_eq!((e.field.as_str(), e.line), ("routes[0].roles[0]", Some(3)));
    assert!(e.message.contains("gives role `admn`"), "{e}");

    let e = refused("require = { subject = { commonName = \"x\" } }");
    assert_eq!(e.field, "require.subject.commonName");
    assert!(
        e.message.contains("unknown DN attribute `commonName`"),
        "{e}"
    );

    let e = refused("[[routes]]\npath = \"admin\"\naccess = \"deny\"");
    assert_eq!(e.field, "routes[0].path");
    let e = refused(
        "[[routes]]\npath = \"/a\"\naccess = \"anonymous\"\nroles = [\"x\"]\n[roles]\nx = [\"x\"]",
    );
    assert_eq!(e.field, "routes[0].roles");
    let e = refused("[[routes]]\npath = \"/a\"");
    assert!(e.message.contains("the rule says nothing"), "{e}");
    let e = refused("[default]\naccess = \"anonymous\"\nrequire = { san_dns = \"x\" }");
    assert_eq!(e.field, "default.require");
    let e = refused("require = { san_ip = \"10.0.0.1/8\" }");
    assert!(e.message.contains("host bits"), "{e}");
    let e = refused("require = { fingerprint = \"abcd\" }");
    assert!(e.message.contains("not a SHA-256 fingerprint"), "{e}");
    let e = refused("require = { spiffe = { trust_domain = \"spiffe://x\" } }");
    assert_eq!(e.field, "require.spiffe.trust_domain");
    let e = refused("require = { any = [] }");
    assert_eq!(e.field, "require.any");
    let e = refused("require = { subject_regex = \"a\", san_dns = \"b\" }");
    assert_eq!(e.line, Some(1));
    let e = refused("[principal]\nregex = \"CN=[a-z]+\"");
    assert!(e.message.contains("no capture group"), "{e}");
    let e = refused("[principal]\nsource = \"attribute\"");
    assert!(e.message.contains("needs `attribute`"), "{e}");
    let e = refused("[principal]\nsource = \"spiffe_id\"\nregex = \"(x)\"");
    assert_eq!(e.field, "principal.regex");
    let e = refused("version = 2");
    assert_eq!(e.field, "version");
    let e = refused("[[routes]\npath = \"/\"");
    assert_eq!(e.line, Some(1));
    let e = refused("[[routes]]\nmethods = [\"GET /x\"]\npath = \"/x\"\naccess = \"deny\"");
    assert_eq!(e.field, "routes[0].methods[0]");
}

// ---- identity decoding ---------------------------------------------------------------------

/// Servers share one policy and per-connection identities across threads.
#[test]
fn policy_and_identity_are_send_and_sync() {
    fn shared<T: Send + Sync + Clone>() {}
    shared::<Policy>();
    shared::<certgate::Identity>();
    shared::<certgate::Decision>();
    shared::<certgate::policy::Explanation>();
}

#[test]
fn identity_agrees_with_the_inspection_record() {
    let pki = Pki::new("Decode CA");
    let v = pki.issue(
        staff("ann", "eng")
            .uid("u-1")
            .dns("a.example.com")
            .dns("b.example.com")
            .ip("10.0.0.1")
            .ip("2001:db8::1")
            .email("ann@example.com")
            .uri("spiffe://prod.example.org/ns/a"),
    );
    let id = certgate::Identity::from_verified(&v).unwrap();
    let inspection = v.inspect_leaf().unwrap();
    assert_eq!(id.subject(), &inspection.subject);
    assert_eq!(id.issuer(), Some(&inspection.issuer));
    assert_eq!(id.subject_alt_names(), Some(&inspection.subject_alt_names));
    assert_eq!(id.spiffe_id(), inspection.spiffe_id.as_deref());
    assert_eq!(
        id.sha256().map(|d| certgate::hex(&d)),
        Some(inspection.fingerprints.sha256)
    );
    assert_eq!(certgate::Identity::from_der(v.leaf()).unwrap(), id);

    // Truncated or garbled DER is a rejection with a code, never a panic.
    let der = v.leaf().to_vec();
    for cut in [0, 1, 10, der.len() / 2, der.len() - 1] {
        let r = certgate::Identity::from_der(&der[..cut]).unwrap_err();
        assert_eq!(r.code, Code::MalformedCertificate, "cut at {cut}");
    }
    let mut flipped = der.clone();
    flipped[4] ^= 0xff;
    assert!(certgate::Identity::from_der(&flipped).is_err());
}

/// The TOML example in the `policy` module's documentation is a valid policy.
#[test]
fn the_module_documentation_example_loads() {
    let source = include_str!("../src/policy.rs");
    let start = source.find("//! ```toml\n").unwrap() + "//! ```toml\n".len();
    let end = start + source[start..].find("//! ```\n").unwrap();
    let toml: String = source[start..end]
        .lines()
        .map(|l| {
            l.strip_prefix("//!")
                .unwrap()
                .strip_prefix(' ')
                .unwrap_or("")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let p = policy(&toml);
    assert!(p.evaluate(None, "GET", "/login").is_ok());
    assert_eq!(
        denied(p.evaluate(None, "GET", "/customer/1")).code,
        Code::NoCertificate
    );
}
