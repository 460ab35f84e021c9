import type { Button, KnownBlock, View } from '@slack/types';
import type { Action } from '../../permissions/policy.js';
import { actions, button, context, divider, header, section, truncate } from '../../slack/blocks.js';
import { code, joinMd, md, mentionUser, slackDate } from '../../slack/mrkdwn.js';
import type { AuditEntry, ConnectionRecord, JobRecord, JobStatus, LinkRequest, OwnedEndpoint, OwnedNumber, TenantRecord } from '../../store/types.js';
import { plural } from '../../util/plural.js';
import { connectActions, connectionStateLabels, disconnectConfirm } from '../connect/messages.js';
import { deliveryActions, testButton } from '../delivery/actions.js';
import { summaryText } from '../delivery/health-messages.js';
import { triggerContextLine } from '../delivery/messages.js';
import type { DeliveryReport } from '../delivery/model.js';
import { numberFormActions } from '../numbers/messages.js';
import { releaseButton } from '../numbers/release-messages.js';
import { numberRequestsSection, type PendingNumberRequest } from '../numbers/request-messages.js';
import { linkRequestsSection } from '../routes/link-messages.js';
import { routesHomeSection } from '../routes/messages.js';
import { pendingTenantsSection } from '../tenants/messages.js';
import { homeList } from './list-blocks.js';

export const homeActions = {
  retryJob: 'home.job.retry',
  openRegister: 'phone.register.open',
  openSip: numberFormActions.vapi,
  openImport: numberFormActions.signalwire,
} as const;

/** What the person looking at the Home tab may do, each the policy's action; buttons they may not use are not shown. */
export const homeAbilityActions = {
  manageConnection: 'connection.write',
  writeEndpoints: 'endpoints.write',
  /** The New Vapi number / Import buttons (with their backend): the forms open as requests for those who may only ask. */
  provisionVapi: 'numbers.request',
  provisionSignalWire: 'numbers.request',
  /** Requests for numbers waiting for an answer: for those who may provision. */
  decideNumberRequests: 'numbers.provision',
  releaseNumbers: 'numbers.release',
  readAudit: 'audit.read',
  manageJobs: 'jobs.manage',
  readRoutes: 'routes.read',
  writeRoutes: 'routes.write',
  linkSelf: 'routes.link-self',
  /** Test through Novu and the delivery check. */
  testDelivery: 'delivery.test',
} as const satisfies Record<string, Action>;

export type HomeAbilities = Record<keyof typeof homeAbilityActions, boolean>;

export interface HomeData {
  workspaceName: string;
  novuConfigured: boolean;
  connection: ConnectionRecord | undefined;
  /** The tenant's own, newest first. */
  endpoints: OwnedEndpoint[];
  numbers: OwnedNumber[];
  audit: AuditEntry[];
  /** Slack routes (channels and linked people), newest first; empty for those who may not see them. */
  routes: OwnedEndpoint[];
  ownLink: OwnedEndpoint | undefined;
  /** Admins: people asking to be linked. */
  linkRequests: LinkRequest[];
  /** Operators only: every tenant's queue, failed jobs labelled with their tenant. */
  jobs?: { counts: Record<JobStatus, number>; dead: { job: JobRecord; tenant?: string }[] };
  /** Operators only. */
  pendingTenants?: TenantRecord[];
  /** Those who may provision: requests for numbers waiting for an answer. */
  numberRequests?: PendingNumberRequest[];
  /** What triggers must carry to reach this workspace, and its latest delivery check. */
  delivery?: { context: string[]; check?: DeliveryReport };
}

/** The App Home: built from what Switchboard has recorded, so publishing never waits on a vendor. */
export function homeView(data: HomeData, can: HomeAbilities): View {
  const blocks: KnownBlock[] = [
    header(`Switchboard · ${data.workspaceName}`),
    ...connectionSection(data, can),
    ...deliverySection(data, can),
    divider(),
    ...(data.novuConfigured
      ? [...routesHomeSection(data.routes, { write: can.writeRoutes, linkSelf: can.linkSelf, test: can.testDelivery }, data.ownLink), divider()]
      : []),
    ...(data.linkRequests.length ? [...linkRequestsSection(data.linkRequests), divider()] : []),
    ...endpointSection(data, can),
    divider(),
    ...numberSection(data, can),
  ];
  if (can.readAudit) blocks.push(divider(), ...auditSection(data.audit));
  if (data.pendingTenants?.length) blocks.push(divider(), ...pendingTenantsSection(data.pendingTenants));
  if (data.numberRequests?.length) blocks.push(divider(), ...numberRequestsSection(data.numberRequests));
  if (can.manageJobs && data.jobs) blocks.push(divider(), ...jobSection(data.jobs));
  blocks.push(context(md`\`/connect help\` and \`/phone help\` list every command.`));
  return { type: 'home', blocks: blocks.slice(0, 100) };
}

