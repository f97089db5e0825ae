// Type declarations for `certgate` (Node entries index.js / index.mjs). Hand-written: this file
// is the package's contract; bindings/wasm implements it.

/// <reference types="node" />

/**
 * Certificates or CRLs: PEM text, or PEM/DER bytes (a DER input may hold several items back
 * to back), an object with a `raw` DER buffer (Node's `X509Certificate`, the object
 * `tlsSocket.getPeerCertificate()` returns), or an array of these.
 */
export type CertificateInput = string | Uint8Array | ArrayBuffer | { raw: Uint8Array } | ReadonlyArray<string | Uint8Array | ArrayBuffer | { raw: Uint8Array }>;

/** Options of {@link createVerifier}. At least one of `trust` and `pinned` is required. */
export interface VerifierOptions {
  /** Trusted CA certificates (trust anchors): roots or intermediates. */
  trust?: CertificateInput;
  /**
   * Pinned certificates: a presented leaf byte-identical to one of these is trusted by
   * itself, like a Java trust store's `trustedCertEntry`. Its validity and usage still count.
   */
  pinned?: CertificateInput;
  /** CRLs (`X509 CRL` PEM blocks or DER) applied to every certificate in a path. */
  crls?: CertificateInput;
  /** Verification settings; every field is optional and unknown fields are refused. */
  config?: Config;
  /**
   * The route policy: the TOML text of a certgate policy file, or an object with the same
   * schema (crates/certgate/policy.example.toml documents every key). Without one every
   * verified client is admitted on every route and its principal is its subject's CN.
   */
  policy?: string | PolicyDocument;
  /**
   * Restricts the signature algorithms a path may use (every certificate's and CRL's
   * signature) to these, in this order. Absent: every algorithm of the build. An empty list
   * allows none, so nothing verifies (`UNSUPPORTED_SIGNATURE_ALGORITHM`). The `rsa-pkcs1-*`
   * names also allow the identifier without NULL parameters; each `ecdsa-*` name covers P-256
   * and P-384 keys. Unknown names are refused (`INVALID_CONFIG`).
   */
  signatureAlgorithms?: SignatureAlgorithm[];
  /**
   * The Public Suffix List's text (publicsuffix.org format, e.g. Debian's
   * `/usr/share/publicsuffix/public_suffix_list.dat`) for the profile's CA/B wildcard rule: with
   * it, a `serverAuth` leaf whose subjectAltName holds `*.` followed by a public suffix
   * (`*.co.uk`) is refused (`PROFILE_VIOLATION`, BR §3.2.2.6). certgate embeds no list; without
   * one the rule does not run. The last list parsed is kept, so verifiers built with the same
   * text share one parse.
   */
  publicSuffixes?: string;
}

/** A signature algorithm name of {@link VerifierOptions.signatureAlgorithms}. */
export type SignatureAlgorithm =
  | 'ecdsa-sha256' | 'ecdsa-sha384' | 'ed25519'
  | 'rsa-pkcs1-sha256' | 'rsa-pkcs1-sha384' | 'rsa-pkcs1-sha512'
  | 'rsa-pss-sha256' | 'rsa-pss-sha384' | 'rsa-pss-sha512';

/** Verification settings fixed when the verifier is built. */
export interface Config {
  /** Clock-skew tolerance in seconds for every notBefore and notAfter in the path. Default 0. */
  skewSecs?: number;
  /** Most certificates in a verified path, leaf and anchor included (at least 2). Default 8. */
  maxPathLen?: number;
  /** Require the leaf to list the usage in an extendedKeyUsage extension. Default false. */
  requireEku?: boolean;
  /** How CRLs are applied. */
  revocation?: RevocationConfig;
  /** Input limits. */
  limits?: Limits;
  /** RFC 5280 / CA/B profile rules beyond webpki's checks (all on by default). */
  profile?: ProfileConfig;
}

/** How configured CRLs are applied. */
export interface RevocationConfig {
  /** Check only the leaf instead of every certificate in the path. Default false. */
  leafOnly?: boolean;
  /** Reject a certificate no configured CRL covers (`REVOCATION_STATUS_UNKNOWN`). Default false. */
  denyUnknown?: boolean;
  /** Reject when a needed CRL is past its nextUpdate (`CRL_EXPIRED`). Default true. */
  enforceExpiry?: boolean;
}

