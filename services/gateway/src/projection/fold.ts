import type { EventPayload } from '@pi/contracts';
import { match } from 'ts-pattern';

export type ProgressStatus =
  'queued' | 'parsing' | 'importing' | 'completed' | 'failed' | 'cancelled';

/** Counts ingest reports when it has read the whole file. */
export interface SplitTotals {
  totalRows: number;
  validRows: number;
  rejected: number;
  totalChunks: number;
}

/** The authoritative counts of `import.completed`. */
export interface FinalTotals {
  totalRows: number;
  inserted: number;
  updated: number;
  rejected: number;
}

/** An import as the fold of its events. Everything the REST/gRPC view shows derives from it. */
export interface ProgressState {
  importId: string;
  /** Empty until `import.created` arrives (events may come out of order). */
  filename: string;
  status: ProgressStatus;
  totalBytes: number;
  bytesRead: number;
  /** Data rows read so far while splitting (valid and rejected). */
  rowsRead: number;
  rejected: number;
  /** Chunks already counted: a redelivered `import.chunk_applied` must not count twice. */
  appliedSeqs: ReadonlySet<number>;
  appliedRows: number;
  appliedInserted: number;
  appliedUpdated: number;
  split: SplitTotals | null;
  final: FinalTotals | null;
  /** Applied rows per second while running, smoothed (see `nextRate`). */
  rowsPerSecond: number;
  /** Where the last rate sample was taken. */
  rateSample: { at: Date; rows: number } | null;
  error: string | null;
  warnings: string[];
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** The state without the bookkeeping only folding needs: what reads load and show. */
export type ProgressView = Omit<ProgressState, 'appliedSeqs'>;

type ImportCase =
  | 'importCreated'
  | 'importStarted'
  | 'importSplitProgress'
  | 'importChunkApplied'
  | 'importSplitFinished'
  | 'importCompleted'
  | 'importFailed'
  | 'importCancelled';

export type ImportPayload = Extract<EventPayload, { $case: ImportCase }>;

/** What the fold needs of an event envelope. */
export interface ImportEvent {
  aggregateId: string;
  occurredAt: Date;
  payload: ImportPayload;
}

const IMPORT_CASES: ReadonlySet<string> = new Set<ImportCase>([
  'importCreated',
  'importStarted',
  'importSplitProgress',
  'importChunkApplied',
  'importSplitFinished',
  'importCompleted',
  'importFailed',
  'importCancelled',
]);

export const isImportPayload = (p: EventPayload | undefined): p is ImportPayload =>
  p !== undefined && IMPORT_CASES.has(p.$case);

const RANK: Record<ProgressStatus, number> = {
  queued: 0,
  parsing: 1,
  importing: 2,
  completed: 3,
  failed: 3,
  cancelled: 3,
};

export const isTerminal = (s: ProgressStatus) => RANK[s] === 3;

/** Time constant of the rate's exponential smoothing, and the shortest interval sampled. */
const RATE_TAU_SECONDS = 5;
const RATE_MIN_SAMPLE_SECONDS = 1;

/**
 * Folds one import event into the state. Pure and order-tolerant: status only moves forward (the
 * first terminal event wins), counters take the largest value reported, chunk results count once
 * per seq, so duplicates and late arrivals change nothing they should not.
 */
export function apply(state: ProgressState | undefined, event: ImportEvent): ProgressState {
  const s = state ?? initial(event);
  const at = event.occurredAt;
  return match(event.payload)
    .with({ $case: 'importCreated' }, ({ value }) => ({
      ...s,
      filename: value.filename,
      // Only a guess from the client; once `started` has given the stored size, that one stands.
      totalBytes: s.startedAt ? s.totalBytes : value.totalBytes,
      createdAt: earliest(s.createdAt, at),
    }))
    .with({ $case: 'importStarted' }, ({ value }) => ({
      ...advance(s, 'parsing'),
      totalBytes: value.totalBytes,
      startedAt: s.startedAt ? earliest(s.startedAt, at) : at,
    }))
    .with({ $case: 'importSplitProgress' }, ({ value }) => ({
      ...s,
      bytesRead: Math.max(s.bytesRead, value.bytesRead),
      rowsRead: Math.max(s.rowsRead, value.rowsRead),
      rejected: Math.max(s.rejected, value.rejected),
    }))
    .with({ $case: 'importChunkApplied' }, ({ value }) => {
      if (s.appliedSeqs.has(value.seq)) return s;
      const counted = {
        ...advance(s, 'importing'),
        appliedSeqs: new Set([...s.appliedSeqs, value.seq]),
        appliedRows: s.appliedRows + value.rows,
        appliedInserted: s.appliedInserted + value.inserted,
        appliedUpdated: s.appliedUpdated + value.updated,
      };
      return isTerminal(s.status) ? counted : { ...counted, ...nextRate(counted, at) };
    })
    .with({ $case: 'importSplitFinished' }, ({ value }) => ({
      ...advance(s, 'importing'),
      rowsRead: Math.max(s.rowsRead, value.totalRows),
      rejected: Math.max(s.rejected, value.rejected),
      split: {
        totalRows: value.totalRows,
        validRows: value.validRows,
        rejected: value.rejected,
        totalChunks: value.totalChunks,
      },
      warnings: [...value.warnings],
    }))
    .with({ $case: 'importCompleted' }, ({ value }) => {
      const done = finish(s, 'completed', null, at);
      if (done === s) return s;
      return {
        ...done,
        rejected: Math.max(s.rejected, value.rejected),
        final: { ...value },
      };
    })
    .with({ $case: 'importFailed' }, ({ value }) => finish(s, 'failed', value.reason, at))
    .with({ $case: 'importCancelled' }, ({ value }) => finish(s, 'cancelled', value.reason, at))
    .exhaustive();
}

/** The state of an import whose first event arrives, whatever that event is. */
function initial(event: ImportEvent): ProgressState {
  return {
    importId: event.aggregateId,
    filename: '',
    status: 'queued',
    totalBytes: 0,
    bytesRead: 0,
    rowsRead: 0,
    rejected: 0,
    appliedSeqs: new Set(),
    appliedRows: 0,
    appliedInserted: 0,
    appliedUpdated: 0,
    split: null,
    final: null,
    rowsPerSecond: 0,
    rateSample: null,
    error: null,
    warnings: [],
    createdAt: event.occurredAt,
    startedAt: null,
    finishedAt: null,
  };
}

function earliest(a: Date, b: Date): Date {
  return b < a ? b : a;
}

/** Moves the status forward only; a late event never takes an import back a stage. */
function advance(s: ProgressState, to: ProgressStatus): ProgressState {
  return RANK[to] > RANK[s.status] ? { ...s, status: to } : s;
}

/** The first terminal event wins. */
function finish(
  s: ProgressState,
  status: ProgressStatus,
  error: string | null,
  at: Date,
): ProgressState {
  return isTerminal(s.status) ? s : { ...s, status, error, finishedAt: at };
}

/**
 * Rows per second after a chunk was applied at `at`. The first estimate is the average since the
 * start; then each interval of at least a second moves the rate towards that interval's rate by
 * an exponential weight, so a burst of chunks does not make the number jump.
 */
function nextRate(s: ProgressState, at: Date): Pick<ProgressState, 'rowsPerSecond' | 'rateSample'> {
  const sample = s.rateSample ?? { at: s.startedAt ?? s.createdAt, rows: 0 };
  const seconds = (at.getTime() - sample.at.getTime()) / 1000;
  if (seconds <= 0) return { rowsPerSecond: s.rowsPerSecond, rateSample: sample };
  const intervalRate = (s.appliedRows - sample.rows) / seconds;
  const rowsPerSecond =
    s.rowsPerSecond === 0
      ? intervalRate
      : seconds < RATE_MIN_SAMPLE_SECONDS
        ? s.rowsPerSecond
        : s.rowsPerSecond +
          (1 - Math.exp(-seconds / RATE_TAU_SECONDS)) * (intervalRate - s.rowsPerSecond);
  const resample = s.rowsPerSecond === 0 || seconds >= RATE_MIN_SAMPLE_SECONDS;
  return { rowsPerSecond, rateSample: resample ? { at, rows: s.appliedRows } : sample };
}
