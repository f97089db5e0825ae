#!/usr/bin/env node
// The demo mTLS API server in Node, on the certgate npm package: the same configuration file
// (certgate-server's server.toml, e.g. from `certgate demo pki`), routes, status codes, JSON
// bodies and JSON-lines log as the native server (crates/certgate-server).
//
//   node node-demo/server.mjs --config DIR/server.toml
//
// Routes: GET /health → {"status":"ok"}; GET /whoami → the client's certificate, principal,
// roles and verdict; GET /customer/{id} → {"id":1,"name":"Customer1"}. Refusals are
// {"code","message"} with 401 (no certificate) or 403; unknown routes 404, other methods 405;
// a request head over max_header_bytes or with more than 100 headers 431 with no body.
// When bindings/inspector is built, its page is served at /inspector/.
//
// TLS as the native server does it, as far as Node allows: the CertificateRequest names the
// trust anchors (required and optional mode), and with client_auth = "required" a client
// without a certificate gets TLS 1.3's certificate_required alert (TLS 1.2: OpenSSL's
// handshake_failure). A chain certgate refuses closes the connection without an alert: Node
// has no hook inside the server's handshake (OpenSSL's own verification, rejectUnauthorized,
// also only closes after it). README.md lists where the two servers differ.

import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parse as parseToml } from 'smol-toml';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { certificateSource, createChainReader as listenerChainReader } from '../bindings/npm/index.mjs';
import { createChainReader, createVerifier, inspect } from '../bindings/npm/index.mjs';

const CLIENT_AUTH = ['required', 'optional', 'deferred'];
const KEYS = ['listen', 'cert', 'key', 'trust_store', 'pinned', 'crls', 'client_auth', 'tls_versions', 'policy', 'skew_secs', 'limits', 'listeners'];
const LIMIT_KEYS = ['handshake_timeout_secs', 'header_read_timeout_secs', 'max_header_bytes', 'max_connections', 'cache_entries'];
const LIMIT_DEFAULTS = { handshake_timeout_secs: 10, header_read_timeout_secs: 10, max_header_bytes: 16384, max_connections: 1024, cache_entries: 10000 };
/** Without a policy: /health is anonymous, every other route needs a verified certificate. */
const NO_POLICY = { routes: [{ path: '/health', access: 'anonymous' }], default: { access: 'authenticated' } };
const INSPECTOR = new URL('../bindings/inspector/dist/', import.meta.url);
/** Most headers in a request head: hyper's limit, which certgate-server answers 431 beyond. */
const MAX_HEADERS = 100;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** Reads and checks a server.toml; relative paths resolve against its directory. */
export function loadConfig(file) {
  const text = fs.readFileSync(file, 'utf8');
  const raw = parseToml(text);
  const dir = path.dirname(path.resolve(file));
  for (const key of Object.keys(raw)) {
    if (!KEYS.includes(key)) throw new Error(`${file}: unknown key \`${key}\``);
  }
  for (const key of Object.keys(raw.limits ?? {})) {
    if (!LIMIT_KEYS.includes(key)) throw new Error(`${file}: unknown key \`limits.${key}\``);
  }
  const at = (p) => path.resolve(dir, p);
  const listen = /^(.*):(\d+)$/.exec(raw.listen ?? '');
  if (!listen) throw new Error(`${file}: \`listen\` must be "host:port"`);
  const clientAuth = raw.client_auth ?? 'required';
  if (!CLIENT_AUTH.includes(clientAuth)) throw new Error(`${file}: \`client_auth\` must be one of ${CLIENT_AUTH.join(', ')}`);
  const versions = raw.tls_versions ?? ['1.2', '1.3'];
  if (!versions.every((v) => v === '1.2' || v === '1.3') || versions.length === 0) {
    throw new Error(`${file}: \`tls_versions\` must list "1.2" and/or "1.3"`);
  }
  if (!raw.cert || !raw.key) throw new Error(`${file}: \`cert\` and \`key\` are required`);
  if (!raw.trust_store && !(raw.pinned ?? []).length) throw new Error(`${file}: \`trust_store\` or \`pinned\` is required`);
  return {
    host: listen[1].replace(/^\[|\]$/g, ''),
    port: Number(listen[2]),
    cert: fs.readFileSync(at(raw.cert)),
    key: fs.readFileSync(at(raw.key)),
    trust: raw.trust_store ? fs.readFileSync(at(raw.trust_store)) : undefined,
    pinned: (raw.pinned ?? []).map((p) => fs.readFileSync(at(p))),
    crls: (raw.crls ?? []).map((p) => fs.readFileSync(at(p))),
    policy: raw.policy ? fs.readFileSync(at(raw.policy), 'utf8') : undefined,
    clientAuth,
    minVersion: versions.includes('1.2') ? 'TLSv1.2' : 'TLSv1.3',
    maxVersion: versions.includes('1.3') ? 'TLSv1.3' : 'TLSv1.2',
    skewSecs: raw.skew_secs ?? 0,
    limits: { ...LIMIT_DEFAULTS, ...(raw.limits ?? {}) },
    listeners: loadListeners(raw.listeners ?? [], at, file),
  };
}

