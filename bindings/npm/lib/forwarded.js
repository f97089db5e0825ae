'use strict';
// Certificate sources for Node servers behind a TLS-terminating proxy, with the native
// server's rules (crates/certgate-server/src/forward.rs) and the keys of its server.toml
// `[[listeners]]` entries: `source`, `format`, `header`, `trusted_proxies`,
// `proxy_certificates`, `intermediates` and `routes` (`[[listeners.routes]]`: `path`,
// `source`, `format`, `header`). What an honoured header presents (one line only, empty is no
// certificate, RFC 9440's chain header, configured intermediates) and its decoding are the
// core's, through `Verifier.presentedChain`.
//
// **A forwarded header is honoured only from a trusted proxy**: the peer address is in
// `trusted_proxies` and, when `proxy_certificates` is set, the TLS handshake presented one of
// them. From anyone else every known certificate header is stripped from the request, ignored
// and logged (`forwarded_header_untrusted`), and the request has no certificate. The list of
// known headers, each format's default header and the reading and matching of
// `trusted_proxies` ranges are the core's too (`KNOWN_FORWARDED_HEADERS`,
// `ForwardedFormat::default_header`, `Cidr`), through the Node build's glue.

const net = require('node:net');
const wasm = require('../pkg/node/certgate_wasm.js');

const SOURCES = ['tls', 'forwarded'];
const LISTENER_KEYS = ['source', 'format', 'header', 'trusted_proxies', 'proxy_certificates', 'intermediates', 'routes'];
const ROUTE_KEYS = ['path', 'source', 'format', 'header'];
const FORMATS = wasm.forwardedFormats();
/** Each format's conventional header, the core's (`ForwardedFormat::default_header`). */
const DEFAULT_HEADERS = wasm.defaultForwardedHeaders();
/** Headers some proxy uses for a client certificate (stripped wherever not honoured). */
const KNOWN_HEADERS = wasm.knownForwardedHeaders();
const RFC9440_CHAIN = 'client-cert-chain';
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * A listener's certificate sources. `listener` has the server.toml `[[listeners]]` keys, with
 * `proxy_certificates` and `intermediates` as PEM text or Buffers (not paths); omitted, every
 * route takes the TLS connection's certificate. `log(event, fields)` receives
 * `forwarded_header_untrusted` events.
 * @returns {{ presented(req, handshakeChain): Presented, sourceFor(path): 'tls'|'forwarded', forwards: boolean, proxies: Buffer[] }}
 */
