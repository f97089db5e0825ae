'use strict';
// Chain verification through both builds: every rejection code a certificate, a chain, a CRL
// or a verify option can cause, with the same code and certificate index from each build.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { describe, it, before } = require('node:test');
const { BUILDS, FIXED_TIME, fixture, ders, thrown } = require('./builds.js');
const { generateChain } = require('./openssl.js');
const { REPO } = require('./pki.js');

const AT = { time: FIXED_TIME };

/** One case of the x509-limbo dev suite (../shared/conformance), by id. */
function limboCase(id) {
  const suite = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.resolve(REPO, '../shared/conformance/limbo-dev.json.gz'))));
  const found = suite.testcases.find((c) => c.id === id);
  assert.ok(found, `${id} is not in the limbo suite`);
  return found;
}

// [chain file, trust anchors, expected code (null: accepted), expected certIndex (absent: not
// checked here; the parity test below still compares it between the builds)]
const CHAINS = [
  ['alice.pem', ['root-ca.pem'], null],
  ['name-constraints-ok.pem', ['root-ca.pem'], null],
  ['no-eku.pem', ['root-ca.pem'], null],
  ['expired.pem', ['root-ca.pem'], 'CERT_EXPIRED', 0],
  ['not-yet-valid.pem', ['root-ca.pem'], 'CERT_NOT_YET_VALID', 0],
  ['expired-intermediate.pem', ['root-ca.pem'], 'CERT_EXPIRED', 1],
  ['invalid-validity.pem', ['root-ca.pem'], 'INVALID_VALIDITY'],
  ['rogue-leaf.pem', ['root-ca.pem'], 'UNKNOWN_ISSUER'],
  ['alice.pem', ['rogue-ca.pem'], 'UNKNOWN_ISSUER'],
  ['loop.pem', ['root-ca.pem'], 'UNKNOWN_ISSUER'],
  ['alice-bad-signature.pem', ['root-ca.pem'], 'BAD_SIGNATURE'],
  ['sigalg-mismatch.pem', ['root-ca.pem'], 'SIGNATURE_ALGORITHM_MISMATCH'],
  ['server-only.pem', ['root-ca.pem'], 'WRONG_USAGE', 0],
  ['custom-eku.pem', ['root-ca.pem'], 'WRONG_USAGE', 0],
  ['server-eku-intermediate.pem', ['root-ca.pem'], 'WRONG_USAGE'],
  ['empty-eku.pem', ['root-ca.pem'], 'MALFORMED_EXTENSION'],
  ['intermediate-ca.pem', ['root-ca.pem'], 'CA_USED_AS_LEAF', 0],
  ['leaf-as-ca.pem', ['root-ca.pem'], 'LEAF_USED_AS_CA'],
  ['pathlen.pem', ['root-ca.pem'], 'PATH_LEN_EXCEEDED'],
  ['name-constraints.pem', ['root-ca.pem'], 'NAME_CONSTRAINT_VIOLATION'],
  ['critical-extension.pem', ['root-ca.pem'], 'UNSUPPORTED_CRITICAL_EXTENSION'],
  ['version2.pem', ['root-ca.pem'], 'UNSUPPORTED_VERSION'],
  ['serial-zero.pem', ['root-ca.pem'], 'INVALID_SERIAL_NUMBER', 0],
  ['no-aki.pem', ['root-ca.pem'], 'PROFILE_VIOLATION', 0],
  ['deep-chain.pem', ['root-ca.pem'], 'CHAIN_TOO_LONG'],
  ['mesh.pem', ['mesh-root.pem'], 'BUDGET_EXCEEDED'],
  ['distrusted-leaf.pem', ['distrusted-ca.pem'], 'DISTRUSTED'],
  ['bench/p256/chain.pem', ['bench/p256/root.pem'], null],
  ['bench/rsa2048/chain.pem', ['bench/rsa2048/root.pem'], null],
  ['bench/mixed/chain.pem', ['bench/mixed/root.pem'], null],
  ['bench/ed25519/chain.pem', ['bench/ed25519/root.pem'], null],
];

