'use strict';
// Route policy through both builds: principal and roles on the verify result, authorize and
// explain per request, and policy documents refused at load with INVALID_POLICY.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, it, before } = require('node:test');
const { BUILDS, FIXED_TIME, fixture, thrown } = require('./builds.js');
const { REPO } = require('./pki.js');

const AT = { time: FIXED_TIME };

/**
 * The demo policy (`certgate demo`'s, read from the CLI's source so there is one copy), with a
 * grant and an admin route added for the cases it has none of.
 */
const POLICY = `${fs.readFileSync(path.join(REPO, 'crates/certgate-cli/src/demo-policy.toml'), 'utf8')}
[[grants]]
match = { subject = { OU = "Engineering" } }
roles = ["engineer"]

[[routes]]
path = "/admin/**"
roles = ["engineer"]
require = { subject = { CN = "root" } }
`;

for (const build of BUILDS) {
  describe(`policy (${build.name} build)`, () => {
    let certgate;
    let verifier;
    let alice;
    let other;
    before(async () => {
      certgate = await build.load();
      verifier = certgate.createVerifier({ trust: fixture('root-ca.pem'), policy: POLICY });
      alice = verifier.verify(fixture('alice.pem'), AT);
      other = verifier.verify(fixture('no-eku.pem'), AT);
    });

    it('gives the verified client its principal and roles', () => {
      assert.equal(alice.principal, 'alice');
      assert.deepEqual(alice.roles, ['engineer', 'user']);
      assert.notEqual(other.principal, 'alice');
      assert.ok(!other.roles.includes('user'));
    });

    it('gives roles from the roles table and grants whatever the routes say', () => {
      const anonymousRoot = certgate.createVerifier({
        trust: fixture('root-ca.pem'),
        policy: { roles: { alice: ['user'] }, routes: [{ path: '/', access: 'anonymous' }, { path: '/**', roles: ['user'] }] },
      });
      assert.deepEqual(anonymousRoot.verify(fixture('alice.pem'), AT).roles, ['user']);
    });

    it('refuses Unicode property classes in regexes and folds ASCII case with (?i)', () => {
      const trust = fixture('root-ca.pem');
      for (const regex of ['\\p{Greek}', 'CN=\\pL+', '[\\P{L}]']) {
        const err = thrown(() => certgate.createVerifier({ trust, policy: { require: { subject_regex: regex } } }));
        assert.equal(err.code, 'INVALID_POLICY', regex);
        assert.match(err.message, /Unicode property class/);
      }
      const policy = { require: { subject_regex: '(?i)cn=\\w+,OU=ENGINEERING,.*' }, default: { access: 'authenticated' } };
      const unicode = certgate.createVerifier({ trust, policy });
      const result = unicode.verify(fixture('alice.pem'), AT);
      assert.equal(unicode.authorize(result, 'GET', '/').principal, 'alice');
    });

    it('gives the same roles as a decision and an explanation for the same client', () => {
      assert.deepEqual(alice.roles, verifier.authorize(alice, 'GET', '/customer/1').roles);
      assert.deepEqual(alice.roles, verifier.explain(alice, 'GET', '/admin/x').roles);
      assert.deepEqual(other.roles, verifier.explain(other, 'GET', '/whoami').roles);
    });

    it('authorizes per route: anonymous, authenticated, roles, require, deny', () => {
      assert.deepEqual(verifier.authorize(alice, 'GET', '/customer/1'), {
        rule: 'routes[2]',
        authenticated: true,
        principal: 'alice',
        roles: ['engineer', 'user'],
      });
      assert.equal(verifier.authorize(other, 'GET', '/whoami').principal, other.principal);
      let err = thrown(() => verifier.authorize(other, 'GET', '/customer/1'));
      assert.equal(err.code, 'ROLE_MISSING');
      assert.equal(err.details.httpStatus, 403);
      err = thrown(() => verifier.authorize(alice, 'POST', '/customer/1'));
      assert.equal(err.code, 'POLICY_NO_MATCH', 'no route covers POST; the default denies');
      err = thrown(() => verifier.authorize(alice, 'GET', '/admin/x'));
      assert.equal(err.code, 'POLICY_NO_MATCH', "the route's require does not match alice");
      assert.equal(verifier.authorizeAnonymous('GET', '/health').authenticated, false);
      err = thrown(() => verifier.authorizeAnonymous('GET', '/whoami'));
      assert.equal(err.code, 'NO_CERTIFICATE');
      assert.equal(err.details.httpStatus, 401);
      err = thrown(() => verifier.authorize(alice, 'GET', '/customer/../admin/x'));
      assert.equal(err.code, 'POLICY_NO_MATCH', 'ambiguous paths are refused');
    });

    it('explains a decision step by step', () => {
      const explanation = verifier.explain(other, 'GET', '/customer/1');
      assert.equal(explanation.outcome.allowed, false);
      assert.equal(explanation.outcome.code, 'ROLE_MISSING');
      assert.equal(explanation.outcome.status, 403);
      assert.ok(explanation.steps.length > 0);
      assert.equal(verifier.explainAnonymous('GET', '/health').outcome.allowed, true);
    });

    it('takes the policy as an object with the same schema', () => {
      const fromObject = certgate.createVerifier({
        trust: fixture('root-ca.pem'),
        policy: {
          roles: { alice: ['user'] },
          routes: [{ methods: ['GET'], path: '/customer/{id}', roles: ['user'] }],
        },
      });
      const result = fromObject.verify(fixture('alice.pem'), AT);
      assert.deepEqual(fromObject.authorize(result, 'GET', '/customer/7').roles, ['user']);
      assert.equal(thrown(() => fromObject.authorize(result, 'GET', '/other')).code, 'POLICY_NO_MATCH');
    });

    it('admits every verified client when no policy is given, naming it by its CN', () => {
      const open = certgate.createVerifier({ trust: fixture('root-ca.pem') });
      const result = open.verify(fixture('alice.pem'), AT);
      assert.equal(open.authorize(result, 'DELETE', '/anything').principal, 'alice');
      assert.equal(thrown(() => open.authorizeAnonymous('GET', '/')).code, 'NO_CERTIFICATE');
    });

    it('refuses bad policies at load with INVALID_POLICY, the field and the line', () => {
      const trust = fixture('root-ca.pem');
      let err = thrown(() => certgate.createVerifier({ trust, policy: '[[routes]]\npath = "/x"\nrolse = ["user"]\n' }));
      assert.equal(err.code, 'INVALID_POLICY');
      assert.equal(err.details.httpStatus, 500);
      assert.equal(err.details.line, 3);
      err = thrown(() => certgate.createVerifier({ trust, policy: '[[routes]]\npath = "/x"\nroles = ["nobody-has-this"]\n' }));
      assert.equal(err.code, 'INVALID_POLICY');
      assert.match(err.details.field, /^routes\[0\]\.roles/);
      err = thrown(() => certgate.createVerifier({ trust, policy: { routes: [{ path: '/x', rolse: ['user'] }] } }));
      assert.equal(err.code, 'INVALID_POLICY', 'a misspelt key in an object fails as in TOML');
      err = thrown(() => certgate.createVerifier({ trust, policy: { require: { subject_regex: '(' } } }));
      assert.equal(err.code, 'INVALID_POLICY');
      err = thrown(() => certgate.createVerifier({ trust, policy: 42 }));
      assert.equal(err.code, 'INVALID_CONFIG');
    });
  });
}
