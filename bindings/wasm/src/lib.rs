//! wasm-bindgen glue for the npm package `certgate` (bindings/npm): the certgate core's
//! verifier and inspection record for JavaScript. Thin by design: every rule lives in the core;
//! this crate converts JavaScript inputs to bytes and options, results to plain objects, and
//! rejections to `Error` objects with the core's stable `code`.
//!
//! Two builds, one per signature provider:
//! - `node` (default): signatures checked by Node's OpenSSL via `node:crypto` (see [`node`]).
//! - `web` (`--no-default-features --features web`): webpki's ring algorithms compiled to
//!   wasm, for browsers and any other JavaScript engine.
//!
//! The JavaScript API is documented in bindings/npm/index.d.ts.
#![deny(missing_docs)]

extern crate alloc;

mod decode;
mod error;
mod input;
#[cfg(feature = "node")]
mod node;
#[cfg(feature = "pkcs12")]
mod pkcs12;
#[cfg(feature = "node")]
mod proxy;

use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::OnceCell;

use certgate::policy::{Access, PolicySpec, RuleSpec};
use certgate::{
    Code, Config, Identity, Inspection, Policy, Profile, PublicSuffixes, Rejection, SignatureVerificationAlgorithm,
    Verified, VerifyOptions,
};
use js_sys::Array;
use rustls_pki_types::{alg_id, AlgorithmIdentifier};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::error::{config, policy_error, to_js};
use crate::input::{field, object, CallOptions};

#[cfg(feature = "node")]
static ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = node::ALGORITHMS;
#[cfg(all(feature = "web", not(feature = "node")))]
static ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = certgate::webpki::ALL_VERIFICATION_ALGS;
#[cfg(not(any(feature = "node", feature = "web")))]
compile_error!("certgate-wasm needs a signature provider: the `node` or the `web` feature");

/// Which signature provider this build uses: `node-crypto` or `ring-wasm`.
#[wasm_bindgen]
pub fn provider() -> String {
    String::from(if cfg!(feature = "node") { "node-crypto" } else { "ring-wasm" })
}

/// Every stable rejection code with the HTTP status an HTTP surface answers it with.
#[wasm_bindgen]
pub fn codes() -> Array {
    Code::ALL
        .iter()
        .map(|code| {
            let entry = js_sys::Object::new();
            error::set(&entry, "code", &JsValue::from_str(code.as_str()));
            error::set(&entry, "httpStatus", &JsValue::from(code.http_status()));
            JsValue::from(entry)
        })
        .collect()
}

/// Whether `value` is an error this package threw: an `Error` named `CertgateError` with a
/// string `code`.
#[wasm_bindgen(js_name = isCertgateError)]
pub fn is_certgate_error(value: &JsValue) -> bool {
    value.dyn_ref::<js_sys::Error>().is_some_and(|e| {
        e.name() == "CertgateError"
            && js_sys::Reflect::get(e, &JsValue::from_str("code")).is_ok_and(|c| c.is_string())
    })
}

/// Builds a verifier from `{trust, pinned, crls, config, policy}`; throws a `CertgateError`
/// (`INVALID_CONFIG`, `INVALID_POLICY`, `MALFORMED_PEM`, …) when the material, configuration
/// or policy is unusable.
#[wasm_bindgen(js_name = createVerifier)]
pub fn create_verifier(options: JsValue) -> Result<JsVerifier, JsValue> {
    let policy = match object(&options, "createVerifier options", KNOWN_OPTIONS) {
        Ok(Some(o)) => field(&o, "policy").map_err(|r| to_js(&r, &[]))?,
        _ => JsValue::UNDEFINED,
    };
    let policy = Rc::new(load_policy(&policy)?);
    let inner = build(&options).map_err(|r| to_js(&r, &[]))?;
    Ok(JsVerifier { inner, policy })
}

const KNOWN_OPTIONS: &[&str] = &["trust", "pinned", "crls", "config", "policy", "signatureAlgorithms", "publicSuffixes"];

