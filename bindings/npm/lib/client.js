'use strict';
// The client side of mutual TLS: `https.Agent` options from a PKCS#12 or PEM identity and a
// private CA, with the server's chain verified by certgate (usage serverAuth, the host name
// against its subjectAltName) on top of OpenSSL's own check against the same CA. This is the
// Java HttpClient + KeyStore + TrustStore set-up, for Node.

const { configError, readChain } = require('./middleware.js');

const OPTIONS = ['pfx', 'passphrase', 'cert', 'key', 'ca', 'config', 'time'];

/**
 * @param {(input: object) => object} createVerifier the build's createVerifier
 * @param {object} options see index.d.ts `AgentOptionsInput`
 */
function agentOptions(createVerifier, options) {
  if (options === null || typeof options !== 'object') throw configError('agentOptions needs an options object');
  for (const key of Object.keys(options)) {
    if (!OPTIONS.includes(key)) throw configError(`unknown agentOptions option \`${key}\`; known options: ${OPTIONS.join(', ')}`);
  }
  const { pfx, passphrase, cert, key, ca, config, time } = options;
  if ((pfx === undefined) === (cert === undefined && key === undefined)) {
    throw configError('give the client identity either as `pfx` (PKCS#12, with `passphrase`) or as PEM `cert` and `key`');
  }
  if (pfx === undefined && (cert === undefined || key === undefined)) throw configError('a PEM identity needs both `cert` and `key`');
  if (ca === undefined) throw configError('`ca` (the CA that issued the server certificate) is required');
  const verifier = createVerifier({ trust: ca, config });
  const identity = pfx !== undefined ? { pfx, passphrase } : { cert, key };
  return {
    ...identity,
    ca,
    rejectUnauthorized: true,
    checkServerIdentity(hostname, peer) {
      const chain = readChain({ getPeerCertificate: () => peer });
      try {
        verifier.verify(chain, { usage: 'serverAuth', hostname: hostname.replace(/^\[|\]$/g, ''), time: time ? time() : undefined }).free();
        return undefined;
      } catch (err) {
        return err;
      }
    },
  };
}

module.exports = { agentOptions };
