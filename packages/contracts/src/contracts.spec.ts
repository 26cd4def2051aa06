import { describe, expect, it } from 'vitest';
import {
  EVENT_TYPES,
  WEBHOOK_EVENT_TYPES,
  decodeEvent,
  encodeEvent,
  eventData,
  natsNames,
  newEvent,
} from './index.js';

describe('contracts', () => {
  it('round-trips an event through protobuf', () => {
    const e = newEvent('import.completed', 'imp-1', {
      totalRows: 3,
      inserted: 2,
      updated: 1,
      rejected: 0,
    });
    const back = decodeEvent(encodeEvent(e));
    expect(back).toEqual(e);
    expect(eventData(back)).toEqual({ totalRows: 3, inserted: 2, updated: 1, rejected: 0 });
  });

  it('offers only known event types to webhooks', () => {
    for (const t of Object.keys(WEBHOOK_EVENT_TYPES)) expect(EVENT_TYPES).toHaveProperty(t);
  });

  it('names subjects under the prefix', () => {
    const n = natsNames('t1');
    expect(n.eventsStream).toBe('T1_EVENTS');
    expect(n.eventSubject('product.created')).toBe('t1.events.product.created');
    expect(n.eventTypeFromSubject('t1.events.import.failed')).toBe('import.failed');
  });
});
