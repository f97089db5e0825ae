'use strict';
// Policy-load parity: every regex in the core's shared vector list
// (crates/certgate/tests/policy/regex_vectors.json) loads, or is refused, in both wasm builds
// exactly as in the native core. The native verdicts are recorded in the same file and checked
// by crates/certgate/tests/policy_hostile.rs (regex_vectors_have_their_recorded_verdicts), so
// a pattern admitted by one build and refused by another fails one of the two tests: the size
// bound is a weight computed from the pattern text, never a pointer-width-dependent byte count.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, it, before } = require('node:test');
const { BUILDS, fixture, thrown } = require('./builds.js');

const VECTORS = path.resolve(__dirname, '../../../crates/certgate/tests/policy/regex_vectors.json');
const { vectors } = JSON.parse(fs.readFileSync(VECTORS, 'utf8'));

/** The vector's pattern: each part's text repeated its count, concatenated. */
function pattern(vector) {
  return vector.parts.map(([text, count]) => text.repeat(count)).join('');
}

for (const build of BUILDS) {
  describe(`policy-load parity with the native core (${build.name} build)`, () => {
    let certgate;
    let trust;
    before(async () => {
      certgate = await build.load();
      trust = fixture('root-ca.pem');
    });

    it('has vectors with both verdicts', () => {
      const admitted = vectors.filter((v) => v.verdict.code === 'OK').length;
      assert.ok(admitted >= 10 && vectors.length - admitted >= 10, `${admitted} of ${vectors.length} admitted`);
    });

    for (const vector of vectors) {
      it(`gives the native verdict: ${vector.name}`, () => {
        const policy = { require: { subject_regex: pattern(vector) } };
        const want = vector.verdict;
        if (want.code === 'OK') {
          const verifier = certgate.createVerifier({ trust, policy });
          assert.equal(typeof verifier.verify, 'function');
          verifier.free?.();
          return;
        }
        const err = thrown(() => certgate.createVerifier({ trust, policy }));
        assert.equal(err.code, want.code);
        assert.equal(err.message, want.message);
        assert.equal(err.details.field, want.field);
      });
    }
  });
}
