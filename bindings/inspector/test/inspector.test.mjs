// The inspector page in a real browser: Debian's chromium driven by playwright-core, the built
// site (dist/, `npm run build` first) served by a local static server. Fixtures are the core's
// (crates/certgate/tests/fixtures), checked at their fixed time 1780000000 =
// 2026-05-28T20:26:40Z. Screenshots of the decoded chain and of a rejection are written to
// test/screenshots/.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { serve } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../dist');
const fixtures = path.resolve(here, '../../../crates/certgate/tests/fixtures');
const screenshots = path.join(here, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TIME = '1780000000';

const fixture = (name) => fs.readFileSync(path.join(fixtures, name), 'utf8');
const b64url = (text) => Buffer.from(text, 'utf8').toString('base64url');

let server;
let browser;
/** Uncaught page errors of every test: the page must never throw, whatever it is given. */
const pageErrors = [];

before(async () => {
  assert.ok(fs.existsSync(path.join(dist, 'index.html')), 'dist/ is missing: run `npm --prefix bindings/inspector run build` first');
  server = await serve(dist);
  // playwright gives every launch a fresh temporary --user-data-dir of its own (it refuses
  // the flag from the caller) and deletes it on close.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  fs.mkdirSync(screenshots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  assert.deepEqual(pageErrors, [], 'the page threw');
});

/** A fresh page on the inspector, ready (the wasm core loaded); `hash` is the URL fragment. */
async function open(hash = '', viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.requested = [];
  page.on('request', (req) => page.requested.push(req.url()));
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
  });
  await page.goto(`${server.url}index.html${hash}`);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

async function pasteAndDecode(page, text, { time = TIME, trust = '' } = {}) {
  await page.fill('#input', text);
  await page.fill('#time', time);
  await page.fill('#trust', trust);
  await page.click('#decode');
}

/** Focuses `from`, then presses Tab until the element with id `id` has the focus (at most 20 times). */
async function tabTo(page, from, id) {
  await page.focus(from);
  const reached = [];
  for (let i = 0; i < 20 && reached.at(-1) !== id; i++) {
    await page.keyboard.press('Tab');
    reached.push(await page.evaluate(() => document.activeElement.id));
  }
  assert.equal(reached.at(-1), id, `Tab order from ${from}: ${reached.join(' → ')}`);
}

/** WCAG 2 contrast ratio of each selector's first element: its text colour on the first opaque background. */
function contrast(page, selectors) {
  return page.evaluate((list) => {
    const rgb = (c) => c.match(/[\d.]+/g).map(Number);
    const channel = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || c[3] !== 0) return c;
      }
      return [255, 255, 255];
    };
    const out = {};
    for (const selector of list) {
      const el = document.querySelector(selector);
      if (!el) throw new Error(`no element matches ${selector}`);
      const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))].sort((x, y) => y - x);
      out[selector] = Math.round(((a + 0.05) / (b + 0.05)) * 100) / 100;
    }
    return out;
  }, selectors);
}

