//! What issuing commands share: subject names, subject alternative names, validity windows,
//! serial numbers, extended key usages, and loading a CA (certificate + key) to sign with.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use rcgen::{DnType, DnValue, ExtendedKeyUsagePurpose, Issuer, SanType, SerialNumber};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::{fail, Error};
use crate::files;
use crate::keys::Key;
use crate::pem_io;

/// The subject distinguished name.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SubjectArgs {
    /// Common name (CN) of the subject.
    #[arg(long)]
    pub cn: Option<String>,
    /// The whole subject as an RFC 4514 string, e.g. "CN=alice,OU=eng,O=Example,C=GB"
    /// (with --cn, the CN given there wins).
    #[arg(long)]
    pub subject: Option<String>,
}

impl SubjectArgs {
    /// The distinguished name; `default_cn` when neither flag names a CN.
    pub fn name(&self, default_cn: Option<&str>) -> Result<rcgen::DistinguishedName, Error> {
        let mut attrs = match &self.subject {
            Some(text) => parse_rfc4514(text)?,
            None => Vec::new(),
        };
        if let Some(cn) = &self.cn {
            attrs.retain(|(ty, _)| *ty != DnType::CommonName);
            attrs.push((DnType::CommonName, cn.clone()));
        }
        if !attrs.iter().any(|(ty, _)| *ty == DnType::CommonName) {
            match default_cn {
                Some(cn) => attrs.push((DnType::CommonName, cn.to_owned())),
                None if attrs.is_empty() => {
                    return Err(fail!("name the subject with --cn or --subject"))
                }
                None => {}
            }
        }
        let mut dn = rcgen::DistinguishedName::new();
        for (ty, value) in attrs {
            let value = match ty {
                // X.520 requires PrintableString for countryName.
                DnType::CountryName => DnValue::PrintableString(
                    value
                        .clone()
                        .try_into()
                        .map_err(|_| fail!("country `{value}` is not a two-letter code"))?,
                ),
                _ => DnValue::Utf8String(value),
            };
            dn.push(ty, value);
        }
        Ok(dn)
    }
}

/// Parses "CN=alice,OU=eng,O=Example,C=GB" (most specific first, RFC 4514) into attributes in
/// certificate order (most general first). Values may escape `,` `+` `=` `\` with a backslash.
fn parse_rfc4514(text: &str) -> Result<Vec<(DnType, String)>, Error> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) => {
                    current.push('\\');
                    current.push(next);
                }
                None => return Err(fail!("the subject `{text}` ends with a lone backslash")),
            },
            ',' => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    let mut attrs = Vec::new();
    for part in parts.iter().rev() {
        let (key, value) = split_unescaped(part)
            .ok_or_else(|| fail!("`{part}` in the subject is not TYPE=value"))?;
        let ty = match key.trim().to_ascii_uppercase().as_str() {
            "CN" => DnType::CommonName,
            "O" => DnType::OrganizationName,
            "OU" => DnType::OrganizationalUnitName,
            "C" => DnType::CountryName,
            "ST" => DnType::StateOrProvinceName,
            "L" => DnType::LocalityName,
            other => {
                let oid: Vec<u64> = other
                    .split('.')
                    .map(u64::from_str)
                    .collect::<Result<_, _>>()
                    .map_err(|_| fail!("unknown subject attribute `{key}`; use CN, O, OU, C, ST, L or a dotted OID"))?;
                if oid.len() < 2 {
                    return Err(fail!("`{key}` is not a dotted OID"));
                }
                DnType::CustomDnType(oid)
            }
        };
        let value = unescape(value.trim());
        if value.is_empty() {
            return Err(fail!("the subject attribute `{key}` is empty"));
        }
        attrs.push((ty, value));
    }
    Ok(attrs)
}

fn split_unescaped(part: &str) -> Option<(&str, &str)> {
    let mut escaped = false;
    for (i, c) in part.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '=' if !escaped => return Some((&part[..i], &part[i + 1..])),
            _ => escaped = false,
        }
    }
    None
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            _ => out.push(c),
        }
    }
    out
}

/// Subject alternative names.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SanArgs {
    /// A DNS name SAN (repeatable), e.g. --dns localhost --dns '*.example.com'.
    #[arg(long = "dns", value_name = "NAME")]
    pub dns: Vec<String>,
    /// An IP address SAN (repeatable), e.g. --ip 127.0.0.1 --ip ::1.
    #[arg(long = "ip", value_name = "ADDR")]
    pub ip: Vec<IpAddr>,
    /// An email (rfc822Name) SAN (repeatable).
    #[arg(long = "email", value_name = "ADDR")]
    pub email: Vec<String>,
    /// A URI SAN (repeatable), e.g. a SPIFFE ID spiffe://example.org/ns/prod/sa/api.
    #[arg(long = "uri", value_name = "URI")]
    pub uri: Vec<String>,
}

