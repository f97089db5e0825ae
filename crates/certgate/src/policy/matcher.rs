//! Certificate matchers, compiled from [`MatcherSpec`] at load and evaluated against an
//! [`Identity`]. Evaluation optionally writes why a matcher did or did not match, for the
//! explain trace and for denial messages; the fast path writes nothing.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use core::net::IpAddr;

use super::error::{Field, PolicyError};
use super::identity::{is_trust_domain, Identity, Needs};
use super::pattern::{abbreviate, fingerprint, Glob, IpNet, Regex, Segments};
use super::schema::{MatcherSpec, Patterns, SpiffeSpec};
use super::{MAX_DEPTH, MAX_MATCHERS, MAX_TOTAL_REGEX_WEIGHT};
use crate::inspect::hex;
use crate::name::{DistinguishedName, ATTRIBUTE_NAMES};

/// A compiled matcher.
#[derive(Clone, Debug)]
pub(crate) enum Matcher {
    SubjectRegex(Regex, String),
    IssuerRegex(Regex, String),
    Subject(Vec<Attribute>),
    Issuer(Vec<Attribute>),
    SanDns(Vec<(Segments, String)>),
    SanIp(Vec<(IpNet, String)>),
    SanEmail(Vec<(Glob, String)>),
    SanUri(Vec<(Glob, String)>),
    Spiffe {
        trust_domain: String,
        path: Option<(Segments, String)>,
    },
    Fingerprint(Vec<[u8; 32]>),
    All(Vec<Matcher>),
    Any(Vec<Matcher>),
    Not(Box<Matcher>),
}

/// One attribute of a structured DN match: its name and the globs a value must match.
#[derive(Clone, Debug)]
pub(crate) struct Attribute {
    name: String,
    globs: Vec<(Glob, String)>,
}

impl Matcher {
    /// Whether the identity matches. With `why`, appends the reason.
    pub(crate) fn eval(&self, id: &Identity, why: Option<&mut String>) -> bool {
        match self {
            Self::SubjectRegex(re, src) => regex_on(re, src, "subject", &id.subject, why),
            Self::IssuerRegex(re, src) => match &id.issuer {
                Some(issuer) => regex_on(re, src, "issuer", issuer, why),
                None => not_decoded(why, "issuer"),
            },
            Self::Subject(attrs) => attributes_on(attrs, "subject", &id.subject, why),
            Self::Issuer(attrs) => match &id.issuer {
                Some(issuer) => attributes_on(attrs, "issuer", issuer, why),
                None => not_decoded(why, "issuer"),
            },
            Self::SanDns(p) => san_on(why, "DNS SAN", &id.sans().dns, p, |pattern, name| {
                pattern.is_match_split(name.strip_suffix('.').unwrap_or(name), '.')
            }),
            Self::SanIp(p) => san_on(why, "IP SAN", &id.sans().ip, p, |net, ip| {
                ip.parse::<IpAddr>().is_ok_and(|ip| net.contains(ip))
            }),
            Self::SanEmail(p) => {
                san_on(why, "email SAN", &id.sans().email, p, |g, e| g.is_match(e))
            }
            Self::SanUri(p) => san_on(why, "URI SAN", &id.sans().uri, p, |g, u| g.is_match(u)),
            Self::Spiffe { trust_domain, path } => {
                let parts = id.spiffe_parts();
                let matched = parts.is_some_and(|(domain, p)| {
                    domain == trust_domain
                        && path.as_ref().is_none_or(|(segments, _)| {
                            p.strip_prefix('/')
                                .is_some_and(|p| segments.is_match_split(p, '/'))
                        })
                });
                if let Some(why) = why {
                    let wanted = match path {
                        Some((_, p)) => format!("spiffe://{trust_domain}{p}"),
                        None => format!("spiffe://{trust_domain}/**"),
                    };
                    let _ = match (&id.spiffe_id, matched) {
                        (Some(sid), true) => write!(why, "SPIFFE ID `{sid}` matches `{wanted}`"),
                        (Some(sid), false) => write!(why, "SPIFFE ID `{sid}` does not match `{wanted}`"),
                        (None, _) => write!(
                            why,
                            "the certificate has no SPIFFE ID (an X.509-SVID has exactly one URI SAN, a valid spiffe:// ID); wanted `{wanted}`"
                        ),
                    };
                }
                matched
            }
            Self::Fingerprint(digests) => {
                let Some(digest) = id.sha256 else {
                    return not_decoded(why, "fingerprint");
                };
                let matched = digests.contains(&digest);
                if let Some(why) = why {
                    let verb = if matched { "is" } else { "is not" };
                    let _ = write!(
                        why,
                        "SHA-256 fingerprint {} {verb} one of the {} listed",
                        hex(&digest),
                        digests.len()
                    );
                }
                matched
            }
            Self::All(children) => {
                for (i, child) in children.iter().enumerate() {
                    if !child.eval(id, None) {
                        if let Some(why) = why {
                            let _ = write!(
                                why,
                                "all: condition {} of {} fails: ",
                                i + 1,
                                children.len()
                            );
                            child.eval(id, Some(why));
                        }
                        return false;
                    }
                }
                if let Some(why) = why {
                    let _ = write!(why, "all {} conditions match", children.len());
                }
                true
            }
            Self::Any(children) => {
                if let Some(i) = children.iter().position(|c| c.eval(id, None)) {
                    if let Some(why) = why {
                        let _ = write!(
                            why,
                            "any: condition {} of {} matches: ",
                            i + 1,
                            children.len()
                        );
                        children[i].eval(id, Some(why));
                    }
                    return true;
                }
                if let Some(why) = why {
                    let _ = write!(why, "any: none of {} conditions matches (", children.len());
                    for (i, child) in children.iter().enumerate() {
                        if i > 0 {
                            why.push_str("; ");
                        }
                        child.eval(id, Some(why));
                    }
                    why.push(')');
                }
                false
            }
            Self::Not(child) => {
                let matched = match why {
                    Some(why) => {
                        why.push_str("not (");
                        let inner = child.eval(id, Some(why));
                        why.push(')');
                        inner
                    }
                    None => child.eval(id, None),
                };
                !matched
            }
        }
    }
}

