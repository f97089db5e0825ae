//! Route rules: which requests a rule covers (method and path) and what they need, and the
//! normalisation a request path goes through before any rule sees it.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::error::{Field, PolicyError};
use super::matcher::{Compiler, Matcher};
use super::pattern::{abbreviate, Segments};
use super::schema::{Access, MatcherSpec};
use super::MAX_PATH_SEGMENTS;

/// A set of roles, by index into the policy's role table ([`super::MAX_ROLES`] at most).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RoleSet([u64; 4]);

impl RoleSet {
    pub(crate) fn insert(&mut self, role: usize) {
        self.0[role / 64] |= 1 << (role % 64);
    }

    pub(crate) fn union(&mut self, other: &RoleSet) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
    }

    pub(crate) fn intersects(&self, other: &RoleSet) -> bool {
        self.0.iter().zip(other.0).any(|(a, b)| a & b != 0)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }

    /// Role indexes in ascending order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..256).filter(|i| self.0[i / 64] & (1 << (i % 64)) != 0)
    }
}

/// What a request needs.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    /// `routes[i]`'s name or `default`.
    pub(crate) name: String,
    /// `GET /customer/{id}`, or `any request` for the default rule.
    pub(crate) scope: String,
    pub(crate) access: Access,
    /// Any one of these roles admits; empty: no role needed.
    pub(crate) roles: RoleSet,
    pub(crate) role_names: Vec<String>,
    pub(crate) require: Option<Matcher>,
}

impl Rule {
    /// Compiles access, roles and require; `roles` are interned through `intern`.
    pub(crate) fn new(
        (name, scope): (String, String),
        fields: RuleFields<'_>,
        compiler: &mut Compiler,
        intern: &mut dyn FnMut(&str, &Field<'_>) -> Result<usize, PolicyError>,
        at: &Field<'_>,
    ) -> Result<Self, PolicyError> {
        let RuleFields {
            access,
            roles,
            require,
        } = fields;
        let access = match (access, roles.is_empty()) {
            (Some(Access::Anonymous | Access::Deny), false) => {
                return Err(at.key("roles").error("roles need access = \"authenticated\" (or no access key); anonymous and deny rules take no roles"))
            }
            (Some(a), _) => a,
            (None, false) => Access::Authenticated,
            (None, true) => {
                return Err(at.error(
                    "the rule says nothing: give access = \"anonymous\", \"authenticated\" or \"deny\", or roles = [...]",
                ))
            }
        };
        if require.is_some() && access != Access::Authenticated {
            return Err(at.key("require").error(
                "`require` only applies to rules that need a certificate (access = \"authenticated\" or roles)",
            ));
        }
        let mut set = RoleSet::default();
        let roles_at = at.key("roles");
        for (i, role) in roles.iter().enumerate() {
            set.insert(intern(role, &roles_at.index(i))?);
        }
        let require = match require {
            Some(spec) => Some(compiler.matcher(spec, &at.key("require"), 0)?),
            None => None,
        };
        Ok(Self {
            name,
            scope,
            access,
            roles: set,
            role_names: roles.to_vec(),
            require,
        })
    }
}

/// The fields a route and the default rule share.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RuleFields<'a> {
    pub(crate) access: Option<Access>,
    pub(crate) roles: &'a [String],
    pub(crate) require: Option<&'a MatcherSpec>,
}

/// A compiled route rule.
#[derive(Clone, Debug)]
pub(crate) struct Route {
    /// Upper-case methods; empty: any.
    methods: Vec<String>,
    path: Segments,
    pub(crate) rule: Rule,
}

