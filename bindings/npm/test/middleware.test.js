'use strict';
// The middleware over real HTTPS on loopback, for node:https, express and fastify, with the
// verifier of each build: the demo clients (alice 200, mallory 403, expired and rogue refused,
// none 401), a resumed TLS session still authorized, required/optional modes, and the client
// helper verifying the server with certgate.

const assert = require('node:assert/strict');
const https = require('node:https');
const { describe, it, before, after } = require('node:test');
const certgate = require('..');
const { BUILDS } = require('./builds.js');
const { demoPki } = require('./pki.js');
const { request } = require('./https.js');

let pki;
before(() => {
  pki = demoPki();
});
after(() => pki.cleanup());

/** The demo API's handler, reading `req.certgate`. */
function routes(req, res) {
  const path = req.url.split('?')[0];
  const send = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-resumed': String(req.socket.isSessionReused()) });
    res.end(JSON.stringify(body));
  };
  if (path === '/health') return send(200, { status: 'ok' });
  if (path === '/whoami') return send(200, { principal: req.certgate.principal, roles: req.certgate.roles, subject: req.certgate.certificate.subject.rfc4514 });
  const id = /^\/customer\/([1-9][0-9]*)$/.exec(path);
  if (id) return send(200, { id: Number(id[1]), name: `Customer${id[1]}` });
  return send(404, { code: 'NOT_FOUND', message: 'no such route' });
}

const FRAMEWORKS = {
  'node:https': async (options) => {
    const mw = certgate.middleware(options);
    return https.createServer(certgate.tlsServerOptions(serverTls()), (req, res) => mw(req, res, () => routes(req, res)));
  },
  express: async (options) => {
    const express = require('express');
    const app = express();
    app.use(certgate.middleware(options));
    app.get('/health', (req, res) => routes(req, res));
    app.get('/whoami', (req, res) => routes(req, res));
    app.get('/customer/:id', (req, res) => routes(req, res));
    return https.createServer(certgate.tlsServerOptions(serverTls()), app);
  },
  fastify: async (options) => {
    const fastify = require('fastify')({ https: certgate.tlsServerOptions(serverTls()) });
    fastify.addHook('onRequest', certgate.fastifyHook(options));
    fastify.get('/health', async () => ({ status: 'ok' }));
    fastify.get('/whoami', async (request, reply) => {
      reply.header('x-resumed', String(request.raw.socket.isSessionReused()));
      const { principal, roles, certificate } = request.certgate;
      return { principal, roles, subject: certificate.subject.rfc4514 };
    });
    fastify.get('/customer/:id', async (request) => ({ id: Number(request.params.id), name: `Customer${request.params.id}` }));
    await fastify.ready();
    return fastify.server;
  },
};

function serverTls() {
  return { cert: pki.read('server.pem'), key: pki.read('server.key') };
}

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

function close(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(resolve));
}

for (const build of BUILDS) {
  for (const [framework, create] of Object.entries(FRAMEWORKS)) {
    describe(`middleware: ${framework} with the ${build.name} build's verifier`, () => {
      let server;
      let port;
      before(async () => {
        const api = await build.load();
        const verifier = api.createVerifier({
          trust: pki.read('root-ca.pem'),
          crls: pki.read('crl.pem'),
          policy: pki.read('policy.toml', 'utf8'),
        });
        server = await create({ verifier, clientAuth: 'optional' });
        port = await listen(server);
      });
      after(() => close(server));

      const ca = () => ({ ca: pki.read('root-ca.pem') });

      it('alice: 200 with principal and roles', async () => {
        const res = await request(port, '/customer/1', { ...ca(), ...pki.client('alice') });
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, { id: 1, name: 'Customer1' });
        const who = await request(port, '/whoami', { ...ca(), ...pki.pfx('alice') });
        assert.equal(who.status, 200);
        assert.equal(who.body.principal, 'alice');
        assert.deepEqual(who.body.roles, ['user']);
      });

      it('mallory: 403 ROLE_MISSING', async () => {
        const res = await request(port, '/customer/1', { ...ca(), ...pki.client('mallory') });
        assert.equal(res.status, 403);
        assert.equal(res.body.code, 'ROLE_MISSING');
        assert.equal(typeof res.body.message, 'string');
        assert.equal((await request(port, '/whoami', { ...ca(), ...pki.client('mallory') })).status, 200);
      });

      it('expired and rogue: 403 with their codes', async () => {
        const expired = await request(port, '/customer/1', { ...ca(), ...pki.client('expired') });
        assert.deepEqual([expired.status, expired.body.code], [403, 'CERT_EXPIRED']);
        const rogue = await request(port, '/whoami', { ...ca(), ...pki.client('rogue') });
        assert.deepEqual([rogue.status, rogue.body.code], [403, 'UNKNOWN_ISSUER']);
      });

      it('no certificate: 401 NO_CERTIFICATE, but /health is anonymous', async () => {
        const res = await request(port, '/customer/1', ca());
        assert.deepEqual([res.status, res.body.code], [401, 'NO_CERTIFICATE']);
        assert.equal((await request(port, '/health', ca())).status, 200);
        const bad = await request(port, '/health', { ...ca(), ...pki.client('rogue') });
        assert.equal(bad.status, 200, 'an anonymous route admits even a bad certificate, as the native server does');
      });

      it('a resumed TLS session is still authorized by its full chain', async () => {
        const agent = new https.Agent({ ...ca(), ...pki.client('alice'), maxCachedSessions: 10, keepAlive: false });
        const first = await request(port, '/whoami', { servername: 'localhost' }, { agent });
        assert.equal(first.status, 200);
        let resumed;
        for (let i = 0; i < 5 && !resumed; i++) {
          const again = await request(port, '/whoami', { servername: 'localhost' }, { agent });
          assert.equal(again.status, 200, JSON.stringify(again.body));
          assert.equal(again.body.principal, 'alice');
          if (again.headers['x-resumed'] === 'true') resumed = again;
        }
        assert.ok(resumed, 'the client resumed its TLS session');
        agent.destroy();
      });
    });
  }
}

