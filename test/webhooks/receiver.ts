import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The parsed body, verified with the independent standardwebhooks package. */
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** The answer is held until this settles (a slow endpoint). */
  holdUntil?: Promise<unknown>;
}

/**
 * A webhook receiver on 127.0.0.1. Every request must carry a valid Standard Webhooks signature
 * for `secret`; one that does not fails the test through `unverified`.
 */
export class Receiver {
  readonly received: Received[] = [];
  readonly unverified: string[] = [];
  secret = '';
  reply: (n: number) => Reply = () => ({ status: 200 });
  private server = http.createServer((req, res) => void this.handle(req, res));
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening: the endpoint is down (connections are refused) until `start(port)`. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      const payload = new Webhook(this.secret).verify(body, {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      }) as Received['payload'];
      this.received.push({ headers: req.headers, body, payload });
    } catch (err) {
      this.unverified.push(`${(err as Error).message}: ${body}`);
    }
    const reply = this.reply(this.received.length);
    await reply.holdUntil;
    res.writeHead(reply.status, reply.headers).end('ok');
  }
}

/** Polls until `check` returns a truthy value (condition waits, not timing assertions). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** JSON calls to the gateway's REST API. */
export function restClient(baseUrl: string) {
  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read any JSON shape
    return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
  };
  return {
    get: (path: string) => request('GET', path),
    post: (path: string, body?: unknown) => request('POST', path, body ?? {}),
    patch: (path: string, body: unknown) => request('PATCH', path, body),
    delete: (path: string) => request('DELETE', path),
  };
}

/** Stack settings for webhook tests: receivers on 127.0.0.1 allowed, retries in milliseconds. */
export const webhookTestEnv = (schedule: string) => ({
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  WEBHOOK_RETRY_SCHEDULE: schedule,
  WEBHOOK_POLL_INTERVAL: '200ms',
  WEBHOOK_ENDPOINT_CONCURRENCY: '2',
});
