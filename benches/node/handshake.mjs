#!/usr/bin/env node
// Node handshake bench: full mutual-TLS handshakes per second against the Node demo server
// (node-demo/server.mjs: certgate's verdict on the chain, right after the handshake) and
// against Node's own HTTPS server with `requestCert: true, rejectUnauthorized: true` (OpenSSL's
// verification), the same PKI, client and request for both, interleaved rounds in one run.
//
//   npm --prefix bindings/npm run build && npm --prefix node-demo ci
//   node benches/node/handshake.mjs [--rounds N] [--secs S]
//
// Prints a Markdown table: median handshakes/s (min–max) and the ratio to Node's server.
// Each handshake is a new TCP connection and a full TLS 1.3 handshake (the client never
// offers a session) with a P-256 client chain (leaf + intermediate; the servers trust the root
// only), then GET /health and its answer, as in benches/benches/handshake.rs. Each server runs
// in its own process, the clients in this one: the machine's two cores. The PKI is made with
// the openssl CLI in a temporary directory (keys 0600) that is removed at the end.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
/** Concurrent client connections: enough to keep one server process busy. */
const CONCURRENCY = 4;

const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);

/** `--serve-stock DIR`: this file as the stock server's process; prints its port. */
function serveStock(dir) {
  const read = (f) => fs.readFileSync(path.join(dir, f));
  const server = https.createServer(
    { key: read('server.key'), cert: read('server.pem'), ca: read('root.pem'), requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' },
    (req, res) => {
      const body = '{"status":"ok"}';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
  );
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ event: 'listening', addr: `127.0.0.1:${server.address().port}` })));
  process.on('SIGTERM', () => process.exit(0));
}

/** A root, an intermediate, a server certificate for localhost and a client chain (P-256). */
function makePki(dir) {
  const openssl = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const key = (name) => {
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
    fs.chmodSync(path.join(dir, `${name}.key`), 0o600);
  };
  const ext = (name, lines) => fs.writeFileSync(path.join(dir, `${name}.ext`), `${lines.join('\n')}\n`);
  const issue = (name, subject, issuer, extensions) => {
    key(name);
    openssl('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
    ext(name, extensions);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '30', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  };
  key('root');
  openssl('req', '-x509', '-new', '-key', 'root.key', '-subj', '/CN=certgate Bench Root CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.pem');
  const ca = ['basicConstraints=critical,CA:TRUE,pathlen:0', 'keyUsage=critical,keyCertSign,cRLSign'];
  issue('intermediate', '/CN=certgate Bench Intermediate CA', 'root', ca);
  issue('server', '/CN=localhost', 'intermediate', ['subjectAltName=DNS:localhost,IP:127.0.0.1', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth']);
  issue('client', '/CN=bench-client', 'intermediate', ['keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth']);
  const intermediate = fs.readFileSync(path.join(dir, 'intermediate.pem'));
  fs.writeFileSync(path.join(dir, 'server.pem'), Buffer.concat([fs.readFileSync(path.join(dir, 'server.pem')), intermediate]));
  fs.writeFileSync(path.join(dir, 'client.pem'), Buffer.concat([fs.readFileSync(path.join(dir, 'client.pem')), intermediate]));
  fs.writeFileSync(
    path.join(dir, 'server.toml'),
    ['listen = "127.0.0.1:0"', 'cert = "server.pem"', 'key = "server.key"', 'trust_store = "root.pem"', 'client_auth = "required"', 'tls_versions = ["1.3"]', ''].join('\n'),
  );
}

/** Starts `argv` as a server process; resolves to `{port, child}` at its `listening` log line. */
function start(argv) {
  const child = spawn(process.execPath, argv, { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`${argv.join(' ')} did not start within 30 s`)), 30_000);
    child.once('exit', (code) => reject(new Error(`${argv.join(' ')} exited (${code}) before listening`)));
    lines.on('line', (line) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.event !== 'listening') return;
      clearTimeout(timer);
      // Drained from here on: the demo server logs a line per request.
      lines.removeAllListeners('line');
      child.stdout.resume();
      resolve({ port: Number(/:(\d+)$/.exec(entry.addr)[1]), child });
    });
  });
}

/** One handshake and request; resolves once the answer is read, rejects on any failure. */
function handshake(port, client) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', minVersion: 'TLSv1.3', ...client }, () => {
      socket.write('GET /health HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n');
    });
    const chunks = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const answer = Buffer.concat(chunks).toString('latin1');
      if (answer.startsWith('HTTP/1.1 200')) resolve();
      else reject(new Error(`no 200 answer: ${JSON.stringify(answer.slice(0, 80))}`));
    });
  });
}

/** Handshakes per second against `port` for `secs`, `CONCURRENCY` clients at a time. */
async function measure(port, client, secs) {
  let done = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(secs * 1e9));
  const worker = async () => {
    while (process.hrtime.bigint() < deadline) {
      await handshake(port, client);
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main() {
  const rounds = flag('--rounds', 5);
  const secs = flag('--secs', 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certgate-handshake-bench-'));
  const children = [];
  try {
    makePki(dir);
    const read = (f) => fs.readFileSync(path.join(dir, f));
    // One context for every connection, as a client would keep it (making one per connection
    // costs OpenSSL milliseconds, which would be the client's time, not the server's).
    const client = { secureContext: tls.createSecureContext({ ca: read('root.pem'), cert: read('client.pem'), key: read('client.key') }) };
    const servers = [
      ["Node https, rejectUnauthorized: true (stock)", [fileURLToPath(import.meta.url), '--serve-stock', dir]],
      ['node-demo (certgate npm, Node build)', [path.join(repo, 'node-demo/server.mjs'), '--config', path.join(dir, 'server.toml')]],
    ];
    const running = [];
    for (const [name, argv] of servers) {
      const server = await start(argv);
      children.push(server.child);
      await handshake(server.port, client); // the same verdict from both before timing
      running.push({ name, port: server.port, rates: [] });
    }
    for (let round = 0; round < rounds; round++) {
      for (const server of running) {
        const rate = await measure(server.port, client, secs);
        console.error(`round ${round + 1}: ${server.name}: ${rate.toFixed(0)} handshakes/s`);
        server.rates.push(rate);
      }
    }
    const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
    const base = median(running[0].rates);
    console.log('| server | full mTLS handshakes/s, median (min–max) | ratio to stock |');
    console.log('|---|---|---|');
    for (const { name, rates } of running) {
      console.log(`| ${name} | ${median(rates).toFixed(0)} (${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)}) | ${(median(rates) / base).toFixed(2)}× |`);
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (args[0] === '--serve-stock') serveStock(args[1]);
else await main();
