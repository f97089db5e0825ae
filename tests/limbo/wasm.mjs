// The x509-limbo harness through the WebAssembly build: every case of a limbo suite run through
// the npm package's public API (bindings/npm) with the mapping of the native harness
// (tests/limbo/src/lib.rs `verdict()`), answered in limbo's result format.
//
//   node tests/limbo/wasm.mjs --limbo PATH --out RESULTS.json [--build node|web] [--now UNIX_SECONDS]
//
// PATH may be `.json` or `.json.gz`. `--build node` (default) is the Node build (index.js,
// node:crypto signatures; harness `certgate-wasm-node`), `--build web` the web build (web.mjs,
// ring compiled to wasm; `certgate-wasm-web`). `--now` stands in for a null validation time,
// as in the native harness (default: the clock). Needs `npm --prefix bindings/npm run build`.
// tests/limbo/parity.mjs compares both builds with the native harness's results.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NPM = path.resolve(HERE, '../../bindings/npm');

/** The npm package's two builds, by name. */
export const BUILDS = {
  node: {
    harness: 'certgate-wasm-node',
    load: async () => createRequire(import.meta.url)(NPM),
  },
  web: {
    harness: 'certgate-wasm-web',
    load: async () => {
      const web = await import(pathToFileURL(path.join(NPM, 'web.mjs')).href);
      web.initSync({ module: fs.readFileSync(path.join(NPM, 'pkg/web/certgate_wasm_bg.wasm')) });
      return web;
    },
  },
};

/** A limbo suite from a `.json` or `.json.gz` file. */
export function loadSuite(file) {
  let bytes = fs.readFileSync(file);
  if (file.endsWith('.gz')) bytes = zlib.gunzipSync(bytes);
  const suite = JSON.parse(bytes);
  if (suite.version !== 1) throw new Error(`${file}: unsupported limbo schema version ${suite.version}`);
  return suite;
}

/**
 * The Public Suffix List the native harness gives the verifier (tests/limbo/data, Debian's
 * `publicsuffix` 20230209), as text for the `publicSuffixes` option.
 */
export function publicSuffixList() {
  return zlib.gunzipSync(fs.readFileSync(path.join(HERE, 'data/public_suffix_list.dat.gz'))).toString('utf8');
}

/** Runs every case; `now` (Unix seconds) stands in for a null validation time. */
export function runSuite(certgate, suite, now) {
  const suffixes = publicSuffixList();
  return suite.testcases.map((testcase) => runCase(certgate, testcase, now, suffixes));
}

/** One case: `{id, actual_result, context}`. */
export function runCase(certgate, testcase, now, suffixes) {
  let actual_result = 'SUCCESS';
  let context = '';
  try {
    verdict(certgate, testcase, now, suffixes);
  } catch (err) {
    if (err instanceof Skipped) {
      actual_result = 'SKIPPED';
      context = err.message;
    } else if (certgate.isCertgateError(err)) {
      actual_result = 'FAILURE';
      context = `${err.code}: ${err.message}`;
    } else {
      throw err;
    }
  }
  return { id: testcase.id, actual_result, context };
}

/** A case the harness cannot express (the native harness's `Answer::Skipped`). */
class Skipped extends Error {}

/** A rejection the harness itself makes on the verified leaf, shaped like a CertgateError. */
function rejection(code, message) {
  const err = new Error(message);
  err.name = 'CertgateError';
  err.code = code;
  err.certIndex = 0;
  return err;
}

/**
 * limbo's "most certificates in a presented chain" default in the core (`Limits::chain_certs`,
 * index.d.ts `Limits.chainCerts`): raised, never lowered, for pathological chains.
 */
const DEFAULT_CHAIN_CERTS = 32;

