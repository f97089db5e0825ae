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
// also only closes after it). Every TLS listener (the main one and each [[listeners]] entry)
// goes through the same handshake code (acceptTls).
//
// SIGHUP (and, with watch_secs, a changed file) reloads as certgate-server does: the trust
// store, pinned certificates, CRLs, policy, client_auth and TLS versions as a new generation,
// and each [[listeners]] entry's settings (`listener_reload` applied, or restart_needed for
// what a bound socket cannot change); a file that does not load keeps everything in force
// (`reload` failed). README.md lists where the two servers differ.

import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parse as parseToml } from 'smol-toml';
import { certificateSource, createChainReader, createVerifier, inspect, VerifyResult } from '../bindings/npm/index.mjs';

const CLIENT_AUTH = ['required', 'optional', 'deferred'];
const KEYS = ['listen', 'cert', 'key', 'trust_store', 'pinned', 'crls', 'client_auth', 'tls_versions', 'policy', 'skew_secs', 'watch_secs', 'limits', 'listeners'];
const LIMIT_KEYS = ['handshake_timeout_secs', 'header_read_timeout_secs', 'max_header_bytes', 'max_connections', 'cache_entries'];
const LIMIT_DEFAULTS = { handshake_timeout_secs: 10, header_read_timeout_secs: 10, max_header_bytes: 16384, max_connections: 1024, cache_entries: 10000 };
/** Without a policy: /health is anonymous, every other route needs a verified certificate. */
const NO_POLICY = { routes: [{ path: '/health', access: 'anonymous' }], default: { access: 'authenticated' } };
const INSPECTOR = new URL('../bindings/inspector/dist/', import.meta.url);
/** Most headers in a request head: hyper's limit, which certgate-server answers 431 beyond. */
const MAX_HEADERS = 100;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/**
 * Reads and checks a server.toml, and the files it names; relative paths resolve against its
 * directory. `files` lists what a reload reads (the file itself first).
 */
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
  const watchSecs = raw.watch_secs ?? 0;
  if (!Number.isInteger(watchSecs) || watchSecs < 0) throw new Error(`${file}: \`watch_secs\` must be a whole number of seconds (0: off)`);
  const listeners = loadListeners(raw.listeners ?? [], at, file);
  const named = [raw.trust_store, ...(raw.pinned ?? []), ...(raw.crls ?? []), raw.policy].filter((p) => p !== undefined).map(at);
  return {
    file: path.resolve(file),
    files: [path.resolve(file), ...named, ...listeners.flatMap((l) => l.files)],
    host: listen[1].replace(/^\[|\]$/g, ''),
    port: Number(listen[2]),
    cert: fs.readFileSync(at(raw.cert)),
    key: fs.readFileSync(at(raw.key)),
    trust: raw.trust_store ? fs.readFileSync(at(raw.trust_store)) : undefined,
    pinned: (raw.pinned ?? []).map((p) => fs.readFileSync(at(p))),
    crls: (raw.crls ?? []).map((p) => fs.readFileSync(at(p))),
    policy: raw.policy ? fs.readFileSync(at(raw.policy), 'utf8') : undefined,
    policyFile: raw.policy ? at(raw.policy) : undefined,
    clientAuth,
    minVersion: versions.includes('1.2') ? 'TLSv1.2' : 'TLSv1.3',
    maxVersion: versions.includes('1.3') ? 'TLSv1.3' : 'TLSv1.2',
    skewSecs: raw.skew_secs ?? 0,
    watchSecs,
    limits: { ...LIMIT_DEFAULTS, ...(raw.limits ?? {}) },
    listeners,
  };
}

/**
 * Starts the server; resolves once every listener listens to `{address(), reload(cause),
 * close(callback)}`: the main TLS listener's address; reload as SIGHUP does it (returns
 * whether it applied); close stops accepting and closes idle connections.
 */
