import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

/**
 * One run for the whole repository. `unit` tests sit beside the code (`*.spec.ts`); `integration`
 * tests (`test/**\/*.test.ts`) run against real PostgreSQL, NATS and S3 provisioned once per run.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.spec.ts',
            'services/*/src/**/*.spec.ts',
            'proto/src/**/*.spec.ts',
          ],
        },
      },
      {
        // The dashboard's stores (`.svelte.ts`, compiled for runes) and pure helpers.
        plugins: [svelte({ configFile: false })],
        resolve: {
          alias: { $lib: fileURLToPath(new URL('./web/src/lib', import.meta.url)) },
          conditions: ['browser'],
        },
        test: {
          name: 'web',
          include: ['web/src/**/*.spec.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'test/**/*.test.ts',
            'services/*/test/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
          ],
          globalSetup: ['packages/testing/dist/global-setup.js'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Each file starts its own processes; two cores do not profit from more at once.
          maxWorkers: 2,
          minWorkers: 1,
        },
      },
    ],
  },
});
