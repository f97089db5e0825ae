'use strict';
// `npm run build`: compiles bindings/wasm twice and runs wasm-bindgen over each build.
//   pkg/node/  the `node` feature (signatures through node:crypto), CommonJS glue
//   pkg/web/   the `web` feature (ring compiled to wasm), ES-module glue for browsers
// `npm run build <name>` builds that one only; `inspector` is built only when named:
//   pkg/inspector/  `web` + `pkcs12` (readPkcs12), for bindings/inspector; not in the package
// Needs the wasm32-unknown-unknown target, clang (ring's C for wasm32) and the wasm-bindgen
// CLI at exactly the version pinned in the root Cargo.toml.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const pkgDir = path.resolve(__dirname, '..');
const repo = path.resolve(pkgDir, '../..');
const targetDir = process.env.CARGO_TARGET_DIR || path.join(repo, 'target');
const wasmFile = path.join(targetDir, 'wasm32-unknown-unknown', 'release', 'certgate_wasm.wasm');

// Size-tuned release settings for this build only (the workspace profile is shared):
// whole-program LTO and one codegen unit shrink the module and speed it up; a panic is a
// trap in wasm either way, so unwinding tables are dead weight.
// The web build is downloaded, so it is optimised hardest for size (`z`: 5% smaller than `s`
// gzipped, measured). The Node build is optimised for speed (`3`): its time goes to OpenSSL's
// signature checks (~90% of a P-256 chain), but the wasm part of a chain, measured with the
// signature call stubbed out, is ~35% faster at `3` than at `s` (7.6 vs 12.4 µs, one process,
// interleaved rounds); the module is 551 KB gzipped instead of 453. CERTGATE_WASM_OPT_LEVEL
// overrides both.
const cargoEnv = (optLevel) => ({
  ...process.env,
  CARGO_PROFILE_RELEASE_LTO: 'true',
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS: '1',
  CARGO_PROFILE_RELEASE_PANIC: 'abort',
  CARGO_PROFILE_RELEASE_OPT_LEVEL: process.env.CERTGATE_WASM_OPT_LEVEL || optLevel,
});

const BUILDS = [
  { name: 'node', features: ['--features', 'node'], target: 'nodejs', optLevel: '3' },
  { name: 'web', features: ['--no-default-features', '--features', 'web'], target: 'web', optLevel: 'z' },
  { name: 'inspector', features: ['--no-default-features', '--features', 'web,pkcs12'], target: 'web', optLevel: 'z', onlyNamed: true },
];

/** Issue 7's goal for the web module, gzipped (README.md, "Module sizes", has the breakdown). */
const GOAL_KIB = 350;

function run(cmd, args, options = {}) {
  console.error(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', cwd: repo, ...options });
}

function pinnedBindgenVersion() {
  const toml = fs.readFileSync(path.join(repo, 'Cargo.toml'), 'utf8');
  const match = /^wasm-bindgen = "=([0-9.]+)"/m.exec(toml);
  if (!match) throw new Error('root Cargo.toml pins no exact wasm-bindgen version');
  return match[1];
}

function checkBindgen() {
  const want = pinnedBindgenVersion();
  let have;
  try {
    have = execFileSync('wasm-bindgen', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`wasm-bindgen not found; run: cargo install wasm-bindgen-cli --version ${want}`);
  }
  if (have !== `wasm-bindgen ${want}`) {
    throw new Error(`${have} installed, ${want} pinned; run: cargo install wasm-bindgen-cli --version ${want} --force`);
  }
}

function main() {
  checkBindgen();
  const only = process.argv[2];
  if (only && !BUILDS.some((b) => b.name === only)) {
    throw new Error(`unknown build \`${only}\`; builds: ${BUILDS.map((b) => b.name).join(', ')}`);
  }
  for (const build of BUILDS) {
    if (only ? only !== build.name : build.onlyNamed) continue;
    run('cargo', ['build', '-p', 'certgate-wasm', '--release', '--target', 'wasm32-unknown-unknown', ...build.features], {
      env: cargoEnv(build.optLevel),
    });
    const out = path.join(pkgDir, 'pkg', build.name);
    fs.rmSync(out, { recursive: true, force: true });
    // The name section only serves stack traces with function names; it is a fifth of the file.
    run('wasm-bindgen', ['--target', build.target, '--no-typescript', '--remove-name-section', '--remove-producers-section', '--out-dir', out, wasmFile]);
    // The glue's module system, so Node never has to guess it.
    const type = build.target === 'web' ? 'module' : 'commonjs';
    fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify({ type }, null, 2)}\n`);
    // Issue 7's size goal is the web module gzipped; printed for every build so drift shows.
    const wasm = fs.readFileSync(path.join(out, 'certgate_wasm_bg.wasm'));
    const gzipped = zlib.gzipSync(wasm, { level: 9 }).length;
    const goal = build.name === 'web' ? `; goal ${GOAL_KIB} KiB: ${gzipped <= GOAL_KIB * 1024 ? 'met' : `${((gzipped - GOAL_KIB * 1024) / 1024).toFixed(1)} KiB over`}` : '';
    console.error(`pkg/${build.name}/certgate_wasm_bg.wasm: ${wasm.length} bytes, ${gzipped} gzipped (${(gzipped / 1024).toFixed(1)} KiB${goal})`);
  }
}

try {
  main();
} catch (err) {
  console.error(`build failed: ${err.message}`);
  process.exit(1);
}
