// The inspector page: loads certgate's web build, decodes what the user gives it and explains
// the verdict of a trust store and policy. Nothing leaves the page: no request is made except
// for the page's own files (the wasm module and the demo PEM files).

import init, * as certgate from './certgate/web.mjs';
import { InputError, decodeBytes, decodeText, fromBase64Url, parseTime, toBase64Url } from './decode.mjs';
import { certificateCard, chainView, crlCard, csrCard, errorBlock, h, linkChain } from './render.mjs';

/** The fixtures' fixed check time, 2026-05-28T20:26:40Z: the demos' verdicts never drift. */
const DEMO_TIME = '2026-05-28T20:26:40Z';

const $ = (id) => document.getElementById(id);
const state = { file: null, decoded: null, time: 0 };

async function main() {
  try {
    await init();
  } catch (err) {
    $('loading').textContent = `The certgate core could not be loaded (${err.message}). Serve this page over HTTP from its dist/ folder.`;
    $('loading').classList.add('bad');
    return;
  }
  $('loading').hidden = true;
  document.body.dataset.ready = 'true';

  $('input-form').addEventListener('submit', (e) => {
    e.preventDefault();
    decode();
  });
  $('verdict-form').addEventListener('submit', (e) => {
    e.preventDefault();
    verify();
  });
  $('input').addEventListener('input', () => {
    state.file = null;
    $('file-name').textContent = '';
  });
  $('file').addEventListener('change', () => {
    const file = $('file').files?.[0];
    if (file) readFile(file);
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', () => drop.classList.remove('over'));
  // A file dropped anywhere on the page is read, never opened by the browser in its place.
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files?.[0];
    if (file) readFile(file);
  });
  $('demo-chain').addEventListener('click', () => loadDemo('alice.pem'));
  $('demo-expired').addEventListener('click', () => loadDemo('expired.pem'));
  $('demo-rogue').addEventListener('click', () => loadDemo('rogue-leaf.pem'));
  $('demo-trust').addEventListener('click', async () => {
    $('trust').value = await demoFile('root-ca.pem');
  });
  $('share').addEventListener('click', share);
  window.addEventListener('hashchange', fromFragment);
  fromFragment();
}

/** `#pem=<base64url PEM>` (and optionally `&time=<check time>&trust=<base64url PEM>`). */
function fromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (!params.has('pem')) return;
  try {
    $('input').value = fromBase64Url(params.get('pem'));
    state.file = null;
    if (params.has('time')) $('time').value = params.get('time');
    if (params.has('trust')) $('trust').value = fromBase64Url(params.get('trust'));
  } catch (err) {
    showError(err, 'The link cannot be opened:');
    return;
  }
  decode();
}

async function readFile(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  $('file-name').textContent = `${file.name} (${bytes.length} bytes)`;
  if (bytes[0] === 0x30) {
    // DER or PKCS#12: kept as bytes, decoded from there (with the password, if any).
    state.file = { name: file.name, bytes };
    $('input').value = '';
  } else {
    state.file = null;
    $('input').value = new TextDecoder().decode(bytes);
  }
  decode();
}

async function demoFile(name) {
  const response = await fetch(`demo/${name}`);
  if (!response.ok) throw new InputError('NO_CERTIFICATE', `the demo file ${name} is missing from this build`);
  return response.text();
}

async function loadDemo(name) {
  try {
    $('input').value = await demoFile(name);
    state.file = null;
    $('file-name').textContent = '';
    $('time').value = DEMO_TIME;
    if ($('trust').value.trim() === '') $('trust').value = await demoFile('root-ca.pem');
  } catch (err) {
    showError(err, 'The demo cannot be loaded:');
    return;
  }
  if (decode()) verify();
}

function share() {
  const text = $('input').value;
  if (state.file || text.trim() === '') {
    $('share-link').value = '';
    showError(new InputError('NO_CERTIFICATE', 'links carry pasted text only: paste PEM or a header value first'), 'No link:');
    return;
  }
  let link = `${location.origin}${location.pathname}#pem=${toBase64Url(text)}`;
  if ($('time').value.trim()) link += `&time=${encodeURIComponent($('time').value.trim())}`;
  $('share-link').value = link;
  $('share-link').select();
}

function showError(err, context) {
  const region = $('error');
  region.replaceChildren(errorBlock(err, context));
  region.hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error').replaceChildren();
}

