//! Identity and access policy: who a verified client is and what it may do.
//!
//! Verifying a chain proves a certificate genuine; a [`Policy`] then names the client (its
//! *principal*), gives it roles, and decides per request — method and path — whether it may
//! proceed. One document drives every surface: TOML for people ([`Policy::from_toml`]), the
//! same structure as an object from JavaScript ([`PolicySpec`] via serde, then
//! [`Policy::from_spec`]). `crates/certgate/policy.example.toml` documents every key.
//!
//! ```toml
//! require = { subject_regex = "CN=[a-z]+,OU=staff,O=Example,C=GB" }
//!
//! [principal]
//! source = "subject_regex"          # Spring's CN=(.*?)(?:,|$) unless `regex` is given
//!
//! [roles]
//! pavel = ["user"]
//!
//! [[grants]]
//! match = { subject = { OU = "payments" } }
//! roles = ["payments-writer"]
//!
//! [[routes]]
//! path = "/login"
//! access = "anonymous"
//!
//! [[routes]]
//! methods = ["GET"]
//! path = "/customer/{id}"
//! roles = ["user"]
//!
//! [default]
//! access = "deny"
//! ```
//!
//! In Rust: load once, decode each verified leaf once, evaluate per request.
//!
//! ```
//! use certgate::{Code, Policy};
//!
//! let policy = Policy::from_toml(
//!     r#"
//!     [[routes]]
//!     path = "/health"
//!     access = "anonymous"
//!
//!     [default]
//!     access = "authenticated"
//!     "#,
//! )?;
//! assert!(policy.evaluate(None, "GET", "/health").is_ok());
//!
//! let denied = policy.evaluate(None, "GET", "/orders/7").unwrap_err();
//! assert_eq!((denied.code, denied.code.http_status()), (Code::NoCertificate, 401));
//!
//! // With a verified chain: `let identity = policy.identity(&verified)?;` once per
//! // connection, then `policy.evaluate(Some(&identity), method, path)` per request.
//! let refused = Policy::from_toml("[[routes]]\npath = \"/a\"\nrole = [\"admin\"]").unwrap_err();
//! assert_eq!(refused.code(), Code::InvalidPolicy);
//! assert_eq!(refused.line, Some(3));
//! # Ok::<(), certgate::PolicyError>(())
//! ```
//!
//! # Evaluation
//!
//! 1. The request path is percent-decoded; a path that layers could read differently (`..`,
//!    `//`, `;`, an encoded `/` or `%`) is denied outright (`POLICY_NO_MATCH`).
//! 2. The first route whose methods and path match decides; no match: the default rule
//!    (deny when absent).
//! 3. `anonymous` admits everyone. `deny` refuses everyone (`POLICY_NO_MATCH`). Otherwise a
//!    certificate is needed (`NO_CERTIFICATE`, 401), it must satisfy the policy's `require`
//!    and the rule's `require` and yield a principal (`POLICY_NO_MATCH`, 403), and hold one of
//!    the rule's roles, if it lists any (`ROLE_MISSING`, 403).
//!
//! # Regexes
//!
//! `subject_regex`, `issuer_regex` and the principal's `regex` use Rust regex syntax as
//! regex-lite reads it, with **ASCII semantics** in every build: `\w \d \s \b` are ASCII;
//! `(?i)` folds ASCII letters only; any other character matches only itself, code point by
//! code point; `.` and negated classes match any one code point. **Unicode case folding is
//! deliberately absent**: it would let `(?i)^CN=kevin` admit `CN=\u{212A}evin` (KELVIN SIGN),
//! a different name that renders alike. Unicode property classes, look-around,
//! backreferences, nested classes and class set operations are refused at load.
//!
//! A policy is checked completely at load: a bad regex, an unknown attribute, a role no one
//! can hold or a misspelt key is an [`PolicyError`] (`INVALID_POLICY`) naming the field and,
//! for TOML, the line. Evaluation never fails for any other reason than a denial.
//!
//! # Limits
//!
//! Every pattern is compiled at load to an engine whose matching time is linear in its input
//! (regexes run on regex-lite's PikeVM, never a backtracking engine). The constants below
//! bound the size of what is compiled, and so the work per request: a regex's size is a
//! weight computed from its text ([`MAX_REGEX_WEIGHT`]), never a count of heap bytes, so
//! 32-bit and 64-bit builds admit the same patterns; at most [`MAX_ROUTES`] route comparisons of at most
//! [`MAX_PATH_SEGMENTS`] segments, and at most [`MAX_MATCHERS`] matchers, each linear in the
//! certificate field it reads.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Code, Rejection};
use crate::verify::Verified;