/**
 * Starts the server; resolves once it listens to `{address(), close(callback)}` (the TLS
 * listener's address; close stops accepting and closes idle connections).
 */
export async function startServer(config) {
  const verifier = createVerifier({
    trust: config.trust,
    pinned: config.pinned,
    crls: config.crls,
    config: { skewSecs: config.skewSecs },
    policy: config.policy ?? NO_POLICY,
  });
  // The main listener takes certificates from TLS only: a certificate header sent to it is
  // stripped and logged (forwarded_header_untrusted), as certgate-server logs it.
  const tlsOnly = certificateSource(undefined, verifier, log);
  // The CertificateRequest names the trust anchors, as certgate-server's does in required and
  // optional mode (deferred names none, so a browser offers every certificate it holds).
  // Clients choose by these names what to send: without them Chromium sends its leaf alone.
  // They name CAs only: certgate verifies every chain, OpenSSL's verdict is never asked.
  const ca = config.clientAuth === 'deferred' || !config.trust ? [] : anchorsPem(config.trust);
  // Node completes a client's chain from `ca`; the reader returns what the client sent.
  const chainOf = createChainReader({ ca });
  const verdicts = new WeakMap();
  // Sockets with a response under way, into which no error answer may be written.
  const responding = new WeakSet();

  /**
   * The connection's verdict, once per connection: `verdict` is a VerifyResult, a
   * CertgateError, or null without a certificate; `leaf` the presented leaf's DER.
   */
  function connectionOf(socket) {
    let connection = verdicts.get(socket);
    if (connection !== undefined) return connection;
    const chain = chainOf(socket);
    let verdict = null;
    if (chain !== null) {
      try {
        verdict = verifier.verify(chain);
      } catch (err) {
        verdict = err;
      }
    }
    connection = { verdict, leaf: chain ? chain[0] : null };
    verdicts.set(socket, connection);
    return connection;
  }

  const app = http.createServer(
    {
      // Node's parser counts only the URL, names and values against this: a backstop that
      // never refuses a head within the limit. The exact count is meterHeads', per request.
      maxHeaderSize: config.limits.max_header_bytes,
      // Node enforces headersTimeout only when it checks connections, every 30 s by default:
      // a client dribbling its request head was held ~7x header_read_timeout_secs. Check every second.
      connectionsCheckingInterval: 1000,
    },
    (req, res) => {
      if (headRefused.has(req.socket)) return undefined; // a request pipelined behind a refused head
      responding.add(req.socket);
      res.once('close', () => responding.delete(req.socket));
      const measured = headMeasured(req, res);
      try {
        if (headTooLarge(req, measured, config.limits.max_header_bytes)) return refuseHead(req.socket);
        tlsOnly.presented(req, null);
        handle(req, res, verifier, connectionOf(req.socket));
      } catch (err) {
        // One request's failure is logged and answered; it never stops the server.
        log('error', { message: err.message });
        if (!res.headersSent) send(res, error(500, 'INTERNAL', 'the request could not be served'));
        else res.destroy();
      }
      return undefined;
    },
  );
  app.headersTimeout = config.limits.header_read_timeout_secs * 1000;
  app.on('clientError', (err, socket) => {
    if (headRefused.has(socket)) return undefined;
    // Node's answers to a head it cannot parse, but certgate-server's 431 for one too large.
    if (err.code === 'HPE_HEADER_OVERFLOW') return refuseHead(socket);
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413 : 400;
    if (socket.writable && !responding.has(socket)) socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    socket.destroy();
    return undefined;
  });
  // `app` never listens: the TLS listener below hands it verified sockets. Start its
  // connection checks (headersTimeout) as listening would.
  app.emit('listening');

  const context = tls.createSecureContext({
    cert: config.cert,
    key: config.key,
    ca,
    minVersion: config.minVersion,
    maxVersion: config.maxVersion,
    sessionIdContext: 'certgate-node-demo',
  });
  const handshakeMs = config.limits.handshake_timeout_secs * 1000;
  /**
   * One TLS connection. Its TLSSocket is made here rather than by https.Server: "required"
   * needs OpenSSL to refuse a handshake without a certificate (the certificate_required
   * alert), which Node asks of it only with rejectUnauthorized, and https.Server then also
   * closes, unseen and unlogged, every connection whose chain OpenSSL's own verification
   * refuses. Here OpenSSL insists only that a certificate is sent, and certgate alone
   * verifies it, when the handshake is done ('secure').
   */
  function acceptTls(raw) {
    const peer = `${raw.remoteAddress}:${raw.remotePort}`;
    const socket = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: context,
      requestCert: true,
      rejectUnauthorized: config.clientAuth === 'required',
      ALPNProtocols: ['http/1.1'],
    });
    let secure = false;
    const timer = setTimeout(() => socket.destroy(), handshakeMs);
    socket.once('close', () => clearTimeout(timer));
    socket.on('error', (err) => {
      // A failed handshake is the client's problem, never the server's; the refusal of one
      // without a certificate ("required") is logged as certgate-server logs it.
      if (!secure && err.code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE') refusedHandshake(peer, null);
    });
    // 'secure': the handshake is done (the event tls.Server itself waits for).
    socket.once('secure', () => {
      secure = true;
      clearTimeout(timer);
      if (refusesHandshake(socket, peer)) {
        socket.destroy();
        return;
      }
      app.emit('connection', socket);
      meterHeads(socket, config.limits.max_header_bytes);
    });
  }

  /**
   * The handshake-level part of client_auth, as the native server: "required" refuses a
   * connection without a valid certificate, "optional" one with an invalid certificate.
   */
  function refusesHandshake(socket, peer) {
    if (config.clientAuth === 'deferred') return false;
    const { verdict } = connectionOf(socket);
    const refused = verdict === null ? config.clientAuth === 'required' : verdict instanceof Error;
    if (refused) refusedHandshake(peer, verdict);
    return refused;
  }

  const server = net.createServer(acceptTls);
  server.maxConnections = config.limits.max_connections;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address();
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  log('listening', { addr: `${host}:${address.port}`, client_auth: config.clientAuth });
  const listeners = await startListeners(config, verifier);
  server.on('close', () => listeners.forEach((l) => l.close()));
  return {
    address: () => server.address(),
    close(callback) {
      server.close(callback);
      app.closeIdleConnections();
    },
  };
}