describe('middleware options', () => {
  let verifier;
  before(() => {
    verifier = certgate.createVerifier({ trust: pki.read('root-ca.pem'), policy: pki.read('policy.toml', 'utf8') });
  });

  it('clientAuth "required" answers 401 even on anonymous routes; authorize:false skips the policy', async () => {
    const requiredMw = certgate.middleware({ verifier, clientAuth: 'required' });
    const required = https.createServer(certgate.tlsServerOptions(serverTls()), (req, res) => requiredMw(req, res, () => routes(req, res)));
    const port = await listen(required);
    const ca = { ca: pki.read('root-ca.pem') };
    assert.equal((await request(port, '/health', ca)).status, 401);
    assert.equal((await request(port, '/health', { ...ca, ...pki.client('alice') })).status, 200);
    await close(required);

    const noPolicyMw = certgate.middleware({ verifier, authorize: false });
    const noPolicy = https.createServer(certgate.tlsServerOptions(serverTls()), (req, res) => noPolicyMw(req, res, () => routes(req, res)));
    const port2 = await listen(noPolicy);
    const mallory = await request(port2, '/customer/1', { ...ca, ...pki.client('mallory') });
    assert.equal(mallory.status, 200, 'verified, and no route policy applied');
    assert.equal((await request(port2, '/customer/1', { ...ca, ...pki.client('expired') })).status, 403);
    await close(noPolicy);
  });

  it('keeps a connection\'s verdict for cacheSecs, then verifies the chain again', async () => {
    const notAfter = certgate.inspect(pki.read('clients/alice.pem')).validity.notAfterUnix;
    for (const cacheSecs of [60, 0]) {
      let clock = notAfter - 5;
      const mw = certgate.middleware({ verifier, cacheSecs, time: () => clock });
      const server = https.createServer(certgate.tlsServerOptions(serverTls()), (req, res) => mw(req, res, () => routes(req, res)));
      const port = await listen(server);
      const agent = new https.Agent({ ca: pki.read('root-ca.pem'), ...pki.client('alice'), keepAlive: true, maxSockets: 1 });
      const get = () => request(port, '/whoami', { servername: 'localhost' }, { agent });
      assert.equal((await get()).status, 200);
      clock = notAfter + 5; // expired, on the same connection
      assert.equal((await get()).status, cacheSecs > 0 ? 200 : 403, `cacheSecs ${cacheSecs}`);
      clock = notAfter + 120; // past the cache
      const late = await get();
      assert.deepEqual([late.status, late.body.code], [403, 'CERT_EXPIRED']);
      agent.destroy();
      await close(server);
    }
  });

  it('refuses bad options when created', () => {
    for (const bad of [undefined, {}, { verifier: {} }, { verifier, clientAuth: 'deferred' }, { verifier, authorise: true }, { verifier, time: 5 }, { verifier, cacheSecs: -1 }, { verifier, ca: 'not PEM' }]) {
      assert.throws(() => certgate.middleware(bad), (err) => err.code === 'INVALID_CONFIG', JSON.stringify(bad));
    }
    for (const bad of [null, { trust: 'x' }, { ca: 'not PEM' }, { ca: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }]) {
      assert.throws(() => certgate.createChainReader(bad), (err) => err.code === 'INVALID_CONFIG', JSON.stringify(bad));
    }
  });

  it('createChainReader({ca}) returns the chain the client sent, without the CAs Node appends from the server\'s `ca`', async () => {
    const root = pki.read('root-ca.pem', 'utf8');
    const intermediate = pki.read('intermediate-ca.pem', 'utf8');
    const [leaf] = pki.read('clients/alice.pem', 'utf8').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g);
    const der = (pem) => new (require('node:crypto').X509Certificate)(pem).raw;
    const cases = [
      // [server ca, what alice sends, what Node's getPeerCertificate(true) chain holds, what she sent]
      [[root], pki.read('clients/alice.pem', 'utf8'), [leaf, intermediate, root], [leaf, intermediate]],
      [[root, intermediate], leaf, [leaf, intermediate, root], [leaf]],
    ];
    for (const [ca, cert, nodeChain, sent] of cases) {
      const plain = certgate.createChainReader();
      const exact = certgate.createChainReader({ ca });
      const seen = [];
      const server = https.createServer({ ...certgate.tlsServerOptions(serverTls()), ca }, (req, res) => {
        seen.push([plain(req.socket), exact(req.socket)]);
        res.end();
      });
      const port = await listen(server);
      const res = await request(port, '/', { ca: root, cert, key: pki.read('clients/alice.key') });
      assert.equal(res.status, 200);
      await close(server);
      assert.deepEqual(seen, [[nodeChain.map(der), sent.map(der)]], `server ca of ${ca.length}, ${sent.length} certificate(s) sent`);
    }
  });

  it('option `ca`: only certificates the client sent are verified, never ones Node adds from the server\'s `ca`', async () => {
    const root = pki.read('root-ca.pem', 'utf8');
    const intermediate = pki.read('intermediate-ca.pem', 'utf8');
    const leaf = pki.read('clients/alice.pem', 'utf8').split(/(?<=-----END CERTIFICATE-----\n)/)[0];
    const outcome = async (serverCa, middlewareCa) => {
      const mw = certgate.middleware({ verifier, ...(middlewareCa ? { ca: middlewareCa } : {}) });
      const server = https.createServer({ ...certgate.tlsServerOptions(serverTls()), ca: serverCa }, (req, res) => mw(req, res, () => routes(req, res)));
      const port = await listen(server);
      const client = { ca: root, key: pki.read('clients/alice.key') };
      const alone = await request(port, '/whoami', { ...client, cert: leaf });
      const full = await request(port, '/whoami', { ...client, cert: pki.read('clients/alice.pem') });
      await close(server);
      return [alone, full].map((r) => `${r.status} ${r.body.code ?? r.body.principal}`);
    };
    // The server's `ca` = the verifier's anchors (the way to name them to browsers).
    assert.deepEqual(await outcome([root], [root]), ['403 UNKNOWN_ISSUER', '200 alice']);
    // An intermediate in the server's `ca`: Node completes alice's leaf with it; the option
    // keeps it out even when she sent it too (Node's answer cannot tell), so it fails closed.
    assert.deepEqual(await outcome([root, intermediate], undefined), ['200 alice', '200 alice']);
    assert.deepEqual(await outcome([root, intermediate], [root, intermediate]), ['403 UNKNOWN_ISSUER', '403 UNKNOWN_ISSUER']);
  });
});

