import { describe, expect, it } from 'vitest';
import { isPermanentDbError, isTransientDbError } from './index.js';

describe('isTransientDbError', () => {
  it.each([
    [{ code: '40P01' }, true],
    [{ code: '40001' }, true],
    [{ code: '08006' }, true],
    [{ code: 'ECONNRESET' }, true],
    [{ message: 'Connection terminated unexpectedly' }, true],
    [{ code: '23505' }, false],
    [{ code: '22001' }, false],
    [undefined, false],
  ])('%o -> %s', (err, expected) => {
    expect(isTransientDbError(err)).toBe(expected);
  });
});

describe('isPermanentDbError', () => {
  it.each([
    [{ code: '23505' }, true],
    [{ code: '22001' }, true],
    [{ code: '40P01' }, false],
    [{ code: 'ECONNRESET' }, false],
    [new Error('publish timed out'), false],
  ])('%o -> %s', (err, expected) => {
    expect(isPermanentDbError(err)).toBe(expected);
  });
});