mod error;
mod explain;
mod identity;
mod matcher;
mod pattern;
mod principal;
mod route;
mod schema;

pub use error::PolicyError;
pub use explain::{Explanation, Outcome, Stage, Step};
pub use identity::Identity;
pub use principal::DEFAULT_PRINCIPAL_REGEX;
pub use schema::{
    Access, GrantSpec, MatcherSpec, Patterns, PolicySpec, PrincipalSource, PrincipalSpec,
    RouteSpec, RuleSpec, SpiffeSpec,
};

use error::Field;
use identity::Needs;
use matcher::{needs, Compiler, Matcher};
use principal::Principal;
use route::{request_segments, scope, RoleSet, Route, Rule, RuleFields};

/// Largest policy document [`Policy::from_toml`] reads: 1 MiB, hundreds of times a real
/// policy, small enough that parsing it is instant.
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;
/// Longest pattern (regex, glob, path, address) in bytes. A DN is a few hundred bytes; 4 KiB
/// leaves room for long alternations of names while refusing generated megabyte patterns.
pub const MAX_PATTERN_BYTES: usize = 4096;
/// Heaviest regex a policy admits, in units of the weight computed from the pattern text (a
/// character 1, `\w` 512, a class its ranges, a counted repetition multiplying what it
/// repeats; `policy.example.toml` spells it out). The weight is the same on every platform,
/// so 64-bit native builds and 32-bit wasm builds admit the same patterns. 16384 admits a
/// 4 KiB pattern of literals and `\w{31}`, refuses `\w{32}`, and keeps one compiled regex
/// under about 0.6 MiB.
pub const MAX_REGEX_WEIGHT: u64 = 16384;
/// Heaviest all of a policy's regexes may be together: 16 of the heaviest single regexes.
pub const MAX_TOTAL_REGEX_WEIGHT: u64 = 16 * MAX_REGEX_WEIGHT;
/// Most matchers (combinators included) in one policy.
pub const MAX_MATCHERS: usize = 4096;
/// Deepest nesting of `all`/`any`/`not`; keeps compilation and evaluation recursion shallow.
pub const MAX_DEPTH: usize = 16;
/// Most patterns in one list.
pub const MAX_LIST: usize = 1024;
/// Most route rules; they are tried in order, so this bounds the per-request scan.
pub const MAX_ROUTES: usize = 1024;
/// Most grants.
pub const MAX_GRANTS: usize = 1024;
/// Most distinct role names (roles are a 256-bit set at evaluation time).
pub const MAX_ROLES: usize = 256;
/// Most segments in a request path; longer paths are denied.
pub const MAX_PATH_SEGMENTS: usize = 64;

/// A compiled, checked policy. Build it once; evaluate it for every request.
#[derive(Clone, Debug)]
pub struct Policy {
    principal: Principal,
    require: Option<Matcher>,
    role_names: Vec<String>,
    principal_roles: BTreeMap<String, RoleSet>,
    grants: Vec<Grant>,
    routes: Vec<Route>,
    default: Rule,
    needs: Needs,
}

#[derive(Clone, Debug)]
struct Grant {
    name: String,
    matcher: Matcher,
    roles: RoleSet,
}

/// An allowed request: who the client is and which rule let it in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Decision {
    /// The rule that decided: a route's name, `routes[i]`, or `default`.
    pub rule: String,
    /// Whether the rule needed a certificate (false on `anonymous` rules).
    pub authenticated: bool,
    /// The client's principal. On an anonymous rule, present only when a certificate was
    /// presented and satisfies the policy's `require`.
    pub principal: Option<String>,
    /// The principal's roles (from the roles table and the grants), sorted by name.
    pub roles: Vec<String>,
}

