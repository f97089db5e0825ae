'use strict';
// Inspection records through both builds: the same fields the CLI's JSON and the inspector
// page show, decoded by the core.

const assert = require('node:assert/strict');
const { createHash } = require('node:crypto');
const { describe, it, before } = require('node:test');
const { BUILDS, FIXED_TIME, fixture, ders, thrown } = require('./builds.js');

for (const build of BUILDS) {
  describe(`inspect (${build.name} build)`, () => {
    let certgate;
    before(async () => {
      certgate = await build.load();
    });

    it('decodes a client certificate from PEM', () => {
      const alice = certgate.inspect(fixture('alice.pem'), { time: FIXED_TIME });
      assert.equal(alice.version, 3);
      assert.equal(alice.subject.rfc4514, 'CN=alice,OU=Engineering,O=certgate Test,C=GB');
      assert.deepEqual(alice.subject.attributes.map((a) => a.name), ['C', 'O', 'OU', 'CN']);
      assert.equal(alice.serial, '0a11ce');
      assert.equal(alice.validity.notBefore, '2026-01-01T00:00:00Z');
      assert.equal(alice.validity.notAfter, '2027-01-01T00:00:00Z');
      assert.deepEqual(alice.extendedKeyUsage, ['clientAuth']);
      assert.equal(alice.publicKey.algorithm, 'EC');
      assert.equal(alice.publicKey.curve, 'P-256');
      assert.equal(alice.isCa, false);
      assert.equal(alice.selfSigned, false);
      assert.ok(alice.spiffeId.startsWith('spiffe://'));
      assert.equal(alice.status.state, 'valid');
      const [der] = ders('alice.pem');
      assert.equal(alice.fingerprints.sha256, createHash('sha256').update(der).digest('hex'));
      assert.equal(alice.fingerprints.sha1, createHash('sha1').update(der).digest('hex'));
    });

    it('decodes DER and reports status relative to the given time', () => {
      const [der] = ders('expired.pem');
      const expired = certgate.inspect(der, { time: FIXED_TIME });
      assert.equal(expired.status.state, 'expired');
      assert.ok(expired.status.daysUntilExpiry < 0);
      const early = certgate.inspect(der, { time: 1_735_689_600 + 86_400 });
      assert.equal(early.status.state, 'valid');
    });

    it('decodes CA certificates and whole bundles in order', () => {
      const root = certgate.inspect(fixture('root-ca.pem'), { time: FIXED_TIME });
      assert.equal(root.isCa, true);
      assert.equal(root.selfSigned, true);
      assert.equal(root.basicConstraints.ca, true);
      assert.ok(root.keyUsage.includes('keyCertSign'));
      const all = certgate.inspectAll(fixture('deep-chain.pem'), { time: FIXED_TIME });
      assert.equal(all.length, 8);
      assert.equal(all[0].isCa, false);
      assert.ok(all.slice(1).every((c) => c.isCa));
    });

    it('gives the same record as a verified chain gives for its leaf', () => {
      const verifier = certgate.createVerifier({ trust: fixture('root-ca.pem') });
      const result = verifier.verify(fixture('alice.pem'), { time: FIXED_TIME });
      assert.deepEqual(result.leaf, certgate.inspect(fixture('alice.pem'), { time: FIXED_TIME }));
    });

    it('refuses input without a certificate with a code', () => {
      assert.equal(thrown(() => certgate.inspect('')).code, 'NO_CERTIFICATE');
      assert.equal(thrown(() => certgate.inspect('  \n')).code, 'NO_CERTIFICATE');
      assert.equal(thrown(() => certgate.inspect('# a comment, no PEM block\n')).code, 'MALFORMED_PEM');
      assert.equal(thrown(() => certgate.inspect(42)).code, 'INVALID_CONFIG');
      assert.equal(thrown(() => certgate.inspect(fixture('alice.pem'), { when: 1 })).code, 'INVALID_CONFIG');
    });
  });
}
