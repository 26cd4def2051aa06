import { describe, expect, it } from 'vitest';
import { ToastStore } from './toasts.svelte';

/** A store whose timers the test fires by hand. */
function storeWithManualTimers() {
  const timers: { fn: () => void; ms: number }[] = [];
  const store = new ToastStore({ success: 10, info: 10, error: 99 }, (fn, ms) =>
    timers.push({ fn, ms }),
  );
  return { store, timers };
}

describe('ToastStore', () => {
  it('shows toasts in order and dismisses each after its kind’s duration', () => {
    const { store, timers } = storeWithManualTimers();
    store.success('saved');
    store.error('failed');
    expect(store.items.map((t) => [t.kind, t.message])).toEqual([
      ['success', 'saved'],
      ['error', 'failed'],
    ]);
    expect(timers.map((t) => t.ms)).toEqual([10, 99]);

    timers[0]!.fn();
    expect(store.items.map((t) => t.message)).toEqual(['failed']);
  });

  it('dismisses by id, leaving the others', () => {
    const { store } = storeWithManualTimers();
    const first = store.info('one');
    store.info('two');
    store.dismiss(first);
    expect(store.items.map((t) => t.message)).toEqual(['two']);
    store.dismiss(12345);
    expect(store.items).toHaveLength(1);
  });
});