impl SanArgs {
    /// Whether no SAN was given.
    pub fn is_empty(&self) -> bool {
        self.dns.is_empty() && self.ip.is_empty() && self.email.is_empty() && self.uri.is_empty()
    }

    /// The SANs in rcgen's form.
    pub fn sans(&self) -> Result<Vec<SanType>, Error> {
        let ia5 = |kind: &str, s: &String| {
            rcgen::string::Ia5String::try_from(s.as_str())
                .map_err(|_| fail!("the {kind} SAN `{s}` is not ASCII"))
        };
        let mut sans = Vec::new();
        for name in &self.dns {
            if name.is_empty() || name.contains(' ') {
                return Err(fail!("`{name}` is not a DNS name"));
            }
            sans.push(SanType::DnsName(ia5("DNS", name)?));
        }
        sans.extend(self.ip.iter().copied().map(SanType::IpAddress));
        for email in &self.email {
            if !email.contains('@') {
                return Err(fail!("`{email}` is not an email address"));
            }
            sans.push(SanType::Rfc822Name(ia5("email", email)?));
        }
        for uri in &self.uri {
            if !uri.contains(':') {
                return Err(fail!("`{uri}` is not a URI (it has no scheme)"));
            }
            sans.push(SanType::URI(ia5("URI", uri)?));
        }
        Ok(sans)
    }
}

/// Where relying parties fetch the issuer's CRL.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CrlUrlArgs {
    /// A CRL distribution point URL to put in the certificate (repeatable), e.g.
    /// http://pki.example.com/issuing.crl.
    #[arg(long = "crl-url", value_name = "URL")]
    pub urls: Vec<String>,
}

impl CrlUrlArgs {
    /// The distribution points in rcgen's form: one point naming every URL.
    pub fn points(&self) -> Result<Vec<rcgen::CrlDistributionPoint>, Error> {
        for url in &self.urls {
            if !url.contains("://") || !url.is_ascii() {
                return Err(fail!("`{url}` is not an ASCII URL (scheme://…)"));
            }
        }
        if self.urls.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![rcgen::CrlDistributionPoint {
            uris: self.urls.clone(),
        }])
    }
}

/// The validity window.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ValidityArgs {
    /// Validity in days from --not-before (the command's default applies when omitted).
    #[arg(long, value_name = "N", conflicts_with = "not_after")]
    pub days: Option<u32>,
    /// Start of validity: RFC 3339 (2026-01-02T00:00:00Z) or Unix seconds [default: now].
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub not_before: Option<u64>,
    /// End of validity: RFC 3339 or Unix seconds (instead of --days).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub not_after: Option<u64>,
}

impl ValidityArgs {
    /// The window as Unix seconds `(not_before, not_after)`.
    pub fn window(&self, default_days: u32) -> Result<(u64, u64), Error> {
        let not_before = self.not_before.unwrap_or_else(now);
        let not_after = match self.not_after {
            Some(t) => t,
            None => {
                let days = self.days.unwrap_or(default_days);
                if days == 0 {
                    return Err(fail!("--days must be at least 1"));
                }
                not_before.saturating_add(u64::from(days) * 86_400)
            }
        };
        if not_after <= not_before {
            return Err(fail!(
                "the validity ends ({}) before it starts ({})",
                certgate::time::rfc3339(not_after),
                certgate::time::rfc3339(not_before)
            ));
        }
        Ok((not_before, not_after))
    }
}

/// Parses a time argument: RFC 3339 or Unix seconds.
pub fn parse_time(text: &str) -> Result<u64, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse()
            .map_err(|_| format!("`{text}` is too large for Unix seconds"));
    }
    certgate::time::parse_rfc3339(text).ok_or_else(|| {
        format!("`{text}` is neither RFC 3339 (2026-01-02T00:00:00Z) nor Unix seconds")
    })
}

/// The current time in Unix seconds.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Unix seconds as rcgen's time type.
pub fn datetime(unix: u64) -> Result<OffsetDateTime, Error> {
    i64::try_from(unix)
        .ok()
        .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
        .ok_or_else(|| fail!("the time {unix} is out of range"))
}

