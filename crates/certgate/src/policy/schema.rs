//! The policy document: one serde model, read from TOML by the server and the CLI and passed
//! as a plain object by JavaScript callers. Nothing here is checked beyond its shape;
//! [`Policy::from_spec`](super::Policy::from_spec) compiles and checks it.
//!
//! Every struct refuses unknown fields: a misspelt `roles` must fail the load, never leave a
//! route open.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// A whole policy document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PolicySpec {
    /// Schema version; `1` when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// How the principal (the client's name) is taken from the certificate.
    #[serde(default)]
    pub principal: PrincipalSpec,
    /// A matcher every certificate must satisfy on routes that need a certificate
    /// (the classic "subject DN must match this regex" filter). Failing it is `POLICY_NO_MATCH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require: Option<MatcherSpec>,
    /// Principal → roles, e.g. `pavel = ["user"]`.
    #[serde(default)]
    pub roles: BTreeMap<String, Vec<String>>,
    /// Matcher → roles: every certificate that matches gets the roles.
    #[serde(default)]
    pub grants: Vec<GrantSpec>,
    /// Route rules, tried in order; the first whose method and path match decides.
    #[serde(default)]
    pub routes: Vec<RouteSpec>,
    /// The rule for requests no route matches. Absent: deny.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<RuleSpec>,
}

/// Where the principal comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PrincipalSpec {
    /// The source; `subject_regex` by default.
    #[serde(default)]
    pub source: PrincipalSource,
    /// For `subject_regex`: the pattern, searched (not anchored) in the RFC 4514 subject;
    /// capture group 1 is the principal. Default: Spring Security's `CN=(.*?)(?:,|$)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// For `attribute`: the DN attribute (`CN`, `UID`, `emailAddress`, a dotted OID, …);
    /// the left-most occurrence is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    /// Whether a certificate without a principal is refused on routes that need a
    /// certificate (`POLICY_NO_MATCH`). Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
}

/// Principal sources.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PrincipalSource {
    /// Capture group 1 of a regex over the RFC 4514 subject (Spring's `subjectPrincipalRegex`).
    #[default]
    SubjectRegex,
    /// A subject DN attribute, left-most occurrence.
    Attribute,
    /// The left-most common name.
    CommonName,
    /// The first dNSName SAN.
    SanDns,
    /// The first rfc822Name (email) SAN.
    SanEmail,
    /// The first URI SAN.
    SanUri,
    /// The SPIFFE ID (the certificate's one `spiffe://` URI SAN).
    SpiffeId,
}

/// Matcher → roles.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GrantSpec {
    /// A name for messages and traces; default `grants[i]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Which certificates the grant applies to.
    #[serde(rename = "match")]
    pub matcher: MatcherSpec,
    /// The roles granted.
    pub roles: Vec<String>,
}

/// A route rule: which requests it covers and what they need.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RouteSpec {
    /// A name for messages and traces; default `routes[i]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// HTTP methods (case-insensitive); empty or absent: any method.
    #[serde(default)]
    pub methods: Vec<String>,
    /// Path pattern: `/`-separated segments, each literal, `{name}` or `*` (one segment) or
    /// a glob such as `v*` within a segment, and at most one `**` (any number of segments).
    pub path: String,
    // The three fields below are [`RuleSpec`]'s, repeated rather than `#[serde(flatten)]`ed:
    // flatten would disable `deny_unknown_fields` and lose TOML positions in errors.
    /// `anonymous`, `authenticated` or `deny`. Absent: `authenticated` when `roles` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    /// The certificate's principal must hold at least one of these roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// A matcher the certificate must also satisfy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require: Option<MatcherSpec>,
}

/// The default rule: what a request no route matches needs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RuleSpec {
    /// `anonymous`, `authenticated` or `deny`. Absent: `authenticated` when `roles` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    /// The certificate's principal must hold at least one of these roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// A matcher the certificate must also satisfy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require: Option<MatcherSpec>,
}

/// Access levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Access {
    /// No certificate needed.
    Anonymous,
    /// Any verified certificate that passes the policy's `require`.
    Authenticated,
    /// Always refused.
    Deny,
}

/// A certificate matcher: a table (object) with exactly one key.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum MatcherSpec {
    /// Regex that must match the whole RFC 4514 subject string.
    SubjectRegex(String),
    /// Regex that must match the whole RFC 4514 issuer string.
    IssuerRegex(String),
    /// Subject attributes: each named attribute must have a value matching one of the globs.
    Subject(BTreeMap<String, Patterns>),
    /// Issuer attributes, as for `subject`.
    Issuer(BTreeMap<String, Patterns>),
    /// A dNSName SAN matches one of the globs (case-insensitive; `*` stays within a label).
    SanDns(Patterns),
    /// An iPAddress SAN equals one of the addresses or lies in one of the CIDR blocks.
    SanIp(Patterns),
    /// An rfc822Name SAN matches one of the globs (case-insensitive).
    SanEmail(Patterns),
    /// A URI SAN matches one of the globs.
    SanUri(Patterns),
    /// The SPIFFE ID is in the trust domain and its path matches.
    Spiffe(SpiffeSpec),
    /// The SHA-256 fingerprint of the leaf's DER is one of these (hex, colons allowed).
    Fingerprint(Patterns),
    /// Every matcher matches.
    All(Vec<MatcherSpec>),
    /// At least one matcher matches.
    Any(Vec<MatcherSpec>),
    /// The matcher does not match.
    Not(Box<MatcherSpec>),
}

/// A SPIFFE ID matcher.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SpiffeSpec {
    /// The trust domain, exactly (e.g. `prod.example.org`).
    pub trust_domain: String,
    /// Path pattern as for routes (`/ns/prod/sa/*`, `/**`); absent: any path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// One pattern or a list of them; a list matches when any of its patterns does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Patterns(pub Vec<String>);

impl<'de> Deserialize<'de> for Patterns {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrMany;
        impl<'de> Visitor<'de> for OneOrMany {
            type Value = Patterns;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Patterns, E> {
                Ok(Patterns(alloc::vec![String::from(v)]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Patterns, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(Patterns(out))
            }
        }
        deserializer.deserialize_any(OneOrMany)
    }
}

impl From<&str> for Patterns {
    fn from(s: &str) -> Self {
        Self(alloc::vec![String::from(s)])
    }
}
