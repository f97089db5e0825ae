'use strict';
// node-demo's [[listeners]] TLS listeners and its SIGHUP reload, as certgate-server has them
// (crates/certgate-server/tests/forwarded.rs sighup_applies_listener_settings, policy.rs
// a_policy_reload_takes_effect_and_a_broken_one_is_refused): an extra TLS listener goes
// through the main listener's handshake (CA names, certificate_required, head bytes counted
// on the wire), and a reload applies trust, policy and listener settings, logs
// `listener_reload` applied / restart_needed, and keeps everything on a broken file; with
// watch_secs a changed file reloads without a signal (required.rs with_watch_secs_…).
// node-demo runs as a separate process on loopback ports, stopped at the end.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const readline = require('node:readline');
const tls = require('node:tls');
const { describe, it, before, after } = require('node:test');
const { demoPki, REPO } = require('./pki.js');
const { request, requestedCaNames } = require('./https.js');

/** Waits (up to 5 s) for an event matching `predicate` among `events` from index `from`. */
async function logged(events, predicate, from = 0) {
  const found = () => events.slice(from).find(predicate);
  for (let i = 0; i < 250 && !found(); i++) await new Promise((r) => setTimeout(r, 20));
  return found();
}

/** The port of an address as node-demo logs it (`127.0.0.1:8443`). */
const portOf = (addr) => Number(addr.split(':').pop());

describe('node-demo [[listeners]] TLS listeners and SIGHUP reload', () => {
  let pki;
  let demo;
  const events = [];
  /** The main listener's port, the extra TLS listener's and the plain forwarded one's. */
  let main;
  let extra;
  let plain;
  let config;

  const ca = () => ({ ca: pki.read('root-ca.pem') });
  const listeners = (second) => `
[[listeners]]
listen = "127.0.0.1:0"

[[listeners]]
listen = "${second}"
tls = false
source = "forwarded"
format = "nginx"
trusted_proxies = ["127.0.0.1"]
`;

  before(async () => {
    pki = demoPki();
    config = path.join(pki.dir, 'server.toml');
    const text = fs
      .readFileSync(config, 'utf8')
      .replace(/^listen = .*$/m, 'listen = "127.0.0.1:0"')
      .replace(/^client_auth = .*$/m, 'client_auth = "required"');
    fs.writeFileSync(config, `${text}\n${listeners('127.0.0.1:0')}`);
    demo = spawn(process.execPath, [path.join(REPO, 'node-demo/server.mjs'), '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
    readline.createInterface({ input: demo.stdout }).on('line', (line) => events.push(JSON.parse(line)));
    await logged(events, () => events.filter((e) => e.event === 'listening').length === 3);
    const listening = events.filter((e) => e.event === 'listening');
    assert.equal(listening.length, 3, JSON.stringify(events));
    [main, extra, plain] = listening.map((e) => portOf(e.addr));
    assert.deepEqual([listening[1].tls, listening[1].source, listening[2].tls], [true, 'tls', false]);
  });

  after(() => {
    if (demo && demo.exitCode === null) demo.kill('SIGTERM');
    if (pki) pki.cleanup();
  });

  it("an extra TLS listener has the main listener's handshake: CA names, certificate_required, handshake_failed with its address", async () => {
    const alice = await request(extra, '/customer/1', { ...ca(), ...pki.client('alice') });
    assert.deepEqual([alice.status, alice.body], [200, { id: 1, name: 'Customer1' }]);
    const from = events.length;
    const none = await request(extra, '/whoami', ca());
    assert.equal(none.error?.code, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', String(none.error ?? none.status));
    const rogue = await request(extra, '/whoami', { ...ca(), ...pki.client('rogue') });
    assert.ok(rogue.error, `rogue got ${rogue.status}`);
    const address = `127.0.0.1:${extra}`;
    for (const code of ['NO_CERTIFICATE', 'UNKNOWN_ISSUER']) {
      const line = await logged(events, (e) => e.event === 'handshake_failed' && e.code === code, from);
      assert.ok(line, `no handshake_failed ${code}`);
      assert.equal(line.listener, address);
      assert.equal(line.generation, 0);
      assert.equal(typeof line.error, 'string');
    }
    const root = new (require('node:crypto').X509Certificate)(pki.read('root-ca.pem'));
    const names = await requestedCaNames(extra, path.join(pki.dir, 'root-ca.pem'));
    assert.deepEqual(names, [root.subject.split('\n').join(', ').replace(/=/g, ' = ')]);
  });

  it('an extra TLS listener counts request-head bytes on the wire: 16,384 padded bytes 200, 16,385 431', async () => {
    const head = (bytes) => {
      const start = 'GET /customer/1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n';
      return `${start}X-Pad:${' '.repeat(bytes - start.length - 'X-Pad:v\r\n\r\n'.length)}v\r\n\r\n`;
    };
    const send = (text) =>
      new Promise((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port: extra, servername: 'localhost', ...ca(), ...pki.client('alice') }, () => socket.write(text));
        const parts = [];
        socket.on('data', (d) => parts.push(d));
        socket.on('error', () => {});
        socket.on('close', () => resolve(Buffer.concat(parts).toString('latin1')));
        socket.setTimeout(10000, () => socket.destroy());
      });
    assert.equal(head(16385).length, 16385);
    assert.match(await send(head(16384)), /^HTTP\/1\.1 200 /);
    assert.match(await send(head(16385)), /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  });

  it('SIGHUP: a changed policy applies to open and new connections, listeners report applied or restart_needed, a broken file keeps it all', async () => {
    // One keep-alive connection for alice across the reload: answers with the client's port.
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ...ca(), ...pki.client('alice') });
    const kept = () =>
      new Promise((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port: main, path: '/customer/1', servername: 'localhost', agent, timeout: 10000 }, (res) => {
            const via = res.socket.localPort;
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode, code: JSON.parse(body).code, via }));
          })
          .on('error', reject);
      });
    const asAlice = (port, urlPath) => request(port, urlPath, { ...ca(), ...pki.client('alice') });
    const before = await kept();
    assert.equal(before.status, 200);
    assert.equal((await asAlice(extra, '/customer/1')).status, 200);
    const forwardedAlice = { 'X-SSL-Client-Cert': encodeURIComponent(pki.read('clients/alice.pem', 'utf8')) };
    const direct = (urlPath) =>
      new Promise((resolve, reject) => {
        require('node:http')
          .get({ host: '127.0.0.1', port: plain, path: urlPath, headers: forwardedAlice, agent: false, timeout: 10000 }, (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body) }));
          })
          .on('error', reject);
      });
    assert.equal((await direct('/customer/1')).status, 200);

    // The policy moves alice to another role; the plain listener moves to another port.
    const policy = path.join(pki.dir, 'policy.toml');
    const original = fs.readFileSync(policy, 'utf8');
    assert.match(original, /^alice = \["user"\]$/m);
    fs.writeFileSync(policy, original.replace(/^alice = \["user"\]$/m, 'alice = ["auditor"]\nmallory = ["user"]'));
    const moved = '127.0.0.1:1';
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(listeners('127.0.0.1:0'), listeners(moved)));
    let from = events.length;
    demo.kill('SIGHUP');
    const reloaded = await logged(events, (e) => e.event === 'reload', from);
    assert.deepEqual([reloaded?.status, reloaded?.generation, reloaded?.cause], ['ok', 1, 'SIGHUP']);
    const applied = events.slice(from).find((e) => e.event === 'listener_reload' && e.addr === `127.0.0.1:${extra}`);
    assert.deepEqual([applied?.status, applied?.source, applied?.generation], ['applied', 'tls', 1]);
    const restart = events.slice(from).find((e) => e.event === 'listener_reload' && e.addr === `127.0.0.1:${plain}`);
    assert.equal(restart?.status, 'restart_needed');
    assert.equal(restart.reason, `its address changed from 127.0.0.1:0 to ${moved}`);

    // alice is refused with the new policy's code: on her open connection and on new ones.
    const after = await kept();
    assert.deepEqual([after.status, after.code, after.via], [403, 'ROLE_MISSING', before.via]);
    const fresh = await asAlice(extra, '/customer/1');
    assert.deepEqual([fresh.status, fresh.body.code], [403, 'ROLE_MISSING']);
    // The moved listener still serves where it was, with its old settings, under the new policy.
    assert.deepEqual([(await direct('/customer/1')).body.code], ['ROLE_MISSING']);
    const mallory = await request(main, '/customer/1', { ...ca(), ...pki.client('mallory') });
    assert.equal(mallory.status, 200);
    const line = await logged(events, (e) => e.event === 'request' && e.principal === 'alice' && e.code === 'ROLE_MISSING' && e.listener === `127.0.0.1:${extra}`);
    assert.deepEqual([line?.source, line?.generation], ['tls', 1]);

    // A broken policy: the reload fails, naming the file; generation 1 stays in force.
    fs.writeFileSync(policy, `${original}\n[[routes]]\npath = \n`);
    from = events.length;
    demo.kill('SIGHUP');
    const failed = await logged(events, (e) => e.event === 'reload', from);
    assert.deepEqual([failed?.status, failed?.generation], ['failed', 1]);
    assert.match(failed.error, /^policy .*policy\.toml: /);
    assert.equal(events.slice(from).filter((e) => e.event === 'listener_reload').length, 0);
    const still = await kept();
    assert.deepEqual([still.code, still.via], ['ROLE_MISSING', before.via]);
    assert.equal((await request(main, '/customer/1', { ...ca(), ...pki.client('mallory') })).status, 200);
    agent.destroy();
  });
});

