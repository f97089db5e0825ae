#!/usr/bin/env node
// Node bench: µs per client-chain verification, same chains, same process, same fixed time.
//   certgate (node)  the npm package's Node build: the core in wasm, signatures by node:crypto
//   certgate (web)   the pure-wasm build: the core and ring in wasm
//   X509Certificate  Node's built-in checks: parse, issuer links, signatures, dates, CA flag, EKU
//   pkijs, @peculiar/x509, node-forge (RSA chains only: forge has no ECDSA)  pure-JS verifiers,
//                    when `npm --prefix benches/node ci` installed them
// and each one's ratio to the native core's criterion figure when one exists (benches/benches/
// verify.rs, `certgate` function). `--native` measures that figure in this run: the criterion
// bench of each kind just before and just after the kind's Node rounds, their mean taken (on a
// machine shared with other work the load moves between the two; both are printed).
//
//   npm --prefix bindings/npm run build && npm --prefix benches/node ci
//   node benches/node/bench.mjs [--native] [--kinds p256,rsa2048,mixed,ed25519]
//
// Chains: crates/certgate/tests/fixtures/bench/<kind>/{root,chain}.pem (leaf, intermediate).

import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const require = createRequire(import.meta.url);
process.chdir(here); // so the pure-JS verifiers resolve from benches/node/node_modules
const FIXED_TIME = 1_780_000_000;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

const args = process.argv.slice(2);
const kindsArg = args.includes('--kinds') ? args[args.indexOf('--kinds') + 1] : 'p256,rsa2048,mixed,ed25519';
const KINDS = kindsArg.split(',');
/** Seconds per verifier per round, and rounds (interleaved; the median is reported). */
const seconds = Number(process.env.BENCH_SECONDS || 0.5);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function pemBlocks(text) {
  return (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((b) =>
    Buffer.from(b.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'),
  );
}

/** Mean µs per call of an async `fn`, as `measure`. */
async function measureAsync(fn) {
  for (let i = 0; i < 5; i++) await fn();
  let calls = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  for (;;) {
    for (let i = 0; i < 10; i++) await fn();
    calls += 10;
    const elapsed = process.hrtime.bigint() - start;
    if (elapsed >= budget) return Number(elapsed) / 1000 / calls;
  }
}

/** The pure-JS verifiers, each `(ders) => Promise<true>` from DER per call; absent when not installed. */
async function pureJs(rootDer, kind) {
  const out = {};
  const date = new Date(FIXED_TIME * 1000);
  const { webcrypto } = await import('node:crypto');
  try {
    const pkijs = await import('pkijs');
    pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto }));
    const root = pkijs.Certificate.fromBER(rootDer);
    out.pkijs = async (ders) => {
      const engine = new pkijs.CertificateChainValidationEngine({
        trustedCerts: [root],
        // pkijs takes the *last* certificate as the one to verify: leaf last.
        certs: [...ders].reverse().map((d) => pkijs.Certificate.fromBER(d)),
        checkDate: date,
      });
      const result = await engine.verify();
      if (!result.result) throw new Error(`pkijs refused the bench chain: ${result.resultMessage}`);
      return true;
    };
  } catch (err) {
    if (err.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  }
  try {
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto);
    const root = new x509.X509Certificate(rootDer);
    out['@peculiar/x509'] = async (ders) => {
      const leaf = new x509.X509Certificate(ders[0]);
      const intermediate = new x509.X509Certificate(ders[1]);
      const ok =
        (await leaf.verify({ publicKey: intermediate.publicKey, date })) &&
        (await intermediate.verify({ publicKey: root.publicKey, date })) &&
        leaf.issuer === intermediate.subject &&
        intermediate.issuer === root.subject;
      if (!ok) throw new Error('@peculiar/x509 refused the bench chain');
      return true;
    };
  } catch (err) {
    if (err.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  }
  if (kind === 'rsa2048') {
    try {
      const { default: forge } = await import('node-forge');
      const fromDer = (der) => forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))));
      const store = forge.pki.createCaStore([fromDer(rootDer)]);
      out['node-forge'] = async (ders) => {
        if (!forge.pki.verifyCertificateChain(store, ders.map(fromDer), { validityCheckDate: date })) {
          throw new Error('node-forge refused the bench chain');
        }
        return true;
      };
    } catch (err) {
      if (err.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    }
  }
  return out;
}