/** Decodes the input and renders it; returns whether anything was decoded. */
function decode() {
  clearError();
  $('verdict').replaceChildren();
  let decoded;
  try {
    state.time = parseTime($('time').value);
    decoded = state.file
      ? decodeBytes(certgate, state.file.bytes, state.time, $('password').value)
      : decodeText(certgate, $('input').value, state.time);
  } catch (err) {
    state.decoded = null;
    $('summary').textContent = 'Nothing decoded: see the error above.';
    for (const id of ['notes', 'chain', 'items']) $(id).replaceChildren();
    showError(err, 'The input cannot be decoded:');
    return false;
  }
  state.decoded = decoded;
  render(decoded);
  return true;
}

function render(decoded, failing = null) {
  const { certificates, csrs, crls } = decoded;
  const parts = [];
  if (certificates.length) parts.push(`${certificates.length} certificate${certificates.length === 1 ? '' : 's'}`);
  if (csrs.length) parts.push(`${csrs.length} CSR${csrs.length === 1 ? '' : 's'}`);
  if (crls.length) parts.push(`${crls.length} CRL${crls.length === 1 ? '' : 's'}`);
  $('summary').textContent = `${decoded.source}: ${parts.join(', ')} · checked at ${new Date(state.time * 1000).toISOString().replace('.000', '')}`;
  $('notes').replaceChildren(...decoded.notes.map((n) => h('p', { class: 'notice' }, n)));
  if (certificates.length) {
    const anchors = trustRecords();
    $('chain').replaceChildren(chainView(linkChain(certificates, anchors), state.time));
  } else {
    $('chain').replaceChildren();
  }
  const anchorsShown = certificates.length ? linkChain(certificates, trustRecords()).path.filter((p) => p.from === 'trust store') : [];
  $('items').replaceChildren(
    ...certificates.map((record, i) => certificateCard(record, i, state.time, { id: `cert-${i}`, failing: failing === i })),
    ...anchorsShown.map((p) => certificateCard(p.record, p.index, state.time, { id: `anchor-${p.index}`, role: 'trust anchor (trust store)', prefix: 'trust store #' })),
    ...csrs.map((record, i) => csrCard(record, i)),
    ...crls.map((record, i) => crlCard(record, i)),
  );
}

/** The trust store's certificates as records, or none when it is empty or does not decode. */
function trustRecords() {
  const text = $('trust').value.trim();
  if (!text) return [];
  try {
    return certgate.inspectAll(text, { time: state.time });
  } catch {
    return []; // the verdict reports an unusable trust store with its code
  }
}

function verify() {
  const out = $('verdict');
  clearError();
  if (!state.decoded && !decode()) {
    out.replaceChildren(h('p', { class: 'hint' }, 'Decode a certificate chain first.'));
    return;
  }
  const decoded = state.decoded;
  if (!decoded.chainInput) {
    out.replaceChildren(errorBlock(new InputError('NO_CERTIFICATE', 'the input holds no certificate to verify (CSRs and CRLs are only decoded)'), 'Nothing to verify:'));
    return;
  }
  const policyText = $('policy').value.trim();
  const options = { trust: $('trust').value };
  if ($('crls').value.trim()) options.crls = $('crls').value;
  if (policyText) options.policy = policyText;
  let verifier;
  try {
    verifier = certgate.createVerifier(options);
  } catch (err) {
    out.replaceChildren(h('div', { class: 'verdict rejected', 'data-verdict': 'config' },
      h('h3', {}, 'The trust store, CRLs or policy cannot be used'), errorBlock(err, 'Error:')));
    return;
  }
  try {
    let result;
    try {
      result = verifier.verify(decoded.chainInput, { time: state.time });
    } catch (err) {
      render(decoded, err.certIndex ?? null);
      out.replaceChildren(rejected(err));
      return;
    }
    render(decoded);
    out.replaceChildren(accepted(verifier, result, policyText));
    result.free();
  } finally {
    verifier.free();
  }
}

function rejected(err) {
  const cert = err.details?.certificate;
  const where = err.certIndex === null || err.certIndex === undefined
    ? h('p', {}, 'The rejection concerns the chain as a whole.')
    : h('p', {}, 'Failing certificate: ', h('a', { href: `#cert-${err.certIndex}` }, `#${err.certIndex}${err.certIndex === 0 ? ' (the leaf)' : ''}`),
      cert ? [' ', h('code', { class: 'subject' }, cert.subject)] : null);
  return h('div', { class: 'verdict rejected', 'data-verdict': 'rejected' },
    h('h3', {}, 'Rejected ', h('code', { class: 'code', id: 'verdict-code' }, err.code)),
    where,
    h('p', { class: 'message' }, err.message),
    h('p', { class: 'hint' }, `A certgate server answers HTTP ${err.details?.httpStatus ?? 403} with this code; the policy is not consulted for a chain that does not verify.`));
}

