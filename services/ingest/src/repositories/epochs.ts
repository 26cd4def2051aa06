import { CatalogInternalServiceClient } from '@pi/proto';
import { call, clientArgs } from '@pi/service';

/** Write epochs come from the catalog, which orders imports and manual edits together. */
export class EpochAllocator {
  private readonly client: CatalogInternalServiceClient;

  constructor(target: string) {
    this.client = new CatalogInternalServiceClient(...clientArgs(target));
  }

  async allocate(importId: string): Promise<number> {
    const res = await call(this.client, 'allocateWriteEpoch', { importId }, { timeoutMs: 10_000 });
    return res.epoch;
  }

  close(): void {
    this.client.close();
  }
}