/// Compiles matchers, counting nodes and regex weight against the policy's limits.
#[derive(Debug, Default)]
pub(crate) struct Compiler {
    nodes: usize,
    regex_weight: u64,
}

impl Compiler {
    /// Compiles a regex at `at`, charging its weight.
    pub(crate) fn regex(
        &mut self,
        source: &str,
        whole: bool,
        at: &Field<'_>,
    ) -> Result<Regex, PolicyError> {
        let re = Regex::new(source, whole).map_err(|m| at.error(m))?;
        self.regex_weight = self.regex_weight.saturating_add(re.weight());
        if self.regex_weight > MAX_TOTAL_REGEX_WEIGHT {
            return Err(at.error(format!(
                "the policy's regexes together weigh more than {MAX_TOTAL_REGEX_WEIGHT} units; use fewer or simpler patterns"
            )));
        }
        Ok(re)
    }

    /// Compiles a matcher at `at`, `depth` combinators deep.
    pub(crate) fn matcher(
        &mut self,
        spec: &MatcherSpec,
        at: &Field<'_>,
        depth: usize,
    ) -> Result<Matcher, PolicyError> {
        self.nodes += 1;
        if self.nodes > MAX_MATCHERS {
            return Err(at.error(format!("the policy has more than {MAX_MATCHERS} matchers")));
        }
        if depth > MAX_DEPTH {
            return Err(at.error(format!("matchers are nested more than {MAX_DEPTH} deep")));
        }
        let matcher = match spec {
            MatcherSpec::SubjectRegex(src) => {
                let at = at.key("subject_regex");
                Matcher::SubjectRegex(self.regex(src, true, &at)?, src.clone())
            }
            MatcherSpec::IssuerRegex(src) => {
                let at = at.key("issuer_regex");
                Matcher::IssuerRegex(self.regex(src, true, &at)?, src.clone())
            }
            MatcherSpec::Subject(map) => Matcher::Subject(attributes(map, &at.key("subject"))?),
            MatcherSpec::Issuer(map) => Matcher::Issuer(attributes(map, &at.key("issuer"))?),
            MatcherSpec::SanDns(p) => Matcher::SanDns(each(p, &at.key("san_dns"), |s| {
                Segments::new(s.strip_suffix('.').unwrap_or(s), '.', true)
            })?),
            MatcherSpec::SanIp(p) => Matcher::SanIp(each(p, &at.key("san_ip"), IpNet::new)?),
            MatcherSpec::SanEmail(p) => {
                Matcher::SanEmail(each(p, &at.key("san_email"), |s| Glob::new(s, true))?)
            }
            MatcherSpec::SanUri(p) => {
                Matcher::SanUri(each(p, &at.key("san_uri"), |s| Glob::new(s, false))?)
            }
            MatcherSpec::Spiffe(spec) => spiffe(spec, &at.key("spiffe"))?,
            MatcherSpec::Fingerprint(p) => {
                let at = at.key("fingerprint");
                let list = each(p, &at, fingerprint)?;
                Matcher::Fingerprint(list.into_iter().map(|(d, _)| d).collect())
            }
            MatcherSpec::All(children) => {
                Matcher::All(self.children(children, &at.key("all"), depth)?)
            }
            MatcherSpec::Any(children) => {
                Matcher::Any(self.children(children, &at.key("any"), depth)?)
            }
            MatcherSpec::Not(child) => {
                Matcher::Not(Box::new(self.matcher(child, &at.key("not"), depth + 1)?))
            }
        };
        Ok(matcher)
    }

