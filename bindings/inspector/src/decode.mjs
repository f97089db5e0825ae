// Input classification: what the user pasted or dropped, decoded into certificate, CSR and CRL
// records with the certgate core. Every decoding rule lives in the core; this module only
// decides which of its decoders a given input is for.

/** A page-level error carrying a stable certgate code, like the ones the core throws. */
export class InputError extends Error {
  constructor(code, message, certIndex = null) {
    super(message);
    this.name = 'CertgateError';
    this.code = code;
    this.certIndex = certIndex;
  }
}

/** Largest input the page reads (text or file): 16 MiB, the core's bundle limit. */
export const MAX_INPUT_BYTES = 16 << 20;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----/g;
const KEY_LABELS = new Set(['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY']);

/**
 * Decodes text input. Returns `{kind, source, certificates, csrs, crls, chainInput, notes}`:
 * `chainInput` is what `Verifier.verify` is given (the PEM text or DER list), `notes` are
 * human remarks (ignored key blocks, the detected header format).
 */
export function decodeText(api, text, time) {
  if (text.length > MAX_INPUT_BYTES) {
    throw new InputError('INPUT_TOO_LARGE', `the input is ${text.length} characters; the limit is ${MAX_INPUT_BYTES}`);
  }
  const trimmed = text.trim();
  if (trimmed === '') {
    throw new InputError('NO_CERTIFICATE', 'the input is empty: paste a certificate, chain, CSR, CRL or header value, or choose a file');
  }
  if (trimmed.includes('-----BEGIN ')) return decodePem(api, trimmed, time);
  const compact = trimmed.replace(/\s+/g, '');
  if (/^[A-Za-z0-9+/]+=*$/.test(compact) && compact.length % 4 === 0 && compact.startsWith('MI')) {
    // Base64 DER (a certificate, CSR, CRL or PKCS#12 file, without PEM lines).
    return { ...decodeBytes(api, base64Bytes(compact), time), source: 'base64 DER' };
  }
  return decodeHeader(api, trimmed, time);
}

/** Decodes a file's bytes: PEM text or DER (a certificate list, CRL, CSR or PKCS#12). */
export function decodeBytes(api, bytes, time, password = '') {
  if (bytes.length > MAX_INPUT_BYTES) {
    throw new InputError('INPUT_TOO_LARGE', `the file is ${bytes.length} bytes; the limit is ${MAX_INPUT_BYTES}`);
  }
  if (bytes.length === 0) throw new InputError('NO_CERTIFICATE', 'the file is empty');
  if (bytes[0] !== 0x30) {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    return decodeText(api, text, time);
  }
  if (isPfx(bytes)) {
    const store = api.readPkcs12(bytes, password);
    const certificates = api.inspectAll(store.certificates, { time });
    const notes = [`PKCS#12 file: ${store.certificates.length} certificate(s)${store.keys ? `, ${store.keys} private key(s) (not shown)` : ''}`];
    return { kind: 'pkcs12', source: 'PKCS#12', certificates, csrs: [], crls: [], chainInput: store.certificates, notes };
  }
  const tries = [
    () => ({ kind: 'certificates', certificates: api.inspectAll(bytes, { time }), csrs: [], crls: [] }),
    () => ({ kind: 'crl', certificates: [], csrs: [], crls: api.inspectCrl(bytes, { time }) }),
    () => ({ kind: 'csr', certificates: [], csrs: api.inspectCsr(bytes), crls: [] }),
  ];
  let first;
  for (const attempt of tries) {
    try {
      const out = attempt();
      return { ...out, source: 'DER', chainInput: out.certificates.length ? bytes : null, notes: [] };
    } catch (err) {
      first ??= err;
    }
  }
  throw new InputError(first?.code ?? 'MALFORMED_CERTIFICATE', `the DER input is not a certificate, CRL, CSR or PKCS#12 file: ${first?.message ?? 'it does not decode'}`);
}

