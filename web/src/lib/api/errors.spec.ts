import { describe, expect, it } from 'vitest';
import { formErrors } from '$lib/form-errors';
import { ApiError, errorMessage, toApiError } from './errors';

describe('toApiError', () => {
  it('keeps code, message and the field of an API error body', () => {
    const error = toApiError(400, {
      error: { code: 'invalid_argument', message: 'name is required', details: { field: 'name' } },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.code, error.message, error.field]).toEqual([
      400,
      'invalid_argument',
      'name is required',
      'name',
    ]);
  });

  it('still reports the status for a body of another shape', () => {
    const error = toApiError(502, '<html>Bad gateway</html>');
    expect([error.code, error.message, error.field]).toEqual([
      'http_error',
      'The server answered 502.',
      undefined,
    ]);
  });

  it('gives a readable message for anything thrown', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('??')).toBe('Something went wrong.');
  });
});

describe('formErrors', () => {
  const fields = ['sku', 'name'] as const;

  it('puts an error on the field the API names, also as a path', () => {
    const error = new ApiError(400, 'invalid_argument', 'too long', { field: 'body.name' });
    expect(formErrors(error, fields, 'sku')).toEqual({ fields: { name: 'too long' }, form: '' });
  });

  it('puts a conflict without a field on the conflict field (taken SKU)', () => {
    const error = new ApiError(409, 'conflict', 'SKU AB-1 already exists');
    expect(formErrors(error, fields, 'sku')).toEqual({
      fields: { sku: 'SKU AB-1 already exists' },
      form: '',
    });
  });

  it('shows anything else for the whole form', () => {
    const error = new ApiError(503, 'unavailable', 'catalog is down', { field: 'other' });
    expect(formErrors(error, fields)).toEqual({ fields: {}, form: 'catalog is down' });
  });
});
