import express, { type Request, type Response, type Router } from 'express';
import type { ImportDto, Page } from '@pi/api';
import { invalid } from '@pi/service';
import { toImportDto } from '../mappers/import.js';
import type { ImportQueries, WatchUpdate } from '../projection/queries.js';

/** Reads of the progress projection: the import list, one import, and its live SSE stream. */
export function importQueriesRouter(queries: ImportQueries): Router {
  const router = express.Router();

  router.get('/imports', async (req, res) => {
    const page = await queries.list(
      parseLimit(req.query.limit),
      optionalString(req.query.cursor, 'cursor'),
    );
    const body: Page<ImportDto> = {
      items: page.items.map(toImportDto),
      nextCursor: page.nextCursor,
    };
    res.json(body);
  });

  router.get('/imports/:id', async (req, res) => {
    res.json(toImportDto(await queries.get(req.params.id)));
  });

  router.get('/imports/:id/events', async (req, res) => {
    await streamEvents(queries, req, res);
  });

  return router;
}

function parseLimit(value: unknown): number | undefined {
  const text = optionalString(value, 'limit');
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw invalid('limit must be a whole number', { limit: text });
  return Number(text);
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(`${name} must be given once`, { [name]: value });
  return value;
}

/** `Last-Event-ID` holds the version the client saw last; anything else means "send it all". */
function lastEventId(req: Request): number | undefined {
  const header = req.get('last-event-id');
  return header && /^\d+$/.test(header) ? Number(header) : undefined;
}

/**
 * Server-Sent Events: each event is a default `message` whose data is the ImportDto and whose id
 * is the import's version. Changes are sent as they happen and the current state at least every
 * second while the import runs; the stream ends after the terminal state. An unknown id is a plain
 * JSON 404, answered before the stream starts.
 */
async function streamEvents(queries: ImportQueries, req: Request, res: Response) {
  const closed = new AbortController();
  res.on('close', () => closed.abort());
  const updates = queries.watch(req.params.id as string, {
    lastVersion: lastEventId(req),
    signal: closed.signal,
  });
  // The first step reads the import, so a 404 still goes out as JSON.
  let next = await updates.next();
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  try {
    while (!next.done) {
      res.write(formatEvent(next.value));
      next = await updates.next();
    }
  } finally {
    await updates.return(undefined);
    res.end();
  }
}

function formatEvent(update: WatchUpdate): string {
  return `id: ${update.version}\ndata: ${JSON.stringify(toImportDto(update.import))}\n\n`;
}
