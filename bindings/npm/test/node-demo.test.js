'use strict';
// node-demo/server.mjs as a separate process with the server.toml of `certgate demo pki`,
// driven by Node HTTPS clients, curl and openssl s_client: the native server's routes, status
// codes, bodies, CertificateRequest CA names, certificate_required alert and head limits.

const assert = require('node:assert/strict');
const { execFile, spawn } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const readline = require('node:readline');
const tls = require('node:tls');
const { describe, it, before, after } = require('node:test');
const { demoPki, REPO } = require('./pki.js');
const { request, requestedCaNames } = require('./https.js');

/** Starts the demo on `config`; resolves to {proc, port, events} once it listens. */
async function startDemo(config) {
  const proc = spawn(process.execPath, [path.join(REPO, 'node-demo/server.mjs'), '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: proc.stdout });
  const events = [];
  const port = await new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`the demo server exited with ${code}`)));
    lines.on('line', (line) => {
      const event = JSON.parse(line);
      events.push(event);
      if (event.event === 'listening') resolve(Number(event.addr.split(':').pop()));
    });
  });
  return { proc, port, events };
}

/** Waits (up to 2 s) for the server's log to hold an event matching `predicate`. */
async function logged(events, predicate) {
  for (let i = 0; i < 100 && !events.some(predicate); i++) await new Promise((r) => setTimeout(r, 20));
  return events.find(predicate);
}

/** Sends `head` on one TLS connection as alice; resolves to everything the server answered. */
function rawRequest(port, pki, head) {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.read('root-ca.pem'), ...pki.client('alice') }, () => socket.write(head));
    const parts = [];
    socket.on('data', (d) => parts.push(d));
    socket.on('error', () => {}); // the server may close while the head is still being sent
    socket.on('close', () => resolve(Buffer.concat(parts).toString('latin1')));
    socket.setTimeout(10000, () => socket.destroy());
  });
}

/**
 * A GET request head of exactly `bytes` bytes (one padding header: `p`s, or with `spaces` the
 * whitespace Node's parser drops before a value) or with `headers` headers.
 */
function headOf({ bytes, headers, spaces = false }) {
  let head = 'GET /customer/1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n';
  if (headers !== undefined) {
    for (let i = 2; i < headers; i++) head += `X-H${i}: v\r\n`;
    return `${head}\r\n`;
  }
  if (spaces) return `${head}X-Pad:${' '.repeat(bytes - head.length - 'X-Pad:v\r\n\r\n'.length)}v\r\n\r\n`;
  const padding = bytes - head.length - 'X-Pad: \r\n\r\n'.length;
  return `${head}X-Pad: ${'p'.repeat(padding)}\r\n\r\n`;
}

