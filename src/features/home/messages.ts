import type { Button, KnownBlock, View } from '@slack/types';
import { auditListLine } from '../../audit/messages.js';
import type { Action } from '../../permissions/policy.js';
import { actions, button, context, divider, header, section, truncate } from '../../slack/blocks.js';
import { code, joinMd, type Mrkdwn, md, mentionUser, slackDate } from '../../slack/mrkdwn.js';
import type {
  AuditEntry,
  ConnectionRecord,
  JobRecord,
  JobStatus,
  LinkRequest,
  OwnedEndpoint,
  OwnedNumber,
  TenantRecord,
  UnpostedReport,
} from '../../store/types.js';
import { plural } from '../../util/plural.js';
import { connectActions, connectionStateLabels, disconnectConfirm } from '../connect/messages.js';
import { deliveryActions, testButton } from '../delivery/actions.js';
import { summaryText } from '../delivery/health-messages.js';
import { triggerContextLine } from '../delivery/messages.js';
import type { DeliveryReport } from '../delivery/model.js';
import { changeButton } from '../numbers/change-messages.js';
import { numberFormActions } from '../numbers/messages.js';
import { releaseButton } from '../numbers/release-messages.js';
import { numberRequestsSection, type PendingNumberRequest } from '../numbers/request-messages.js';
import { reportButton, unpostedSection } from '../reports/messages.js';
import { linkRequestsSection } from '../routes/link-messages.js';
import { routeActions, routesHomeSection } from '../routes/messages.js';
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
  /** Change a number in place: those who may only ask get the change as a request. */
  changeNumbers: 'numbers.request',
  /** Report calls and texts… beside each number. */
  reportNumbers: 'numbers.provision',
  readAudit: 'audit.read',
  readEndpoints: 'endpoints.read',
  readNumbers: 'numbers.read',
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
  jobs?: { counts: Record<JobStatus, number>; dead: { job: JobRecord; tenant?: string; label: string }[] };
  /** Operators only. */
  pendingTenants?: TenantRecord[];
  /** Those who may provision: requests for numbers waiting for an answer. */
  numberRequests?: PendingNumberRequest[];
  /** What triggers must carry to reach this workspace, and its latest delivery check. */
  delivery?: { context: string[]; check?: DeliveryReport };
  /** Calls and texts Slack refused in their report channel: how many, and the latest few. */
  unposted?: { count: number; latest: UnpostedReport[] };
  /** Whom someone who may not change routes or numbers can ask (the workspace's admins, by mention). */
  ask: Mrkdwn;
}

/**
 * The App Home, in the order a person needs it: what waits for them (workspaces and numbers to
 * approve, people asking to be linked, writes that failed for good), then this workspace's state
 * (connection, delivery, routes, phones, numbers), then what happened lately. Each part shows only
 * what the viewer may see, and its buttons only what they may do. Built from what Switchboard
 * has recorded, so publishing never waits on a vendor.
 */
export function homeView(data: HomeData, can: HomeAbilities): View {
  const blocks: KnownBlock[] = [header(`Switchboard · ${data.workspaceName}`), ...waitingSection(data, can)];
  blocks.push(...connectionSection(data, can), ...deliverySection(data, can), divider());
  if (data.novuConfigured)
    blocks.push(...(can.readRoutes ? routesHomeSection(data.routes, routeAbilities(can), data.ownLink) : ownRouteSection(data, can)), divider());
  const phones = [...(can.readEndpoints ? endpointSection(data, can) : []), ...(can.readNumbers ? numberSection(data, can) : [])];
  if (phones.length) blocks.push(...phones, divider());
  if (!can.readEndpoints || !can.readNumbers) {
    // Whom to ask is said once: with the routes when the viewer saw their own link instead of them.
    const askedAlready = data.novuConfigured && !can.readRoutes;
    blocks.push(context(md`Workspace admins register phones and ask for numbers.${askedAlready ? '' : md` ${data.ask}`}`));
  }
  if (can.readAudit) blocks.push(...auditSection(data.audit));
  if (can.manageJobs && data.jobs) blocks.push(queueLine(data.jobs.counts));
  blocks.push(context(md`\`/connect help\` and \`/phone help\` list every command.`));
  return { type: 'home', blocks: blocks.slice(0, 100) };
}

