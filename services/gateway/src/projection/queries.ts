import type { Import } from '@pi/proto';
import { invalid, notFound } from '@pi/service';
import { isTerminal, type ProgressView } from './fold.js';
import type { ProgressFeed } from './feed.js';
import type { ListPosition, ProjectionRepository } from './repository.js';
import { toImport } from './view.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** While an import runs, a watcher gets its state at least this often even without a change. */
export const HEARTBEAT_MS = 1000;

export interface ImportPage {
  items: Import[];
  nextCursor: string | null;
}

export interface WatchUpdate {
  import: Import;
  /** Grows with every change of the import: the SSE event id. */
  version: number;
  /** False for a heartbeat that repeats the current state. */
  changed: boolean;
}

export interface WatchOptions {
  /** The version the watcher already has (SSE `Last-Event-ID`); it is not sent again. */
  lastVersion?: number;
  signal?: AbortSignal;
  heartbeatMs?: number;
}

/** Reads of the progress projection, shared by the REST routes and the gRPC service. */
export class ImportQueries {
  constructor(
    private readonly repo: ProjectionRepository,
    private readonly feed: ProgressFeed,
  ) {}

  async get(id: string): Promise<Import> {
    return toImport((await this.find(id)).view);
  }

  async list(limit: number = DEFAULT_PAGE_SIZE, cursor?: string): Promise<ImportPage> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw invalid(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`, { limit });
    }
    const rows = await this.repo.list(limit + 1, cursor ? decodeCursor(cursor) : undefined);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => toImport(r.view)),
      nextCursor: rows.length > limit && last ? encodeCursor(last.view) : null,
    };
  }

  /** Imports still queued, parsing or importing (delete-all is refused while there are any). */
  findActive(): Promise<ProgressView[]> {
    return this.repo.findActive();
  }

  /**
   * The import after every change, and again every heartbeat while it runs; ends after the
   * terminal state (sent even when the watcher already has it, so it knows to stop), or when the
   * signal aborts or the gateway shuts down. Throws not_found before yielding for an unknown id.
   */
  async *watch(id: string, options: WatchOptions = {}): AsyncGenerator<WatchUpdate> {
    const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    const subscription = this.feed.subscribe(id);
    try {
      let last = options.lastVersion;
      let stored = await this.find(id);
      let wake: 'start' | 'change' | 'timeout' = 'start';
      for (;;) {
        const terminal = isTerminal(stored.view.status);
        const changed = stored.version !== last;
        if (changed || wake === 'timeout' || (wake === 'start' && terminal)) {
          yield { import: toImport(stored.view), version: stored.version, changed };
          last = stored.version;
        }
        if (terminal) return;
        const next = await subscription.next(heartbeatMs, options.signal);
        if (next === 'closed') return;
        wake = next;
        // A replay may have emptied the projection for a moment: keep the last state until then.
        stored = (await this.repo.find(id)) ?? stored;
      }
    } finally {
      subscription.close();
    }
  }

  private async find(id: string) {
    if (!id) throw invalid('An import id is required');
    const stored = await this.repo.find(id);
    if (!stored) throw notFound(`Import ${id} not found`);
    return stored;
  }
}

/** The cursor is opaque to clients: the position of the last import of the page. */
function encodeCursor(v: ProgressView): string {
  return Buffer.from(JSON.stringify([v.createdAt.toISOString(), v.importId])).toString('base64url');
}

function decodeCursor(cursor: string): ListPosition {
  try {
    const [createdAt, importId] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [
      unknown,
      unknown,
    ];
    const date = new Date(String(createdAt));
    if (typeof importId === 'string' && typeof createdAt === 'string' && !isNaN(date.getTime())) {
      return { createdAt: date, importId };
    }
  } catch {
    // Falls through to the error below: any malformed cursor gets the same answer.
  }
  throw invalid('cursor is not valid; use the nextCursor of a previous page', { cursor });
}
