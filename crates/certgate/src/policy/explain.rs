//! The explain trace: every step of one evaluation — the principal found, the grants and
//! routes tried, the checks made — as one serialisable record that the CLI's `--explain`,
//! the inspector page and debug logs print the same way.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::error::Code;

/// One evaluation, step by step.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Explanation {
    /// The request method, as given.
    pub method: String,
    /// The request path, as given.
    pub path: String,
    /// The certificate's subject (RFC 4514), when one was presented.
    pub subject: Option<String>,
    /// The principal, when one was extracted.
    pub principal: Option<String>,
    /// The principal's roles.
    pub roles: Vec<String>,
    /// What was tried, in order.
    pub steps: Vec<Step>,
    /// The outcome.
    pub outcome: Outcome,
}

/// One step of an evaluation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Step {
    /// What kind of step.
    pub stage: Stage,
    /// The rule, grant or table concerned: `routes[2] (customer)`, `grants[0]`, `principal`.
    pub rule: String,
    /// Whether it matched (or, for a check, passed).
    pub matched: bool,
    /// Why.
    pub detail: String,
}

/// Kinds of steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Stage {
    /// Request path normalisation.
    Path,
    /// The identity checked for the parts the policy reads.
    Identity,
    /// A route's method and path compared with the request.
    Route,
    /// The default rule taken because no route matched.
    Default,
    /// Principal extraction.
    Principal,
    /// Roles from the principal → roles table.
    Roles,
    /// A matcher → roles grant.
    Grant,
    /// A `require` matcher (the policy's or the rule's).
    Require,
    /// The rule's access and roles check.
    Access,
}

/// How an evaluation ended.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Outcome {
    /// Whether the request is allowed.
    pub allowed: bool,
    /// The denial code; `None` when allowed.
    pub code: Option<Code>,
    /// The HTTP status to answer: 200 when allowed, else the code's.
    pub status: u16,
    /// The rule that decided.
    pub rule: String,
    /// A one-line summary (the denial message when denied).
    pub message: String,
}

impl fmt::Display for Explanation {
    /// A plain-text trace, one step a line, for terminals and logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "request: {} {}", self.method, self.path)?;
        match &self.subject {
            Some(s) => writeln!(f, "certificate: {s}")?,
            None => writeln!(f, "certificate: none")?,
        }
        for step in &self.steps {
            let mark = if step.matched { "+" } else { "-" };
            writeln!(
                f,
                "  {mark} {:<9} {}: {}",
                stage_name(step.stage),
                step.rule,
                step.detail
            )?;
        }
        if let Some(p) = &self.principal {
            writeln!(f, "principal: {p}; roles: [{}]", self.roles.join(", "))?;
        }
        match self.outcome.code {
            None => write!(
                f,
                "ALLOW by {}: {}",
                self.outcome.rule, self.outcome.message
            ),
            Some(code) => write!(
                f,
                "DENY {} {code} by {}: {}",
                self.outcome.status, self.outcome.rule, self.outcome.message
            ),
        }
    }
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Path => "path",
        Stage::Identity => "identity",
        Stage::Route => "route",
        Stage::Default => "default",
        Stage::Principal => "principal",
        Stage::Roles => "roles",
        Stage::Grant => "grant",
        Stage::Require => "require",
        Stage::Access => "access",
    }
}
