'use strict';
// Hostile traffic against node-demo/server.mjs (the certgate npm middleware behind node:https),
// the set crates/certgate-server/tests/hostile.rs sends the native server: a flood of full
// handshakes, slowloris on the handshake and on the headers (clients that keep dribbling),
// plaintext HTTP and junk on the TLS port, a 10 MB client certificate chain, oversized and
// numerous headers, and 10,000 idle connections. Throughout, alice keeps getting
// GET /customer/1 answered 200 within ALICE_BOUND_MS, and the server's VmRSS stays within a
// stated growth. Figures are printed as `[hostile]` lines. Every attack is bounded in count
// and time; the server runs on an ephemeral loopback port and is stopped at the end.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');
const tls = require('node:tls');
const { describe, it, before, after } = require('node:test');
const { Worker } = require('node:worker_threads');
const { demoPki, REPO } = require('./pki.js');
const { request } = require('./https.js');

/** The most one alice request (connect, handshake, request, answer) may take under attack. */
const ALICE_BOUND_MS = 5000;
/**
 * The most the server's VmRSS may grow in one attack, plus a share per connection held open.
 * Measured: about 15 KiB per idle connection while held, but about 53 KiB at the peak when
 * 10,000 of them close at once (OpenSSL's per-connection buffers, kept by the allocator; the
 * RSS stays there for seconds). Bounded by max_connections (1024 by default: ~55 MiB).
 */
const RSS_GROWTH_BOUND_KIB = 128 * 1024;
const RSS_PER_HELD_CONNECTION_KIB = 64;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Worker: opens `wanted` idle connections in batches of 500, holds them 5 s; posts figures. */
const IDLE_CLIENTS = `
const fs = require('node:fs');
const net = require('node:net');
const { parentPort, workerData: { port, wanted, pid } } = require('node:worker_threads');
const connect = () => new Promise((resolve, reject) => {
  const sock = net.connect({ host: '127.0.0.1', port }, () => resolve(sock));
  sock.once('error', reject);
});
(async () => {
  const started = performance.now();
  const idle = [];
  for (let i = 0; i < wanted; i += 500) {
    idle.push(...(await Promise.all(Array.from({ length: Math.min(500, wanted - i) }, connect))));
  }
  const opened = performance.now() - started;
  let closedEarly = 0;
  idle.forEach((s) => {
    s.on('error', () => {});
    s.once('close', () => closedEarly++);
  });
  await new Promise((r) => setTimeout(r, 5000));
  const rss = Number(/VmRSS:\\s+(\\d+)/.exec(fs.readFileSync('/proc/' + pid + '/status', 'utf8'))[1]);
  const early = closedEarly;
  idle.forEach((s) => s.destroy());
  parentPort.postMessage({ opened, closedEarly: early, rss });
})();
`;

/** Worker: three rounds of four clients presenting the 10 MB chain; posts {status, took}s. */
const TEN_MB_CLIENTS = `
const https = require('node:https');
const tls = require('node:tls');
const { parentPort, workerData: { port, ca, cert, key } } = require('node:worker_threads');
const secureContext = tls.createSecureContext({ ca, cert, key });
const once = () => new Promise((resolve) => {
  const started = performance.now();
  const req = https.request({ host: '127.0.0.1', port, path: '/customer/1', agent: false, servername: 'localhost', secureContext }, (res) => {
    res.resume();
    res.on('end', () => resolve({ status: res.statusCode, took: performance.now() - started }));
  });
  req.setTimeout(30000, () => req.destroy());
  req.on('error', () => resolve({ status: 0, took: performance.now() - started }));
  req.end();
});
(async () => {
  const results = [];
  for (let round = 0; round < 3; round++) results.push(...(await Promise.all([once(), once(), once(), once()])));
  parentPort.postMessage(results);
})();
`;

