'use strict';
// `node scripts/bench-policy.js [node|web]`: the route policy's cost per request through the
// npm package, `verifier.authorize(result, 'GET', '/customer/1')` on one verified chain,
// with regexes (principal by subject_regex, a route's require by subject_regex) against the
// same decision without them (principal by common_name, require by subject attribute), in
// one process, interleaved rounds. The ratio is the figure to compare between builds of the
// module: the machine's load moves both sides alike. Needs `npm run build` first.

const fs = require('node:fs');
const path = require('node:path');

const FIXTURES = path.resolve(__dirname, '../../../crates/certgate/tests/fixtures');
/** The core tests' validation time (crates/certgate/tests/fixtures/README.md). */
const TIME = 1_780_000_000;
const ROUNDS = 15;
const CALLS = 20_000;

const REGEX_POLICY = `
[principal]
source = "subject_regex"
regex = "CN=(.*?)(?:,|$)"

[roles]
alice = ["user"]

[[routes]]
path = "/customer/{id}"
roles = ["user"]
require = { subject_regex = "CN=[a-z]+,OU=[A-Za-z]+,O=certgate Test,C=GB" }
`;

const PLAIN_POLICY = `
[principal]
source = "common_name"

[roles]
alice = ["user"]

[[routes]]
path = "/customer/{id}"
roles = ["user"]
require = { subject = { O = "certgate Test" } }
`;

async function load(name) {
  if (name === 'node') return require('..');
  const web = await import('../web.mjs');
  web.initSync({ module: fs.readFileSync(path.resolve(__dirname, '../pkg/web/certgate_wasm_bg.wasm')) });
  return web;
}

/** Nanoseconds per authorize call over CALLS calls. */
function time(verifier, result) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) verifier.authorize(result, 'GET', '/customer/1');
  return Number(process.hrtime.bigint() - start) / CALLS;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const build = process.argv[2] ?? 'node';
  if (build !== 'node' && build !== 'web') throw new Error(`unknown build \`${build}\`; builds: node, web`);
  const certgate = await load(build);
  const trust = fs.readFileSync(path.join(FIXTURES, 'root-ca.pem'), 'utf8');
  const chain = fs.readFileSync(path.join(FIXTURES, 'alice.pem'), 'utf8');
  const sides = [REGEX_POLICY, PLAIN_POLICY].map((policy) => {
    const verifier = certgate.createVerifier({ trust, policy });
    const result = verifier.verify(chain, { time: TIME });
    // Both sides decide alike, or the comparison means nothing.
    const decision = verifier.authorize(result, 'GET', '/customer/1');
    if (decision.principal !== 'alice' || decision.roles.join() !== 'user') throw new Error(`unexpected decision ${JSON.stringify(decision)}`);
    time(verifier, result); // warm-up
    return { verifier, result, rounds: [] };
  });
  for (let r = 0; r < ROUNDS; r++) {
    for (const side of sides) side.rounds.push(time(side.verifier, side.result));
  }
  const [regex, plain] = sides.map((side) => median(side.rounds) / 1000);
  console.log(`certgate (${build}) authorize, median of ${ROUNDS} rounds x ${CALLS} calls:`);
  console.log(`  with regexes    ${regex.toFixed(2)} us`);
  console.log(`  without regexes ${plain.toFixed(2)} us`);
  console.log(`  ratio           ${(regex / plain).toFixed(2)}x`);
  for (const side of sides) {
    side.result.free();
    side.verifier.free();
  }
}

main().catch((err) => {
  console.error(`bench failed: ${err.message}`);
  process.exit(1);
});
