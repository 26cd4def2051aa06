// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    interface PageState {
      /** Products page: cursors of the pages before the current one (see routes/products). */
      previous?: string[];
    }
  }
}
export {};