// [chain file, CRL files, revocation config, expected code, certIndex (absent: not checked)]
const REVOCATION = [
  ['alice.pem', ['intermediate.crl.pem', 'root.crl.pem'], undefined, null],
  ['revoked.pem', ['intermediate.crl.pem'], undefined, 'REVOKED', 0],
  ['revoked-intermediate.pem', ['root.crl.pem'], undefined, 'REVOKED', 1],
  ['alice.pem', ['intermediate-expired.crl.pem'], undefined, 'CRL_EXPIRED', null],
  ['alice.pem', ['intermediate-expired.crl.pem'], { enforceExpiry: false }, null],
  ['alice.pem', ['intermediate-bad-signature.crl.pem'], undefined, 'CRL_BAD_SIGNATURE', null],
  ['no-crl-sign.pem', ['no-crl-sign.crl.pem'], undefined, 'CRL_ISSUER_NOT_CRL_SIGNER', null],
  ['alice.pem', ['root.crl.pem'], { denyUnknown: true }, 'REVOCATION_STATUS_UNKNOWN', null],
  ['alice.pem', ['root.crl.pem'], { denyUnknown: true, leafOnly: true }, 'REVOCATION_STATUS_UNKNOWN', null],
  ['alice.pem', ['intermediate.crl.pem'], { denyUnknown: true, leafOnly: true }, null],
];

/** A verify outcome as [code or null, certIndex]. */
function outcome(fn) {
  try {
    fn();
    return [null, undefined];
  } catch (err) {
    return [err.code, err.certIndex];
  }
}

