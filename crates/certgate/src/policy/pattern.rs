//! The pattern languages a policy uses, each compiled once at load and matched in time
//! bounded by the pattern and the input:
//!
//! - [`Regex`]: regex-lite's PikeVM, so catastrophic-backtracking patterns from the ReDoS
//!   literature cost O(pattern × input) like any other. ASCII semantics: `\w \d \s \b` are
//!   ASCII, `(?i)` folds ASCII letters only, other characters match literally code point by
//!   code point, `.` and negated classes match any code point. Its size is bounded by [`weight`],
//!   computed from the pattern text alone, so every build — 64-bit native, 32-bit wasm —
//!   admits and refuses the same patterns.
//! - [`Glob`]: `*` (any run of characters) and `?` (one character), `\` escapes; matched with
//!   the two-pointer algorithm, O(pattern × input) at worst.
//! - [`Segments`]: a separator-split sequence of globs with at most one `**` (any number of
//!   segments), for URL paths, SPIFFE paths and DNS names; linear in the number of segments.
//! - [`IpNet`]: an address or a CIDR block.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::net::IpAddr;

use super::{MAX_PATTERN_BYTES, MAX_REGEX_WEIGHT};

/// A compiled regular expression.
#[derive(Clone, Debug)]
pub(crate) struct Regex {
    re: regex_lite::Regex,
    weight: u64,
}

impl Regex {
    /// Compiles `source`. With `whole`, the pattern must match the entire input (it is
    /// wrapped in `\A(?:…)\z`); otherwise it is searched for, like Java's `Matcher.find`.
    pub(crate) fn new(source: &str, whole: bool) -> Result<Self, String> {
        check_size(source)?;
        if let Some(at) = unicode_property_class(source) {
            return Err(format!(
                "regex `{}` uses a Unicode property class (`\\p{{…}}` or `\\P{{…}}`) at byte {at}, which \
                 policies do not support; write the characters as a class such as `[A-Za-zÀ-ÿ]`, or use \
                 `\\w`, `\\d`, `\\s` (ASCII)",
                abbreviate(source)
            ));
        }
        let weight =
            weight(source).map_err(|why| format!("regex `{}` {why}", abbreviate(source)))?;
        if weight > MAX_REGEX_WEIGHT {
            return Err(format!(
                "regex `{}` is too large: it weighs {weight} units, the limit is {MAX_REGEX_WEIGHT} \
                 (a character weighs 1, `\\w` {W_WORD}, `\\d` {W_DIGIT}, a class its ranges; a \
                 counted repetition such as `{{16}}` multiplies what it repeats); simplify it",
                abbreviate(source)
            ));
        }
        let invalid = |e: regex_lite::Error| {
            if e.to_string().contains("size limit") {
                // Unreachable within MAX_REGEX_WEIGHT (the_heaviest_admitted_patterns_compile
                // compiles the heaviest admitted shapes under a quarter of the limit); said
                // plainly should that ever change.
                format!(
                    "regex `{}` compiles to more than {ENGINE_BYTES_LIMIT} bytes; simplify it",
                    abbreviate(source)
                )
            } else {
                format!("regex `{}` is invalid: {e}", abbreviate(source))
            }
        };
        // **The source must parse on its own before it is wrapped**: otherwise `a)|(b` would
        // become `\A(?:a)|(b)\z`, a valid regex that is no longer anchored at both ends.
        let re = build(source, ENGINE_BYTES_LIMIT).map_err(invalid)?;
        let re = match whole {
            true => build(&format!(r"\A(?:{source})\z"), ENGINE_BYTES_LIMIT).map_err(invalid)?,
            false => re,
        };
        Ok(Self { re, weight })
    }

    /// The pattern's [`weight`], charged against the policy's total.
    pub(crate) fn weight(&self) -> u64 {
        self.weight
    }

    /// Number of capture groups, the implicit whole-match group included.
    pub(crate) fn captures_len(&self) -> usize {
        self.re.captures_len()
    }

    /// Whether the regex matches `haystack` (the whole of it, if compiled with `whole`).
    pub(crate) fn is_match(&self, haystack: &str) -> bool {
        self.re.is_match(haystack)
    }

    /// Capture group 1 of the left-most match.
    pub(crate) fn group1<'h>(&self, haystack: &'h str) -> Option<&'h str> {
        let mut locations = self.re.capture_locations();
        self.re.captures_read(&mut locations, haystack)?;
        let (start, end) = locations.get(1)?;
        haystack.get(start..end)
    }
}

