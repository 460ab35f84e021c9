import type { CommandRouter } from '../slack/commands/router.js';
import type { SlackListeners } from '../slack/listener-table.js';

/** A capability: its commands, modals, actions, events and jobs, registered in one call. */
export interface Feature {
  register(app: SlackListeners, router: CommandRouter): void;
}
