import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/infra/{src,dist}/paths.*). */
export const repoRoot = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** Every local datum (databases, object store, logs) lives under this one ignored folder. */
export const dataRoot = (env: NodeJS.ProcessEnv = process.env) =>
  path.resolve(env.PI_DATA_DIR ?? path.join(repoRoot, '.data'));
