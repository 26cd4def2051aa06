export type ToastKind = 'success' | 'error' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

type Schedule = (fn: () => void, ms: number) => unknown;

/** Short notices in the corner; errors stay longer because they usually need reading. */
export class ToastStore {
  items = $state<Toast[]>([]);
  #nextId = 1;

  constructor(
    private readonly durations: Record<ToastKind, number> = {
      success: 4000,
      info: 4000,
      error: 8000,
    },
    private readonly schedule: Schedule = (fn, ms) => setTimeout(fn, ms),
  ) {}

  show(kind: ToastKind, message: string): number {
    const id = this.#nextId++;
    this.items = [...this.items, { id, kind, message }];
    this.schedule(() => this.dismiss(id), this.durations[kind]);
    return id;
  }

  success = (message: string) => this.show('success', message);
  error = (message: string) => this.show('error', message);
  info = (message: string) => this.show('info', message);

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new ToastStore();
