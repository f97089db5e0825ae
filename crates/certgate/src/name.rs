//! Distinguished names: the RFC 4514 string that subject regexes run over, and the attribute
//! list that structured matchers use. One rendering, identical on every surface.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;

use der::asn1::Any;
use der::{Tag, Tagged};
use x509_cert::name::Name;

/// One attribute of a distinguished name, e.g. `CN=alice`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NameAttribute {
    /// Short name (`CN`, `O`, `OU`, `C`, `emailAddress`, `DC`, `UID`, …) or the dotted OID.
    pub name: String,
    /// The attribute type's dotted OID.
    pub oid: String,
    /// The value as text (`#` + hex of the DER for values that are not strings).
    pub value: String,
}

/// A decoded distinguished name.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DistinguishedName {
    /// The RFC 4514 string: most specific RDN first, e.g. `CN=alice,OU=eng,O=Example,C=GB`.
    pub rfc4514: String,
    /// Attributes in certificate (DER) order: most general first, e.g. `C`, `O`, `OU`, `CN`.
    pub attributes: Vec<NameAttribute>,
}

impl DistinguishedName {
    /// Decodes a name as it appears in a certificate.
    pub fn from_name(name: &Name) -> Self {
        // Each attribute is decoded once (its OID rendered once, its value once); the RFC 4514
        // string is then assembled from the decoded list, most specific RDN first.
        let mut attributes = Vec::new();
        let mut rdns: Vec<(usize, usize)> = Vec::new(); // (first attribute, count) per RDN
        let mut text = Vec::new(); // whether each value is text (escaped) or `#hex` (verbatim)
        for rdn in name.iter_rdn() {
            let first = attributes.len();
            for atv in rdn.iter() {
                let oid = atv.oid.to_string();
                let decoded = value_text(&atv.value);
                text.push(decoded.is_some());
                let value = decoded.unwrap_or_else(|| {
                    let mut s = String::new();
                    hex_der_into(&mut s, &atv.value);
                    s
                });
                attributes.push(NameAttribute {
                    name: short_name(&oid).map_or_else(|| oid.clone(), String::from),
                    oid,
                    value,
                });
            }
            rdns.push((first, attributes.len() - first));
        }
        let mut rfc4514 = String::new();
        for (i, (first, count)) in rdns.iter().rev().enumerate() {
            if i > 0 {
                rfc4514.push(',');
            }
            for j in *first..first + count {
                if j > *first {
                    rfc4514.push('+');
                }
                let a = &attributes[j];
                rfc4514.push_str(&a.name);
                rfc4514.push('=');
                match text[j] {
                    true => escape_into(&mut rfc4514, &a.value),
                    false => rfc4514.push_str(&a.value),
                }
            }
        }
        Self { rfc4514, attributes }
    }

    /// Values of the attribute with this short name or dotted OID, most specific first
    /// (the left-most in the RFC 4514 string comes first).
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.attributes
            .iter()
            .rev()
            .filter(move |a| a.name.eq_ignore_ascii_case(name) || a.oid == name)
            .map(|a| a.value.as_str())
    }

    /// The left-most common name, the usual "who is this" of a client certificate.
    pub fn common_name(&self) -> Option<&str> {
        self.values("CN").next()
    }
}

/// Attribute types with a short name, as RFC 4514 and OpenSSL write them: (dotted OID, name).
pub(crate) const ATTRIBUTE_NAMES: &[(&str, &str)] = &[
    ("2.5.4.3", "CN"),
    ("2.5.4.4", "SN"),
    ("2.5.4.5", "serialNumber"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.9", "STREET"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.12", "title"),
    ("2.5.4.17", "postalCode"),
    ("2.5.4.42", "GN"),
    ("2.5.4.43", "initials"),
    ("2.5.4.46", "dnQualifier"),
    ("2.5.4.65", "pseudonym"),
    ("2.5.4.97", "organizationIdentifier"),
    ("0.9.2342.19200300.100.1.1", "UID"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("1.2.840.113549.1.9.1", "emailAddress"),
];

/// The short name of a dotted attribute-type OID, if it has one.
fn short_name(dotted: &str) -> Option<&'static str> {
    ATTRIBUTE_NAMES.iter().find(|(oid, _)| *oid == dotted).map(|(_, name)| *name)
}

/// Decodes a directory string value to text; `None` for non-string types or invalid encodings.
fn value_text(value: &Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString | Tag::NumericString => {
            core::str::from_utf8(bytes).ok().map(String::from)
        }
        // T.61 in theory; Latin-1 in practice (what OpenSSL and browsers show).
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units = bytes.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
            char::decode_utf16(units).collect::<Result<String, _>>().ok()
        }
        _ => None,
    }
}

/// RFC 4514 §2.4 escaping of an attribute value.
fn escape_into(out: &mut String, value: &str) {
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            '\0' => out.push_str("\\00"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "\\{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
}

/// RFC 4514 §2.4: a value of a non-string type is `#` followed by the hex of its BER/DER.
fn hex_der_into(out: &mut String, value: &Any) {
    out.push('#');
    if let Ok(der) = der::Encode::to_der(value) {
        for b in der {
            let _ = write!(out, "{b:02x}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::str::FromStr;

    #[test]
    fn renders_rfc4514_most_specific_first() {
        let name = Name::from_str("CN=alice,OU=eng,O=Example\\, Inc.,C=GB").unwrap();
        let dn = DistinguishedName::from_name(&name);
        assert_eq!(dn.rfc4514, "CN=alice,OU=eng,O=Example\\, Inc.,C=GB");
        assert_eq!(dn.attributes[0].name, "C");
        assert_eq!(dn.common_name(), Some("alice"));
    }

    #[test]
    fn escapes_leading_hash_and_trailing_space() {
        let mut s = String::new();
        escape_into(&mut s, "#x ");
        assert_eq!(s, "\\#x\\ ");
    }
}