/// Compiles `pattern` with regex-lite under `size_limit` bytes of NFA.
fn build(pattern: &str, size_limit: usize) -> Result<regex_lite::Regex, regex_lite::Error> {
    regex_lite::RegexBuilder::new(pattern)
        .nest_limit(ENGINE_NEST_LIMIT)
        .size_limit(size_limit)
        .build()
}

/// A glob: `*` any run of characters, `?` one character, `\x` a literal `x`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Glob {
    tokens: Vec<Token>,
    fold_case: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Byte(u8),
    One,
    Star,
}

impl Glob {
    /// Compiles a glob; with `fold_case`, ASCII letters match either case.
    pub(crate) fn new(source: &str, fold_case: bool) -> Result<Self, String> {
        check_size(source)?;
        let mut tokens = Vec::with_capacity(source.len());
        let mut bytes = source.bytes();
        while let Some(b) = bytes.next() {
            let token = match b {
                b'*' if tokens.last() == Some(&Token::Star) => continue,
                b'*' => Token::Star,
                b'?' => Token::One,
                b'\\' => match bytes.next() {
                    Some(escaped) if fold_case => Token::Byte(escaped.to_ascii_lowercase()),
                    Some(escaped) => Token::Byte(escaped),
                    None => {
                        return Err(format!(
                            "glob `{}` ends with a lone `\\`",
                            abbreviate(source)
                        ))
                    }
                },
                b if fold_case => Token::Byte(b.to_ascii_lowercase()),
                b => Token::Byte(b),
            };
            tokens.push(token);
        }
        Ok(Self { tokens, fold_case })
    }

    /// Whether the glob matches all of `text`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        let text = text.as_bytes();
        let (mut p, mut t) = (0usize, 0usize);
        // The last `*` seen and the text position it is currently stretched to.
        let mut resume: Option<(usize, usize)> = None;
        while t < text.len() {
            match self.tokens.get(p) {
                Some(Token::Star) => {
                    resume = Some((p, t));
                    p += 1;
                    continue;
                }
                Some(Token::One) => {
                    p += 1;
                    t += utf8_len(text[t]);
                    continue;
                }
                Some(Token::Byte(b)) if self.byte_eq(*b, text[t]) => {
                    p += 1;
                    t += 1;
                    continue;
                }
                _ => {}
            }
            match resume {
                // Stretch the last star over one more character and retry after it.
                Some((star, from)) => {
                    let next = from + utf8_len(text[from]);
                    resume = Some((star, next));
                    p = star + 1;
                    t = next;
                }
                None => return false,
            }
        }
        self.tokens[p.min(self.tokens.len())..]
            .iter()
            .all(|t| *t == Token::Star)
    }

    fn byte_eq(&self, pattern: u8, text: u8) -> bool {
        match self.fold_case {
            true => pattern == text.to_ascii_lowercase(),
            false => pattern == text,
        }
    }
}

/// A separator-split pattern: one glob per segment and at most one `**` that stands for any
/// number of whole segments (zero included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Segments {
    head: Vec<Glob>,
    /// Segments after the `**`, when there is one.
    tail: Option<Vec<Glob>>,
}

impl Segments {
    /// Compiles `source` split at `sep`. For URL paths (`sep` = `/`) the source must start with
    /// `/`, and a `{name}` segment is a one-segment wildcard.
    pub(crate) fn new(source: &str, sep: char, fold_case: bool) -> Result<Self, String> {
        check_size(source)?;
        let body = match sep {
            '/' => match source.strip_prefix('/') {
                Some(rest) => rest,
                None => {
                    return Err(format!(
                        "path pattern `{}` must start with `/`",
                        abbreviate(source)
                    ))
                }
            },
            _ => source,
        };
        let mut head = Vec::new();
        let mut tail: Option<Vec<Glob>> = None;
        if !body.is_empty() {
            for part in body.split(sep) {
                let glob = match part {
                    "**" => {
                        if tail.is_some() {
                            return Err(format!(
                                "pattern `{}` has more than one `**`",
                                abbreviate(source)
                            ));
                        }
                        tail = Some(Vec::new());
                        continue;
                    }
                    "" => {
                        return Err(format!(
                            "pattern `{}` has an empty segment",
                            abbreviate(source)
                        ))
                    }
                    p if p.starts_with('{') && p.ends_with('}') && p.len() > 2 => {
                        Glob::new("*", fold_case)?
                    }
                    p if p.contains(['{', '}']) => {
                        return Err(format!(
                        "segment `{p}` of `{}`: a `{{name}}` placeholder must be a whole segment",
                        abbreviate(source)
                    ))
                    }
                    p if p.contains("**") => {
                        return Err(format!(
                            "segment `{p}` of `{}`: `**` must be a whole segment",
                            abbreviate(source)
                        ))
                    }
                    p => Glob::new(p, fold_case)?,
                };
                match &mut tail {
                    Some(t) => t.push(glob),
                    None => head.push(glob),
                }
            }
        }
        Ok(Self { head, tail })
    }

