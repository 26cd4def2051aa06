import { mkdirSync } from 'node:fs';
import S3rver from 's3rver';

export interface LocalS3 {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  stop(): Promise<void>;
}

/** An S3-compatible dev server (s3rver) in this process, storing objects under `dir`. */
export async function startLocalS3(dir: string, port: number, buckets: string[]): Promise<LocalS3> {
  mkdirSync(dir, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    directory: dir,
    silent: true,
    allowMismatchedSignatures: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port: bound } = (await server.run()) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    stop: () => server.close(),
  };
}
