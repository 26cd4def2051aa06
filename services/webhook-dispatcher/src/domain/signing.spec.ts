import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newSecret, sign, signedHeaders } from './signing.js';

describe('signing', () => {
  it('makes whsec_ secrets of 24 random bytes', () => {
    const a = newSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(24);
    expect(newSecret()).not.toBe(a);
  });

  it('matches the Standard Webhooks test vector', () => {
    // From the Standard Webhooks specification's reference libraries.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const body = '{"test": 2432232314}';
    expect(sign(secret, id, 1614265330, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('produces headers the independent standardwebhooks package verifies', () => {
    const secret = newSecret();
    const body = JSON.stringify({ type: 'product.created', timestamp: 'now', data: { id: '1' } });
    const headers = signedHeaders(secret, 'delivery-1', body, new Date());
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
  });

  it('refuses a secret without the whsec_ prefix', () => {
    expect(() => sign('abc', 'id', 1, '{}')).toThrow(/whsec_/);
  });
});
