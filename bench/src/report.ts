/** One line of the bench table. */
export interface BenchRow {
  suite: string;
  measure: string;
  value: string;
  /** The target from the issue, e.g. "≤ 2× baseline", so the table reads on its own. */
  target?: string;
  note?: string;
}

export interface BenchSuite {
  name: string;
  run(log: (line: string) => void): Promise<BenchRow[]>;
}

export function formatTable(rows: BenchRow[]): string {
  const headers = ['suite', 'measure', 'value', 'target', 'note'] as const;
  const cells = rows.map((r) => headers.map((h) => r[h] ?? ''));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