impl Policy {
    /// Reads and checks a TOML policy document.
    pub fn from_toml(text: &str) -> Result<Self, PolicyError> {
        if text.len() > MAX_DOCUMENT_BYTES {
            return Err(PolicyError::document(
                format!(
                    "the document is {} bytes; the limit is {MAX_DOCUMENT_BYTES}",
                    text.len()
                ),
                None,
            ));
        }
        let spec: PolicySpec = toml::from_str(text).map_err(|e| {
            let span = e.span().map(|s| (text, s.start));
            PolicyError::document(String::from(e.message().trim_end()), span)
        })?;
        Self::from_spec(&spec).map_err(|mut e| {
            e.locate_in_toml(text);
            e
        })
    }

    /// Checks and compiles a policy already deserialised (from JSON, a JavaScript object, …).
    pub fn from_spec(spec: &PolicySpec) -> Result<Self, PolicyError> {
        let root = Field::ROOT;
        if let Some(v) = spec.version {
            if v != 1 {
                return Err(root.key("version").error(format!(
                    "unsupported policy version {v}; this certgate reads version 1"
                )));
            }
        }
        if spec.routes.len() > MAX_ROUTES {
            return Err(root
                .key("routes")
                .error(format!("more than {MAX_ROUTES} routes")));
        }
        if spec.grants.len() > MAX_GRANTS {
            return Err(root
                .key("grants")
                .error(format!("more than {MAX_GRANTS} grants")));
        }
        let mut compiler = Compiler::default();
        let principal = Principal::new(&spec.principal, &mut compiler, &root.key("principal"))?;
        let require = match &spec.require {
            Some(m) => Some(compiler.matcher(m, &root.key("require"), 0)?),
            None => None,
        };

        // Roles that some table entry or grant gives; rules may only ask for these.
        let mut role_names: Vec<String> = Vec::new();
        let mut intern = |role: &str, at: &Field<'_>| -> Result<usize, PolicyError> {
            if role.is_empty() {
                return Err(at.error("an empty role name"));
            }
            if let Some(i) = role_names.iter().position(|r| r == role) {
                return Ok(i);
            }
            if role_names.len() == MAX_ROLES {
                return Err(at.error(format!("more than {MAX_ROLES} distinct roles")));
            }
            role_names.push(String::from(role));
            Ok(role_names.len() - 1)
        };
        let mut principal_roles = BTreeMap::new();
        let roles_at = root.key("roles");
        for (who, roles) in &spec.roles {
            let at = roles_at.key(who);
            let mut set = RoleSet::default();
            for (i, role) in roles.iter().enumerate() {
                set.insert(intern(role, &at.index(i))?);
            }
            principal_roles.insert(who.clone(), set);
        }
        let mut grants = Vec::with_capacity(spec.grants.len());
        let grants_at = root.key("grants");
        for (i, g) in spec.grants.iter().enumerate() {
            let at = grants_at.index(i);
            if g.roles.is_empty() {
                return Err(at.key("roles").error("a grant with no roles"));
            }
            let mut set = RoleSet::default();
            for (j, role) in g.roles.iter().enumerate() {
                set.insert(intern(role, &at.key("roles").index(j))?);
            }
            grants.push(Grant {
                name: rule_name("grants", i, g.name.as_deref()),
                matcher: compiler.matcher(&g.matcher, &at.key("match"), 0)?,
                roles: set,
            });
        }
        let known = role_names.len();