function verdict(certgate, testcase, now, suffixes) {
  let at = now;
  if (testcase.validation_time != null) {
    const ms = Date.parse(testcase.validation_time);
    if (!Number.isFinite(ms) || ms < 0) {
      throw new Skipped(`validation_time \`${testcase.validation_time}\` is not an RFC 3339 time after 1970`);
    }
    at = Math.floor(ms / 1000);
  }

  const config = {
    limits: { chainCerts: Math.max(DEFAULT_CHAIN_CERTS, 1 + (testcase.untrusted_intermediates ?? []).length) },
  };
  // limbo counts intermediates; certgate counts the whole path, leaf and anchor included.
  if (testcase.max_chain_depth != null) config.maxPathLen = testcase.max_chain_depth + 2;
  const signatureAlgorithms = signatureAlgorithmsOf(testcase.signature_algorithms ?? []);

  const verifier = certgate.createVerifier({
    trust: testcase.trusted_certs.join(''),
    crls: testcase.crls ?? [],
    config,
    publicSuffixes: suffixes,
    signatureAlgorithms,
  });
  try {
    const chain = [testcase.peer_certificate, ...(testcase.untrusted_intermediates ?? [])].join('');
    const usages = (testcase.extended_key_usage ?? []).length
      ? testcase.extended_key_usage.map(usageOf)
      : [testcase.validation_kind === 'CLIENT' ? 'clientAuth' : 'serverAuth'];

    const hostnames = [];
    const mailboxes = [];
    const names = [testcase.expected_peer_name, ...(testcase.expected_peer_names ?? [])].filter((n) => n != null);
    for (const name of names) {
      if (name.kind === 'DNS' || name.kind === 'IP') hostnames.push(name.value);
      else if (name.kind === 'RFC822') mailboxes.push(name.value);
      else throw new Skipped(`expected peer name kind ${name.kind} is not DNS, IP or RFC822`);
    }

    for (const usage of usages) {
      const calls = hostnames.length ? hostnames.map((hostname) => ({ time: at, usage, hostname })) : [{ time: at, usage }];
      const verified = [];
      try {
        for (const options of calls) verified.push(verifier.verify(chain, options));
        if (mailboxes.length === 0 && (testcase.key_usage ?? []).length === 0) continue;
        for (const result of verified) checkLeaf(result.leaf, mailboxes, testcase.key_usage ?? []);
      } finally {
        for (const result of verified) result.free();
      }
    }
  } finally {
    verifier.free();
  }
}

/** The harness's own checks on the verified leaf: expected mailboxes and key usages. */
function checkLeaf(leaf, mailboxes, keyUsages) {
  for (const mailbox of mailboxes) {
    if (!leaf.subjectAltNames.email.some((e) => mailboxEq(e, mailbox))) {
      throw rejection(
        'NAME_MISMATCH',
        `the leaf certificate is not valid for mailbox \`${mailbox}\`; it names ${leaf.subjectAltNames.email.join(', ')}`,
      );
    }
  }
  // RFC 5280 §4.2.1.3: without a keyUsage extension the key may be used for any purpose.
  const hasKu = leaf.extensions.some((e) => e.oid === '2.5.29.15');
  const missing = keyUsages.find((bit) => hasKu && !leaf.keyUsage.includes(bit));
  if (missing !== undefined) {
    throw rejection('WRONG_USAGE', `the leaf certificate's keyUsage (${leaf.keyUsage.join(', ')}) does not include ${missing}`);
  }
}

/** Mailboxes compare with the local part exact and the domain case-insensitive (RFC 5280 §4.2.1.6). */
function mailboxEq(presented, expected) {
  const p = presented.lastIndexOf('@');
  const e = expected.lastIndexOf('@');
  if (p < 0 || e < 0) return false;
  return presented.slice(0, p) === expected.slice(0, e) && asciiLower(presented.slice(p + 1)) === asciiLower(expected.slice(e + 1));
}