    fn children(
        &mut self,
        specs: &[MatcherSpec],
        at: &Field<'_>,
        depth: usize,
    ) -> Result<Vec<Matcher>, PolicyError> {
        if specs.is_empty() {
            return Err(at.error("an empty list: give at least one matcher"));
        }
        specs
            .iter()
            .enumerate()
            .map(|(i, spec)| self.matcher(spec, &at.index(i), depth + 1))
            .collect()
    }
}

/// The optional identity parts a matcher reads.
pub(crate) fn needs(matcher: &Matcher) -> Needs {
    match matcher {
        Matcher::IssuerRegex(..) | Matcher::Issuer(_) => Needs {
            issuer: true,
            ..Needs::default()
        },
        Matcher::SanDns(_)
        | Matcher::SanIp(_)
        | Matcher::SanEmail(_)
        | Matcher::SanUri(_)
        | Matcher::Spiffe { .. } => Needs {
            sans: true,
            ..Needs::default()
        },
        Matcher::Fingerprint(_) => Needs {
            fingerprint: true,
            ..Needs::default()
        },
        Matcher::All(c) | Matcher::Any(c) => {
            c.iter().fold(Needs::default(), |n, m| n.union(needs(m)))
        }
        Matcher::Not(c) => needs(c),
        Matcher::SubjectRegex(..) | Matcher::Subject(_) => Needs::default(),
    }
}

/// Canonical spelling of a DN attribute short name (`cn` → `CN`), if certgate knows it.
pub(crate) fn attribute_name(name: &str) -> Option<&'static str> {
    ATTRIBUTE_NAMES
        .iter()
        .map(|(_, known)| *known)
        .find(|known| known.eq_ignore_ascii_case(name))
}

/// Whether `name` is a dotted OID (`2.5.4.3`).
pub(crate) fn is_dotted_oid(name: &str) -> bool {
    name.split('.').count() >= 2
        && name
            .split('.')
            .all(|arc| !arc.is_empty() && arc.bytes().all(|b| b.is_ascii_digit()))
}

/// The message for a DN attribute name certgate does not know.
pub(crate) fn unknown_attribute(name: &str) -> String {
    let known: Vec<&str> = ATTRIBUTE_NAMES.iter().map(|(_, n)| *n).collect();
    format!(
        "unknown DN attribute `{name}`; use one of {} or a dotted OID",
        known.join(", ")
    )
}

fn attributes(
    map: &alloc::collections::BTreeMap<String, Patterns>,
    at: &Field<'_>,
) -> Result<Vec<Attribute>, PolicyError> {
    if map.is_empty() {
        return Err(at.error("no attributes: name at least one, e.g. { CN = \"alice\" }"));
    }
    map.iter()
        .map(|(name, patterns)| {
            let field = at.key(name);
            let canonical = match attribute_name(name) {
                Some(known) => String::from(known),
                None if is_dotted_oid(name) => name.clone(),
                None => return Err(field.error(unknown_attribute(name))),
            };
            Ok(Attribute {
                name: canonical,
                globs: each(patterns, &field, |s| Glob::new(s, false))?,
            })
        })
        .collect()
}

