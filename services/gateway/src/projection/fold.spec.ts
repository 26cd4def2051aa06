import { describe, expect, it } from 'vitest';
import { ImportStatus } from '@pi/proto';
import { apply, type ImportEvent, type ImportPayload, type ProgressState } from './fold.js';
import { toImport } from './view.js';

const ID = '8f1d7c1e-2b4c-4d53-9a51-0c6f0f7a1b11';
const T0 = Date.parse('2026-11-22T21:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const ev = (seconds: number, payload: ImportPayload): ImportEvent => ({
  aggregateId: ID,
  occurredAt: at(seconds),
  payload,
});

const created = (s = 0) =>
  ev(s, {
    $case: 'importCreated',
    value: { filename: 'products.csv', objectKey: `imports/${ID}`, totalBytes: 0, epoch: 7 },
  });
const started = (s = 1) => ev(s, { $case: 'importStarted', value: { totalBytes: 10_000 } });
const progress = (s: number, bytesRead: number, rowsRead: number, rejected = 0) =>
  ev(s, {
    $case: 'importSplitProgress',
    value: { bytesRead, rowsRead, rejected, chunksPublished: 1 },
  });
const chunk = (s: number, seq: number, inserted: number, updated = 0) =>
  ev(s, {
    $case: 'importChunkApplied',
    value: { seq, rows: inserted + updated, inserted, updated },
  });
const splitFinished = (s: number) =>
  ev(s, {
    $case: 'importSplitFinished',
    value: {
      totalRows: 1000,
      validRows: 990,
      rejected: 10,
      totalChunks: 2,
      warnings: ['Ignored column "colour"'],
    },
  });
const completed = (s: number) =>
  ev(s, {
    $case: 'importCompleted',
    value: { totalRows: 1000, inserted: 900, updated: 90, rejected: 10 },
  });
const failed = (s: number) => ev(s, { $case: 'importFailed', value: { reason: 'poison chunk 1' } });
const cancelled = (s: number) =>
  ev(s, { $case: 'importCancelled', value: { reason: 'Cancelled by the user' } });

const fold = (events: ImportEvent[], from?: ProgressState) =>
  events.reduce<ProgressState | undefined>((s, e) => apply(s, e), from)!;

/** A whole successful run, in the order the services publish it. */
const run = (): ImportEvent[] => [
  created(0),
  started(1),
  progress(2, 5_000, 500, 4),
  chunk(3, 0, 450, 45),
  splitFinished(4),
  chunk(5, 1, 450, 45),
  completed(6),
];

describe('progress fold: one case per event type', () => {
  // A table keyed by every payload case: a new event type fails to compile until it is tested.
  const cases: Record<ImportPayload['$case'], () => void> = {
    importCreated: () => {
      const s = fold([created(0)]);
      expect(s).toMatchObject({ importId: ID, filename: 'products.csv', status: 'queued' });
      expect(s.createdAt).toEqual(at(0));
    },
    importStarted: () => {
      const s = fold([created(0), started(1)]);
      expect(s).toMatchObject({ status: 'parsing', totalBytes: 10_000, startedAt: at(1) });
    },
    importSplitProgress: () => {
      const s = fold([created(0), started(1), progress(2, 5_000, 500, 4)]);
      expect(s).toMatchObject({ status: 'parsing', bytesRead: 5_000, rowsRead: 500, rejected: 4 });
    },
    importChunkApplied: () => {
      const s = fold([created(0), started(1), chunk(3, 0, 400, 100)]);
      expect(s).toMatchObject({
        status: 'importing',
        appliedRows: 500,
        appliedInserted: 400,
        appliedUpdated: 100,
      });
      expect(s.rowsPerSecond).toBe(250); // 500 rows in the 2 s since the start
    },
    importSplitFinished: () => {
      const s = fold([created(0), started(1), splitFinished(4)]);
      expect(s).toMatchObject({
        status: 'importing',
        rejected: 10,
        warnings: ['Ignored column "colour"'],
      });
      expect(toImport(s)).toMatchObject({ totalRows: 1000, bytesRead: 10_000 });
    },
    importCompleted: () => {
      const i = toImport(fold(run()));
      expect(i).toMatchObject({
        status: ImportStatus.IMPORT_STATUS_COMPLETED,
        totalRows: 1000,
        processedRows: 1000,
        inserted: 900,
        updated: 90,
        rejected: 10,
        etaSeconds: 0,
        bytesRead: 10_000,
        finishedAt: at(6),
      });
      expect(i.rowsPerSecond).toBe(198); // 990 applied rows over the 5 s run
    },
    importFailed: () => {
      const i = toImport(fold([created(0), started(1), chunk(3, 0, 10), failed(4)]));
      expect(i).toMatchObject({
        status: ImportStatus.IMPORT_STATUS_FAILED,
        error: 'poison chunk 1',
        finishedAt: at(4),
        etaSeconds: undefined,
      });
    },
    importCancelled: () => {
      const i = toImport(fold([created(0), started(1), cancelled(2)]));
      expect(i).toMatchObject({
        status: ImportStatus.IMPORT_STATUS_CANCELLED,
        error: 'Cancelled by the user',
        finishedAt: at(2),
      });
    },
  };
  for (const [name, test] of Object.entries(cases)) it(name, test);
});

