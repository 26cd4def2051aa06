import { describe, expect, it } from 'vitest';
import { ConfigError, commonShape, databaseShape, env, natsShape, parseEnv } from './index.js';

describe('parseEnv', () => {
  it('applies defaults', () => {
    const cfg = parseEnv({ ...commonShape, ...natsShape, PORT: env.port(8080) }, {});
    expect(cfg).toMatchObject({ LOG_LEVEL: 'info', PORT: 8080, NATS_PREFIX: 'pi' });
  });

  it('names a missing required variable', () => {
    expect(() => parseEnv(databaseShape, {})).toThrowError(/DATABASE_URL: is required/);
  });

  it('names every malformed variable at once', () => {
    try {
      parseEnv(
        { PORT: env.port(1), DATABASE_URL: env.url(), DEBUG: env.bool(false) },
        {
          PORT: 'eighty',
          DATABASE_URL: 'not a url',
          DEBUG: 'maybe',
        },
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const vars = (e as ConfigError).problems.map((p) => p.variable).sort();
      expect(vars).toEqual(['DATABASE_URL', 'DEBUG', 'PORT']);
      expect((e as Error).message).toMatch(/PORT: must be a port number/);
      expect((e as Error).message).toMatch(/DEBUG: must be true or false/);
    }
  });

  it('rejects an out-of-range port and a bad prefix', () => {
    expect(() => parseEnv({ PORT: env.port(1) }, { PORT: '70000' })).toThrowError(
      /PORT: must be between/,
    );
    expect(() => parseEnv(natsShape, { NATS_PREFIX: 'Bad-Prefix' })).toThrowError(/NATS_PREFIX/);
  });

  it('parses booleans and lists', () => {
    const cfg = parseEnv({ A: env.bool(false), L: env.list() }, { A: 'YES', L: ' a, b ,,c' });
    expect(cfg).toEqual({ A: true, L: ['a', 'b', 'c'] });
  });
});
