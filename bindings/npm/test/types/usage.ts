// Type-checked by `npm run typecheck` (tsc --noEmit): the declarations describe the API as
// the tests and the README use it. Not executed.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import {
  createVerifier, inspect, inspectAll, codes, isCertgateError, provider, decodeForwarded, forwardedFormats,
  type CertgateError, type Decision, type ForwardedFormat, type Inspection, type VerifyResult,
} from 'certgate';

const verifier = createVerifier({
  trust: readFileSync('root-ca.pem'),
  pinned: [readFileSync('pinned.pem', 'utf8')],
  crls: [readFileSync('ca.crl.pem')],
  config: { skewSecs: 30, maxPathLen: 4, revocation: { denyUnknown: true }, limits: { chainCerts: 8 }, profile: { allowMissingKeyIdentifiers: true } },
  policy: { roles: { alice: ['user'] }, routes: [{ methods: ['GET'], path: '/customer/{id}', roles: ['user'] }], default: { access: 'deny' } },
  signatureAlgorithms: ['ecdsa-sha256', 'rsa-pss-sha256'],
  publicSuffixes: readFileSync('/usr/share/publicsuffix/public_suffix_list.dat', 'utf8'),
});
// @ts-expect-error an unknown signature algorithm name
createVerifier({ trust: 'x', signatureAlgorithms: ['md5'] });

const result: VerifyResult = verifier.verify([new X509Certificate(readFileSync('alice.pem'))], {
  time: new Date(),
  usage: 'clientAuth',
  hostname: 'client.example.org',
});
const path: Uint8Array[] = result.path;
const leaf: Inspection = result.leaf;
const cn: string | undefined = leaf.subject.attributes.find((a) => a.name === 'CN')?.value;
const principal: string | null = result.principal;
const decision: Decision = verifier.authorize(result, 'GET', '/customer/1');
const anonymous: Decision = verifier.authorizeAnonymous('GET', '/health');
const steps: number = verifier.explain(result, 'GET', '/').steps.length;

try {
  verifier.verify('-----BEGIN CERTIFICATE-----\n…', { time: 1_780_000_000, usage: '1.3.6.1.4.1.99999.1' });
} catch (err) {
  if (isCertgateError(err)) {
    const e: CertgateError = err;
    const status: number = e.details.httpStatus;
    const index: number | null = e.certIndex;
    console.log(e.code, status, index, e.details.certificate?.sha256);
  }
}

const format: ForwardedFormat = forwardedFormats()[0];
const forwarded: Uint8Array[] = verifier.decodeForwarded('-----BEGIN%20CERTIFICATE-----%0A…', 'nginx').certificates;
const detected: string | null = decodeForwarded('Client-Cert: :MII…:').header;
const ignored: number = decodeForwarded('Hash=00,Cert=x', 'envoy-xfcc').ignoredElements;
verifier.verify(decodeForwarded(':MII…:', 'rfc9440').certificates);
// @ts-expect-error an unknown forwarded format
decodeForwarded('x', 'haproxy');
console.log(format, forwarded, detected, ignored);

const all: Inspection[] = inspectAll(readFileSync('bundle.pem'), { time: 0 });
const one: string = inspect(readFileSync('alice.pem')).fingerprints.sha256;
const statuses: number[] = codes().map((c) => c.httpStatus);
const which: 'node-crypto' | 'ring-wasm' = provider();
console.log(path, cn, principal, decision.roles, anonymous.rule, steps, all, one, statuses, which);

// @ts-expect-error: unknown options are refused by the types as by the runtime
createVerifier({ trusted: 'x' });
// @ts-expect-error: time is seconds or a Date
verifier.verify('x', { time: '2026-01-01' });

// The middleware and client helper.
import https from 'node:https';
import { middleware, fastifyHook, tlsServerOptions, agentOptions, createChainReader, type RequestCertgate } from 'certgate';
const mw = middleware({ verifier, clientAuth: 'optional', cacheSecs: 30, onDenied: (e) => console.log(e.code) });
https.createServer(tlsServerOptions({ cert: 'c', key: 'k' }), (req, res) => mw(req, res, () => {
  const who: RequestCertgate = (req as typeof req & { certgate: RequestCertgate }).certgate;
  res.end(who.principal ?? 'anonymous');
}));
const hook = fastifyHook({ verifier, ca: readFileSync('root-ca.pem') });
const agent = new https.Agent(agentOptions({ pfx: readFileSync('alice.p12'), passphrase: 'changeit', ca: readFileSync('root-ca.pem') }));
const reader: (s: import('node:tls').TLSSocket) => Buffer[] | null = createChainReader();
const exactReader = createChainReader({ ca: [readFileSync('root-ca.pem')] });
console.log(hook, agent, reader, exactReader);
// @ts-expect-error: the reader takes the server's `ca` and nothing else
createChainReader({ trust: 'x' });
// @ts-expect-error: "deferred" is the native server's TLS-level mode, not the middleware's
middleware({ verifier, clientAuth: 'deferred' });

// Behind a TLS-terminating proxy: the middleware's `listener` (server.toml [[listeners]] keys)
// and `log`, and certificateSource for servers that judge requests themselves (node-demo).
import http from 'node:http';
import { certificateSource, type CertificateSource, type ListenerOptions, type Presented } from 'certgate';
const behindNginx: ListenerOptions = {
  source: 'forwarded',
  format: 'nginx',
  header: 'X-SSL-Client-Cert',
  trusted_proxies: ['127.0.0.1/32', '::1'],
  intermediates: [readFileSync('intermediate-ca.pem')],
  routes: [{ path: '/admin', source: 'forwarded', format: 'envoy-xfcc' }, { path: '/direct', source: 'tls' }],
};
const hop: ListenerOptions = { source: 'forwarded', format: 'rfc9440', proxy_certificates: [readFileSync('proxy.pem', 'utf8')] };
const forwardedMw = middleware({ verifier, clientAuth: 'optional', listener: behindNginx, log: (event, fields) => console.log(event, fields.peer) });
const forwardedHook = fastifyHook({ verifier, listener: hop });
http.createServer((req, res) => forwardedMw(req, res, () => res.end()));
const source: CertificateSource = certificateSource(behindNginx, verifier, (event, fields) => console.log(event, fields));
http.createServer((req, res) => {
  const presented: Presented = source.presented(req, null);
  const chain: Buffer[] | null = presented.kind === 'chain' ? presented.chain : null;
  const code: string | null = presented.kind === 'malformed' ? presented.error.code : null;
  res.end(JSON.stringify({ kind: presented.kind, chain: chain?.length, code, source: source.sourceFor(req.url ?? '/') }));
});
const pins: Buffer[] = certificateSource(hop, verifier).proxies;
const everyRouteTls: boolean = certificateSource(undefined, verifier).forwards;
console.log(forwardedHook, pins, everyRouteTls);
// @ts-expect-error: a forwarded source names one of the known formats
middleware({ verifier, listener: { source: 'forwarded', format: 'haproxy' } });
// @ts-expect-error: a route needs its own `source`
certificateSource({ routes: [{ path: '/x' }] }, verifier);
// @ts-expect-error: listener keys are server.toml's (snake_case), not camelCase
middleware({ verifier, listener: { trustedProxies: ['127.0.0.1'] } });
