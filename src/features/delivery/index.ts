import type { Services } from '../../app/services.js';
import type { CommandRouter } from '../../slack/commands/router.js';
import type { SlackListeners } from '../../slack/listener-table.js';
import { Replies } from '../../slack/replies.js';
import type { WorkspaceKey } from '../../store/types.js';
import { TenantContexts } from '../../tenancy/tenant-contexts.js';
import { EndpointWriter } from '../endpoint-writer.js';
import type { Feature } from '../feature.js';
import type { SubscriberPhones } from '../phone/subscriber-phone.js';
import { DeliveryHandlers } from './handlers.js';
import { DeliveryChecks } from './health.js';
import { EndpointMoves } from './moves.js';
import { DeliveryTests } from './test-through-novu.js';
import { TestWorkflows } from './test-workflows.js';

/**
 * Notifications that arrive: one Novu context set per tenant on everything it has (and moving
 * with it), Test through Novu, the delivery check with its fixes, and what integrators must send.
 */
export function deliveryFeature(
  services: Services,
  hooks: { refreshHome: (workspaceKey: WorkspaceKey, userId: string) => Promise<void>; phones: SubscriberPhones | undefined },
): Feature & { moves?: EndpointMoves } {
  const novu = services.backends.novu;
  const scope = services.novuScope;
  const phones = hooks.phones;
  if (!novu || !scope || !phones) return { register() {} };
  const writer = new EndpointWriter(services, novu, scope);
  const moves = new EndpointMoves(services, novu, writer);
  const replies = new Replies(services);
  const contexts = new TenantContexts(services.store, scope);
  const tests = new DeliveryTests(services, novu, new TestWorkflows(novu, services.store), contexts, replies);
  const checks = new DeliveryChecks(services, novu, contexts, scope, replies, hooks.refreshHome);
  const handlers = new DeliveryHandlers(services, { tests, checks, moves, replies, phones });
  return {
    moves,
    register(app: SlackListeners, router: CommandRouter) {
      handlers.register(app, router);
    },
  };
}
