'use strict';
// The two builds every suite runs against: `node` (index.js, node:crypto signatures) and
// `web` (web.mjs, ring compiled to wasm), plus the shared fixtures and fixed time.

const fs = require('node:fs');
const path = require('node:path');

const FIXTURES = path.resolve(__dirname, '../../../crates/certgate/tests/fixtures');
/** The core tests' validation time, 2026-05-28T20:26:40Z (fixtures/README.md). */
const FIXED_TIME = 1_780_000_000;

const BUILDS = [
  { name: 'node', provider: 'node-crypto', load: async () => require('..') },
  {
    name: 'web',
    provider: 'ring-wasm',
    load: async () => {
      const web = await import('../web.mjs');
      web.initSync({ module: fs.readFileSync(path.resolve(__dirname, '../pkg/web/certgate_wasm_bg.wasm')) });
      return web;
    },
  },
];

/** A fixture's text (PEM). */
function fixture(name) {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** A fixture's certificates as DER buffers, in file order. */
function ders(name) {
  const text = fixture(name);
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => Buffer.from(b.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'));
}

/** Runs `fn` and returns what it threw; fails when it did not throw. */
function thrown(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

module.exports = { BUILDS, FIXED_TIME, FIXTURES, fixture, ders, thrown };