/// The `policy` option: TOML text, a policy object, or absent. Without one, every verified
/// certificate is admitted on every route and the principal is the subject's common name
/// (the policy defaults: Spring's `CN=(.*?)(?:,|$)`).
fn load_policy(value: &JsValue) -> Result<Policy, JsValue> {
    if value.is_undefined() || value.is_null() {
        let mut spec = PolicySpec::default();
        let mut rule = RuleSpec::default();
        rule.access = Some(Access::Authenticated);
        spec.default = Some(rule);
        return Policy::from_spec(&spec).map_err(|e| policy_error(&e));
    }
    if let Some(text) = value.as_string() {
        return Policy::from_toml(&text).map_err(|e| policy_error(&e));
    }
    if !value.is_object() || value.is_function() {
        return Err(to_js(&config("`policy` must be TOML text or a policy object"), &[]));
    }
    let spec: PolicySpec = from_object(value).map_err(|e| {
        let rejection = Rejection::new(Code::InvalidPolicy, None, alloc::format!("invalid policy object: {e}"));
        to_js(&rejection, &[])
    })?;
    Policy::from_spec(&spec).map_err(|e| policy_error(&e))
}

fn build(options: &JsValue) -> Result<certgate::Verifier, Rejection> {
    let options = object(options, "createVerifier options", KNOWN_OPTIONS)?
        .ok_or_else(|| config("createVerifier needs options: at least `trust` or `pinned`"))?;
    let mut config = ConfigInput::from_js(&field(&options, "config")?)?;
    config.profile.public_suffixes = public_suffixes(&field(&options, "publicSuffixes")?)?;
    let limits = config.limits;
    let algorithms = signature_algorithms(&field(&options, "signatureAlgorithms")?)?;
    let mut builder = certgate::VerifierBuilder::new(algorithms).config(config);
    for piece in input::pieces(&field(&options, "trust")?, "trust", limits.bundle_items)? {
        builder = builder.trust(&piece)?;
    }
    for piece in input::pieces(&field(&options, "pinned")?, "pinned", limits.bundle_items)? {
        builder = builder.pin(&piece)?;
    }
    for piece in input::pieces(&field(&options, "crls")?, "crls", limits.bundle_items)? {
        builder = builder.crls(&piece)?;
    }
    builder.build()
}

/// The `signatureAlgorithms` option: absent means every algorithm of this build; a list of
/// names restricts the verifier to the build's algorithms with those signature identifiers, in
/// the order named (an empty list allows none, so no signature verifies).
///
/// The core's verifier holds its algorithms for `'static`; each distinct selection is leaked
/// once and reused (at most one per subset of the build's 15 algorithms, in practice a few).
fn signature_algorithms(
    value: &JsValue,
) -> Result<&'static [&'static dyn SignatureVerificationAlgorithm], Rejection> {
    if value.is_undefined() || value.is_null() {
        return Ok(ALGORITHMS);
    }
    let names = value
        .dyn_ref::<Array>()
        .ok_or_else(|| config("`signatureAlgorithms` must be an array of algorithm names"))?;
    let mut chosen: Vec<usize> = Vec::new();
    for name in names.iter() {
        let name = name
            .as_string()
            .ok_or_else(|| config("`signatureAlgorithms` must be an array of algorithm names (strings)"))?;
        let ids = SIGNATURE_ALGORITHM_NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, ids)| *ids)
            .ok_or_else(|| {
                let known: Vec<&str> = SIGNATURE_ALGORITHM_NAMES.iter().map(|(n, _)| *n).collect();
                config(alloc::format!(
                    "unknown signature algorithm `{name}` in `signatureAlgorithms`; known: {}",
                    known.join(", ")
                ))
            })?;
        chosen.extend(
            ALGORITHMS
                .iter()
                .enumerate()
                .filter(|(_, alg)| ids.contains(&alg.signature_alg_id()))
                .map(|(i, _)| i),
        );
    }
    SELECTIONS.with(|selections| {
        let mut selections = selections.borrow_mut();
        if let Some(&(_, algs)) = selections.iter().find(|(key, _)| *key == chosen) {
            return Ok(algs);
        }
        let algs: &'static [&'static dyn SignatureVerificationAlgorithm] =
            Vec::leak(chosen.iter().map(|&i| ALGORITHMS[i]).collect());
        selections.push((chosen, algs));
        Ok(algs)
    })
}

type Selection = (Vec<usize>, &'static [&'static dyn SignatureVerificationAlgorithm]);

