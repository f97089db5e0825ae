'use strict';
// Forwarded client certificates through both builds: each proxy convention decoded by the
// core's parser (crates/certgate/src/forwarded.rs), by name and detected, with its quirks,
// stable error codes, and a verifier's own limits.

const assert = require('node:assert/strict');
const { describe, it, before } = require('node:test');
const { BUILDS, FIXED_TIME, fixture, ders, thrown } = require('./builds.js');

const FORMATS = ['nginx', 'aws-alb', 'envoy-xfcc', 'traefik', 'rfc9440'];

/** PEM text of DER certificates, 64-column base64 as proxies print it. */
function pem(certs) {
  return certs
    .map((der) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`)
    .join('');
}

/** nginx `$ssl_client_escaped_cert`: every reserved character escaped, `+ / =` included. */
function nginx(certs) {
  return encodeURIComponent(pem(certs));
}

/** AWS ALB `X-Amzn-Mtls-Clientcert`: URL-encoded PEM that leaves base64's `+ / =` as they are. */
function alb(certs) {
  return encodeURIComponent(pem(certs)).replace(/%2B/g, '+').replace(/%2F/g, '/').replace(/%3D/g, '=');
}

/** One Envoy XFCC element carrying the chain, quoted, beside the fields Envoy adds. */
function xfcc(certs) {
  return `By=spiffe://cluster.local/ns/default/sa/api;Hash=00ff;Chain="${nginx(certs)}";Subject="CN=alice,O=x"`;
}

/** Traefik `X-Forwarded-Tls-Client-Cert`: comma-joined base64 DER, query-escaped. */
function traefik(certs) {
  return encodeURIComponent(certs.map((der) => der.toString('base64')).join(','));
}

/** RFC 9440 byte sequences: `Client-Cert` and `Client-Cert-Chain` joined as one list. */
function rfc9440(certs) {
  return certs.map((der) => `:${der.toString('base64')}:`).join(', ');
}

const ENCODERS = { nginx, 'aws-alb': alb, 'envoy-xfcc': xfcc, traefik, rfc9440 };

for (const build of BUILDS) {
  describe(`forwarded certificates (${build.name} build)`, () => {
    let certgate;
    let chain;
    before(async () => {
      certgate = await build.load();
      chain = ders('alice.pem');
    });

    it('lists the formats it reads', () => {
      assert.deepEqual(certgate.forwardedFormats(), FORMATS);
    });

    for (const format of FORMATS) {
      it(`decodes ${format} by name and the chain verifies`, () => {
        const decoded = certgate.decodeForwarded(ENCODERS[format](chain), format);
        assert.equal(decoded.format, format);
        assert.equal(decoded.header, null);
        assert.equal(decoded.ignoredElements, 0);
        assert.deepEqual(decoded.certificates.map((c) => Buffer.from(c)), chain);
        const verifier = certgate.createVerifier({ trust: fixture('root-ca.pem') });
        const result = verifier.verify(decoded.certificates, { time: FIXED_TIME });
        assert.equal(result.principal, 'alice');
        const own = verifier.decodeForwarded(ENCODERS[format](chain), format);
        assert.deepEqual(own.certificates.map((c) => Buffer.from(c)), chain);
      });
    }

    it('detects the format without a name, with a header prefix', () => {
      const [leaf, intermediate] = chain;
      const decoded = certgate.decodeForwarded(`Client-Cert: ${rfc9440([leaf])}\nClient-Cert-Chain: ${rfc9440([intermediate])}`);
      assert.equal(decoded.format, 'rfc9440');
      assert.equal(decoded.header, 'Client-Cert');
      assert.deepEqual(decoded.certificates.map((c) => Buffer.from(c)), chain);
      assert.equal(certgate.decodeForwarded(alb(chain)).format, 'aws-alb');
      assert.equal(certgate.decodeForwarded(nginx(chain)).format, 'nginx');
    });

    it("reports the XFCC elements before the last one, which it does not read", () => {
      const earlier = 'Hash=01;Subject="CN=mallory,O=x"';
      const named = certgate.decodeForwarded(`${earlier},${earlier},${xfcc(chain)}`, 'envoy-xfcc');
      assert.equal(named.ignoredElements, 2);
      assert.deepEqual(named.certificates.map((c) => Buffer.from(c)), chain);
      const json = `[{"hash":"01"},{"chain":"${nginx(chain)}"}]`;
      const detected = certgate.decodeForwarded(`x-forwarded-client-cert: ${json}\n${xfcc(chain)}`);
      assert.equal(detected.format, 'envoy-xfcc');
      assert.equal(detected.ignoredElements, 1);
      assert.equal(certgate.decodeForwarded(traefik(chain)).ignoredElements, 0);
    });

    it('keeps `+` as base64 in ALB values (never a space)', () => {
      const value = alb(chain);
      assert.ok(value.includes('+') || value.includes('/'), 'the fixture has + or / in its base64');
      assert.deepEqual(certgate.decodeForwarded(value, 'aws-alb').certificates.map((c) => Buffer.from(c)), chain);
    });

    it('refuses a value in another convention than the one named', () => {
      const err = thrown(() => certgate.decodeForwarded(rfc9440(chain), 'nginx'));
      assert.ok(certgate.isCertgateError(err));
      assert.equal(err.code, 'MALFORMED_PEM');
      assert.equal(thrown(() => certgate.decodeForwarded(nginx(chain), 'rfc9440')).code, 'MALFORMED_PEM');
      assert.equal(thrown(() => certgate.decodeForwarded(`Client-Cert: ${rfc9440(chain)}`, 'rfc9440')).code, 'MALFORMED_PEM');
    });

    it('gives stable codes for malformed values', () => {
      const cases = [
        ['-----BEGIN%20CERTIFICATE-----%0AMII%zz', 'nginx', 'MALFORMED_PEM'],
        [':not base64!:', 'rfc9440', 'MALFORMED_PEM'],
        ['MIIB,%%%', 'traefik', 'MALFORMED_PEM'],
        ['Hash=00;Cert="unterminated', 'envoy-xfcc', 'MALFORMED_PEM'],
        ['By=spiffe://a;Hash=00', 'envoy-xfcc', 'NO_CERTIFICATE'],
        ['   ', 'nginx', 'NO_CERTIFICATE'],
        ['A'.repeat(256 * 1024 + 1), 'traefik', 'INPUT_TOO_LARGE'],
      ];
      for (const [value, format, code] of cases) {
        const err = thrown(() => certgate.decodeForwarded(value, format));
        assert.ok(err instanceof Error, `${format} ${code}`);
        assert.equal(err.name, 'CertgateError');
        assert.equal(err.code, code, `${format}: ${err.message}`);
        assert.equal(typeof err.details.httpStatus, 'number');
      }
      assert.equal(thrown(() => certgate.decodeForwarded('<html>')).code, 'MALFORMED_PEM');
    });

    it('refuses unknown formats and non-string values with INVALID_CONFIG', () => {
      const unknown = thrown(() => certgate.decodeForwarded(nginx(chain), 'haproxy'));
      assert.equal(unknown.code, 'INVALID_CONFIG');
      assert.match(unknown.message, /unknown forwarded format `haproxy`; known: nginx, aws-alb/);
      assert.equal(thrown(() => certgate.decodeForwarded(nginx(chain), 7)).code, 'INVALID_CONFIG');
      assert.equal(thrown(() => certgate.decodeForwarded(Buffer.from(nginx(chain)), 'nginx')).code, 'INVALID_CONFIG');
      assert.equal(thrown(() => certgate.decodeForwarded(undefined)).code, 'INVALID_CONFIG');
      const verifier = certgate.createVerifier({ trust: fixture('root-ca.pem') });
      assert.equal(thrown(() => verifier.decodeForwarded(nginx(chain))).code, 'INVALID_CONFIG', 'a verifier needs the format');
    });

    it("applies the verifier's chain limits", () => {
      const deep = ders('deep-chain.pem');
      assert.equal(certgate.decodeForwarded(rfc9440(deep), 'rfc9440').certificates.length, deep.length);
      const verifier = certgate.createVerifier({ trust: fixture('root-ca.pem'), config: { limits: { chainCerts: 4 } } });
      assert.equal(thrown(() => verifier.decodeForwarded(rfc9440(deep), 'rfc9440')).code, 'TOO_MANY_CERTIFICATES');
      assert.equal(verifier.decodeForwarded(rfc9440(deep.slice(0, 4)), 'rfc9440').certificates.length, 4);
    });
  });
}
