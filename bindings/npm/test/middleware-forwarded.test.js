'use strict';
// The middleware behind a proxy (option `listener`, server.toml `[[listeners]]` keys): a
// plain-HTTP server on loopback where this test plays the proxy. The header counts only from
// a trusted proxy address; from anyone else it is stripped, logged and the request has no
// certificate; per-route sources; the proxy's own certificate on an mTLS hop; config errors.

const assert = require('node:assert/strict');
const http = require('node:http');
const https = require('node:https');
const { describe, it, before, after } = require('node:test');
const certgate = require('..');
const { demoPki } = require('./pki.js');

let pki;
before(() => {
  pki = demoPki();
});
after(() => pki.cleanup());

/** nginx's `$ssl_client_escaped_cert`: every byte but unreserved characters escaped. */
function nginxEscape(pem) {
  return pem.replace(/[^A-Za-z0-9\-._~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The first certificate of a PEM file: nginx forwards the leaf alone. */
function leaf(name) {
  return pki.read(`clients/${name}.pem`, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/)[0];
}

function verifier() {
  return certgate.createVerifier({ trust: pki.read('root-ca.pem'), crls: [pki.read('crl.pem')], policy: pki.read('policy.toml', 'utf8') });
}

/** Starts a plain-HTTP server with the middleware; resolves to {port, close, logs, seen}. */
async function serve(listener, { clientAuth = 'optional' } = {}) {
  const logs = [];
  const seen = [];
  const mw = certgate.middleware({ verifier: verifier(), clientAuth, listener, log: (event, fields) => logs.push({ event, ...fields }) });
  const server = http.createServer((req, res) =>
    mw(req, res, () => {
      seen.push({ ...req.headers });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ principal: req.certgate.principal ?? null }));
    }),
  );
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => new Promise((r) => server.close(r)), logs, seen };
}

/** GET over plain HTTP from `localAddress`, bounded in time. */
function get(port, path, headers = {}, localAddress = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, localAddress, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body) }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

const NGINX = () => ({
  source: 'forwarded',
  format: 'nginx',
  trusted_proxies: ['127.0.0.1/32'],
  intermediates: [pki.read('intermediate-ca.pem')],
});

