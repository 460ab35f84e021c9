import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logging/logger.js';
import type { Actor } from '../slack/actor.js';

/** What one feature tells the others, without knowing who listens. */
export interface FeatureEventMap {
  /** Something a person's App Home shows has changed; with the request's client when a person is waiting. */
  homeChanged: [actor: Actor, client?: WebClient];
}

type Listener<K extends keyof FeatureEventMap> = (...args: FeatureEventMap[K]) => Promise<void>;

/**
 * A typed, awaited event hub: `emit` resolves when every listener has finished, so a click that
 * changes the Home tab answers after the tab is drawn again. A listener's failure is logged, never
 * the emitter's problem.
 */
export class FeatureEvents {
  private readonly listeners: { [K in keyof FeatureEventMap]?: Listener<K>[] } = {};

  constructor(private readonly logger: Logger) {}

  on<K extends keyof FeatureEventMap>(name: K, listener: Listener<K>): void {
    this.listeners[name] = [...(this.listeners[name] ?? []), listener];
  }

  async emit<K extends keyof FeatureEventMap>(name: K, ...args: FeatureEventMap[K]): Promise<void> {
    const settled = await Promise.allSettled((this.listeners[name] ?? []).map((listener) => listener(...args)));
    for (const result of settled) if (result.status === 'rejected') this.logger.warn({ err: result.reason, event: name }, 'a feature event listener failed');
  }
}
