import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commonShape, databaseShape, parseEnv } from '@pi/config';
import { createLogger } from '@pi/logger';
import { createDb, migrateToLatest } from './index.js';

/**
 * The `migrate` command of a service: applies the migrations compiled next to its entry point
 * (`dist/migrations`), recording them in the service's own history table.
 */
export function migrateCommand(service: string, migrationsUrl: URL) {
  return async (): Promise<'exit'> => {
    const config = parseEnv({ LOG_LEVEL: commonShape.LOG_LEVEL, ...databaseShape });
    const logger = createLogger(service, config.LOG_LEVEL);
    const folder = fileURLToPath(migrationsUrl);
    if (!existsSync(folder)) {
      logger.info('no migrations');
      return 'exit';
    }
    const db = createDb<unknown>({
      url: config.DATABASE_URL,
      poolMax: 1,
      applicationName: `${service}-migrate`,
    });
    try {
      const applied = await migrateToLatest(db, { folder, table: service.replace(/-/g, '_') });
      logger.info({ applied }, applied.length ? 'migrations applied' : 'schema is up to date');
    } finally {
      await db.destroy();
    }
    return 'exit';
  };
}