/** Mean µs per call of `fn`: a warm-up, then timed batches for `seconds`. */
function measure(fn) {
  for (let i = 0; i < 50; i++) fn();
  let calls = 0;
  let batch = 100;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  for (;;) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    const elapsed = process.hrtime.bigint() - start;
    if (elapsed >= budget) return Number(elapsed) / 1000 / calls;
    batch = Math.min(batch * 2, 5000);
  }
}

/** Node's X509Certificate: everything it can check of a chain, from DER, per call. */
function x509Checker(rootDer) {
  const root = new X509Certificate(rootDer);
  const rootKey = root.publicKey;
  const time = new Date(FIXED_TIME * 1000);
  const valid = (c) => new Date(c.validFrom) <= time && time <= new Date(c.validTo);
  return (ders) => {
    const leaf = new X509Certificate(ders[0]);
    const intermediate = new X509Certificate(ders[1]);
    const ok =
      leaf.checkIssued(intermediate) &&
      leaf.verify(intermediate.publicKey) &&
      intermediate.checkIssued(root) &&
      intermediate.verify(rootKey) &&
      intermediate.ca &&
      !leaf.ca &&
      valid(leaf) &&
      valid(intermediate) &&
      valid(root) &&
      (leaf.keyUsage === undefined || leaf.keyUsage.includes(CLIENT_AUTH));
    if (!ok) throw new Error('X509Certificate refused the bench chain');
    return ok;
  };
}

/** The native core's mean ns per chain from criterion's estimates, when present. */
function nativeMicros(kind) {
  const target = process.env.CARGO_TARGET_DIR || path.join(repo, 'target');
  const file = path.join(target, 'criterion', kind, 'certgate', 'new', 'estimates.json');
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')).mean.point_estimate / 1000;
}