describe('progress fold: duplicates and order', () => {
  it('counts a redelivered chunk once', () => {
    const once = fold([created(0), started(1), chunk(3, 0, 100)]);
    const twice = apply(once, chunk(3, 0, 100));
    expect(twice).toBe(once);
    expect(fold([created(0), started(1), chunk(3, 0, 100), chunk(9, 0, 100)]).appliedRows).toBe(
      100,
    );
  });

  it('folding every event twice gives the state of folding it once', () => {
    const doubled = run().flatMap((e) => [e, e]);
    expect(fold(doubled)).toEqual(fold(run()));
  });

  it('reaches the same counts and status whatever order the events arrive in', () => {
    const expected = toImport(fold(run()));
    const orders = [
      [6, 5, 4, 3, 2, 1, 0],
      [3, 5, 0, 1, 4, 2, 6],
      [5, 3, 4, 6, 2, 0, 1],
    ];
    for (const order of orders) {
      const events = order.map((i) => run()[i]!);
      const got = toImport(fold(events));
      expect(got, `order ${order.join(',')}`).toEqual(expected);
    }
  });

  it('an import whose first event is a chunk result gets its name when created arrives', () => {
    const early = fold([chunk(3, 0, 50)]);
    expect(early).toMatchObject({ filename: '', status: 'importing', appliedRows: 50 });
    const s = apply(early, created(0));
    expect(s).toMatchObject({ filename: 'products.csv', status: 'importing' });
    expect(s.createdAt).toEqual(at(0));
  });

  it('never moves back a stage, and the first terminal event wins', () => {
    const s = fold([created(0), started(1), chunk(3, 0, 10), started(1), failed(4), completed(5)]);
    expect(s).toMatchObject({ status: 'failed', error: 'poison chunk 1', final: null });
  });

  it('counts a chunk that was in flight when the import was cancelled', () => {
    const s = fold([created(0), started(1), chunk(3, 0, 100), cancelled(5), chunk(6, 1, 50, 10)]);
    const i = toImport(s);
    expect(i).toMatchObject({ status: ImportStatus.IMPORT_STATUS_CANCELLED, inserted: 150 });
    expect(i.updated).toBe(10);
    expect(i.rowsPerSecond).toBe(40); // 160 applied rows over the 4 s from start to the cancel
  });

  it('keeps the stored size over the size hint, whichever arrives first', () => {
    const hinted = ev(0, {
      $case: 'importCreated',
      value: { filename: 'f.csv', objectKey: 'k', totalBytes: 99_999, epoch: 1 },
    });
    expect(fold([hinted]).totalBytes).toBe(99_999);
    expect(fold([hinted, started(1)]).totalBytes).toBe(10_000);
    expect(fold([started(1), hinted]).totalBytes).toBe(10_000);
  });

  it('an older progress report does not lower the counters', () => {
    const s = fold([
      created(0),
      started(1),
      progress(3, 8_000, 800, 6),
      progress(2, 5_000, 500, 4),
    ]);
    expect(s).toMatchObject({ bytesRead: 8_000, rowsRead: 800, rejected: 6 });
  });
});

describe('progress view: rate and ETA', () => {
  it('extrapolates the rows left from the bytes read while the total is unknown', () => {
    // 1,000 valid rows in the first half of the file → about 2,000; 500 applied at 250 rows/s.
    const s = fold([created(0), started(1), progress(2, 5_000, 1_000), chunk(3, 0, 500)]);
    expect(toImport(s).totalRows).toBeUndefined();
    expect(toImport(s).etaSeconds).toBe(6); // 1,500 rows left / 250 rows/s
  });

  it('uses the exact rows left once the file is read', () => {
    const s = fold([created(0), started(1), chunk(3, 0, 500), splitFinished(4)]);
    expect(toImport(s).etaSeconds).toBe(2); // (990 − 500) / 250
  });

  it('has no ETA before any row is applied', () => {
    expect(toImport(fold([created(0), started(1)])).etaSeconds).toBeUndefined();
  });

  it('smooths the rate: a fast interval moves it only part of the way', () => {
    const s = fold([
      created(0),
      started(1),
      chunk(3, 0, 200), // 100 rows/s
      chunk(5, 1, 2_000), // 1,000 rows/s over these 2 s
    ]);
    expect(s.rowsPerSecond).toBeGreaterThan(100);
    expect(s.rowsPerSecond).toBeLessThan(1_000);
  });

  it('reports rows processed as applied plus rejected', () => {
    const s = fold([created(0), started(1), progress(2, 1_000, 100, 3), chunk(3, 0, 40, 7)]);
    expect(toImport(s).processedRows).toBe(50);
  });
});
