import { existsSync } from 'node:fs';
import http from 'node:http';

/** True when a Docker engine answers its ping within a second (testcontainers needs one). */
export async function dockerReachable(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (env.TESTCONTAINERS === 'false') return false;
  const socketPath = env.DOCKER_HOST?.startsWith('unix://')
    ? env.DOCKER_HOST.slice(7)
    : '/var/run/docker.sock';
  if (!env.DOCKER_HOST?.startsWith('tcp://') && !existsSync(socketPath)) return false;
  const target = env.DOCKER_HOST?.startsWith('tcp://')
    ? {
        host: new URL(env.DOCKER_HOST.replace('tcp://', 'http://')).hostname,
        port: Number(new URL(env.DOCKER_HOST.replace('tcp://', 'http://')).port),
      }
    : { socketPath };
  return new Promise((resolve) => {
    const req = http.get({ ...target, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