impl Route {
    /// Compiles the method list and path pattern.
    pub(crate) fn new(
        methods: &[String],
        path: &str,
        rule: Rule,
        at: &Field<'_>,
    ) -> Result<Self, PolicyError> {
        let mut upper = Vec::with_capacity(methods.len());
        for (i, method) in methods.iter().enumerate() {
            if method.is_empty()
                || !method
                    .bytes()
                    .all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'_')
            {
                return Err(at.key("methods").index(i).error(format!(
                    "`{}` is not an HTTP method; use e.g. \"GET\", \"POST\"",
                    abbreviate(method)
                )));
            }
            upper.push(method.to_ascii_uppercase());
        }
        let path = Segments::new(path, '/', false).map_err(|m| at.key("path").error(m))?;
        Ok(Self {
            methods: upper,
            path,
            rule,
        })
    }

    /// Whether the rule covers this request.
    pub(crate) fn covers(&self, method: &str, segments: &[Cow<'_, str>]) -> bool {
        (self.methods.is_empty() || self.methods.iter().any(|m| m.eq_ignore_ascii_case(method)))
            && self.path.is_match(segments)
    }
}

/// Describes a route's scope: `GET,POST /customer/{id}` or `* /health`.
pub(crate) fn scope(methods: &[String], path: &str) -> String {
    match methods.is_empty() {
        true => format!("* {path}"),
        false => format!("{} {path}", methods.join(",").to_ascii_uppercase()),
    }
}

/// Splits a request path (query and fragment ignored) into decoded segments.
///
/// **Paths that different layers could read differently are refused**, never guessed at:
/// a rule for `/admin/**` must not be bypassed by `/public/../admin`, `/admin;x`,
/// `/%61dmin` or `//admin`. So percent-escapes are decoded, and a path is refused when a
/// segment is `.` or `..`, decodes to something holding `/`, `\`, `;`, `%` (a double-encoded
/// path), a control character or invalid UTF-8, or is empty (other than one trailing `/`, which is dropped). A refused path
/// is denied with `POLICY_NO_MATCH`.
pub(crate) fn request_segments(path: &str) -> Result<Vec<Cow<'_, str>>, String> {
    let end = path.find(['?', '#']).unwrap_or(path.len());
    let path = &path[..end];
    let Some(body) = path.strip_prefix('/') else {
        return Err(format!(
            "request path `{}` does not start with `/`",
            abbreviate(path)
        ));
    };
    let body = body.strip_suffix('/').unwrap_or(body);
    let mut segments = Vec::new();
    if body.is_empty() {
        return Ok(segments);
    }
    for raw in body.split('/') {
        if segments.len() == MAX_PATH_SEGMENTS {
            return Err(format!(
                "request path has more than {MAX_PATH_SEGMENTS} segments"
            ));
        }
        let segment = match raw.contains('%') {
            true => Cow::Owned(percent_decode(raw).ok_or_else(|| {
                format!(
                    "request path segment `{}` has an invalid percent-escape",
                    abbreviate(raw)
                )
            })?),
            false => Cow::Borrowed(raw),
        };
        if segment.is_empty() {
            return Err(format!(
                "request path `{}` has an empty segment (`//`)",
                abbreviate(path)
            ));
        }
        if segment == "." || segment == ".." {
            return Err(format!(
                "request path `{}` has a `.` or `..` segment",
                abbreviate(path)
            ));
        }
        if segment
            .chars()
            .any(|c| matches!(c, '/' | '\\' | ';' | '%') || c.is_control())
        {
            return Err(format!(
                "request path segment `{}` holds `/`, `\\`, `;`, an encoded `%` or a control character",
                abbreviate(raw)
            ));
        }
        segments.push(segment);
    }
    Ok(segments)
}

fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hi = (hex[0] as char).to_digit(16)?;
            let lo = (hex[1] as char).to_digit(16)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn normal_paths_split() {
        let s = request_segments("/customer/42/?x=1").unwrap();
        assert_eq!(s, ["customer", "42"]);
        assert!(request_segments("/").unwrap().is_empty());
        assert_eq!(request_segments("/caf%C3%A9").unwrap(), ["café"]);
    }

    #[test]
    fn ambiguous_paths_refused() {
        for bad in [
            "/a/../admin",
            "/./admin",
            "//admin",
            "/admin;x",
            "/a%2fb",
            "/%2e%2e/x",
            "/a%5cb",
            "/%2561dmin",
            "/a%ZZ",
            "admin",
            "/%ff",
        ] {
            assert!(request_segments(bad).is_err(), "{bad}");
        }
    }
}