for (const build of BUILDS) {
  describe(`verify (${build.name} build)`, () => {
    let certgate;
    before(async () => {
      certgate = await build.load();
    });

    it(`uses the ${build.provider} signature provider`, () => {
      assert.equal(certgate.provider(), build.provider);
    });

    for (const [chain, anchors, code, index] of CHAINS) {
      it(`${chain} against ${anchors.join(', ')}: ${code ?? 'accepted'}`, () => {
        const verifier = certgate.createVerifier({ trust: anchors.map(fixture) });
        const [gotCode, gotIndex] = outcome(() => verifier.verify(fixture(chain), AT));
        assert.equal(gotCode, code);
        if (index !== undefined) assert.equal(gotIndex, index);
      });
    }

    for (const [chain, crls, revocation, code, index] of REVOCATION) {
      const label = `${chain} with ${crls.join(', ')}${revocation ? ` ${JSON.stringify(revocation)}` : ''}`;
      it(`${label}: ${code ?? 'accepted'}`, () => {
        const verifier = certgate.createVerifier({
          trust: fixture('root-ca.pem'),
          crls: crls.map(fixture),
          config: revocation && { revocation },
        });
        const [gotCode, gotIndex] = outcome(() => verifier.verify(fixture(chain), AT));
        assert.equal(gotCode, code);
        if (index !== undefined) assert.equal(gotIndex, index);
      });
    }

    it('returns the verified path, leaf first and the anchor last, and its inspection', () => {
      const verifier = certgate.createVerifier({ trust: fixture('root-ca.pem') });
      const result = verifier.verify(fixture('alice.pem'), AT);
      const [leaf, intermediate] = ders('alice.pem');
      const [root] = ders('root-ca.pem');
      assert.deepEqual(
        result.path.map((d) => Buffer.from(d).toString('hex')),
        [leaf, intermediate, root].map((d) => d.toString('hex')),
      );
      assert.equal(result.pinned, false);
      assert.equal(result.time, FIXED_TIME);
      assert.equal(result.leaf.subject.rfc4514, 'CN=alice,OU=Engineering,O=certgate Test,C=GB');
      assert.equal(result.leaf.serial, '0a11ce');
      assert.equal(result.leaf.status.state, 'valid');
      assert.equal(result.leaf, result.leaf, 'the record is decoded once and kept');
      assert.deepEqual(
        result.chain.map((c) => c.subject.rfc4514),
        [result.leaf.subject.rfc4514, result.chain[1].subject.rfc4514, result.chain[2].subject.rfc4514],
      );
      assert.equal(result.chain[2].selfSigned, true);
      assert.equal(result.principal, 'alice');
      assert.deepEqual(result.roles, []);
      const json = JSON.parse(JSON.stringify(result));
      assert.equal(json.pinned, false);
      assert.equal(json.chain.length, 3);
    });

    it('takes chains as PEM text, PEM bytes, DER bytes, arrays of either and X509Certificate objects', () => {
      const verifier = certgate.createVerifier({ trust: fixture('root-ca.pem') });
      const [leaf, intermediate] = ders('alice.pem');
      const { X509Certificate } = require('node:crypto');
      const inputs = [
        fixture('alice.pem'),
        Buffer.from(fixture('alice.pem')),
        Buffer.concat([leaf, intermediate]),
        [leaf, intermediate],
        [new Uint8Array(leaf), intermediate.buffer.slice(intermediate.byteOffset, intermediate.byteOffset + intermediate.length)],
        [new X509Certificate(leaf), new X509Certificate(intermediate)],
      ];
      for (const input of inputs) {
        assert.equal(verifier.verify(input, AT).path.length, 3);
      }
      assert.equal(verifier.verify([leaf, intermediate], { time: new Date(FIXED_TIME * 1000) }).time, FIXED_TIME);
    });

    it('checks usage and hostname options', () => {
      const verifier = certgate.createVerifier({ trust: fixture('root-ca.pem') });
      const server = fixture('server.pem');
      assert.equal(verifier.verify(server, { ...AT, usage: 'serverAuth', hostname: 'localhost' }).pinned, false);
      assert.equal(verifier.verify(server, { ...AT, usage: 'serverAuth', hostname: '127.0.0.1' }).pinned, false);
      let err = thrown(() => verifier.verify(server, { ...AT, usage: 'serverAuth', hostname: 'example.com' }));
      assert.equal(err.code, 'NAME_MISMATCH');
      assert.equal(err.certIndex, 0);
      err = thrown(() => verifier.verify(server, { ...AT, usage: 'serverAuth', hostname: 'not a name!' }));
      assert.equal(err.code, 'INVALID_PEER_NAME');
      assert.equal(thrown(() => verifier.verify(server, AT)).code, 'WRONG_USAGE');
      assert.equal(verifier.verify(fixture('custom-eku.pem'), { ...AT, usage: '1.3.6.1.4.1.99999.1' }).pinned, false);
    });

    it('accepts a pinned certificate by itself, within its validity', () => {
      const verifier = certgate.createVerifier({ pinned: fixture('pinned-client.pem') });
      const result = verifier.verify(fixture('pinned-client.pem'), AT);
      assert.equal(result.pinned, true);
      assert.equal(result.path.length, 1);
      assert.equal(thrown(() => verifier.verify(fixture('alice.pem'), AT)).code, 'UNKNOWN_ISSUER');
      assert.equal(thrown(() => verifier.verify(fixture('pinned-client.pem'), { time: 4_000_000_000 })).code, 'CERT_EXPIRED');
    });

    it('applies config: skew, maxPathLen, requireEku, profile relaxations', () => {
      const trust = fixture('root-ca.pem');
      // expired.pem's notAfter is 2026-01-02T00:00:00Z = 1767312000.
      const justAfter = { time: 1_767_312_000 + 60 };
      assert.equal(thrown(() => certgate.createVerifier({ trust }).verify(fixture('expired.pem'), justAfter)).code, 'CERT_EXPIRED');
      assert.equal(certgate.createVerifier({ trust, config: { skewSecs: 120 } }).verify(fixture('expired.pem'), justAfter).pinned, false);
      assert.equal(
        thrown(() => certgate.createVerifier({ trust, config: { maxPathLen: 2 } }).verify(fixture('alice.pem'), AT)).code,
        'CHAIN_TOO_LONG',
      );
      assert.equal(
        thrown(() => certgate.createVerifier({ trust, config: { requireEku: true } }).verify(fixture('no-eku.pem'), AT)).code,
        'WRONG_USAGE',
      );
      const relaxed = certgate.createVerifier({ trust, config: { profile: { allowMissingKeyIdentifiers: true } } });
      assert.equal(relaxed.verify(fixture('no-aki.pem'), AT).pinned, false);
      const webpkiOnly = certgate.createVerifier({ trust, config: { profile: { rfc5280: false, cabfServer: false, allowMissingKeyIdentifiers: true } } });
      assert.equal(webpkiOnly.verify(fixture('serial-zero.pem'), AT).pinned, false);
    });

    it('refuses what ring refuses even where OpenSSL would accept: RSA-1024 issuers, SHA-1', () => {
      // webpki reports a key that ring refuses as a bad signature for that key.
      const expected = { rsa1024: 'BAD_SIGNATURE', sha1: 'UNSUPPORTED_SIGNATURE_ALGORITHM', rsa2048: null };
      for (const [kind, code] of Object.entries(expected)) {
        const { root, chain } = generateChain(kind);
        const verifier = certgate.createVerifier({ trust: root });
        assert.deepEqual(outcome(() => verifier.verify(chain))[0], code, kind);
      }
    });

    it('restricts signature algorithms by name (signatureAlgorithms)', () => {
      const trust = fixture('root-ca.pem');
      const verify = (signatureAlgorithms) => outcome(() => certgate.createVerifier({ trust, signatureAlgorithms }).verify(fixture('alice.pem'), AT))[0];
      // alice.pem and its issuers are signed with ecdsa-with-SHA256.
      assert.equal(verify(undefined), null);
      assert.equal(verify(['ecdsa-sha256']), null);
      assert.equal(verify(['rsa-pkcs1-sha256', 'ecdsa-sha256']), null);
      assert.equal(verify(['ed25519', 'ecdsa-sha384']), 'UNSUPPORTED_SIGNATURE_ALGORITHM');
      assert.equal(verify([]), 'UNSUPPORTED_SIGNATURE_ALGORITHM');
      const ed25519 = certgate.createVerifier({ trust: fixture('bench/ed25519/root.pem'), signatureAlgorithms: ['ed25519'] });
      assert.equal(ed25519.verify(fixture('bench/ed25519/chain.pem'), AT).path.length, 3);
      for (const bad of [['md5'], 'ed25519', [1]]) {
        assert.equal(thrown(() => certgate.createVerifier({ trust, signatureAlgorithms: bad })).code, 'INVALID_CONFIG', String(bad));
      }
    });

    it('applies a Public Suffix List to serverAuth wildcards (publicSuffixes)', () => {
      // A serverAuth leaf for `*.co.uk` (x509-limbo's webpki::san::public-suffix-multi-label-wildcard-san).
      const testcase = limboCase('webpki::san::public-suffix-multi-label-wildcard-san');
      const options = { ...AT, usage: 'serverAuth', hostname: 'example.co.uk' };
      const verify = (publicSuffixes) => outcome(() => certgate.createVerifier({ trust: testcase.trusted_certs, publicSuffixes }).verify(testcase.peer_certificate, options))[0];
      assert.equal(verify(undefined), null);
      assert.equal(verify('// a list of one rule\nuk\n'), null);
      assert.equal(verify('// a list of two rules\nuk\nco.uk\n'), 'PROFILE_VIOLATION');
      assert.equal(thrown(() => certgate.createVerifier({ trust: testcase.trusted_certs, publicSuffixes: 42 })).code, 'INVALID_CONFIG');
    });

    it('reports the chain limits: NO_CERTIFICATE, TOO_MANY_CERTIFICATES, INPUT_TOO_LARGE', () => {
      const verifier = certgate.createVerifier({ trust: fixture('root-ca.pem') });
      for (const empty of [[], '', ' \n', null, undefined]) {
        assert.equal(thrown(() => verifier.verify(empty, AT)).code, 'NO_CERTIFICATE');
      }
      const [leaf] = ders('alice.pem');
      assert.equal(thrown(() => verifier.verify(new Array(33).fill(leaf), AT)).code, 'TOO_MANY_CERTIFICATES');
      const small = certgate.createVerifier({ trust: fixture('root-ca.pem'), config: { limits: { chainBytes: 600 } } });
      assert.equal(thrown(() => small.verify(fixture('alice.pem'), AT)).code, 'INPUT_TOO_LARGE');
    });

    it('throws CertgateError objects with code, certIndex and details', () => {
      const verifier = certgate.createVerifier({ trust: fixture('root-ca.pem') });
      const err = thrown(() => verifier.verify(fixture('expired-intermediate.pem'), AT));
      assert.ok(err instanceof Error);
      assert.equal(err.name, 'CertgateError');
      assert.ok(certgate.isCertgateError(err));
      assert.equal(certgate.isCertgateError(new Error('x')), false);
      assert.equal(err.code, 'CERT_EXPIRED');
      assert.equal(err.certIndex, 1);
      assert.match(err.message, /expired on 2026-03-01T00:00:00Z/);
      assert.equal(err.details.httpStatus, 403);
      assert.equal(err.details.certificate.notAfter, '2026-03-01T00:00:00Z');
      assert.match(err.details.certificate.sha256, /^[0-9a-f]{64}$/);
      const none = thrown(() => verifier.verify([], AT));
      assert.equal(none.details.httpStatus, 401);
      assert.equal(none.certIndex, null);
      assert.equal(none.details.certificate, null);
    });

    it('lists every code with its HTTP status', () => {
      const codes = certgate.codes();
      assert.ok(codes.length >= 38);
      const byCode = Object.fromEntries(codes.map((c) => [c.code, c.httpStatus]));
      assert.equal(byCode.NO_CERTIFICATE, 401);
      assert.equal(byCode.CERT_EXPIRED, 403);
      assert.equal(byCode.INVALID_CONFIG, 500);
    });
  });
}