/** Bounds on input size; exceeding one is `INPUT_TOO_LARGE` or `TOO_MANY_CERTIFICATES`. */
export interface Limits {
  /** Largest presented chain in bytes. Default 1 MiB. */
  chainBytes?: number;
  /** Most certificates in a presented chain. Default 32. */
  chainCerts?: number;
  /** Largest trust-store, pinned or CRL input in bytes. Default 16 MiB. */
  bundleBytes?: number;
  /** Most certificates or CRLs in one trust-store, pinned or CRL input. Default 4096. */
  bundleItems?: number;
}

/** The strict profile's switches. */
export interface ProfileConfig {
  /** Enforce the RFC 5280 profile rules at all. Default true. */
  rfc5280?: boolean;
  /** For `serverAuth`, also enforce the CA/Browser Forum TLS rules. Default true. */
  cabfServer?: boolean;
  /** Accept certificates without authority/subject key identifiers. Default false. */
  allowMissingKeyIdentifiers?: boolean;
  /** Accept a trust anchor outside its own validity period. Default false. */
  allowExpiredAnchors?: boolean;
  /** Accept a nameConstraints extension not marked critical. Default false. */
  allowNoncriticalNameConstraints?: boolean;
}

/** A policy document as an object: the TOML schema's keys, unknown keys refused. */
export interface PolicyDocument {
  /** Schema version; 1 when given. */
  version?: 1;
  /** Where the principal comes from (default: `CN=(.*?)(?:,|$)` over the subject). */
  principal?: { source?: 'subject_regex' | 'attribute' | 'common_name' | 'san_dns' | 'san_email' | 'san_uri' | 'spiffe_id'; regex?: string; attribute?: string; required?: boolean };
  /** A matcher every certificate must satisfy on routes that need one. */
  require?: Matcher;
  /** Principal → roles. */
  roles?: Record<string, string[]>;
  /** Matcher → roles, for every certificate that matches. */
  grants?: Array<{ name?: string; match: Matcher; roles: string[] }>;
  /** Route rules, first match decides. */
  routes?: Array<{ name?: string; methods?: string[]; path: string } & Rule>;
  /** The rule for requests no route covers; absent: deny. */
  default?: Rule;
}

/** What a route needs. */
export interface Rule {
  /** `anonymous`, `authenticated` or `deny`; absent: `authenticated` when `roles` is given. */
  access?: 'anonymous' | 'authenticated' | 'deny';
  /** The principal must hold one of these roles. */
  roles?: string[];
  /** A matcher the certificate must also satisfy. */
  require?: Matcher;
}

/** A certificate matcher: an object with exactly one key. */
export type Matcher =
  | { subject_regex: string }
  | { issuer_regex: string }
  | { subject: Record<string, string | string[]> }
  | { issuer: Record<string, string | string[]> }
  | { san_dns: string | string[] }
  | { san_ip: string | string[] }
  | { san_email: string | string[] }
  | { san_uri: string | string[] }
  | { spiffe: { trust_domain: string; path?: string } }
  | { fingerprint: string | string[] }
  | { all: Matcher[] }
  | { any: Matcher[] }
  | { not: Matcher };

/** Options of {@link Verifier.verify}; unknown fields are refused. */
export interface VerifyOptions {
  /** The check time: Unix seconds or a `Date`. Default: now (`Date.now()`). */
  time?: number | Date;
  /** The purpose: `clientAuth` (default), `serverAuth` or a custom EKU as a dotted OID. */
  usage?: 'clientAuth' | 'serverAuth' | (string & {});
  /** A DNS name or IP address the leaf's subjectAltName must cover (`NAME_MISMATCH`). */
  hostname?: string;
}

/** Options of {@link inspect} and {@link inspectAll}. */
export interface InspectOptions {
  /** The time `status` is computed for: Unix seconds or a `Date`. Default: now. */
  time?: number | Date;
}

/** Creates a verifier; throws a {@link CertgateError} when the material, config or policy is unusable. */
export function createVerifier(options: VerifierOptions): Verifier;

