'use strict';
// node-demo behind Debian's nginx (scripts/test.sh installs nginx-light; CERTGATE_NGINX names
// another binary), as crates/certgate-server/tests/nginx.rs does for the native server: nginx
// terminates mutual TLS with `ssl_verify_client optional_no_ca` (any certificate gets
// through) and forwards `$ssl_client_escaped_cert` (the leaf alone) to node-demo's
// `[[listeners]]`, read from the same server.toml keys as certgate-server's:
//
// - `/api/…` → a plain-HTTP forwarded listener trusting only 127.0.0.2 (nginx's proxy_bind);
// - `/hop/…` → a TLS forwarded listener that accepts only nginx's own client certificate;
// - everything else → auth_request against the plain listener's `/auth`, then a backend.
//
// The nginx configuration is docs/proxies/nginx.conf with this test's ports and files. nginx
// and node-demo run on loopback ports, are bounded in time, and are stopped at the end.

const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');
const { describe, it, before, after } = require('node:test');
const { demoPki, REPO } = require('./pki.js');

const NGINX = process.env.CERTGATE_NGINX || '/usr/sbin/nginx';

/** nginx's `$ssl_client_escaped_cert`: every byte but unreserved characters escaped. */
function nginxEscape(pem) {
  return pem.replace(/[^A-Za-z0-9\-._~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** A free loopback port (the listener is closed again at once). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once `port` accepts a connection; fails after `ms`. */
async function waitForPort(port, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
}

/** Waits (up to 5 s) for an event matching `predicate` in a JSON-lines log. */
async function logged(events, predicate) {
  for (let i = 0; i < 250 && !events.some(predicate); i++) await new Promise((r) => setTimeout(r, 20));
  return events.find(predicate);
}

/** GET over HTTPS (through nginx, or to node-demo's TLS listener) as `client` (a demo client name, or null). */
function httpsGet(pki, port, urlPath, client, headers = {}) {
  return new Promise((resolve, reject) => {
    const identity = client ? pki.client(client) : {};
    const req = https.get(
      { host: '127.0.0.1', port, path: urlPath, servername: 'localhost', ca: pki.read('root-ca.pem'), ...identity, headers, agent: false, timeout: 10_000 },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/** GET over plain HTTP straight to a node-demo listener, from 127.0.0.1. */
function direct(port, urlPath, headers) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body) }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

describe('node-demo behind nginx (ssl_verify_client optional_no_ca, $ssl_client_escaped_cert)', () => {
  let pki;
  let demo;
  let nginx;
  let nginxPort;
  let forwardedPort;
  let hopPort;
  const events = [];

  before(async () => {
    assert.ok(fs.existsSync(NGINX), `no nginx at ${NGINX}: install Debian's nginx-light (scripts/test.sh does) or set CERTGATE_NGINX`);
    pki = demoPki();
    const dir = pki.dir;
    // nginx's own client certificate for the mTLS hop: a certificate of the demo PKI that
    // the hop listener pins (mallory's: the pin, not the name, is what counts).
    fs.copyFileSync(path.join(dir, 'clients/mallory.pem'), path.join(dir, 'proxy.pem'));
    fs.copyFileSync(path.join(dir, 'clients/mallory.key'), path.join(dir, 'proxy.key'));
    const toml = fs
      .readFileSync(path.join(dir, 'server.toml'), 'utf8')
      .replace(/^listen = .*$/m, 'listen = "127.0.0.1:0"')
      .concat(`
[[listeners]]
listen = "127.0.0.1:0"
tls = false
source = "forwarded"
format = "nginx"
header = "X-SSL-Client-Cert"
trusted_proxies = ["127.0.0.2/32"]
intermediates = ["intermediate-ca.pem"]
auth_request = true

[[listeners]]
listen = "127.0.0.1:0"
source = "forwarded"
format = "nginx"
proxy_certificates = ["proxy.pem"]
intermediates = ["intermediate-ca.pem"]
`);
    fs.writeFileSync(path.join(dir, 'server.toml'), toml);

    demo = spawn(process.execPath, [path.join(REPO, 'node-demo/server.mjs'), '--config', path.join(dir, 'server.toml')], { stdio: ['ignore', 'pipe', 'inherit'] });
    readline.createInterface({ input: demo.stdout }).on('line', (line) => events.push(JSON.parse(line)));
    const listening = async (n) => {
      await logged(events, () => events.filter((e) => e.event === 'listening' && e.source).length > n);
      const found = events.filter((e) => e.event === 'listening' && e.source)[n];
      assert.ok(found, `node-demo listener ${n} did not start: ${JSON.stringify(events)}`);
      return Number(found.addr.split(':').pop());
    };
    forwardedPort = await listening(0);
    hopPort = await listening(1);

    nginxPort = await freePort();
    const backendPort = await freePort();
    const body = fs
      .readFileSync(path.join(REPO, 'docs/proxies/nginx.conf'), 'utf8')
      .replaceAll('/etc/nginx/certgate/', `${dir}/`)
      .replace('listen 443 ssl;', `listen 127.0.0.1:${nginxPort} ssl;`)
      .replace('listen 127.0.0.1:8080;', `listen 127.0.0.1:${backendPort};`)
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${backendPort}`)
      .replaceAll('127.0.0.1:9080', `127.0.0.1:${forwardedPort}`)
      .replaceAll('127.0.0.1:9443', `127.0.0.1:${hopPort}`);
    for (const tmp of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.mkdirSync(path.join(dir, `tmp-${tmp}`), { recursive: true });
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(
      conf,
      `daemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log info;\n` +
        'events { worker_connections 64; }\n' +
        `http {\n  access_log ${dir}/access.log;\n  client_body_temp_path ${dir}/tmp-body;\n  proxy_temp_path ${dir}/tmp-proxy;\n` +
        `  fastcgi_temp_path ${dir}/tmp-fastcgi;\n  uwsgi_temp_path ${dir}/tmp-uwsgi;\n  scgi_temp_path ${dir}/tmp-scgi;\n${body}\n}\n`,
    );
    const args = ['-p', `${dir}/`, '-e', `${dir}/error.log`, '-c', conf];
    const check = spawnSync(NGINX, ['-t', ...args], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(check.status, 0, `nginx -t: ${check.stderr}`);
    nginx = spawn(NGINX, args, { stdio: 'ignore' });
    await waitForPort(nginxPort);
    await waitForPort(backendPort);
  });

  after(() => {
    // Only the processes this test started, by their handles.
    if (nginx && nginx.exitCode === null) nginx.kill('SIGTERM');
    if (demo && demo.exitCode === null) demo.kill('SIGTERM');
    if (pki) pki.cleanup();
  });

  it('forwards the leaf: alice 200, mallory 403, rogue refused by certgate, none 401', async () => {
    const alice = await httpsGet(pki, nginxPort, '/api/customer/1', 'alice');
    assert.deepEqual([alice.status, JSON.parse(alice.body)], [200, { id: 1, name: 'Customer1' }]);
    const whoami = JSON.parse((await httpsGet(pki, nginxPort, '/api/whoami', 'alice')).body);
    assert.equal(whoami.principal, 'alice');
    const mallory = await httpsGet(pki, nginxPort, '/api/customer/1', 'mallory');
    assert.deepEqual([mallory.status, JSON.parse(mallory.body).code], [403, 'ROLE_MISSING']);
    // nginx (optional_no_ca) let rogue's certificate through; certgate refuses its chain.
    const rogue = await httpsGet(pki, nginxPort, '/api/customer/1', 'rogue');
    assert.deepEqual([rogue.status, JSON.parse(rogue.body).code], [403, 'UNKNOWN_ISSUER']);
    const none = await httpsGet(pki, nginxPort, '/api/customer/1', null);
    assert.deepEqual([none.status, JSON.parse(none.body).code], [401, 'NO_CERTIFICATE']);
    // A client without a certificate that forges the header: nginx replaces it with its empty value.
    const forged = await httpsGet(pki, nginxPort, '/api/customer/1', null, { 'X-SSL-Client-Cert': nginxEscape(pki.read('clients/alice.pem', 'utf8')) });
    assert.deepEqual([forged.status, JSON.parse(forged.body).code], [401, 'NO_CERTIFICATE']);
  });

  it('over the mTLS hop, the header counts because nginx presents the pinned certificate', async () => {
    const alice = await httpsGet(pki, nginxPort, '/hop/customer/1', 'alice');
    assert.equal(alice.status, 200, alice.body);
    const mallory = await httpsGet(pki, nginxPort, '/hop/customer/1', 'mallory');
    assert.equal(JSON.parse(mallory.body).code, 'ROLE_MISSING');
  });

  it("refuses the mTLS hop's handshake to anyone without the pinned certificate, logged with its code", async () => {
    const from = events.length;
    for (const client of ['alice', null]) {
      const answer = await httpsGet(pki, hopPort, '/customer/1', client).then((res) => res, (error) => ({ error }));
      assert.ok(answer.error, `${client} got ${answer.status}`);
    }
    const address = `127.0.0.1:${hopPort}`;
    for (const code of ['UNKNOWN_ISSUER', 'NO_CERTIFICATE']) {
      const line = await logged(events, (e) => events.indexOf(e) >= from && e.event === 'handshake_failed' && e.code === code);
      assert.ok(line, `no handshake_failed ${code}: ${JSON.stringify(events.slice(from))}`);
      assert.equal(line.listener, address);
    }
  });

  it('answers auth_request for a backend: principal and roles, or the refusal code', async () => {
    const alice = await httpsGet(pki, nginxPort, '/customer/1', 'alice');
    assert.equal(alice.status, 200, alice.body);
    assert.match(alice.body, /^backend: principal=alice roles=user uri=\/customer\/1/);
    const mallory = await httpsGet(pki, nginxPort, '/customer/1', 'mallory');
    assert.deepEqual([mallory.status, mallory.headers['x-certgate-code']], [403, 'ROLE_MISSING']);
    const rogue = await httpsGet(pki, nginxPort, '/customer/1', 'rogue');
    assert.deepEqual([rogue.status, rogue.headers['x-certgate-code']], [403, 'UNKNOWN_ISSUER']);
    const none = await httpsGet(pki, nginxPort, '/customer/1', null);
    assert.deepEqual([none.status, none.headers['x-certgate-code']], [401, 'NO_CERTIFICATE']);
  });

  it('does not trust a forged X-SSL-Client-Cert sent to node-demo directly: ignored and logged', async () => {
    const forged = { 'X-SSL-Client-Cert': nginxEscape(pki.read('clients/alice.pem', 'utf8')) };
    const answer = await direct(forwardedPort, '/customer/1', forged);
    assert.deepEqual([answer.status, answer.body.code], [401, 'NO_CERTIFICATE']);
    const auth = await direct(forwardedPort, '/auth', { ...forged, 'X-Original-URI': '/customer/1' });
    assert.deepEqual([auth.status, auth.body.code], [401, 'NO_CERTIFICATE']);
    const event = await logged(events, (e) => e.event === 'forwarded_header_untrusted' && e.peer.startsWith('127.0.0.1:'));
    assert.ok(event, 'the ignored header is logged');
    assert.deepEqual(event.headers, ['x-ssl-client-cert']);
    assert.equal(event.reason, 'the sender is not a trusted proxy');
    // The main TLS listener takes the handshake's certificate only: the header is logged too.
    const main = Number(events.find((e) => e.event === 'listening' && !e.source).addr.split(':').pop());
    const tlsAnswer = await httpsGet(pki, main, '/customer/1', null, forged);
    assert.deepEqual([tlsAnswer.status, JSON.parse(tlsAnswer.body).code], [401, 'NO_CERTIFICATE']);
    const tlsEvent = await logged(events, (e) => e.event === 'forwarded_header_untrusted' && e.reason === 'this route takes the certificate from TLS');
    assert.ok(tlsEvent, 'the header sent to the TLS listener is logged');
  });
});
