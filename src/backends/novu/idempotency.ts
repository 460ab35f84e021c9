import { digest } from '../../util/ids.js';

/**
 * An Idempotency-Key for one send of a write: the operation, the send it is (an intent, a job run,
 * and which resend) and a digest of the body. Novu scopes keys per organization, not per route,
 * and refuses a reused key with another body, so all of them are part of it. Well under Novu's
 * 255 characters.
 */
export function idempotencyKey(operation: string, send: string, body: unknown): string {
  return `switchboard:${operation}:${send}:${digest([canonicalJson(body)], 32)}`.slice(0, 255);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