std::thread_local! {
    /// Algorithm selections made so far, by index into [`ALGORITHMS`].
    static SELECTIONS: core::cell::RefCell<Vec<Selection>> = const { core::cell::RefCell::new(Vec::new()) };
    /// The last Public Suffix List parsed, with its text.
    static SUFFIXES: core::cell::RefCell<Option<(String, Arc<PublicSuffixes>)>> = const { core::cell::RefCell::new(None) };
}

/// Names of `signatureAlgorithms`, each with the signature algorithm identifiers it allows.
/// RSA PKCS#1 names include the identifier without NULL parameters that webpki also accepts.
const SIGNATURE_ALGORITHM_NAMES: &[(&str, &[AlgorithmIdentifier])] = &[
    ("ecdsa-sha256", &[alg_id::ECDSA_SHA256]),
    ("ecdsa-sha384", &[alg_id::ECDSA_SHA384]),
    ("ed25519", &[alg_id::ED25519]),
    ("rsa-pkcs1-sha256", &[alg_id::RSA_PKCS1_SHA256, RSA_PKCS1_SHA256_ABSENT_PARAMS]),
    ("rsa-pkcs1-sha384", &[alg_id::RSA_PKCS1_SHA384, RSA_PKCS1_SHA384_ABSENT_PARAMS]),
    ("rsa-pkcs1-sha512", &[alg_id::RSA_PKCS1_SHA512, RSA_PKCS1_SHA512_ABSENT_PARAMS]),
    ("rsa-pss-sha256", &[alg_id::RSA_PSS_SHA256]),
    ("rsa-pss-sha384", &[alg_id::RSA_PSS_SHA384]),
    ("rsa-pss-sha512", &[alg_id::RSA_PSS_SHA512]),
];

/// sha256WithRSAEncryption without its NULL parameters (webpki's
/// `data/alg-rsa-pkcs1-sha256-absent-params.der`).
const RSA_PKCS1_SHA256_ABSENT_PARAMS: AlgorithmIdentifier =
    AlgorithmIdentifier::from_slice(&[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]);
/// sha384WithRSAEncryption without parameters.
const RSA_PKCS1_SHA384_ABSENT_PARAMS: AlgorithmIdentifier =
    AlgorithmIdentifier::from_slice(&[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c]);
/// sha512WithRSAEncryption without parameters.
const RSA_PKCS1_SHA512_ABSENT_PARAMS: AlgorithmIdentifier =
    AlgorithmIdentifier::from_slice(&[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d]);

/// The `publicSuffixes` option: the Public Suffix List's text (publicsuffix.org format) for the
/// profile's CA/B wildcard rule, parsed by the core. The last list parsed is kept, so verifiers
/// built one after another with the same text share one parse.
fn public_suffixes(value: &JsValue) -> Result<Option<Arc<PublicSuffixes>>, Rejection> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let text = value
        .as_string()
        .ok_or_else(|| config("`publicSuffixes` must be the Public Suffix List's text"))?;
    SUFFIXES.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((cached, list)) = last.as_ref() {
            if *cached == text {
                return Ok(Some(Arc::clone(list)));
            }
        }
        let list = Arc::new(PublicSuffixes::parse(&text));
        *last = Some((text, Arc::clone(&list)));
        Ok(Some(list))
    })
}

/// A verifier with fixed trust material; `verify` is called once per presented chain.
#[wasm_bindgen(js_name = Verifier)]
#[derive(Debug)]
pub struct JsVerifier {
    inner: certgate::Verifier,
    policy: Rc<Policy>,
}

#[wasm_bindgen(js_class = Verifier)]
impl JsVerifier {
    /// Verifies a chain (leaf first) at `{time, usage, hostname}`; returns a `VerifyResult` or
    /// throws a `CertgateError` with the rejection's code.
    pub fn verify(&self, chain: JsValue, options: JsValue) -> Result<VerifyResult, JsValue> {
        let limits = &self.inner.config().limits;
        let chain = input::chain(&chain, limits).map_err(|r| to_js(&r, &[]))?;
        let call = CallOptions::from_js(&options).map_err(|r| to_js(&r, &chain))?;
        let mut verify_options = VerifyOptions::new(call.time).usage(call.usage);
        if let Some(name) = call.hostname.as_deref() {
            verify_options = verify_options.peer_name(name);
        }
        match self.inner.verify(&chain, &verify_options) {
            Ok(verified) => Ok(VerifyResult {
                verified,
                policy: Rc::clone(&self.policy),
                leaf: OnceCell::new(),
                identity: OnceCell::new(),
            }),
            Err(rejection) => Err(to_js(&rejection, &chain)),
        }
    }