/// A serial number: the given hex, or 16 random bytes (positive, RFC 5280 §4.1.2.2).
pub fn serial(given: Option<&str>) -> Result<SerialNumber, Error> {
    match given {
        Some(hex) => Ok(SerialNumber::from_slice(&parse_serial(hex)?)),
        None => {
            let mut bytes = [0u8; 16];
            ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
                .map_err(|_| fail!("the system random number generator failed"))?;
            // Clear the sign bit and keep the first octet non-zero, so the DER INTEGER is
            // positive and exactly 16 octets.
            bytes[0] = (bytes[0] & 0x7f) | 0x40;
            Ok(SerialNumber::from_slice(&bytes))
        }
    }
}

/// Parses a serial number in hex (colons allowed, `0x` optional) into minimal big-endian bytes.
pub fn parse_serial(text: &str) -> Result<Vec<u8>, Error> {
    let digits: String = text
        .trim()
        .trim_start_matches("0x")
        .chars()
        .filter(|c| *c != ':')
        .collect();
    if digits.is_empty() || digits.len() > 40 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(fail!(
            "`{text}` is not a serial number (up to 20 bytes of hex)"
        ));
    }
    let padded = if digits.len() % 2 == 1 {
        format!("0{digits}")
    } else {
        digits
    };
    let mut bytes: Vec<u8> = (0..padded.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&padded[i..i + 2], 16).map_err(|_| fail!("`{text}` is not hex"))
        })
        .collect::<Result<_, _>>()?;
    while bytes.len() > 1 && bytes[0] == 0 {
        bytes.remove(0);
    }
    if bytes == [0] {
        return Err(fail!(
            "a serial number must be positive (RFC 5280 §4.1.2.2)"
        ));
    }
    Ok(bytes)
}

/// An extended key usage by name or OID.
pub fn eku(text: &str) -> Result<ExtendedKeyUsagePurpose, Error> {
    Ok(match text.to_ascii_lowercase().as_str() {
        "client" | "clientauth" => ExtendedKeyUsagePurpose::ClientAuth,
        "server" | "serverauth" => ExtendedKeyUsagePurpose::ServerAuth,
        "codesigning" => ExtendedKeyUsagePurpose::CodeSigning,
        "email" | "emailprotection" => ExtendedKeyUsagePurpose::EmailProtection,
        "timestamping" => ExtendedKeyUsagePurpose::TimeStamping,
        "ocspsigning" => ExtendedKeyUsagePurpose::OcspSigning,
        _ => {
            let arcs: Vec<u64> = text
                .split('.')
                .map(u64::from_str)
                .collect::<Result<_, _>>()
                .map_err(|_| fail!("`{text}` is neither client, server nor a dotted OID"))?;
            if arcs.len() < 2 {
                return Err(fail!("`{text}` is not a dotted OID"));
            }
            ExtendedKeyUsagePurpose::Other(arcs)
        }
    })
}

/// The issuing CA.
#[derive(Debug, Clone, clap::Args)]
pub struct IssuerArgs {
    /// The issuing CA certificate (PEM or DER). Further certificates in the file are its
    /// chain towards the root and are appended to chain outputs.
    #[arg(long, value_name = "FILE")]
    pub ca: PathBuf,
    /// The issuing CA's private key.
    #[arg(long, value_name = "FILE")]
    pub ca_key: PathBuf,
}

/// A CA ready to sign: its certificate, its chain and an rcgen issuer holding its key.
pub struct Ca {
    /// The CA certificate, DER.
    pub cert: Vec<u8>,
    /// Certificates after the CA certificate in its file (towards the root), DER.
    pub chain: Vec<Vec<u8>>,
    /// The CA's notAfter, Unix seconds.
    pub not_after: u64,
    /// The CA's path length constraint, if any.
    pub path_len: Option<u32>,
    /// The signer.
    pub issuer: Issuer<'static, rcgen::KeyPair>,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca")
            .field("chain", &self.chain.len())
            .field("not_after", &self.not_after)
            .finish()
    }
}

impl IssuerArgs {
    /// Loads the CA certificate and key and checks they belong together and may sign certificates.
    pub fn load(&self) -> Result<Ca, Error> {
        load_ca(&self.ca, &self.ca_key)
    }
}

