/**
 * `npm run gen:csv -- --rows N --seed S [--out file]`: a deterministic product CSV like the one the
 * sales team uploads (`name,sku,description`, ~3% of rows repeat an earlier SKU in another letter
 * case, descriptions quoted with commas and quotes; 500K rows ≈ 80 MB). Streams; prints to stdout
 * without --out.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';
import { prng } from './random.js';

export interface GenOptions {
  rows: number;
  seed: number;
  /** Share of rows repeating an earlier SKU in other letters' case. */
  duplicateRate?: number;
}

const ADJECTIVES = [
  'Compact',
  'Deluxe',
  'Rugged',
  'Smart',
  'Classic',
  'Eco',
  'Pro',
  'Mini',
  'Ultra',
  'Vintage',
];
const NOUNS = [
  'Widget',
  'Lamp',
  'Kettle',
  'Backpack',
  'Speaker',
  'Chair',
  'Drill',
  'Mug',
  'Router',
  'Jacket',
];
const WORDS = [
  'durable',
  'lightweight',
  'water-resistant',
  'ergonomic',
  'steel',
  'recycled',
  'cotton',
  'wireless',
  'portable',
  'handmade',
  'premium',
  'quiet',
  'fast',
  'compact',
  'modular',
  'bright',
];

const pick = <T>(rand: () => number, list: readonly T[]) => list[Math.floor(rand() * list.length)]!;

/** Changes the case of letters until the SKU differs from the original (digits-only ones stay). */
function recase(sku: string, rand: () => number): string {
  const flipped = [...sku].map((c) => (rand() < 0.5 ? c.toLowerCase() : c.toUpperCase())).join('');
  return flipped === sku ? sku.toLowerCase() : flipped;
}

function description(rand: () => number, i: number): string {
  const words = Array.from({ length: 9 + Math.floor(rand() * 7) }, () => pick(rand, WORDS));
  // Commas and doubled quotes inside a quoted field: the RFC 4180 cases a parser must get right.
  return `"${words.slice(0, 5).join(' ')}, ${words.slice(5).join(' ')}; model ""${i.toString(36)}"", rev ${Math.floor(rand() * 9)}"`;
}

/** The CSV text, line by line (each ends with \n). */
export function* csvLines(o: GenOptions): Generator<string> {
  const rand = prng(o.seed);
  const dupRate = o.duplicateRate ?? 0.03;
  const skus: string[] = [];
  yield 'name,sku,description\n';
  for (let i = 0; i < o.rows; i++) {
    const dup = skus.length > 0 && rand() < dupRate;
    const sku = dup
      ? recase(skus[Math.floor(rand() * skus.length)]!, rand)
      : `SKU-${i.toString(36).toUpperCase()}-${Math.floor(rand() * 1e6).toString(36)}x`;
    if (!dup) skus.push(sku);
    yield `${pick(rand, ADJECTIVES)} ${pick(rand, NOUNS)} ${i},${sku},${description(rand, i)}\n`;
  }
}

/** Writes the CSV to `out` with backpressure, in batches of lines. */
export async function writeCsv(o: GenOptions, out: Writable): Promise<void> {
  let batch = '';
  for (const line of csvLines(o)) {
    batch += line;
    if (batch.length >= 64 * 1024) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.write(batch);
}

/** Writes the CSV to a file and resolves once it is flushed. */
export async function writeCsvFile(o: GenOptions, file: string): Promise<void> {
  const out = createWriteStream(file);
  await writeCsv(o, out);
  out.end();
  await once(out, 'finish');
}

function parseArgs(argv: string[]): GenOptions & { out?: string } {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const int = (name: string, fallback: number) => {
    const v = value(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a whole number, got "${v}"`);
    return Number(v);
  };
  return { rows: int('rows', 500_000), seed: int('seed', 1), out: value('out') };
}

async function main() {
  const { out, ...options } = parseArgs(process.argv.slice(2));
  if (out) {
    await writeCsvFile(options, out);
    process.stderr.write(`wrote ${options.rows} rows to ${out}\n`);
  } else {
    await writeCsv(options, process.stdout);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`gen:csv: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