    /// Whether the pattern matches these segments.
    pub(crate) fn is_match<S: AsRef<str>>(&self, segments: &[S]) -> bool {
        let head_ok = |n: usize| {
            self.head
                .iter()
                .zip(&segments[..n])
                .all(|(g, s)| g.is_match(s.as_ref()))
        };
        match &self.tail {
            None => segments.len() == self.head.len() && head_ok(segments.len()),
            Some(tail) => {
                let fixed = self.head.len() + tail.len();
                segments.len() >= fixed
                    && head_ok(self.head.len())
                    && tail
                        .iter()
                        .zip(&segments[segments.len() - tail.len()..])
                        .all(|(g, s)| g.is_match(s.as_ref()))
            }
        }
    }

    /// Matches `text` split at `sep`.
    pub(crate) fn is_match_split(&self, text: &str, sep: char) -> bool {
        let parts: Vec<&str> = text.split(sep).collect();
        self.is_match(&parts)
    }
}

/// An IP address or CIDR block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `10.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`.
    pub(crate) fn new(source: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "`{}` is neither an IP address nor a CIDR block",
                abbreviate(source)
            )
        };
        let (addr, prefix) = match source.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (source, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().map_err(|_| bad())?
            }
            Some(_) => return Err(bad()),
            None => max,
        };
        if prefix > max {
            return Err(format!(
                "prefix /{prefix} is longer than the {max} bits of `{addr}`"
            ));
        }
        if bits(addr) & !mask(prefix, max) != 0 {
            return Err(format!(
                "`{source}` has host bits set; write the network address"
            ));
        }
        Ok(Self { addr, prefix })
    }

    /// Whether `ip` is in the block (an IPv4 address never matches an IPv6 block).
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        if self.addr.is_ipv4() != ip.is_ipv4() {
            return false;
        }
        let max = if ip.is_ipv4() { 32 } else { 128 };
        bits(ip) & mask(self.prefix, max) == bits(self.addr)
    }
}

fn bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn mask(prefix: u8, max: u8) -> u128 {
    let all = if max == 32 {
        u128::from(u32::MAX)
    } else {
        u128::MAX
    };
    match prefix {
        0 => 0,
        p => all & !(all >> p),
    }
}

/// Parses a SHA-256 fingerprint: 64 hex digits, `:` or spaces between them allowed.
pub(crate) fn fingerprint(source: &str) -> Result<[u8; 32], String> {
    let digits: Vec<u8> = source
        .bytes()
        .filter(|b| !matches!(b, b':' | b' '))
        .collect();
    let value = |d: u8| (d as char).to_digit(16);
    if digits.len() != 64 || !digits.iter().all(|d| value(*d).is_some()) {
        return Err(format!(
            "`{}` is not a SHA-256 fingerprint (64 hex digits, colons allowed)",
            abbreviate(source)
        ));
    }
    let mut out = [0u8; 32];
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        let hi = value(pair[0]).unwrap_or(0);
        let lo = value(pair[1]).unwrap_or(0);
        out[i] = (hi * 16 + lo) as u8;
    }
    Ok(out)
}

/// The first 40 characters of a pattern, for messages about patterns that may be huge.
pub(crate) fn abbreviate(source: &str) -> String {
    match source.char_indices().nth(40) {
        Some((cut, _)) => format!("{}… ({} bytes)", &source[..cut], source.len()),
        None => source.to_owned(),
    }
}

/// The byte offset of the first `\p` or `\P` escape in a regex, if any.
///
/// **Unicode property classes are refused by the policy itself, in every build**: the
/// workspace leaves regex-syntax's property tables out (they were most of the wasm module's
/// data), but a build whose dependency graph switches them back on (a test build, through
/// proptest) would otherwise accept `\p{Greek}` that the server and the npm package refuse.
/// A backslash escapes the next character everywhere in the syntax, classes included, so a
/// `\p` not preceded by an escaping backslash is always a property class (or, in `(?x)` mode,
/// text in a comment, refused as well).
fn unicode_property_class(source: &str) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        if matches!(bytes[i + 1], b'p' | b'P') {
            return Some(i);
        }
        i += 2;
    }
    None
}

