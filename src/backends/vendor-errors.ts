import type { VendorErrorDescription } from '../http/client.js';

/** Flattens a NestJS-style message (string, array of strings, or object) into one line. */
export function flattenMessage(message: unknown): string | undefined {
  if (typeof message === 'string') return message.trim() || undefined;
  if (Array.isArray(message)) return message.map(flattenMessage).filter(Boolean).join('; ') || undefined;
  if (message && typeof message === 'object') {
    const inner = (message as Record<string, unknown>).message;
    if (inner !== undefined) return flattenMessage(inner);
  }
  return undefined;
}

/** `{statusCode, message, error}` as Novu and Vapi (both NestJS) send; also a bare string body. */
export function describeNestError(_status: number, body: unknown): VendorErrorDescription {
  if (typeof body === 'string') return { message: body.slice(0, 500) || undefined };
  if (!body || typeof body !== 'object') return {};
  const record = body as Record<string, unknown>;
  const fieldErrors = describeFieldErrors(record.errors);
  const message = [flattenMessage(record.message), fieldErrors].filter(Boolean).join(' — ') || flattenMessage(record.error);
  return { message: message?.slice(0, 1000), code: typeof record.error === 'string' ? record.error : undefined };
}

/** Novu's 422 `errors` map: `{ field: { messages: [...] } }`. */
function describeFieldErrors(errors: unknown): string | undefined {
  if (!errors || typeof errors !== 'object' || Array.isArray(errors)) return undefined;
  const parts = Object.entries(errors as Record<string, unknown>).map(([field, detail]) => {
    const messages = detail && typeof detail === 'object' ? flattenMessage((detail as Record<string, unknown>).messages) : flattenMessage(detail);
    return messages ? `${field}: ${messages}` : field;
  });
  return parts.length ? parts.join('; ') : undefined;
}
