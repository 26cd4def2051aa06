import { loadPackageDefinition, type Client, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';
import { clientArgs } from './grpc.js';

type HealthClient = Client & {
  check(
    req: { service: string },
    opts: { deadline: Date },
    cb: (err: Error | null, res?: { status: string }) => void,
  ): void;
};

const HealthCtor = (() => {
  const def = loadPackageDefinition(loadSync(protoPath, { keepCase: true, enums: String }));
  return (def.grpc as { health: { v1: { Health: ServiceClientConstructor } } }).health.v1.Health;
})();

/** A grpc.health.v1 client for a service; `check()` resolves to the serving status. */
export function healthClient(target: string) {
  const client = new HealthCtor(...clientArgs(target)) as unknown as HealthClient;
  return {
    check: (service = '', timeoutMs = 1500) =>
      new Promise<string>((resolve, reject) => {
        client.check({ service }, { deadline: new Date(Date.now() + timeoutMs) }, (err, res) =>
          err ? reject(err) : resolve(res?.status ?? 'UNKNOWN'),
        );
      }),
    close: () => client.close(),
  };
}
