import { Counter, Histogram, type Registry } from 'prom-client';
import type { ImportState } from './db.js';

/** Domain metrics of ingest: bytes stored, rows split, chunks published, how imports end. */
export function ingestMetrics(registry: Registry) {
  const uploadedBytes = new Counter({
    name: 'ingest_uploaded_bytes_total',
    help: 'Bytes of CSV files stored in the object store',
    registers: [registry],
  });
  const rows = new Counter({
    name: 'ingest_rows_split_total',
    help: 'Data rows read by finished splits, by whether they were valid or rejected',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const chunks = new Counter({
    name: 'ingest_chunks_published_total',
    help: 'Chunk messages published by finished splits',
    registers: [registry],
  });
  const splitSeconds = new Histogram({
    name: 'ingest_split_duration_seconds',
    help: 'Time to split one file into chunks',
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const ended = new Counter({
    name: 'ingest_imports_ended_total',
    help: 'Imports that reached a terminal state, by state',
    labelNames: ['state'] as const,
    registers: [registry],
  });
  return {
    uploaded: (bytes: number) => uploadedBytes.inc(bytes),
    split: (r: { validRows: number; rejected: number; totalChunks: number }, seconds: number) => {
      rows.inc({ result: 'valid' }, r.validRows);
      rows.inc({ result: 'rejected' }, r.rejected);
      chunks.inc(r.totalChunks);
      splitSeconds.observe(seconds);
    },
    ended: (state: ImportState) => ended.inc({ state }),
  };
}
export type IngestMetrics = ReturnType<typeof ingestMetrics>;
