import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHostRule } from '../domain/address-policy.js';
import { newSecret } from '../domain/signing.js';
import type { Resolver } from './guard.js';
import { WebhookSender } from './sender.js';

/** A real HTTP server on 127.0.0.1 and a resolver that names it, so no outside DNS is involved. */
describe('WebhookSender', () => {
  const seen: { host?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  let port = 0;
  let reply: (res: http.ServerResponse) => void = (res) => res.end('fine');
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    seen.push({ host: req.headers.host, headers: req.headers, body });
    reply(res);
  });
  const secret = newSecret();
  const resolver: Resolver = async (host) => {
    if (host === 'receiver.test' || host === 'rebind.test')
      return [{ address: '127.0.0.1', family: 4 }];
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  };
  const sender = (allowed: string[], timeoutMs = 2_000) =>
    new WebhookSender({
      policy: { allowPrivate: false, allowedHosts: allowed.map(parseHostRule) },
      timeoutMs,
      resolve: resolver,
    });
  const request = (host: string, path = '/hook') => ({
    url: `http://${host}:${port}${path}`,
    secret,
    messageId: 'delivery-1',
    body: '{"type":"webhook.test"}',
  });

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('connects to the checked address and signs the request', async () => {
    const s = sender(['receiver.test']);
    const r = await s.send(request('receiver.test'));
    s.close();
    expect(r).toMatchObject({ statusCode: 200, error: null, responseExcerpt: 'fine' });
    const got = seen.at(-1)!;
    expect(got.host).toBe(`receiver.test:${port}`);
    expect(new Webhook(secret).verify(got.body, got.headers as Record<string, string>)).toEqual({
      type: 'webhook.test',
    });
  });

  it('refuses a name resolving to a loopback address before connecting', async () => {
    const before = seen.length;
    const s = sender(['receiver.test']);
    const r = await s.send(request('rebind.test'));
    s.close();
    expect(r.statusCode).toBeNull();
    expect(r.error).toMatch(/127.0.0.1 is a loopback address \(rebind.test resolves to it\)/);
    expect(seen.length).toBe(before);
  });

  it('reports a name that does not resolve as an error', async () => {
    const s = sender([]);
    const r = await s.send(request('nowhere.invalid'));
    s.close();
    expect(r).toMatchObject({ statusCode: null, error: 'getaddrinfo ENOTFOUND nowhere.invalid' });
  });

  it('does not follow redirects', async () => {
    reply = (res) => res.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` }).end();
    const before = seen.length;
    const s = sender(['127.0.0.1']);
    const r = await s.send(request('127.0.0.1'));
    s.close();
    expect(r.statusCode).toBe(302);
    expect(seen.length).toBe(before + 1);
    expect(seen.at(-1)!.headers['webhook-id']).toBe('delivery-1');
  });

  it('keeps the first KiB of the answer, without NUL bytes', async () => {
    reply = (res) => res.end(Buffer.concat([Buffer.from('a\u0000b'), Buffer.alloc(5000, 'x')]));
    const s = sender(['127.0.0.1']);
    const r = await s.send(request('127.0.0.1'));
    s.close();
    expect(r.statusCode).toBe(200);
    expect(r.responseExcerpt).toBe(`ab${'x'.repeat(1021)}`);
  });

  it('times out a request that gets no answer and reads Retry-After', async () => {
    reply = () => undefined;
    const slow = sender(['127.0.0.1'], 200);
    expect(await slow.send(request('127.0.0.1'))).toMatchObject({
      statusCode: null,
      error: 'timed out after 200 ms',
    });
    slow.close();
    reply = (res) => res.writeHead(429, { 'retry-after': '7' }).end('slow down');
    const s = sender(['127.0.0.1']);
    expect(await s.send(request('127.0.0.1'))).toMatchObject({
      statusCode: 429,
      retryAfterMs: 7_000,
      responseExcerpt: 'slow down',
    });
    s.close();
  });
});
