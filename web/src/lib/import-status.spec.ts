import { describe, expect, it } from 'vitest';
import { importDurationMs, importFraction } from './import-status';
import { importDto } from './test-fixtures';

describe('importFraction', () => {
  it('follows bytes read while the row total is unknown', () => {
    expect(importFraction(importDto({ status: 'parsing', bytesRead: 250 }))).toBe(0.25);
  });

  it('follows rows once the total is known', () => {
    expect(importFraction(importDto({ totalRows: 200, processedRows: 150, bytesRead: 1000 }))).toBe(
      0.75,
    );
  });

  it('is full when completed, also for an empty file', () => {
    expect(importFraction(importDto({ status: 'completed', totalBytes: 0, totalRows: 0 }))).toBe(1);
  });

  it('is zero with nothing to measure', () => {
    expect(importFraction(importDto({ status: 'queued', totalBytes: 0 }))).toBe(0);
  });
});

describe('importDurationMs', () => {
  it('is the time from start to finish', () => {
    const dto = importDto({
      startedAt: '2026-11-22T21:00:00.000Z',
      finishedAt: '2026-11-22T21:00:02.500Z',
    });
    expect(importDurationMs(dto)).toBe(2500);
  });

  it('is unknown while running or with bad times', () => {
    expect(importDurationMs(importDto({ startedAt: '2026-11-22T21:00:00Z' }))).toBeNull();
    expect(
      importDurationMs(importDto({ startedAt: 'x', finishedAt: '2026-11-22T21:00:00Z' })),
    ).toBeNull();
  });
});