    /// Decides a request of a client whose chain verified to `result`, by the route policy.
    /// Returns the decision `{rule, authenticated, principal, roles}` or throws a
    /// `CertgateError` (`POLICY_NO_MATCH` or `ROLE_MISSING`, 403).
    pub fn authorize(&self, result: &VerifyResult, method: &str, path: &str) -> Result<JsValue, JsValue> {
        let identity = result.identity().map_err(|e| to_js(&e, result.verified.path()))?;
        self.decide(Some(identity), method, path, result.verified.path())
    }

    /// Decides a request of a client that presented no certificate: the decision on an
    /// anonymous route, or a `CertgateError` (`NO_CERTIFICATE` 401, `POLICY_NO_MATCH` 403).
    #[wasm_bindgen(js_name = authorizeAnonymous)]
    pub fn authorize_anonymous(&self, method: &str, path: &str) -> Result<JsValue, JsValue> {
        self.decide(None, method, path, &[])
    }

    /// Every step of the route decision for `result`, for logs and the inspector:
    /// `{method, path, subject, principal, roles, steps, outcome}`. Never throws for a denial.
    pub fn explain(&self, result: &VerifyResult, method: &str, path: &str) -> Result<JsValue, JsValue> {
        let identity = result.identity().map_err(|e| to_js(&e, result.verified.path()))?;
        serialize(&self.policy.explain(Some(identity), method, path))
    }

    /// `explain` for a client that presented no certificate.
    #[wasm_bindgen(js_name = explainAnonymous)]
    pub fn explain_anonymous(&self, method: &str, path: &str) -> Result<JsValue, JsValue> {
        serialize(&self.policy.explain(None, method, path))
    }

    /// Decodes one forwarded-certificate header value in the named `format` within this
    /// verifier's chain limits, as the native server does for a `source = "forwarded"`
    /// listener: `{format, header: null, certificates}` to pass to `verify`. The format is
    /// required: a server knows what its proxy sends, and detecting it would let a client's
    /// own header in another convention be read.
    #[wasm_bindgen(js_name = decodeForwarded)]
    pub fn decode_forwarded(&self, value: JsValue, format: JsValue) -> Result<JsValue, JsValue> {
        decode::forwarded(&value, &format, &self.inner.config().limits)
    }

    /// What a trusted proxy's request presents, by the rules the native server applies to a
    /// `source = "forwarded"` listener's request (the core's `forwarded_chain`), within this
    /// verifier's limits: `{format, header, values, chain, intermediates}` → the chain to
    /// verify (DER, leaf first) or `null` for no certificate. The caller must take the header
    /// only from a trusted proxy.
    #[wasm_bindgen(js_name = presentedChain)]
    pub fn presented_chain(&self, request: JsValue) -> Result<JsValue, JsValue> {
        decode::presented_chain(&request, &self.inner.config().limits)
    }
}

impl JsVerifier {
    fn decide(
        &self,
        identity: Option<&Identity>,
        method: &str,
        path: &str,
        chain: &[certgate::CertificateDer<'_>],
    ) -> Result<JsValue, JsValue> {
        match self.policy.evaluate(identity, method, path) {
            Ok(decision) => serialize(&decision),
            Err(rejection) => Err(to_js(&rejection, chain)),
        }
    }
}

/// A verified chain. The inspection records are decoded on first access and kept.
#[wasm_bindgen]
#[derive(Debug)]
pub struct VerifyResult {
    verified: Verified,
    policy: Rc<Policy>,
    leaf: OnceCell<JsValue>,
    identity: OnceCell<Identity>,
}

#[wasm_bindgen]
impl VerifyResult {
    /// The verified path as DER, leaf first and trust anchor last; a pinned leaf is alone.
    #[wasm_bindgen(getter)]
    pub fn path(&self) -> Array {
        self.verified
            .path()
            .iter()
            .map(|der| JsValue::from(js_sys::Uint8Array::from(der.as_ref())))
            .collect()
    }

    /// Whether the leaf was accepted because it is pinned.
    #[wasm_bindgen(getter)]
    pub fn pinned(&self) -> bool {
        self.verified.is_pinned()
    }

