// Native and WebAssembly verdicts on every x509-limbo case: runs the wasm harness (wasm.mjs)
// through both npm builds (Node: node:crypto signatures; web: ring in wasm) and compares each,
// case by case, with the native harness's results (`certgate-limbo --out`). Any difference in
// verdict (SUCCESS / FAILURE / SKIPPED) or rejection code fails; the first ones are printed.
//
//   node tests/limbo/parity.mjs --limbo PATH --native RESULTS.json [--now UNIX_SECONDS] [--out-dir DIR]
//
// `--now` must be the native run's. With `--out-dir`, the two wasm result files are written
// there as limbo-results-wasm-node.json and limbo-results-wasm-web.json.

import fs from 'node:fs';
import path from 'node:path';
import { BUILDS, loadSuite, nowOf, parseArgs, runSuite } from './wasm.mjs';

/** How many differences are printed per build. */
const SHOWN = 20;

/** The rejection code of a FAILURE's context (`CODE: message`); the whole context otherwise. */
function codeOf(outcome) {
  return outcome.actual_result === 'FAILURE' ? outcome.context.split(':', 1)[0] : '';
}

async function main() {
  const usage = 'usage: node tests/limbo/parity.mjs --limbo PATH --native RESULTS.json [--now UNIX_SECONDS] [--out-dir DIR]';
  const args = parseArgs(process.argv.slice(2), usage, ['--limbo', '--native', '--now', '--out-dir']);
  if (!args.limbo || !args.native) throw new Error(usage);
  const now = nowOf(args.now);
  const suite = loadSuite(args.limbo);
  const native = JSON.parse(fs.readFileSync(args.native, 'utf8'));
  const byId = new Map(native.results.map((r) => [r.id, r]));
  if (byId.size !== suite.testcases.length) {
    throw new Error(`${args.native} holds ${byId.size} results for ${suite.testcases.length} cases; run the native harness on the same suite`);
  }

  let failed = false;
  for (const [name, build] of Object.entries(BUILDS)) {
    const started = performance.now();
    const certgate = await build.load();
    const results = runSuite(certgate, suite, now);
    const seconds = (performance.now() - started) / 1000;
    if (args['out-dir']) {
      fs.writeFileSync(path.join(args['out-dir'], `limbo-results-wasm-${name}.json`), JSON.stringify({ version: 1, harness: build.harness, results }));
    }
    const differences = [];
    let messages = 0;
    for (const wasm of results) {
      const want = byId.get(wasm.id);
      if (!want) {
        differences.push(`${wasm.id}: not in the native results`);
      } else if (want.actual_result !== wasm.actual_result || codeOf(want) !== codeOf(wasm)) {
        differences.push(`${wasm.id}: native ${want.actual_result} ${JSON.stringify(want.context)}, ${name} ${wasm.actual_result} ${JSON.stringify(wasm.context)}`);
      } else if (want.context !== wasm.context) {
        messages += 1;
      }
    }
    const accepted = results.filter((r) => r.actual_result === 'SUCCESS').length;
    console.log(
      `${build.harness}: ${results.length} cases compared with native, ${differences.length} differ in verdict or code ` +
        `(${accepted} accepted; ${messages} same code, other message) in ${seconds.toFixed(1)} s`,
    );
    for (const d of differences.slice(0, SHOWN)) console.log(`  ${d}`);
    if (differences.length > SHOWN) console.log(`  … and ${differences.length - SHOWN} more`);
    failed ||= differences.length > 0;
  }
  if (failed) throw new Error('the WebAssembly builds and the native harness disagree');
}

main().catch((err) => {
  console.error(`parity.mjs: ${err.message}`);
  process.exitCode = 1;
});