/** A handshake refused by client_auth, logged as certgate-server logs it; null: no certificate. */
function refusedHandshake(peer, verdict) {
  log('handshake_refused', {
    peer,
    code: verdict === null ? 'NO_CERTIFICATE' : verdict.code,
    message: verdict === null ? 'no client certificate was presented' : verdict.message,
  });
}

/** The PEM certificates of a trust store file: PEM, or one DER certificate. */
function anchorsPem(bytes) {
  const pems = bytes.toString('latin1').match(PEM_CERTIFICATE);
  if (pems) return pems;
  try {
    return [new X509Certificate(bytes).toString()];
  } catch (err) {
    throw new Error(`trust_store: neither PEM certificates nor one DER certificate (${err.message})`);
  }
}

/** Each connection's head meter (meterHeads). */
const meters = new WeakMap();
const HEAD_END = Buffer.from('\r\n\r\n');
const NOTHING = Buffer.alloc(0);

/**
 * Counts each request head's bytes as they arrive, as certgate-server (hyper) counts what it
 * reads: from the first byte after the previous exchange to the blank line ending the head.
 * Node's parser hands over names and values without the whitespace around them, so only the
 * wire tells how large a head was. A head still open at `max` bytes is refused at once.
 * Bytes after a head (a body, a pipelined request) are not counted, and the head after them
 * is judged by its reconstruction instead (headTooLarge).
 */
