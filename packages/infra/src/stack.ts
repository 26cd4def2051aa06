import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { canConnect, freePort, waitFor } from './net.js';
import { repoRoot } from './paths.js';

/** The services, in the order they migrate and start. */
export const SERVICES = ['catalog', 'webhook-dispatcher', 'ingest', 'gateway'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const serviceEntry = (name: ServiceName) =>
  path.join(repoRoot, 'services', name, 'dist', 'index.js');

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  httpPort: number;
  grpcPort: number;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StackOptions {
  /** Points services at PostgreSQL, NATS and S3 (see provisionInfra). */
  env: Record<string, string>;
  catalogReplicas: number;
  logDir: string;
  /** Fixed ports for `npm start`; tests leave it out and get free ports. */
  ports?: { gatewayHttp: number; gatewayGrpc: number; base: number };
  /** Receives every log line a service prints (JSON), e.g. to echo warnings. */
  onLog?: (service: string, line: string) => void;
}

export interface Stack {
  gatewayUrl: string;
  gatewayGrpc: string;
  processes: ServiceProcess[];
  /** Starts one more process of a service (e.g. a replacement catalog worker). */
  spawnService(name: ServiceName, replica?: number): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

/** Runs a service's `migrate` command to completion. */
export async function migrateService(
  name: ServiceName,
  env: Record<string, string>,
  logDir: string,
): Promise<void> {
  const child = runNode(name, ['migrate'], env, logDir, `${name}-migrate`);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) {
    throw new Error(
      `Migrations of ${name} failed (exit ${code}); see ${path.join(logDir, `${name}-migrate.log`)}`,
    );
  }
}

/**
 * Node options per service, as the images set them (Dockerfile). Ingest streams gigabytes through
 * a small live set (well under 100 MB); left alone, V8 lets its heap grow to several times that
 * between full collections, which is most of ingest's peak memory.
 */
export const SERVICE_NODE_ARGS: Partial<Record<ServiceName, string[]>> = {
  ingest: ['--max-old-space-size=192'],
};

function runNode(
  name: ServiceName,
  args: string[],
  env: Record<string, string>,
  logDir: string,
  logName: string,
  onLog?: (service: string, line: string) => void,
): ChildProcess {
  mkdirSync(logDir, { recursive: true });
  const nodeArgs = SERVICE_NODE_ARGS[name] ?? [];
  const child = spawn(process.execPath, [...nodeArgs, serviceEntry(name), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const file = createWriteStream(path.join(logDir, `${logName}.log`), { flags: 'a' });
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      file.write(`${line}\n`);
      onLog?.(logName, line);
    });
  }
  child.once('exit', () => file.end());
  return child;
}

/** Migrates, then starts every service as its own process and waits until each is ready. */
export async function startStack(options: StackOptions): Promise<Stack> {
  for (const name of SERVICES) await migrateService(name, options.env, options.logDir);

  const ports = new Map<string, { http: number; grpc: number }>();
  const portsFor = async (name: ServiceName, replica: number) => {
    const key = `${name}#${replica}`;
    if (!ports.has(key)) {
      const fixed = options.ports;
      const index = SERVICES.indexOf(name);
      ports.set(
        key,
        name === 'gateway' && fixed
          ? { http: fixed.gatewayHttp, grpc: fixed.gatewayGrpc }
          : fixed
            ? {
                http: fixed.base + index * 10 + replica,
                grpc: fixed.base + 1000 + index * 10 + replica,
              }
            : { http: await freePort(), grpc: await freePort() },
      );
    }
    return ports.get(key)!;
  };

  const catalogTargets = await Promise.all(
    Array.from(
      { length: options.catalogReplicas },
      async (_, i) => `127.0.0.1:${(await portsFor('catalog', i)).grpc}`,
    ),
  );
  const grpcUrl = async (name: ServiceName) => `127.0.0.1:${(await portsFor(name, 0)).grpc}`;
  const sharedEnv = {
    ...options.env,
    CATALOG_GRPC_URL: catalogTargets.join(','),
    INGEST_GRPC_URL: await grpcUrl('ingest'),
    WEBHOOKS_GRPC_URL: await grpcUrl('webhook-dispatcher'),
  };

  const processes: ServiceProcess[] = [];
  const spawnService = async (name: ServiceName, replica = 0): Promise<ServiceProcess> => {
    const { http, grpc } = await portsFor(name, replica);
    const env: Record<string, string> = {
      ...sharedEnv,
      GRPC_PORT: String(grpc),
      ...(name === 'gateway' ? { PORT: String(http) } : { HTTP_PORT: String(http) }),
      REPLICA: String(replica),
    };
    const logName = replica ? `${name}-${replica}` : name;
    const child = runNode(name, [], env, options.logDir, logName, options.onLog);
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    const proc: ServiceProcess = {
      name: logName,
      child,
      httpPort: http,
      grpcPort: grpc,
      exited,
      async stop(signal = 'SIGTERM') {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      },
    };
    processes.push(proc);
    return proc;
  };

  const stop = async () => {
    // Gateway first so nothing new comes in, then the rest at once.
    const gateway = processes.filter((p) => p.name === 'gateway');
    await Promise.all(gateway.map((p) => p.stop()));
    await Promise.all(processes.map((p) => p.stop()));
  };

  try {
    for (const name of SERVICES) {
      const replicas = name === 'catalog' ? options.catalogReplicas : 1;
      for (let r = 0; r < replicas; r++) await spawnService(name, r);
    }
    await Promise.all(processes.map((p) => waitReady(p, options.logDir)));
  } catch (err) {
    await stop();
    throw err;
  }
  const gw = await portsFor('gateway', 0);
  return {
    gatewayUrl: `http://localhost:${gw.http}`,
    gatewayGrpc: `127.0.0.1:${gw.grpc}`,
    processes,
    spawnService,
    stop,
  };
}

/** Waits for a process's /readyz to answer 200, failing fast if it exits. */
export async function waitReady(
  p: ServiceProcess,
  logDir: string,
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(
    `${p.name} to be ready`,
    async () => {
      if (p.child.exitCode !== null) {
        throw new Error(
          `${p.name} exited with code ${p.child.exitCode}; see ${path.join(logDir, `${p.name}.log`)}`,
        );
      }
      if (!(await canConnect('127.0.0.1', p.httpPort))) return false;
      const res = await fetch(`http://127.0.0.1:${p.httpPort}/readyz`).catch(() => undefined);
      return res?.status === 200;
    },
    timeoutMs,
    200,
  );
}
