import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SERVICES, repoRoot, type ServiceName } from '@pi/infra';

export { SERVICES, repoRoot, type ServiceName };

export const fromRoot = (...parts: string[]) => path.join(repoRoot, ...parts);
export const readText = (...parts: string[]) => readFileSync(fromRoot(...parts), 'utf8');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion from the repository root (no shell). */
export function run(command: string, args: string[], cwd = repoRoot): RunResult {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Whether an executable is on PATH. */
export function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** A service's own config loader, from its build: the same zod schema it boots with. */
export async function serviceConfig(
  name: ServiceName,
): Promise<(env: NodeJS.ProcessEnv) => { httpPort: number; grpcPort: number }> {
  const mod = await import(pathToFileURL(fromRoot('services', name, 'dist', 'config.js')).href);
  return mod.loadConfig;
}

/**
 * Config entries that still point at this machine: a variable a deployment forgot to set whose
 * default (made for `npm start`) is a loopback address.
 */
export function loopbackValues(config: Record<string, unknown>): string[] {
  return Object.entries(config)
    .filter(([, v]) => typeof v === 'string' && /\b(127\.0\.0\.1|localhost)\b/.test(v))
    .map(([k, v]) => `${k}=${String(v)}`);
}

export interface DockerStage {
  name: string | undefined;
  from: string;
  /** Instructions after FROM, continuation lines joined: [keyword, rest]. */
  instructions: [string, string][];
}

/** Splits a Dockerfile into stages (comments dropped, `\` continuations joined). */
export function parseDockerfile(text: string): DockerStage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: DockerStage[] = [];
  for (const line of logical) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!m) throw new Error(`unreadable FROM: ${line}`);
      stages.push({ from: m[1]!, name: m[2], instructions: [] });
    } else if (keyword.toUpperCase() !== 'ARG' || stages.length) {
      stages.at(-1)?.instructions.push([keyword.toUpperCase(), rest]);
    }
  }
  return stages;
}

/** The instructions a target runs, base stages first (following FROM <stage>). */
export function stageChain(stages: DockerStage[], target: string): DockerStage[] {
  const stage = stages.find((s) => s.name === target);
  if (!stage) throw new Error(`no stage named ${target}`);
  const parent = stages.find((s) => s.name === stage.from);
  return parent ? [...stageChain(stages, parent.name!), stage] : [stage];
}

/** The ENV a target's image carries (KEY=value pairs, later stages winning). */
export function imageEnv(chain: DockerStage[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [keyword, rest] of chain.flatMap((s) => s.instructions)) {
    if (keyword !== 'ENV') continue;
    for (const m of rest.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) {
      env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
    }
  }
  return env;
}