    /// The check time, Unix seconds.
    #[wasm_bindgen(getter)]
    pub fn time(&self) -> f64 {
        self.verified.time() as f64
    }

    /// The leaf's inspection record, with its status at the check time.
    #[wasm_bindgen(getter)]
    pub fn leaf(&self) -> Result<JsValue, JsValue> {
        if let Some(leaf) = self.leaf.get() {
            return Ok(leaf.clone());
        }
        let leaf = serialize(&self.verified.inspect_leaf().map_err(|r| to_js(&r, self.verified.path()))?)?;
        Ok(self.leaf.get_or_init(|| leaf).clone())
    }

    /// The client's principal by the verifier's policy (by default the subject's common
    /// name), or `null` when the policy finds none.
    #[wasm_bindgen(getter)]
    pub fn principal(&self) -> Result<Option<String>, JsValue> {
        let identity = self.identity().map_err(|e| to_js(&e, self.verified.path()))?;
        Ok(self.policy.principal(identity).map(String::from))
    }

    /// The principal's roles by the verifier's policy (its roles table and grants), sorted.
    #[wasm_bindgen(getter)]
    pub fn roles(&self) -> Result<Vec<String>, JsValue> {
        let identity = self.identity().map_err(|e| to_js(&e, self.verified.path()))?;
        Ok(self.policy.roles(identity))
    }

    /// Inspection records of the whole verified path, leaf first.
    #[wasm_bindgen(getter)]
    pub fn chain(&self) -> Result<Array, JsValue> {
        let path = self.verified.path();
        path.iter()
            .enumerate()
            .map(|(i, der)| {
                let record = Inspection::from_der(der, Some(self.verified.time())).map_err(|mut r| {
                    r.cert_index = Some(i);
                    to_js(&r, path)
                })?;
                serialize(&record)
            })
            .collect()
    }

    fn identity(&self) -> Result<&Identity, Rejection> {
        if let Some(identity) = self.identity.get() {
            return Ok(identity);
        }
        let identity = self.policy.identity(&self.verified)?;
        Ok(self.identity.get_or_init(|| identity))
    }

    /// `{pinned, time, chain}` for `JSON.stringify`.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        let out = js_sys::Object::new();
        error::set(&out, "pinned", &JsValue::from(self.pinned()));
        error::set(&out, "time", &JsValue::from(self.time()));
        error::set(&out, "chain", &self.chain()?.into());
        Ok(out.into())
    }
}

/// Decodes the first certificate of PEM or DER input into an inspection record, with its
/// status at `{time}` (default: now).
#[wasm_bindgen]
pub fn inspect(input: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let (certificates, time) = inspect_input(&input, &options).map_err(|r| to_js(&r, &[]))?;
    let record = Inspection::from_der(&certificates[0], Some(time)).map_err(|mut r| {
        r.cert_index = Some(0);
        to_js(&r, &[])
    })?;
    serialize(&record)
}

/// Decodes every certificate of PEM or DER input (a chain or a bundle), in order.
#[wasm_bindgen(js_name = inspectAll)]
pub fn inspect_all(input: JsValue, options: JsValue) -> Result<Array, JsValue> {
    let (certificates, time) = inspect_input(&input, &options).map_err(|r| to_js(&r, &[]))?;
    certificates
        .iter()
        .enumerate()
        .map(|(i, der)| {
            let record = Inspection::from_der(der, Some(time)).map_err(|mut r| {
                r.cert_index = Some(i);
                to_js(&r, &[])
            })?;
            serialize(&record)
        })
        .collect()
}

fn inspect_input(input: &JsValue, options: &JsValue) -> Result<(Vec<certgate::CertificateDer<'static>>, u64), Rejection> {
    let time = match object(options, "inspect options", &["time"])? {
        Some(o) => input::time(&field(&o, "time")?)?,
        None => input::time(&JsValue::UNDEFINED)?,
    };
    let limits = certgate::Limits::default();
    let mut certificates = Vec::new();
    for piece in input::pieces(input, "input", limits.bundle_items)? {
        certificates.extend(certgate::parse_bundle(&piece, &limits)?);
        if certificates.len() > limits.bundle_items {
            return Err(Rejection::new(
                Code::TooManyCertificates,
                None,
                alloc::format!("the input holds more than {} certificates", limits.bundle_items),
            ));
        }
    }
    if certificates.is_empty() {
        return Err(Rejection::new(Code::NoCertificate, None, "the input holds no certificate"));
    }
    Ok((certificates, time))
}