/// Loads a CA certificate (first certificate in `cert_path`) and its key.
pub fn load_ca(cert_path: &Path, key_path: &Path) -> Result<Ca, Error> {
    let mut certs = read_certs(cert_path)?;
    let cert = certs.remove(0);
    let (_, parsed) = X509Certificate::from_der(&cert)
        .map_err(|e| fail!("{} is not a valid certificate: {e}", cert_path.display()))?;
    let constraints = parsed.basic_constraints().ok().flatten().map(|bc| bc.value);
    let is_ca = constraints.is_some_and(|bc| bc.ca);
    let path_len = constraints.and_then(|bc| bc.path_len_constraint);
    if !is_ca {
        return Err(fail!(
            "{} is not a CA certificate (basicConstraints cA is not set)",
            cert_path.display()
        ));
    }
    if let Ok(Some(ku)) = parsed.key_usage() {
        if !ku.value.key_cert_sign() {
            return Err(fail!(
                "{} may not sign certificates (its keyUsage lacks keyCertSign)",
                cert_path.display()
            ));
        }
    }
    let key = Key::load(key_path)?;
    if parsed.public_key().subject_public_key.data.as_ref() != key.pair().public_key_raw() {
        return Err(fail!(
            "{} is not the private key of {}",
            key_path.display(),
            cert_path.display()
        ));
    }
    let not_after = u64::try_from(parsed.validity().not_after.timestamp()).unwrap_or(0);
    let issuer = Issuer::from_ca_cert_der(&cert.as_slice().into(), key.into_pair())
        .map_err(|e| fail!("{} cannot be used as an issuer: {e}", cert_path.display()))?;
    Ok(Ca {
        cert,
        chain: certs,
        not_after,
        path_len,
        issuer,
    })
}

/// Reads every certificate in a PEM or DER file (at least one).
pub fn read_certs(path: &Path) -> Result<Vec<Vec<u8>>, Error> {
    let input = files::read(path)?;
    let certs = certgate::parse_bundle(&input, &certgate::Limits::default())
        .map_err(|e| fail!("{}: {}", path.display(), e.message))?;
    Ok(certs.into_iter().map(|c| c.to_vec()).collect())
}

impl Ca {
    /// The validity window of a certificate this CA issues: the one requested, which must
    /// end by the CA's own notAfter; or, when none was requested, the default shortened to
    /// end with the CA.
    pub fn window(&self, validity: &ValidityArgs, default_days: u32) -> Result<(u64, u64), Error> {
        let (not_before, not_after) = validity.window(default_days)?;
        if not_after <= self.not_after {
            return Ok((not_before, not_after));
        }
        let requested = validity.days.is_some() || validity.not_after.is_some();
        if !requested && not_before < self.not_after {
            return Ok((not_before, self.not_after));
        }
        Err(fail!(
            "the certificate would outlive its CA (the CA expires {}); use fewer --days or renew the CA",
            certgate::time::rfc3339(self.not_after)
        ))
    }

    /// The chain to write after a certificate this CA issued: the CA and its chain, without
    /// a self-signed root (peers must already trust it).
    pub fn chain_after_leaf(&self) -> Vec<&[u8]> {
        std::iter::once(&self.cert)
            .chain(self.chain.iter())
            .filter(|der| !is_self_signed(der))
            .map(Vec::as_slice)
            .collect()
    }
}

/// Whether a certificate's subject equals its issuer.
pub fn is_self_signed(der: &[u8]) -> bool {
    X509Certificate::from_der(der).is_ok_and(|(_, c)| c.subject().as_raw() == c.issuer().as_raw())
}

/// PEM for a certificate followed by the chain.
pub fn chain_pem(leaf: &[u8], chain: &[&[u8]]) -> String {
    pem_io::encode_certs(std::iter::once(leaf).chain(chain.iter().copied()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_parse_in_certificate_order() -> Result<(), Error> {
        let attrs = parse_rfc4514(r"CN=alice\, admin,O=Example,C=GB")?;
        assert_eq!(attrs[0], (DnType::CountryName, "GB".to_owned()));
        assert_eq!(attrs[2], (DnType::CommonName, "alice, admin".to_owned()));
        assert!(parse_rfc4514("CN").is_err());
        assert!(parse_rfc4514("XX=1").is_err());
        Ok(())
    }

    #[test]
    fn serials_are_positive_hex() -> Result<(), Error> {
        assert_eq!(parse_serial("0x01:ff")?, vec![0x01, 0xff]);
        assert_eq!(parse_serial("00ab")?, vec![0xab]);
        assert!(parse_serial("0").is_err());
        assert!(parse_serial("xyz").is_err());
        let random = serial(None)?.to_bytes();
        assert_eq!(random.len(), 16);
        assert!(random[0] & 0x80 == 0 && random[0] != 0);
        Ok(())
    }

    #[test]
    fn times_parse_both_ways() {
        assert_eq!(parse_time("1767312000"), Ok(1_767_312_000));
        assert_eq!(parse_time("2026-01-02T00:00:00Z"), Ok(1_767_312_000));
        assert!(parse_time("tomorrow").is_err());
    }
}
