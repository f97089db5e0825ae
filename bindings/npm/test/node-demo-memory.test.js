'use strict';
// node-demo's wasm memory stays bounded over real connections: every VerifyResult it makes is
// freed when its connection closes, when a reload's verdict replaces it, or, for a chain a
// proxy forwarded, once its request is answered. node-demo runs as a separate process on
// loopback with node-demo-memory-probe.js preloaded, which reports the size of the process's
// wasm memory over IPC. A count bound, not a time bound: wasm memory only grows, in 64 KiB
// pages, so a leak shows as pages that are never given back (memory.test.js measures the
// middleware the same way). Reloads too: a replaced generation's verifier is freed once
// nothing in flight uses it.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const net = require('node:net');
const readline = require('node:readline');
const tls = require('node:tls');
const { describe, it, before, after } = require('node:test');
const { demoPki, REPO } = require('./pki.js');
const { request } = require('./https.js');

/** Connections or requests per measured run: unfreed, their results would take ~1.7 KB each. */
const RUNS = 300;
/** Growth allowed over a run: the allocator may take a few pages, never one per result. */
const BOUND = 4 * 65536;
/** Reloads in the reload run: with every replaced generation kept, it grew 655,360 bytes. */
const RELOADS = 300;

/** Waits (up to 5 s) for an event matching `predicate` among `events` from index `from`. */
async function logged(events, predicate, from = 0) {
  const found = () => events.slice(from).find(predicate);
  for (let i = 0; i < 250 && !found(); i++) await new Promise((r) => setTimeout(r, 20));
  return found();
}

/**
 * One TLS connection kept open: `get(path)` sends a keep-alive request on it and resolves to
 * `{status, body}` (JSON), `close()` ends it.
 */
