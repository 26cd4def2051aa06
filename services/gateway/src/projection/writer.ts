import { isDeepStrictEqual } from 'node:util';
import { PoisonMessageError } from '@pi/messaging';
import type { EventEnvelope } from '@pi/proto';
import { apply, isImportPayload, type ImportEvent, type ProgressState } from './fold.js';
import type { ProjectionRepository } from './repository.js';

/**
 * Folds one event into the stored projection: under a per-import lock, load the state, apply the
 * event, and write it back only when it changed (bumping the version and notifying watchers), so
 * a duplicate is a no-op and two gateway replicas never lose each other's updates.
 */
export class ProjectionWriter {
  constructor(private readonly repo: ProjectionRepository) {}

  /** Resolves to whether the event changed the projection (false for a duplicate). */
  async handle(envelope: EventEnvelope): Promise<boolean> {
    const event = toImportEvent(envelope);
    return this.repo.transaction(async (tx) => {
      await tx.lockImport(event.aggregateId);
      const stored = await tx.find(event.aggregateId);
      // The fold asks only whether this event's own chunk was counted, so that is all that is
      // read (not every chunk of the import, for each of its chunks).
      const seq =
        event.payload.$case === 'importChunkApplied' ? event.payload.value.seq : undefined;
      const counted = seq !== undefined && (await tx.isApplied(event.aggregateId, seq));
      const before: ProgressState | undefined = stored && {
        ...stored.view,
        appliedSeqs: new Set(counted ? [seq] : []),
      };
      const after = apply(before, event);
      if (before && isDeepStrictEqual(before, after)) return false;
      await tx.save(after, (stored?.version ?? 0) + 1);
      await tx.addAppliedSeqs(event.aggregateId, newSeqs(before, after));
      await tx.notifyChanged(event.aggregateId);
      return true;
    });
  }
}

function toImportEvent(e: EventEnvelope): ImportEvent {
  if (!isImportPayload(e.payload)) throw new PoisonMessageError(`${e.type} is not an import event`);
  if (!e.occurredAt || !e.aggregateId) {
    throw new PoisonMessageError(`Event ${e.id} (${e.type}) has no time or import id`);
  }
  return { aggregateId: e.aggregateId, occurredAt: e.occurredAt, payload: e.payload };
}

function newSeqs(before: ProgressState | undefined, after: ProgressState): number[] {
  return [...after.appliedSeqs].filter((seq) => !before?.appliedSeqs.has(seq));
}