describe('middleware listener: forwarded certificates', () => {
  it('names alice, refuses mallory, rogue and a forged chain, 401 without a header', async () => {
    const s = await serve(NGINX());
    try {
      const as = (name) => ({ 'x-ssl-client-cert': nginxEscape(leaf(name)) });
      const alice = await get(s.port, '/customer/1', as('alice'));
      assert.deepEqual([alice.status, alice.body.principal], [200, 'alice']);
      const mallory = await get(s.port, '/customer/1', as('mallory'));
      assert.deepEqual([mallory.status, mallory.body.code], [403, 'ROLE_MISSING']);
      const rogue = await get(s.port, '/customer/1', as('rogue'));
      assert.deepEqual([rogue.status, rogue.body.code], [403, 'UNKNOWN_ISSUER']);
      const none = await get(s.port, '/customer/1');
      assert.deepEqual([none.status, none.body.code], [401, 'NO_CERTIFICATE']);
      const empty = await get(s.port, '/customer/1', { 'x-ssl-client-cert': '' });
      assert.deepEqual([empty.status, empty.body.code], [401, 'NO_CERTIFICATE']);
      const garbage = await get(s.port, '/customer/1', { 'x-ssl-client-cert': '-----BEGIN%20CERTIFICATE-----%0A%ZZ' });
      assert.deepEqual([garbage.status, garbage.body.code], [403, 'MALFORMED_PEM']);
      assert.equal(s.logs.length, 0, 'a trusted proxy is not logged');
    } finally {
      await s.close();
    }
  });

  it('strips, ignores and logs a header from an untrusted sender', async () => {
    const s = await serve({ ...NGINX(), trusted_proxies: ['127.0.0.2/32'] });
    try {
      const forged = { 'x-ssl-client-cert': nginxEscape(leaf('alice')), 'x-forwarded-client-cert': 'Hash=00' };
      const answer = await get(s.port, '/customer/1', forged);
      assert.deepEqual([answer.status, answer.body.code], [401, 'NO_CERTIFICATE']);
      const logged = s.logs.find((l) => l.event === 'forwarded_header_untrusted');
      assert.ok(logged, JSON.stringify(s.logs));
      assert.deepEqual(logged.headers.sort(), ['x-forwarded-client-cert', 'x-ssl-client-cert']);
      assert.equal(logged.reason, 'the sender is not a trusted proxy');
      // /health is anonymous: the request reaches the handler, without the forged headers.
      const health = await get(s.port, '/health', forged);
      assert.equal(health.status, 200);
      assert.equal(s.seen.at(-1)['x-ssl-client-cert'], undefined);
      assert.equal(s.seen.at(-1)['x-forwarded-client-cert'], undefined);
      // From the trusted address (127.0.0.2 is loopback too) the same header counts.
      const trusted = await get(s.port, '/customer/1', forged, '127.0.0.2');
      assert.deepEqual([trusted.status, trusted.body.principal], [200, 'alice']);
    } finally {
      await s.close();
    }
  });

  it('takes each route from its own source', async () => {
    const s = await serve({
      ...NGINX(),
      routes: [
        { path: '/whoami', source: 'forwarded', format: 'envoy-xfcc' },
        { path: '/customer/2/', source: 'forwarded', header: 'X-Client-Cert' },
      ],
    });
    try {
      const nginx = { 'x-ssl-client-cert': nginxEscape(leaf('alice')) };
      const xfcc = { 'x-forwarded-client-cert': `By=spiffe://client;Cert="${nginxEscape(leaf('mallory'))}",Hash=ff;Cert="${nginxEscape(leaf('alice'))}"` };
      // XFCC on /whoami: the last element (the trusted hop's) is alice's.
      assert.deepEqual((await get(s.port, '/whoami', xfcc)).body.principal, 'alice');
      assert.equal((await get(s.port, '/whoami', nginx)).status, 401);
      assert.equal((await get(s.port, '/customer/1', nginx)).status, 200);
      assert.equal((await get(s.port, '/customer/2', nginx)).status, 401);
      assert.equal((await get(s.port, '/customer/2', { 'x-client-cert': nginx['x-ssl-client-cert'] })).status, 200);
    } finally {
      await s.close();
    }
  });

  it('on an mTLS hop honours the header only with the proxy certificate', async () => {
    const proxyPem = leaf('mallory');
    const mw = certgate.middleware({
      verifier: verifier(),
      clientAuth: 'optional',
      log: () => {},
      listener: { source: 'forwarded', format: 'nginx', proxy_certificates: [proxyPem], intermediates: [pki.read('intermediate-ca.pem')] },
    });
    const server = https.createServer(certgate.tlsServerOptions({ cert: pki.read('server.pem'), key: pki.read('server.key') }), (req, res) =>
      mw(req, res, () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ principal: req.certgate.principal }));
      }),
    );
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const call = (client) =>
      new Promise((resolve, reject) => {
        const req = https.get(
          { host: '127.0.0.1', servername: 'localhost', port: server.address().port, path: '/customer/1', ca: pki.read('root-ca.pem'), ...client, headers: { 'x-ssl-client-cert': nginxEscape(leaf('alice')) }, timeout: 10_000 },
          (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body) }));
          },
        );
        req.on('timeout', () => req.destroy(new Error('timed out')));
        req.on('error', reject);
      });
    try {
      const proxied = await call(pki.client('mallory'));
      assert.deepEqual([proxied.status, proxied.body.principal], [200, 'alice']);
      const other = await call(pki.client('alice'));
      assert.deepEqual([other.status, other.body.code], [401, 'NO_CERTIFICATE']);
      const anonymous = await call({});
      assert.deepEqual([anonymous.status, anonymous.body.code], [401, 'NO_CERTIFICATE']);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('logs the peer as certgate-server writes it: [v6]:port', () => {
    const logs = [];
    const source = certgate.certificateSource({ ...NGINX(), trusted_proxies: ['127.0.0.2/32'] }, verifier(), (event, fields) => logs.push({ event, ...fields }));
    for (const [remoteAddress, peer] of [['::1', '[::1]:4433'], ['127.0.0.1', '127.0.0.1:4433']]) {
      const req = { url: '/customer/1', headers: { 'x-ssl-client-cert': nginxEscape(leaf('alice')) }, socket: { remoteAddress, remotePort: 4433 } };
      assert.deepEqual(source.presented(req, null), { kind: 'none' });
      assert.equal(logs.at(-1).peer, peer);
    }
  });

  it("matches the peer against trusted_proxies as certgate-server does (the core's ranges)", () => {
    const source = certgate.certificateSource({ ...NGINX(), trusted_proxies: ['127.0.0.0/8', '::ffff:10.0.0.0/104', 'fd00::/8'] }, verifier(), () => {});
    for (const [remoteAddress, kind] of [
      ['127.0.0.5', 'chain'],
      ['::ffff:127.0.0.5', 'chain'],
      ['10.9.9.9', 'chain'],
      ['fd12::1', 'chain'],
      ['128.0.0.1', 'none'],
      ['::1', 'none'],
      ['fd12::1%eth0', 'none'],
      ['', 'none'],
    ]) {
      const req = { url: '/customer/1', headers: { 'x-ssl-client-cert': nginxEscape(leaf('alice')) }, socket: { remoteAddress, remotePort: 4433 } };
      assert.equal(source.presented(req, null).kind, kind, remoteAddress);
    }
  });

  it('refuses listener settings that would trust anyone or cannot work', () => {
    for (const [listener, message] of [
      [{ source: 'forwarded', format: 'nginx' }, /trusted_proxies/],
      [{ source: 'forwarded', trusted_proxies: ['127.0.0.1'] }, /needs `format`/],
      [{ source: 'forwarded', format: 'apache', trusted_proxies: ['127.0.0.1'] }, /format = "apache"/],
      [{ source: 'forwarded', format: 'nginx', trusted_proxies: ['10.0.0.1/8'] }, /host bits/],
      [{ source: 'forwarded', format: 'nginx', trusted_proxies: ['localhost'] }, /trusted proxy range/],
      [{ source: 'forwarded', format: 'nginx', trusted_proxies: ['fe80::%eth0/64'] }, /trusted proxy range/],
      [{ source: 'forwarded', format: 'nginx', trusted_proxies: ['fe80::1%eth0'] }, /trusted proxy range/],
      [{ source: 'forwarded', format: 'nginx', trusted_proxies: ['10.0.0.0/+8'] }, /trusted proxy range/],
      [{ source: 'forwarded', format: 'nginx', trusted_proxies: [8] }, /trusted proxy range/],
      [{ format: 'nginx', trusted_proxies: ['127.0.0.1'] }, /forwarded"` only/],
      [{ routes: [{ path: 'x', source: 'forwarded' }] }, /must start with/],
      [{ routes: [{ path: '/x', source: 'tls', format: 'nginx' }] }, /forwarded"` only/],
      [{ format: 'nginx', trusted_proxies: ['127.0.0.1'], routes: [{ path: '/x', source: 'tls' }, { path: '/x/', source: 'forwarded' }] }, /appears twice/],
      [{ sauce: 'tls' }, /unknown listener key `sauce`/],
    ]) {
      assert.throws(() => certgate.middleware({ verifier: verifier(), listener }), (err) => err.code === 'INVALID_CONFIG' && message.test(err.message), JSON.stringify(listener));
    }
  });
});