export async function startServer(config) {
  // The identity and limits apply at start only, as in certgate-server; a reload replaces
  // the generation (trust material, policy, client_auth, TLS versions) and listener settings.
  const identity = { cert: config.cert, key: config.key };
  const state = { config, generation: hold(loadGeneration(config, 0, identity)) };
  const { limits } = config;
  /**
   * Each TLS connection: the chain its handshake presented and its verdict per generation.
   * A verdict's VerifyResult lives in wasm memory, which the collector never sees filling up
   * (its finalizers run too late for a busy server, and a grown memory never shrinks): it is
   * freed when the connection closes or a new generation's verdict replaces it (tlsVerdict).
   */
  const connections = new WeakMap();
  let open = 0;

  const main = { configured: addressText(config.host, config.port), kind: 'generation' };
  install(main, mainSettings(state.generation));
  const extra = [];
  for (const entry of config.listeners) {
    const listening = { configured: addressText(entry.host, entry.port), kind: tlsKind(entry) };
    install(listening, loadSettings(entry, config, identity, state.generation));
    extra.push(listening);
  }
  for (const listening of [main, ...extra]) listening.app = httpApp(listening);
  await listen(main, config.host, config.port);
  log('listening', { addr: main.addr, client_auth: config.clientAuth, generation: 0 });
  for (const [i, listening] of extra.entries()) {
    const entry = config.listeners[i];
    await listen(listening, entry.host, entry.port);
    log('listening', { addr: listening.addr, tls: entry.tls, source: listening.settings.sourceName, auth_request: entry.authRequest });
  }
  const watcher = config.watchSecs > 0 ? watch(config.watchSecs) : null;

  /** Binds `listening`'s socket; every connection it accepts goes through `accept`. */
  async function listen(listening, host, port) {
    const server = net.createServer((raw) => accept(listening, raw));
    server.maxConnections = limits.max_connections;
    server.on('drop', (dropped) => {
      log('connection_refused', { peer: addressText(dropped.remoteAddress, dropped.remotePort), reason: 'max_connections reached', max_connections: limits.max_connections });
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    const bound = server.address();
    Object.assign(listening, { server, addr: addressText(bound.address, bound.port) });
  }

  /**
   * One accepted connection, on any listener: a TLS handshake (acceptTls) or plain HTTP,
   * then the listener's HTTP server, with the request-head meter.
   */
  function accept(listening, raw) {
    open += 1;
    raw.once('close', () => (open -= 1));
    if (listening.kind === 'plain') {
      listening.app.emit('connection', raw);
      meterHeads(raw, limits.max_header_bytes);
      return;
    }
    acceptTls(listening, raw);
  }

  /**
   * One TLS connection. Its TLSSocket is made here rather than by https.Server: a required
   * certificate needs OpenSSL to refuse a handshake without one (the certificate_required
   * alert), which Node asks of it only with rejectUnauthorized, and https.Server then also
   * closes, unseen and unlogged, every connection whose chain OpenSSL's own verification
   * refuses. Here OpenSSL insists only that a certificate is sent, and certgate alone judges
   * it, when the handshake is done ('secure'): the generation's client_auth on the main
   * listener and `source = "tls"` listeners, the pinned proxies on a forwarded one.
   */
  function acceptTls(listening, raw) {
    const peer = addressText(raw.remoteAddress, raw.remotePort);
    // The handshake is judged by the generation it began under, held until its verdict is in
    // (a reload may come while the client is still sending).
    let held = listening.kind === 'generation' ? hold(state.generation) : null;
    const handshakeJudged = () => {
      if (held) letGo(held);
      held = null;
    };
    const handshake = held ? held.handshake : listening.settings.handshake;
    const socket = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: handshake.context,
      requestCert: handshake.requestCert,
      rejectUnauthorized: handshake.requireCert,
      ALPNProtocols: ['http/1.1'],
    });
    let secure = false;
    const timer = setTimeout(() => {
      log('handshake_failed', { peer, error: 'handshake timeout' });
      socket.destroy();
    }, limits.handshake_timeout_secs * 1000);
    socket.once('close', () => {
      clearTimeout(timer);
      handshakeJudged();
    });
    const failed = (code, error) => log('handshake_failed', { peer, listener: listening.addr, error, code, generation: handshake.generation });
    socket.on('error', (err) => {
      // A failed handshake is the client's problem, never the server's: logged, as
      // certgate-server logs it. Errors of the socket itself (a reset) are not the handshake's.
      if (secure || !String(err.code).startsWith('ERR_SSL_')) return;
      if (err.code === 'ERR_SSL_HTTP_REQUEST') log('plaintext_refused', { peer });
      else if (err.code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE') failed('NO_CERTIFICATE', 'no client certificate was presented');
      else failed(null, err.message);
    });
    // 'secure': the handshake is done (the event tls.Server itself waits for).
    socket.once('secure', () => {
      secure = true;
      clearTimeout(timer);
      const connection = { chain: handshake.chainOf(socket), generation: -1, verdict: null };
      connections.set(socket, connection);
      socket.once('close', () => {
        release(connection.verdict);
        connection.verdict = null;
        connection.generation = -1;
      });
      const refusal = handshake.refusal(connection);
      handshakeJudged();
      if (refusal) {
        failed(refusal.code, refusal.message);
        socket.destroy();
        return;
      }
      listening.app.emit('connection', socket);
      meterHeads(socket, limits.max_header_bytes);
    });
  }

  /** A listener's HTTP server: it never listens itself, `accept` hands it connections. */
  function httpApp(listening) {
    // Sockets with a response under way, into which no error answer may be written.
    const responding = new WeakSet();
    const app = http.createServer(
      {
        // Node's parser counts only the URL, names and values against this: a backstop that
        // never refuses a head within the limit. The exact count is meterHeads', per request.
        maxHeaderSize: limits.max_header_bytes,
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
          if (headTooLarge(req, measured, limits.max_header_bytes)) return refuseHead(req.socket);
          serve(listening, req, res);
        } catch (err) {
          // One request's failure is logged and answered; it never stops the server.
          log('error', { message: err.message });
          if (!res.headersSent) send(res, error(500, 'INTERNAL', 'the request could not be served'));
          else res.destroy();
        }
        return undefined;
      },
    );
    app.headersTimeout = limits.header_read_timeout_secs * 1000;
    app.on('clientError', (err, socket) => {
      if (headRefused.has(socket)) return undefined;
      // Node's answers to a head it cannot parse, but certgate-server's 431 for one too large.
      if (err.code === 'HPE_HEADER_OVERFLOW') return refuseHead(socket);
      const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413 : 400;
      if (socket.writable && !responding.has(socket)) socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      socket.destroy();
      return undefined;
    });
    // Start its connection checks (headersTimeout) as listening would.
    app.emit('listening');
    return app;
  }

  /**
   * One request, judged under the generation in force now (a reload that revokes a
   * certificate applies to open connections too), its certificate taken from its route's
   * source: the connection's, or a trusted proxy's header (a forwarded chain belongs to its
   * request, never to the connection, and its verdict is freed once the request is answered:
   * the answer is written before handle returns, so nothing reads the result after).
   */
  function serve(listening, req, res) {
    const { generation } = state;
    const { settings } = listening;
    const connection = connections.get(req.socket) ?? null;
    const presented = settings.source.presented(req, connection?.chain ?? null);
    let judged;
    if (presented.kind === 'tls') judged = tlsVerdict(connection, generation);
    else if (presented.kind === 'chain') judged = { verdict: verify(generation.verifier, presented.chain), leaf: presented.chain[0] };
    else judged = { verdict: presented.kind === 'malformed' ? presented.error : null, leaf: null };
    const urlPath = pathOnly(req.url);
    const logged = { listener: listening.addr, source: settings.source.sourceFor(urlPath), generation: generation.number };
    try {
      if (settings.authRequest && urlPath === '/auth') authRequest(req, res, generation.verifier, judged, logged);
      else handle(req, res, generation.verifier, judged, logged);
    } finally {
      if (presented.kind === 'chain') release(judged.verdict);
    }
  }

  /**
   * Reloads as certgate-server does: the configuration file read again, the trust store,
   * pinned certificates, CRLs and policy (with client_auth and TLS versions, for new
   * connections) as a new generation, and each `[[listeners]]` entry's settings applied to
   * the running listener in the same position. Anything that does not load keeps everything
   * in force and logs why. Returns whether it applied.
   */
  function reload(cause) {
    const next = state.generation.number + 1;
    let loaded;
    let generation = null;
    try {
      const reread = loadConfig(config.file);
      generation = loadGeneration(reread, next, identity);
      loaded = { reread, changes: prepareListeners(reread, generation) };
    } catch (err) {
      // Never in force: nothing holds it.
      if (generation) generation.verifier.free();
      log('reload', { status: 'failed', error: err.message, cause, generation: state.generation.number });
      return false;
    }
    const { reread, changes } = loaded;
    const previous = state.generation;
    state.generation = hold(generation);
    install(main, mainSettings(generation));
    for (const [i, change] of changes.entries()) {
      const running = extra[i];
      if (change.settings) {
        install(running, change.settings);
        log('listener_reload', { addr: running.addr, status: 'applied', source: change.settings.sourceName, generation: next });
      } else {
        log('listener_reload', { addr: running.addr, status: 'restart_needed', reason: change.reason, generation: next });
      }
    }
    for (const entry of reread.listeners.slice(extra.length)) {
      log('listener_reload', { addr: addressText(entry.host, entry.port), status: 'restart_needed', reason: 'a new listener starts only with the server', generation: next });
    }
    log('reload', { status: 'ok', generation: next, cause });
    state.config = reread;
    // Freed here unless a listener that needs a restart, or a handshake, still holds it.
    letGo(previous);
    return true;
  }

  /**
   * What a reload does to each running `[[listeners]]` entry, matched by position: new
   * settings, or the reason a restart is needed (what a bound socket cannot change). An
   * entry that does not load throws, failing the whole reload.
   */
  function prepareListeners(reread, generation) {
    return extra.map((running, i) => {
      const entry = reread.listeners[i];
      if (entry === undefined) return { reason: 'the listener was removed from the configuration' };
      const configured = addressText(entry.host, entry.port);
      if (configured !== running.configured) return { reason: `its address changed from ${running.configured} to ${configured}` };
      if (tlsKind(entry) !== running.kind) return { reason: 'its `tls` setting, or whether its own `source` is tls or forwarded, changed' };
      return { settings: loadSettings(entry, reread, identity, generation) };
    });
  }

  /** With watch_secs: the files a reload reads, checked every `secs` (time and size). */
  function watch(secs) {
    let stamps = stampsOf(state.config.files);
    const timer = setInterval(() => {
      const before = state.config.files;
      const now = stampsOf(before);
      if (now === stamps) return;
      // The stamps taken before the files are read: one still being written shows as
      // changed at the next check and is read again.
      if (reload('file change') && state.config.files.join('\n') !== before.join('\n')) stamps = stampsOf(state.config.files);
      else stamps = now;
    }, secs * 1000);
    timer.unref();
    return timer;
  }

  return {
    address: () => main.server.address(),
    reload,
    close(callback) {
      if (watcher) clearInterval(watcher);
      log('shutdown', { addr: main.addr, open_connections: open });
      for (const listening of extra) {
        listening.server.close();
        listening.app.closeIdleConnections();
      }
      main.server.close(callback);
      main.app.closeIdleConnections();
    },
  };
}

