'use strict';
// HTTPS middleware for node:https, express and fastify: reads the client's chain from the TLS
// socket, verifies it with a certgate verifier, decides the request by the verifier's route
// policy, and either attaches `req.certgate = {principal, roles, certificate, result,
// decision}` (plain objects: the wasm VerifyResult is freed here, see createChecker) or
// answers 401/403 with the JSON body `{code, message}`. The rules are the
// native server's (crates/certgate-server/src/routes.rs): a presented certificate that fails
// verification is reported with its own code where the policy needs a certificate.
// Behind a proxy, `listener` (server.toml `[[listeners]]` keys, lib/forwarded.js) takes the
// certificate from a trusted proxy's header, per route, with the native server's rules.

const { X509Certificate } = require('node:crypto');

// configError and pathOf live in forwarded.js, which cannot require this module (it is required by it).
const { configError, createSource, pathOf } = require('./forwarded');

const CLIENT_AUTH = ['required', 'optional'];
const OPTIONS = ['verifier', 'clientAuth', 'authorize', 'time', 'onDenied', 'cacheSecs', 'listener', 'log', 'ca'];

/** Most certificates read from a socket: the core's default chain limit. */
const MAX_CHAIN = 32;
/** Full chains remembered for resumed TLS sessions, by leaf fingerprint (oldest evicted). */
const MAX_REMEMBERED = 1024;

/**
 * The request checker the three integrations share. Options are checked here, once.
 * @param {object} options see index.d.ts `MiddlewareOptions`
 */
function createChecker(options) {
  if (options === null || typeof options !== 'object') throw configError('middleware options must be an object');
  for (const key of Object.keys(options)) {
    if (!OPTIONS.includes(key)) throw configError(`unknown middleware option \`${key}\`; known options: ${OPTIONS.join(', ')}`);
  }
  const { verifier, clientAuth = 'required', authorize = true, time, onDenied, cacheSecs = 60, listener, log = logLine, ca } = options;
  if (!verifier || typeof verifier.verify !== 'function' || typeof verifier.authorize !== 'function') {
    throw configError('`verifier` must be a Verifier from createVerifier()');
  }
  if (!CLIENT_AUTH.includes(clientAuth)) throw configError('`clientAuth` must be "required" or "optional"');
  if (typeof authorize !== 'boolean') throw configError('`authorize` must be a boolean');
  if (time !== undefined && typeof time !== 'function') throw configError('`time` must be a function returning Unix seconds or a Date');
  if (onDenied !== undefined && typeof onDenied !== 'function') throw configError('`onDenied` must be a function');
  if (!Number.isFinite(cacheSecs) || cacheSecs < 0) throw configError('`cacheSecs` must be a number of seconds, 0 or more');
  if (typeof log !== 'function') throw configError('`log` must be a function (event, fields)');
  const source = createSource(listener, verifier, log);

  // The server's `ca`, so the chain verified is the one the client sent (createChainReader).
  const chainOf = createChainReader({ ca });
  // A connection's verdict is kept for `cacheSecs`, then the chain is verified again (a
  // keep-alive connection outliving its certificate, or a new CRL, is caught by then).
  // A verdict's wasm VerifyResult lives in wasm memory, which garbage collection never sees
  // filling up (its finalizers run too late for a busy server, and a grown memory never
  // shrinks): the result is freed when its verdict is replaced or its socket closes, or at
  // the end of the request when it is not kept. Requests get plain copies (`copyOf`).
  const verdicts = new WeakMap();

  function verdictOf(socket, chain) {
    const now = seconds(time ? time() : Date.now() / 1000);
    const kept = verdicts.get(socket);
    if (kept !== undefined && now >= kept.at && now < kept.at + cacheSecs) return kept;
    const verdict = verify(chain, now);
    if (cacheSecs > 0 && socket && typeof socket.once === 'function' && !socket.destroyed) {
      if (kept !== undefined) {
        release(kept);
      } else {
        socket.once('close', () => {
          release(verdicts.get(socket));
          verdicts.delete(socket);
        });
      }
      verdict.kept = true;
      verdicts.set(socket, verdict);
    }
    return verdict;
  }

  /**
   * The request's chain and verdict under its route's source. A forwarded chain belongs to
   * its request (a proxy's connection carries many clients), so it is verified every time.
   */
  function presentedBy(req) {
    const handshake = chainOf(req.socket);
    const presented = source.presented(req, handshake);
    if (presented.kind === 'tls') {
      return { chain: handshake, verdict: handshake === null ? NO_VERDICT : verdictOf(req.socket, handshake) };
    }
    if (presented.kind === 'none') return { chain: null, verdict: NO_VERDICT };
    if (presented.kind === 'malformed') return { chain: [], verdict: { result: null, refused: presented.error } };
    return { chain: presented.chain, verdict: verify(presented.chain, seconds(time ? time() : Date.now() / 1000)) };
  }

  /**
   * Decides one request: `{ok: true, certgate}` or `{ok: false, status, body, error}`.
   * @param {import('node:http').IncomingMessage} req
   */
  return function check(req) {
    const { chain, verdict } = presentedBy(req);
    try {
      return decide(req, chain, verdict);
    } finally {
      if (!verdict.kept) release(verdict);
    }
  };

  function verify(chain, now) {
    try {
      return { at: now, result: verifier.verify(chain, { time: now }), refused: null };
    } catch (err) {
      return { at: now, result: null, refused: err };
    }
  }

  function decide(req, chain, verdict) {
    const { result, refused } = verdict;
    const method = req.method || 'GET';
    const path = pathOf(req.url);
    let decision = null;
    if (!authorize) {
      if (refused) return deny(refused, req);
      if (result === null && clientAuth === 'required') return deny(noCertificate(), req);
    } else {
      if (chain === null && clientAuth === 'required') return deny(noCertificate(), req);
      try {
        decision = result ? verifier.authorize(result, method, path) : verifier.authorizeAnonymous(method, path);
      } catch (denial) {
        return deny(refused && denial.code === 'NO_CERTIFICATE' ? refused : denial, req);
      }
    }
    const principal = decision ? decision.principal : result && result.principal;
    const roles = decision ? decision.roles : result ? result.roles : [];
    const copy = result && copyOf(verdict);
    const certgate = {
      principal,
      roles,
      certificate: copy && copy.leaf,
      result: copy && { ...copy, principal, roles },
      decision,
    };
    return { ok: true, certgate };
  }

  function deny(error, req) {
    const status = (error.details && error.details.httpStatus) || 403;
    if (onDenied) onDenied(error, req);
    return { ok: false, status, body: { code: error.code, message: error.message }, error };
  }
}

