/** What the global setup provisions once per test run and hands to every test file. */
export interface TestInfra {
  /** `containers` when a Docker engine ran them, `local` otherwise. */
  mode: 'containers' | 'local';
  /** Admin connection (database `postgres`) of the test PostgreSQL. */
  adminUrl: string;
  /** A database migrated by every service; test files clone it. */
  templateDatabase: string;
  natsUrl: string;
  s3: { endpoint: string; accessKey: string; secretKey: string; bucket: string };
  dataDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    infra: TestInfra;
  }
}