function createSource(listener, verifier, log) {
  const config = listener ?? {};
  if (config === null || typeof config !== 'object') throw configError('`listener` must be an object with server.toml [[listeners]] keys');
  for (const key of Object.keys(config)) {
    if (!LISTENER_KEYS.includes(key)) throw configError(`unknown listener key \`${key}\`; known keys: ${LISTENER_KEYS.join(', ')}`);
  }
  const source = config.source ?? 'tls';
  if (!SOURCES.includes(source)) throw configError('listener `source` must be "tls" or "forwarded"');
  const way = (src, format, header, where) => {
    if (src === 'tls') {
      if (format !== undefined || header !== undefined) throw configError(`${where}: \`format\` and \`header\` apply to \`source = "forwarded"\` only`);
      return { kind: 'tls' };
    }
    const fmt = format ?? config.format;
    if (fmt === undefined) throw configError(`${where}: \`source = "forwarded"\` needs \`format\` (${FORMATS.join(', ')})`);
    if (!FORMATS.includes(fmt)) throw configError(`${where}: format = "${fmt}": expected ${FORMATS.join(', ')}`);
    const name = header ?? config.header ?? DEFAULT_HEADERS[fmt];
    if (typeof name !== 'string' || !HEADER_NAME.test(name)) throw configError(`${where}: \`header = ${JSON.stringify(name)}\` is not a header name`);
    return { kind: 'header', format: fmt, header: name.toLowerCase() };
  };
  const defaultWay = source === 'tls' ? way('tls', undefined, undefined, 'listener') : way('forwarded', undefined, undefined, 'listener');
  if (config.routes !== undefined && !Array.isArray(config.routes)) throw configError('listener `routes` must be an array');
  const routes = [];
  for (const [i, route] of (config.routes ?? []).entries()) {
    const where = `routes[${i}]`;
    if (route === null || typeof route !== 'object') throw configError(`${where} must be an object`);
    for (const key of Object.keys(route)) {
      if (!ROUTE_KEYS.includes(key)) throw configError(`${where}: unknown key \`${key}\``);
    }
    if (typeof route.path !== 'string' || !route.path.startsWith('/')) throw configError(`${where}: \`path\` must start with \`/\``);
    if (!SOURCES.includes(route.source)) throw configError(`${where}: \`source\` must be "tls" or "forwarded"`);
    // `/api` and `/api/` are one prefix (matching ignores a trailing `/`).
    const prefix = route.path.replace(/\/+$/, '');
    if (routes.some((r) => r.prefix === prefix)) throw configError(`${where}: the same \`path\` appears twice`);
    routes.push({ prefix, way: way(route.source, route.format, route.header, where) });
  }
  routes.sort((a, b) => b.prefix.length - a.prefix.length);
  const forwards = defaultWay.kind === 'header' || routes.some((r) => r.way.kind === 'header');
  const trusted = (config.trusted_proxies ?? []).map(proxyRange);
  const proxies = (config.proxy_certificates ?? []).flatMap((pem) => pemCertificates(pem, 'proxy certificate'));
  const intermediates = (config.intermediates ?? []).flatMap((pem) => pemCertificates(pem, 'intermediate'));
  if (forwards) {
    if (trusted.length === 0 && proxies.length === 0) {
      throw configError('a forwarded header needs `trusted_proxies` or `proxy_certificates`: otherwise anyone could send it');
    }
  } else if (config.format !== undefined || config.header !== undefined || trusted.length || proxies.length || intermediates.length) {
    throw configError('`format`, `header`, `trusted_proxies`, `proxy_certificates` and `intermediates` apply to `source = "forwarded"` only');
  }

  function wayFor(urlPath) {
    for (const route of routes) {
      const rest = urlPath.startsWith(route.prefix) ? urlPath.slice(route.prefix.length) : null;
      if (rest !== null && (rest === '' || rest.startsWith('/') || route.prefix === '')) return route.way;
    }
    return defaultWay;
  }

  function trusts(req, handshakeChain) {
    const addressOk = trusted.length === 0 || wasm.inProxyRanges(trusted, String(req.socket?.remoteAddress ?? ''));
    const leaf = handshakeChain ? handshakeChain[0] : null;
    const certificateOk = proxies.length === 0 || (leaf != null && proxies.some((p) => p.equals(Buffer.from(leaf))));
    return addressOk && certificateOk;
  }

  /**
   * What a request presents under its route's source: `{kind: 'tls'}` (use the connection's
   * chain), `{kind: 'none'}`, `{kind: 'chain', chain}` (DER, leaf first) or
   * `{kind: 'malformed', error}` (a trusted proxy's header that does not decode).
   * `handshakeChain` is what the TLS connection presented (the proxy's, when one connects).
   */
  function presented(req, handshakeChain) {
    const w = wayFor(pathOf(req.url));
    if (w.kind === 'tls') {
      strip(req, null, 'this route takes the certificate from TLS');
      return { kind: 'tls' };
    }
    if (!trusts(req, handshakeChain)) {
      strip(req, w.header, 'the sender is not a trusted proxy');
      return { kind: 'none' };
    }
    // The header's lines as received; what they present is the core's rule (forwarded_chain),
    // the native server's.
    let chain;
    try {
      chain = verifier.presentedChain({
        format: w.format,
        header: w.header,
        values: fieldLines(req, w.header),
        chain: w.format === 'rfc9440' ? fieldLines(req, RFC9440_CHAIN) : [],
        intermediates,
      });
    } catch (err) {
      return { kind: 'malformed', error: err };
    }
    return chain === null ? { kind: 'none' } : { kind: 'chain', chain: chain.map((der) => Buffer.from(der)) };
  }

  /** Removes every known certificate header (and the configured one) and logs their names. */
  function strip(req, configured, reason) {
    const names = KNOWN_HEADERS.filter((name) => req.headers[name] !== undefined);
    if (configured && req.headers[configured] !== undefined && !names.includes(configured)) names.push(configured);
    if (names.length === 0) return;
    for (const name of names) {
      delete req.headers[name];
      if (req.headersDistinct) delete req.headersDistinct[name];
    }
    if (log) log('forwarded_header_untrusted', { peer: peerOf(req.socket), headers: names, reason });
  }

  return { presented, sourceFor: (urlPath) => (wayFor(urlPath).kind === 'tls' ? 'tls' : 'forwarded'), forwards, proxies };
}

/**
 * A request header's field lines as received: `headersDistinct` keeps each line (Node joins
 * repeated lines in `headers`); a request object without it gives its one joined value.
 */
function fieldLines(req, name) {
  if (req.headersDistinct) return req.headersDistinct[name] ?? [];
  const value = req.headers?.[name];
  return value === undefined ? [] : [value];
}

/** A `trusted_proxies` entry, checked as the native server checks it (the core's `Cidr`). */
function proxyRange(text) {
  if (typeof text !== 'string') throw configError(`trusted proxy range ${JSON.stringify(text)}: expected an address or address/prefix, e.g. "127.0.0.1/32"`);
  try {
    wasm.checkProxyRange(text);
  } catch (err) {
    throw configError(err.message);
  }
  return text;
}

/** The CERTIFICATE blocks of PEM text (or a Buffer of it), as DER Buffers. */
function pemCertificates(pem, what) {
  const text = Buffer.isBuffer(pem) || pem instanceof Uint8Array ? Buffer.from(pem).toString('latin1') : pem;
  if (typeof text !== 'string') throw configError(`${what}: expected PEM text or a Buffer`);
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (blocks.length === 0) throw configError(`${what}: no CERTIFICATE block`);
  return blocks.map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

/** The peer as the native server writes a socket address: `a.b.c.d:port`, `[v6]:port`. */
function peerOf(socket) {
  const address = socket?.remoteAddress;
  return net.isIPv6(address ?? '') ? `[${address}]:${socket.remotePort}` : `${address}:${socket?.remotePort}`;
}

/** A request URL's path: what precedes `?` or `#`. */
function pathOf(url) {
  const raw = url || '/';
  const query = raw.search(/[?#]/);
  return query === -1 ? raw : raw.slice(0, query);
}

function configError(message) {
  const err = new TypeError(`certgate: ${message}`);
  err.code = 'INVALID_CONFIG';
  return err;
}

module.exports = { createSource, KNOWN_HEADERS, configError, pathOf };
