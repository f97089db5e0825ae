// Rendering of inspection records, the chain and the verdict as DOM nodes. Every value from
// a certificate is attacker-controlled: it is only ever set as text, never parsed as HTML.

/** An element with attributes and children (strings become text nodes; null/false are skipped). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** `ab:cd:…` in upper case, as most tools print fingerprints. */
export function colonHex(hex) {
  return (hex.match(/../g) ?? []).join(':').toUpperCase();
}

/** The validity badge: "valid · expires in N days", "expired N days ago", "not yet valid …". */
export function validityBadge(status, validity, time) {
  if (!status) return h('span', { class: 'badge neutral' }, 'validity not checked');
  const days = (n) => `${n} day${n === 1 ? '' : 's'}`;
  if (status.state === 'expired') {
    const ago = Math.floor((time - validity.notAfterUnix) / 86400);
    return h('span', { class: 'badge bad', 'data-state': 'expired' }, `expired ${days(ago)} ago`);
  }
  if (status.state === 'not_yet_valid') {
    const until = Math.ceil((validity.notBeforeUnix - time) / 86400);
    return h('span', { class: 'badge warn', 'data-state': 'not_yet_valid' }, `not yet valid (starts in ${days(until)})`);
  }
  return h('span', { class: 'badge good', 'data-state': 'valid' }, `valid · expires in ${days(status.daysUntilExpiry)}`);
}

function field(label, ...value) {
  const content = value.flat().filter((v) => v !== null && v !== undefined && v !== '');
  if (content.length === 0) return null;
  return [h('dt', {}, label), h('dd', {}, ...content)];
}

function list(items) {
  if (!items || items.length === 0) return null;
  return h('ul', { class: 'plain' }, items.map((i) => h('li', {}, i)));
}

function sans(names) {
  const rows = [];
  for (const [kind, label] of [['dns', 'DNS'], ['ip', 'IP'], ['email', 'email'], ['uri', 'URI'], ['dir', 'directory']]) {
    for (const value of names[kind] ?? []) rows.push(h('li', {}, h('span', { class: 'tag' }, label), ' ', h('code', {}, value)));
  }
  return rows.length ? h('ul', { class: 'plain' }, rows) : null;
}

function keyText(key) {
  return [key.algorithm, key.curve, key.bits ? `${key.bits} bits` : null].filter(Boolean).join(' · ');
}

