import { z } from 'zod';
import type { Requester } from '../../jobs/queue.js';
import type { ReplyTo } from '../../slack/replies.js';
import type { OwnedEndpoint } from '../../store/types.js';
import type { TestChannel } from './test-workflows.js';
import type { Verdict } from './verdict.js';

/** An endpoint as people name it: where it delivers, for which subscriber. */
export type EndpointLabel = Pick<OwnedEndpoint, 'identifier' | 'type' | 'target' | 'subscriberId'>;

export function labelOf(record: EndpointLabel): EndpointLabel {
  return { identifier: record.identifier, type: record.type, target: record.target, subscriberId: record.subscriberId };
}

/** What moving a tenant's endpoints to its connection's scope did. */
export interface MoveResult {
  /** The context keys everything now carries. */
  context: string[];
  moved: EndpointLabel[];
  failed: (EndpointLabel & { reason: string })[];
  /** Already in the connection's scope. */
  inScope: number;
  /** No connection to move to (disconnected meanwhile): nothing was touched. */
  noConnection?: true;
}

export interface TestPayload extends CheckPayload {
  /** The route or phone endpoint tested. */
  identifier: string;
}

export interface TestResult {
  verdict: Verdict;
  endpoint: EndpointLabel;
  integration: string;
  channel: TestChannel;
  /** The context the test was triggered with. */
  context: string[];
}

export interface CheckPayload extends Requester {
  replyTo: ReplyTo;
}

/** What is wrong with the tenant's connection, as Novu and Slack see it. */
export interface ConnectionFinding {
  kind: 'not-connected' | 'in-progress' | 'write-failed' | 'missing-in-novu' | 'context-differs' | 'other-workspace' | 'integration-inactive' | 'token-refused';
  /** The vendor's words, for a details line. */
  detail?: string;
}

/** Why a route or phone endpoint would not deliver. */
export interface EndpointFinding {
  endpoint: EndpointLabel;
  kind:
    | 'missing-in-novu'
    | 'context-differs'
    | 'connection-differs'
    | 'integration-inactive'
    | 'channel-archived'
    | 'channel-not-visible'
    | 'not-in-channel'
    | 'person-gone'
    | 'subscriber-gone'
    | 'no-phone'
    | 'other-phone';
  detail?: string;
  /** The subscriber's phone in Novu, for `other-phone`. */
  phone?: string;
}

/** A delivery check of one tenant. */
export interface DeliveryReport {
  /** The context keys triggers must carry. */
  context: string[];
  connection?: ConnectionFinding;
  /** How many routes and phone endpoints were checked. */
  endpoints: number;
  findings: EndpointFinding[];
  /** Findings beyond those kept. */
  more: number;
  checkedAt: number;
}

/** What a Fix button asks for. `expected`, for `set-phone`: the subscriber's phone the person saw (null: none), replaced only if Novu still has it. */
export const fixRequest = z.object({
  fix: z.enum(['move', 'join', 'set-phone']),
  identifier: z.string().min(1).max(100),
  expected: z.string().max(64).nullish(),
});

export type FixRequest = z.infer<typeof fixRequest>;
