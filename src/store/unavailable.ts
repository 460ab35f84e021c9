/**
 * The store did not answer a read a request needed (its database unreachable, stalled or failing
 * over). Whoever sees it answers "try again" — never "not installed", never a silent success.
 */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`The store is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StoreUnavailableError';
  }
}

/** Whether the error, or one it wraps (`cause`, or `original` as Slack's SDKs wrap), is the store's. */
export function causedByStore(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    if (current instanceof StoreUnavailableError) return true;
    seen.add(current);
    const wrapped = current as Error & { original?: unknown };
    current = wrapped.original ?? wrapped.cause;
  }
  return false;
}

/** Loads from the store, a failure marked as the store's. */
export function fromStore<T>(read: Promise<T>): Promise<T> {
  return read.catch((error: unknown) => {
    throw new StoreUnavailableError(error);
  });
}
