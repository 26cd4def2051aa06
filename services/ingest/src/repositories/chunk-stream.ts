import { jetstreamManager } from '@nats-io/jetstream';
import { natsNames } from '@pi/contracts';
import type { NatsConnection } from '@pi/messaging';

/** The chunks work-queue stream, as far as ingest manages it: dropping an import's pending chunks. */
export class ChunkStream {
  private readonly names;

  constructor(
    private readonly nc: NatsConnection,
    prefix: string,
  ) {
    this.names = natsNames(prefix);
  }

  /** Removes the chunks of an import no worker has taken yet; returns how many. */
  async purge(importId: string): Promise<number> {
    const jsm = await jetstreamManager(this.nc);
    const res = await jsm.streams.purge(this.names.chunksStream, {
      filter: this.names.chunkSubject(importId),
    });
    return res.purged;
  }
}
