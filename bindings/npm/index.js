'use strict';
// certgate for Node (CommonJS): the certgate core as WebAssembly, signatures checked by Node's
// OpenSSL (`node:crypto`), plus the HTTPS middleware (lib/middleware.js) and the client helper
// (lib/client.js). Types: index.d.ts.

let wasm;
try {
  wasm = require('./pkg/node/certgate_wasm.js');
} catch (err) {
  if (err.code !== 'MODULE_NOT_FOUND') throw err;
  throw new Error('certgate: the WebAssembly build is missing; run `npm run build` in bindings/npm', { cause: err });
}

const { middleware, fastifyHook, tlsServerOptions, createChainReader } = require('./lib/middleware.js');
const { createSource: certificateSource } = require('./lib/forwarded.js');
const client = require('./lib/client.js');

module.exports = {
  createVerifier: wasm.createVerifier,
  inspect: wasm.inspect,
  inspectAll: wasm.inspectAll,
  codes: wasm.codes,
  isCertgateError: wasm.isCertgateError,
  provider: wasm.provider,
  decodeForwarded: wasm.decodeForwarded,
  forwardedFormats: wasm.forwardedFormats,
  Verifier: wasm.Verifier,
  VerifyResult: wasm.VerifyResult,
  middleware,
  fastifyHook,
  tlsServerOptions,
  createChainReader,
  certificateSource,
  agentOptions: (options) => client.agentOptions(wasm.createVerifier, options),
};