describe('node-demo with watch_secs: a changed file reloads without a signal', () => {
  it('alice is refused once the policy file changes (reload cause "file change")', { timeout: 30000 }, async () => {
    const pki = demoPki();
    const config = path.join(pki.dir, 'server.toml');
    const text = fs.readFileSync(config, 'utf8').replace(/^listen = .*$/m, 'listen = "127.0.0.1:0"');
    fs.writeFileSync(config, `watch_secs = 1\n${text}`);
    const demo = spawn(process.execPath, [path.join(REPO, 'node-demo/server.mjs'), '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
    const events = [];
    readline.createInterface({ input: demo.stdout }).on('line', (line) => events.push(JSON.parse(line)));
    try {
      const listening = await logged(events, (e) => e.event === 'listening');
      assert.ok(listening, 'node-demo did not start');
      const port = portOf(listening.addr);
      const alice = () => request(port, '/customer/1', { ca: pki.read('root-ca.pem'), ...pki.client('alice') });
      assert.equal((await alice()).status, 200);
      const policy = path.join(pki.dir, 'policy.toml');
      fs.writeFileSync(policy, fs.readFileSync(policy, 'utf8').replace(/^alice = \["user"\]$/m, 'alice = ["auditor"]\nmallory = ["user"]'));
      const reloaded = await logged(events, (e) => e.event === 'reload');
      assert.deepEqual([reloaded?.status, reloaded?.cause, reloaded?.generation], ['ok', 'file change', 1]);
      const refused = await alice();
      assert.deepEqual([refused.status, refused.body.code], [403, 'ROLE_MISSING']);
      // Nothing changed since: no further reload within two checks.
      await new Promise((r) => setTimeout(r, 2200));
      assert.equal(events.filter((e) => e.event === 'reload').length, 1);
    } finally {
      demo.kill('SIGTERM');
      pki.cleanup();
    }
  });
});
