'use strict';
// The two builds against each other on every x509-limbo case (../shared/conformance, the
// suite the conformance harness runs on the native core): the Node build's node:crypto
// signatures must give exactly the verdict, code, certificate index and message of the
// pure-wasm ring build — never an accept the other refuses. Whether a verdict is *right* is
// the conformance harness's question (tests/limbo), not this file's.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { describe, it, before } = require('node:test');
const { BUILDS } = require('./builds.js');
const { REPO } = require('./pki.js');

const SUITE = path.resolve(REPO, '../shared/conformance/limbo-dev.json.gz');

/** What a build answers for one case: creation or verification failure, or the path length. */
function run(certgate, testcase) {
  let verifier;
  try {
    verifier = certgate.createVerifier({
      trust: testcase.trusted_certs,
      crls: testcase.crls.length ? testcase.crls : undefined,
      config: testcase.max_chain_depth != null ? { maxPathLen: Math.max(2, testcase.max_chain_depth + 1) } : undefined,
    });
  } catch (err) {
    return { stage: 'create', code: err.code, certIndex: err.certIndex, message: err.message };
  }
  const name = testcase.expected_peer_name;
  const options = {
    usage: testcase.validation_kind === 'CLIENT' ? 'clientAuth' : 'serverAuth',
    time: testcase.validation_time ? new Date(testcase.validation_time) : undefined,
    hostname: name && (name.kind === 'DNS' || name.kind === 'IP') ? name.value : undefined,
  };
  try {
    const result = verifier.verify([testcase.peer_certificate, ...testcase.untrusted_intermediates], options);
    const out = { stage: 'verified', path: result.path.length, pinned: result.pinned };
    result.free();
    return out;
  } catch (err) {
    return { stage: 'verify', code: err.code, certIndex: err.certIndex, message: err.message };
  } finally {
    verifier.free();
  }
}

describe('x509-limbo: the Node build and the web build agree on every case', () => {
  let builds;
  let suite;
  before(async () => {
    builds = await Promise.all(BUILDS.map((b) => b.load()));
    assert.ok(fs.existsSync(SUITE), `the limbo suite is missing: ${SUITE}`);
    suite = JSON.parse(zlib.gunzipSync(fs.readFileSync(SUITE)));
  });

  it('same verdict, code, certIndex and message', () => {
    const differences = [];
    let accepted = 0;
    for (const testcase of suite.testcases) {
      // A case without a validation time is checked "now" by both builds; the clock may tick
      // between the two calls, which is harmless for dates years apart.
      const [node, web] = builds.map((certgate) => run(certgate, testcase));
      if (node.stage === 'verified') accepted += 1;
      try {
        assert.deepEqual(node, web);
      } catch {
        differences.push(`${testcase.id}: node ${JSON.stringify(node)} web ${JSON.stringify(web)}`);
      }
    }
    assert.deepEqual(differences, [], `${differences.length} of ${suite.testcases.length} cases differ`);
    assert.ok(suite.testcases.length > 7000);
    // A guard against a degenerate agreement (everything refused by both): 737 of 7,993 on 2026-11-22.
    assert.ok(accepted > 500, `only ${accepted} cases accepted`);
  });
});
