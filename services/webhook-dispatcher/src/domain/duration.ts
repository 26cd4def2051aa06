const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses a duration such as `500ms`, `5s`, `5m`, `2h` or `30d` into milliseconds. A bare `0` is
 * accepted; any other number needs a unit so `5` can never mean both seconds and milliseconds.
 */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (t === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(t);
  if (!m) throw new Error(`"${text}" is not a duration (use e.g. 500ms, 5s, 5m, 2h, 30d)`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
}

/**
 * A retry schedule: the delay before each attempt, the first usually `0` (send at once). Its
 * length is the number of attempts a delivery gets before it is exhausted.
 */
export function parseSchedule(text: string): number[] {
  const steps = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!steps.length) throw new Error('needs at least one step, e.g. 0,5s,5m');
  return steps.map(parseDuration);
}