describe('node-demo/server.mjs --config DIR/server.toml', () => {
  let pki;
  let server;
  let port;
  /** The demo's log, JSON lines parsed. */
  let events;

  /** The same demo with client_auth = "required". */
  let required;

  before(async () => {
    pki = demoPki();
    // The demo's own file, on a free port.
    const config = path.join(pki.dir, 'server.toml');
    const text = fs.readFileSync(config, 'utf8').replace(/^listen = .*$/m, 'listen = "127.0.0.1:0"');
    fs.writeFileSync(config, text);
    fs.writeFileSync(path.join(pki.dir, 'required.toml'), text.replace(/^client_auth = .*$/m, 'client_auth = "required"'));
    let demo;
    [demo, required] = await Promise.all([startDemo(config), startDemo(path.join(pki.dir, 'required.toml'))]);
    ({ proc: server, port, events } = demo);
  });

  after(() => {
    server.kill('SIGTERM');
    required.proc.kill('SIGTERM');
    pki.cleanup();
  });

  const ca = () => ({ ca: pki.read('root-ca.pem') });

  it('logs that it listens, with the client_auth mode of the file', () => {
    assert.equal(events[0].event, 'listening');
    assert.equal(events[0].client_auth, 'optional');
  });

  it('alice: 200 {"id":1,"name":"Customer1"} and her /whoami', async () => {
    const res = await request(port, '/customer/1', { ...ca(), ...pki.client('alice') });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { id: 1, name: 'Customer1' });
    assert.equal(res.headers['cache-control'], 'no-store');
    const who = await request(port, '/whoami', { ...ca(), ...pki.pfx('alice') });
    assert.equal(who.status, 200);
    assert.equal(who.body.principal, 'alice');
    assert.deepEqual(who.body.roles, ['user']);
    assert.equal(who.body.verdict.valid, true);
    assert.equal(who.body.certificate.subject.rfc4514, 'CN=alice,O=certgate demo');
  });

  it('mallory: 403 ROLE_MISSING on /customer/1, 200 on /whoami', async () => {
    const res = await request(port, '/customer/1', { ...ca(), ...pki.client('mallory') });
    assert.deepEqual([res.status, res.body.code], [403, 'ROLE_MISSING']);
    const who = await request(port, '/whoami', { ...ca(), ...pki.client('mallory') });
    assert.deepEqual([who.status, who.body.principal, who.body.roles], [200, 'mallory', []]);
  });

  it('expired and rogue: the connection is refused (client_auth = "optional")', async () => {
    for (const name of ['expired', 'rogue']) {
      const res = await request(port, '/health', { ...ca(), ...pki.client(name) });
      assert.ok(res.error, `${name} got an answer: ${res.status}`);
    }
    // The server's log line may arrive just after the client saw the connection close.
    // Logged as certgate-server logs it: `handshake_failed` with certgate's code.
    const refused = () => events.filter((e) => e.event === 'handshake_failed' && e.code).map((e) => e.code).sort();
    for (let i = 0; i < 100 && refused().length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(refused(), ['CERT_EXPIRED', 'UNKNOWN_ISSUER']);
  });

  it('no certificate: 401 NO_CERTIFICATE on protected routes, 200 on /health', async () => {
    const res = await request(port, '/customer/1', ca());
    assert.deepEqual([res.status, res.body.code], [401, 'NO_CERTIFICATE']);
    assert.deepEqual((await request(port, '/health', ca())).body, { status: 'ok' });
  });

  it('404 for unknown routes and customers, 403 for methods the policy denies', async () => {
    const alice = { ...ca(), ...pki.client('alice') };
    assert.equal((await request(port, '/customer/01', alice)).status, 404);
    const unknown = await request(port, '/nope', alice);
    assert.equal(unknown.status, 403, 'the demo policy denies every route it does not list');
    const post = await request(port, '/customer/1', alice, { method: 'POST' });
    assert.deepEqual([post.status, post.body.code], [403, 'POLICY_NO_MATCH']);
  });

  it('answers curl the same way', async () => {
    const curl = (...args) =>
      new Promise((resolve) => {
        execFile('curl', ['-s', '--cacert', path.join(pki.dir, 'root-ca.pem'), '-w', '\n%{http_code}', ...args], (error, stdout) =>
          resolve({ error, stdout }),
        );
      });
    const url = `https://localhost:${port}/customer/1`;
    const resolveArg = ['--resolve', `localhost:${port}:127.0.0.1`];
    const alice = await curl(...resolveArg, '--cert', path.join(pki.dir, 'clients/alice.pem'), '--key', path.join(pki.dir, 'clients/alice.key'), url);
    assert.equal(alice.stdout, '{"id":1,"name":"Customer1"}\n200');
    const none = await curl(...resolveArg, url);
    assert.match(none.stdout, /"code":"NO_CERTIFICATE".*\n401$/s);
    const rogue = await curl(...resolveArg, '--cert', path.join(pki.dir, 'clients/rogue.pem'), '--key', path.join(pki.dir, 'clients/rogue.key'), url);
    assert.ok(rogue.error, 'curl fails for rogue');
  });

  it('serves the inspector page at /inspector/ when it is built, and nothing outside it', async () => {
    const built = fs.existsSync(path.join(REPO, 'bindings/inspector/dist/index.html'));
    const page = await request(port, '/inspector/', ca());
    assert.equal(page.status, built ? 200 : 404);
    for (const escape of ['/inspector/../server.toml', '/inspector/%2e%2e/%2e%2e/package.json', '/inspector/%E0%A4%A']) {
      const res = await request(port, escape, ca());
      assert.deepEqual([res.status, res.body.code], [404, 'NOT_FOUND'], escape);
    }
    assert.equal((await request(port, '/health', ca())).status, 200, 'still serving');
  });

  it('names the trust anchors in its CertificateRequest, as certgate-server does', async () => {
    const root = new (require('node:crypto').X509Certificate)(pki.read('root-ca.pem'));
    const expected = [root.subject.split('\n').join(', ').replace(/=/g, ' = ')];
    for (const p of [port, required.port]) {
      assert.deepEqual(await requestedCaNames(p, path.join(pki.dir, 'root-ca.pem')), expected);
    }
  });

  it('client_auth = "required": no certificate gets TLS 1.3\'s certificate_required alert (1.2: handshake_failure), logged NO_CERTIFICATE', async () => {
    const before = required.events.length;
    const none = await request(required.port, '/whoami', ca());
    assert.equal(none.error?.code, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', String(none.error ?? none.status));
    const tls12 = await request(required.port, '/whoami', { ...ca(), maxVersion: 'TLSv1.2' });
    assert.match(String(tls12.error?.message), /alert handshake failure/);
    const refusals = required.events.slice(before).filter((e) => e.event === 'handshake_failed' && e.code);
    for (let i = 0; i < 100 && refusals.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      refusals.splice(0, refusals.length, ...required.events.slice(before).filter((e) => e.event === 'handshake_failed' && e.code));
    }
    assert.deepEqual(refusals.map((e) => e.code), ['NO_CERTIFICATE', 'NO_CERTIFICATE']);
    // alice's leaf and intermediate pass; her leaf alone is refused by certgate (Node's copy of
    // the server's root is not counted as sent), logged with its code, and closed.
    assert.equal((await request(required.port, '/whoami', { ...ca(), ...pki.client('alice') })).body.principal, 'alice');
    const leaf = pki.read('clients/alice.pem', 'utf8').split(/(?<=-----END CERTIFICATE-----\n)/)[0];
    const alone = await request(required.port, '/whoami', { ...ca(), cert: leaf, key: pki.read('clients/alice.key') });
    assert.ok(alone.error, `the leaf alone got ${alone.status}`);
    assert.ok(await logged(required.events, (e) => e.event === 'handshake_failed' && e.code === 'UNKNOWN_ISSUER'));
  });

  it('a request head over max_header_bytes (16384) or with over 100 headers: 431 with no body, as certgate-server', async () => {
    const tooLarge = /^HTTP\/1\.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: [^\r]+\r\n\r\n$/;
    const status = (answer) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
    assert.equal(status(await rawRequest(port, pki, headOf({ bytes: 16384 }))), 200);
    assert.match(await rawRequest(port, pki, headOf({ bytes: 16385 })), tooLarge);
    // Counted on the wire: whitespace Node's parser drops counts as certgate-server counts it.
    assert.equal(headOf({ bytes: 16385, spaces: true }).length, 16385);
    assert.equal(status(await rawRequest(port, pki, headOf({ bytes: 16384, spaces: true }))), 200);
    assert.match(await rawRequest(port, pki, headOf({ bytes: 16385, spaces: true })), tooLarge);
    assert.equal(status(await rawRequest(port, pki, headOf({ headers: 100 }))), 200);
    assert.match(await rawRequest(port, pki, headOf({ headers: 101 })), tooLarge);
    // 2,000 short headers, about 23 KB; one header of 40 KB (Node's parser stops it first).
    const many = headOf({ headers: 2000 });
    assert.ok(many.length > 20000);
    assert.match(await rawRequest(port, pki, many), tooLarge);
    assert.match(await rawRequest(port, pki, headOf({ bytes: 40000 })), tooLarge);
    assert.ok(await logged(events, (e) => e.event === 'connection_error' && e.error === 'message head is too large'));
    assert.equal((await request(port, '/health', ca())).status, 200, 'still serving');
  });

  it('a resumed TLS session is still authorized by the chain of its full handshake', async () => {
    const agent = new https.Agent({ ...ca(), ...pki.client('alice'), maxCachedSessions: 4 });
    const whoami = () =>
      new Promise((resolve, reject) => {
        https.get({ host: '127.0.0.1', port, path: '/whoami', servername: 'localhost', agent }, (res) => {
          const parts = [];
          res.on('data', (d) => parts.push(d));
          res.on('end', () => resolve({ resumed: res.socket.isSessionReused(), body: JSON.parse(Buffer.concat(parts)) }));
        }).on('error', reject);
      });
    const first = await whoami();
    assert.equal(first.body.principal, 'alice');
    let resumed;
    for (let i = 0; i < 5 && !resumed; i++) {
      await new Promise((r) => setTimeout(r, 50)); // the session ticket arrives after the answer
      const again = await whoami();
      if (again.resumed) resumed = again;
    }
    agent.destroy();
    assert.ok(resumed, 'the client resumed its TLS session');
    assert.deepEqual([resumed.body.principal, resumed.body.verdict.valid], ['alice', true]);
  });

  it('logs every request with route, status, code and principal', async () => {
    await new Promise((r) => setTimeout(r, 100)); // the last lines of the pipe
    const requests = events.filter((e) => e.event === 'request');
    assert.ok(requests.length >= 8);
    const alice = requests.find((e) => e.principal === 'alice' && e.route === '/customer/{id}' && e.status === 200);
    assert.ok(alice);
    assert.equal(alice.code, 'OK');
    assert.equal(typeof alice.latency_us, 'number');
  });
});