function accepted(verifier, result, policyText) {
  const method = $('method').value.trim() || 'GET';
  const path = $('path').value.trim() || '/';
  const chain = result.chain;
  const explanation = verifier.explain(result, method, path);
  const outcome = explanation.outcome;
  const headline = outcome.allowed
    ? h('h3', {}, 'Accepted', result.pinned ? ' (pinned certificate)' : '')
    : h('h3', {}, `The chain verifies, but the policy denies ${method} ${path} `, h('code', { class: 'code', id: 'verdict-code' }, outcome.code));
  return h('div', { class: `verdict ${outcome.allowed ? 'accepted' : 'rejected'}`, 'data-verdict': outcome.allowed ? 'accepted' : 'denied' },
    headline,
    outcome.allowed ? null : h('p', { class: 'message' }, `${outcome.message} (rule ${outcome.rule}; a server answers HTTP ${outcome.status})`),
    h('dl', {},
      h('dt', {}, 'Principal'), h('dd', { id: 'verdict-principal' }, result.principal ?? '(none)'),
      h('dt', {}, 'Roles'), h('dd', {}, result.roles.length ? result.roles.join(', ') : '(none)'),
      h('dt', {}, 'Verified path'), h('dd', {}, h('ol', { class: 'plain' }, chain.map((c) => h('li', {}, h('code', {}, c.subject.rfc4514)))))),
    routesTable(verifier, result, policyText),
    traceView(explanation));
}

/** Each route of the policy tried with a sample request that its pattern covers. */
function routesTable(verifier, result, policyText) {
  if (!policyText) {
    return h('p', { class: 'hint' }, 'Allowed routes: no policy pasted, so a server admits this client on every route.');
  }
  let routes;
  try {
    routes = certgate.policyRoutes(policyText);
  } catch (err) {
    return errorBlock(err, 'The policy\'s routes cannot be listed:');
  }
  const rows = routes.map((route) => {
    const method = route.methods[0] ?? 'GET';
    const path = samplePath(route.path);
    const outcome = verifier.explain(result, method, path).outcome;
    return h('tr', { 'data-allowed': String(outcome.allowed) },
      h('td', {}, route.name), h('td', {}, h('code', {}, `${route.methods.join(', ') || 'any'} ${route.path}`)),
      h('td', {}, h('code', {}, `${method} ${path}`)),
      h('td', {}, outcome.allowed ? h('span', { class: 'badge good' }, 'allowed') : [h('span', { class: 'badge bad' }, 'denied'), ' ', h('code', {}, outcome.code)]));
  });
  return h('div', {},
    h('h4', {}, 'Allowed routes'),
    h('div', { class: 'scroll' }, h('table', { class: 'ext' },
      h('thead', {}, h('tr', {}, ...['Route', 'Pattern', 'Sample request', 'Outcome'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows))));
}

/** A request path a route pattern covers: `{id}` and `*` become `example`, `**` one segment. */
function samplePath(pattern) {
  return pattern
    .split('/')
    .map((segment) => (/^\{.*\}$/.test(segment) || segment === '*' || segment === '**' ? 'example' : segment.replace(/[*?]/g, 'x')))
    .join('/');
}

function traceView(explanation) {
  const outcome = explanation.outcome;
  return h('div', { class: 'trace' },
    h('h4', {}, `Explanation for ${explanation.method} ${explanation.path}`),
    h('p', {}, outcome.allowed ? h('span', { class: 'badge good' }, `allowed by ${outcome.rule}`) : [h('span', { class: 'badge bad' }, `denied by ${outcome.rule}`), ' ', h('code', { class: 'code' }, outcome.code)],
      ' ', outcome.message),
    h('ol', { class: 'steps' }, explanation.steps.map((s) => h('li', { class: s.matched ? 'matched' : 'unmatched' },
      h('span', { class: 'tag' }, s.stage), ' ', h('strong', {}, s.rule), ' ', s.matched ? '✓' : '✗', ' ', s.detail))));
}

main();
