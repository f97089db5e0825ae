// The Node side of the interop suite (issue 12): node:https `https.request` with the options
// of the certgate npm package's client helper, `agentOptions({ pfx, passphrase, ca })`: the
// identity from certgate's PKCS#12 file, the server's chain checked by OpenSSL and by certgate.
//
//   CERTGATE_PASSWORD=changeit node client.mjs [--private-pki] URL CA.pem [IDENTITY.p12]
//
// --private-pki passes `config: { profile: { cabfServer: false } }`: the server's chain is not
// held to the CA/Browser Forum's TLS rules (which allow only RSA and ECDSA keys), as for an
// Ed25519 private PKI. Without IDENTITY the helper cannot be used (it requires one), so the
// request has plain `ca` options: a client that forgot its certificate. Prints one JSON line:
// {"status","body"} or {"error","code"}; 20 s timeout.

import fs from 'node:fs';
import https from 'node:https';
import { agentOptions } from '../../bindings/npm/index.mjs';

const argv = process.argv.slice(2);
const privatePki = argv[0] === '--private-pki';
const [url, caFile, p12File] = privatePki ? argv.slice(1) : argv;
if (!url || !caFile) {
  process.stderr.write('usage: node client.mjs [--private-pki] URL CA.pem [IDENTITY.p12]\n');
  process.exit(2);
}
const ca = fs.readFileSync(caFile);
const options = p12File
  ? agentOptions({
    pfx: fs.readFileSync(p12File),
    passphrase: process.env.CERTGATE_PASSWORD ?? 'changeit',
    ca,
    ...(privatePki ? { config: { profile: { cabfServer: false } } } : {}),
  })
  : { ca };

const result = await new Promise((resolve) => {
  const req = https.request(url, { ...options, agent: false, timeout: 20_000 }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => { body += chunk; });
    res.on('end', () => resolve({ status: res.statusCode, body }));
    res.on('error', (err) => resolve({ error: err.message, code: err.code ?? null }));
  });
  req.on('timeout', () => req.destroy(new Error('timed out after 20 s')));
  req.on('error', (err) => resolve({ error: err.message, code: err.code ?? null }));
  req.end();
});
process.stdout.write(`${JSON.stringify(result)}\n`);
