/** What a walk through a vendor's pages read. */
export interface Paged<T> {
  items: T[];
  /**
   * The walk stopped at its bound while the vendor had more: how many more when the vendor says
   * (Vapi's `totalItems`), `unknown` when it only says there is a next page (SignalWire's `links.next`).
   */
  more?: number | 'unknown';
  /** A page after the first could not be read: what the vendor said. The items read before it stand. */
  error?: string;
}

/** One page as a vendor client reads it: its items, the cursor of the next page, and the total when the vendor gives one. */
export interface Page<T, C> {
  items: T[];
  next?: C;
  total?: number;
}

export interface PageWalk<T> {
  /** At most this many requests. */
  maxPages: number;
  /** Stop early once what was read is enough (every record looked for was seen, say). */
  enough?: (items: readonly T[]) => boolean;
}

/**
 * Reads pages from `first` until the vendor has no next page, `enough` says so, or `maxPages` were
 * read. Items are kept once by id (offset paging can repeat one when a record is added meanwhile).
 * The first page's failure is thrown: there is nothing to show. A later page's failure ends the walk
 * with what was read and the reason.
 */
export async function readPages<T extends { id: string }, C>(first: C, read: (cursor: C) => Promise<Page<T, C>>, walk: PageWalk<T>): Promise<Paged<T>> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: C | undefined = first;
  let total: number | undefined;
  for (let page = 0; cursor !== undefined; page += 1) {
    if (page >= walk.maxPages) return { items, more: total === undefined ? 'unknown' : Math.max(total - items.length, 1) };
    let answer: Page<T, C>;
    try {
      answer = await read(cursor);
    } catch (error) {
      if (page === 0) throw error;
      return { items, error: error instanceof Error ? error.message : String(error) };
    }
    const before = items.length;
    for (const item of answer.items) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      items.push(item);
    }
    total = answer.total;
    // A page that brings nothing new would bring nothing new again: the walk ends rather than loops.
    if (items.length === before || walk.enough?.(items)) return { items };
    cursor = answer.next;
  }
  return { items };
}