/// Deserialises an options object through its JSON text. serde-wasm-bindgen reads only the
/// fields a struct names and ignores the rest, which would defeat `deny_unknown_fields`: a
/// misspelt policy key must fail the load, never leave a route open.
fn from_object<T: serde::de::DeserializeOwned>(value: &JsValue) -> Result<T, String> {
    let text = js_sys::JSON::stringify(value)
        .map_err(|_| String::from("it cannot be converted to JSON"))?
        .as_string()
        .ok_or_else(|| String::from("it is not a JSON object"))?;
    serde_json::from_str(&text).map_err(|e| alloc::format!("{e}"))
}

/// A record as a plain JavaScript value: its JSON text (serde_json, as the CLI writes records)
/// parsed by `JSON.parse`. serde_json is in the module anyway, for the options and
/// the core's XFCC reader; a second serializer was 1.8 KB of the gzipped web module (measured).
fn serialize<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| JsValue::from_str(&alloc::format!("{e}")))?;
    js_sys::JSON::parse(&text)
}

/// The `config` option: every field optional, unknown fields refused.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConfigInput {
    skew_secs: Option<u64>,
    max_path_len: Option<usize>,
    require_eku: Option<bool>,
    revocation: Option<RevocationInput>,
    limits: Option<LimitsInput>,
    profile: Option<ProfileInput>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProfileInput {
    rfc5280: Option<bool>,
    cabf_server: Option<bool>,
    allow_missing_key_identifiers: Option<bool>,
    allow_expired_anchors: Option<bool>,
    allow_noncritical_name_constraints: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RevocationInput {
    leaf_only: Option<bool>,
    deny_unknown: Option<bool>,
    enforce_expiry: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LimitsInput {
    chain_bytes: Option<usize>,
    chain_certs: Option<usize>,
    bundle_bytes: Option<usize>,
    bundle_items: Option<usize>,
}

impl ConfigInput {
    /// The core's [`Config`] with every given field applied over its defaults.
    fn from_js(value: &JsValue) -> Result<Config, Rejection> {
        let input: Self = if value.is_undefined() || value.is_null() {
            Self::default()
        } else {
            from_object(value).map_err(|e| config(alloc::format!("invalid `config`: {e}")))?
        };
        let mut out = Config::default();
        out.skew_secs = input.skew_secs.unwrap_or(out.skew_secs);
        out.max_path_len = input.max_path_len.unwrap_or(out.max_path_len);
        out.require_eku = input.require_eku.unwrap_or(out.require_eku);
        if let Some(r) = input.revocation {
            out.revocation.leaf_only = r.leaf_only.unwrap_or(out.revocation.leaf_only);
            out.revocation.deny_unknown = r.deny_unknown.unwrap_or(out.revocation.deny_unknown);
            out.revocation.enforce_expiry = r.enforce_expiry.unwrap_or(out.revocation.enforce_expiry);
        }
        if let Some(l) = input.limits {
            out.limits.chain_bytes = l.chain_bytes.unwrap_or(out.limits.chain_bytes);
            out.limits.chain_certs = l.chain_certs.unwrap_or(out.limits.chain_certs);
            out.limits.bundle_bytes = l.bundle_bytes.unwrap_or(out.limits.bundle_bytes);
            out.limits.bundle_items = l.bundle_items.unwrap_or(out.limits.bundle_items);
        }
        if let Some(p) = input.profile {
            let d = Profile::strict();
            out.profile.rfc5280 = p.rfc5280.unwrap_or(d.rfc5280);
            out.profile.cabf_server = p.cabf_server.unwrap_or(d.cabf_server);
            out.profile.allow_missing_key_identifiers =
                p.allow_missing_key_identifiers.unwrap_or(d.allow_missing_key_identifiers);
            out.profile.allow_expired_anchors = p.allow_expired_anchors.unwrap_or(d.allow_expired_anchors);
            out.profile.allow_noncritical_name_constraints =
                p.allow_noncritical_name_constraints.unwrap_or(d.allow_noncritical_name_constraints);
        }
        Ok(out)
    }
}
