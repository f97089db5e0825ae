// Type declarations for `certgate/web` (web.mjs): the same API as the Node entries, with
// webpki's ring algorithms compiled to wasm. Call `init` (or `initSync`) once before use.

export {
  CertificateInput, VerifierOptions, Config, RevocationConfig, Limits, ProfileConfig, PolicyDocument, Rule, Matcher,
  VerifyOptions, InspectOptions, Decision, Explanation, Code, CertgateError, Inspection, DistinguishedName,
  createVerifier, inspect, inspectAll, codes, isCertgateError, provider, Verifier, VerifyResult,
} from './index.js';

/** What the wasm module can be loaded from: its URL (default: next to web.mjs), bytes or a compiled module. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** Loads and instantiates the wasm module; resolves once the API is usable. */
export function init(options?: { module_or_path?: InitInput | Promise<InitInput> }): Promise<unknown>;
export default init;

/** Instantiates the wasm module synchronously from bytes or a compiled module. */
export function initSync(options: { module: BufferSource | WebAssembly.Module }): unknown;
