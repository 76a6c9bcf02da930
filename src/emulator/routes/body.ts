/** Request-body helpers shared by the emulator's route families. */

/** The body as a JSON object, or the family's 400. An absent body is `{}` where the API allows it. */
export function objectBody(
  body: unknown,
  error: (message: string) => Error,
  emptyIsObject = false,
): Record<string, unknown> {
  if ((body === undefined || body === null || body === '') && emptyIsObject) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw error('the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
