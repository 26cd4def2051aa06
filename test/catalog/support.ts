import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { ProductDto } from '@pi/api';
import { decodeEvent, natsNames } from '@pi/contracts';
import { waitFor } from '@pi/infra';
import { createLogger } from '@pi/logger';
import { connectNats, type NatsConnection } from '@pi/messaging';
import type { EventEnvelope } from '@pi/proto';
import pg from 'pg';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

/** JSON calls to the gateway's REST API. */
export function restClient(baseUrl: string) {
  const send = async <T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    send,
    get: <T>(path: string) => send<T>('GET', path),
    create: (input: Record<string, unknown>) => send<ProductDto>('POST', '/api/products', input),
  };
}
export type RestClient = ReturnType<typeof restClient>;

/**
 * Reads every event under one subject filter (e.g. `product.>`) from the start of the events
 * stream with an ordered consumer. One filter: NATS before 2.10 has no multi-subject filters.
 */
export async function readEvents(
  nc: NatsConnection,
  prefix: string,
  subject: string,
): Promise<EventEnvelope[]> {
  const names = natsNames(prefix);
  const consumer = await jetstream(nc).consumers.get(names.eventsStream, {
    filter_subjects: `${prefix}.events.${subject}`,
    deliver_policy: DeliverPolicy.All,
  });
  const pending = (await consumer.info()).num_pending;
  const events: EventEnvelope[] = [];
  if (pending === 0) return events;
  const messages = await consumer.fetch({ max_messages: pending, expires: 5000 });
  for await (const m of messages) {
    events.push(decodeEvent(m.data));
    if (events.length === pending) break;
  }
  return events;
}

export const connectTestNats = (url: string) =>
  connectNats(url, 'catalog-test', createLogger('test', 'silent'));

/** A plain connection to the test's database, to seed many rows quickly and look at tables. */
export async function connectDb(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/**
 * Inserts `count` products straight into the table (as an import would, with version (1, line)):
 * sku `S-<n>`, name "<color> widget <n>", description "made of <material>", every 3rd inactive.
 */
export async function seedProducts(db: pg.Client, count: number, offset = 0): Promise<void> {
  await db.query(
    `insert into products (sku, sku_key, name, description, active, version_epoch, version_line)
     select 'S-' || n, 's-' || n,
       (array['Red','Blue','Green'])[1 + n % 3] || ' widget ' || n,
       'made of ' || (array['steel','oak','glass','wool'])[1 + n % 4],
       n % 3 <> 0, 1, n
     from generate_series($1::int + 1, $1::int + $2::int) n`,
    [offset, count],
  );
}

/** Waits until the search indexer has folded every product write into product_search. */
export async function waitForSearchIndex(db: pg.Client): Promise<void> {
  await waitFor('the search backlog to drain', async () => (await backlogSize(db)) === 0, 30_000);
}

/** Products written but not yet folded into product_search by the indexer. */
export async function backlogSize(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: string }>('select count(*) as n from search_backlog');
  return Number(rows[0]!.n);
}
