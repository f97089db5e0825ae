//! The principal: the client's name, taken from the certificate by a configured source.

use alloc::format;
use alloc::string::String;

use super::error::{Field, PolicyError};
use super::identity::{Identity, Needs};
use super::matcher::{attribute_name, is_dotted_oid, unknown_attribute, Compiler};
use super::pattern::Regex;
use super::schema::{PrincipalSource, PrincipalSpec};

/// Spring Security's default `subjectPrincipalRegex`: the first `CN=` value in the RFC 4514
/// subject, i.e. the left-most (most specific) common name.
///
/// **Like Spring's, it is a search in the whole string**: a subject whose other attribute
/// values contain the text `CN=` (e.g. `OU=xCN=admin` without a real CN) yields that text.
/// Prefer `source = "common_name"` where the CA lets clients choose attribute values.
pub const DEFAULT_PRINCIPAL_REGEX: &str = "CN=(.*?)(?:,|$)";

/// A compiled principal source.
#[derive(Clone, Debug)]
pub(crate) struct Principal {
    source: Source,
    /// Refuse certificates without a principal on routes that need a certificate.
    pub(crate) required: bool,
}

#[derive(Clone, Debug)]
enum Source {
    Regex(Regex, String),
    /// [`DEFAULT_PRINCIPAL_REGEX`], matched by [`spring_default`]: the regex's result without
    /// the regex engine, whose search was most of a policy evaluation's cost.
    SpringDefault,
    Attribute(String),
    SanDns,
    SanEmail,
    SanUri,
    SpiffeId,
}

impl Principal {
    /// Compiles the `[principal]` table.
    pub(crate) fn new(
        spec: &PrincipalSpec,
        compiler: &mut Compiler,
        at: &Field<'_>,
    ) -> Result<Self, PolicyError> {
        let source_name = match spec.source {
            PrincipalSource::SubjectRegex => "subject_regex",
            PrincipalSource::Attribute => "attribute",
            PrincipalSource::CommonName => "common_name",
            PrincipalSource::SanDns => "san_dns",
            PrincipalSource::SanEmail => "san_email",
            PrincipalSource::SanUri => "san_uri",
            PrincipalSource::SpiffeId => "spiffe_id",
        };
        if spec.regex.is_some() && spec.source != PrincipalSource::SubjectRegex {
            return Err(at.key("regex").error(format!(
                "`regex` only applies to source = \"subject_regex\", not \"{source_name}\""
            )));
        }
        if spec.attribute.is_some() && spec.source != PrincipalSource::Attribute {
            return Err(at.key("attribute").error(format!(
                "`attribute` only applies to source = \"attribute\", not \"{source_name}\""
            )));
        }
        let source = match spec.source {
            PrincipalSource::SubjectRegex => {
                let pattern = spec.regex.as_deref().unwrap_or(DEFAULT_PRINCIPAL_REGEX);
                let field = at.key("regex");
                let re = compiler.regex(pattern, false, &field)?;
                if re.captures_len() < 2 {
                    return Err(field.error(format!(
                        "principal regex `{pattern}` has no capture group; group 1 is the principal, as in `CN=(.*?)(?:,|$)`"
                    )));
                }
                // Compiled above all the same: validated, and weighed against the total.
                match pattern == DEFAULT_PRINCIPAL_REGEX {
                    true => Source::SpringDefault,
                    false => Source::Regex(re, String::from(pattern)),
                }
            }
            PrincipalSource::Attribute => {
                let field = at.key("attribute");
                let Some(name) = spec.attribute.as_deref() else {
                    return Err(at.error(
                        "source = \"attribute\" needs `attribute`, e.g. attribute = \"UID\"",
                    ));
                };
                match attribute_name(name) {
                    Some(known) => Source::Attribute(String::from(known)),
                    None if is_dotted_oid(name) => Source::Attribute(String::from(name)),
                    None => return Err(field.error(unknown_attribute(name))),
                }
            }
            PrincipalSource::CommonName => Source::Attribute(String::from("CN")),
            PrincipalSource::SanDns => Source::SanDns,
            PrincipalSource::SanEmail => Source::SanEmail,
            PrincipalSource::SanUri => Source::SanUri,
            PrincipalSource::SpiffeId => Source::SpiffeId,
        };
        Ok(Self {
            source,
            required: spec.required.unwrap_or(true),
        })
    }