/**
 * One generation of trust material: the verifier, and the TLS handshake of the main
 * listener and `source = "tls"` listeners. Throws on anything that does not load.
 */
function loadGeneration(config, number, identity) {
  let verifier;
  try {
    verifier = createVerifier({
      trust: config.trust,
      pinned: config.pinned,
      crls: config.crls,
      config: { skewSecs: config.skewSecs },
      policy: config.policy ?? NO_POLICY,
    });
  } catch (err) {
    // Named as certgate-server names it: the policy file, or the trust material.
    throw new Error(err.code === 'INVALID_POLICY' ? `policy ${config.policyFile}: ${err.message}` : `trust material: ${err.message}`);
  }
  // The CertificateRequest names the trust anchors, as certgate-server's does in required and
  // optional mode (deferred names none, so a browser offers every certificate it holds).
  // Clients choose by these names what to send: without them Chromium sends its leaf alone.
  // They name CAs only: certgate verifies every chain, OpenSSL's verdict is never asked.
  let ca;
  let context;
  try {
    ca = config.clientAuth === 'deferred' || !config.trust ? [] : anchorsPem(config.trust);
    context = secureContext(config, identity, ca);
  } catch (err) {
    verifier.free();
    throw err;
  }
  const generation = { number, verifier, holders: 0 };
  generation.handshake = {
    context,
    requestCert: true,
    requireCert: config.clientAuth === 'required',
    // Node completes a client's chain from `ca`; the reader returns what the client sent.
    chainOf: createChainReader({ ca }),
    generation: number,
    /**
     * The handshake-level part of client_auth, as the native server: "required" refuses a
     * connection without a valid certificate, "optional" one with an invalid certificate.
     */
    refusal(connection) {
      if (config.clientAuth === 'deferred') return null;
      const { verdict } = tlsVerdict(connection, generation);
      if (verdict === null) return config.clientAuth === 'required' ? NO_CERTIFICATE : null;
      return verdict instanceof Error ? verdict : null;
    },
  };
  return generation;
}

