// Type declarations for `certgate/web` (web.mjs): the same API as the Node entries, with
// webpki's ring algorithms compiled to wasm. Call `init` (or `initSync`) once before use.

export {
  CertificateInput, VerifierOptions, SignatureAlgorithm, Config, RevocationConfig, Limits, ProfileConfig, PolicyDocument, Rule, Matcher,
  VerifyOptions, InspectOptions, Decision, Explanation, Code, CertgateError, Inspection, DistinguishedName,
  createVerifier, inspect, inspectAll, codes, isCertgateError, provider, Verifier, VerifyResult,
  ForwardedFormat, ForwardedCertificates, ForwardedRequest, decodeForwarded, forwardedFormats,
} from './index.js';

/** What the wasm module can be loaded from: its URL (default: next to web.mjs), bytes or a compiled module. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** Loads and instantiates the wasm module; resolves once the API is usable. */
export function init(options?: { module_or_path?: InitInput | Promise<InitInput> }): Promise<unknown>;
export default init;

/** Instantiates the wasm module synchronously from bytes or a compiled module. */
export function initSync(options: { module: BufferSource | WebAssembly.Module }): unknown;

/** Options of {@link inspectCrl}. */
export interface InspectCrlOptions {
  /** The time `status` is computed for: Unix seconds or a `Date`. Default: now. */
  time?: number | Date;
}

/** Decodes every CRL of PEM (`X509 CRL` blocks) or DER input. Throws a `CertgateError` (`MALFORMED_CRL`, `MALFORMED_PEM`, …). */
export function inspectCrl(input: import('./index.js').CertificateInput, options?: InspectCrlOptions): CrlInspection[];

/** Decodes every PKCS#10 request of PEM (`CERTIFICATE REQUEST` blocks) or DER input; each self-signature is checked. */
export function inspectCsr(input: import('./index.js').CertificateInput): CsrInspection[];

/** The routes of a TOML policy document, in order. Throws `INVALID_POLICY` for a document the loader refuses. */
export function policyRoutes(toml: string): Array<{ name: string; methods: string[]; path: string }>;

/** A decoded CRL. */
export interface CrlInspection {
  version: number;
  issuer: import('./index.js').DistinguishedName;
  thisUpdate: string;
  thisUpdateUnix: number;
  nextUpdate: string | null;
  nextUpdateUnix: number | null;
  /** Decimal, or `0x` hex beyond 128 bits. */
  crlNumber: string | null;
  authorityKeyId: string | null;
  signatureAlgorithm: string;
  /** Every revoked entry counted; `revoked` lists the first 1000. */
  revokedCount: number;
  revoked: Array<{ serial: string; revocationDate: string; revocationDateUnix: number; reason: string | null }>;
  extensions: Array<{ oid: string; name: string; critical: boolean }>;
  sha256: string;
  /** Freshness at the given time. */
  status: { state: 'current' | 'expired' | 'not_yet_valid'; summary: string } | null;
}

/** A decoded PKCS#10 certification request. */
export interface CsrInspection {
  subject: import('./index.js').DistinguishedName;
  publicKey: { algorithm: string; curve: string | null; bits: number | null };
  signatureAlgorithm: string;
  /** Whether the self-signature verifies; null when no enabled algorithm fits. */
  signatureValid: boolean | null;
  subjectAltNames: { dns: string[]; ip: string[]; email: string[]; uri: string[]; dir: string[] };
  keyUsage: string[];
  extendedKeyUsage: string[] | null;
  basicConstraints: { ca: boolean; pathLen: number | null; critical: boolean } | null;
  extensions: Array<{ oid: string; name: string; critical: boolean }>;
  /** Other request attributes by name or OID (values never shown). */
  attributes: string[];
  sha256: string;
}