    /// The principal of an identity; `None` when the source yields nothing or an empty name.
    pub(crate) fn extract<'i>(&self, id: &'i Identity) -> Option<&'i str> {
        let name = match &self.source {
            Source::Regex(re, _) => re.group1(&id.subject.rfc4514),
            Source::SpringDefault => spring_default(&id.subject.rfc4514),
            // Left-most in the RFC 4514 string = last in DER order (as `DistinguishedName::values`).
            Source::Attribute(attr) => id
                .subject
                .attributes
                .iter()
                .rev()
                .find(|a| a.name.eq_ignore_ascii_case(attr) || a.oid == *attr)
                .map(|a| a.value.as_str()),
            Source::SanDns => id.sans().dns.first().map(String::as_str),
            Source::SanEmail => id.sans().email.first().map(String::as_str),
            Source::SanUri => id.sans().uri.first().map(String::as_str),
            Source::SpiffeId => id.spiffe_id(),
        };
        name.filter(|n| !n.is_empty())
    }

    /// The optional identity parts the source reads.
    pub(crate) fn needs(&self) -> Needs {
        match self.source {
            Source::SanDns | Source::SanEmail | Source::SanUri | Source::SpiffeId => Needs {
                sans: true,
                ..Needs::default()
            },
            Source::Regex(..) | Source::SpringDefault | Source::Attribute(_) => Needs::default(),
        }
    }

    /// Says where the principal comes from, for traces and messages.
    pub(crate) fn describe(&self) -> String {
        match &self.source {
            Source::Regex(_, src) => format!("capture group 1 of regex `{src}` over the subject"),
            Source::SpringDefault => {
                format!("capture group 1 of regex `{DEFAULT_PRINCIPAL_REGEX}` over the subject")
            }
            Source::Attribute(attr) => format!("the left-most {attr} of the subject"),
            Source::SanDns => String::from("the first DNS SAN"),
            Source::SanEmail => String::from("the first email SAN"),
            Source::SanUri => String::from("the first URI SAN"),
            Source::SpiffeId => String::from("the SPIFFE ID"),
        }
    }
}

/// Capture group 1 of [`DEFAULT_PRINCIPAL_REGEX`] (`CN=(.*?)(?:,|$)`) in `haystack`, as
/// regex-lite finds it: the left-most `CN=` from which `.*?` reaches a `,` or the end of the
/// text without crossing a `\n` (`.` does not match it, and `$` is the end of the text only);
/// the text up to there. Checked against the regex itself on every short string over an
/// adversarial alphabet (tests below).
fn spring_default(haystack: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(at) = haystack[from..].find("CN=") {
        let rest = &haystack[from + at + 3..];
        let end = rest.find([',', '\n']).unwrap_or(rest.len());
        if !rest[end..].starts_with('\n') {
            return Some(&rest[..end]);
        }
        // `CN=` cannot overlap itself, so the next candidate starts after this one.
        from += at + 3;
    }
    None
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::*;

    /// Every string of up to six characters over an alphabet that exercises each branch of
    /// the pattern (`C`, `N`, `=`, `,`, a newline, a letter, a two-byte character) gets the
    /// same principal from `spring_default` as from regex-lite running the pattern.
    #[test]
    fn spring_default_is_the_default_regex() {
        let re = Regex::new(DEFAULT_PRINCIPAL_REGEX, false).expect("the default regex compiles");
        let alphabet = ['C', 'N', '=', ',', '\n', 'a', '\u{e9}'];
        let mut strings = vec![String::new()];
        let mut checked = 0;
        for _ in 0..6 {
            let mut longer = Vec::with_capacity(strings.len() * alphabet.len());
            for s in &strings {
                for c in alphabet {
                    let mut t = s.clone();
                    t.push(c);
                    longer.push(t);
                }
            }
            for s in &longer {
                assert_eq!(spring_default(s), re.group1(s), "{s:?}");
                checked += 1;
            }
            strings = longer;
        }
        assert_eq!(checked, (1..=6).map(|n| 7_usize.pow(n)).sum::<usize>());
        for subject in [
            "CN=pavel,OU=eng,O=Example,C=GB",
            "O=x,CN=a\\,b",
            "OU=xCN=admin",
            "CN=a\nb,CN=c",
        ] {
            assert_eq!(spring_default(subject), re.group1(subject), "{subject:?}");
        }
    }
}
