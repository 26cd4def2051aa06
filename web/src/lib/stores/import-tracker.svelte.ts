import { TERMINAL_IMPORT_STATUSES, type ImportDto, type Page } from '@pi/api';
import { importsApi, type UploadProgress } from '$lib/api/client';

export const isTerminal = (dto: ImportDto) => TERMINAL_IMPORT_STATUSES.includes(dto.status);

/** An open live feed of one import's progress. */
export interface ProgressFeed {
  close(): void;
}

/** Everything the tracker needs from outside, so tests can drive it without a server. */
export interface TrackerDeps {
  upload(
    file: File,
    onProgress: (p: UploadProgress) => void,
    signal: AbortSignal,
  ): Promise<ImportDto>;
  get(id: string): Promise<ImportDto>;
  list(): Promise<Page<ImportDto>>;
  cancel(id: string): Promise<ImportDto>;
  retry(id: string): Promise<ImportDto>;
  /** Opens the SSE feed; `onError` means it dropped and will not recover by itself. */
  openFeed(id: string, onUpdate: (dto: ImportDto) => void, onError: () => void): ProgressFeed;
  /** Calls `fn` every `ms` until the returned function is called. */
  every(fn: () => void, ms: number): () => void;
}

export interface UploadState {
  filename: string;
  loaded: number;
  total: number;
}

/** Reads an SSE message of /api/imports/:id/events: its data is the ImportDto. */
export function parseProgressEvent(data: string): ImportDto | null {
  try {
    const dto = JSON.parse(data) as Partial<ImportDto> | null;
    return typeof dto?.id === 'string' && typeof dto.status === 'string'
      ? (dto as ImportDto)
      : null;
  } catch {
    return null;
  }
}

function openEventSource(
  id: string,
  onUpdate: (dto: ImportDto) => void,
  onError: () => void,
): ProgressFeed {
  const source = new EventSource(importsApi.eventsUrl(id));
  source.onmessage = (e: MessageEvent<string>) => {
    const dto = parseProgressEvent(e.data);
    if (dto) onUpdate(dto);
  };
  // The stream ends after the terminal state, which the tracker closes on first; an error before
  // that means the feed dropped, and EventSource's own reconnect is replaced by polling.
  source.onerror = () => {
    source.close();
    onError();
  };
  return source;
}

export const browserDeps: TrackerDeps = {
  upload: importsApi.upload,
  get: importsApi.get,
  list: () => importsApi.list({ limit: 20 }),
  cancel: importsApi.cancel,
  retry: importsApi.retry,
  openFeed: openEventSource,
  every: (fn, ms) => {
    const timer = setInterval(fn, ms);
    return () => clearInterval(timer);
  },
};

/**
 * Follows the one import the user cares about: the upload, then live progress over SSE, falling
 * back to polling GET /api/imports/:id when the stream drops. Lives for the whole app so the
 * status strip can show it on every page.
 */
export class ImportTracker {
  current = $state<ImportDto | null>(null);
  upload = $state<UploadState | null>(null);
  /** How updates arrive now: the SSE feed, polling after it dropped, or not at all. */
  mode = $state<'idle' | 'live' | 'polling'>('idle');

  #feed: ProgressFeed | null = null;
  #stopPolling: (() => void) | null = null;
  #abortUpload: AbortController | null = null;
  #settledListeners = new Set<(dto: ImportDto) => void>();

  constructor(
    private readonly deps: TrackerDeps = browserDeps,
    private readonly pollMs = 1000,
  ) {}

  get running(): boolean {
    return this.upload !== null || (this.current !== null && !isTerminal(this.current));
  }

  /** Called once when the followed import reaches completed, failed or cancelled. */
  onSettled(listener: (dto: ImportDto) => void): () => void {
    this.#settledListeners.add(listener);
    return () => this.#settledListeners.delete(listener);
  }

  /** Uploads a file, then follows the import it created. Rejects with the API's error. */
  async start(file: File): Promise<ImportDto> {
    this.#disconnect();
    this.current = null;
    this.#abortUpload = new AbortController();
    this.upload = { filename: file.name, loaded: 0, total: file.size };
    try {
      const dto = await this.deps.upload(
        file,
        ({ loaded, total }) => (this.upload = { filename: file.name, loaded, total }),
        this.#abortUpload.signal,
      );
      this.follow(dto);
      return dto;
    } finally {
      this.upload = null;
      this.#abortUpload = null;
    }
  }

  /** Picks up the newest unfinished import (after a page reload); returns whether one was found. */
  async resume(): Promise<boolean> {
    if (this.running) return true;
    const page = await this.deps.list();
    const unfinished = page.items.find((dto) => !isTerminal(dto));
    if (unfinished) this.follow(unfinished);
    return unfinished !== undefined;
  }

  /** Shows an import and, unless it is finished, listens to its progress. */
  follow(dto: ImportDto): void {
    this.#disconnect();
    this.current = dto;
    if (isTerminal(dto)) return;
    this.mode = 'live';
    this.#feed = this.deps.openFeed(
      dto.id,
      (update) => this.#apply(update),
      () => this.#fallBackToPolling(dto.id),
    );
  }

  /** Cancels the upload in flight or the followed import. */
  async cancel(): Promise<void> {
    if (this.#abortUpload) {
      this.#abortUpload.abort();
      return;
    }
    if (this.current) this.#apply(await this.deps.cancel(this.current.id));
  }

  async retry(id: string): Promise<ImportDto> {
    const dto = await this.deps.retry(id);
    this.follow(dto);
    return dto;
  }

  /** Forgets the followed import (e.g. the user dismissed its result). */
  clear(): void {
    this.#disconnect();
    this.current = null;
  }

  #apply(update: ImportDto): void {
    if (update.id !== this.current?.id) return;
    const wasTerminal = isTerminal(this.current);
    this.current = update;
    if (!isTerminal(update)) return;
    this.#disconnect();
    if (!wasTerminal) for (const listener of this.#settledListeners) listener(update);
  }

  #fallBackToPolling(id: string): void {
    this.#feed = null;
    if (this.current?.id !== id || isTerminal(this.current)) return;
    this.mode = 'polling';
    this.#stopPolling = this.deps.every(() => {
      // A failed poll is retried on the next tick; the strip keeps the last known state.
      this.deps.get(id).then(
        (dto) => this.#apply(dto),
        () => undefined,
      );
    }, this.pollMs);
  }

  #disconnect(): void {
    this.#feed?.close();
    this.#feed = null;
    this.#stopPolling?.();
    this.#stopPolling = null;
    this.mode = 'idle';
  }
}

export const importTracker = new ImportTracker();