        let mut need_role = |role: &str, at: &Field<'_>| -> Result<usize, PolicyError> {
            match role_names.iter().position(|r| r == role) {
                Some(i) if i < known => Ok(i),
                _ => Err(at.error(format!(
                    "no entry of [roles] and no grant gives role `{role}`, so this rule could never admit anyone; check the spelling"
                ))),
            }
        };
        let mut routes = Vec::with_capacity(spec.routes.len());
        let routes_at = root.key("routes");
        for (i, r) in spec.routes.iter().enumerate() {
            let at = routes_at.index(i);
            let fields = RuleFields {
                access: r.access,
                roles: &r.roles,
                require: r.require.as_ref(),
            };
            let names = (
                rule_name("routes", i, r.name.as_deref()),
                scope(&r.methods, &r.path),
            );
            let rule = Rule::new(names, fields, &mut compiler, &mut need_role, &at)?;
            routes.push(Route::new(&r.methods, &r.path, rule, &at)?);
        }
        let deny = RuleSpec {
            access: Some(Access::Deny),
            ..RuleSpec::default()
        };
        let d = spec.default.as_ref().unwrap_or(&deny);
        let fields = RuleFields {
            access: d.access,
            roles: &d.roles,
            require: d.require.as_ref(),
        };
        let names = (String::from("default"), String::from("any other request"));
        let default_at = root.key("default");
        let default = Rule::new(names, fields, &mut compiler, &mut need_role, &default_at)?;

        let matchers = require
            .iter()
            .chain(grants.iter().map(|g| &g.matcher))
            .chain(routes.iter().filter_map(|r| r.rule.require.as_ref()))
            .chain(default.require.as_ref());
        let needs = matchers.fold(principal.needs(), |n, m| n.union(needs(m)));
        Ok(Self {
            principal,
            require,
            role_names,
            principal_roles,
            grants,
            routes,
            default,
            needs,
        })
    }

    /// Decodes the verified leaf for this policy, once per connection: the subject, and the
    /// issuer, SANs and fingerprint only if the policy reads them.
    pub fn identity(&self, verified: &Verified) -> Result<Identity, Rejection> {
        Identity::decode(verified.leaf(), self.needs)
    }

    /// Decides a request. `identity` is the verified client's, or `None` when no certificate
    /// was presented (or it was not verified). An identity decoded by [`Policy::identity`] of
    /// another policy may lack parts this one reads; it is then denied (`POLICY_NO_MATCH`),
    /// never guessed about.
    pub fn evaluate(
        &self,
        identity: Option<&Identity>,
        method: &str,
        path: &str,
    ) -> Result<Decision, Rejection> {
        self.run(identity, method, path, &mut Trace(None))
    }

    /// Decides a request for a verified chain (or none), decoding its leaf first. Servers
    /// that evaluate many requests per connection call [`Policy::identity`] once instead.
    pub fn evaluate_verified(
        &self,
        verified: Option<&Verified>,
        method: &str,
        path: &str,
    ) -> Result<Decision, Rejection> {
        let identity = verified.map(|v| self.identity(v)).transpose()?;
        self.evaluate(identity.as_ref(), method, path)
    }

    /// Decides a request and records every step, for `--explain`, the inspector and logs.
    /// The outcome is the same as [`Policy::evaluate`]'s.
    pub fn explain(&self, identity: Option<&Identity>, method: &str, path: &str) -> Explanation {
        let mut steps = Vec::new();
        let result = self.run(identity, method, path, &mut Trace(Some(&mut steps)));
        let (principal, roles, outcome) = match result {
            Ok(d) => {
                let message = match &d.principal {
                    Some(p) => format!("allowed for principal `{p}`"),
                    None => String::from("allowed"),
                };
                let outcome = Outcome {
                    allowed: true,
                    code: None,
                    status: 200,
                    rule: d.rule,
                    message,
                };
                (d.principal, d.roles, outcome)
            }
            Err(r) => {
                let principal = identity
                    .and_then(|id| self.principal.extract(id))
                    .map(String::from);
                let roles = identity.map(|id| self.roles(id)).unwrap_or_default();
                let rule = steps
                    .iter()
                    .rev()
                    .find(|s| matches!(s.stage, Stage::Route | Stage::Default) && s.matched)
                    .map(|s| s.rule.clone())
                    .unwrap_or_else(|| String::from("path"));
                let outcome = Outcome {
                    allowed: false,
                    code: Some(r.code),
                    status: r.code.http_status(),
                    rule,
                    message: r.message,
                };
                (principal, roles, outcome)
            }
        };
        Explanation {
            method: String::from(method),
            path: String::from(path),
            subject: identity.map(|id| id.subject.rfc4514.clone()),
            principal,
            roles,
            steps,
            outcome,
        }
    }

    /// The roles this policy gives an identity (its principal's entry in the roles table and
    /// every grant it matches), sorted. The policy's `require` is not applied here; requests
    /// are decided by [`Policy::evaluate`].
    pub fn roles(&self, identity: &Identity) -> Vec<String> {
        let principal = self.principal.extract(identity);
        self.role_list(self.roles_of(identity, principal, &mut Trace(None)))
    }

    /// The principal this policy gives an identity, if any.
    pub fn principal<'i>(&self, identity: &'i Identity) -> Option<&'i str> {
        self.principal.extract(identity)
    }

    fn run(
        &self,
        identity: Option<&Identity>,
        method: &str,
        path: &str,
        trace: &mut Trace<'_>,
    ) -> Result<Decision, Rejection> {
        let segments = match request_segments(path) {
            Ok(s) => s,
            Err(why) => {
                trace.step(Stage::Path, "request", false, || why.clone());
                return Err(Rejection::new(
                    Code::PolicyNoMatch,
                    None,
                    format!("{why}; such paths are refused before any rule is tried"),
                ));
            }
        };
        if let Some(id) = identity.filter(|id| !id.has(self.needs)) {
            let message = format!(
                "the identity of `{}` was decoded without parts this policy reads (issuer, SANs or fingerprint); \
                 decode it with this policy's `identity` or with `Identity::from_verified`",
                id.subject.rfc4514
            );
            trace.step(Stage::Identity, "identity", false, || message.clone());
            return Err(Rejection::new(Code::PolicyNoMatch, Some(0), message));
        }
        let mut rule = &self.default;
        for route in &self.routes {
            let covered = route.covers(method, &segments);
            trace.step(Stage::Route, &route.rule.name, covered, || match covered {
                true => format!("{} covers {method} {path}", route.rule.scope),
                false => format!("{} does not cover {method} {path}", route.rule.scope),
            });
            if covered {
                rule = &route.rule;
                break;
            }
        }
        if core::ptr::eq(rule, &self.default) {
            trace.step(Stage::Default, "default", true, || {
                String::from("no route covers the request")
            });
        }
        let named = || match core::ptr::eq(rule, &self.default) {
            true => String::from("the default rule"),
            false => format!("route `{}` ({})", rule.name, rule.scope),
        };

        // The identity as the policy admits it: it must pass the policy's `require`.
        let admitted = match (identity, &self.require) {
            (Some(id), Some(req)) if rule.access != Access::Deny => {
                let ok = req.eval(id, None);
                trace.step(Stage::Require, "require", ok, || {
                    let mut why = String::new();
                    req.eval(id, Some(&mut why));
                    why
                });
                if !ok && rule.access == Access::Authenticated {
                    let mut why = String::new();
                    req.eval(id, Some(&mut why));
                    return Err(Rejection::new(
                        Code::PolicyNoMatch,
                        Some(0),
                        format!("the certificate does not satisfy the policy's `require` ({why}), which {} applies", named()),
                    ));
                }
                ok.then_some(id)
            }
            (id, _) => id,
        };
        let principal = admitted.and_then(|id| {
            let p = self.principal.extract(id);
            trace.step(Stage::Principal, "principal", p.is_some(), || match p {
                Some(p) => format!("`{p}` from {}", self.principal.describe()),
                None => format!(
                    "nothing from {} of `{}`",
                    self.principal.describe(),
                    id.subject.rfc4514
                ),
            });
            p
        });
        let roles = match admitted {
            Some(id) => self.roles_of(id, principal, trace),
            None => RoleSet::default(),
        };
        let decision = |authenticated: bool| Decision {
            rule: rule.name.clone(),
            authenticated,
            principal: principal.map(String::from),
            roles: self.role_list(roles),
        };

        match rule.access {
            Access::Deny => {
                trace.step(Stage::Access, &rule.name, false, || {
                    String::from("the rule denies every request")
                });
                Err(Rejection::new(
                    Code::PolicyNoMatch,
                    None,
                    format!("{} denies every request", named()),
                ))
            }
            Access::Anonymous => {
                trace.step(Stage::Access, &rule.name, true, || {
                    String::from("anonymous access")
                });
                Ok(decision(false))
            }
            Access::Authenticated => {
                let Some(id) = admitted else {
                    trace.step(Stage::Access, &rule.name, false, || {
                        String::from("no client certificate was presented")
                    });
                    return Err(Rejection::new(
                        Code::NoCertificate,
                        None,
                        format!(
                            "{} needs a client certificate and none was presented",
                            named()
                        ),
                    ));
                };
                if principal.is_none() && self.principal.required {
                    return Err(Rejection::new(
                        Code::PolicyNoMatch,
                        Some(0),
                        format!(
                            "no principal could be taken from the certificate ({} of `{}` is empty or absent); {} needs one",
                            self.principal.describe(),
                            id.subject.rfc4514,
                            named()
                        ),
                    ));
                }
                if let Some(req) = &rule.require {
                    let ok = req.eval(id, None);
                    trace.step(Stage::Require, &rule.name, ok, || {
                        let mut why = String::new();
                        req.eval(id, Some(&mut why));
                        why
                    });
                    if !ok {
                        let mut why = String::new();
                        req.eval(id, Some(&mut why));
                        return Err(Rejection::new(
                            Code::PolicyNoMatch,
                            Some(0),
                            format!(
                                "the certificate does not satisfy the `require` of {}: {why}",
                                named()
                            ),
                        ));
                    }
                }
                if !rule.roles.is_empty() && !roles.intersects(&rule.roles) {
                    let held = self.role_list(roles);
                    let message = format!(
                        "{} needs role {}; principal `{}` has {}",
                        named(),
                        rule.role_names.join(" or "),
                        principal.unwrap_or("(none)"),
                        match held.is_empty() {
                            true => String::from("no roles"),
                            false => format!("roles {}", held.join(", ")),
                        }
                    );
                    trace.step(Stage::Access, &rule.name, false, || message.clone());
                    return Err(Rejection::new(Code::RoleMissing, Some(0), message));
                }
                trace.step(Stage::Access, &rule.name, true, || {
                    match rule.roles.is_empty() {
                        true => String::from("a verified certificate is enough"),
                        false => format!("holds one of {}", rule.role_names.join(", ")),
                    }
                });
                Ok(decision(true))
            }
        }
    }

    /// Roles from the principal table and the grants.
    fn roles_of(&self, id: &Identity, principal: Option<&str>, trace: &mut Trace<'_>) -> RoleSet {
        let mut roles = RoleSet::default();
        if let Some(p) = principal {
            let from_table = self.principal_roles.get(p);
            trace.step(
                Stage::Roles,
                "roles",
                from_table.is_some(),
                || match from_table {
                    Some(set) => format!("`{p}` has {}", self.role_list(*set).join(", ")),
                    None => format!("`{p}` is not in the roles table"),
                },
            );
            if let Some(set) = from_table {
                roles.union(set);
            }
        }
        for grant in &self.grants {
            let ok = grant.matcher.eval(id, None);
            trace.step(Stage::Grant, &grant.name, ok, || {
                let mut why = String::new();
                grant.matcher.eval(id, Some(&mut why));
                if ok {
                    why.push_str(&format!(
                        ": grants {}",
                        self.role_list(grant.roles).join(", ")
                    ));
                }
                why
            });
            if ok {
                roles.union(&grant.roles);
            }
        }
        roles
    }

    fn role_list(&self, roles: RoleSet) -> Vec<String> {
        let mut list: Vec<String> = roles.iter().map(|i| self.role_names[i].clone()).collect();
        list.sort();
        list
    }
}

/// Collects explain steps when enabled; otherwise costs a branch.
struct Trace<'a>(Option<&'a mut Vec<Step>>);

impl Trace<'_> {
    fn step(&mut self, stage: Stage, rule: &str, matched: bool, detail: impl FnOnce() -> String) {
        if let Some(steps) = &mut self.0 {
            steps.push(Step {
                stage,
                rule: String::from(rule),
                matched,
                detail: detail(),
            });
        }
    }
}

fn rule_name(table: &str, index: usize, name: Option<&str>) -> String {
    match name {
        Some(n) if !n.is_empty() => String::from(n),
        _ => format!("{table}[{index}]"),
    }
}