function asciiLower(text) {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** limbo's names for extended key usages, as `verify`'s `usage`. */
function usageOf(name) {
  const oids = {
    codeSigning: '1.3.6.1.5.5.7.3.3',
    emailProtection: '1.3.6.1.5.5.7.3.4',
    timeStamping: '1.3.6.1.5.5.7.3.8',
    OCSPSigning: '1.3.6.1.5.5.7.3.9',
    anyExtendedKeyUsage: '2.5.29.37.0',
  };
  if (name === 'serverAuth' || name === 'clientAuth') return name;
  if (Object.hasOwn(oids, name)) return oids[name];
  // limbo also allows an EKU "in well-known form or as OIDs".
  if (/^[0-9]/.test(name)) return name;
  throw new Skipped(`extended key usage \`${name}\` is neither a name limbo defines nor a dotted OID`);
}

/**
 * limbo's signature algorithm names as the `signatureAlgorithms` option; `undefined` (the
 * build's defaults) when the case lists none. A listed algorithm certgate does not implement
 * adds nothing: a chain that uses it cannot verify, which is certgate's real answer.
 */
function signatureAlgorithmsOf(names) {
  if (names.length === 0) return undefined;
  const known = {
    RSA_WITH_SHA256: ['rsa-pkcs1-sha256'],
    RSA_WITH_SHA384: ['rsa-pkcs1-sha384'],
    RSA_WITH_SHA512: ['rsa-pkcs1-sha512'],
    RSASSA_PSS: ['rsa-pss-sha256', 'rsa-pss-sha384', 'rsa-pss-sha512'],
    ECDSA_WITH_SHA256: ['ecdsa-sha256'],
    ECDSA_WITH_SHA384: ['ecdsa-sha384'],
    ED25519: ['ed25519'],
  };
  const unimplemented = new Set([
    'RSA_WITH_MD5', 'RSA_WITH_SHA1', 'RSA_WITH_SHA224', 'RSA_WITH_SHA3_224', 'RSA_WITH_SHA3_256', 'RSA_WITH_SHA3_384',
    'RSA_WITH_SHA3_512', 'ECDSA_WITH_SHA1', 'ECDSA_WITH_SHA224', 'ECDSA_WITH_SHA512', 'ECDSA_WITH_SHA3_224',
    'ECDSA_WITH_SHA3_256', 'ECDSA_WITH_SHA3_384', 'ECDSA_WITH_SHA3_512', 'DSA_WITH_SHA1', 'DSA_WITH_SHA224',
    'DSA_WITH_SHA256', 'DSA_WITH_SHA384', 'DSA_WITH_SHA512', 'ED448', 'GOSTR3411_94_WITH_3410_2001',
    'GOSTR3410_2012_WITH_3411_2012_256', 'GOSTR3410_2012_WITH_3411_2012_512',
  ]);
  const chosen = [];
  for (const name of names) {
    if (Object.hasOwn(known, name)) chosen.push(...known[name]);
    else if (!unimplemented.has(name)) throw new Skipped(`signature algorithm \`${name}\` is not one limbo defines`);
  }
  return chosen;
}

/** `--flag value` pairs. */
export function parseArgs(argv, usage, known) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    if (!known.includes(flag) || i + 1 >= argv.length) throw new Error(`${flag === '-h' || flag === '--help' ? '' : `bad argument \`${flag}\`\n`}${usage}`);
    args[flag.slice(2)] = argv[i + 1];
  }
  return args;
}

/** `--now` as Unix seconds, or the clock (the one clock read, as in the native harness). */
export function nowOf(value) {
  if (value === undefined) return Math.floor(Date.now() / 1000);
  if (!/^[0-9]+$/.test(value)) throw new Error(`--now takes Unix seconds, not \`${value}\``);
  return Number(value);
}

async function main() {
  const usage = 'usage: node tests/limbo/wasm.mjs --limbo PATH --out RESULTS.json [--build node|web] [--now UNIX_SECONDS]';
  const args = parseArgs(process.argv.slice(2), usage, ['--limbo', '--out', '--build', '--now']);
  if (!args.limbo || !args.out) throw new Error(usage);
  const build = BUILDS[args.build ?? 'node'];
  if (!build) throw new Error(`--build is node or web, not \`${args.build}\``);
  const now = nowOf(args.now);
  const started = performance.now();
  const suite = loadSuite(args.limbo);
  const certgate = await build.load();
  const results = runSuite(certgate, suite, now);
  fs.writeFileSync(args.out, JSON.stringify({ version: 1, harness: build.harness, results }));
  const count = (r) => results.filter((o) => o.actual_result === r).length;
  console.log(
    `${build.harness}: ${results.length} cases, ${count('SUCCESS')} accepted, ${count('FAILURE')} rejected, ` +
      `${count('SKIPPED')} skipped (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`wasm.mjs: ${err.message}`);
    process.exitCode = 1;
  });
}
