'use strict';
// The Node build's signature provider: the wasm core (bindings/wasm/src/node.rs) calls
// `verifySignature` for every signature in a chain; OpenSSL checks it through `crypto.verify`.
// Public keys arrive as DER SubjectPublicKeyInfo (rebuilt by the core from the certificate's
// algorithm and key bits, after ring's key-size and point-format rules) and are cached as
// `KeyObject`s, so an issuer's key is parsed once, not once per chain.

const { constants, createPublicKey, verify } = require('node:crypto');

// Indexed by the `Scheme` numbers in node.rs: [hash, RSA padding, PSS salt length].
// PSS salts are as long as the hash (RFC 4055 §3.1), the only length webpki/ring accept.
const PKCS1 = constants.RSA_PKCS1_PADDING;
const PSS = constants.RSA_PKCS1_PSS_PADDING;
const SCHEMES = [
  ['sha256'], // ECDSA, SHA-256
  ['sha384'], // ECDSA, SHA-384
  [null], // Ed25519
  ['sha256', PKCS1],
  ['sha384', PKCS1],
  ['sha512', PKCS1],
  ['sha256', PSS, 32],
  ['sha384', PSS, 48],
  ['sha512', PSS, 64],
];

// Bounded: a process that sees many distinct issuers starts afresh rather than grow without
// limit. 1,024 issuer keys is far above any real trust store's set of intermediates.
const MAX_KEYS = 1024;
const keys = new Map();

function keyFor(spki) {
  const id = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('latin1');
  let key = keys.get(id);
  if (key === undefined) {
    // Copied: `spki` is a view into wasm memory, valid only during this call.
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (keys.size >= MAX_KEYS) keys.clear();
    keys.set(id, key);
  }
  return key;
}

/**
 * Verifies `signature` over `message` with the key `spki` under scheme number `scheme`.
 * Returns false for a bad signature or a key OpenSSL refuses; never throws (an exception
 * would unwind through the wasm frames of the verifier).
 * @param {number} scheme
 * @param {Uint8Array} spki
 * @param {Uint8Array} message
 * @param {Uint8Array} signature
 * @returns {boolean}
 */
function verifySignature(scheme, spki, message, signature) {
  try {
    const [hash, padding, saltLength] = SCHEMES[scheme];
    const key = keyFor(spki);
    return verify(hash, message, padding === undefined ? key : { key, padding, saltLength }, signature);
  } catch {
    return false;
  }
}

module.exports = { verifySignature };
