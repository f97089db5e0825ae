'use strict';
// The demo PKI of `certgate demo pki` (root and intermediate CAs, a localhost server, clients
// alice, mallory, expired and rogue as PEM and PKCS#12, policy.toml, server.toml, crl.pem),
// written into a fresh temporary directory by the CLI built from this repository.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO = path.resolve(__dirname, '../../..');

/** The `certgate` CLI binary, built (or found up to date) by cargo. */
function cli() {
  if (process.env.CERTGATE_CLI) return process.env.CERTGATE_CLI;
  execFileSync('cargo', ['build', '--quiet', '-p', 'certgate-cli'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  return path.join(process.env.CARGO_TARGET_DIR || path.join(REPO, 'target'), 'debug', 'certgate');
}

/** Writes a demo PKI; returns its directory and a reader of its files. */
function demoPki() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certgate-demo-'));
  execFileSync(cli(), ['demo', 'pki', '--out', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const read = (name, encoding) => fs.readFileSync(path.join(dir, name), encoding);
  const client = (name) => ({ cert: read(`clients/${name}.pem`), key: read(`clients/${name}.key`) });
  const pfx = (name) => ({ pfx: read(`clients/${name}.p12`), passphrase: 'changeit' });
  return { dir, read, client, pfx, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

module.exports = { demoPki, REPO };