fn check_size(source: &str) -> Result<(), String> {
    if source.len() > MAX_PATTERN_BYTES {
        return Err(format!(
            "pattern `{}` is longer than the {MAX_PATTERN_BYTES}-byte limit",
            abbreviate(source)
        ));
    }
    Ok(())
}

/// Length of the UTF-8 sequence a leading byte starts (1 for stray continuation bytes).
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

/// Deepest nesting of groups and bracketed classes [`weight`] admits. 64 is far beyond any DN
/// pattern and keeps every parser's and compiler's recursion shallow.
pub(crate) const NEST_LIMIT: usize = 64;

/// regex-lite's own nesting limit (its default is 50), never the deciding one: it counts
/// group levels only, so a pattern within [`NEST_LIMIT`], wrapped in `\A(?:…)\z`, stays at
/// 65 or less.
const ENGINE_NEST_LIMIT: u32 = 256;

/// regex-lite's NFA byte limit, never the deciding one. It counts heap bytes, which differ
/// between 32-bit and 64-bit builds, so it is set far above what any pattern within
/// [`MAX_REGEX_WEIGHT`] compiles to: 1 KiB per unit of weight, 16 MiB, where the heaviest
/// admitted shapes compile under a quarter of it (the_heaviest_admitted_patterns_compile).
const ENGINE_BYTES_LIMIT: usize = MAX_REGEX_WEIGHT as usize * 1024;

// The weights were set for a Unicode engine (regex-automata, whose Unicode `\w` took ~770
// ranges and ~17 KiB of NFA on 64-bit) and kept when the policy moved to regex-lite's ASCII
// classes, so that the patterns a policy admits did not change with the engine; for
// regex-lite they over-count.

/// Weight of a `\w` or `\W`.
const W_WORD: u64 = 512;
/// Weight of a `\d` or `\D`.
const W_DIGIT: u64 = 64;
/// Weight of a `\s` or `\S`, of `.`, and the extra weight of a negated class.
const W_ANY: u64 = 16;
/// Weight of a POSIX class such as `[:alpha:]` (ASCII, at most a few ranges).
const W_POSIX: u64 = 8;
/// Weight of an escape written as a code point (`\x41`, `\x{1F600}`, `\u00e9`): its UTF-8
/// bytes, at most 4.
const W_CODEPOINT: u64 = 4;

/// An upper bound on the size a regex compiles to, computed from its text alone so that it
/// is the same on every platform: **this, not the engine's heap count, decides whether a
/// policy regex is admitted** (`MAX_REGEX_WEIGHT`).
///
/// A literal character weighs its UTF-8 length; `.` and `\s` [`W_ANY`], `\d` [`W_DIGIT`],
/// `\w` [`W_WORD`]; a bracketed class 1 plus its members, where a range weighs the number of
/// code points it spans (capped at [`W_WORD`]: case folding can split a range into as many
/// pieces as it has code points), a nested perl class its own weight, and a negated class
/// [`W_ANY`] more. An alternation weighs its branches plus one per branch, a group its
/// contents plus one. `e*`, `e+`, `e?` add one to `e`; `e{n}`, `e{m,n}` (n copies) and `e{n,}`
/// (n + 1 copies) multiply it. Arithmetic saturates. The weight over-counts on purpose: flags
/// are not tracked (every literal weighs as if case-insensitive would not double it, the
/// margin in [`ENGINE_BYTES_LIMIT`] covers that), and in `(?x)` mode whitespace and comments
/// count as literals.
///
/// Errors when groups and classes nest more than [`NEST_LIMIT`] deep.
pub(crate) fn weight(source: &str) -> Result<u64, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut stack: Vec<Frame> = alloc::vec![Frame::default()];
    let mut i = 0;
    while i < chars.len() {
        let depth = stack.len();
        if chars[i] == ')' && depth > 1 {
            i += 1;
            let inner = stack.pop().map_or(0, |f| f.total());
            if let Some(parent) = stack.last_mut() {
                parent.atom(inner.saturating_add(1));
            }
            continue;
        }
        if chars[i] == '(' && depth > NEST_LIMIT {
            return Err(format!(
                "nests groups and classes more than {NEST_LIMIT} deep"
            ));
        }
        let Some(frame) = stack.last_mut() else {
            break;
        };
        match chars[i] {
            '\\' => {
                let (w, next) = escape(&chars, i);
                frame.atom(w);
                i = next;
            }
            '[' => {
                let (w, next) = class(&chars, i, depth)?;
                frame.atom(w);
                i = next;
            }
            '.' => {
                frame.atom(W_ANY);
                i += 1;
            }
            '(' => {
                i += 1;
                if chars.get(i) == Some(&'?') {
                    // Flags `(?i)`, `(?i:`, `(?:`, names `(?P<n>`, `(?<n>`: skip the header.
                    while i < chars.len() && !matches!(chars[i], ':' | ')' | '>') {
                        i += 1;
                    }
                    if chars.get(i) == Some(&')') {
                        i += 1; // `(?i)` sets flags; it is not a group.
                        continue;
                    }
                    i += 1;
                }
                stack.push(Frame::default());
            }
            ')' => {
                frame.atom(1); // unbalanced (a closing group is handled above); refused by the engine
                i += 1;
            }
            '|' => {
                frame.done = frame.done.saturating_add(frame.branch).saturating_add(1);
                frame.branch = 0;
                frame.last = 0;
                i += 1;
            }
            '*' | '+' | '?' => {
                frame.branch = frame.branch.saturating_add(1);
                i += 1;
            }
            '{' => match counted(&chars, i) {
                Some((copies, next)) => {
                    let grown = frame.last.saturating_mul(copies);
                    frame.branch = frame
                        .branch
                        .saturating_sub(frame.last)
                        .saturating_add(grown)
                        .saturating_add(1);
                    frame.last = grown;
                    i = next;
                }
                None => {
                    frame.atom(1);
                    i += 1;
                }
            },
            c => {
                frame.atom(c.len_utf8() as u64);
                i += 1;
            }
        }
    }
    // Unclosed groups (the engine refuses them) fold into their parents.
    let mut total = 0u64;
    while let Some(frame) = stack.pop() {
        total = frame.total().saturating_add(total);
    }
    Ok(total)
}

