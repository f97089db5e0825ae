//! Load-time policy errors: what is wrong, in which field, and — for TOML documents — on
//! which line. Policies fail here or never: evaluation has no error of its own but denials.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::error::{Code, Rejection};

/// Why a policy document was refused at load time (code `INVALID_POLICY`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct PolicyError {
    /// The field at fault as a path, e.g. `routes[2].require.subject_regex`; empty when the
    /// fault is the document as a whole (a TOML syntax error, a document too large).
    pub field: String,
    /// 1-based line in the TOML document, when the policy came from TOML text.
    pub line: Option<usize>,
    /// 1-based column (in characters) in the TOML document.
    pub column: Option<usize>,
    /// What is wrong and what to do.
    pub message: String,
    #[serde(skip)]
    path: Vec<Segment>,
}

impl PolicyError {
    /// The stable code: always [`Code::InvalidPolicy`].
    pub fn code(&self) -> Code {
        Code::InvalidPolicy
    }

    /// An error about the document as a whole, at a byte offset of the text when known.
    pub(crate) fn document(message: impl Into<String>, text: Option<(&str, usize)>) -> Self {
        let mut error = Self {
            field: String::new(),
            line: None,
            column: None,
            message: message.into(),
            path: Vec::new(),
        };
        if let Some((text, offset)) = text {
            error.set_position(text, offset);
        }
        error
    }

    /// Finds the line of [`PolicyError::field`] in the TOML text the policy was read from.
    pub(crate) fn locate_in_toml(&mut self, text: &str) {
        let Ok(root) = toml::de::DeTable::parse(text) else {
            return;
        };
        let mut span = root.span();
        let mut value: Option<&toml::de::DeValue<'_>> = None;
        let mut table = Some(root.get_ref());
        for segment in &self.path {
            let next = match (segment, table, value) {
                (Segment::Key(key), Some(t), _) => t
                    .iter()
                    .find(|(k, _)| k.get_ref().as_ref() == key.as_str())
                    .map(|(_, v)| v),
                (Segment::Index(i), None, Some(toml::de::DeValue::Array(items))) => items.get(*i),
                _ => None,
            };
            let Some(next) = next else { break };
            span = next.span();
            value = Some(next.get_ref());
            table = match next.get_ref() {
                toml::de::DeValue::Table(t) => Some(t),
                _ => None,
            };
        }
        self.set_position(text, span.start);
    }

    fn set_position(&mut self, text: &str, offset: usize) {
        let before = text.get(..offset.min(text.len())).unwrap_or(text);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        self.line = Some(before.matches('\n').count() + 1);
        self.column = Some(before[line_start..].chars().count() + 1);
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid policy")?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, " at line {line}, column {column}")?;
        }
        if !self.field.is_empty() {
            write!(f, " in `{}`", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for PolicyError {}

impl From<PolicyError> for Rejection {
    fn from(error: PolicyError) -> Self {
        Rejection::new(Code::InvalidPolicy, None, format!("{error}"))
    }
}

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// Where the compiler is in the document: a chain of segments on the stack, rendered only
/// when an error is raised.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field<'a> {
    parent: Option<&'a Field<'a>>,
    segment: Step<'a>,
}

#[derive(Clone, Copy, Debug)]
enum Step<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Field<'a> {
    /// The document root.
    pub(crate) const ROOT: Field<'static> = Field {
        parent: None,
        segment: Step::Root,
    };

    /// A key below this field.
    pub(crate) fn key(&'a self, key: &'a str) -> Field<'a> {
        Field {
            parent: Some(self),
            segment: Step::Key(key),
        }
    }

    /// An array element below this field.
    pub(crate) fn index(&'a self, index: usize) -> Field<'a> {
        Field {
            parent: Some(self),
            segment: Step::Index(index),
        }
    }

    /// An error at this field.
    pub(crate) fn error(&self, message: impl Into<String>) -> PolicyError {
        let mut path = Vec::new();
        let mut at = Some(self);
        while let Some(field) = at {
            match field.segment {
                Step::Root => {}
                Step::Key(k) => path.push(Segment::Key(k.to_owned())),
                Step::Index(i) => path.push(Segment::Index(i)),
            }
            at = field.parent;
        }
        path.reverse();
        let mut rendered = String::new();
        for segment in &path {
            match segment {
                Segment::Key(k) => {
                    if !rendered.is_empty() {
                        rendered.push('.');
                    }
                    rendered.push_str(k);
                }
                Segment::Index(i) => rendered.push_str(&format!("[{i}]")),
            }
        }
        PolicyError {
            field: rendered,
            line: None,
            column: None,
            message: message.into(),
            path,
        }
    }
}