/** The verdict on a request without a certificate. */
const NO_VERDICT = Object.freeze({ result: null, refused: null });

/**
 * The verified chain as plain values, `{path, pinned, time, leaf}`: copied from the verdict's
 * wasm VerifyResult once (the leaf's record is decoded then) and shared by its requests.
 */
function copyOf(verdict) {
  if (verdict.copy === undefined) {
    const { result } = verdict;
    verdict.copy = Object.freeze({ path: result.path, pinned: result.pinned, time: result.time, leaf: result.leaf });
  }
  return verdict.copy;
}

/**
 * Frees a verdict's wasm VerifyResult, once; its copy stays valid. A result without `free`
 * (a caller's own verifier wrapper) is only dropped.
 */
function release(verdict) {
  if (verdict === undefined || verdict.result === null) return;
  if (typeof verdict.result.free === 'function') verdict.result.free();
  verdict.result = null;
}

/**
 * A reader of client chains from TLS sockets, cached per socket. On a resumed TLS session
 * Node returns only the leaf; the reader then returns the chain that leaf's client presented
 * on its last full handshake (remembered, bounded), which the caller verifies in full again:
 * nothing is trusted on memory, the intermediates are only candidates for path building.
 *
 * `options.ca` is the TLS server's own `ca` option (PEM), when it has one: Node completes the
 * client's chain from it (getPeerCertificate(true) appends the issuers it finds there), so the
 * reader ends the chain before the first of those certificates and returns what the client
 * sent. A client's own copy of one of them is left out too: Node's answer cannot tell the two
 * apart, and when `ca` holds the verifier's trust anchors the path ends there the same way.
 * @param {{ca?: string | Buffer | Array<string | Buffer>}} [options]
 * @returns {(socket: import('node:tls').TLSSocket) => Buffer[] | null}
 */
