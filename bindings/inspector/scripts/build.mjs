// `npm run build`: writes the self-contained static site to bindings/inspector/dist/.
//   dist/index.html, inspector.css, *.mjs   the page (src/, copied as is: no bundler)
//   dist/certgate/web.mjs + pkg/web/        the npm package's web build (ring compiled to wasm)
//   dist/demo/*.pem                         the demo PKI (crates/certgate/tests/fixtures)
// The web build is taken from bindings/npm/pkg/web; when it is missing it is built first with
// `npm --prefix bindings/npm run build web` (needs the Rust toolchain, see that package).

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

/** Files of the web build the page loads: the entry, the wasm-bindgen glue and the module. */
const WEB_BUILD = ['web.mjs', 'pkg/web/certgate_wasm.js', 'pkg/web/certgate_wasm_bg.wasm', 'pkg/web/package.json'];

function ensureWebBuild() {
  const missing = WEB_BUILD.filter((f) => !fs.existsSync(path.join(npmPackage, f)));
  if (missing.length === 0) return;
  console.error(`web build missing (${missing.join(', ')}); building it`);
  execFileSync('npm', ['--prefix', npmPackage, 'run', 'build', 'web'], { stdio: 'inherit' });
}

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

function main() {
  ensureWebBuild();
  fs.rmSync(dist, { recursive: true, force: true });
  for (const name of fs.readdirSync(path.join(root, 'src'))) {
    copy(path.join(root, 'src', name), path.join(dist, name));
  }
  for (const file of WEB_BUILD) {
    copy(path.join(npmPackage, file), path.join(dist, 'certgate', file));
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