/** Runs the native core's criterion bench of one kind (shortened) and returns its mean µs. */
function runNative(kind) {
  execFileSync('cargo', ['bench', '-p', 'certgate-benches', '--bench', 'verify', '--', `^${kind}/certgate$`, '--warm-up-time', '1', '--measurement-time', '3'], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const us = nativeMicros(kind);
  if (us === null) throw new Error(`criterion wrote no estimate for ${kind}/certgate`);
  return us;
}

/** Every verifier must refuse a chain whose leaf signature is corrupted, or its figure is void. */
async function voidVerifiers(node, web) {
  const fixtures = path.join(repo, 'crates/certgate/tests/fixtures');
  const rootPem = fs.readFileSync(path.join(fixtures, 'root-ca.pem'), 'utf8');
  const chain = pemBlocks(fs.readFileSync(path.join(fixtures, 'alice-bad-signature.pem'), 'utf8'));
  const rootDer = pemBlocks(rootPem)[0];
  const options = { time: FIXED_TIME };
  const candidates = {
    'certgate (node)': () => verifyOnce(node, rootPem, chain, options),
    'certgate (web)': () => verifyOnce(web, rootPem, chain, options),
    X509Certificate: () => x509Checker(rootDer)(chain),
    ...(await pureJs(rootDer, 'p256')),
  };
  const accepted = [];
  for (const [name, verify] of Object.entries(candidates)) {
    try {
      await verify(chain);
      accepted.push(name);
    } catch {
      // refused, as it must be
    }
  }
  return new Set(accepted);
}

/**
 * Verifies `chain` once with a new verifier of `build` (the Node or web module) trusting
 * `rootPem`, then frees the result and the verifier: wasm memory is never given back, and
 * objects left to the collector's finalizers would grow it for the timed rounds after.
 */
function verifyOnce(build, rootPem, chain, options) {
  const verifier = build.createVerifier({ trust: rootPem });
  try {
    verifier.verify(chain, options).free();
  } finally {
    verifier.free();
  }
}

async function main() {
  const sameRun = args.includes('--native');
  if (sameRun) {
    // Built once up front, so the per-kind runs below time the bench, not the compiler.
    execFileSync('cargo', ['bench', '-p', 'certgate-benches', '--bench', 'verify', '--no-run'], { cwd: repo, stdio: 'inherit' });
  }
  const node = require('../../bindings/npm/index.js');
  const web = await import('../../bindings/npm/web.mjs');
  web.initSync({ module: fs.readFileSync(path.join(repo, 'bindings/npm/pkg/web/certgate_wasm_bg.wasm')) });

  const voided = await voidVerifiers(node, web);
  const json = {};
  const rows = [];
  for (const kind of KINDS) {
    const dir = path.join(repo, 'crates/certgate/tests/fixtures/bench', kind);
    const rootPem = fs.readFileSync(path.join(dir, 'root.pem'), 'utf8');
    const chain = pemBlocks(fs.readFileSync(path.join(dir, 'chain.pem'), 'utf8'));
    const options = { time: FIXED_TIME };
    const nodeVerifier = node.createVerifier({ trust: rootPem });
    const webVerifier = web.createVerifier({ trust: rootPem });
    const x509 = x509Checker(pemBlocks(rootPem)[0]);
    // Same verdict from all three before timing anything.
    nodeVerifier.verify(chain, options).free();
    webVerifier.verify(chain, options).free();
    x509(chain);
    const nativeBefore = sameRun ? runNative(kind) : null;
    const sync = {
      'certgate (node)': () => nodeVerifier.verify(chain, options).free(),
      'certgate (web)': () => webVerifier.verify(chain, options).free(),
      'X509Certificate': () => x509(chain),
    };
    const refusals = [];
    const async = {};
    for (const [name, verify] of Object.entries(await pureJs(pemBlocks(rootPem)[0], kind))) {
      try {
        await verify(chain); // the same verdict first, or no figure
        async[name] = () => verify(chain);
      } catch (err) {
        refusals.push({ kind, verifier: name, 'µs/chain': `refuses: ${err.message}`.slice(0, 60), 'vs native': '', 'vs X509Certificate': '' });
      }
    }
    // Interleaved rounds, median per verifier: on a shared machine the load changes by the
    // second, and every verifier should see the same mix of it.
    const rounds = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, fn] of Object.entries(sync)) (rounds[name] ??= []).push(measure(fn));
      for (const [name, fn] of Object.entries(async)) (rounds[name] ??= []).push(await measureAsync(fn));
    }
    const results = Object.fromEntries(Object.entries(rounds).map(([name, us]) => [name, median(us)]));
    nodeVerifier.free();
    webVerifier.free();
    const nativeAfter = sameRun ? runNative(kind) : null;
    const native = sameRun ? (nativeBefore + nativeAfter) / 2 : nativeMicros(kind);
    for (const [name, us] of Object.entries(results)) {
      ((json[`Node: ${name}`] ??= {})[kind] = voided.has(name) ? null : us);
    }
    for (const r of refusals) (json[`Node: ${r.verifier}`] ??= {})[kind] = null;
    for (const [name, us] of Object.entries(results)) {
      rows.push({ kind, verifier: name, 'µs/chain': us.toFixed(1), 'vs native': native ? `${(us / native).toFixed(2)}×` : 'n/a', 'vs X509Certificate': `${(us / results.X509Certificate).toFixed(2)}×` });
    }
    rows.push(...refusals);
    if (native) {
      const verifier = sameRun ? `native core (criterion: ${nativeBefore.toFixed(1)} before, ${nativeAfter.toFixed(1)} after)` : 'native core (criterion)';
      rows.push({ kind, verifier, 'µs/chain': native.toFixed(1), 'vs native': '1.00×', 'vs X509Certificate': `${(native / results.X509Certificate).toFixed(2)}×` });
    }
  }
  if (args.includes('--json')) {
    for (const name of voided) json[`Node: ${name} (void: accepted the corrupted-signature control)`] = {};
    console.log(JSON.stringify(json));
    return;
  }
  for (const name of voided) console.log(`VOID: ${name} accepted the corrupted-signature control chain`);
  console.table(rows);
  if (rows.every((r) => r['vs native'] === 'n/a')) {
    console.log('no native figure: run with --native (cargo bench -p certgate-benches --bench verify) for the ratios');
  }
}

await main();