function meterHeads(socket, max) {
  const meter = { armed: true, bytes: 0, carry: NOTHING, measured: null, trusted: true, stray: false, open: 0 };
  meters.set(socket, meter);
  // Added once the HTTP server has the socket: Node then feeds its parser from 'data' events,
  // after this listener, so a head's size is known when its request is emitted.
  socket.prependListener('data', (chunk) => {
    if (!meter.armed) {
      meter.stray = true;
      return;
    }
    const window = meter.carry.length === 0 ? chunk : Buffer.concat([meter.carry, chunk]);
    const end = window.indexOf(HEAD_END);
    if (end === -1) {
      meter.bytes += chunk.length;
      meter.carry = Buffer.from(window.subarray(Math.max(0, window.length - (HEAD_END.length - 1))));
      if (meter.bytes >= max) refuseHead(socket); // the head will end past `max`
      return;
    }
    const bytes = meter.bytes + end + HEAD_END.length - meter.carry.length;
    meter.measured = meter.trusted ? bytes : null;
    meter.stray = end + HEAD_END.length < window.length;
    Object.assign(meter, { armed: false, bytes: 0, carry: NOTHING });
  });
}

/**
 * The measured size of `req`'s head, or null when it is not known (a pipelined request, or
 * one after a body). Counting starts again once every exchange on the connection is over
 * (answered, and its body read), trusted when no byte came in meanwhile.
 */
function headMeasured(req, res) {
  const meter = meters.get(req.socket);
  if (meter === undefined) return null;
  // Still armed: the meter missed this head's end (Node accepted another ending), so it is
  // out of step until the connection is quiet again.
  const measured = meter.armed ? null : meter.measured;
  Object.assign(meter, { armed: false, bytes: 0, carry: NOTHING, measured: null, stray: meter.stray || meter.armed, open: meter.open + 1 });
  let parts = 2;
  const done = () => {
    parts -= 1;
    if (parts > 0) return;
    meter.open -= 1;
    if (meter.open === 0) Object.assign(meter, { armed: true, trusted: !meter.stray, stray: false });
  };
  res.once('finish', done);
  req.once('end', done);
  return measured;
}

/**
 * Whether the request head is over certgate-server's limits: more than MAX_HEADERS headers,
 * or more than `max` bytes — as measured, or else as reconstructed from what Node hands
 * over: the request line, `Name: value` lines and the blank line (exact for heads written
 * with one space after each colon, as clients write them).
 */
