//! The presented intermediates worth handing to path building: those that can sit on a path
//! from the leaf to a trust anchor at all.
//!
//! webpki links a certificate to its issuer by comparing the issuer name's bytes with a
//! candidate's subject name's bytes, and checks signatures only once a path reaches an
//! anchor. A chain of intermediates that name one another but lead to no anchor is therefore
//! explored without a single signature check until webpki's call budget (200,000 calls, each
//! re-parsing every candidate) runs out: 31 self-issued certificates in 30 KB cost 1.6 s of
//! CPU for one verification (found by the `verify` fuzz target). Dropping every intermediate
//! that no chain of names connects to both the leaf and an anchor never removes a usable
//! path — a valid path is exactly such a chain of names — and leaves webpki's signature budget
//! (100) as the bound on what remains.
//!
//! The comparison is on the same bytes webpki compares: the content octets of the issuer and
//! subject `Name` SEQUENCEs, which are also what [`TrustAnchor::subject`] holds. A certificate
//! whose names cannot be read here is kept, so a disagreement can only cost speed, never a
//! valid path.

use alloc::vec::Vec;

use der::{asn1::AnyRef, Reader, SliceReader, Tag, Tagged};
use rustls_pki_types::{CertificateDer, TrustAnchor};

/// `intermediates` without duplicates and without those that cannot link the leaf to an
/// anchor by names, in their presented order (webpki tries candidates in order).
pub(crate) fn usable<'a>(
    leaf: &'a [u8],
    intermediates: &'a [CertificateDer<'a>],
    anchors: &[TrustAnchor<'_>],
) -> Vec<CertificateDer<'a>> {
    let mut unique: Vec<&'a CertificateDer<'a>> = Vec::with_capacity(intermediates.len());
    for der in intermediates {
        if !unique.iter().any(|seen| seen.as_ref() == der.as_ref()) {
            unique.push(der);
        }
    }
    fn borrow<'a>(der: &&'a CertificateDer<'a>) -> CertificateDer<'a> {
        CertificateDer::from(AsRef::<[u8]>::as_ref(*der))
    }
    let Some((leaf_issuer, _)) = names(leaf) else {
        return unique.iter().map(borrow).collect();
    };
    let linked: Vec<Option<(&[u8], &[u8])>> = unique.iter().map(|der| names(der)).collect();

    // Backwards from the anchors: which intermediates reach one through issuer names.
    let mut reaches_anchor = alloc::vec![false; unique.len()];
    let mut toward_anchor: Vec<&[u8]> = anchors.iter().map(|a| a.subject.as_ref()).collect();
    grow(
        &linked,
        &mut reaches_anchor,
        &mut toward_anchor,
        |(issuer, subject)| (issuer, subject),
    );

    // Forwards from the leaf, through those: which of them the leaf reaches through subjects.
    let mut from_leaf: Vec<&[u8]> = alloc::vec![leaf_issuer];
    let mut reached = alloc::vec![false; unique.len()];
    let toward_leaf: Vec<Option<(&[u8], &[u8])>> = linked
        .iter()
        .zip(&reaches_anchor)
        .map(|(n, &useful)| if useful { *n } else { None })
        .collect();
    grow(
        &toward_leaf,
        &mut reached,
        &mut from_leaf,
        |(issuer, subject)| (subject, issuer),
    );

    unique
        .iter()
        .zip(&linked)
        .zip(&reached)
        .filter(|((_, n), &on_path)| on_path || n.is_none())
        .map(|((der, _), _)| borrow(der))
        .collect()
}

/// Marks every certificate whose `link` name (issuer or subject, by `pick`) is in `known`,
/// adding its other name to `known`, until nothing changes. At most n passes over n items.
fn grow<'n>(
    names: &[Option<(&'n [u8], &'n [u8])>],
    marked: &mut [bool],
    known: &mut Vec<&'n [u8]>,
    pick: impl Fn((&'n [u8], &'n [u8])) -> (&'n [u8], &'n [u8]),
) {
    loop {
        let mut changed = false;
        for (i, entry) in names.iter().enumerate() {
            let Some(pair) = entry else { continue };
            let (link, other) = pick(*pair);
            if !marked[i] && known.contains(&link) {
                marked[i] = true;
                known.push(other);
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// The content octets of a certificate's issuer and subject names, as webpki compares them.
fn names(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let certificate = sequence(&mut SliceReader::new(der).ok()?)?;
    let tbs = sequence(&mut SliceReader::new(certificate).ok()?)?;
    let mut fields = SliceReader::new(tbs).ok()?;
    let mut serial: AnyRef<'_> = fields.decode().ok()?;
    if serial.tag().is_context_specific() {
        // [0] EXPLICIT version
        serial = fields.decode().ok()?;
    }
    if serial.tag() != Tag::Integer {
        return None;
    }
    sequence(&mut fields)?; // signature AlgorithmIdentifier
    let issuer = sequence(&mut fields)?;
    sequence(&mut fields)?; // validity
    let subject = sequence(&mut fields)?;
    Some((issuer, subject))
}

/// The next element's content octets, when it is a SEQUENCE.
fn sequence<'r>(reader: &mut SliceReader<'r>) -> Option<&'r [u8]> {
    let any: AnyRef<'r> = reader.decode().ok()?;
    (any.tag() == Tag::Sequence).then(|| any.value())
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use std::{format, vec};

    fn pem(name: &str) -> Vec<CertificateDer<'static>> {
        let text = std::fs::read(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture file");
        crate::parse_chain(&text, &crate::Limits::default()).expect("fixture chain")
    }

    fn anchor(der: &CertificateDer<'_>) -> TrustAnchor<'static> {
        webpki::anchor_from_trusted_cert(der).expect("fixture anchor").to_owned()
    }

    #[test]
    fn names_are_the_bytes_webpki_compares() {
        let root = &pem("root-ca.pem")[0];
        let (issuer, subject) = names(root).unwrap();
        assert_eq!(subject, anchor(root).subject.as_ref());
        assert_eq!(issuer, subject, "a self-signed root");
    }

    #[test]
    fn unreachable_and_repeated_intermediates_are_dropped() {
        let root = anchor(&pem("root-ca.pem")[0]);
        let chain = pem("alice.pem");
        assert!(chain.len() >= 2, "alice.pem carries its intermediate");
        let mesh = pem("mesh-root.pem").remove(0);
        let mut presented: Vec<CertificateDer<'static>> =
            vec![chain[1].clone(), mesh.clone(), chain[1].clone()];
        presented.extend(chain[2..].iter().cloned());
        let kept = usable(&chain[0], &presented, core::slice::from_ref(&root));
        assert_eq!(kept[0].as_ref(), chain[1].as_ref());
        assert!(
            kept.iter().all(|c| c.as_ref() != mesh.as_ref()),
            "the mesh root leads to no anchor"
        );
        assert_eq!(
            kept.iter()
                .filter(|c| c.as_ref() == chain[1].as_ref())
                .count(),
            1
        );
        // With the mesh root trusted instead, alice's intermediate leads nowhere.
        let kept = usable(&chain[0], &presented, &[anchor(&mesh)]);
        assert!(kept.is_empty(), "{} kept", kept.len());
    }

    #[test]
    fn unreadable_certificates_are_kept() {
        let root = anchor(&pem("root-ca.pem")[0]);
        let chain = pem("alice.pem");
        let junk = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x01]);
        let kept = usable(&chain[0], core::slice::from_ref(&junk), &[root]);
        assert_eq!(kept.len(), 1);
    }
}