/** Decodes the first certificate of PEM or DER input. Throws a {@link CertgateError}. */
export function inspect(input: CertificateInput, options?: InspectOptions): Inspection;

/** Decodes every certificate of PEM or DER input, in order. Throws a {@link CertgateError}. */
export function inspectAll(input: CertificateInput, options?: InspectOptions): Inspection[];

/** Every stable code with the HTTP status HTTP surfaces answer it with. */
export function codes(): Array<{ code: Code; httpStatus: number }>;

/** Whether `value` is an error this package threw. */
export function isCertgateError(value: unknown): value is CertgateError;

/** The signature provider of this build: `node-crypto` (Node entries) or `ring-wasm` (web). */
export function provider(): 'node-crypto' | 'ring-wasm';

/**
 * A forwarded-certificate convention (docs/proxies/README.md):
 * - `nginx`: `$ssl_client_escaped_cert`, URL-escaped PEM;
 * - `aws-alb`: `X-Amzn-Mtls-Clientcert`, URL-encoded PEM with `+ / =` left unescaped;
 * - `envoy-xfcc`: `X-Forwarded-Client-Cert`, `Key=value;…` elements whose `Cert`/`Chain` is
 *   URL-escaped PEM; which element is read is the core's rule, the native server's;
 * - `traefik`: `X-Forwarded-Tls-Client-Cert`, comma-joined base64 DER, query-escaped;
 * - `rfc9440`: `Client-Cert` `:base64:`; append `Client-Cert-Chain` to it after `, `
 *   (structured-field lists join with commas, RFC 9651 §3.1) to decode the whole chain.
 */
export type ForwardedFormat = 'nginx' | 'aws-alb' | 'envoy-xfcc' | 'traefik' | 'rfc9440';

/** Certificates decoded from forwarded header values. */
export interface ForwardedCertificates {
  /** The convention: the one named, or the first line's when detected. */
  format: ForwardedFormat;
  /** The header name the first line was prefixed with (detection only), or null. */
  header: string | null;
  /** The chain as DER, leaf first: pass it to {@link Verifier.verify}. */
  certificates: Uint8Array[];
  /**
   * Envoy XFCC elements before each value's last one, summed over the lines: earlier hops'
   * (or the client's own) claims, never read. 0 for a single element and other formats.
   */
  ignoredElements: number;
}

/**
 * Decodes a forwarded client certificate with the core's parser, the native server's.
 *
 * With `format`, `value` is one header's value in that convention: nothing is detected and no
 * `Name:` prefix is stripped, so a value in another convention is refused. Without it, `value`
 * is one header value per line, each optionally prefixed by its header name, and each line's
 * convention is detected: for pasted headers (the inspector page), not for servers, which know
 * what their proxy sends. Default limits; {@link Verifier.decodeForwarded} applies a verifier's.
 *
 * Throws a {@link CertgateError}: `MALFORMED_PEM` (bad escapes, quoting or base64, a value in
 * another convention), `NO_CERTIFICATE` (an empty value, an XFCC element without
 * `Cert`/`Chain`), `INPUT_TOO_LARGE` (over 256 KiB), `TOO_MANY_CERTIFICATES`, `INVALID_CONFIG`
 * (an unknown `format`, a value that is not a string).
 */
export function decodeForwarded(value: string, format?: ForwardedFormat): ForwardedCertificates;

/** A request's forwarded-certificate header lines, for {@link Verifier.presentedChain}. */
export interface ForwardedRequest {
  /** The convention the trusted proxy sends. */
  format: ForwardedFormat;
  /** The header's name, for messages. */
  header: string;
  /** The header's field lines as received (`req.headersDistinct[header]`): none, one, or several (refused). */
  values?: string | string[] | null;
  /** For `rfc9440`, the `Client-Cert-Chain` field lines, joined to `Client-Cert` with `, `; ignored otherwise. */
  chain?: string | string[] | null;
  /** Intermediates (PEM or DER) appended to the chain when it lacks them, for proxies that forward the leaf only. */
  intermediates?: CertificateInput | null;
}

/** Every {@link ForwardedFormat} name, for checking a configured format when it is loaded. */
export function forwardedFormats(): ForwardedFormat[];

