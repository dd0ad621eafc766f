// Runs browser scenarios in one chromium: `node tests/ui/scenarios/run.mjs login tree secret` (inputs from the
// environment: see lib.mjs). Exits non-zero at the first failing scenario.
import {runScenarios} from './lib.mjs';

const names = process.argv.slice(2);
if (names.length === 0 || names.some((n) => !/^[a-z_]+$/.test(n))) {
  console.error('usage: run.mjs SCENARIO... (names of tests/ui/scenarios/<name>.mjs)');
  process.exit(2);
}
await runScenarios(names);