/// One group level of [`weight`]: finished branches, the current branch, and the last atom
/// of the current branch (what a repetition applies to).
#[derive(Default)]
struct Frame {
    done: u64,
    branch: u64,
    last: u64,
}

impl Frame {
    fn atom(&mut self, w: u64) {
        self.branch = self.branch.saturating_add(w);
        self.last = w;
    }

    fn total(&self) -> u64 {
        self.done.saturating_add(self.branch)
    }
}

/// The weight of the escape at `chars[at]` (a backslash) and the index after it.
fn escape(chars: &[char], at: usize) -> (u64, usize) {
    let Some(&c) = chars.get(at + 1) else {
        return (1, at + 1);
    };
    let next = at + 2;
    match c {
        'w' | 'W' => (W_WORD, next),
        'd' | 'D' => (W_DIGIT, next),
        's' | 'S' => (W_ANY, next),
        'p' | 'P' => (W_WORD, skip_braced_or(chars, next, 1)),
        'x' => (W_CODEPOINT, skip_braced_or(chars, next, 2)),
        'u' => (W_CODEPOINT, skip_braced_or(chars, next, 4)),
        'U' => (W_CODEPOINT, skip_braced_or(chars, next, 8)),
        c => (c.len_utf8() as u64, next),
    }
}

/// The index after `{…}` at `at`, or after `n` characters when there is no brace.
fn skip_braced_or(chars: &[char], at: usize, n: usize) -> usize {
    match chars.get(at) {
        Some('{') => match chars[at..].iter().position(|&c| c == '}') {
            Some(end) => at + end + 1,
            None => chars.len(),
        },
        _ => (at + n).min(chars.len()),
    }
}

/// The weight of the bracketed class opening at `chars[at]` and the index after it; `depth`
/// is the nesting of groups and classes around it.
fn class(chars: &[char], at: usize, depth: usize) -> Result<(u64, usize), String> {
    if depth > NEST_LIMIT {
        return Err(format!(
            "nests groups and classes more than {NEST_LIMIT} deep"
        ));
    }
    let mut i = at + 1;
    let mut w: u64 = 1;
    if chars.get(i) == Some(&'^') {
        w += W_ANY;
        i += 1;
    }
    if chars.get(i) == Some(&']') {
        w += 1; // a leading `]` is a member
        i += 1;
    }
    // The previous member, when it is a single character that could start a range.
    let mut prev: Option<char> = None;
    while let Some(&c) = chars.get(i) {
        match c {
            ']' => return Ok((w, i + 1)),
            '[' if chars.get(i + 1) == Some(&':') => {
                let end = chars[i..]
                    .windows(2)
                    .position(|p| p == [':', ']'])
                    .map_or(chars.len(), |p| i + p + 2);
                w = w.saturating_add(W_POSIX);
                prev = None;
                i = end;
            }
            '[' => {
                let (inner, next) = class(chars, i, depth + 1)?;
                w = w.saturating_add(inner);
                prev = None;
                i = next;
            }
            '-' if prev.is_some() && !matches!(chars.get(i + 1), None | Some(']')) => {
                let (hi, next) = member(chars, i + 1);
                let lo = prev.unwrap_or('\0');
                let span = match hi {
                    Some(hi) if hi >= lo => u64::from(hi) - u64::from(lo) + 1,
                    _ => 1,
                };
                w = w.saturating_add(span.min(W_WORD));
                prev = None;
                i = next;
            }
            '\\' if matches!(
                chars.get(i + 1),
                Some('w' | 'W' | 'd' | 'D' | 's' | 'S' | 'p' | 'P')
            ) =>
            {
                let (e, next) = escape(chars, i);
                w = w.saturating_add(e);
                prev = None;
                i = next;
            }
            _ => {
                let (m, next) = member(chars, i);
                w = w.saturating_add(m.map_or(W_CODEPOINT, |m| m.len_utf8() as u64));
                prev = m;
                i = next;
            }
        }
    }
    Ok((w, chars.len()))
}

