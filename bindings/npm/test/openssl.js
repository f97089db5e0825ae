'use strict';
// Certificates the fixtures do not have, generated at test time with the openssl command:
// chains whose signatures OpenSSL accepts but webpki/ring do not (RSA-1024 issuer, SHA-1).

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const KINDS = {
  rsa2048: { key: ['-newkey', 'rsa:2048'], digest: '-sha256' },
  rsa1024: { key: ['-newkey', 'rsa:1024'], digest: '-sha256' },
  sha1: { key: ['-newkey', 'rsa:2048'], digest: '-sha1' },
};

const CA_EXT = [
  'basicConstraints=critical,CA:true',
  'keyUsage=critical,keyCertSign,cRLSign',
  'subjectKeyIdentifier=hash',
].join('\n');
const LEAF_EXT = [
  'basicConstraints=critical,CA:false',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=clientAuth',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid',
  'subjectAltName=DNS:client.example.org',
].join('\n');

/**
 * A root CA (issuer key and digest by `kind`) and a chain `[leaf]` it signed, as PEM text,
 * valid from now for a day.
 */
function generateChain(kind) {
  const { key, digest } = KINDS[kind];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certgate-openssl-'));
  const file = (name) => path.join(dir, name);
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    fs.writeFileSync(file('ca.ext'), CA_EXT);
    fs.writeFileSync(file('leaf.ext'), LEAF_EXT);
    openssl('req', '-x509', ...key, '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', digest, '-days', '1',
      '-subj', `/CN=certgate ${kind} test CA`, '-extensions', 'v3', '-config', writeConfig(dir, CA_EXT));
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key',
      '-out', 'leaf.csr', '-subj', '/CN=client');
    openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '0x1234',
      digest, '-days', '1', '-extfile', 'leaf.ext', '-out', 'leaf.pem');
    return { root: fs.readFileSync(file('ca.pem'), 'utf8'), chain: fs.readFileSync(file('leaf.pem'), 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function writeConfig(dir, extensions) {
  const config = path.join(dir, 'req.cnf');
  fs.writeFileSync(config, `[req]\ndistinguished_name = dn\n[dn]\n[v3]\n${extensions}\n`);
  return config;
}

module.exports = { generateChain };
