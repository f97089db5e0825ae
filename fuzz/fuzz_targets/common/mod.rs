//! What the targets share: the test fixtures they verify against and the fixed check time.
#![allow(dead_code)] // each target uses a different subset

/// The validation time of the core's tests (crates/certgate/tests/fixtures/README.md).
pub const FIXED_TIME: u64 = 1_780_000_000;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../../crates/certgate/tests/fixtures/", $name))
    };
}

pub const ROOT_CA: &[u8] = fixture!("root-ca.pem");
pub const MESH_ROOT: &[u8] = fixture!("mesh-root.pem");
pub const ROGUE_CA: &[u8] = fixture!("rogue-ca.pem");
pub const ALICE: &[u8] = fixture!("alice.pem");
pub const EXPIRED: &[u8] = fixture!("expired.pem");
pub const ROGUE_LEAF: &[u8] = fixture!("rogue-leaf.pem");
pub const REVOKED: &[u8] = fixture!("revoked.pem");
pub const PINNED_CLIENT: &[u8] = fixture!("pinned-client.pem");
pub const INTERMEDIATE_CRL: &[u8] = fixture!("intermediate.crl.pem");
pub const ROOT_CRL: &[u8] = fixture!("root.crl.pem");

/// The core's policy example and the demo policy `certgate demo pki` writes.
pub const EXAMPLE_POLICY: &str = include_str!("../../../crates/certgate/policy.example.toml");
pub const DEMO_POLICY: &str = include_str!("../../../crates/certgate-cli/src/demo-policy.toml");

/// A check time the input chooses: its last eight bytes, so that a seed that is a plain
/// certificate or CRL still works as one, and the fuzzer still reaches extreme times.
pub fn trailing_time(data: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    let tail = &data[data.len().saturating_sub(8)..];
    bytes[..tail.len()].copy_from_slice(tail);
    u64::from_le_bytes(bytes)
}