/** Options of {@link middleware} and {@link fastifyHook}; checked when created (`INVALID_CONFIG`). */
export interface MiddlewareOptions {
  /** The verifier (from either build) whose trust material and policy decide every request. */
  verifier: Verifier;
  /**
   * `required` (default): every request needs a valid certificate (401 `NO_CERTIFICATE`
   * without one, even on anonymous routes). `optional`: a request without a certificate is
   * decided by the policy (anonymous routes pass, others answer 401).
   */
  clientAuth?: 'required' | 'optional';
  /**
   * Decide each request by the verifier's route policy (method and path). Default true.
   * `false`: any verified certificate passes on every route.
   */
  authorize?: boolean;
  /** The check time for each request (Unix seconds or a Date). Default: now. */
  time?: () => number | Date;
  /**
   * Seconds a connection's verdict is kept before its chain is verified again (keep-alive
   * connections then see an expiry or a new CRL within this time). Default 60; 0: every request.
   */
  cacheSecs?: number;
  /** Called with the error and the request before a 401/403 answer, e.g. to log it. */
  onDenied?: (error: CertgateError, req: import('node:http').IncomingMessage) => void;
  /**
   * Where requests take their certificate from, with the keys of a server.toml `[[listeners]]`
   * entry (the native server's rules). Omitted: the TLS connection's, on every route.
   */
  listener?: ListenerOptions;
  /**
   * Receives events as the native server logs them: `forwarded_header_untrusted` with `peer`,
   * `headers` (the names stripped) and `reason`. Default: a JSON line on standard error.
   */
  log?: (event: string, fields: Record<string, unknown>) => void;
  /**
   * The TLS server's own `ca` option (PEM), when it has one. Give the server the verifier's
   * trust anchors as `ca` so its CertificateRequest names them (browsers such as Chromium
   * then send their intermediates, not the leaf alone), and the same here: Node completes a
   * client's chain from the server's `ca`, and the middleware verifies only what the client
   * sent ({@link createChainReader}). Put only trust anchors there: a certificate of `ca` is
   * never taken as the client's, so an intermediate in it refuses chains through it
   * (`UNKNOWN_ISSUER`) rather than completing them.
   */
  ca?: string | Buffer | Array<string | Buffer>;
}

/**
 * A listener's certificate sources: server.toml `[[listeners]]` keys (docs/proxies/README.md).
 * **A forwarded header counts only from a trusted proxy**; from anyone else every known
 * certificate header is removed from `req.headers`, logged, and the request has no certificate.
 */
export interface ListenerOptions {
  /** `tls` (default): the TLS connection's certificate; `forwarded`: a trusted proxy's header. */
  source?: 'tls' | 'forwarded';
  /** The header's convention; required where a source is `forwarded` (here or per route). */
  format?: ForwardedFormat;
  /** The header name; default per format (`X-SSL-Client-Cert` for nginx, …). */
  header?: string;
  /** Address ranges (`10.0.0.0/8`, `::1/128`, a bare address) whose header counts. */
  trusted_proxies?: string[];
  /** The proxies' own client certificates (PEM text, not paths): the TLS peer must present one. */
  proxy_certificates?: Array<string | Buffer>;
  /** Intermediate CA certificates (PEM) added to every forwarded chain, for leaf-only proxies. */
  intermediates?: Array<string | Buffer>;
  /** Per-route sources: the longest `path` prefix (whole segments) chooses; others use `source`. */
  routes?: Array<{ path: string; source: 'tls' | 'forwarded'; format?: ForwardedFormat; header?: string }>;
}

/** What {@link CertificateSource.presented} found for one request. */
export type Presented =
  | { kind: 'tls' }
  | { kind: 'none' }
  | { kind: 'chain'; chain: Buffer[] }
  | { kind: 'malformed'; error: CertgateError };

/** A listener's certificate sources, for servers that judge requests themselves (node-demo). */
export interface CertificateSource {
  /**
   * The request's certificate under its route's source. `handshakeChain` is what the TLS peer
   * presented (a proxy's own, when one connects); `tls` means: use the connection's chain.
   */
  presented(req: import('node:http').IncomingMessage, handshakeChain: Buffer[] | null): Presented;
  /** `tls` or `forwarded`: the source of requests for a path. */
  sourceFor(path: string): 'tls' | 'forwarded';
  /** Whether any route takes a forwarded header. */
  forwards: boolean;
  /** The proxies' certificates (DER) a TLS peer must present, when any are set. */
  proxies: Buffer[];
}

