import { describe, expect, it } from 'vitest';
import { assertHandlersMatch } from './consumer.js';
import { CONSUMERS } from './provision.js';

const noop = async () => undefined;

describe('assertHandlersMatch', () => {
  it('accepts a table covering exactly the subscribed types', () => {
    const handlers = Object.fromEntries(CONSUMERS.ingestLifecycle.eventTypes.map((t) => [t, noop]));
    expect(() => assertHandlersMatch(CONSUMERS.ingestLifecycle, handlers)).not.toThrow();
  });

  it('refuses a missing handler and names it', () => {
    expect(() =>
      assertHandlersMatch(CONSUMERS.ingestLifecycle, { 'import.chunk_applied': noop }),
    ).toThrow(/missing: import.split_finished/);
  });

  it('refuses a handler for a type the consumer does not receive', () => {
    const handlers = {
      'import.chunk_applied': noop,
      'import.split_finished': noop,
      'product.created': noop,
    };
    expect(() => assertHandlersMatch(CONSUMERS.ingestLifecycle, handlers)).toThrow(
      /not subscribed: product.created/,
    );
  });
});
