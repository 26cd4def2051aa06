/**
 * Imports this process is working on (uploading or splitting), so a cancel or a failure reported
 * by the catalog stops the work here at once; other replicas notice at their next lease renewal.
 */
export class RunningImports {
  private readonly controllers = new Map<string, AbortController>();

  start(importId: string): AbortSignal {
    const controller = new AbortController();
    this.controllers.set(importId, controller);
    return controller.signal;
  }

  stop(importId: string, reason: string): void {
    this.controllers.get(importId)?.abort(new ImportStoppedError(reason));
  }

  finish(importId: string): void {
    this.controllers.delete(importId);
  }

  stopAll(reason: string): void {
    for (const c of this.controllers.values()) c.abort(new ImportStoppedError(reason));
  }
}

/** The reason an import's work was aborted (cancelled, failed elsewhere, shutting down). */
export class ImportStoppedError extends Error {
  override name = 'ImportStoppedError';
}