describe('both builds give the same verdict, code, index and message', () => {
  let builds;
  before(async () => {
    builds = await Promise.all(BUILDS.map((b) => b.load()));
  });

  it('on every fixture chain against every fixture anchor set', () => {
    const fs = require('node:fs');
    const path = require('node:path');
    const { FIXTURES } = require('./builds.js');
    const chains = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.pem') && !f.endsWith('.crl.pem'));
    const anchorSets = [['root-ca.pem'], ['intermediate-ca.pem'], ['rogue-ca.pem', 'root-ca.pem'], ['mesh-root.pem'], ['distrusted-ca.pem']];
    let compared = 0;
    for (const anchors of anchorSets) {
      const verifiers = builds.map((c) => c.createVerifier({ trust: anchors.map(fixture) }));
      for (const chain of chains) {
        const text = fs.readFileSync(path.join(FIXTURES, chain), 'utf8');
        const [a, b] = verifiers.map((v) => {
          try {
            const r = v.verify(text, AT);
            return { ok: r.path.length };
          } catch (err) {
            return { code: err.code, certIndex: err.certIndex, message: err.message };
          }
        });
        assert.deepEqual(a, b, `${chain} against ${anchors}`);
        compared += 1;
      }
    }
    assert.equal(compared, anchorSets.length * chains.length);
    assert.ok(chains.length >= 35, `${chains.length} fixture chains`);
  });
});
