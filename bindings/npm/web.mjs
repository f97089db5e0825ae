// certgate for browsers and other JavaScript engines: the certgate core as WebAssembly with
// webpki's ring signature algorithms compiled in. Call `init()` (or `initSync`) once first.
// Types: web.d.ts.
import init, {
  initSync,
  createVerifier,
  inspect,
  inspectAll,
  codes,
  isCertgateError,
  provider,
  Verifier,
  VerifyResult,
  inspectCrl,
  inspectCsr,
  decodeForwarded,
  forwardedFormats,
  policyRoutes,
} from './pkg/web/certgate_wasm.js';

export { init, initSync, createVerifier, inspect, inspectAll, codes, isCertgateError, provider, Verifier, VerifyResult };
// Forwarded client certificates (bindings/wasm/src/decode.rs), as in the Node entries.
export { decodeForwarded, forwardedFormats };
// Decoding beyond certificates (bindings/wasm/src/decode.rs), used by the inspector page,
// whose own build adds `readPkcs12` (bindings/inspector/scripts/build.mjs).
export { inspectCrl, inspectCsr, policyRoutes };
export default init;