const routeAbilities = (can: HomeAbilities) => ({ write: can.writeRoutes, linkSelf: can.linkSelf, test: can.testDelivery });

/** What needs the viewer first, counted; nothing at all when nothing waits. */
function waitingSection(data: HomeData, can: HomeAbilities): KnownBlock[] {
  const failed = can.manageJobs ? (data.jobs?.dead ?? []) : [];
  const activating = data.numbers.filter((number) => number.status === 'activating');
  const parts: KnownBlock[][] = [
    pendingTenantsSection(data.pendingTenants ?? []),
    numberRequestsSection(data.numberRequests ?? []),
    data.linkRequests.length ? linkRequestsSection(data.linkRequests) : [],
    failed.length ? failedJobsSection(failed) : [],
    can.readNumbers && activating.length
      ? [section(md`*Numbers still activating* (${activating.length})\nVapi is setting them up; Switchboard tells whoever asked when each is ready.`)]
      : [],
    can.readNumbers && data.unposted ? unpostedSection(data.unposted.count, data.unposted.latest) : [],
  ].filter((part) => part.length > 0);
  if (parts.length === 0) return [];
  const waiting = md`:bell: *Waiting for you*`;
  return [section(waiting), ...parts.flatMap((part) => [...part]), divider()];
}

function connectionSection(data: HomeData, can: HomeAbilities): KnownBlock[] {
  if (!data.novuConfigured) return [section(md`*Novu*\nNovu is not set up in this Switchboard (\`NOVU_SECRET_KEY\`).`)];
  const connection = data.connection;
  const blocks: KnownBlock[] = connection
    ? [
        section(
          md`*Novu*\n${data.workspaceName} and Novu, through the ${code(connection.integrationIdentifier)} integration: ${connectionStateLabels[connection.state]}.${connection.lastError ? md`\n:warning: ${truncate(connection.lastError, 300)}` : ''}`,
        ),
        context(
          md`Details: channel connection ${code(connection.identifier)} · ${connection.mode}${connection.syncedAt ? md` · synced ${slackDate(connection.syncedAt)}` : ''}`,
        ),
      ]
    : [section(md`*Novu*\n${data.workspaceName} is not connected to Novu: Novu cannot post here yet.`)];
  const buttons: Button[] = [];
  if (can.manageConnection) {
    buttons.push(button(connection ? 'Change' : 'Set up', connectActions.openSetup, { style: connection ? undefined : 'primary' }));
    if (connection) {
      buttons.push(button('Reconnect', connectActions.reconnect));
      buttons.push(button('Disconnect', connectActions.disconnect, { style: 'danger', confirm: disconnectConfirm(connection.identifier) }));
    }
  }
  return [...blocks, ...(buttons.length ? [actions('home-connection', buttons)] : [])];
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

/** For someone who may not see the workspace's routes: their own link, and who decides the rest. */
function ownRouteSection(data: HomeData, can: HomeAbilities): KnownBlock[] {
  const own = data.ownLink
    ? md`Your Slack account is linked to subscriber ${code(data.ownLink.subscriberId)}: Novu's notifications for it reach you as direct messages.`
    : md`Your Slack account is not linked to a Novu subscriber.`;
  const blocks: KnownBlock[] = [section(md`*Your notifications*\n${own}\nWorkspace admins choose which channels and people Novu posts to. ${data.ask}`)];
  if (can.linkSelf && !data.ownLink) blocks.push(actions('home-routes', [button('Link my Slack account', routeActions.openLinkSelf)]));
  return blocks;
}

function endpointSection(data: HomeData, can: HomeAbilities): KnownBlock[] {
  const line = (endpoint: OwnedEndpoint) =>
    md`${endpoint.target} for subscriber ${code(endpoint.subscriberId)}, registered by ${mentionUser(endpoint.createdBy)} ${slackDate(endpoint.createdAt)}`;
  const blocks = homeList(md`*Phones registered*`, data.endpoints, line, {
    empty: md`None registered through Switchboard yet.`,
    button: can.testDelivery && ((endpoint, index) => testButton(endpoint.identifier, `phone-${index}`)),
  });
  if (can.writeEndpoints) blocks.push(actions('home-endpoints', [button('Register a phone', homeActions.openRegister)]));
  return blocks;
}

const numberStatus: Record<string, string> = { active: 'active', activating: 'activating', blocked: 'blocked by Vapi' };

function numberSection(data: HomeData, can: HomeAbilities): KnownBlock[] {
  const line = (number: OwnedNumber) =>
    md`${number.number ?? number.sipUri ?? 'A number'} on ${number.backend === 'vapi' ? 'Vapi' : 'SignalWire'}${number.status ? md`, ${numberStatus[number.status] ?? number.status}` : ''}, added by ${mentionUser(number.createdBy)} ${slackDate(number.createdAt)}`;
  const label = (number: OwnedNumber) => number.number ?? number.sipUri ?? number.vendorId;
  const rowButtons = (number: OwnedNumber): Button[] => [
    ...(can.changeNumbers ? [changeButton({ backend: number.backend, vendorId: number.vendorId, label: label(number) })] : []),
    ...(can.reportNumbers ? [reportButton(number.backend, number.vendorId, number.name ?? label(number))] : []),
    ...(can.releaseNumbers ? [releaseButton(number.backend, number.vendorId, label(number))] : []),
  ];
  const withButtons = can.changeNumbers || can.reportNumbers || can.releaseNumbers;
  const blocks = withButtons
    ? data.numbers.length
      ? [section(md`*Phone numbers*`), ...data.numbers.flatMap((number, index) => [section(line(number)), actions(`home-number-${index}`, rowButtons(number))])]
      : [section(md`*Phone numbers*\nNone provisioned through Switchboard yet.`)]
    : homeList(md`*Phone numbers*`, data.numbers, line, { empty: md`None provisioned through Switchboard yet.` });
  const buttons: Button[] = [];
  if (can.provisionVapi) buttons.push(button('New Vapi number', homeActions.openSip));
  if (can.provisionSignalWire) buttons.push(button('Import to SignalWire', homeActions.openImport));
  if (buttons.length) blocks.push(actions('home-numbers', buttons));
  return blocks;
}

function auditSection(entries: AuditEntry[]): KnownBlock[] {
  return [section(md`*Recent activity*\n${entries.length ? joinMd(entries.map(auditListLine), '\n') : 'Nothing yet.'}`)];
}

function failedJobsSection(dead: NonNullable<HomeData['jobs']>['dead']): KnownBlock[] {
  return [
    section(md`*Writes that failed for good* (${dead.length})\nSwitchboard stopped retrying these. Retry runs one once more.`),
    ...dead.map(({ job, tenant, label }) =>
      section(
        md`Could not ${label}${tenant ? md` for ${tenant}` : ''}, after ${plural(job.attempts, 'attempt')}\n_${truncate(job.lastError ?? 'No error was recorded.', 280)}_`,
        {
          // One action_id per message block is what Slack accepts; the handler matches the prefix.
          accessory: button('Retry', `${homeActions.retryJob}:${job.id}`, { value: job.id }),
        },
      ),
    ),
  ];
}

function queueLine(counts: Record<JobStatus, number>): KnownBlock {
  return context(
    md`Writes to Novu, Vapi and SignalWire: ${counts.pending} waiting · ${counts.running} running · ${counts.done} done · ${counts.dead} failed for good.`,
  );
}
