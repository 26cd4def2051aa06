import { randomUUID } from 'node:crypto';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import type { ApiErrorBody, ImportDto } from '@pi/api';
import { waitFor, waitReady } from '@pi/infra';
import { ImportServiceClient, ImportStatus, type Import, type UploadCsvResponse } from '@pi/proto';
import { startTestStack, type TestStack } from '@pi/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportEvents, getJson, readSse, waitForImport, type SseEvent } from './support.js';

/** Live progress: the SSE stream and the gRPC ImportService, fed by real import events. */
describe('live progress', () => {
  let stack: TestStack;
  let events: ImportEvents;
  let grpc: ImportServiceClient;

  beforeAll(async () => {
    stack = await startTestStack({ catalogReplicas: 1 });
    events = await ImportEvents.connect(stack);
    grpc = new ImportServiceClient(stack.gatewayGrpc, credentials.createInsecure());
  });

  afterAll(async () => {
    grpc?.close();
    await events?.close();
    await stack?.stop();
  });

  const eventsUrl = (id: string) => `${stack.gatewayUrl}/api/imports/${id}/events`;
  const dtoOf = (e: SseEvent) => JSON.parse(e.data) as ImportDto;

  /** An import that has started splitting, as the projection shows it. */
  async function startedImport(filename: string) {
    const imp = events.forImport();
    await imp.created(filename, 0);
    await imp.started(4_000, 1);
    await waitForImport(stack, imp.id, (d) => d.status === 'parsing');
    return imp;
  }

  describe('SSE', () => {
    it('sends every change while the import runs and ends after the terminal state', async () => {
      const imp = await startedImport('sse.csv');
      const stream = readSse(eventsUrl(imp.id));
      const first = await stream.next();
      expect(first.done).toBe(false);
      expect(dtoOf(first.value!)).toMatchObject({ id: imp.id, status: 'parsing' });

      // Each step waits for its event on the stream: a change shows up while the import runs.
      const received: SseEvent[] = [first.value!];
      await imp.chunk(0, 30, 10, 2);
      for (let e = await stream.next(); !e.done; e = await stream.next()) {
        received.push(e.value);
        if (dtoOf(e.value).processedRows === 40) break;
      }
      expect(dtoOf(received.at(-1)!)).toMatchObject({ status: 'importing', inserted: 30 });

      await imp.splitFinished({ totalRows: 80, validRows: 80, rejected: 0, totalChunks: 2 }, 3);
      await imp.chunk(1, 40, 0, 4);
      await imp.completed({ totalRows: 80, inserted: 70, updated: 10, rejected: 0 }, 5);
      for await (const e of stream) received.push(e); // returns only when the server ends it
      expect(dtoOf(received.at(-1)!)).toMatchObject({
        status: 'completed',
        inserted: 70,
        updated: 10,
      });
      const ids = received.map((e) => Number(e.id));
      expect(ids.every((id, i) => Number.isInteger(id) && (i === 0 || id >= ids[i - 1]!))).toBe(
        true,
      );
    });

    it('repeats the current state as a heartbeat while nothing changes', async () => {
      const imp = await startedImport('quiet.csv');
      const controller = new AbortController();
      const stream = readSse(eventsUrl(imp.id), { signal: controller.signal });
      const a = (await stream.next()).value!;
      const b = (await stream.next()).value!;
      controller.abort();
      await stream.return(undefined).catch(() => undefined);
      expect(b.id).toBe(a.id);
      expect(dtoOf(b)).toEqual(dtoOf(a));
    });

    it('resumes after Last-Event-ID, and a finished import ends the stream at once', async () => {
      const imp = await startedImport('resume.csv');
      const controller = new AbortController();
      const stream = readSse(eventsUrl(imp.id), { signal: controller.signal });
      const seen = (await stream.next()).value!;
      controller.abort();
      await stream.return(undefined).catch(() => undefined);

      await imp.chunk(0, 25, 0, 2);
      await waitForImport(stack, imp.id, (d) => d.processedRows === 25);
      const resumed = readSse(eventsUrl(imp.id), { lastEventId: seen.id });
      const next = (await resumed.next()).value!;
      expect(Number(next.id)).toBeGreaterThan(Number(seen.id));
      expect(dtoOf(next)).toMatchObject({ status: 'importing', processedRows: 25 });

      await imp.cancelled('Cancelled by the user', 3);
      const rest: SseEvent[] = [];
      for await (const e of resumed) rest.push(e);
      expect(dtoOf(rest.at(-1)!)).toMatchObject({
        status: 'cancelled',
        error: 'Cancelled by the user',
      });

      // Reconnecting after the end: the terminal state once more (so the client knows), then the end.
      const again: SseEvent[] = [];
      for await (const e of readSse(eventsUrl(imp.id), { lastEventId: rest.at(-1)!.id }))
        again.push(e);
      expect(again.map((e) => dtoOf(e).status)).toEqual(['cancelled']);
    });

    it('releases the watch when the client goes away', async () => {
      const watchers = async () => {
        const text = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
        return Number(/^gateway_import_watchers(?:\{[^}]*\})? (\d+)$/m.exec(text)?.[1]);
      };
      await waitFor('earlier streams to close', async () => (await watchers()) === 0, 10_000);
      const imp = await startedImport('leaving.csv');
      const controller = new AbortController();
      const stream = readSse(eventsUrl(imp.id), { signal: controller.signal });
      await stream.next();
      expect(await watchers()).toBe(1);
      controller.abort();
      await stream.return(undefined).catch(() => undefined);
      await waitFor('the gateway to drop the watch', async () => (await watchers()) === 0, 10_000);
    });

    it('follows a real upload from the REST API to the end', async () => {
      const run = randomUUID().slice(0, 8);
      const rows = Array.from({ length: 2_000 }, (_, i) => `sse-${run}-${i},Item ${i},"a, b"`);
      const res = await fetch(`${stack.gatewayUrl}/api/imports?filename=sse-real.csv`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv' },
        body: `sku,name,description\n${rows.join('\n')}\n`,
      });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as ImportDto;

      const received: ImportDto[] = [];
      for await (const e of readSse(eventsUrl(id))) received.push(dtoOf(e));
      expect(received.at(-1)).toMatchObject({
        id,
        filename: 'sse-real.csv',
        status: 'completed',
        totalRows: 2_000,
        processedRows: 2_000,
        inserted: 2_000,
        rejected: 0,
        etaSeconds: 0,
      });
      const order = ['queued', 'parsing', 'importing', 'completed'];
      const ranks = received.map((d) => order.indexOf(d.status));
      expect(ranks.every((r, i) => r >= 0 && (i === 0 || r >= ranks[i - 1]!))).toBe(true);
    });

    it('answers an unknown import with a JSON 404 instead of a stream', async () => {
      const id = randomUUID();
      const res = await getJson<ApiErrorBody>(eventsUrl(id));
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: 'not_found', message: `Import ${id} not found` });
    });
  });

  describe('gRPC ImportService', () => {
    const unary = <Res>(
      fn: (cb: (err: ServiceError | null, res: Res) => void) => void,
    ): Promise<Res> =>
      new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));

    it('GetImport and ListImports read the projection; bad requests get fitting codes', async () => {
      const imp = await startedImport('grpc-get.csv');
      const got = await unary<{ import?: Import }>((cb) => grpc.getImport({ id: imp.id }, cb));
      expect(got.import).toMatchObject({
        id: imp.id,
        filename: 'grpc-get.csv',
        status: ImportStatus.IMPORT_STATUS_PARSING,
        totalBytes: 4_000,
      });

      const page = await unary<{ imports: Import[]; nextCursor: string }>((cb) =>
        grpc.listImports({ limit: 1, cursor: '' }, cb),
      );
      expect(page.imports).toHaveLength(1);
      expect(page.nextCursor).not.toBe('');

      const missing = await unary((cb) => grpc.getImport({ id: randomUUID() }, cb)).catch(
        (e: ServiceError) => e,
      );
      expect((missing as ServiceError).code).toBe(status.NOT_FOUND);
      const badLimit = await unary((cb) => grpc.listImports({ limit: 1000, cursor: '' }, cb)).catch(
        (e: ServiceError) => e,
      );
      expect((badLimit as ServiceError).code).toBe(status.INVALID_ARGUMENT);
    });

    it('WatchImport streams every change and ends after the terminal state', async () => {
      const imp = await startedImport('grpc-watch.csv');
      const call = grpc.watchImport({ id: imp.id });
      const received: Import[] = [];
      const ended = new Promise<void>((resolve, reject) => {
        call.on('data', (m: { import?: Import }) => received.push(m.import!));
        call.on('end', resolve);
        call.on('error', reject);
      });
      await waitUntil(() => received.length > 0);
      await imp.chunk(0, 10, 0, 2);
      await waitUntil(() =>
        received.some((i) => i.status === ImportStatus.IMPORT_STATUS_IMPORTING),
      );
      await imp.splitFinished({ totalRows: 10, validRows: 10, rejected: 0, totalChunks: 1 }, 3);
      await imp.completed({ totalRows: 10, inserted: 10, updated: 0, rejected: 0 }, 4);
      await ended;

      expect(received[0]!.status).toBe(ImportStatus.IMPORT_STATUS_PARSING);
      expect(received.at(-1)).toMatchObject({
        status: ImportStatus.IMPORT_STATUS_COMPLETED,
        inserted: 10,
        totalRows: 10,
      });
    });

    it('UploadCsv streams a file to ingest and WatchImport follows it to completed', async () => {
      const run = randomUUID().slice(0, 8);
      const lines = ['sku,name,description'];
      for (let i = 0; i < 300; i++) lines.push(`up-${run}-${i},Product ${i},"Desc, ${i}"`);
      lines.push(`up-${run}-bad,,no name`);
      const bytes = Buffer.from(`${lines.join('\n')}\n`);

      const uploaded = await new Promise<UploadCsvResponse>((resolve, reject) => {
        const call = grpc.uploadCsv((err, res) => (err ? reject(err) : resolve(res)));
        call.write({
          part: { $case: 'header', value: { filename: 'grpc-upload.csv', sizeHint: bytes.length } },
        });
        for (let at = 0; at < bytes.length; at += 1024) {
          call.write({ part: { $case: 'data', value: bytes.subarray(at, at + 1024) } });
        }
        call.end();
      });
      const id = uploaded.import!.id;
      expect(uploaded.import).toMatchObject({ filename: 'grpc-upload.csv' });

      const call = grpc.watchImport({ id });
      const received: Import[] = [];
      await new Promise<void>((resolve, reject) => {
        call.on('data', (m: { import?: Import }) => received.push(m.import!));
        call.on('end', resolve);
        call.on('error', reject);
      });
      expect(received.at(-1)).toMatchObject({
        id,
        status: ImportStatus.IMPORT_STATUS_COMPLETED,
        totalRows: 301,
        processedRows: 301,
        inserted: 300,
        updated: 0,
        rejected: 1,
        bytesRead: bytes.length,
        totalBytes: bytes.length,
      });

      // Commands are forwarded to ingest, its answers (and refusals) passed through.
      const rejections = grpc.getRejections({ id });
      const chunks: Buffer[] = [];
      for await (const m of rejections as AsyncIterable<{ data: Buffer }>) chunks.push(m.data);
      const csv = Buffer.concat(chunks).toString();
      expect(csv.split('\n')[0]).toBe('line,reason,sku,name,description');
      expect(csv).toContain(`up-${run}-bad`);
      const refused = await unary((cb) => grpc.cancelImport({ id }, cb)).catch(
        (e: ServiceError) => e,
      );
      expect((refused as ServiceError).code).toBe(status.FAILED_PRECONDITION);
      const unknown = await unary((cb) => grpc.retryImport({ id: randomUUID() }, cb)).catch(
        (e: ServiceError) => e,
      );
      expect((unknown as ServiceError).code).toBe(status.NOT_FOUND);
    });

    it('UploadCsv without a header message fails with INVALID_ARGUMENT from ingest', async () => {
      const err = await new Promise<ServiceError>((resolve, reject) => {
        const call = grpc.uploadCsv((e) => (e ? resolve(e) : reject(new Error('accepted'))));
        call.write({ part: { $case: 'data', value: Buffer.from('sku,name\n') } });
        call.end();
      });
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(err.details).toMatch(/header/);
    });

    it('WatchImport of an unknown import fails with NOT_FOUND', async () => {
      const call = grpc.watchImport({ id: randomUUID() });
      const err = await new Promise<ServiceError>((resolve) => {
        call.on('error', resolve);
        call.on('data', () => undefined);
      });
      expect(err.code).toBe(status.NOT_FOUND);
    });
  });

  it('a second gateway replica shares the projection and streams what either folds', async () => {
    const second = await stack.spawnService('gateway', 1);
    await waitReady(second, stack.logDir);
    const imp = await startedImport('replicas.csv');
    const url = `http://127.0.0.1:${second.httpPort}/api/imports/${imp.id}/events`;
    const stream = readSse(url);
    expect(dtoOf((await stream.next()).value!).status).toBe('parsing');

    // The two replicas share the durable consumer, so these are folded by one or the other.
    for (let seq = 0; seq < 6; seq++) await imp.chunk(seq, 10, 0, 2 + seq);
    await imp.splitFinished({ totalRows: 60, validRows: 60, rejected: 0, totalChunks: 6 }, 9);
    await imp.completed({ totalRows: 60, inserted: 60, updated: 0, rejected: 0 }, 10);
    const rest: ImportDto[] = [];
    for await (const e of stream) rest.push(dtoOf(e));
    expect(rest.at(-1)).toMatchObject({ status: 'completed', inserted: 60, processedRows: 60 });
    expect(await second.stop()).toBe(0);
  });

  // Last: it stops the gateway.
  it('on SIGTERM the gateway ends open streams and exits cleanly', async () => {
    const imp = await startedImport('shutdown.csv');
    const stream = readSse(eventsUrl(imp.id));
    await stream.next();
    const watch = grpc.watchImport({ id: imp.id });
    let watched = 0;
    const watchEnded = new Promise<void>((resolve, reject) => {
      watch.on('data', () => watched++);
      watch.on('end', resolve);
      watch.on('error', reject);
    });
    await waitUntil(() => watched > 0);
    const gateway = stack.processes.find((p) => p.name === 'gateway')!;
    const exit = gateway.stop('SIGTERM');
    const rest: SseEvent[] = [];
    for await (const e of stream) rest.push(e); // ends instead of hanging
    await watchEnded;
    expect(await exit).toBe(0);
  });
});

async function waitUntil(predicate: () => boolean) {
  while (!predicate()) await new Promise((r) => setTimeout(r, 20));
}