/// The single character a class member at `at` stands for (`None` for escapes that are not
/// plain characters) and the index after it.
fn member(chars: &[char], at: usize) -> (Option<char>, usize) {
    match chars.get(at) {
        None => (None, at),
        Some('\\') => match chars.get(at + 1) {
            Some('x' | 'u' | 'U') => {
                let kind = chars[at + 1];
                let n = match kind {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let next = skip_braced_or(chars, at + 2, n);
                let digits: String = chars[at + 2..next]
                    .iter()
                    .filter(|c| c.is_ascii_hexdigit())
                    .collect();
                let value = u32::from_str_radix(&digits, 16)
                    .ok()
                    .and_then(char::from_u32);
                (value, next)
            }
            Some(&c) => (Some(c), at + 2),
            None => (None, at + 1),
        },
        Some(&c) => (Some(c), at + 1),
    }
}

/// A counted repetition `{n}`, `{n,}` or `{m,n}` at `chars[at]`: the number of copies the
/// engine compiles (`n`, `n + 1`, `max(m, n)`) and the index after it.
fn counted(chars: &[char], at: usize) -> Option<(u64, usize)> {
    let close = at + chars[at..].iter().position(|&c| c == '}')?;
    let body: String = chars[at + 1..close]
        .iter()
        .filter(|c| !c.is_whitespace())
        .collect();
    let number = |s: &str| -> Option<u64> {
        match !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            true => Some(s.parse::<u64>().unwrap_or(u64::MAX)),
            false => None,
        }
    };
    let copies = match body.split_once(',') {
        None => number(&body)?,
        Some((m, "")) => number(m)?.saturating_add(1),
        Some((m, n)) => number(m)?.max(number(n)?),
    };
    Some((copies.max(1), close + 1))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn glob_stars_and_ones() {
        let g = Glob::new("a*b?c", false).unwrap();
        assert!(g.is_match("axxbyc"));
        assert!(g.is_match("abyc"));
        assert!(!g.is_match("abc"));
        assert!(Glob::new("*", false).unwrap().is_match(""));
        assert!(Glob::new("*.example.com", true)
            .unwrap()
            .is_match("API.Example.COM"));
        assert!(Glob::new("caf?", false).unwrap().is_match("café"));
        assert!(!Glob::new("x\\*", false).unwrap().is_match("xy"));
        assert!(Glob::new("x\\*", false).unwrap().is_match("x*"));
    }

    #[test]
    fn segments_with_double_star() {
        let p = Segments::new("/api/**/edit", '/', false).unwrap();
        assert!(p.is_match(&["api", "edit"]));
        assert!(p.is_match(&["api", "a", "b", "edit"]));
        assert!(!p.is_match(&["api", "a"]));
        let d = Segments::new("*.example.com", '.', true).unwrap();
        assert!(d.is_match_split("www.example.com", '.'));
        assert!(!d.is_match_split("a.b.example.com", '.'));
        assert!(Segments::new("/a/**/**", '/', false).is_err());
    }

    #[test]
    fn unicode_property_classes_are_refused() {
        for re in [
            r"\p{Greek}",
            r"CN=\pL+",
            r"[\P{L}]",
            r"(?i)a|\p{Script=Latin}",
        ] {
            let err = Regex::new(re, true).unwrap_err();
            assert!(err.contains("Unicode property class"), "{re}: {err}");
        }
        assert_eq!(
            unicode_property_class(r"a\\p"),
            None,
            "an escaped backslash before p"
        );
        assert_eq!(unicode_property_class(r"a\\\p{L}"), Some(3));
        for re in [
            r"CN=\w+",
            r"\d{3}",
            r"\s",
            r"\bx\b",
            r"(?i)straße",
            r"a\\p",
            r"[[:alpha:]]",
        ] {
            assert!(Regex::new(re, true).is_ok(), "{re}");
        }
    }

    /// ASCII semantics: `\w \d \s \b` are ASCII, `(?i)` folds ASCII letters only, other
    /// characters match literally, `.` and negated classes match any code point.
    #[test]
    fn regexes_have_ascii_semantics() {
        let re = |p: &str| Regex::new(p, true).unwrap();
        let search = |p: &str| Regex::new(p, false).unwrap();
        assert!(!re("(?i)Σ").is_match("σ"), "no Unicode case folding");
        assert!(re("(?i)Σ").is_match("Σ"));
        assert!(
            re("(?i)cn=ALICE").is_match("CN=alice"),
            "ASCII case folding"
        );
        assert!(!re(r"\w+").is_match("Zoë"), "\\w is ASCII");
        assert_eq!(search(r"(\w+)").group1("Zoë"), Some("Zo"));
        assert!(
            !re(r"\d").is_match("٣"),
            "\\d is ASCII (ARABIC-INDIC DIGIT THREE)"
        );
        assert!(
            !re(r"\s").is_match("\u{a0}"),
            "\\s is ASCII (NO-BREAK SPACE)"
        );
        assert!(
            re(r"CN=Zo\b.*").is_match("CN=Zoë"),
            "ë is no word character to \\b"
        );
        assert!(
            re(".").is_match("ë") && re("[^a]").is_match("😀"),
            "one code point"
        );
        assert!(re("Zoë").is_match("Zoë") && !re("Zoë").is_match("ZOË"));
        assert!(re("(?i)zoë").is_match("ZOë") && !re("(?i)zoë").is_match("ZOË"));
    }

    /// What regex-lite does not support is refused at load, with its reason.
    #[test]
    fn unsupported_constructs_are_refused() {
        for (re, why) in [
            ("[a-z&&[^x]]", "intersection"),
            ("[a-z--x]", "difference"),
            ("[a[b]]", "nested"),
            ("(?=a)b", "look-around"),
            (r"(a)\1", "backreferences"),
            ("(?<!a)b", "look-around"),
        ] {
            let err = Regex::new(re, true).unwrap_err();
            assert!(
                err.contains("is invalid") && err.contains(why),
                "{re}: {err}"
            );
        }
    }

    /// **`(?i)` does not admit Unicode look-alikes**: under Unicode simple case folding
    /// KELVIN SIGN (U+212A) folds to `k` and LONG S (U+017F) to `s`, so `(?i)^CN=kevin` would
    /// admit a certificate for `CN=\u{212A}evin`, a different name that renders alike.
    #[test]
    fn case_insensitive_regexes_refuse_kelvin_sign_and_long_s() {
        let kevin = Regex::new("(?i)CN=kevin", true).unwrap();
        assert!(kevin.is_match("CN=KEVIN") && kevin.is_match("cn=Kevin"));
        assert!(!kevin.is_match("CN=\u{212A}evin"), "KELVIN SIGN");
        let ross = Regex::new("(?i)CN=ross", true).unwrap();
        assert!(ross.is_match("CN=ROSS"));
        assert!(!ross.is_match("CN=ro\u{17F}\u{17F}"), "LONG S");
        let class = Regex::new("(?i)CN=[a-z]+", true).unwrap();
        assert!(!class.is_match("CN=\u{212A}") && !class.is_match("CN=\u{17F}"));
    }

    #[test]
    fn weights_are_computed_from_the_text() {
        let w = |re: &str| weight(re).unwrap();
        assert_eq!(w("a"), 1);
        assert_eq!(w("é"), 2, "a literal weighs its UTF-8 bytes");
        assert_eq!(w(r"\w"), W_WORD);
        assert_eq!(w(r"\w{16}"), 16 * W_WORD + 1);
        assert_eq!(w(r"\w{2,16}"), 16 * W_WORD + 1, "{{m,n}} compiles n copies");
        assert_eq!(
            w(r"\w{16,}"),
            17 * W_WORD + 1,
            "{{n,}} compiles n + 1 copies"
        );
        assert_eq!(w("a+"), 2);
        assert_eq!(w("(a|b)"), 4, "two branches, one separator, one group");
        assert_eq!(w("(?i)a"), 1, "flags are not a group");
        assert_eq!(w("(?P<n>a)"), 2, "a group's name is not counted");
        assert_eq!(w("(a{10}){10}"), 121, "nested counted repetitions multiply");
        assert_eq!(
            w("[a-z]"),
            28,
            "a class weighs 1, its members and its ranges' spans"
        );
        assert_eq!(w("[^a]"), 2 + W_ANY);
        assert_eq!(
            w(r"[\x{0}-\x{10FFFF}]"),
            1 + 1 + W_WORD,
            "spans cap at W_WORD"
        );
        assert_eq!(
            w(r"\x{41}{3}"),
            3 * W_CODEPOINT + 1,
            "braces of an escape are no repetition"
        );
        assert_eq!(w("a{,3}"), 5, "not a repetition: four literals after `a`");
        let huge = w("(?:(?:(?:a{1000}){1000}){1000}){1000}");
        assert!(huge > MAX_REGEX_WEIGHT, "{huge}");
        assert_eq!(w("a{99999999999999999999999}"), u64::MAX, "saturates");
        let deep = |n: usize| format!("{}a{}", "(".repeat(n), ")".repeat(n));
        assert!(weight(&deep(NEST_LIMIT)).is_ok());
        assert!(weight(&deep(NEST_LIMIT + 1))
            .unwrap_err()
            .contains("more than 64 deep"));
        let classes = format!(
            "{}a{}",
            "[".repeat(NEST_LIMIT + 2),
            "]".repeat(NEST_LIMIT + 2)
        );
        assert!(weight(&classes).is_err());
    }

    /// **The weight decides, never the engine's byte count**: for each heavy shape, the
    /// largest admitted repetition compiles on this (64-bit) build with room to spare, and one
    /// more copy is refused by the weight, not by the engine.
    #[test]
    fn the_heaviest_admitted_patterns_compile() {
        let shapes: &[(&str, &str, &str)] = &[
            (r"\w", "", ""),
            (r"\W", "", ""),
            (r"(?i)\w", "", ""),
            (r"\d", "", ""),
            (r"\s", "", ""),
            (".", "", ""),
            ("[^a]", "", ""),
            ("(?i)[a-zA-Z]", "", ""),
            ("(?i)[Ā-ſ]", "", ""),
            ("(?i)[α-ωА-я]", "", ""),
            (r"[\x{80}-\x{10FFFF}]", "", ""),
            ("(?i)k", "", ""),
            ("(?i)ǅ", "", ""),
            (r"(?:\w|\d|\s)", "CN=", ",O=Example"),
            (r"(a|\w{2})", "(?i)", ""),
            (r"(?:(?:\w{2}){2})", "", ""),
        ];
        for (unit, prefix, suffix) in shapes {
            let pattern = |n: u64| format!("{prefix}{unit}{{{n}}}{suffix}");
            let (mut lo, mut hi) = (1u64, MAX_REGEX_WEIGHT + 1);
            assert!(weight(&pattern(hi)).unwrap() > MAX_REGEX_WEIGHT);
            while hi - lo > 1 {
                let mid = (lo + hi) / 2;
                match weight(&pattern(mid)).unwrap() <= MAX_REGEX_WEIGHT {
                    true => lo = mid,
                    false => hi = mid,
                }
            }
            let heaviest = pattern(lo);
            assert!(Regex::new(&heaviest, true).is_ok(), "{heaviest}");
            // The margin the engine's limit is set with: it compiles under a quarter of it.
            let wrapped = format!(r"\A(?:{heaviest})\z");
            if let Err(e) = build(&wrapped, ENGINE_BYTES_LIMIT / 4) {
                panic!("{heaviest}: {e}");
            }
            let err = Regex::new(&pattern(lo + 1), true).unwrap_err();
            assert!(err.contains("is too large"), "{}: {err}", pattern(lo + 1));
        }
        let literals = "k".repeat(MAX_PATTERN_BYTES - 4);
        assert!(Regex::new(&format!("(?i){literals}"), true).is_ok());
    }

    #[test]
    fn ip_blocks() {
        let n = IpNet::new("10.0.0.0/8").unwrap();
        assert!(n.contains("10.2.3.4".parse().unwrap()));
        assert!(!n.contains("11.0.0.1".parse().unwrap()));
        assert!(IpNet::new("10.0.0.1/8").is_err());
        assert!(IpNet::new("::/0")
            .unwrap()
            .contains("2001:db8::1".parse().unwrap()));
        assert!(!IpNet::new("::/0")
            .unwrap()
            .contains("1.2.3.4".parse().unwrap()));
    }
}
