#!/usr/bin/env node
// `npm test`: typecheck (TypeScript and Svelte), the layering check, then vitest. Where the team's isolated-lan
// tool is beside the repo and we may create network namespaces (root), the suite runs inside one, so the LAN tests
// (Bonjour, LAN listeners) run too without touching a real interface; elsewhere those tests skip with a message.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isolatedLan = path.resolve(root, '../shared/tools/isolated-lan');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const extra = process.argv.slice(2);

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

// Type-check everything (strict), the Svelte UI included, before running a single test.
for (const [command, args] of [
  [bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  [bin('svelte-check'), ['--tsconfig', 'renderer/tsconfig.json', '--fail-on-warnings']],
  [bin('tsc'), ['--noEmit', '-p', 'renderer/tsconfig.node.json']],
  // Layers import downward only, without cycles (docs/ARCHITECTURE.md, build/dependency-cruiser.cjs).
  [
    bin('depcruise'),
    ['electron', 'shared', 'renderer/src', '--config', 'build/dependency-cruiser.cjs', '--output-type', 'err'],
  ],
]) {
  const status = run(command, args);
  if (status !== 0) process.exit(status);
}

const canIsolate =
  process.env.ISOLATED_LAN !== '1' &&
  existsSync(isolatedLan) &&
  process.getuid?.() === 0 &&
  process.env.SHOEBOX_NO_ISOLATED_LAN !== '1';
const results = path.join(root, 'test-results', 'vitest.json');
const vitestArgs = [
  'run',
  '--config',
  'test/vitest.config.ts',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${results}`,
  ...extra,
];
let status;
if (canIsolate) {
  console.log('Running the tests inside ../shared/tools/isolated-lan (private network namespace).');
  status = run(isolatedLan, [bin('vitest'), ...vitestArgs]);
} else {
  if (process.env.ISOLATED_LAN !== '1')
    console.log('Not inside isolated-lan (needs root and ../shared/tools/isolated-lan): LAN tests will skip.');
  status = run(bin('vitest'), vitestArgs);
}

// One plain closing line, whatever reporter output came before.
try {
  const summary = JSON.parse(readFileSync(results, 'utf8'));
  const skipped = (summary.numPendingTests ?? 0) + (summary.numTodoTests ?? 0);
  // A file that fails before any test runs (a bad import) counts no failed test: say so.
  const broken = (summary.testResults ?? []).filter((r) => r.status === 'failed' && r.assertionResults.length === 0);
  const brokenNote = broken.length > 0 ? `, ${broken.length} test file(s) failed to run` : '';
  console.log(
    `\ntests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped${brokenNote}`,
  );
  for (const file of broken) console.log(`  did not run: ${path.relative(root, file.name)}`);
} catch {
  console.log('\ntests: no summary (vitest did not finish)');
}
process.exit(status);
