import {
  Metadata,
  Server,
  ServerCredentials,
  credentials,
  type CallOptions,
  type ServiceError,
  type ChannelOptions,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { fromGrpcError } from './errors.js';

export { HealthImplementation };

export function createGrpcServer(): Server {
  return new Server({
    'grpc.max_receive_message_length': 8 * 1024 * 1024,
    'grpc.max_send_message_length': 8 * 1024 * 1024,
  });
}

/** Registers the standard grpc.health.v1 service; statuses are set by `startService`. */
export function addHealthService(server: Server, serviceNames: string[]): HealthImplementation {
  const statusMap: Record<string, ServingStatus> = { '': 'NOT_SERVING' };
  for (const n of serviceNames) statusMap[n] = 'NOT_SERVING';
  const health = new HealthImplementation(statusMap);
  health.addToServer(server);
  return health;
}

export function addService<T extends UntypedServiceImplementation>(
  server: Server,
  definition: ServiceDefinition,
  implementation: T,
): void {
  server.addService(definition, implementation);
}

export function bindGrpc(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err, bound) =>
      err
        ? reject(new Error(`Cannot listen for gRPC on ${host}:${port}: ${err.message}`))
        : resolve(bound),
    );
  });
}

/**
 * Options for a client of an internal service. `target` may list several addresses
 * (`ipv4:127.0.0.1:50053,127.0.0.1:50063`) to balance over replicas.
 */
export function clientArgs(
  target: string,
): [string, ReturnType<typeof credentials.createInsecure>, ChannelOptions] {
  return [
    target.includes(',') && !target.startsWith('ipv4:') ? `ipv4:${target}` : target,
    credentials.createInsecure(),
    {
      'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
      'grpc.max_receive_message_length': 8 * 1024 * 1024,
      'grpc.max_send_message_length': 8 * 1024 * 1024,
      'grpc.keepalive_time_ms': 30_000,
      // A restarted backend is back within seconds; do not let the channel back off for longer.
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2_000,
    },
  ];
}

/** Request and response types of a ts-proto grpc-js client method (its last overload). */
type UnaryTypes<F> = F extends (
  request: infer Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (err: ServiceError | null, response: infer Res) => void,
) => unknown
  ? { request: Req; response: Res }
  : never;

/**
 * Calls a unary method of a ts-proto grpc-js client as a promise, e.g.
 * `call(clients.catalog, 'getProduct', { id })`. A failure becomes an AppError with the status's
 * code and details (see fromGrpcError), so every caller maps errors the same way.
 */
export function call<C extends object, K extends keyof C>(
  client: C,
  method: K,
  request: UnaryTypes<C[K]>['request'],
  options: { timeoutMs?: number } = {},
): Promise<UnaryTypes<C[K]>['response']> {
  const fn = client[method] as unknown as (...args: unknown[]) => unknown;
  return new Promise((resolve, reject) => {
    fn.call(
      client,
      request,
      new Metadata(),
      { deadline: Date.now() + (options.timeoutMs ?? 30_000) },
      (err: ServiceError | null, res: UnaryTypes<C[K]>['response']) =>
        err ? reject(fromGrpcError(err)) : resolve(res),
    );
  });
}
