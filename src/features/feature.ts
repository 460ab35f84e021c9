import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JobDefinition } from '../jobs/queue.js';
import type { CommandRouter } from '../slack/commands/router.js';
import type { SlackListeners } from '../slack/listener-table.js';

/** A capability: its commands, modals, actions and events (registered in one call), and the jobs its workflows run. */
export interface Feature {
  register(app: SlackListeners, router: CommandRouter): void;
  /** Registered with the queue when the app starts, before any request or worker can ask for them. */
  jobs?: readonly JobDefinition[];
  /** HTTP paths it serves (a vendor's webhooks), beside Slack's. */
  routes?: HttpRoutes;
}

/** A path Switchboard's HTTP server answers (vendors' webhooks), outside Slack's request path. */
export type HttpRoutes = Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>>;