function keepAlive(port, tlsOptions) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...tlsOptions });
    let buffered = Buffer.alloc(0);
    let waiting = null;
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1 || waiting === null) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)[1]);
      if (buffered.length < end + 4 + length) return;
      const body = JSON.parse(buffered.subarray(end + 4, end + 4 + length).toString('utf8'));
      buffered = buffered.subarray(end + 4 + length);
      const done = waiting;
      waiting = null;
      done({ status: Number(head.split(' ')[1]), body });
    });
    socket.once('error', (err) => (waiting ? waiting({ error: err }) : reject(err)));
    // A connection the server closes ends what waits on it, so a refusal fails the test rather than hanging it.
    socket.once('close', () => {
      if (waiting) waiting({ error: new Error('the connection closed before an answer') });
      else reject(new Error('the connection closed during the handshake'));
    });
    socket.once('secureConnect', () =>
      resolve({
        get(urlPath) {
          return new Promise((done) => {
            waiting = done;
            socket.write(`GET ${urlPath} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
          });
        },
        close: () => new Promise((done) => socket.end(done)),
      }),
    );
  });
}

/** A GET on the plain forwarded listener, through `agent`; resolves to `{status, body}`. */
function forwarded(port, agent, headers) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/whoami', agent, headers }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(parts).toString('utf8')) }));
    });
    req.on('error', reject);
  });
}

describe("node-demo's wasm memory over many connections", () => {
  let pki;
  let demo;
  const events = [];
  /** The main TLS listener's port and the plain forwarded listener's. */
  let main;
  let plain;

  const alice = () => ({ ca: pki.read('root-ca.pem'), ...pki.client('alice') });

  /** The demo's wasm memory now, bytes: the npm package's one instance. */
  function wasmMemory() {
    return new Promise((resolve) => {
      demo.once('message', ({ wasmMemory: sizes }) => {
        assert.equal(sizes.length, 1, `wasm instances: ${sizes.length}`);
        resolve(sizes[0]);
      });
      demo.send('wasm-memory');
    });
  }

  /** Sends SIGHUP and waits for the reload to `generation` to be logged applied. */
  async function reload(generation) {
    const from = events.length;
    demo.kill('SIGHUP');
    const reloaded = await logged(events, (e) => e.event === 'reload', from);
    assert.deepEqual([reloaded?.status, reloaded?.generation], ['ok', generation], JSON.stringify(reloaded));
    return events.slice(from).find((e) => e.event === 'listener_reload');
  }

  /** `count` connections one after another, one /whoami as alice each; all must be 200. */
  async function connections(count) {
    for (let i = 0; i < count; i++) {
      const answer = await request(main, '/whoami', alice());
      assert.equal(answer.status, 200, JSON.stringify(answer.body ?? answer.error?.message));
      assert.equal(answer.body.principal, 'alice');
    }
  }

  before(async () => {
    pki = demoPki();
    const config = path.join(pki.dir, 'server.toml');
    const text = fs.readFileSync(config, 'utf8').replace(/^listen = .*$/m, 'listen = "127.0.0.1:0"');
    fs.writeFileSync(config, `${text}\n[[listeners]]\nlisten = "127.0.0.1:0"\ntls = false\nsource = "forwarded"\nformat = "nginx"\ntrusted_proxies = ["127.0.0.1"]\n`);
    demo = spawn(process.execPath, ['--require', path.join(__dirname, 'node-demo-memory-probe.js'), path.join(REPO, 'node-demo/server.mjs'), '--config', config], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    readline.createInterface({ input: demo.stdout }).on('line', (line) => events.push(JSON.parse(line)));
    await logged(events, () => events.filter((e) => e.event === 'listening').length === 2);
    const listening = events.filter((e) => e.event === 'listening');
    assert.equal(listening.length, 2, JSON.stringify(events));
    [main, plain] = listening.map((e) => Number(e.addr.split(':').pop()));
    // Warm up: the allocator's first pages, the verifier's caches.
    await connections(20);
  });

  after(() => {
    if (demo && demo.exitCode === null) demo.kill('SIGTERM');
    if (pki) pki.cleanup();
  });

  it('stays bounded over connections whose verdicts are freed when they close', async () => {
    const before = await wasmMemory();
    await connections(RUNS);
    const grew = (await wasmMemory()) - before;
    assert.ok(grew <= BOUND, `grew ${grew} bytes over ${RUNS} connections`);
  });

  it("stays bounded when a reload's verdicts replace those of open connections", async () => {
    const open = [];
    for (let i = 0; i < RUNS; i++) open.push(await keepAlive(main, alice()));
    try {
      for (const connection of open) assert.equal((await connection.get('/whoami')).body.principal, 'alice');
      // Each open connection now holds a generation-0 verdict, as it should.
      const before = await wasmMemory();
      const from = events.length;
      demo.kill('SIGHUP');
      const reloaded = await logged(events, (e) => e.event === 'reload', from);
      assert.equal(reloaded?.status, 'ok', JSON.stringify(reloaded));
      // Every request is judged under generation 1: each connection verifies again and frees
      // its generation-0 verdict. The growth allowed also holds generation 1's verifier.
      for (const connection of open) assert.equal((await connection.get('/whoami')).body.principal, 'alice');
      const grew = (await wasmMemory()) - before;
      assert.ok(grew <= BOUND, `grew ${grew} bytes over ${RUNS} replaced verdicts`);
      assert.equal(events.filter((e) => e.event === 'request' && e.generation === 1).length, RUNS);
    } finally {
      await Promise.all(open.map((connection) => connection.close()));
    }
  });

  it('stays bounded over forwarded chains, each verdict freed once its request is answered', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const headers = { 'X-SSL-Client-Cert': encodeURIComponent(pki.read('clients/alice.pem', 'utf8')) };
    try {
      assert.equal((await forwarded(plain, agent, headers)).body.principal, 'alice');
      const before = await wasmMemory();
      for (let i = 0; i < RUNS; i++) {
        const answer = await forwarded(plain, agent, headers);
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.equal(answer.body.principal, 'alice');
      }
      const grew = (await wasmMemory()) - before;
      assert.ok(grew <= BOUND, `grew ${grew} bytes over ${RUNS} forwarded requests`);
    } finally {
      agent.destroy();
    }
  });

  it(`frees the verifier a failed reload built: ${RELOADS} reloads refused by a listener entry`, { timeout: 180_000 }, async () => {
    const config = path.join(pki.dir, 'server.toml');
    const original = fs.readFileSync(config, 'utf8');
    // The policy and trust material load (a verifier is built); the listener entry does not.
    fs.writeFileSync(config, original.replace('trusted_proxies = ["127.0.0.1"]', 'trusted_proxies = ["10.0.0.1/8"]'));
    try {
      const attempt = async () => {
        const from = events.length;
        demo.kill('SIGHUP');
        const reloaded = await logged(events, (e) => e.event === 'reload', from);
        assert.equal(reloaded?.status, 'failed', JSON.stringify(reloaded));
        assert.match(reloaded.error, /host bits/);
      };
      await attempt();
      const before = await wasmMemory();
      for (let i = 0; i < RELOADS; i++) await attempt();
      const grew = (await wasmMemory()) - before;
      assert.ok(grew <= BOUND, `grew ${grew} bytes over ${RELOADS} failed reloads`);
    } finally {
      fs.writeFileSync(config, original);
    }
    assert.equal((await request(main, '/whoami', alice())).body.principal, 'alice');
  });

  it(`frees each replaced generation once nothing uses it: ${RELOADS} reloads, with a handshake, a connection and a listener's settings in flight across each`, { timeout: 180_000 }, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const headers = { 'X-SSL-Client-Cert': encodeURIComponent(pki.read('clients/alice.pem', 'utf8')) };
    const config = path.join(pki.dir, 'server.toml');
    const original = fs.readFileSync(config, 'utf8');
    const kept = await keepAlive(main, alice());
    const first = events.filter((e) => e.event === 'reload' && e.status === 'ok').length;
    /**
     * One reload with a TLS handshake straddling it: the TCP connection is accepted under the
     * generation in force (the IPC round trip lets node-demo take it first), the handshake is
     * done under the next one, and is judged by the generation it began under. The connection
     * kept open and the forwarded listener are answered under the new generation.
     */
    async function cycle(generation, listenerStatus) {
      const raw = net.connect(main, '127.0.0.1');
      await new Promise((resolve, reject) => raw.once('connect', resolve).once('error', reject));
      await wasmMemory();
      const listener = await reload(generation);
      assert.equal(listener?.status, listenerStatus, JSON.stringify(listener));
      const straddling = await keepAlive(main, { ...alice(), socket: raw });
      try {
        const answer = await straddling.get('/whoami');
        assert.deepEqual([answer.status, answer.body?.principal], [200, 'alice'], answer.error?.message ?? JSON.stringify(answer.body));
      } finally {
        await straddling.close();
      }
      assert.equal((await kept.get('/whoami')).body.principal, 'alice');
      const fwd = await forwarded(plain, agent, headers);
      assert.deepEqual([fwd.status, fwd.body.principal], [200, 'alice'], JSON.stringify(fwd.body));
    }
    try {
      // Warm up: one reload, so the allocator holds a generation's worth of pages already.
      await cycle(first + 1, 'applied');
      const before = await wasmMemory();
      // Half the reloads replace the forwarded listener's settings (applied); in the other half
      // its address differs from the running one (restart_needed), so it keeps the settings and
      // generation it had, which must keep answering.
      for (let i = 2; i <= RELOADS / 2 + 1; i++) await cycle(first + i, 'applied');
      fs.writeFileSync(config, original.replace(/(\[\[listeners\]\]\nlisten = )"127\.0\.0\.1:0"/, '$1"127.0.0.1:1"'));
      for (let i = RELOADS / 2 + 2; i <= RELOADS + 1; i++) await cycle(first + i, 'restart_needed');
      const grew = (await wasmMemory()) - before;
      assert.ok(grew <= BOUND, `grew ${grew} bytes over ${RELOADS} reloads`);
    } finally {
      fs.writeFileSync(config, original);
      await kept.close();
      agent.destroy();
    }
  });
});