function extensionsTable(extensions) {
  if (!extensions.length) return null;
  return h('table', { class: 'ext' },
    h('caption', { class: 'visually-hidden' }, 'Extensions'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Extension'), h('th', { scope: 'col' }, 'OID'), h('th', { scope: 'col' }, 'Critical'))),
    h('tbody', {}, extensions.map((e) => h('tr', {}, h('td', {}, e.name), h('td', {}, h('code', {}, e.oid)), h('td', {}, e.critical ? 'critical' : '—')))));
}

function constraints(bc) {
  if (!bc) return null;
  const parts = [bc.ca ? 'CA' : 'not a CA'];
  if (bc.pathLen !== null && bc.pathLen !== undefined) parts.push(`path length ≤ ${bc.pathLen}`);
  if (bc.critical) parts.push('critical');
  return parts.join(' · ');
}

/** A role name for a certificate at `index` of a chain of `count`. */
export function roleOf(record, index) {
  if (index === 0 && !record.isCa) return 'leaf';
  if (record.selfSigned) return 'root';
  if (index === 0) return 'CA certificate';
  return 'intermediate CA';
}

/** One certificate's inspection record as an article. */
export function certificateCard(record, index, time, { id, role, failing, prefix = '#' } = {}) {
  const cn = record.subject.attributes.filter((a) => a.name === 'CN').map((a) => a.value).pop();
  const title = cn ?? (record.subject.rfc4514 || '(empty subject)');
  return h('article', { class: `card${failing ? ' failing' : ''}`, id, 'aria-labelledby': `${id}-title`, 'data-index': index },
    h('header', {},
      h('h3', { id: `${id}-title` }, h('span', { class: 'index' }, `${prefix}${index}`), ' ', title),
      h('div', { class: 'badges' },
        h('span', { class: 'badge neutral' }, role ?? roleOf(record, index)),
        validityBadge(record.status, record.validity, time),
        failing ? h('span', { class: 'badge bad' }, 'rejected here') : null)),
    h('dl', {},
      field('Subject', h('code', { class: 'subject' }, record.subject.rfc4514 || '(empty)')),
      field('Issuer', h('code', { class: 'issuer' }, record.issuer.rfc4514 || '(empty)')),
      field('Validity', `${record.validity.notBefore} → ${record.validity.notAfter}`, record.status ? h('span', { class: 'hint' }, ` (${record.status.summary})`) : null),
      field('Subject alternative names', sans(record.subjectAltNames)),
      field('SPIFFE ID', record.spiffeId ? h('code', {}, record.spiffeId) : null),
      field('Public key', keyText(record.publicKey)),
      field('Signature algorithm', record.signatureAlgorithm),
      field('Key usage', record.keyUsage.join(', ')),
      field('Extended key usage', record.extendedKeyUsage === null ? 'absent (any purpose)' : record.extendedKeyUsage.join(', ') || '(empty)'),
      field('Basic constraints', constraints(record.basicConstraints)),
      field('Serial', h('code', {}, record.serial)),
      field('Version', `v${record.version}`),
      field('Subject key ID', record.subjectKeyId ? h('code', {}, colonHex(record.subjectKeyId)) : null),
      field('Authority key ID', record.authorityKeyId ? h('code', {}, colonHex(record.authorityKeyId)) : null),
      field('CRL distribution points', list(record.crlDistributionPoints)),
      field('SHA-256 fingerprint', h('code', { class: 'fingerprint' }, colonHex(record.fingerprints.sha256))),
      field('SHA-1 fingerprint', h('code', { class: 'fingerprint' }, colonHex(record.fingerprints.sha1))),
      field('Extensions', extensionsTable(record.extensions))));
}

/** A CSR's record. */
export function csrCard(record, index) {
  const id = `csr-${index}`;
  const signature = record.signatureValid === true
    ? h('span', { class: 'badge good' }, 'self-signature valid')
    : record.signatureValid === false
      ? h('span', { class: 'badge bad' }, 'self-signature INVALID')
      : h('span', { class: 'badge neutral' }, 'signature algorithm not supported');
  return h('article', { class: 'card', id, 'aria-labelledby': `${id}-title` },
    h('header', {},
      h('h3', { id: `${id}-title` }, h('span', { class: 'index' }, `CSR #${index}`), ' ', record.subject.rfc4514 || '(empty subject)'),
      h('div', { class: 'badges' }, h('span', { class: 'badge neutral' }, 'certification request'), signature)),
    h('dl', {},
      field('Subject', h('code', { class: 'subject' }, record.subject.rfc4514 || '(empty)')),
      field('Requested names', sans(record.subjectAltNames)),
      field('Public key', keyText(record.publicKey)),
      field('Signature algorithm', record.signatureAlgorithm),
      field('Requested key usage', record.keyUsage.join(', ')),
      field('Requested extended key usage', record.extendedKeyUsage?.join(', ')),
      field('Requested basic constraints', constraints(record.basicConstraints)),
      field('Other attributes', record.attributes.join(', ')),
      field('SHA-256', h('code', { class: 'fingerprint' }, colonHex(record.sha256))),
      field('Requested extensions', extensionsTable(record.extensions))));
}

/** A CRL's record, its entries in a table. */
export function crlCard(record, index) {
  const id = `crl-${index}`;
  const state = record.status?.state;
  const badge = record.status
    ? h('span', { class: `badge ${state === 'current' ? 'good' : state === 'expired' ? 'bad' : 'warn'}` }, record.status.summary)
    : null;
  const entries = record.revoked.length
    ? h('table', { class: 'ext' },
      h('caption', { class: 'visually-hidden' }, 'Revoked certificates'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Serial'), h('th', { scope: 'col' }, 'Revoked'), h('th', { scope: 'col' }, 'Reason'))),
      h('tbody', {}, record.revoked.map((e) => h('tr', {}, h('td', {}, h('code', {}, e.serial)), h('td', {}, e.revocationDate), h('td', {}, e.reason ?? '—')))))
    : 'none';
  const more = record.revokedCount > record.revoked.length ? ` (first ${record.revoked.length} shown)` : '';
  return h('article', { class: 'card', id, 'aria-labelledby': `${id}-title` },
    h('header', {},
      h('h3', { id: `${id}-title` }, h('span', { class: 'index' }, `CRL #${index}`), ' ', record.issuer.rfc4514),
      h('div', { class: 'badges' }, h('span', { class: 'badge neutral' }, `revocation list v${record.version}`), badge)),
    h('dl', {},
      field('Issuer', h('code', {}, record.issuer.rfc4514)),
      field('This update', record.thisUpdate),
      field('Next update', record.nextUpdate ?? 'absent'),
      field('CRL number', record.crlNumber),
      field('Authority key ID', record.authorityKeyId ? h('code', {}, colonHex(record.authorityKeyId)) : null),
      field('Signature algorithm', record.signatureAlgorithm),
      field(`Revoked certificates: ${record.revokedCount}${more}`, entries),
      field('SHA-256', h('code', { class: 'fingerprint' }, colonHex(record.sha256))),
      field('Extensions', extensionsTable(record.extensions))));
}

/**
 * Orders certificates leaf → anchor by issuer links: from the first certificate, each next
 * link is a certificate (of the input, then of the trust store) whose subject is the
 * current one's issuer and whose key id matches its authority key id when both are present.
 * Returns `{path: [{record, from, index}], unlinked: [index], missingIssuer}`.
 */
export function linkChain(certificates, anchors = []) {
  const candidates = [
    ...certificates.map((record, index) => ({ record, from: 'input', index })),
    ...anchors.map((record, index) => ({ record, from: 'trust store', index })),
  ];
  const issues = (issuer, child) =>
    issuer.subject.rfc4514 === child.issuer.rfc4514 &&
    (!child.authorityKeyId || !issuer.subjectKeyId || child.authorityKeyId === issuer.subjectKeyId);
  const path = [candidates[0]];
  const used = new Set([candidates[0]]);
  let missingIssuer = null;
  while (path.length <= candidates.length) {
    const current = path[path.length - 1].record;
    if (current.selfSigned) break;
    // An anchor from the trust store ends the path (servers trust it as it is).
    if (path[path.length - 1].from === 'trust store') break;
    const next = candidates.find((c) => !used.has(c) && issues(c.record, current));
    if (!next) {
      missingIssuer = current.issuer.rfc4514;
      break;
    }
    path.push(next);
    used.add(next);
  }
  const unlinked = certificates.map((_, i) => i).filter((i) => !path.some((p) => p.from === 'input' && p.index === i));
  return { path, unlinked, missingIssuer };
}

/** The linked list leaf → anchor, each step naming its certificate and linking to its card. */
export function chainView(linked, time) {
  const steps = linked.path.map((step, i) => {
    const record = step.record;
    const cn = record.subject.attributes.filter((a) => a.name === 'CN').map((a) => a.value).pop() ?? record.subject.rfc4514;
    const last = i === linked.path.length - 1;
    const role = i === 0 ? (record.isCa ? 'CA certificate' : 'leaf') : last && (record.selfSigned || step.from === 'trust store') ? 'anchor' : 'intermediate';
    const target = step.from === 'input' ? `#cert-${step.index}` : `#anchor-${step.index}`;
    return h('li', { class: 'link', 'data-role': role },
      h('a', { href: target }, h('strong', {}, cn)),
      ' ', h('span', { class: 'badge neutral' }, role),
      step.from === 'trust store' ? h('span', { class: 'badge neutral' }, 'from the trust store') : null,
      ' ', validityBadge(record.status, record.validity, time),
      !last ? h('span', { class: 'arrow', 'aria-hidden': 'true' }, '↓ issued by') : null);
  });
  const tail = [];
  if (linked.missingIssuer) {
    tail.push(h('li', { class: 'link missing' }, 'issuer not found: ', h('code', {}, linked.missingIssuer),
      ' — add it to the input or paste the trust store below'));
  }
  return h('div', { class: 'chain' },
    h('h3', { id: 'chain-heading' }, 'Chain, leaf → anchor'),
    h('ol', { class: 'chain-list', 'aria-labelledby': 'chain-heading' }, steps, tail),
    linked.unlinked.length
      ? h('p', { class: 'hint' }, `Not on this path: ${linked.unlinked.map((i) => `#${i}`).join(', ')} (extra certificates a verifier ignores)`)
      : null);
}

/** An error as a block naming its code, for the page-level error region and the verdict. */
export function errorBlock(err, context) {
  const code = err && typeof err.code === 'string' ? err.code : 'INTERNAL';
  const message = err && err.message ? err.message : String(err);
  const where = [];
  if (err?.details?.line) where.push(`line ${err.details.line}, column ${err.details.column}`);
  if (err?.details?.field) where.push(`field ${err.details.field}`);
  return h('div', { class: 'error-block' },
    h('p', {}, h('strong', {}, context), ' ', h('code', { class: 'code' }, code)),
    h('p', { class: 'message' }, message),
    where.length ? h('p', { class: 'hint' }, `at ${where.join(', ')}`) : null);
}
