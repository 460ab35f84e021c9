import { createHash, randomBytes } from 'node:crypto';

/** Sortable by creation time (to the millisecond), unique by 64 random bits. */
export function newId(now = Date.now()): string {
  return `${now.toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A short, stable, URL-safe digest of the parts, for identifiers derived from inputs. */
export function digest(parts: readonly string[], length = 16): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, length);
}