/**
 * Checks `listener` (throws `INVALID_CONFIG`) and returns its certificate sources; the
 * middleware's `listener` option uses the same. `verifier` decodes forwarded headers.
 */
export function certificateSource(
  listener: ListenerOptions | undefined,
  verifier: Verifier,
  log?: (event: string, fields: Record<string, unknown>) => void,
): CertificateSource;

/** What the middleware attaches as `req.certgate` (and `request.certgate` in fastify). */
export interface RequestCertgate {
  /** The client's principal, or null (anonymous route, no certificate). */
  principal: string | null;
  /** The principal's roles. */
  roles: string[];
  /** The verified leaf's inspection record, or null without a verified certificate. */
  certificate: Inspection | null;
  /** The verification result as plain values, or null. */
  result: VerifiedChain | null;
  /** The policy's decision, or null with `authorize: false`. */
  decision: Decision | null;
}

/**
 * A {@link VerifyResult}'s values copied for a request: the middleware frees the wasm object
 * itself (when its connection closes or its verdict is renewed), so nothing is left to `free()`.
 * The path's records: `inspectAll(result.path, {time: result.time})`.
 */
export interface VerifiedChain {
  /** The verified path as DER, leaf first and trust anchor last; a pinned leaf is alone. */
  readonly path: Uint8Array[];
  /** Whether the leaf was accepted because it is pinned. */
  readonly pinned: boolean;
  /** The check time, Unix seconds. */
  readonly time: number;
  /** The leaf's inspection record, with its status at the check time. */
  readonly leaf: Inspection;
  /** The client's principal, or null. */
  readonly principal: string | null;
  /** The principal's roles. */
  readonly roles: string[];
}

/**
 * Connect/express middleware, also usable with node:https as `mw(req, res, next)`: verifies
 * the client's chain (resumed TLS sessions included) and decides the request, then sets
 * `req.certgate` and calls `next()`, or answers 401/403 with JSON `{code, message}`.
 */
export function middleware(options: MiddlewareOptions): (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, next: (err?: unknown) => void) => void;

/** The same as a fastify `onRequest` hook: `fastify.addHook('onRequest', fastifyHook({...}))`. */
export function fastifyHook(options: MiddlewareOptions): (request: any, reply: any) => Promise<unknown>;

/** TLS server options that request a client certificate and leave its verification to certgate. */
export function tlsServerOptions<T extends import('node:tls').TlsOptions>(options: T): T & { requestCert: true; rejectUnauthorized: false };

/**
 * A reader of client chains from TLS sockets (DER, leaf first; null when none was sent),
 * cached per socket; on a resumed session it returns the chain the leaf's client presented
 * on its last full handshake, for the caller to verify in full again.
 */
export function createChainReader(options?: ChainReaderOptions): (socket: import('node:tls').TLSSocket) => Buffer[] | null;

/** Options of {@link createChainReader}. */
export interface ChainReaderOptions {
  /**
   * The TLS server's own `ca` option (PEM), when it has one (e.g. to name acceptable CAs in
   * its CertificateRequest). Node completes a client's chain from it, so the reader ends the
   * chain before the first of these certificates: the chain is what the client sent. A client's
   * own copy of one is left out too (Node's answer cannot tell them apart), so `ca` should hold
   * only trust anchors. Throws `INVALID_CONFIG` on anything but PEM certificates.
   */
  ca?: string | Buffer | Array<string | Buffer>;
}

/** Options of {@link agentOptions}: an identity (PKCS#12 or PEM) and the server's CA. */
export interface AgentOptionsInput {
  /** The client identity as PKCS#12 (`.p12`/`.pfx`). */
  pfx?: string | Buffer;
  /** The PKCS#12 password. */
  passphrase?: string;
  /** The client certificate chain as PEM (with `key`, instead of `pfx`). */
  cert?: string | Buffer;
  /** The client private key as PEM. */
  key?: string | Buffer;
  /** The CA certificates that issue the server's certificate (the trust store). */
  ca: string | Buffer | Array<string | Buffer>;
  /** Verification settings for the server's chain. */
  config?: Config;
  /** The check time (Unix seconds or a Date). Default: now. */
  time?: () => number | Date;
}