fn each<T>(
    patterns: &Patterns,
    at: &Field<'_>,
    compile: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<(T, String)>, PolicyError> {
    if patterns.0.is_empty() {
        return Err(at.error("an empty list: give at least one pattern"));
    }
    if patterns.0.len() > super::MAX_LIST {
        return Err(at.error(format!(
            "more than {} patterns in one list",
            super::MAX_LIST
        )));
    }
    patterns
        .0
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let compiled = match patterns.0.len() {
                1 => compile(s).map_err(|m| at.error(m))?,
                _ => compile(s).map_err(|m| at.index(i).error(m))?,
            };
            Ok((compiled, s.clone()))
        })
        .collect()
}

fn spiffe(spec: &SpiffeSpec, at: &Field<'_>) -> Result<Matcher, PolicyError> {
    if !is_trust_domain(&spec.trust_domain) {
        return Err(at.key("trust_domain").error(format!(
            "`{}` is not a SPIFFE trust domain (lowercase letters, digits, `.`, `-`, `_`; no scheme, no path)",
            abbreviate(&spec.trust_domain)
        )));
    }
    let path = match &spec.path {
        Some(p) => {
            let segments = Segments::new(p, '/', false).map_err(|m| at.key("path").error(m))?;
            Some((segments, p.clone()))
        }
        None => None,
    };
    Ok(Matcher::Spiffe {
        trust_domain: spec.trust_domain.clone(),
        path,
    })
}

fn regex_on(
    re: &Regex,
    src: &str,
    what: &str,
    dn: &DistinguishedName,
    why: Option<&mut String>,
) -> bool {
    let matched = re.is_match(&dn.rfc4514);
    if let Some(why) = why {
        let verb = if matched { "matches" } else { "does not match" };
        let _ = write!(
            why,
            "{what} `{}` {verb} regex `{}`",
            dn.rfc4514,
            abbreviate(src)
        );
    }
    matched
}

fn attributes_on(
    attrs: &[Attribute],
    what: &str,
    dn: &DistinguishedName,
    why: Option<&mut String>,
) -> bool {
    let failing = attrs.iter().find(|a| {
        !dn.values(&a.name)
            .any(|v| a.globs.iter().any(|(g, _)| g.is_match(v)))
    });
    if let Some(why) = why {
        let _ = match failing {
            None => write!(why, "{what} `{}` has the attributes required", dn.rfc4514),
            Some(a) => {
                let wanted: Vec<&str> = a.globs.iter().map(|(_, s)| s.as_str()).collect();
                let have: Vec<&str> = dn.values(&a.name).collect();
                match have.is_empty() {
                    true => write!(
                        why,
                        "{what} `{}` has no {} attribute (wanted {})",
                        dn.rfc4514,
                        a.name,
                        wanted.join(" or ")
                    ),
                    false => write!(
                        why,
                        "{what} {} is {} (wanted {})",
                        a.name,
                        have.join(", "),
                        wanted.join(" or ")
                    ),
                }
            }
        };
    }
    failing.is_none()
}

/// Whether any SAN of one type matches any of the patterns; with `why`, appends the reason.
fn san_on<P>(
    why: Option<&mut String>,
    what: &str,
    sans: &[String],
    patterns: &[(P, String)],
    matches: impl Fn(&P, &str) -> bool,
) -> bool {
    let hit = sans
        .iter()
        .find(|san| patterns.iter().any(|(p, _)| matches(p, san)));
    if let Some(why) = why {
        let wanted: Vec<&str> = patterns.iter().map(|(_, s)| s.as_str()).collect();
        let _ = match (hit, sans.is_empty()) {
            (Some(h), _) => write!(why, "{what} `{h}` matches {}", wanted.join(" or ")),
            (None, true) => write!(
                why,
                "the certificate has no {what} (wanted {})",
                wanted.join(" or ")
            ),
            (None, false) => write!(
                why,
                "no {what} among {} matches {}",
                sans.join(", "),
                wanted.join(" or ")
            ),
        };
    }
    hit.is_some()
}

/// A part the policy reads was not decoded: never a match (evaluation refuses such
/// identities before any matcher runs; this keeps the matcher fail-closed on its own).
fn not_decoded(why: Option<&mut String>, what: &str) -> bool {
    if let Some(why) = why {
        let _ = write!(why, "the identity was decoded without its {what}");
    }
    false
}
