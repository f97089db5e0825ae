// `npm run build`: writes the self-contained static site to bindings/inspector/dist/.
//   dist/index.html, inspector.css, *.mjs   the page (src/, copied as is: no bundler)
//   dist/certgate/web.mjs + pkg/web/        the npm package's web entry over the inspector's
//                                           own wasm build: the web build plus PKCS#12
//                                           (`readPkcs12`), which the npm package leaves out
//   dist/demo/*.pem                         the demo PKI (crates/certgate/tests/fixtures)
// The wasm is built every time with `npm --prefix bindings/npm run build inspector` (into
// bindings/npm/pkg/inspector; cargo rebuilds only what changed; needs the Rust toolchain, see
// that package), so the page never runs a stale core.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const npmPackage = path.resolve(root, '../npm');
const fixtures = path.resolve(root, '../../crates/certgate/tests/fixtures');
const dist = path.join(root, 'dist');

/** The demo files offered by the page's "Load demo" buttons (fixtures README describes them). */
const DEMO = ['alice.pem', 'root-ca.pem', 'expired.pem', 'rogue-leaf.pem', 'intermediate.crl.pem', 'revoked.pem'];

/** Files of the inspector's wasm build: the wasm-bindgen glue and the module. */
const WASM_BUILD = ['certgate_wasm.js', 'certgate_wasm_bg.wasm', 'package.json'];

/** The npm package's web entry, re-exporting what the inspector build adds. */
const ENTRY_EXTRA = `
// Added by bindings/inspector/scripts/build.mjs: the inspector's build also reads PKCS#12.
export { readPkcs12 } from './pkg/web/certgate_wasm.js';
`;

function buildWasm() {
  execFileSync('npm', ['--prefix', npmPackage, 'run', 'build', 'inspector'], { stdio: 'inherit' });
}

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

function main() {
  buildWasm();
  fs.rmSync(dist, { recursive: true, force: true });
  for (const name of fs.readdirSync(path.join(root, 'src'))) {
    copy(path.join(root, 'src', name), path.join(dist, name));
  }
  const entry = fs.readFileSync(path.join(npmPackage, 'web.mjs'), 'utf8');
  fs.mkdirSync(path.join(dist, 'certgate'), { recursive: true });
  fs.writeFileSync(path.join(dist, 'certgate', 'web.mjs'), entry + ENTRY_EXTRA);
  for (const file of WASM_BUILD) {
    copy(path.join(npmPackage, 'pkg', 'inspector', file), path.join(dist, 'certgate', 'pkg', 'web', file));
  }
  for (const name of DEMO) {
    copy(path.join(fixtures, name), path.join(dist, 'demo', name));
  }
  const size = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? size(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0);
  console.error(`wrote ${path.relative(process.cwd(), dist) || dist} (${Math.round(size(dist) / 1024)} KiB)`);
}

try {
  main();
} catch (err) {
  console.error(`build failed: ${err.message}`);
  process.exit(1);
}
