import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { canConnect, waitFor } from './net.js';

export interface LocalNats {
  url: string;
  stop(): Promise<void>;
}

/** A nats-server binary on PATH (or the Debian location, which is not on a user's PATH). */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [
    ...(env.PATH ?? '').split(path.delimiter),
    '/usr/sbin',
    '/usr/local/sbin',
    '/usr/local/bin',
  ];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = path.join(dir, 'nats-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export async function spawnNatsServer(
  binary: string,
  storeDir: string,
  port: number,
): Promise<LocalNats> {
  mkdirSync(storeDir, { recursive: true });
  const child: ChildProcess = spawn(
    binary,
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let failure: Error | undefined;
  child.once('error', (err) => (failure = err));
  await waitFor(
    `nats-server on port ${port}`,
    async () => {
      if (failure) throw new Error(`Cannot start ${binary}: ${failure.message}`);
      if (child.exitCode !== null) throw new Error(`${binary} exited with code ${child.exitCode}`);
      return canConnect('127.0.0.1', port);
    },
    15_000,
  );
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