/**
 * A `[[listeners]]` entry's settings: its certificate sources (npm `certificateSource`, the
 * native rules), `auth_request`, and on a forwarded TLS listener its own handshake: no
 * client certificate asked, or, with `proxy_certificates`, one of them required.
 */
function loadSettings(entry, config, identity, generation) {
  let source;
  try {
    source = certificateSource(entry.source, generation.verifier, log);
  } catch (err) {
    throw new Error(`listener ${addressText(entry.host, entry.port)}: ${err.message}`);
  }
  const settings = { source, sourceName: entry.source.source ?? 'tls', authRequest: entry.authRequest, generation };
  if (tlsKind(entry) === 'own') {
    const pinned = source.proxies.length > 0;
    settings.handshake = {
      context: secureContext(config, identity, []),
      requestCert: pinned,
      requireCert: pinned,
      chainOf: createChainReader(),
      generation: null,
      refusal({ chain }) {
        const leaf = chain?.[0];
        if (!pinned || (leaf && source.proxies.some((p) => p.equals(leaf)))) return null;
        return { code: leaf ? 'UNKNOWN_ISSUER' : 'NO_CERTIFICATE', message: "this listener accepts only its proxies' certificates" };
      },
    };
  }
  return settings;
}

/** The main listener's settings under `generation`: the TLS connection's certificate, on every route. */
function mainSettings(generation) {
  return { source: certificateSource(undefined, generation.verifier, log), sourceName: 'tls', authRequest: false, generation };
}