describe('node-demo/server.mjs under hostile traffic', { concurrency: 1 }, () => {
  let pki;
  /** The server every test but the idle one attacks. */
  let main;
  /** The server attacked now: {proc, port}. */
  let server;
  let port;

  /** Starts the demo on its own copy of the demo's server.toml with `limits`. */
  async function startDemo(name, limits) {
    // The demo's own file, on a free port, with the given limits.
    let text = pki.read('server.toml', 'utf8').replace(/^listen = .*$/m, 'listen = "127.0.0.1:0"');
    text = text.replace(/^\[limits\][\s\S]*?(?=^\[|(?![\s\S]))/m, '');
    const config = path.join(pki.dir, `${name}.toml`);
    fs.writeFileSync(config, `${text}\n[limits]\n${limits}`);
    const proc = spawn(process.execPath, [path.join(REPO, 'node-demo/server.mjs'), '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: proc.stdout });
    const listening = await new Promise((resolve, reject) => {
      proc.once('exit', (code) => reject(new Error(`the demo server exited with ${code}`)));
      lines.on('line', (line) => {
        const event = JSON.parse(line);
        if (event.event === 'listening') resolve(Number(event.addr.split(':').pop()));
      });
    });
    return { proc, port: listening };
  }

  function attack(target) {
    server = target.proc;
    port = target.port;
  }

  before(async () => {
    pki = demoPki();
    // Short timeouts, so that attacks are cut off within the test's time.
    main = await startDemo('hostile', 'handshake_timeout_secs = 3\nheader_read_timeout_secs = 3\n');
    attack(main);
  });

  after(() => {
    main.proc.kill('SIGKILL');
    pki.cleanup();
  });

  const tlsOf = (name) => ({ ca: pki.read('root-ca.pem'), servername: 'localhost', ...(name ? pki.client(name) : {}) });

  async function aliceOnce() {
    const started = performance.now();
    const res = await request(port, '/customer/1', tlsOf('alice'));
    const took = performance.now() - started;
    assert.equal(res.status, 200, `alice not served: ${res.error ?? res.status}`);
    assert.ok(took <= ALICE_BOUND_MS, `alice took ${took.toFixed(0)} ms`);
    return took;
  }

  function rssKib() {
    const status = fs.readFileSync(`/proc/${server.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  }

  /** Runs `attack` while alice is measured every 100 ms; checks memory; prints the figures. */
  async function underAttack(what, heldConnections, attack) {
    const before = rssKib();
    let peak = before;
    let done = false;
    const samples = [];
    const running = attack().finally(() => {
      done = true;
    });
    running.catch(() => {}); // awaited below; a failed attack fails the test there
    await sleep(300);
    while (!done && samples.length < 200) {
      samples.push(await aliceOnce());
      peak = Math.max(peak, rssKib());
      await sleep(100);
    }
    const summary = await running;
    if (samples.length === 0) samples.push(await aliceOnce());
    const after = rssKib();
    peak = Math.max(peak, after);
    samples.sort((a, b) => a - b);
    const p50 = samples[Math.floor(samples.length / 2)];
    const max = samples[samples.length - 1];
    console.log(
      `[hostile] node-demo ${what}: ${summary}; alice ${samples.length} requests, p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms; ` +
        `server VmRSS ${(before / 1024).toFixed(0)} MiB before, ${(peak / 1024).toFixed(0)} MiB peak, ${(after / 1024).toFixed(0)} MiB after`,
    );
    const bound = RSS_GROWTH_BOUND_KIB + heldConnections * RSS_PER_HELD_CONNECTION_KIB;
    assert.ok(peak - before <= bound, `${what}: VmRSS grew from ${before} KiB to ${peak} KiB`);
    return samples.length;
  }

  /** Opens a TCP connection; resolves once connected. */
  const connect = () =>
    new Promise((resolve, reject) => {
      const sock = net.connect({ host: '127.0.0.1', port }, () => resolve(sock));
      sock.once('error', reject);
    });

  /** A TLS connection as `name` (or none); resolves when the handshake ends either way. */
  const handshake = (name) =>
    new Promise((resolve) => {
      const sock = tls.connect({ host: '127.0.0.1', port, ...tlsOf(name) });
      const end = () => {
        sock.destroy();
        resolve();
      };
      sock.setTimeout(5000, end);
      sock.once('secureConnect', () => setTimeout(end, 20)); // let a refusal arrive
      sock.once('error', end);
      sock.once('close', end);
    });

  it('a flood of full handshakes leaves alice served', { timeout: 60000 }, async () => {
    const count = await underAttack('handshake flood', 0, async () => {
      let handshakes = 0;
      const deadline = Date.now() + 6000;
      await Promise.all(
        ['rogue', 'rogue', null, 'alice'].map(async (name) => {
          while (Date.now() < deadline) {
            await handshake(name);
            handshakes++;
          }
        }),
      );
      return `${handshakes} handshakes in 6 s from 4 clients`;
    });
    assert.ok(count >= 5);
  });

  /** Dribbles `bytes` one per 250 ms on each socket until the server closes it or 40 s pass. */
  async function dribble(socks, bytes, started) {
    const closedAt = socks.map(() => null);
    socks.forEach((sock, i) => {
      sock.on('error', () => {});
      sock.once('close', () => {
        closedAt[i] = performance.now() - started;
      });
    });
    for (let sent = 0; performance.now() - started < 40000 && closedAt.some((c) => c === null); sent++) {
      socks.forEach((sock, i) => {
        if (closedAt[i] === null && !sock.destroyed) sock.write(bytes.subarray(sent % bytes.length, (sent % bytes.length) + 1));
      });
      await sleep(250);
    }
    socks.forEach((s) => s.destroy());
    return closedAt;
  }

  function closedSummary(what, clients, closedAt) {
    const closed = closedAt.filter((c) => c !== null);
    assert.equal(closed.length, clients, `${what}: ${clients - closed.length} dribbling clients kept open past 40 s`);
    const [earliest, latest] = [Math.min(...closed), Math.max(...closed)];
    assert.ok(earliest >= 2900, `${what}: closed at ${earliest.toFixed(0)} ms, before the 3 s timeout`);
    assert.ok(latest <= 9000, `${what}: a dribbling client lasted ${latest.toFixed(0)} ms (timeout 3 s)`);
    return `${clients} dribbling clients all closed between ${(earliest / 1000).toFixed(1)} s and ${(latest / 1000).toFixed(1)} s`;
  }

  it('slowloris on the handshake is cut off at the handshake timeout', { timeout: 60000 }, async () => {
    const clients = 200;
    const count = await underAttack('slowloris on the handshake', clients, async () => {
      // A TLS handshake record header announcing a 512-byte ClientHello, then its body, one
      // byte every 250 ms: never stalled, never finished.
      const hello = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]), Buffer.alloc(501, 0x41)]);
      const started = performance.now();
      const socks = await Promise.all(Array.from({ length: clients }, connect));
      return closedSummary('slowloris on the handshake', clients, await dribble(socks, hello, started));
    });
    assert.ok(count >= 5);
  });

  it('slowloris on the headers is cut off at the header timeout', { timeout: 60000 }, async () => {
    const clients = 50;
    const count = await underAttack('slowloris on the headers', clients, async () => {
      const started = performance.now();
      const socks = await Promise.all(
        Array.from(
          { length: clients },
          () =>
            new Promise((resolve, reject) => {
              const sock = tls.connect({ host: '127.0.0.1', port, ...tlsOf('alice') }, () => resolve(sock));
              sock.once('error', reject);
            }),
        ),
      );
      const head = Buffer.from(`GET /customer/1 HTTP/1.1\r\nHost: localhost\r\nX-Slow: ${'a'.repeat(1000)}`);
      return closedSummary('slowloris on the headers', clients, await dribble(socks, head, started));
    });
    assert.ok(count >= 5);
  });

  it('plaintext and junk on the TLS port are refused quickly', { timeout: 60000 }, async () => {
    const count = await underAttack('plaintext HTTP and junk', 1, async () => {
      let connections = 0;
      let slowest = 0;
      const deadline = Date.now() + 4000;
      while (Date.now() < deadline && connections < 3000) {
        const payload =
          connections % 3 === 0
            ? Buffer.from('GET /customer/1 HTTP/1.1\r\nHost: localhost\r\n\r\n')
            : connections % 3 === 1
              ? Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')
              : Buffer.from(Array.from({ length: 512 }, (_, b) => ((b * 31 + connections) & 0xff) | 0x80));
        const started = performance.now();
        await new Promise((resolve) => {
          const sock = net.connect({ host: '127.0.0.1', port }, () => sock.write(payload));
          sock.setTimeout(5000, () => sock.destroy());
          sock.on('data', () => {});
          sock.on('error', () => {});
          sock.once('close', resolve);
        });
        const took = performance.now() - started;
        assert.ok(took < 5000, `a plaintext connection took ${took.toFixed(0)} ms to end`);
        slowest = Math.max(slowest, took);
        connections++;
        await sleep(1);
      }
      return `${connections} plaintext/junk connections in 4 s, all closed, slowest ${slowest.toFixed(0)} ms`;
    });
    assert.ok(count >= 3);
  });

  it('a 10 MB client chain is refused without buffering it', { timeout: 120000 }, async () => {
    const alice = pki.client('alice');
    const root = pki.read('root-ca.pem', 'utf8');
    const copies = Math.ceil((10 * 1024 * 1024) / Buffer.byteLength(root)) + 1;
    const cert = alice.cert.toString('utf8').split(/(?<=-----END CERTIFICATE-----\n)/)[0] + root.repeat(copies);
    const count = await underAttack('10 MB client chain', 4, async () => {
      // The clients run on a worker thread: building and sending a 10 MB chain is CPU work
      // that would otherwise stall this thread's measurement of alice, not the server.
      const result = await new Promise((resolve, reject) => {
        const worker = new Worker(TEN_MB_CLIENTS, { eval: true, workerData: { port, ca: root, cert, key: alice.key.toString('utf8') } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      for (const { status, took } of result) {
        assert.notEqual(status, 200, 'a 10 MB chain was accepted');
        assert.ok(took < 20000, `a 10 MB chain took ${took.toFixed(0)} ms to refuse`);
      }
      const slowest = Math.max(...result.map((r) => r.took));
      return `${result.length} handshakes with ${copies + 1} certificates (${(Buffer.byteLength(cert) / 1048576).toFixed(0)} MiB PEM) refused, slowest ${slowest.toFixed(0)} ms`;
    });
    assert.ok(count >= 1);
  });

  /** Sends a request head with `headers` as alice; the answer's status, 0 when closed without one. */
  const headStatus = (headers) =>
    new Promise((resolve) => {
      const sock = tls.connect({ host: '127.0.0.1', port, ...tlsOf('alice') }, () => {
        sock.write(`GET /customer/1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${headers}\r\n`);
      });
      let answer = '';
      sock.setTimeout(5000, () => sock.destroy());
      sock.on('data', (d) => {
        answer += d.toString('latin1');
      });
      sock.on('error', () => {});
      sock.once('close', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1] ?? 0)));
    });

  it('oversized and numerous headers are refused without buffering them', { timeout: 60000 }, async () => {
    const count = await underAttack('oversized headers', 1, async () => {
      const statuses = {};
      const deadline = Date.now() + 4000;
      let rounds = 0;
      // Node's own count of header bytes is not exact: a 23 KB head of 2,000 short headers
      // passes a 16 KiB maxHeaderSize. Probed once and reported; the refused ones are checked.
      const probe = await headStatus(Array.from({ length: 2000 }, (_, i) => `X-H${i}: v\r\n`).join(''));
      while (Date.now() < deadline && rounds < 400) {
        const big = rounds % 2 === 0;
        // One header line of 1 MiB, or 10,000 short headers (120 KB).
        const status = await headStatus(big ? `X-Big: ${'x'.repeat(1024 * 1024)}\r\n` : Array.from({ length: 10000 }, (_, i) => `X-H${i}: v\r\n`).join(''));
        statuses[status] = (statuses[status] ?? 0) + 1;
        rounds++;
      }
      assert.ok(Object.keys(statuses).every((s) => s === '431' || s === '0'), `unexpected answers: ${JSON.stringify(statuses)}`);
      assert.ok((statuses[431] ?? 0) >= rounds / 2, `too few 431s: ${JSON.stringify(statuses)}`);
      return `${rounds} oversized heads (1 MiB line / 10,000 headers): statuses ${JSON.stringify(statuses)} (0 = closed); 2,000 headers (23 KB): ${probe}`;
    });
    assert.ok(count >= 3);
  });

  it('10,000 idle connections leave alice served', { timeout: 120000 }, async () => {
    const limits = fs.readFileSync('/proc/self/limits', 'utf8');
    const soft = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? 1024);
    const wanted = Math.min(10000, soft - 1000);
    assert.ok(wanted >= 100, `the open-files limit (${soft}) allows too few connections`);
    if (wanted < 10000) console.log(`[hostile] node-demo: open-files limit ${soft}: ${wanted} idle connections instead of 10,000`);
    // Its own server: a connection cap above the idle count and a handshake timeout longer
    // than the test, so that the idle connections really are all held while alice is measured.
    const idleServer = await startDemo('hostile-idle', 'handshake_timeout_secs = 60\nheader_read_timeout_secs = 3\nmax_connections = 20000\n');
    attack(idleServer);
    try {
      const count = await underAttack('idle connections', wanted, async () => {
        // The connections are opened and held on a worker thread, so that their callbacks do
        // not stall this thread's measurement of alice.
        const { opened, closedEarly, rss } = await new Promise((resolve, reject) => {
          const worker = new Worker(IDLE_CLIENTS, { eval: true, workerData: { port, wanted, pid: server.pid } });
          worker.once('message', resolve);
          worker.once('error', reject);
        });
        assert.equal(closedEarly, 0, 'the server closed idle connections below its cap');
        return `${wanted} idle connections opened in ${(opened / 1000).toFixed(1)} s and held 5 s (server VmRSS ${(rss / 1024).toFixed(0)} MiB while held)`;
      });
      assert.ok(count >= 3);
      await aliceOnce();
    } finally {
      idleServer.proc.kill('SIGKILL');
      attack(main);
    }
  });
});
