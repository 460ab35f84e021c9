import type { Kysely } from 'kysely';
import { changed } from '../engine.js';
import type { Database } from '../schema.js';

export interface ProcessedEvents {
  /** True the first time an event id is seen; false for a redelivery. */
  markFirstDelivery(eventId: string, now?: number): Promise<boolean>;
  pruneBefore(before: number): Promise<number>;
}

export function processedEvents(db: Kysely<Database>): ProcessedEvents {
  return {
    async markFirstDelivery(eventId, now = Date.now()) {
      const inserted = await db
        .insertInto('processed_events')
        .values({ event_id: eventId, received_at: now })
        .onConflict((conflict) => conflict.column('event_id').doNothing())
        .returning('event_id')
        .executeTakeFirst();
      return inserted !== undefined;
    },
    pruneBefore: (before) => changed(db.deleteFrom('processed_events').where('received_at', '<', before)),
  };
}