describe('inspector page', () => {
  test('a demo chain decodes: subject, validity badge, chain leaf → anchor, accepted verdict', async () => {
    const page = await open();
    await pasteAndDecode(page, fixture('alice.pem'), { trust: fixture('root-ca.pem') });
    assert.equal(await page.textContent('#cert-0 .subject'), 'CN=alice,OU=Engineering,O=certgate Test,C=GB');
    assert.equal(await page.textContent('#cert-1 .subject'), 'CN=certgate Test Intermediate CA,O=certgate Test');
    // notAfter 2027-01-01T00:00:00Z is 217.15 days after the check time.
    assert.equal(await page.textContent('#cert-0 .badge[data-state]'), 'valid · expires in 217 days');
    const roles = await page.$$eval('.chain-list .link', (items) => items.map((li) => li.dataset.role));
    assert.deepEqual(roles, ['leaf', 'intermediate', 'anchor']);
    const names = await page.$$eval('.chain-list .link strong', (items) => items.map((s) => s.textContent));
    assert.deepEqual(names, ['alice', 'certgate Test Intermediate CA', 'certgate Test Root CA']);
    assert.match(await page.textContent('#cert-0'), /email\s*alice@example\.org/i);
    assert.match(await page.textContent('#cert-0'), /clientAuth/);
    assert.match(await page.textContent('#summary'), /^PEM: 2 certificates · checked at 2026-05-28T20:26:40Z$/);

    await page.click('#verify');
    await page.waitForSelector('[data-verdict="accepted"]');
    assert.equal(await page.textContent('#verdict-principal'), 'alice');
    await page.locator('#results').screenshot({ path: path.join(screenshots, 'decoded-chain.png') });
    await page.context().close();
  });

  test('a #pem= link opens with its input decoded', async () => {
    const page = await open(`#pem=${b64url(fixture('alice.pem'))}&time=${TIME}`);
    await page.waitForSelector('#cert-1');
    assert.equal(await page.textContent('#cert-0 .subject'), 'CN=alice,OU=Engineering,O=certgate Test,C=GB');
    assert.equal(await page.inputValue('#time'), TIME);
    // Sharing the same input gives the same link back.
    await page.click('#share');
    const link = await page.inputValue('#share-link');
    assert.ok(link.endsWith(`#pem=${b64url(fixture('alice.pem'))}&time=${TIME}`), link);
    // A broken link is a clear error, not a dead page.
    await page.goto(`${server.url}index.html#pem=%%%`);
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /MALFORMED_PEM/);
    await page.context().close();
  });

  test('an expired chain is rejected with its code, the failing certificate marked', async () => {
    const page = await open();
    await pasteAndDecode(page, fixture('expired.pem'), { trust: fixture('root-ca.pem') });
    // notAfter 2026-01-02T00:00:00Z is 146.85 days before the check time.
    assert.equal(await page.textContent('#cert-0 .badge[data-state]'), 'expired 146 days ago');
    await page.click('#verify');
    await page.waitForSelector('[data-verdict="rejected"]');
    assert.equal(await page.textContent('#verdict-code'), 'CERT_EXPIRED');
    assert.match(await page.textContent('.verdict'), /Failing certificate: #0 \(the leaf\)/);
    assert.match(await page.textContent('.verdict .message'), /expired on 2026-01-02T00:00:00Z/);
    assert.equal(await page.getAttribute('#cert-0', 'class'), 'card failing');
    // The verdict and, right below it, the chain with the failing leaf and its card.
    const clip = await page.evaluate(() => {
      const top = document.querySelector('#verdict').getBoundingClientRect().top + window.scrollY;
      const card = document.querySelector('#cert-0').getBoundingClientRect();
      return { x: 0, y: top - 8, width: document.documentElement.clientWidth, height: card.bottom + window.scrollY - top + 16 };
    });
    await page.screenshot({ path: path.join(screenshots, 'rejected-expired.png'), fullPage: true, clip });
    await page.context().close();
  });

  test('an unknown issuer, a revoked leaf and a bad policy each show their code', async () => {
    const page = await open();
    await pasteAndDecode(page, fixture('rogue-leaf.pem'), { trust: fixture('root-ca.pem') });
    assert.match(await page.textContent('.chain-list .missing'), /issuer not found: CN=certgate Rogue CA/);
    await page.click('#verify');
    await page.waitForSelector('[data-verdict="rejected"]');
    assert.equal(await page.textContent('#verdict-code'), 'UNKNOWN_ISSUER');

    await pasteAndDecode(page, fixture('revoked.pem'), { trust: fixture('root-ca.pem') });
    await page.fill('#crls', fixture('intermediate.crl.pem'));
    await page.click('#verify');
    await page.waitForSelector('[data-verdict="rejected"]');
    assert.equal(await page.textContent('#verdict-code'), 'REVOKED');
    assert.match(await page.textContent('.verdict .message'), /keyCompromise/);
    await page.fill('#crls', '');

    await pasteAndDecode(page, fixture('alice.pem'), { trust: fixture('root-ca.pem') });
    await page.fill('#policy', 'version = 1\n[[routes]]\npath = "/x"\nacces = "anonymous"\n');
    await page.click('#verify');
    await page.waitForSelector('[data-verdict="config"]');
    assert.match(await page.textContent('.verdict'), /INVALID_POLICY/);
    assert.match(await page.textContent('.verdict'), /line 4/);
    await page.context().close();
  });

  test('a chain checked before its leaf starts is not yet valid, with a readable badge', async () => {
    const page = await open();
    // alice's notBefore 2026-01-01T00:00:00Z is 31 days after 2025-12-01.
    await pasteAndDecode(page, fixture('alice.pem'), { time: '2025-12-01T00:00:00Z', trust: fixture('root-ca.pem') });
    assert.equal(await page.textContent('#cert-0 .badge[data-state]'), 'not yet valid (starts in 31 days)');
    assert.match(await page.textContent('#cert-1 .badge[data-state]'), /^valid · expires in \d+ days$/);
    await page.click('#verify');
    await page.waitForSelector('[data-verdict="rejected"]');
    assert.equal(await page.textContent('#verdict-code'), 'CERT_NOT_YET_VALID');
    assert.match(await page.textContent('.verdict'), /Failing certificate: #0 \(the leaf\)/);
    const { '.badge.warn': ratio } = await contrast(page, ['.badge.warn']);
    assert.ok(ratio >= 4.5, `.badge.warn: contrast ${ratio}:1`);
    await page.context().close();
  });

  test('once loaded, the page decodes and verifies offline', async () => {
    const page = await open();
    await page.context().setOffline(true);
    // Offline as the browser sees it: no network at all, the page's own server included.
    assert.equal(await page.evaluate(() => navigator.onLine), false);
    const before = page.requested.length;
    await pasteAndDecode(page, fixture('alice.pem'), { trust: fixture('root-ca.pem') });
    await page.waitForSelector('#cert-1');
    await page.click('#verify');
    await page.waitForSelector('[data-verdict="accepted"]');
    assert.equal(await page.textContent('#verdict-principal'), 'alice');
    assert.deepEqual(page.requested.slice(before), [], 'nothing was requested while offline');
    await page.context().close();
  });

  test('a policy gives the principal, roles, allowed routes and the trace', async () => {
    const page = await open();
    await pasteAndDecode(page, fixture('alice.pem'), { trust: fixture('root-ca.pem') });
    await page.fill('#policy', [
      'version = 1',
      '[principal]',
      'source = "common_name"',
      '[roles]',
      'alice = ["reader"]',
      'bob = ["admin"]',
      '[[routes]]',
      'name = "reports"',
      'methods = ["GET"]',
      'path = "/reports/{id}"',
      'roles = ["reader"]',
      '[[routes]]',
      'name = "admin"',
      'path = "/admin/**"',
      'roles = ["admin"]',
      '[default]',
      'access = "deny"',
    ].join('\n'));
    await page.fill('#path', '/reports/7');
    await page.click('#verify');
    await page.waitForSelector('[data-verdict="accepted"]');
    assert.equal(await page.textContent('#verdict-principal'), 'alice');
    const rows = await page.$$eval('[data-allowed]', (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.dataset.allowed, tr.cells[3].textContent]));
    assert.deepEqual(rows, [['reports', 'true', 'allowed'], ['admin', 'false', 'denied ROLE_MISSING']]);
    assert.match(await page.textContent('.trace'), /allowed by reports/);
    await page.locator('#verdict').screenshot({ path: path.join(screenshots, 'accepted-policy.png') });

    // A request the policy refuses: the chain verifies, the verdict names the code and the rule.
    await page.fill('#path', '/admin/users');
    await page.click('#verify');
    await page.waitForSelector('[data-verdict="denied"]');
    assert.equal(await page.textContent('#verdict-code'), 'ROLE_MISSING');
    assert.match(await page.textContent('.verdict .message'), /rule admin; a server answers HTTP 403/);
    assert.match(await page.textContent('.trace'), /denied by admin/);
    await page.context().close();
  });

  test('a malformed paste shows a clear error and the page keeps working', async () => {
    const page = await open();
    const bad = [
      ['-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n', 'MALFORMED_PEM'],
      ['hello, world', 'MALFORMED_PEM'],
      ['-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAL\n', 'MALFORMED_PEM'],
      ['   ', 'NO_CERTIFICATE'],
      ['MIIBAAAA', 'MALFORMED_CERTIFICATE'],
    ];
    for (const [text, code] of bad) {
      await pasteAndDecode(page, text);
      await page.waitForSelector('#error:not([hidden])');
      assert.match(await page.textContent('#error .code'), new RegExp(`^${code}$`), text);
      assert.equal(await page.textContent('#summary'), 'Nothing decoded: see the error above.');
    }
    await pasteAndDecode(page, fixture('alice.pem'), { time: 'yesterday' });
    assert.match(await page.textContent('#error'), /INVALID_CONFIG[\s\S]*check time "yesterday"/);
    // The same page still decodes a good chain afterwards.
    await pasteAndDecode(page, fixture('alice.pem'));
    await page.waitForSelector('#cert-1');
    assert.equal(await page.isHidden('#error'), true);
    assert.equal(await page.textContent('#cert-0 .subject'), 'CN=alice,OU=Engineering,O=certgate Test,C=GB');
    await page.context().close();
  });

  test('forwarded header values, a CRL and a CSR decode', async () => {
    const page = await open();
    await pasteAndDecode(page, `ssl-client-cert: ${encodeURIComponent(fixture('alice.pem'))}`);
    await page.waitForSelector('#cert-1');
    assert.match(await page.textContent('#notes'), /nginx \$ssl_client_escaped_cert.*header ssl-client-cert/);
    assert.equal(await page.textContent('#cert-0 .subject'), 'CN=alice,OU=Engineering,O=certgate Test,C=GB');

    // AWS ALB leaves base64's + / = unescaped; RFC 9440 sends byte sequences, leaf and chain.
    const alb = encodeURIComponent(fixture('alice.pem')).replace(/%2B/g, '+').replace(/%2F/g, '/').replace(/%3D/g, '=');
    await pasteAndDecode(page, `X-Amzn-Mtls-Clientcert: ${alb}`);
    assert.match(await page.textContent('#notes'), /AWS ALB X-Amzn-Mtls-Clientcert/);
    assert.equal(await page.$$eval('article.card', (cards) => cards.length), 2);
    const ders = fixture('alice.pem').split('-----END CERTIFICATE-----').slice(0, 2)
      .map((block) => block.replace(/-----BEGIN CERTIFICATE-----|\s/g, ''));
    await pasteAndDecode(page, `Client-Cert: :${ders[0]}:\nClient-Cert-Chain: :${ders[1]}:`);
    assert.match(await page.textContent('#notes'), /RFC 9440/);
    assert.equal(await page.textContent('#cert-1 .subject'), 'CN=certgate Test Intermediate CA,O=certgate Test');

    const xfcc = `By=spiffe://cluster.local/ns/a/sa/b;Hash=01ab;Cert="${encodeURIComponent(fixture('alice.pem'))}";Subject="CN=alice"`;
    await pasteAndDecode(page, xfcc);
    assert.match(await page.textContent('#notes'), /Envoy x-forwarded-client-cert/);
    assert.doesNotMatch(await page.textContent('#notes'), /earlier XFCC element/);
    assert.equal(await page.$$eval('article.card', (cards) => cards.length), 2);

    // Two elements: the client-side hop's (mallory, a quoted Subject with a comma) and the
    // trusted hop's (alice). Only the last is decoded, and the page says one was ignored.
    const hop = `By=spiffe://edge;Cert="${encodeURIComponent(fixture('rogue-leaf.pem'))}";Subject="CN=mallory,O=certgate Test"`;
    await pasteAndDecode(page, `x-forwarded-client-cert: ${hop},${xfcc}`);
    assert.match(await page.textContent('#notes'), /1 earlier XFCC element was present and ignored/);
    assert.equal(await page.$$eval('article.card', (cards) => cards.length), 2);
    assert.equal(await page.textContent('#cert-0 .subject'), 'CN=alice,OU=Engineering,O=certgate Test,C=GB');
    // The JSON form: an array of element objects, the last one read.
    const json = JSON.stringify([{ By: 'spiffe://edge', Cert: encodeURIComponent(fixture('rogue-leaf.pem')) },
      { By: 'spiffe://a', Hash: '01', Cert: encodeURIComponent(fixture('alice.pem')) }, { By: 'spiffe://b', Hash: '02', Chain: encodeURIComponent(fixture('alice.pem')) }]);
    await pasteAndDecode(page, json);
    assert.match(await page.textContent('#notes'), /2 earlier XFCC elements were present and ignored/);
    assert.equal(await page.textContent('#cert-0 .subject'), 'CN=alice,OU=Engineering,O=certgate Test,C=GB');

    await pasteAndDecode(page, fixture('intermediate.crl.pem'));
    await page.waitForSelector('#crl-0');
    assert.match(await page.textContent('#crl-0'), /Revoked certificates: 1/);
    assert.match(await page.textContent('#crl-0'), /keyCompromise/);
    assert.match(await page.textContent('#crl-0 .badge.good'), /^current, next update in/);

    const csr = execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', '/dev/null', '-subj', '/CN=csr-test/O=Example', '-addext', 'subjectAltName=DNS:api.example.org'], { encoding: 'utf8' });
    await pasteAndDecode(page, csr);
    await page.waitForSelector('#csr-0');
    assert.match(await page.textContent('#csr-0 h3'), /O=Example,CN=csr-test/);
    assert.match(await page.textContent('#csr-0'), /self-signature valid/);
    assert.match(await page.textContent('#csr-0'), /api\.example\.org/);
    await page.context().close();
  });

  test('a DER file chosen and a PEM file dropped on the page decode', async () => {
    const page = await open();
    const der = Buffer.from(fixture('root-ca.pem').replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    await page.fill('#time', TIME);
    await page.setInputFiles('#file', { name: 'root-ca.der', mimeType: 'application/pkix-cert', buffer: der });
    await page.waitForSelector('#cert-0');
    assert.equal(await page.textContent('#cert-0 .subject'), 'CN=certgate Test Root CA,O=certgate Test');
    assert.match(await page.textContent('#file-name'), /root-ca\.der \(\d+ bytes\)/);

    // A PEM file dropped on the drop zone lands in the text box and decodes.
    const dataTransfer = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'alice.pem', { type: 'application/x-pem-file' }));
      return dt;
    }, fixture('alice.pem'));
    await page.dispatchEvent('#drop', 'drop', { dataTransfer });
    await page.waitForSelector('#cert-1');
    assert.equal(await page.inputValue('#input'), fixture('alice.pem'));
    assert.equal(await page.textContent('#cert-0 .subject'), 'CN=alice,OU=Engineering,O=certgate Test,C=GB');
    await page.context().close();
  });

  test('a PKCS#12 file opens with its password; a wrong one is a clear error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspector-p12-'));
    try {
      const key = path.join(dir, 'key.pem');
      const cert = path.join(dir, 'cert.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key,
        '-out', cert, '-subj', '/CN=p12-client/O=Example', '-days', '30'], { stdio: 'ignore' });
      const p12 = (iter) => execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', cert, '-passout', 'pass:s3cret',
        '-iter', String(iter), '-maciter']);
      const page = await open();
      await page.setInputFiles('#file', { name: 'client.p12', mimeType: 'application/x-pkcs12', buffer: p12(2048) });
      await page.waitForSelector('#error:not([hidden])');
      assert.equal(await page.textContent('#error .code'), 'PKCS12_WRONG_PASSWORD');
      assert.match(await page.textContent('#error'), /wrong password/);

      await page.fill('#password', 's3cret');
      await page.click('#decode');
      await page.waitForSelector('#cert-0');
      assert.equal(await page.isHidden('#error'), true);
      assert.equal(await page.textContent('#cert-0 .subject'), 'O=Example,CN=p12-client');
      assert.match(await page.textContent('#notes'), /PKCS#12 file: 1 certificate\(s\), 1 private key\(s\) \(not shown\)/);

      // More key-derivation work than the page allows is refused before any password is tried.
      await page.setInputFiles('#file', { name: 'slow.p12', mimeType: 'application/x-pkcs12', buffer: p12(1_500_000) });
      await page.waitForSelector('#error:not([hidden])');
      assert.equal(await page.textContent('#error .code'), 'UNSUPPORTED_PKCS12');

      // A container encrypted with PBKDF2-HMAC-SHA1 (openssl's hmacWithSHA256, 1.2.840.113549.2.9,
      // rewritten to …2.7), which the reader cannot decrypt: named, with the CLI's message (the
      // readers are one, certgate-pkcs12), where this page used to say PKCS12_WRONG_PASSWORD.
      const sha1 = p12(2048);
      const at = sha1.indexOf(Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09]));
      assert.ok(at >= 0, 'openssl wrote hmacWithSHA256');
      sha1[at + 7] = 0x07;
      await page.setInputFiles('#file', { name: 'sha1.p12', mimeType: 'application/x-pkcs12', buffer: sha1 });
      // The error region still shows the previous file's error until this one is read.
      await page.waitForFunction(() => document.querySelector('#error').textContent.includes('PBKDF2-HMAC-SHA1'));
      assert.equal(await page.textContent('#error .code'), 'UNSUPPORTED_PKCS12');
      assert.match(await page.textContent('#error'), /a certificate container is encrypted with PBES2 and PBKDF2-HMAC-SHA1, which certgate does not read/);
      await page.context().close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('phone width: no horizontal scrolling, every control labelled, keyboard alone decodes and verifies', async () => {
    const page = await open('', { width: 375, height: 812 });
    await page.fill('#input', fixture('alice.pem'));
    await page.fill('#time', TIME);
    await page.fill('#trust', fixture('root-ca.pem'));
    // Tab from the input to Decode, then from the trust store to Verify; Enter presses each.
    await tabTo(page, '#input', 'decode');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#cert-1');
    await tabTo(page, '#trust', 'verify');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-verdict="accepted"]');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 375px`);
    const unlabelled = await page.$$eval('input, textarea, select', (els) => els.filter((e) => e.labels.length === 0).map((e) => e.id));
    assert.deepEqual(unlabelled, []);
    await page.screenshot({ path: path.join(screenshots, 'phone.png'), fullPage: false });

    // A rejection and a policy's routes table at phone width: still no sideways scrolling.
    await pasteAndDecode(page, fixture('expired.pem'), { trust: fixture('root-ca.pem') });
    await page.fill('#policy', 'version = 1\n[principal]\nsource = "common_name"\n[roles]\nalice = ["reader"]\n'
      + '[[routes]]\nname = "reports"\npath = "/reports/{id}"\nroles = ["reader"]\n');
    await page.click('#verify');
    await page.waitForSelector('[data-verdict="rejected"]');
    const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(await sideways() <= 0, `the page with a rejection scrolls sideways by ${await sideways()}px at 375px`);
    await pasteAndDecode(page, fixture('alice.pem'), { trust: fixture('root-ca.pem') });
    await page.click('#verify');
    await page.waitForSelector('[data-allowed]');
    assert.ok(await sideways() <= 0, `the page with a routes table scrolls sideways by ${await sideways()}px at 375px`);
    await page.context().close();
  });

  test('text meets WCAG AA contrast (4.5:1) in badges, hints, codes, buttons and errors', async () => {
    const page = await open();
    await pasteAndDecode(page, fixture('expired.pem'), { trust: fixture('root-ca.pem') });
    await page.click('#verify');
    await page.waitForSelector('[data-verdict="rejected"]');
    const ratios = await contrast(page, ['.badge.good', '.badge.bad', '.badge.neutral', '.hint', 'dt', '.code', '#decode', '#demo-chain', '.verdict .message', '.chain-list a']);
    await page.fill('#time', 'not a time');
    await page.click('#decode');
    await page.waitForSelector('#error:not([hidden])');
    Object.assign(ratios, await contrast(page, ['#error .message', '#error .code']));
    for (const [selector, ratio] of Object.entries(ratios)) {
      assert.ok(ratio >= 4.5, `${selector}: contrast ${ratio}:1`);
    }
    await page.context().close();
  });

  test('the page loads nothing from outside its own folder', async () => {
    const page = await open();
    await page.click('#demo-chain');
    await page.waitForSelector('[data-verdict="accepted"]');
    assert.equal(await page.textContent('#verdict-principal'), 'alice');
    const external = page.requested.filter((url) => !url.startsWith(server.url));
    assert.deepEqual(external, []);
    assert.ok(page.requested.some((url) => url.endsWith('.wasm')), 'the wasm module was fetched from the page folder');
    await page.context().close();
  });
});