function createChainReader(options = {}) {
  if (options === null || typeof options !== 'object') throw configError('chain reader options must be an object');
  for (const key of Object.keys(options)) {
    if (key !== 'ca') throw configError(`unknown chain reader option \`${key}\`; known options: ca`);
  }
  const serverCas = new Set(pemCertificates(options.ca ?? []).map(derBase64));
  const chains = new WeakMap();
  const remembered = new Map();
  return function chainOf(socket) {
    let chain = chains.get(socket);
    if (chain !== undefined) return chain;
    chain = readChain(socket, serverCas);
    if (chain !== null && chain.length === 1 && typeof socket.isSessionReused === 'function' && socket.isSessionReused()) {
      const full = remembered.get(chain[0].toString('base64'));
      if (full !== undefined) chain = full;
    } else if (chain !== null && chain.length > 1) {
      const key = chain[0].toString('base64');
      remembered.delete(key);
      if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value);
      remembered.set(key, chain);
    }
    if (socket) chains.set(socket, chain);
    return chain;
  };
}

/** Connect/express-style middleware; also usable with node:https as `mw(req, res, next)`. */
function middleware(options) {
  const check = createChecker(options);
  return function certgateMiddleware(req, res, next) {
    const outcome = check(req);
    if (!outcome.ok) return sendJson(res, outcome.status, outcome.body);
    req.certgate = outcome.certgate;
    next();
  };
}

/** A fastify `onRequest` hook: `fastify.addHook('onRequest', fastifyHook({...}))`. */
function fastifyHook(options) {
  const check = createChecker(options);
  return async function certgateHook(request, reply) {
    const outcome = check(request.raw);
    if (!outcome.ok) {
      return reply.code(outcome.status).header('cache-control', 'no-store').type('application/json').send(outcome.body);
    }
    request.certgate = outcome.certgate;
    request.raw.certgate = outcome.certgate;
  };
}

/**
 * TLS server options that ask for a client certificate and leave its verification to
 * certgate: `https.createServer(tlsServerOptions({cert, key}), handler)`.
 */
function tlsServerOptions(options) {
  return { ...options, requestCert: true, rejectUnauthorized: false };
}

/**
 * The chain a TLS socket's peer presented, DER leaf first, or null when it sent none; it ends
 * before the first certificate of `serverCas` (base64 DER: the server's `ca`, see above).
 */
function readChain(socket, serverCas = new Set()) {
  if (!socket || typeof socket.getPeerCertificate !== 'function') return null;
  let cert = socket.getPeerCertificate(true);
  if (!cert || !cert.raw) return null;
  const chain = [];
  const seen = new Set();
  // issuerCertificate links end on a self-issued certificate (which links to itself); Node
  // may append CAs of the server's own store: those of its `ca` end the chain here, the
  // default store's public roots the core ignores when they are unused.
  while (cert && cert.raw && chain.length < MAX_CHAIN) {
    const id = cert.raw.toString('base64');
    if (seen.has(id) || (chain.length > 0 && serverCas.has(id))) break;
    seen.add(id);
    chain.push(cert.raw);
    cert = cert.issuerCertificate;
  }
  return chain;
}

/** The PEM certificates of a `ca` option (a PEM string or Buffer, or an array of them). */
function pemCertificates(ca) {
  const pems = [];
  for (const item of Array.isArray(ca) ? ca : [ca]) {
    const text = Buffer.isBuffer(item) ? item.toString('latin1') : String(item);
    const found = text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g);
    if (!found) throw configError('`ca` must be PEM certificates, as Node\'s TLS option takes them');
    pems.push(...found);
  }
  return pems;
}

function derBase64(pem) {
  try {
    return new X509Certificate(pem).raw.toString('base64');
  } catch (err) {
    throw configError(`\`ca\` holds a certificate Node cannot decode: ${err.message}`);
  }
}

/** Unix seconds from seconds or a Date. */
function seconds(time) {
  return Math.floor(time instanceof Date ? time.getTime() / 1000 : time);
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function noCertificate() {
  const err = new Error('no client certificate was presented');
  err.name = 'CertgateError';
  err.code = 'NO_CERTIFICATE';
  err.certIndex = null;
  err.details = { httpStatus: 401, certificate: null };
  return err;
}

/** The default `log`: one JSON line on standard error, as the native server's events. */
function logLine(event, fields) {
  process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), event, ...fields })}\n`);
}

module.exports = { middleware, fastifyHook, tlsServerOptions, createChainReader, readChain, sendJson, configError };
