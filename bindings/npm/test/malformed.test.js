'use strict';
// Hostile and mistaken input through both builds: every bad input is a CertgateError with a
// stable code, never a crash (a wasm trap), a hang or an acceptance, and the module keeps
// working afterwards.

const assert = require('node:assert/strict');
const { describe, it, before } = require('node:test');
const { BUILDS, FIXED_TIME, fixture, ders, thrown } = require('./builds.js');

const AT = { time: FIXED_TIME };

/** A deterministic byte stream (xorshift32), so failures reproduce. */
function bytes(seed, length) {
  let x = seed >>> 0 || 1;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function assertCode(err, codes) {
  assert.ok(err instanceof Error, `not an Error: ${err}`);
  assert.equal(err.name, 'CertgateError', `${err.name}: ${err.message}`);
  assert.ok(codes.includes(err.code), `unexpected ${err.code}: ${err.message}`);
}

// Any rejection of a certificate will do (a corrupted EKU is WRONG_USAGE, a corrupted date
// CERT_EXPIRED); configuration and policy codes will not, nor will acceptance.
const NOT_CERT_CODES = ['INVALID_CONFIG', 'INVALID_POLICY', 'POLICY_NO_MATCH', 'ROLE_MISSING'];
let CERT_CODES;

for (const build of BUILDS) {
  describe(`malformed input (${build.name} build)`, () => {
    let certgate;
    let verifier;
    before(async () => {
      certgate = await build.load();
      CERT_CODES = certgate.codes().map((c) => c.code).filter((c) => !NOT_CERT_CODES.includes(c));
      verifier = certgate.createVerifier({ trust: fixture('root-ca.pem') });
    });

    it('rejects every truncation of a leaf certificate', () => {
      const [leaf, intermediate] = ders('alice.pem');
      for (let len = 0; len < leaf.length; len++) {
        assertCode(thrown(() => verifier.verify([leaf.subarray(0, len), intermediate], AT)), CERT_CODES);
      }
    });

    it('rejects every single-byte corruption of the leaf certificate (sampled)', () => {
      const [leaf, intermediate] = ders('alice.pem');
      for (let i = 0; i < leaf.length; i += 7) {
        for (const flip of [0x01, 0x80, 0xff]) {
          const bad = Buffer.from(leaf);
          bad[i] ^= flip;
          assertCode(thrown(() => verifier.verify([bad, intermediate], AT)), CERT_CODES);
        }
      }
    });

    it('rejects random bytes and random PEM bodies', () => {
      for (let seed = 1; seed <= 200; seed++) {
        const noise = bytes(seed, 1 + (seed * 37) % 2000);
        assertCode(thrown(() => verifier.verify(noise, AT)), CERT_CODES);
        const pem = `-----BEGIN CERTIFICATE-----\n${noise.toString('base64')}\n-----END CERTIFICATE-----\n`;
        assertCode(thrown(() => verifier.verify(pem, AT)), CERT_CODES);
        assertCode(thrown(() => certgate.inspect(noise)), CERT_CODES);
      }
    });

    it('rejects broken PEM armour', () => {
      const text = fixture('alice.pem');
      assert.equal(thrown(() => verifier.verify(text.replace(/-----END CERTIFICATE-----\n?$/, ''), AT)).code, 'MALFORMED_PEM');
      assert.equal(thrown(() => verifier.verify('-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n', AT)).code, 'MALFORMED_PEM');
    });

    it('names a PEM block whose body is not DER: MALFORMED_CERTIFICATE, MALFORMED_CRL', () => {
      const body = Buffer.from('this is text, not DER').toString('base64');
      const err = thrown(() => verifier.verify(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`, AT));
      assert.deepEqual([err.code, err.certIndex], ['MALFORMED_CERTIFICATE', 0]);
      const crl = thrown(() => certgate.createVerifier({ trust: fixture('root-ca.pem'), crls: `-----BEGIN X509 CRL-----\n${body}\n-----END X509 CRL-----\n` }));
      assert.deepEqual([crl.code, crl.certIndex], ['MALFORMED_CRL', 0]);
    });

    it('refuses wrong argument types and unknown options with INVALID_CONFIG', () => {
      for (const bad of [42, true, {}, { raw: 'not bytes' }, [1, 2], () => 1]) {
        assertCode(thrown(() => verifier.verify(bad, AT)), ['INVALID_CONFIG']);
      }
      const chain = fixture('alice.pem');
      for (const options of [
        { time: 'yesterday' },
        { time: -1 },
        { time: Number.NaN },
        { time: 1e15 },
        { usage: 'client' },
        { hostname: 5 },
        { hostName: 'localhost' },
        'x',
        [],
      ]) {
        assertCode(thrown(() => verifier.verify(chain, options)), ['INVALID_CONFIG']);
      }
      const throwing = { get time() { throw new Error('boom'); } };
      assertCode(thrown(() => verifier.verify(chain, throwing)), ['INVALID_CONFIG']);
    });

    it('refuses unusable trust material and configuration at creation', () => {
      assertCode(thrown(() => certgate.createVerifier()), ['INVALID_CONFIG']);
      assertCode(thrown(() => certgate.createVerifier({})), ['INVALID_CONFIG']);
      assertCode(thrown(() => certgate.createVerifier({ trusted: fixture('root-ca.pem') })), ['INVALID_CONFIG']);
      assertCode(thrown(() => certgate.createVerifier({ trust: 'no certificates' })), ['MALFORMED_PEM']);
      assertCode(thrown(() => certgate.createVerifier({ trust: '' })), ['NO_CERTIFICATE']);
      assertCode(thrown(() => certgate.createVerifier({ trust: bytes(7, 300) })), ['MALFORMED_PEM', 'MALFORMED_CERTIFICATE']);
      const trust = fixture('root-ca.pem');
      assertCode(thrown(() => certgate.createVerifier({ trust, config: { maxPathLen: 1 } })), ['INVALID_CONFIG']);
      assertCode(thrown(() => certgate.createVerifier({ trust, config: { skew: 5 } })), ['INVALID_CONFIG']);
      assertCode(thrown(() => certgate.createVerifier({ trust, config: { skewSecs: -5 } })), ['INVALID_CONFIG']);
      assertCode(thrown(() => certgate.createVerifier({ trust, crls: 'garbage' })), ['MALFORMED_CRL', 'NO_CERTIFICATE', 'MALFORMED_PEM']);
      assertCode(thrown(() => certgate.createVerifier({ trust, crls: bytes(3, 200) })), ['MALFORMED_PEM', 'MALFORMED_CRL']);
      assertCode(thrown(() => certgate.createVerifier({ trust, crls: fixture('delta.crl.pem') })), ['UNSUPPORTED_CRL']);
    });

    it('still verifies after all of the above', () => {
      assert.equal(verifier.verify(fixture('alice.pem'), AT).path.length, 3);
    });
  });
}
