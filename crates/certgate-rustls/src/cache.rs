//! Verdicts keyed by the SHA-256 of the presented chain.
//!
//! **A cached verdict is never served where a fresh verification could differ**: an accepted
//! chain's entry expires at the earliest notAfter of its verified path (plus the configured
//! skew), at most `max_age` seconds after it was verified (which bounds how long a CRL
//! nextUpdate or other time-dependent rule can be missed), and belongs to one configuration
//! generation; a rejection is kept only briefly (`negative_ttl`), since a not-yet-valid
//! certificate becomes valid with time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use certgate::{CertificateDer, Verified};
use der::Decode;
use sha2::{Digest, Sha256};

use crate::client::Verdict;

/// The SHA-256 of a presented chain: every certificate's length (4 bytes, big-endian) and DER,
/// leaf first, so two different chains never share an encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChainKey(pub [u8; 32]);

/// Hashes a presented chain into its cache key.
pub fn chain_key(chain: &[CertificateDer<'_>]) -> ChainKey {
    let mut hasher = Sha256::new();
    for cert in chain {
        // Certificates are bounded far below 4 GiB by the TLS record layer and certgate's limits.
        hasher.update(u32::try_from(cert.len()).unwrap_or(u32::MAX).to_be_bytes());
        hasher.update(cert.as_ref());
    }
    ChainKey(hasher.finalize().into())
}

/// A bounded map from chain hashes to verdicts. Cheap to share: wrap it in an `Arc`.
#[derive(Debug)]
pub struct VerdictCache {
    entries: Mutex<HashMap<ChainKey, Entry>>,
    capacity: usize,
    max_age: u64,
    negative_ttl: u64,
}

#[derive(Debug)]
struct Entry {
    verdict: Verdict,
    generation: u64,
    valid_from: u64,
    valid_until: u64,
}

impl VerdictCache {
    /// A cache of at most `capacity` entries; accepted chains are kept at most 300 s and
    /// rejections 30 s.
    ///
    /// 300 s bounds how stale a verdict can be when a CRL on disk changes without a reload;
    /// 30 s lets a deferred-mode handshake hand its rejection to the request that follows
    /// without keeping a time-dependent rejection (not yet valid) for long.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            max_age: 300,
            negative_ttl: 30,
        }
    }

    /// Sets how long, in seconds, an accepted chain and a rejection may be served from cache.
    pub fn with_ttls(mut self, max_age: u64, negative_ttl: u64) -> Self {
        self.max_age = max_age;
        self.negative_ttl = negative_ttl;
        self
    }

    /// The verdict for `key` if one was stored for `generation` and still holds at `now`.
    pub fn get(&self, key: &ChainKey, generation: u64, now: u64) -> Option<Verdict> {
        let mut entries = self.lock();
        let entry = entries.get(key)?;
        if entry.generation == generation && entry.valid_from <= now && now <= entry.valid_until {
            return Some(entry.verdict.clone());
        }
        entries.remove(key);
        None
    }

    /// Stores a verdict reached at `now` under `generation`. `skew_secs` is the verifier's
    /// clock-skew tolerance, which extends an accepted path past its earliest notAfter.
    pub fn insert(
        &self,
        key: ChainKey,
        generation: u64,
        now: u64,
        skew_secs: u64,
        verdict: &Verdict,
    ) {
        let (valid_from, valid_until) = match verdict {
            Ok(verified) => match path_window(verified) {
                Some((not_before, not_after)) => (
                    not_before.saturating_sub(skew_secs).min(now),
                    not_after
                        .saturating_add(skew_secs)
                        .min(now.saturating_add(self.max_age)),
                ),
                // A path that cannot be decoded again is not cached: verify it each time.
                None => return,
            },
            Err(_) => (now, now.saturating_add(self.negative_ttl)),
        };
        let mut entries = self.lock();
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, e| e.valid_until >= now && e.generation == generation);
            if entries.len() >= self.capacity {
                // Still full of live entries: start over rather than grow without bound.
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                verdict: verdict.clone(),
                generation,
                valid_from,
                valid_until,
            },
        );
    }

    /// Drops every entry (on a configuration reload).
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many entries are stored, live or not.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the cache holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<ChainKey, Entry>> {
        // A panic while holding the lock cannot leave a half-written entry (insert and
        // remove are single calls), so the map is still consistent.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The latest notBefore and the earliest notAfter over a verified path: the window in which
/// the whole path is valid.
fn path_window(verified: &Arc<Verified>) -> Option<(u64, u64)> {
    let mut window = (0u64, u64::MAX);
    for der in verified.path() {
        let cert = x509_cert::Certificate::from_der(der.as_ref()).ok()?;
        let validity = cert.tbs_certificate().validity();
        window.0 = window
            .0
            .max(validity.not_before.to_unix_duration().as_secs());
        window.1 = window
            .1
            .min(validity.not_after.to_unix_duration().as_secs());
    }
    Some(window)
}