/**
 * `https.Agent` / `https.request` options for mutual TLS: the identity, the CA, and a
 * `checkServerIdentity` that verifies the server's chain with certgate (serverAuth, host name).
 */
export function agentOptions(options: AgentOptionsInput): import('node:https').AgentOptions;

/** A verifier with fixed trust material, configuration and policy. */
export class Verifier {
  private constructor();
  /** Verifies a presented chain (leaf first); throws a {@link CertgateError} on rejection. */
  verify(chain: CertificateInput, options?: VerifyOptions): VerifyResult;
  /** Decides a request of a verified client by the policy; throws `POLICY_NO_MATCH` / `ROLE_MISSING`. */
  authorize(result: VerifyResult, method: string, path: string): Decision;
  /** Decides a request of a client without a certificate; throws `NO_CERTIFICATE` (401) off anonymous routes. */
  authorizeAnonymous(method: string, path: string): Decision;
  /** Every step of the decision for a verified client; never throws for a denial. */
  explain(result: VerifyResult, method: string, path: string): Explanation;
  /** Every step of the decision for a client without a certificate. */
  explainAnonymous(method: string, path: string): Explanation;
  /**
   * Decodes one forwarded-certificate header value in `format` within this verifier's chain
   * limits (`config.limits`), as the native server's `source = "forwarded"` listeners do;
   * `format` is required. The caller must take the header only from a trusted proxy. Errors
   * as {@link decodeForwarded}.
   */
  decodeForwarded(value: string, format: ForwardedFormat): ForwardedCertificates;
  /**
   * What a trusted proxy's request presents, by the native server's rules for a
   * `source = "forwarded"` listener, within this verifier's chain limits: the chain to verify
   * (DER, leaf first) or `null` for no certificate (no header line, an empty value, an XFCC
   * element without `Cert`/`Chain`). The caller must take the header only from a trusted proxy.
   *
   * Throws a {@link CertgateError}: `MALFORMED_PEM` (the header appears more than once, a line
   * that is not ASCII, a value that does not decode), `INPUT_TOO_LARGE`,
   * `TOO_MANY_CERTIFICATES`, `INVALID_CONFIG` (input of the wrong type, an unknown `format`).
   */
  presentedChain(request: ForwardedRequest): Uint8Array[] | null;
  /** Releases the wasm memory now instead of at garbage collection. */
  free(): void;
}

/** A verified chain. Records are decoded on first access. */
export class VerifyResult {
  private constructor();
  /** The verified path as DER, leaf first and trust anchor last; a pinned leaf is alone. */
  readonly path: Uint8Array[];
  /** Whether the leaf was accepted because it is pinned. */
  readonly pinned: boolean;
  /** The check time, Unix seconds. */
  readonly time: number;
  /** The leaf's inspection record, with its status at the check time. */
  readonly leaf: Inspection;
  /** Inspection records of the whole path, leaf first. */
  readonly chain: Inspection[];
  /** The principal by the verifier's policy, or null. */
  readonly principal: string | null;
  /** The principal's roles by the policy's roles table and grants, sorted. */
  readonly roles: string[];
  /** `{pinned, time, chain}`. */
  toJSON(): { pinned: boolean; time: number; chain: Inspection[] };
  /**
   * Releases the wasm memory now instead of at garbage collection. Call it when done: the
   * collector runs finalizers late, and results left to it in a busy loop grow the module's
   * memory (~2 KB each), which never shrinks.
   */
  free(): void;
}

/** An allowed request. */
export interface Decision {
  /** The deciding rule: a route's name, `routes[i]` or `default`. */
  rule: string;
  /** Whether the rule needed a certificate. */
  authenticated: boolean;
  /** The client's principal, when it has one. */
  principal: string | null;
  /** The principal's roles, sorted. */
  roles: string[];
}

/** A decision traced step by step. */
export interface Explanation {
  method: string;
  path: string;
  subject: string | null;
  principal: string | null;
  roles: string[];
  steps: Array<{ stage: string; rule: string; matched: boolean; detail: string }>;
  outcome: { allowed: boolean; code: Code | null; status: number; rule: string; message: string };
}

