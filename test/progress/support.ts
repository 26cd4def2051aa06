import { randomUUID } from 'node:crypto';
import type { ImportDto } from '@pi/api';
import { newEvent } from '@pi/contracts';
import { waitFor } from '@pi/infra';
import { createLogger } from '@pi/logger';
import { Publisher, connectNats, type NatsConnection } from '@pi/messaging';
import type { TestStack } from '@pi/testing';

/**
 * Publishes import events the way ingest and the catalog workers do. The projection is built from
 * events only, so driving it with real events on the test's NATS prefix is a real test of it.
 */
export class ImportEvents {
  private constructor(
    readonly nc: NatsConnection,
    private readonly publisher: Publisher,
  ) {}

  static async connect(stack: TestStack): Promise<ImportEvents> {
    const nc = await connectNats(
      stack.testEnv.env.NATS_URL!,
      'progress-test',
      createLogger('test', 'silent'),
    );
    return new ImportEvents(nc, new Publisher(nc, stack.testEnv.prefix));
  }

  /** One import's events; `at` is seconds after its creation (the rate and ETA derive from it). */
  forImport(id: string = randomUUID(), createdAt = new Date()) {
    const publish = this.publisher;
    const time = (seconds: number) => new Date(createdAt.getTime() + seconds * 1000);
    return {
      id,
      created: (filename: string, at = 0) =>
        publish.publishEvent(
          newEvent(
            'import.created',
            id,
            { filename, objectKey: `imports/${id}`, totalBytes: 0, epoch: 1 },
            { id: `${id}:created`, occurredAt: time(at) },
          ),
        ),
      started: (totalBytes: number, at = 1) =>
        publish.publishEvent(
          newEvent(
            'import.started',
            id,
            { totalBytes },
            { id: `${id}:started`, occurredAt: time(at) },
          ),
        ),
      progress: (bytesRead: number, rowsRead: number, rejected: number, at: number) =>
        publish.publishEvent(
          newEvent(
            'import.split_progress',
            id,
            { bytesRead, rowsRead, rejected, chunksPublished: 0 },
            { id: `${id}:progress:${bytesRead}`, occurredAt: time(at) },
          ),
        ),
      /** `copy` gives a republished result its own message id, past NATS' duplicate window. */
      chunk: (seq: number, inserted: number, updated: number, at: number, copy = '') =>
        publish.publishEvent(
          newEvent(
            'import.chunk_applied',
            id,
            { seq, rows: inserted + updated, inserted, updated },
            { id: `${id}:applied:${seq}${copy}`, occurredAt: time(at) },
          ),
        ),
      splitFinished: (
        totals: { totalRows: number; validRows: number; rejected: number; totalChunks: number },
        at: number,
        warnings: string[] = [],
      ) =>
        publish.publishEvent(
          newEvent(
            'import.split_finished',
            id,
            { ...totals, warnings },
            { id: `${id}:split_finished`, occurredAt: time(at) },
          ),
        ),
      completed: (
        totals: { totalRows: number; inserted: number; updated: number; rejected: number },
        at: number,
      ) =>
        publish.publishEvent(
          newEvent('import.completed', id, totals, { id: `${id}:completed`, occurredAt: time(at) }),
        ),
      failed: (reason: string, at: number) =>
        publish.publishEvent(
          newEvent('import.failed', id, { reason }, { id: `${id}:failed`, occurredAt: time(at) }),
        ),
      cancelled: (reason: string, at: number) =>
        publish.publishEvent(
          newEvent(
            'import.cancelled',
            id,
            { reason },
            { id: `${id}:cancelled`, occurredAt: time(at) },
          ),
        ),
    };
  }

  close(): Promise<void> {
    return this.nc.close();
  }
}

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

/** Polls GET /api/imports/:id until the projection shows what the test waits for. */
export async function waitForImport(
  stack: TestStack,
  id: string,
  until: (dto: ImportDto) => boolean,
  what = 'the import to change',
): Promise<ImportDto> {
  let last: ImportDto | undefined;
  await waitFor(
    `${what} (last seen: ${JSON.stringify(last)})`,
    async () => {
      const res = await fetch(`${stack.gatewayUrl}/api/imports/${id}`);
      if (res.status !== 200) return false;
      last = (await res.json()) as ImportDto;
      return until(last);
    },
    20_000,
    100,
  );
  return last!;
}

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** A minimal Server-Sent Events reader over fetch; ends when the server ends the stream. */
export async function* readSse(
  url: string,
  options: { lastEventId?: string; signal?: AbortSignal } = {},
): AsyncGenerator<SseEvent> {
  const res = await fetch(url, {
    headers: options.lastEventId ? { 'Last-Event-ID': options.lastEventId } : {},
    signal: options.signal,
  });
  if (res.status !== 200) throw new Error(`SSE answered ${res.status}: ${await res.text()}`);
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
    throw new Error(`SSE content type is ${res.headers.get('content-type')}`);
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of res.body!) {
    buffer += decoder.decode(bytes as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseBlock(block);
      if (event) yield event;
    }
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { id, event, data: data.join('\n') } : undefined;
}
