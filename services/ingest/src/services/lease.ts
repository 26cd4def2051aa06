import type { Logger } from 'pino';
import type { ImportState } from '../db.js';
import type { ImportsRepository } from '../repositories/imports.repository.js';
import type { RunningImports } from './running.js';

export interface LeaseDeps {
  imports: ImportsRepository;
  running: RunningImports;
  logger: Logger;
  owner: string;
  leaseMs: number;
}

/**
 * Renews this process's lease on an import while it uploads or splits it (three times per lease,
 * recording progress if given). A lease that can no longer be renewed means the import ended
 * elsewhere (a cancel served by another replica, a failure): the local work is stopped. Returns
 * the function that stops renewing.
 */
export function holdLease(
  d: LeaseDeps,
  importId: string,
  state: Extract<ImportState, 'uploading' | 'splitting'>,
  progress: () => { bytesRead: number; rowsRead: number } | undefined = () => undefined,
): () => void {
  const timer = setInterval(() => {
    void d.imports
      .renewLease(importId, d.owner, state, d.leaseMs, progress())
      .then((held) => held || d.running.stop(importId, 'the import ended elsewhere'))
      .catch((err) => d.logger.warn({ err, importId }, 'cannot renew the lease'));
  }, d.leaseMs / 3);
  return () => clearInterval(timer);
}
