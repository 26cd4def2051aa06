import { ApiError, errorMessage } from '$lib/api/errors';

/** Errors of a form: per field, plus one for the whole form when no field is named. */
export interface FormErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  form: string;
}

/**
 * Puts an API error on the field it names (`details.field`, possibly a path like `body.sku`);
 * a conflict without a field goes to `conflictField` (a taken SKU or URL).
 */
export function formErrors<F extends string>(
  error: unknown,
  fields: readonly F[],
  conflictField?: F,
): FormErrors<F> {
  if (error instanceof ApiError) {
    const named = error.field?.split('.').pop() as F | undefined;
    const field =
      named && fields.includes(named)
        ? named
        : error.status === 409 || error.code === 'conflict'
          ? conflictField
          : undefined;
    if (field)
      return { fields: { [field]: error.message } as Partial<Record<F, string>>, form: '' };
  }
  return { fields: {}, form: errorMessage(error) };
}