function headTooLarge(req, measured, max) {
  if (req.rawHeaders.length / 2 > MAX_HEADERS) return true;
  if (measured !== null) return measured > max;
  // Node decodes the head as latin1: one character per byte.
  let bytes = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n\r\n`.length;
  for (let i = 0; i < req.rawHeaders.length; i += 2) bytes += req.rawHeaders[i].length + 2 + req.rawHeaders[i + 1].length + 2;
  return bytes > max;
}

/** Sockets whose request head was refused with 431: closing, nothing more is read from them. */
const headRefused = new WeakSet();

/** Answers a request head over the limits as certgate-server does (431, no body) and closes. */
function refuseHead(socket) {
  headRefused.add(socket);
  log('connection_error', { peer: `${socket.remoteAddress}:${socket.remotePort}`, error: 'message head is too large' });
  // The native server's (hyper's) answer, byte for byte but the date: no body.
  if (socket.writable) socket.end(`HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: ${new Date().toUTCString()}\r\n\r\n`);
  socket.destroySoon();
}

function handle(req, res, verifier, connection) {
  const { verdict } = connection;
  const started = process.hrtime.bigint();
  const url = req.url ?? '/';
  const query = url.search(/[?#]/);
  const urlPath = query === -1 ? url : url.slice(0, query);
  const route = urlPath === '/health' ? '/health' : urlPath === '/whoami' ? '/whoami' : urlPath.startsWith('/customer/') ? '/customer/{id}' : urlPath.startsWith('/inspector/') ? '/inspector/' : '-';
  let answer;
  let principal = null;
  if (route === '/inspector/') {
    answer = inspector(req, res, urlPath);
  } else {
    const access = authorize(verifier, verdict, req.method, urlPath);
    principal = access.principal;
    answer = respond(route, req.method, urlPath, connection, access);
    send(res, answer);
  }
  log('request', {
    peer: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
    method: req.method,
    route,
    path: urlPath.slice(0, 256),
    status: answer.status,
    code: answer.code,
    principal,
    latency_us: Number((process.hrtime.bigint() - started) / 1000n),
  });
}

/** The policy's decision, with the principal and roles even when denied (for /whoami and the log). */
function authorize(verifier, verdict, method, urlPath) {
  const result = verdict instanceof Error ? null : verdict;
  try {
    const decision = result ? verifier.authorize(result, method, urlPath) : verifier.authorizeAnonymous(method, urlPath);
    return { principal: decision.principal, roles: decision.roles, denial: null };
  } catch (denial) {
    const explained = result ? verifier.explain(result, method, urlPath) : null;
    // A presented certificate that failed verification is reported with its own code.
    const refusal = verdict instanceof Error && denial.code === 'NO_CERTIFICATE' ? verdict : denial;
    return { principal: explained?.principal ?? null, roles: explained?.roles ?? [], denial: refusal };
  }
}

function respond(route, method, urlPath, connection, access) {
  if (access.denial) {
    return route === '/whoami' ? whoami(connection, access) : refuse(access.denial);
  }
  if (route === '-') return error(404, 'NOT_FOUND', 'no such route; try /health, /whoami or /customer/{id}');
  if (method !== 'GET') return error(405, 'METHOD_NOT_ALLOWED', 'only GET is served');
  if (route === '/health') return ok({ status: 'ok' });
  if (route === '/whoami') return whoami(connection, access);
  return customer(urlPath);
}

function customer(urlPath) {
  // Canonical decimal only ("1", not "01" or "+1"), so one customer has one URL.
  const id = urlPath.slice('/customer/'.length);
  if (/^[1-9][0-9]{0,18}$/.test(id) && BigInt(id) <= 18446744073709551615n) {
    return ok({ id: Number(id), name: `Customer${id}` });
  }
  return error(404, 'NOT_FOUND', 'a customer id is a positive integer, e.g. /customer/1');
}

function whoami({ verdict, leaf }, access) {
  const certificate = leafRecord(leaf);
  const summary =
    verdict === null || verdict instanceof Error
      ? { valid: false, code: verdict ? verdict.code : 'NO_CERTIFICATE', message: verdict ? verdict.message : 'no client certificate was presented' }
      : { valid: true, code: 'OK', message: 'The certificate is valid', pinned: verdict.pinned };
  const refusal = access.denial ?? (verdict instanceof Error ? verdict : null);
  const answer = refusal ? refuse(refusal, certificate) : ok({ certificate });
  answer.body.principal = access.principal;
  answer.body.roles = access.roles;
  answer.body.verdict = summary;
  return answer;
}

/** The presented leaf, inspected now, when there is one and it decodes. */
function leafRecord(der) {
  if (der === null) return null;
  try {
    return inspect(der);
  } catch {
    return null;
  }
}

function refuse(rejection, certificate) {
  const body = { code: rejection.code, message: rejection.message };
  if (certificate) body.certificate = certificate;
  return { status: rejection.details?.httpStatus ?? 403, code: rejection.code, body };
}

function ok(body) {
  return { status: 200, code: 'OK', body };
}

function error(status, code, message) {
  return { status, code, body: { code, message } };
}

function send(res, answer) {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

/** Serves the built inspector page (bindings/inspector/dist) at /inspector/, when present. */
function inspector(req, res, urlPath) {
  let relative;
  try {
    relative = decodeURIComponent(urlPath.slice('/inspector/'.length)) || 'index.html';
  } catch {
    relative = '\0'; // malformed %-escape: no such file
  }
  const root = fileURLToPath(INSPECTOR);
  const file = path.resolve(root, relative);
  if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    const answer = error(404, 'NOT_FOUND', 'the inspector page is not built here');
    send(res, answer);
    return answer;
  }
  const body = fs.readFileSync(file);
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
  res.end(body);
  return { status: 200, code: 'OK' };
}

function log(event, fields) {
  const now = new Date().toISOString();
  process.stdout.write(`${JSON.stringify({ ts: now, event, ...fields })}\n`);
}

/**
 * The `[[listeners]]` entries of server.toml (certgate-server's keys): `listen`, `tls`
 * (default true), `auth_request` (GET /auth for nginx auth_request, as certgate-server) and the
 * certificate-source keys the npm package checks (`source`, `format`, `header`,
 * `trusted_proxies`, `proxy_certificates`, `intermediates`, `routes`); files are read here.
 */
function loadListeners(entries, at, file) {
  if (!Array.isArray(entries)) throw new Error(`${file}: \`listeners\` must be an array of tables ([[listeners]])`);
  return entries.map((entry, i) => {
    const where = `${file}: listeners[${i}]`;
    const { listen, tls = true, auth_request: authRequest = false, proxy_certificates: proxies, intermediates, ...rest } = entry;
    const address = /^(.*):(\d+)$/.exec(listen ?? '');
    if (!address) throw new Error(`${where}: \`listen\` must be "host:port"`);
    if (typeof tls !== 'boolean') throw new Error(`${where}: \`tls\` must be true or false`);
    if (typeof authRequest !== 'boolean') throw new Error(`${where}: \`auth_request\` must be true or false`);
    const source = { ...rest };
    if (proxies !== undefined) source.proxy_certificates = proxies.map((p) => fs.readFileSync(at(p)));
    if (intermediates !== undefined) source.intermediates = intermediates.map((p) => fs.readFileSync(at(p)));
    if (!tls && source.proxy_certificates?.length) throw new Error(`${where}: \`proxy_certificates\` needs \`tls = true\``);
    const tlsSomewhere = (source.source ?? 'tls') === 'tls' || (source.routes ?? []).some((r) => r.source === 'tls');
    if (!tls && tlsSomewhere) throw new Error(`${where}: \`source = "tls"\` needs \`tls = true\``);
    return { host: address[1].replace(/^\[|\]$/g, ''), port: Number(address[2]), tls, authRequest, source };
  });
}