/** The stable rejection codes. */
export type Code =
  | 'NO_CERTIFICATE' | 'MALFORMED_PEM' | 'MALFORMED_CERTIFICATE' | 'MALFORMED_EXTENSION' | 'INPUT_TOO_LARGE'
  | 'TOO_MANY_CERTIFICATES' | 'CERT_EXPIRED' | 'CERT_NOT_YET_VALID' | 'INVALID_VALIDITY' | 'UNKNOWN_ISSUER'
  | 'BAD_SIGNATURE' | 'UNSUPPORTED_SIGNATURE_ALGORITHM' | 'SIGNATURE_ALGORITHM_MISMATCH' | 'REVOKED'
  | 'REVOCATION_STATUS_UNKNOWN' | 'CRL_EXPIRED' | 'MALFORMED_CRL' | 'UNSUPPORTED_CRL' | 'CRL_BAD_SIGNATURE'
  | 'CRL_ISSUER_NOT_CRL_SIGNER' | 'WRONG_USAGE' | 'NAME_MISMATCH' | 'CHAIN_TOO_LONG' | 'CA_USED_AS_LEAF'
  | 'LEAF_USED_AS_CA' | 'NAME_CONSTRAINT_VIOLATION' | 'PATH_LEN_EXCEEDED' | 'UNSUPPORTED_CRITICAL_EXTENSION'
  | 'INVALID_SERIAL_NUMBER' | 'UNSUPPORTED_VERSION' | 'DISTRUSTED' | 'PROFILE_VIOLATION' | 'BUDGET_EXCEEDED'
  | 'INVALID_PEER_NAME' | 'INVALID_CONFIG' | 'INVALID_POLICY' | 'POLICY_NO_MATCH' | 'ROLE_MISSING';

/** Every error this package throws for a rejection, a bad input or a bad option. */
export interface CertgateError extends Error {
  name: 'CertgateError';
  /** The stable machine code. */
  code: Code;
  /** Index of the certificate concerned in the presented chain (0 = leaf), or null. */
  certIndex: number | null;
  /** Diagnosis. */
  details: {
    /** The status an HTTP surface answers with: 401, 403 or 500. */
    httpStatus: number;
    /** The certificate at `certIndex`, when there is one and it decodes. */
    certificate: { subject: string; issuer: string; serial: string; notBefore: string; notAfter: string; sha256: string } | null;
    /** For INVALID_POLICY: the field at fault, e.g. `routes[2].roles`. */
    field?: string;
    /** For INVALID_POLICY from TOML: 1-based line and column. */
    line?: number | null;
    column?: number | null;
  };
}

/** A decoded certificate (the record the CLI's JSON and the inspector page show). */
export interface Inspection {
  version: number;
  subject: DistinguishedName;
  issuer: DistinguishedName;
  /** Lowercase hex without the DER sign octet. */
  serial: string;
  validity: { notBefore: string; notAfter: string; notBeforeUnix: number; notAfterUnix: number };
  subjectAltNames: { dns: string[]; ip: string[]; email: string[]; uri: string[]; dir: string[] };
  spiffeId: string | null;
  publicKey: { algorithm: string; curve: string | null; bits: number | null };
  signatureAlgorithm: string;
  keyUsage: string[];
  extendedKeyUsage: string[] | null;
  basicConstraints: { ca: boolean; pathLen: number | null; critical: boolean } | null;
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  crlDistributionPoints: string[];
  extensions: Array<{ oid: string; name: string; critical: boolean }>;
  fingerprints: { sha256: string; sha1: string };
  selfSigned: boolean;
  isCa: boolean;
  /** Validity at the given time: `valid`, `expired` or `not_yet_valid`. */
  status: { state: 'valid' | 'expired' | 'not_yet_valid'; daysUntilExpiry: number; summary: string } | null;
}

/** A distinguished name. */
export interface DistinguishedName {
  /** RFC 4514 string, most specific RDN first: `CN=alice,OU=eng,O=Example,C=GB`. */
  rfc4514: string;
  /** Attributes in certificate order (most general first). */
  attributes: Array<{ name: string; oid: string; value: string }>;
}
