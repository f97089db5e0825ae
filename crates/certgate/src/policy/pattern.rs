//! The pattern languages a policy uses, each compiled once at load and matched in time
//! bounded by the pattern and the input:
//!
//! - [`Regex`]: regex-automata's meta engine restricted to its linear-time parts (PikeVM,
//!   bounded backtracker, one-pass DFA), so catastrophic-backtracking patterns from the ReDoS
//!   literature cost O(pattern × input) like any other.
//! - [`Glob`]: `*` (any run of characters) and `?` (one character), `\` escapes; matched with
//!   the two-pointer algorithm, O(pattern × input) at worst.
//! - [`Segments`]: a separator-split sequence of globs with at most one `**` (any number of
//!   segments), for URL paths, SPIFFE paths and DNS names; linear in the number of segments.
//! - [`IpNet`]: an address or a CIDR block.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::IpAddr;

use regex_automata::meta;
use regex_automata::util::syntax;
use regex_automata::Input;

use super::{MAX_PATTERN_BYTES, MAX_REGEX_BYTES};

/// A compiled regular expression.
#[derive(Clone, Debug)]
pub(crate) struct Regex {
    re: meta::Regex,
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
                 `\\w`, `\\d`, `\\s` (Unicode-aware)",
                abbreviate(source)
            ));
        }
        let config = syntax::Config::new().nest_limit(NEST_LIMIT);
        // **The source must parse on its own before it is wrapped**: otherwise `a)|(b` would
        // become `\A(?:a)|(b)\z`, a valid regex that is no longer anchored at both ends.
        if let Err(e) = syntax::parse_with(source, &config) {
            return Err(format!(
                "regex `{}` is invalid: {}",
                abbreviate(source),
                syntax_detail(&e)
            ));
        }
        let pattern = match whole {
            true => format!(r"\A(?:{source})\z"),
            false => source.to_owned(),
        };
        let re = meta::Builder::new()
            .syntax(config)
            .configure(
                meta::Config::new()
                    .nfa_size_limit(Some(MAX_REGEX_BYTES))
                    .onepass_size_limit(Some(MAX_REGEX_BYTES)),
            )
            .build(&pattern)
            .map_err(|e| {
                if e.size_limit().is_some() {
                    format!(
                        "regex `{}` compiles to more than {MAX_REGEX_BYTES} bytes; simplify it (bounded repetitions of Unicode classes such as `\\w{{100}}` grow fast)",
                        abbreviate(source)
                    )
                } else {
                    let detail = match e.syntax_error() {
                        Some(se) => syntax_detail(se),
                        None => format!("{e}"),
                    };
                    format!("regex `{}` is invalid: {detail}", abbreviate(source))
                }
            })?;
        Ok(Self { re })
    }

    /// Heap bytes the compiled regex holds.
    pub(crate) fn memory_usage(&self) -> usize {
        self.re.memory_usage()
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
        let mut slots = [None; 4];
        self.re.search_slots(&Input::new(haystack), &mut slots)?;
        let (start, end) = (slots[2]?, slots[3]?);
        haystack.get(start.get()..end.get())
    }
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

/// regex-syntax renders an error as the pattern with a caret under the fault, then one
/// `error: …` line; that line alone says what is wrong.
fn syntax_detail(error: &impl core::fmt::Display) -> String {
    let text = format!("{error}");
    match text.lines().find_map(|l| l.strip_prefix("error: ")) {
        Some(line) => String::from(line),
        None => text,
    }
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

/// regex-syntax's nesting limit: deeper groups are refused at parse time. 64 is far beyond
/// any DN pattern and keeps the parser's recursion shallow.
const NEST_LIMIT: u32 = 64;

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
        for re in [r"\p{Greek}", r"CN=\pL+", r"[\P{L}]", r"(?i)a|\p{Script=Latin}"] {
            let err = Regex::new(re, true).unwrap_err();
            assert!(err.contains("Unicode property class"), "{re}: {err}");
        }
        assert_eq!(unicode_property_class(r"a\\p"), None, "an escaped backslash before p");
        assert_eq!(unicode_property_class(r"a\\\p{L}"), Some(3));
        for re in [r"CN=\w+", r"\d{3}", r"\s", r"\bx\b", r"(?i)straße", r"a\\p", r"[[:alpha:]]"] {
            assert!(Regex::new(re, true).is_ok(), "{re}");
        }
        assert!(Regex::new(r"(?i)Σ", true).unwrap().is_match("σ"), "Unicode case folding");
        assert!(Regex::new(r"\w+", true).unwrap().is_match("Zoë"), "Unicode \\w");
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
