/**
 * `npm run bench [-- suite…]`: runs every registered suite (or the named ones) and prints one
 * table. Timings are figures to read and compare with the baseline of the same run, never asserts.
 */
import { formatTable, type BenchRow, type BenchSuite } from './report.js';
import { catalogSuite } from './suites/catalog.js';
import { importSuite } from './suites/import.js';
import { webhooksSuite } from './suites/webhooks.js';

const SUITES: BenchSuite[] = [importSuite, catalogSuite, webhooksSuite];

async function main() {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const suites = wanted.length ? SUITES.filter((s) => wanted.includes(s.name)) : SUITES;
  if (!suites.length) {
    process.stdout.write(`No bench suites${wanted.length ? ` named ${wanted.join(', ')}` : ''}.\n`);
    return;
  }
  const rows: BenchRow[] = [];
  for (const suite of suites) {
    const log = (line: string) => process.stdout.write(`[${suite.name}] ${line}\n`);
    rows.push(...(await suite.run(log)));
  }
  process.stdout.write(`\n${formatTable(rows)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