function connectionSection(data: HomeData, can: HomeAbilities): KnownBlock[] {
  if (!data.novuConfigured) return [section(md`*Novu connection*\nNovu is not set up in this Switchboard (\`NOVU_SECRET_KEY\`).`)];
  const connection = data.connection;
  const text = connection
    ? md`*Novu connection* ${connectionStateLabels[connection.state]}\n${code(connection.identifier)} on ${code(connection.integrationIdentifier)} · ${connection.mode}${connection.syncedAt ? md` · synced ${slackDate(connection.syncedAt)}` : ''}${connection.lastError ? md`\n:warning: ${truncate(connection.lastError, 300)}` : ''}`
    : md`*Novu connection*\nNot connected: Novu cannot post into this workspace yet.`;
  const buttons: Button[] = [];
  if (can.manageConnection) {
    buttons.push(button(connection ? 'Change' : 'Set up', connectActions.openSetup, { style: connection ? undefined : 'primary' }));
    if (connection) {
      buttons.push(button('Reconnect', connectActions.reconnect));
      buttons.push(button('Disconnect', connectActions.disconnect, { style: 'danger', confirm: disconnectConfirm(connection.identifier) }));
    }
  }
  return [section(text), ...(buttons.length ? [actions('home-connection', buttons)] : [])];
}

/** The context to copy into triggers, the latest check, and Check delivery. */
function deliverySection(data: HomeData, can: HomeAbilities): KnownBlock[] {
  if (!data.delivery) return [];
  const check = data.delivery.check;
  const latest = check ? md`${summaryText(check)} Checked ${slackDate(check.checkedAt)}.` : 'Not checked yet.';
  const blocks: KnownBlock[] = [section(md`*Delivery*\n${triggerContextLine(data.delivery.context)}\n${latest}`)];
  if (can.testDelivery) blocks.push(actions('home-delivery', [button('Check delivery', deliveryActions.check)]));
  return blocks;
}

function endpointSection(data: HomeData, can: HomeAbilities): KnownBlock[] {
  const line = (endpoint: OwnedEndpoint) =>
    md`${code(endpoint.target)} for ${code(endpoint.subscriberId)} · ${code(endpoint.identifier)} · ${mentionUser(endpoint.createdBy)} ${slackDate(endpoint.createdAt)}`;
  const blocks = homeList(md`*Recent endpoints*`, data.endpoints, line, {
    empty: md`None registered through Switchboard yet.`,
    button: can.testDelivery && ((endpoint, index) => testButton(endpoint.identifier, `phone-${index}`)),
  });
  if (can.writeEndpoints && data.novuConfigured) blocks.push(actions('home-endpoints', [button('Register a phone', homeActions.openRegister)]));
  return blocks;
}

function numberSection(data: HomeData, can: HomeAbilities): KnownBlock[] {
  const line = (number: OwnedNumber) =>
    md`${number.backend === 'vapi' ? 'Vapi' : 'SignalWire'} ${code(number.number ?? number.sipUri ?? '?')}${number.status ? md` · ${number.status}` : ''} · ${code(number.vendorId)} · ${mentionUser(number.createdBy)} ${slackDate(number.createdAt)}`;
  const blocks = homeList(md`*Recently provisioned numbers*`, data.numbers, line, {
    empty: md`None provisioned through Switchboard yet.`,
    button: can.releaseNumbers && ((number) => releaseButton(number.backend, number.vendorId, number.number ?? number.sipUri ?? number.vendorId)),
  });
  const buttons: Button[] = [];
  if (can.provisionVapi) buttons.push(button('New Vapi number', homeActions.openSip));
  if (can.provisionSignalWire) buttons.push(button('Import to SignalWire', homeActions.openImport));
  if (buttons.length) blocks.push(actions('home-numbers', buttons));
  return blocks;
}

const outcomeIcons: Record<AuditEntry['outcome'], string> = { ok: '✅', failed: '❌', refused: '⛔', queued: '⏳', 'not-found': '❔' };

function auditSection(entries: AuditEntry[]): KnownBlock[] {
  const lines = entries.map(
    (entry) =>
      md`${outcomeIcons[entry.outcome]} ${slackDate(entry.at)} ${entry.userId ? mentionUser(entry.userId) : 'Switchboard'} ${code(entry.action)}${entry.backendId ? md` ${code(entry.backendId)}` : ''}`,
  );
  return [section(md`*Recent changes*\n${lines.length ? joinMd(lines, '\n') : 'Nothing yet.'}`)];
}

function jobSection(jobs: NonNullable<HomeData['jobs']>): KnownBlock[] {
  const { counts, dead } = jobs;
  return [
    section(
      md`*Backend write queue* (operators)\npending ${counts.pending} · running ${counts.running} · done ${counts.done} · failed for good ${counts.dead}`,
    ),
    ...dead.map(({ job, tenant }) =>
      section(md`${code(job.kind)} ${tenant ?? ''} · ${plural(job.attempts, 'attempt')}\n${truncate(job.lastError ?? '', 300)}`, {
        // One action_id per message block is what Slack accepts; the handler matches the prefix.
        accessory: button('Retry', `${homeActions.retryJob}:${job.id}`, { value: job.id }),
      }),
    ),
  ];
}