/**
 * Puts `settings` in force on a listener: their generation is held while they are, and the
 * replaced settings' generation let go.
 */
function install(listening, settings) {
  hold(settings.generation);
  if (listening.settings) letGo(listening.settings.generation);
  listening.settings = settings;
}

/**
 * A generation's verifier (with its policy) lives in wasm memory, which the collector never
 * gives back in time (see `connections` in startServer): it is freed when the last of its
 * holders lets go. The holders: the server while the generation is in force, each listener
 * whose settings were made under it (their certificate source decodes forwarded headers with
 * its verifier; a listener that needs a restart keeps them across reloads), and each TLS
 * handshake begun under it until its verdict is in. A request takes no hold: it is judged
 * within one turn of the event loop, which no reload can come between. Verdicts need none
 * either: a VerifyResult keeps its own reference to the policy.
 */
function hold(generation) {
  generation.holders += 1;
  return generation;
}

function letGo(generation) {
  generation.holders -= 1;
  if (generation.holders === 0) generation.verifier.free();
}

/**
 * Which handshake a listener has, fixed while it runs: the generation's (`source = "tls"`),
 * its own (`source = "forwarded"`: a proxy connects), or none (`tls = false`).
 */
function tlsKind(entry) {
  if (!entry.tls) return 'plain';
  return (entry.source.source ?? 'tls') === 'tls' ? 'generation' : 'own';
}

function secureContext(config, identity, ca) {
  return tls.createSecureContext({
    cert: identity.cert,
    key: identity.key,
    ca,
    minVersion: config.minVersion,
    maxVersion: config.maxVersion,
    sessionIdContext: 'certgate-node-demo',
  });
}

const NO_CERTIFICATE = { code: 'NO_CERTIFICATE', message: 'no client certificate was presented' };

/**
 * A TLS connection's verdict under `generation`, verified once per connection and
 * generation: `verdict` is a VerifyResult, a CertgateError, or null without a certificate;
 * `leaf` the presented leaf's DER. The previous generation's verdict is freed here; the
 * current one when the connection closes (acceptTls).
 */