/**
 * Starts each `[[listeners]]` entry, as certgate-server does: plain HTTP or TLS, each request
 * taking its certificate from its route's source (npm `certificateSource`, the native rules):
 * a forwarded header counts only from a trusted proxy, and from anyone else is stripped,
 * ignored and logged (`forwarded_header_untrusted`) and the request has no certificate. A
 * forwarded chain belongs to its request and is verified for it; the routes, bodies and
 * codes are the main listener's (`handle`).
 */
async function startListeners(config, verifier) {
  const started = [];
  for (const entry of config.listeners) {
    let source;
    try {
      source = certificateSource(entry.source, verifier, log);
    } catch (err) {
      throw new Error(`listener ${entry.host}:${entry.port}: ${err.message}`);
    }
    const chainOf = listenerChainReader();
    const verdicts = new WeakMap();
    const verify = (chain) => {
      try {
        return verifier.verify(chain);
      } catch (err) {
        return err;
      }
    };
    /** The connection's own certificate (a `tls` route), verified once per connection. */
    const handshakeOf = (socket) => {
      let connection = verdicts.get(socket);
      if (connection === undefined) {
        const chain = chainOf(socket);
        connection = { verdict: chain === null ? null : verify(chain), leaf: chain ? chain[0] : null };
        verdicts.set(socket, connection);
      }
      return connection;
    };
    const onRequest = (req, res) => {
      try {
        const presented = source.presented(req, chainOf(req.socket));
        const connection =
          presented.kind === 'tls'
            ? handshakeOf(req.socket)
            : presented.kind === 'chain'
              ? { verdict: verify(presented.chain), leaf: presented.chain[0] }
              : { verdict: presented.kind === 'malformed' ? presented.error : null, leaf: null };
        if (entry.authRequest && pathOnly(req.url) === '/auth') authRequest(req, res, verifier, connection);
        else handle(req, res, verifier, connection);
      } catch (err) {
        log('error', { message: err.message });
        if (!res.headersSent) send(res, error(500, 'INTERNAL', 'the request could not be served'));
        else res.destroy();
      }
    };
    const httpOptions = { maxHeaderSize: config.limits.max_header_bytes, connectionsCheckingInterval: 1000 };
    const server = entry.tls
      ? createHttpsServer(
          {
            ...httpOptions,
            cert: config.cert,
            key: config.key,
            minVersion: config.minVersion,
            maxVersion: config.maxVersion,
            handshakeTimeout: config.limits.handshake_timeout_secs * 1000,
            // Ask for a certificate (a client's, or a proxy's own); certgate alone judges it.
            requestCert: true,
            rejectUnauthorized: false,
          },
          onRequest,
        )
      : createHttpServer(httpOptions, onRequest);
    server.headersTimeout = config.limits.header_read_timeout_secs * 1000;
    server.maxConnections = config.limits.max_connections;
    if (entry.tls && source.proxies.length) {
      // A listener that pins its proxies refuses any other TLS peer, as certgate-server's
      // handshake does.
      server.on('secureConnection', (socket) => {
        const leaf = chainOf(socket)?.[0];
        if (!leaf || !source.proxies.some((p) => p.equals(leaf))) {
          log('handshake_refused', { peer: `${socket.remoteAddress}:${socket.remotePort}`, code: leaf ? 'UNKNOWN_ISSUER' : 'NO_CERTIFICATE', message: "this listener accepts only its proxies' certificates" });
          socket.destroy();
        }
      });
    }
    server.on('tlsClientError', () => {}); // a failed handshake is the client's problem
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(entry.port, entry.host, resolve);
    });
    const address = server.address();
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    log('listening', { addr: `${host}:${address.port}`, tls: entry.tls, source: entry.source.source ?? 'tls', auth_request: entry.authRequest });
    started.push({ close: () => (server.close(), server.closeIdleConnections()) });
  }
  return started;
}

