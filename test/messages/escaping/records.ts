import type { ChannelEndpoint, CreatePhoneEndpointBody } from '../../../src/backends/novu/schemas.js';
import type { SignalWireNumber } from '../../../src/backends/signalwire/schemas.js';
import type { VapiPhoneNumber } from '../../../src/backends/vapi/schemas.js';
import type { EndpointLabel } from '../../../src/features/delivery/model.js';
import { failureText } from '../../../src/features/failure-text.js';
import type { ShareOrigin } from '../../../src/slack/share.js';
import type { AuditEntry, ConnectionRecord, JobRecord, LinkRequest, OwnedEndpoint, OwnedEndpointType, TenantRecord } from '../../../src/store/types.js';
import type { Hostile } from './kit.js';

/** Valid Slack ids: a mention of one is markup Switchboard means to write. */
export const ids = { user: 'U0ALICE', other: 'U0BOB', bot: 'U0BOT', channel: 'C0OPS' } as const;
export const at = 1_700_000_000_000;
export const spaceUrl = 'https://space.example.com/';
export const installUrl = 'https://switchboard.example.com/slack/install';
export const origin: ShareOrigin = { channelId: ids.channel, responseUrl: 'https://hooks.slack.com/commands/T1/1/x' };
/** A job record where only its presence matters. */
export const job = {} as JobRecord;

/** A failure as a job keeps it: Switchboard's words, and the vendor's behind them. */
export const vendorFailure = (h: Hostile): string => failureText(h.text(), `The vendor said: ${h.text()}`);

/** A Slack id from the store: a valid one, or whatever hostile text came instead. */
export const userOr = (h: Hostile, valid: boolean) => (valid ? ids.user : h.text());

export function label(h: Hostile, type: OwnedEndpointType, validTarget = true): EndpointLabel {
  const target = type === 'phone' || !validTarget ? h.text() : type === 'slack_channel' ? ids.channel : ids.other;
  return { identifier: h.text(), type, target, subscriberId: h.text() };
}

/** One endpoint of each type, and channel and user routes whose targets are not ids. */
export const labels = (h: Hostile): EndpointLabel[] => [
  label(h, 'slack_channel'),
  label(h, 'slack_user'),
  label(h, 'phone'),
  label(h, 'slack_channel', false),
  label(h, 'slack_user', false),
];

export function owned(h: Hostile, type: OwnedEndpointType, validIds = true): OwnedEndpoint {
  return {
    ...label(h, type, validIds),
    workspaceKey: 'team:T1',
    integrationIdentifier: h.text(),
    connectionIdentifier: h.text(),
    createdBy: userOr(h, validIds),
    createdAt: at,
    contextKeys: [`tenant:${h.text()}`],
  };
}

export const owneds = (h: Hostile): OwnedEndpoint[] => [owned(h, 'slack_channel'), owned(h, 'slack_user', false), owned(h, 'phone')];

export function connection(h: Hostile): ConnectionRecord {
  return {
    workspaceKey: 'team:T1',
    identifier: h.text(),
    integrationIdentifier: h.text(),
    mode: 'shared',
    context: { tenant: h.text(), [h.text()]: h.text() },
    subscriberId: h.text(),
    state: 'failed',
    lastError: h.text(),
    syncedAt: at,
    intent: 'setup:V1',
    createdAt: at,
    updatedAt: at,
  };
}

export function audit(h: Hostile, validUser = true): AuditEntry {
  return {
    id: '1',
    at,
    workspaceKey: h.text(),
    userId: userOr(h, validUser),
    action: h.text(),
    target: h.text(),
    backend: h.text(),
    backendId: h.text(),
    outcome: 'failed',
    error: h.text(),
    detail: null,
  };
}

export function tenant(h: Hostile, status: TenantRecord['status'], validIds = true): TenantRecord {
  return {
    workspaceKey: 'team:T1',
    kind: validIds ? 'team' : 'enterprise',
    slackId: h.text(),
    name: h.text(),
    status,
    installedBy: userOr(h, validIds),
    requestedAt: at,
    decidedBy: userOr(h, validIds),
    decidedAt: at,
    installs: 1,
    createdAt: at,
    updatedAt: at,
  };
}

export function channelEndpoint(h: Hostile): ChannelEndpoint {
  return {
    identifier: h.text(),
    type: 'phone',
    endpoint: { phoneNumber: h.text() },
    subscriberId: h.text(),
    integrationIdentifier: h.text(),
  };
}

export function phoneBody(h: Hostile): CreatePhoneEndpointBody {
  return {
    identifier: h.text(),
    type: 'phone',
    subscriberId: h.text(),
    integrationIdentifier: h.text(),
    connectionIdentifier: h.text(),
    endpoint: { phoneNumber: h.text() },
  };
}

export function vapiNumber(h: Hostile, status = 'activating'): VapiPhoneNumber {
  return { id: h.text(), provider: 'vapi', number: h.text(), sipUri: h.text(), name: h.text(), status };
}

export function signalWireNumber(h: Hostile): SignalWireNumber {
  return { id: h.text(), number: h.text(), name: h.text(), number_type: 'tollfree', capabilities: [h.text()] };
}

export const linkRequest = (h: Hostile, status: LinkRequest['status'], validIds = true): LinkRequest => ({
  id: h.text(),
  workspaceKey: 'team:T1',
  userId: userOr(h, validIds),
  subscriberId: h.text(),
  status,
  requestedAt: at,
  decidedBy: userOr(h, validIds),
  decidedAt: at,
});
