import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
// @ts-expect-error -- plain ESM script without type declarations
import { ensureHelm } from '../../deploy/tools/helm.mjs';
import { SERVICES, fromRoot, onPath, parseDockerfile, readText, run } from './helpers.js';

/**
 * No tilt binary here. A Tiltfile is Starlark, which Python runs unchanged, so the Tiltfile is
 * executed with recording stand-ins for Tilt's built-ins and the calls it makes are checked.
 */
const RECORDER = String.raw`
import json, sys
calls = []
def rec(kind):
    def f(*args, **kwargs):
        calls.append({'fn': kind, 'args': list(args), 'kwargs': kwargs})
        return {'fn': kind, 'args': list(args)}
    return f
env = {name: rec(name) for name in ['docker_build', 'k8s_yaml', 'helm', 'k8s_resource', 'sync',
                                    'run', 'fall_back_on', 'link']}
exec(compile(open(sys.argv[1]).read(), 'Tiltfile', 'exec'), env)
print(json.dumps(calls, default=str))
`;

interface Call {
  fn: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** Folders of the given workspaces and every @pi/* workspace they depend on. */
function workspaceClosure(roots: string[]): Set<string> {
  const root = JSON.parse(readText('package.json')) as { workspaces: string[] };
  const dirs = root.workspaces.flatMap((w) =>
    w.endsWith('/*')
      ? readdirSync(fromRoot(w.slice(0, -2))).map((d) => `${w.slice(0, -2)}/${d}`)
      : [w],
  );
  const manifests = new Map<string, { dir: string; deps: string[] }>();
  for (const dir of dirs) {
    if (!existsSync(fromRoot(dir, 'package.json'))) continue;
    const pkg = JSON.parse(readText(dir, 'package.json')) as {
      name: string;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    manifests.set(pkg.name, { dir, deps: deps.filter((d) => d.startsWith('@pi/')) });
  }
  const seen = new Set<string>();
  const visit = (name: string) => {
    const m = manifests.get(name);
    if (!m || seen.has(m.dir)) return;
    seen.add(m.dir);
    m.deps.forEach(visit);
  };
  roots.forEach(visit);
  return seen;
}

const hasPython = onPath('python3');
const helm: string | undefined = ensureHelm();

describe.skipIf(!hasPython)(`Tiltfile${hasPython ? '' : ' (skipped: no python3)'}`, () => {
  const r = run('python3', ['-c', RECORDER, fromRoot('Tiltfile')]);
  const calls: Call[] = r.status === 0 ? JSON.parse(r.stdout) : [];
  const of = (fn: string) => calls.filter((c) => c.fn === fn);

  it('runs', () => expect(r.stderr).toBe(''));

  it.each(SERVICES)('builds %s from the Dockerfile dev target with live updates', (name) => {
    const build = of('docker_build').find((c) => c.args[0] === `product-importer/${name}`);
    expect(build?.kwargs).toMatchObject({
      dockerfile: 'Dockerfile',
      target: 'dev',
      build_args: { SERVICE: name },
    });
    expect(parseDockerfile(readText('Dockerfile')).some((s) => s.name === 'dev')).toBe(true);
    const steps = (build!.kwargs.live_update as { fn: string; args: string[] }[]).map((s) => s.fn);
    expect(steps[0]).toBe('fall_back_on');
    expect(steps).toContain('sync');
    expect(steps.at(-1)).toBe('run');
  });

  it.each(SERVICES)("sends %s's image build every workspace it depends on", (name) => {
    const build = of('docker_build').find((c) => c.args[0] === `product-importer/${name}`);
    const only = build!.kwargs.only as string[];
    const roots = name === 'gateway' ? ['@pi/gateway', '@pi/web'] : [`@pi/${name}`];
    for (const dir of workspaceClosure(roots)) expect(only, `${name} needs ${dir}`).toContain(dir);
  });

  it('deploys the chart with the dev values', () => {
    expect(of('helm')).toEqual([
      expect.objectContaining({
        args: ['deploy/helm/product-importer'],
        kwargs: { name: 'pi', values: ['deploy/helm/product-importer/values-dev.yaml'] },
      }),
    ]);
    expect(of('k8s_yaml')).toHaveLength(1);
  });

  it('labels every resource, forwards the dashboard and waits for the backing services', () => {
    const resources = of('k8s_resource');
    for (const res of resources)
      expect(res.kwargs.labels, String(res.kwargs.new_name)).toBeTruthy();
    const gateway = resources.find((c) => c.kwargs.new_name === 'gateway');
    expect(gateway?.kwargs.port_forwards).toContain('8080:8080');
    for (const name of SERVICES) {
      const res = resources.find((c) => c.kwargs.new_name === name);
      expect(res?.kwargs.resource_deps).toEqual(
        expect.arrayContaining(['postgresql', 'nats', 'minio']),
      );
    }
  });

  it.skipIf(!helm)('names workloads and objects the dev chart renders', () => {
    const rendered = run(helm!, [
      'template',
      'pi',
      fromRoot('deploy/helm/product-importer'),
      '-f',
      fromRoot('deploy/helm/product-importer/values-dev.yaml'),
    ]);
    expect(rendered.status, rendered.stderr).toBe(0);
    const objects = parseAllDocuments(rendered.stdout)
      .map((d) => d.toJS() as { kind: string; metadata: { name: string } } | null)
      .filter((o) => o !== null)
      .map((o) => `${o.metadata.name}:${o.kind.toLowerCase()}`);
    const names = objects.map((o) => o.split(':')[0]);
    for (const res of of('k8s_resource')) {
      if (res.args[0]) expect(names).toContain(res.args[0]);
      for (const obj of (res.kwargs.objects as string[] | undefined) ?? []) {
        expect(objects).toContain(obj);
      }
    }
    // Every image the chart deploys is one Tilt builds.
    const built = of('docker_build').map((c) => c.args[0]);
    const images = [...rendered.stdout.matchAll(/image: (product-importer\/[a-z-]+):dev/g)];
    expect(images.length).toBeGreaterThan(0);
    for (const [, image] of images) expect(built).toContain(image);
  });
});