/**
 * nginx `auth_request`, as certgate-server answers it: the original request
 * (`X-Original-Method`, else this one's, and `X-Original-URI`) judged as the routes would;
 * 200 with `X-Certgate-Principal` and `X-Certgate-Roles`, or 401 (no certificate) / 403 with
 * the code; `X-Certgate-Code` always.
 */
function authRequest(req, res, verifier, connection) {
  const started = process.hrtime.bigint();
  const uri = req.headers['x-original-uri'];
  let answer;
  let principal = null;
  const headers = {};
  if (uri === undefined) {
    answer = error(403, 'AUTH_REQUEST_NO_URI', 'no X-Original-URI header; in nginx: proxy_set_header X-Original-URI $request_uri');
  } else {
    const method = req.headers['x-original-method'] ?? req.method;
    const access = authorize(verifier, connection.verdict, method, pathOnly(uri));
    principal = access.principal;
    if (access.denial) {
      const { code, message } = access.denial;
      answer = { status: code === 'NO_CERTIFICATE' ? 401 : 403, code, body: { code, message } };
    } else {
      answer = ok({ code: 'OK', principal: access.principal, roles: access.roles });
      headers['x-certgate-roles'] = headerValue(access.roles.join(','));
    }
    if (access.principal) headers['x-certgate-principal'] = headerValue(access.principal);
  }
  headers['x-certgate-code'] = answer.code;
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
  log('request', {
    peer: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
    method: req.method,
    route: '/auth',
    path: '/auth',
    status: answer.status,
    code: answer.code,
    principal,
    latency_us: Number((process.hrtime.bigint() - started) / 1000n),
  });
}

/** Text a certificate chose, as a header value: bytes outside printable ASCII (and `%`) escaped. */
function headerValue(text) {
  return [...Buffer.from(text, 'utf8')].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

function pathOnly(url) {
  const raw = url || '/';
  const query = raw.search(/[?#]/);
  return query === -1 ? raw : raw.slice(0, query);
}

async function main(argv) {
  const at = argv.indexOf('--config');
  if (at === -1 || !argv[at + 1]) {
    console.error('usage: node node-demo/server.mjs --config DIR/server.toml');
    return 2;
  }
  try {
    const server = await startServer(loadConfig(argv[at + 1]));
    for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => process.exit(0)));
    return null;
  } catch (err) {
    console.error(`certgate node demo: ${err.message}`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const code = await main(process.argv.slice(2));
  if (code !== null) process.exit(code);
}
