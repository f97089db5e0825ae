'use strict';
// node-demo/server.mjs as a separate process with the server.toml of `certgate demo pki`,
// driven by Node HTTPS clients and curl: the native server's routes, status codes and bodies.

const assert = require('node:assert/strict');
const { execFile, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { describe, it, before, after } = require('node:test');
const { demoPki, REPO } = require('./pki.js');
const { request } = require('./https.js');

describe('node-demo/server.mjs --config DIR/server.toml', () => {
  let pki;
  let server;
  let port;
  const events = [];

  before(async () => {
    pki = demoPki();
    // The demo's own file, on a free port.
    const config = path.join(pki.dir, 'server.toml');
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(/^listen = .*$/m, 'listen = "127.0.0.1:0"'));
    server = spawn(process.execPath, [path.join(REPO, 'node-demo/server.mjs'), '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: server.stdout });
    port = await new Promise((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`the demo server exited with ${code}`)));
      lines.on('line', (line) => {
        const event = JSON.parse(line);
        events.push(event);
        if (event.event === 'listening') resolve(Number(event.addr.split(':').pop()));
      });
    });
  });

  after(() => {
    server.kill('SIGTERM');
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
    const refused = () => events.filter((e) => e.event === 'handshake_refused').map((e) => e.code).sort();
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
