import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };

describe('loadConfig', () => {
  it('defaults to the documented schedule, timeout and a strict address policy', () => {
    const c = loadConfig(base);
    expect(c.WEBHOOK_RETRY_SCHEDULE).toHaveLength(8);
    expect(c.WEBHOOK_RETRY_SCHEDULE[1]).toBe(5_000);
    expect(c.WEBHOOK_TIMEOUT).toBe(10_000);
    expect(c.WEBHOOK_LOG_RETENTION).toBe(30 * 86_400_000);
    expect(c.addressPolicy).toEqual({ allowPrivate: false, allowedHosts: [] });
  });

  it('reads a shrunk schedule and an allow-list', () => {
    const c = loadConfig({
      ...base,
      WEBHOOK_RETRY_SCHEDULE: '0,200ms,1s',
      WEBHOOK_ALLOWED_HOSTS: 'localhost, 10.0.0.0/8',
      WEBHOOK_ALLOW_PRIVATE: 'true',
    });
    expect(c.WEBHOOK_RETRY_SCHEDULE).toEqual([0, 200, 1_000]);
    expect(c.addressPolicy.allowPrivate).toBe(true);
    expect(c.addressPolicy.allowedHosts.map((r) => r.kind)).toEqual(['name', 'range']);
  });

  it('names each malformed variable', () => {
    expect(() =>
      loadConfig({
        ...base,
        WEBHOOK_RETRY_SCHEDULE: '0,soon',
        WEBHOOK_TIMEOUT: '10',
        WEBHOOK_ALLOWED_HOSTS: 'http://x',
      }),
    ).toThrow(
      /WEBHOOK_RETRY_SCHEDULE: "soon" is not a duration[\s\S]*WEBHOOK_TIMEOUT: "10" is not a duration[\s\S]*WEBHOOK_ALLOWED_HOSTS: "http:\/\/x" is not a host name/,
    );
  });
});
