import type { ImportDto } from '@pi/api';
import { describe, expect, it } from 'vitest';
import { importDto } from '$lib/test-fixtures';
import { ImportTracker, parseProgressEvent, type TrackerDeps } from './import-tracker.svelte';
import type { UploadProgress } from '$lib/api/client';

/** Fakes of the network and timers that the test drives step by step. */
function harness(listed: ImportDto[] = []) {
  const feeds: { id: string; update: (d: ImportDto) => void; fail: () => void; closed: boolean }[] =
    [];
  const polls: { tick: () => void; stopped: boolean }[] = [];
  const server = new Map<string, ImportDto>();
  let progress: ((p: UploadProgress) => void) | null = null;
  let finishUpload: ((dto: ImportDto) => void) | null = null;
  let uploadSignal: AbortSignal | null = null;

  const deps: TrackerDeps = {
    upload: (_file, onProgress, signal) =>
      new Promise((resolve, reject) => {
        progress = onProgress;
        finishUpload = resolve;
        uploadSignal = signal;
        signal.addEventListener('abort', () => reject(new Error('aborted')));
      }),
    get: async (id) => server.get(id)!,
    list: async () => ({ items: listed, nextCursor: null }),
    cancel: async (id) => ({ ...server.get(id)!, status: 'cancelled' }),
    retry: async (id) => importDto({ id: `${id}-retry`, status: 'queued' }),
    openFeed: (id, update, fail) => {
      const feed = { id, update, fail, closed: false, close: () => (feed.closed = true) };
      feeds.push(feed);
      return feed;
    },
    every: (tick) => {
      const poll = { tick, stopped: false };
      polls.push(poll);
      return () => (poll.stopped = true);
    },
  };
  return {
    tracker: new ImportTracker(deps),
    feeds,
    polls,
    server,
    progress: (p: UploadProgress) => progress!(p),
    finishUpload: (dto: ImportDto) => finishUpload!(dto),
    uploadSignal: () => uploadSignal!,
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const file = () => new File(['sku,name\nA,a\n'], 'products.csv', { type: 'text/csv' });

describe('ImportTracker', () => {
  it('reports upload progress, then follows the created import over SSE to the end', async () => {
    const h = harness();
    const started = h.tracker.start(file());
    expect(h.tracker.running).toBe(true);
    h.progress({ loaded: 5, total: 13 });
    expect(h.tracker.upload).toEqual({ filename: 'products.csv', loaded: 5, total: 13 });

    h.finishUpload(importDto({ status: 'queued' }));
    await started;
    expect(h.tracker.upload).toBeNull();
    expect(h.tracker.mode).toBe('live');
    expect(h.feeds.map((f) => f.id)).toEqual(['imp-1']);

    const settled: ImportDto[] = [];
    h.tracker.onSettled((dto) => settled.push(dto));
    h.feeds[0]!.update(importDto({ processedRows: 1, totalRows: 1 }));
    expect(h.tracker.current?.processedRows).toBe(1);
    h.feeds[0]!.update(importDto({ status: 'completed', inserted: 1 }));

    expect(h.tracker.running).toBe(false);
    expect(h.feeds[0]!.closed).toBe(true);
    expect(h.tracker.mode).toBe('idle');
    expect(settled.map((d) => d.status)).toEqual(['completed']);
  });

  it('ignores updates about another import', async () => {
    const h = harness();
    h.tracker.follow(importDto());
    h.feeds[0]!.update(importDto({ id: 'other', status: 'failed' }));
    expect(h.tracker.current?.status).toBe('importing');
  });

  it('falls back to polling when the SSE feed drops, and stops polling when done', async () => {
    const h = harness();
    h.tracker.follow(importDto());
    h.feeds[0]!.fail();
    expect(h.tracker.mode).toBe('polling');
    expect(h.polls).toHaveLength(1);

    h.server.set('imp-1', importDto({ processedRows: 7 }));
    h.polls[0]!.tick();
    await flush();
    expect(h.tracker.current?.processedRows).toBe(7);
    expect(h.polls[0]!.stopped).toBe(false);

    h.server.set('imp-1', importDto({ status: 'failed', error: 'bad header' }));
    h.polls[0]!.tick();
    await flush();
    expect(h.tracker.current?.error).toBe('bad header');
    expect(h.polls[0]!.stopped).toBe(true);
  });

  it('resumes the newest unfinished import after a reload', async () => {
    const h = harness([
      importDto({ id: 'done', status: 'completed' }),
      importDto({ id: 'running', status: 'parsing' }),
    ]);
    expect(await h.tracker.resume()).toBe(true);
    expect(h.tracker.current?.id).toBe('running');
    expect(h.feeds.map((f) => f.id)).toEqual(['running']);
  });

  it('resumes nothing when every import has finished', async () => {
    const h = harness([importDto({ status: 'completed' })]);
    expect(await h.tracker.resume()).toBe(false);
    expect(h.tracker.current).toBeNull();
    expect(h.feeds).toHaveLength(0);
  });

  it('cancel aborts an upload in flight', async () => {
    const h = harness();
    const started = h.tracker.start(file());
    await h.tracker.cancel();
    expect(h.uploadSignal().aborted).toBe(true);
    await expect(started).rejects.toThrow('aborted');
    expect(h.tracker.running).toBe(false);
  });

  it('cancel of a running import applies the cancelled state and announces it once', async () => {
    const h = harness();
    const settled: string[] = [];
    h.tracker.onSettled((dto) => settled.push(dto.status));
    h.server.set('imp-1', importDto());
    h.tracker.follow(importDto());
    await h.tracker.cancel();
    h.feeds[0]!.update(importDto({ status: 'cancelled' }));
    expect(h.tracker.current?.status).toBe('cancelled');
    expect(settled).toEqual(['cancelled']);
  });

  it('retry follows the new attempt', async () => {
    const h = harness();
    h.tracker.follow(importDto({ status: 'failed' }));
    expect(h.feeds).toHaveLength(0);
    await h.tracker.retry('imp-1');
    expect(h.tracker.current?.id).toBe('imp-1-retry');
    expect(h.feeds.map((f) => f.id)).toEqual(['imp-1-retry']);
  });
});

describe('parseProgressEvent', () => {
  it('reads an import and nothing else', () => {
    const dto = importDto();
    expect(parseProgressEvent(JSON.stringify(dto))).toEqual(dto);
    expect(parseProgressEvent('null')).toBeNull();
    expect(parseProgressEvent('{"hello":1}')).toBeNull();
    expect(parseProgressEvent('not json')).toBeNull();
  });
});
