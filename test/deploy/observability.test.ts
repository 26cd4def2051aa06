import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  SERVICES,
  fromRoot,
  imageEnv,
  parseDockerfile,
  readText,
  serviceConfig,
  stageChain,
} from './helpers.js';

/** Metric names the code registers with prom-client (`name: 'x'` beside a Counter/Gauge/...). */
function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        const text = readFileSync(full, 'utf8');
        if (!/from 'prom-client'/.test(text)) continue;
        for (const m of text.matchAll(/name: '([a-z_:][a-z0-9_:]*)'/g)) names.add(m[1]!);
      }
    }
  };
  for (const root of ['services', 'packages']) {
    for (const pkg of readdirSync(fromRoot(root))) walk(fromRoot(root, pkg, 'src'));
  }
  return names;
}

/** Metric names a PromQL expression reads (identifiers followed by a selector or range). */
const metricsIn = (expr: string) =>
  [...expr.matchAll(/([a-z_:][a-z0-9_:]*)\s*[{[]/g)]
    .map((m) => m[1]!)
    .filter((name) => !['by', 'without', 'on', 'ignoring'].includes(name));

/** Metrics that are not ours but documented as coming along: prom-client defaults, NATS exporter. */
const external = /^(process_|nodejs_|jetstream_consumer_)/;

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readText('deploy/grafana/product-importer.json')) as {
    uid: string;
    panels: Panel[];
  };
  const graphs = dashboard.panels.filter((p) => p.type !== 'row');

  it('has a panel for each thing an operator watches', () => {
    const titles = graphs.map((p) => p.title);
    for (const title of [
      'Import rows/s',
      'Chunk apply latency',
      'Consumer lag',
      'Webhook deliveries by result',
      'HTTP latency (p95) by service',
    ]) {
      expect(titles).toContain(title);
    }
  });

  it('reads only metrics the services export (or documented external ones)', () => {
    const exported = exportedMetrics();
    expect(exported).toContain('http_request_duration_seconds');
    const used = graphs.flatMap((p) => (p.targets ?? []).flatMap((t) => metricsIn(t.expr)));
    expect(used.length).toBeGreaterThan(graphs.length - 1);
    const unknown = used
      .map((name) => name.replace(/_(bucket|count|sum)$/, ''))
      .filter((name) => !exported.has(name) && !external.test(name));
    expect(unknown).toEqual([]);
  });

  it('documents every metric it reads in the README', () => {
    const readme = readText('README.md');
    const at = readme.indexOf('## Metrics');
    expect(at, 'README has a Metrics section').toBeGreaterThan(-1);
    const section = readme.slice(at);
    const used = graphs.flatMap((p) => (p.targets ?? []).flatMap((t) => metricsIn(t.expr)));
    const undocumented = [...new Set(used.map((n) => n.replace(/_(bucket|count|sum)$/, '')))]
      .filter((name) => !external.test(name))
      .filter((name) => !section.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });
});

describe('compose observability profile', () => {
  const compose = parse(readText('docker-compose.yml'), { merge: true }) as {
    services: Record<string, { profiles?: string[]; volumes?: string[]; command?: string[] }>;
  };
  const prometheus = parse(readText('deploy/prometheus/prometheus.yml')) as {
    scrape_configs: {
      job_name: string;
      dns_sd_configs?: { names: string[]; port: number }[];
      static_configs?: { targets: string[] }[];
    }[];
  };

  it('is opt-in and mounts files that exist', () => {
    for (const name of ['prometheus', 'grafana', 'nats-exporter']) {
      const service = compose.services[name]!;
      expect(service.profiles).toEqual(['observability']);
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        expect(existsSync(fromRoot(source!)), volume).toBe(true);
      }
    }
  });

  it.each(SERVICES)('Prometheus scrapes every %s replica on its HTTP port', async (name) => {
    const chain = stageChain(parseDockerfile(readText('Dockerfile')), name);
    const config = (await serviceConfig(name))({
      ...imageEnv(chain),
      DATABASE_URL: 'postgres://u:p@db:5432/x',
      S3_ENDPOINT: 'http://s3:9000',
    });
    const job = prometheus.scrape_configs.find((j) => j.job_name === name);
    expect(job?.dns_sd_configs).toEqual([{ names: [name], type: 'A', port: config.httpPort }]);
  });

  it('exports JetStream consumer state for the consumer lag panel', () => {
    const exporter = compose.services['nats-exporter']!;
    expect(exporter.command).toEqual(expect.arrayContaining(['-jsz=all', 'http://nats:8222']));
    const nats = prometheus.scrape_configs.find((j) => j.job_name === 'nats');
    expect(nats?.static_configs?.[0]?.targets).toEqual(['nats-exporter:7777']);
  });
});