function decodePem(api, text, time) {
  const labels = [...text.matchAll(PEM_BLOCK)].map((m) => m[1]);
  const notes = [];
  const keys = labels.filter((l) => KEY_LABELS.has(l)).length;
  if (keys) notes.push(`${keys} private key block(s) ignored and never decoded. Never share private keys.`);
  const other = [...new Set(labels.filter((l) => !KEY_LABELS.has(l) && !['CERTIFICATE', 'X509 CRL', 'CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'].includes(l)))];
  if (other.length) notes.push(`PEM blocks of other types ignored: ${other.join(', ')}`);
  const hasCert = labels.includes('CERTIFICATE');
  const hasCrl = labels.includes('X509 CRL');
  const hasCsr = labels.includes('CERTIFICATE REQUEST') || labels.includes('NEW CERTIFICATE REQUEST');
  if (!hasCert && !hasCrl && !hasCsr) {
    // Let the core say what is wrong (a malformed BEGIN line, keys only, …).
    api.inspectAll(text, { time });
    throw new InputError('MALFORMED_PEM', 'the PEM input holds no certificate, CSR or CRL block');
  }
  const certificates = hasCert ? api.inspectAll(text, { time }) : [];
  const crls = hasCrl ? api.inspectCrl(text, { time }) : [];
  const csrs = hasCsr ? api.inspectCsr(text.replaceAll('NEW CERTIFICATE REQUEST', 'CERTIFICATE REQUEST')) : [];
  return { kind: 'pem', source: 'PEM', certificates, csrs, crls, chainInput: hasCert ? text : null, notes };
}

const FORMAT_NAMES = {
  nginx: 'nginx $ssl_client_escaped_cert (URL-escaped PEM)',
  'aws-alb': 'AWS ALB X-Amzn-Mtls-Clientcert (URL-encoded PEM)',
  'envoy-xfcc': 'Envoy x-forwarded-client-cert (XFCC)',
  traefik: 'Traefik X-Forwarded-Tls-Client-Cert',
  rfc9440: 'RFC 9440 Client-Cert / Client-Cert-Chain',
};

function decodeHeader(api, text, time) {
  const forwarded = api.decodeForwarded(text);
  const certificates = api.inspectAll(forwarded.certificates, { time });
  const name = FORMAT_NAMES[forwarded.format] ?? forwarded.format;
  const notes = [`Forwarded header value: ${name}${forwarded.header ? ` (header ${forwarded.header})` : ''}`];
  // The core reads each XFCC value from its last element and counts the ones before it.
  const earlier = forwarded.ignoredElements;
  if (earlier) {
    notes.push(`${earlier} earlier XFCC element${earlier === 1 ? ' was' : 's were'} present and ignored: only the last element of an XFCC value, the one the proxy next to your server added, is decoded and verified, as certgate-server and the npm middleware do. Earlier elements come from hops further away (or from the client itself) and are never trusted.`);
  }
  return { kind: 'forwarded', source: name, certificates, csrs: [], crls: [], chainInput: forwarded.certificates, notes };
}

/** A PKCS#12 PFX: SEQUENCE { INTEGER 3, ContentInfo, … } (RFC 7292 §4). */
function isPfx(bytes) {
  let i = 1;
  const len = bytes[i];
  i += len & 0x80 ? 1 + (len & 0x7f) : 1;
  return bytes[i] === 0x02 && bytes[i + 1] === 0x01 && bytes[i + 2] === 0x03;
}

/** Standard base64 (no whitespace) to bytes. */
export function base64Bytes(text) {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** UTF-8 text to base64url without padding (the `#pem=` fragment form). */
export function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** base64url (padding optional) to UTF-8 text; throws an InputError when it is not. */
export function fromBase64Url(value) {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(value)) {
    throw new InputError('MALFORMED_PEM', 'the link\'s #pem= value is not base64url');
  }
  const b64 = value.replaceAll('-', '+').replaceAll('_', '/').replace(/=+$/, '');
  if (b64.length % 4 === 1) throw new InputError('MALFORMED_PEM', 'the link\'s #pem= value is truncated');
  const bytes = base64Bytes(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError('MALFORMED_PEM', 'the link\'s #pem= value is not UTF-8 text');
  }
}

/**
 * A check time from the field: empty → now; Unix seconds; or an RFC 3339 UTC time.
 * Returns Unix seconds; throws an InputError for anything else.
 */
export function parseTime(value, now = Date.now()) {
  const text = value.trim();
  if (text === '') return Math.floor(now / 1000);
  if (/^\d{1,12}$/.test(text)) return Number(text);
  const rfc3339 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
  const ms = rfc3339.test(text) ? Date.parse(text.replace(' ', 'T')) : NaN;
  if (Number.isNaN(ms) || ms < 0) {
    throw new InputError('INVALID_CONFIG', `the check time "${text}" is neither Unix seconds nor an RFC 3339 time such as 2026-05-28T20:26:40Z`);
  }
  return Math.floor(ms / 1000);
}
