import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '@pi/testing';

/** The four services as processes against real PostgreSQL, NATS and S3. */
describe('foundation: the whole system', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ catalogReplicas: 2 });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('every process answers /healthz, /readyz and /metrics', async () => {
    expect(stack.processes.map((p) => p.name).sort()).toEqual(
      ['catalog', 'catalog-1', 'gateway', 'ingest', 'webhook-dispatcher'].sort(),
    );
    for (const p of stack.processes) {
      const base = `http://127.0.0.1:${p.httpPort}`;
      expect((await fetch(`${base}/healthz`)).status, `${p.name} /healthz`).toBe(200);
      expect((await fetch(`${base}/readyz`)).status, `${p.name} /readyz`).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics, `${p.name} /metrics`).toContain('process_resident_memory_bytes');
    }
  });

  it("the gateway's readiness calls each service's gRPC health check", async () => {
    const res = await fetch(`${stack.gatewayUrl}/readyz`);
    const body = (await res.json()) as {
      status: string;
      checks: Record<string, { ok: boolean; detail?: string }>;
    };
    expect(body.status).toBe('ready');
    for (const name of ['ingest', 'catalog', 'webhook-dispatcher']) {
      expect(body.checks[name], name).toEqual({ ok: true, detail: 'SERVING' });
    }
  });

  it('serves the dashboard at / and JSON errors under /api', async () => {
    const page = await fetch(`${stack.gatewayUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Product Importer</title>');
    const deep = await fetch(`${stack.gatewayUrl}/products?q=x`);
    expect(deep.status).toBe(200);
    const missing = await fetch(`${stack.gatewayUrl}/api/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'not_found', message: 'No API route GET /api/nope' },
    });
  });

  it('reports a backend as not ready when it stops', async () => {
    const ingest = stack.processes.find((p) => p.name === 'ingest')!;
    await ingest.stop();
    const res = await fetch(`${stack.gatewayUrl}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: Record<string, { ok: boolean }> };
    expect(body.checks.ingest!.ok).toBe(false);
    expect(body.checks.catalog!.ok).toBe(true);
  });

  it('SIGTERM stops every service within a few seconds', async () => {
    const running = stack.processes.filter((p) => p.child.exitCode === null);
    const started = Date.now();
    const codes = await Promise.all(running.map((p) => p.stop('SIGTERM')));
    expect(codes.every((c) => c === 0)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
