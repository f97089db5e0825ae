'use strict';
// Wasm memory stays bounded under the middleware: every VerifyResult it makes is freed (when
// its socket closes, when its verdict is replaced, or at the end of a request that does not
// keep it), and requests see plain copies that outlive it. Measured on the web build, whose
// module hands out its WebAssembly.Memory (`initSync` returns the instance's exports); the Node
// build runs the same glue. A count bound, not a time bound: wasm memory only grows, in 64 KiB
// pages, so a leak shows as pages that are never given back.

const assert = require('node:assert/strict');
const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');
const { describe, it, before } = require('node:test');
const certgate = require('..');
const { FIXED_TIME, fixture, ders } = require('./builds.js');

/** Requests per measured run: unfreed, their results would take ~850 KB (~1.7 KB each). */
const REQUESTS = 500;
/** Growth allowed over a run: the allocator may take a few pages, never one per request. */
const BOUND = 4 * 65536;

let web;
let memory;
before(async () => {
  web = await import('../web.mjs');
  const exports = web.initSync({ module: fs.readFileSync(path.resolve(__dirname, '../pkg/web/certgate_wasm_bg.wasm')) });
  memory = exports.memory;
});

/** A TLS socket as the middleware reads it: alice's chain, a `close` event. */
function socket() {
  const [leaf, intermediate] = ders('alice.pem');
  const s = new EventEmitter();
  s.getPeerCertificate = () => ({ raw: leaf, issuerCertificate: { raw: intermediate, issuerCertificate: null } });
  s.isSessionReused = () => false;
  s.destroyed = false;
  return s;
}

/** Runs `requests` requests of `perSocket` each through `mw`; returns the wasm memory's growth. */
function growth(mw, requests, perSocket = 1) {
  const before = memory.buffer.byteLength;
  const seen = [];
  for (let i = 0; i < requests; i += perSocket) {
    const s = socket();
    for (let j = 0; j < perSocket; j++) {
      const req = { socket: s, method: 'GET', url: '/whoami', headers: {} };
      const res = { writeHead: () => assert.fail('denied'), end: () => {} };
      mw(req, res, () => seen.push(req.certgate));
    }
    s.destroyed = true;
    s.emit('close');
  }
  assert.equal(seen.length, requests);
  // The copies outlive the freed wasm objects.
  const last = seen[seen.length - 1];
  assert.equal(last.principal, 'alice');
  assert.equal(last.result.principal, 'alice');
  assert.ok(last.result.time >= FIXED_TIME);
  assert.equal(last.result.path.length, 3);
  assert.match(last.result.leaf.subject.rfc4514, /CN=alice/);
  assert.equal(last.certificate, last.result.leaf);
  return memory.buffer.byteLength - before;
}

describe('wasm memory under the middleware', () => {
  let verifier;
  before(() => {
    verifier = web.createVerifier({ trust: fixture('root-ca.pem') });
    // Warm up: the allocator's first pages, the verifier's caches.
    growth(certgate.middleware({ verifier, time: () => FIXED_TIME }), 50);
  });

  it('is sensitive: results that are never freed grow it past the bound', () => {
    const before = memory.buffer.byteLength;
    const chain = fixture('alice.pem');
    for (let i = 0; i < REQUESTS; i++) verifier.verify(chain, { time: FIXED_TIME }).leaf;
    assert.ok(memory.buffer.byteLength - before > BOUND, `grew ${memory.buffer.byteLength - before} bytes`);
  });

  it('stays bounded with verdicts kept per socket, freed when the socket closes', () => {
    const grew = growth(certgate.middleware({ verifier, time: () => FIXED_TIME }), REQUESTS);
    assert.ok(grew <= BOUND, `grew ${grew} bytes over ${REQUESTS} requests`);
  });

  it('stays bounded with several requests per connection and verdicts replaced as they expire', () => {
    let clock = FIXED_TIME;
    // Each verdict is kept 1 s and the clock moves 1 s per request: every request verifies
    // again and replaces (frees) its socket's previous verdict.
    const mw = certgate.middleware({ verifier, cacheSecs: 1, time: () => clock++ });
    const grew = growth(mw, REQUESTS, 10);
    assert.ok(grew <= BOUND, `grew ${grew} bytes over ${REQUESTS} requests`);
  });

  it('stays bounded when nothing is kept (cacheSecs 0, authorize false)', () => {
    const mw = certgate.middleware({ verifier, cacheSecs: 0, authorize: false, time: () => FIXED_TIME });
    const grew = growth(mw, REQUESTS);
    assert.ok(grew <= BOUND, `grew ${grew} bytes over ${REQUESTS} requests`);
  });
});