function tlsVerdict(connection, generation) {
  if (connection === null || connection.chain === null) return { verdict: null, leaf: null };
  if (connection.generation !== generation.number) {
    release(connection.verdict);
    connection.verdict = verify(generation.verifier, connection.chain);
    connection.generation = generation.number;
  }
  return { verdict: connection.verdict, leaf: connection.chain[0] };
}

/** The verifier's verdict: a VerifyResult, or the CertgateError refusing the chain. */
function verify(verifier, chain) {
  try {
    return verifier.verify(chain);
  } catch (err) {
    return err;
  }
}

/**
 * Frees a verdict's wasm memory when it is a VerifyResult (a refusal or null has none). The
 * npm middleware has its own (lib/middleware.js `release`), which it does not export.
 */
function release(verdict) {
  if (verdict instanceof VerifyResult) verdict.free();
}

/** `host:port`, an IPv6 host in brackets: how certgate-server writes addresses. */
function addressText(host, port) {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Each file's modification time and size (`-` when it cannot be read), as one string. */
function stampsOf(files) {
  return files
    .map((file) => {
      try {
        const stat = fs.statSync(file);
        return `${stat.mtimeMs}:${stat.size}`;
      } catch {
        return '-';
      }
    })
    .join('\n');
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
  log('connection_error', { peer: addressText(socket.remoteAddress, socket.remotePort), error: 'message head is too large' });
  // The native server's (hyper's) answer, byte for byte but the date: no body.
  if (socket.writable) socket.end(`HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: ${new Date().toUTCString()}\r\n\r\n`);
  socket.destroySoon();
}

/** Answers one request on the routes; `where` is its listener, source and generation, for the log. */
function handle(req, res, verifier, connection, where) {
  const { verdict } = connection;
  const started = process.hrtime.bigint();
  const urlPath = pathOnly(req.url);
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
  logRequest(req, where, { route, path: urlPath.slice(0, 256), status: answer.status, code: answer.code, principal }, started);
}

/** The access-log line, with certgate-server's fields in its order. */
function logRequest(req, where, { route, path: urlPath, status, code, principal }, started) {
  log('request', {
    peer: addressText(req.socket.remoteAddress, req.socket.remotePort),
    listener: where.listener,
    source: where.source,
    method: req.method,
    route,
    path: urlPath,
    status,
    code,
    principal,
    generation: where.generation,
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
    const files = [...(proxies ?? []), ...(intermediates ?? [])].map(at);
    if (proxies !== undefined) source.proxy_certificates = proxies.map((p) => certificatesFile(at(p), `${where}: proxy certificate`));
    if (intermediates !== undefined) source.intermediates = intermediates.map((p) => certificatesFile(at(p), `${where}: intermediate`));
    if (!tls && source.proxy_certificates?.length) throw new Error(`${where}: \`proxy_certificates\` needs \`tls = true\``);
    const tlsSomewhere = (source.source ?? 'tls') === 'tls' || (source.routes ?? []).some((r) => r.source === 'tls');
    if (!tls && tlsSomewhere) throw new Error(`${where}: \`source = "tls"\` needs \`tls = true\``);
    return { host: address[1].replace(/^\[|\]$/g, ''), port: Number(address[2]), tls, authRequest, source, files };
  });
}

/** A PEM file of certificates, refused with its path when it holds none. */
function certificatesFile(file, what) {
  const pem = fs.readFileSync(file);
  if (!pem.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) throw new Error(`${what} ${file}: no CERTIFICATE block`);
  return pem;
}

/**
 * nginx `auth_request`, as certgate-server answers it: the original request
 * (`X-Original-Method`, else this one's, and `X-Original-URI`) judged as the routes would;
 * 200 with `X-Certgate-Principal` and `X-Certgate-Roles`, or 401 (no certificate) / 403 with
 * the code; `X-Certgate-Code` always.
 */
function authRequest(req, res, verifier, connection, where) {
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
  logRequest(req, where, { route: '/auth', path: '/auth', status: answer.status, code: answer.code, principal }, started);
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
    process.on('SIGHUP', () => server.reload('SIGHUP'));
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
