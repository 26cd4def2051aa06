import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { AddressPolicy } from '../domain/address-policy.js';
import { parseRetryAfter } from '../domain/retry.js';
import { signedHeaders } from '../domain/signing.js';
import { resolveDestination, systemResolver, type PinnedAddress, type Resolver } from './guard.js';

/** What one HTTP attempt produced. `statusCode` is null when no answer came. */
export interface SendResult {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
  retryAfterMs: number | undefined;
}

export interface SendRequest {
  url: string;
  secret: string;
  /** The `webhook-id`: the delivery id, the same for every attempt. */
  messageId: string;
  body: string;
}

const EXCERPT_BYTES = 1024;

/**
 * Sends signed webhook requests. Every request is checked against the address policy after DNS
 * resolution and connects to the checked address only; redirects are never followed (Node's
 * http client does not follow them, and a 3xx is not a success).
 */
export class WebhookSender {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };

  constructor(
    private readonly options: {
      policy: AddressPolicy;
      timeoutMs: number;
      resolve?: Resolver;
      userAgent?: string;
    },
  ) {}

  async send(req: SendRequest): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const url = new URL(req.url);
      const pinned = await resolveDestination(
        url,
        this.options.policy,
        this.options.resolve ?? systemResolver,
      );
      const headers = {
        'content-type': 'application/json',
        'user-agent': this.options.userAgent ?? 'product-importer-webhooks/1.0',
        ...signedHeaders(req.secret, req.messageId, req.body, new Date()),
      };
      const res = await this.post(url, pinned, headers, req.body);
      return {
        statusCode: res.statusCode,
        durationMs: elapsed(),
        error: null,
        responseExcerpt: res.excerpt || null,
        retryAfterMs: parseRetryAfter(res.retryAfter, new Date()),
      };
    } catch (err) {
      return {
        statusCode: null,
        durationMs: elapsed(),
        error: this.describe(err),
        responseExcerpt: null,
        retryAfterMs: undefined,
      };
    }
  }

  close(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }

  private post(
    url: URL,
    pinned: PinnedAddress,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ statusCode: number; excerpt: string; retryAfter: string | undefined }> {
    const client = url.protocol === 'https:' ? https : http;
    const agent = this.agents[url.protocol as 'http:' | 'https:'];
    if (!agent) throw new Error(`unsupported protocol ${url.protocol}`);
    // Connect to the address that passed the policy, never to a second DNS answer.
    const lookup: LookupFunction = (_host, opts, cb) =>
      opts.all ? cb(null, [pinned]) : cb(null, pinned.address, pinned.family);
    return new Promise((resolve, reject) => {
      const request = client.request(
        url,
        {
          method: 'POST',
          agent,
          lookup,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          signal: AbortSignal.timeout(this.options.timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          let done = false;
          const finish = () => {
            if (done) return;
            done = true;
            resolve({
              statusCode: res.statusCode ?? 0,
              // PostgreSQL text cannot hold NUL, and a binary answer may contain it.
              excerpt: Buffer.concat(chunks)
                .subarray(0, EXCERPT_BYTES)
                .toString('utf8')
                .replaceAll('\u0000', ''),
              retryAfter: res.headers['retry-after'],
            });
          };
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            size += chunk.length;
            // The status is what counts; the rest of a large body is not worth waiting for.
            if (size >= EXCERPT_BYTES) {
              finish();
              res.destroy();
            }
          });
          res.on('end', finish);
          res.on('close', finish);
          res.on('error', finish);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  private describe(err: unknown): string {
    const e = err as Error & { code?: string; errors?: Error[] };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
      return `timed out after ${this.options.timeoutMs} ms`;
    }
    const inner = e?.errors?.[0] ?? e;
    return (inner as Error)?.message || (inner as { code?: string })?.code || String(err);
  }
}
