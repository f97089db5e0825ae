//! Address ranges of the proxies a server trusts to forward client certificates: the
//! `trusted_proxies` of certgate-server's `[[listeners]]` and of the npm middleware's listener
//! option, one parser and one match for both.
//!
//! Unlike the policy's `san_ip` blocks, which match the addresses a certificate names, these
//! match a socket's peer, so **an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) counts as its
//! IPv4 address**: a dual-stack socket reports IPv4 peers that way.

use alloc::format;
use core::net::IpAddr;

use crate::error::{Code, Rejection};

/// An address range: `10.0.0.0/8`, `::1/128`, or a bare address (one host).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `address/prefix` or a bare address; whitespace around the text is ignored.
    /// `::ffff:a.b.c.d/n` is the IPv4 range `a.b.c.d/(n - 96)`. **Host bits must be zero**, so
    /// a typo such as `10.0.0.1/8` (one host meant?) is refused rather than widened. An address
    /// with a zone (`fe80::1%eth0`) is refused. Errors are `INVALID_CONFIG`, naming the text.
    pub fn parse(text: &str) -> Result<Self, Rejection> {
        let bad = || {
            Rejection::new(
                Code::InvalidConfig,
                None,
                format!("trusted proxy range {text:?}: expected an address or address/prefix, e.g. \"127.0.0.1/32\""),
            )
        };
        let (address, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text.trim(), None),
        };
        let parsed = address.parse::<IpAddr>().map_err(|_| bad())?;
        let max = if parsed.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            // Digits only: u8's parser would also take `+8`.
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().ok().filter(|&p| p <= max).ok_or_else(bad)?
            }
            Some(_) => return Err(bad()),
            None => max,
        };
        let network = canonical(parsed);
        let prefix = match (parsed, network) {
            (IpAddr::V6(_), IpAddr::V4(_)) => prefix.checked_sub(96).ok_or_else(bad)?,
            _ => prefix,
        };
        if mask(network, prefix) != bits(network) {
            return Err(Rejection::new(
                Code::InvalidConfig,
                None,
                format!(
                    "trusted proxy range {text:?} has host bits set; write its network address"
                ),
            ));
        }
        Ok(Self { network, prefix })
    }

    /// Whether `ip` is in the range (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        ip.is_ipv4() == self.network.is_ipv4() && mask(ip, self.prefix) == bits(self.network)
    }
}

/// `::ffff:a.b.c.d` → `a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn mask(ip: IpAddr, prefix: u8) -> u128 {
    let width = if ip.is_ipv4() { 32 } else { 128 };
    let host = u32::from(width - prefix);
    let keep = if host >= 128 { 0 } else { u128::MAX << host };
    bits(ip) & keep
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("a test address")
    }

    fn range(text: &str) -> Cidr {
        Cidr::parse(text).expect("a test range")
    }

    #[test]
    fn ranges_contain_their_addresses_and_mapped_ones() {
        let lo = range("127.0.0.0/8");
        assert!(lo.contains(ip("127.0.0.2")));
        assert!(lo.contains(ip("::ffff:127.0.0.1")));
        assert!(!lo.contains(ip("128.0.0.1")));
        assert!(!lo.contains(ip("::1")));
        let mapped = range("::ffff:127.0.0.0/104");
        assert_eq!(mapped, range("127.0.0.0/8"));
        assert!(mapped.contains(ip("127.9.9.9")));
        let one = range(" 127.0.0.2 ");
        assert!(one.contains(ip("127.0.0.2")));
        assert!(!one.contains(ip("127.0.0.1")));
        let v6 = range("fd00::/8");
        assert!(v6.contains(ip("fd12::1")));
        assert!(!v6.contains(ip("fe80::1")));
        assert!(!v6.contains(ip("253.0.0.1")));
        assert!(range("0.0.0.0/0").contains(ip("8.8.8.8")));
        assert!(!range("0.0.0.0/0").contains(ip("2001:db8::1")));
        assert!(range("::/0").contains(ip("::1")));
        assert!(range("::/0").contains(ip("2001:db8::1")));
    }

    #[test]
    fn refuses_what_cannot_be_a_range_with_invalid_config() {
        for bad in [
            "10.0.0.1/8",
            "127.0.0.1/33",
            "::/129",
            "::ffff:127.0.0.0/64",
            "localhost",
            "10.0.0.0/x",
            "10.0.0.0/+8",
            "10.0.0.0/",
            "10.0.0.0/8/8",
            "",
            "fe80::1%eth0",
            "fe80::%eth0/64",
        ] {
            let err = Cidr::parse(bad).expect_err(bad);
            assert_eq!(err.code, Code::InvalidConfig, "{bad}");
            assert!(
                err.message.starts_with("trusted proxy range "),
                "{bad}: {}",
                err.message
            );
        }
        assert!(Cidr::parse("10.0.0.1/8")
            .expect_err("host bits")
            .message
            .contains("host bits set"));
    }
}
