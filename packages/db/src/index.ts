import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  FileMigrationProvider,
  Kysely,
  Migrator,
  PostgresDialect,
  sql,
  type MigrationResultSet,
} from 'kysely';
import pg from 'pg';

export { sql };
export type {
  Kysely,
  Transaction,
  Selectable,
  Insertable,
  Updateable,
  Generated,
  ColumnType,
} from 'kysely';

// int8 (counts, sums) and numeric fit in a JS number for this product's sizes.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export interface DbOptions {
  url: string;
  poolMax?: number;
  applicationName?: string;
}

export function createPool({ url, poolMax = 10, applicationName }: DbOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection (PostgreSQL restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

export function createDb<DB>(options: DbOptions): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: createPool(options) }) });
}

export interface MigrateOptions {
  /** Absolute folder of compiled migration files, named `YYYY-MM-DDTHHmm-what.js`. */
  folder: string;
  /** Each service keeps its own history so services migrate independently. */
  table: string;
}

/** Runs pending migrations under Kysely's lock table; throws with the failing migration's name. */
export async function migrateToLatest(
  db: Kysely<unknown>,
  options: MigrateOptions,
): Promise<string[]> {
  const migrator = createMigrator(db, options);
  const { error, results } = await migrator.migrateToLatest();
  return reportMigration(error, results);
}

export async function migrateDown(db: Kysely<unknown>, options: MigrateOptions): Promise<string[]> {
  const { error, results } = await createMigrator(db, options).migrateDown();
  return reportMigration(error, results);
}

function createMigrator(db: Kysely<unknown>, { folder, table }: MigrateOptions) {
  return new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: folder }),
    migrationTableName: `${table}_migration`,
    migrationLockTableName: `${table}_migration_lock`,
  });
}

function reportMigration(error: unknown, results: MigrationResultSet['results']): string[] {
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const where = failed ? ` in migration ${failed.migrationName}` : '';
    throw new Error(`Migration failed${where}: ${(error as Error).message ?? String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

/** True for errors a retry can cure: deadlocks, serialization failures, lost connections. */
export function isTransientDbError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && (TRANSIENT_SQLSTATES.has(e.code) || e.code.startsWith('08'))) return true;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(e.code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    e.message ?? '',
  );
}

/** True for a PostgreSQL error that a retry cannot cure (bad data, constraint, syntax). */
export function isPermanentDbError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !isTransientDbError(err);
}

/** Readiness probe for a database. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema
export async function pingDb(db: Kysely<any>): Promise<void> {
  await sql`select 1`.execute(db);
}
export * from './migrate-command.js';
export * from './listen.js';
