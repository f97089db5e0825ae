//! What a certificate is being verified for: client or server authentication, or a custom
//! extended key usage (EKU), and the EKU rule webpki applies to every certificate in the path.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der::oid::ObjectIdentifier;
use webpki::{ExtendedKeyUsageValidator, KeyPurposeIdIter};

use crate::error::{Code, Rejection};

/// id-kp-serverAuth, RFC 5280 §4.2.1.12.
pub(crate) const SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
/// id-kp-clientAuth, RFC 5280 §4.2.1.12.
pub(crate) const CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");

/// The purpose a certificate is verified for.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Usage {
    /// TLS client authentication (id-kp-clientAuth), the default.
    #[default]
    ClientAuth,
    /// TLS server authentication (id-kp-serverAuth).
    ServerAuth,
    /// A custom extended key usage, by OID.
    Custom(ObjectIdentifier),
}

impl Usage {
    /// A custom usage from a dotted OID string such as `1.3.6.1.4.1.99999.1`.
    pub fn custom(dotted: &str) -> Result<Self, Rejection> {
        ObjectIdentifier::new(dotted).map(Self::Custom).map_err(|_| {
            Rejection::new(
                Code::InvalidConfig,
                None,
                alloc::format!("`{dotted}` is not a valid dotted OID for an extended key usage"),
            )
        })
    }

    /// The EKU OID this usage requires.
    pub fn oid(&self) -> ObjectIdentifier {
        match self {
            Self::ClientAuth => CLIENT_AUTH,
            Self::ServerAuth => SERVER_AUTH,
            Self::Custom(oid) => *oid,
        }
    }

    /// A short name for messages: `clientAuth`, `serverAuth` or the dotted OID.
    pub fn name(&self) -> String {
        eku_name(&self.oid())
    }
}

/// The short name of a well-known EKU OID, or its dotted form.
pub(crate) fn eku_name(oid: &ObjectIdentifier) -> String {
    let name = match oid.to_string().as_str() {
        "1.3.6.1.5.5.7.3.1" => "serverAuth",
        "1.3.6.1.5.5.7.3.2" => "clientAuth",
        "1.3.6.1.5.5.7.3.3" => "codeSigning",
        "1.3.6.1.5.5.7.3.4" => "emailProtection",
        "1.3.6.1.5.5.7.3.8" => "timeStamping",
        "1.3.6.1.5.5.7.3.9" => "OCSPSigning",
        "2.5.29.37.0" => "anyExtendedKeyUsage",
        other => return other.into(),
    };
    name.into()
}

/// The EKU rule applied by webpki to each certificate of a candidate path: a certificate that
/// carries an EKU extension must list the wanted purpose (RFC 5280 §4.2.1.12); one without
/// the extension is unconstrained.
pub(crate) struct EkuRule<'a> {
    pub(crate) wanted: &'a [u8],
}

impl ExtendedKeyUsageValidator for EkuRule<'_> {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        // webpki hands an empty iterator for a certificate without the extension (an
        // extension present but empty is rejected before this is called).
        let mut seen = false;
        for id in iter {
            seen = true;
            if id? == webpki::KeyPurposeId::new(self.wanted) {
                return Ok(());
            }
        }
        match seen {
            false => Ok(()),
            #[allow(deprecated)] // the Context variant needs a 'static OID; ours is borrowed
            true => Err(webpki::Error::RequiredEkuNotFound),
        }
    }
}

/// Reads the EKU OIDs a certificate lists; `None` when it has no EKU extension.
pub(crate) fn leaf_ekus(cert: &x509_cert::Certificate) -> Option<Vec<ObjectIdentifier>> {
    cert.tbs_certificate()
        .get_extension::<x509_cert::ext::pkix::ExtendedKeyUsage>()
        .ok()
        .flatten()
        .map(|(_, eku)| eku.0)
}
