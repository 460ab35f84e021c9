import { Replies } from '../../slack/replies.js';
import type { ConnectionDeps } from '../deps.js';
import { EndpointWriter } from '../endpoint-writer.js';
import type { Feature } from '../feature.js';
import type { SubscriberPhones } from '../phone/subscriber-phone.js';
import { DeliveryHandlers } from './handlers.js';
import { DeliveryChecks } from './health.js';
import { checkReply } from './health-messages.js';
import { movedDirectMessage } from './messages.js';
import { EndpointMoves } from './moves.js';
import { testResultMessage } from './test-messages.js';
import { DeliveryTests } from './test-through-novu.js';
import { TestWorkflows } from './test-workflows.js';

/**
 * Notifications that arrive: one Novu context set per tenant on everything it has (and moving
 * with it), Test through Novu, the delivery check with its fixes, and what integrators must send.
 */
export function deliveryFeature(services: ConnectionDeps, phones: SubscriberPhones | undefined): Feature & { moves?: EndpointMoves } {
  const novu = services.backends.novu;
  const scope = services.novuScope;
  if (!novu || !scope || !phones) return { register() {} };
  const writer = new EndpointWriter(services, novu, scope);
  const moves = new EndpointMoves(services, novu, writer, movedDirectMessage);
  const replies = new Replies(services);
  const tests = new DeliveryTests(services, novu, new TestWorkflows(novu, services.store), writer.contexts, replies, testResultMessage);
  const checks = new DeliveryChecks(services, novu, writer.contexts, scope, replies, checkReply);
  const handlers = new DeliveryHandlers(services, { tests, checks, moves, replies, phones });
  return {
    moves,
    // The subscriber's phone (a registration's "Use this number for SMS") is a fix the check offers too.
    jobs: [...moves.definitions, ...tests.definitions, ...checks.definitions, ...phones.definitions],
    register: (app, router) => handlers.register(app, router),
  };
}