describe('client helper: agentOptions', () => {
  let server;
  let port;
  before(async () => {
    const verifier = certgate.createVerifier({ trust: pki.read('root-ca.pem'), policy: pki.read('policy.toml', 'utf8') });
    const mw = certgate.middleware({ verifier, clientAuth: 'optional' });
    server = https.createServer(certgate.tlsServerOptions(serverTls()), (req, res) => mw(req, res, () => routes(req, res)));
    port = await listen(server);
  });
  after(() => close(server));

  it('connects with a PKCS#12 or a PEM identity and verifies the server with certgate', async () => {
    const ca = pki.read('root-ca.pem');
    const fromP12 = certgate.agentOptions({ ...pki.pfx('alice'), ca });
    assert.deepEqual((await request(port, '/customer/2', fromP12)).body, { id: 2, name: 'Customer2' });
    const fromPem = certgate.agentOptions({ ...pki.client('alice'), ca });
    const agent = new https.Agent(fromPem);
    assert.equal((await request(port, '/whoami', {}, { agent })).body.principal, 'alice');
    agent.destroy();
  });

  it('refuses a server whose certificate does not name the host, with the certgate code', async () => {
    const options = certgate.agentOptions({ ...pki.client('alice'), ca: pki.read('root-ca.pem') });
    const res = await request(port, '/health', { ...options, servername: 'other.example.org' });
    assert.ok(res.error, 'the connection fails');
    assert.equal(res.error.code, 'NAME_MISMATCH');
  });

  it('refuses incomplete identities', () => {
    const ca = pki.read('root-ca.pem');
    assert.throws(() => certgate.agentOptions({ ca }), /identity/);
    assert.throws(() => certgate.agentOptions({ cert: 'x', ca }), /both `cert` and `key`/);
    assert.throws(() => certgate.agentOptions({ ...pki.pfx('alice') }), /`ca`/);
  });
});
