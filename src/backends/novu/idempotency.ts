import { digest } from '../../util/ids.js';

/**
 * An Idempotency-Key for one write: the operation, the intent it serves (a job id, stable across
 * retries) and a digest of the body. Novu scopes keys per organization, not per route, and refuses
 * a reused key with another body, so all three are part of it. Well under Novu's 255 characters.
 */
export function idempotencyKey(operation: string, intent: string, body: unknown): string {
  return `switchboard:${operation}:${intent}:${digest([canonicalJson(body)], 32)}`.slice(0, 255);
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
