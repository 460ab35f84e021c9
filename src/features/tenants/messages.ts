import type { KnownBlock, View } from '@slack/types';
import {
  actions,
  button,
  confirmDialog,
  context,
  type EphemeralMessage,
  message,
  noticeModal,
  section,
  sectionEphemeral,
  sectionMessage,
} from '../../slack/blocks.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import { code, isUserId, type Mrkdwn, md, mentionUser, slackDate } from '../../slack/mrkdwn.js';
import type { TenantRecord } from '../../store/types.js';

export const tenantActions = {
  approve: 'tenants.approve',
  deny: 'tenants.deny',
} as const;

export function tenantLabel(record: Pick<TenantRecord, 'name' | 'slackId' | 'kind'>): Mrkdwn {
  const kind = record.kind === 'enterprise' ? 'Enterprise Grid org' : 'workspace';
  return md`${record.name ? md`*${record.name}* ` : ''}(${kind} ${code(record.slackId)})`;
}

/** The request operators answer, in the audit channel, a direct message or the Home tab. */
export function approvalRequestBlocks(record: TenantRecord, suffix = ''): KnownBlock[] {
  const who = record.installedBy ? md` by ${mentionUser(record.installedBy)}` : '';
  const name = record.name ?? record.slackId;
  return [
    section(
      md`:inbox_tray: ${tenantLabel(record)} installed Switchboard${who} ${slackDate(record.requestedAt)} and is waiting for approval. Nothing reaches Novu until an operator approves it.`,
    ),
    actions(`tenant-decision${suffix}`, [
      button('Approve', `${tenantActions.approve}${suffix}`, {
        style: 'primary',
        value: record.workspaceKey,
        confirm: confirmDialog('Approve this workspace?', md`Switchboard will connect ${name} to Novu with its bot token.`, 'Approve', 'primary'),
      }),
      button('Deny', `${tenantActions.deny}${suffix}`, {
        style: 'danger',
        value: record.workspaceKey,
        confirm: confirmDialog('Deny this workspace?', md`Switchboard will be uninstalled from ${name}; nothing was sent to Novu.`, 'Deny'),
      }),
    ]),
  ];
}

export function approvalRequestMessage(record: TenantRecord): SlackMessage {
  return message(md`${record.name ?? record.slackId} installed Switchboard and is waiting for approval`, approvalRequestBlocks(record));
}

export function decisionMessage(record: TenantRecord): EphemeralMessage {
  const verb = record.status === 'approved' ? ':white_check_mark: Approved' : ':no_entry: Denied';
  const by = record.decidedBy && isUserId(record.decidedBy) ? md` by ${mentionUser(record.decidedBy)}` : record.decidedBy ? md` (${record.decidedBy})` : '';
  return sectionEphemeral(md`${verb}${by}: ${tenantLabel(record)}.`);
}

/** What a person in a workspace that is not approved sees, whatever they try. */
function notApprovedText(record: TenantRecord | undefined): Mrkdwn {
  return record?.status === 'denied'
    ? md`:no_entry: Switchboard’s operators did not approve this workspace, so Switchboard does nothing here.`
    : md`:hourglass_flowing_sand: Switchboard is waiting for its operators to approve this workspace. Until then nothing is sent to Novu and the commands do nothing; whoever installed it gets a direct message when they decide.`;
}

export function notApprovedMessage(record: TenantRecord | undefined): EphemeralMessage {
  return sectionEphemeral(notApprovedText(record));
}

export function notApprovedView(record: TenantRecord | undefined): View {
  return noticeModal('Not available yet', notApprovedText(record));
}

export function notApprovedHome(record: TenantRecord | undefined): View {
  return { type: 'home', blocks: [section(notApprovedText(record))] };
}

export function installerDecisionMessage(record: TenantRecord, novuLine: string | undefined): SlackMessage {
  return sectionMessage(
    record.status === 'approved'
      ? md`:white_check_mark: Switchboard’s operators approved this workspace.${novuLine ? ` ${novuLine}` : ''}`
      : md`:no_entry: Switchboard’s operators did not approve this workspace, so Switchboard is being removed from it. Nothing was sent to Novu.`,
  );
}

/** The Home tab's list for operators. */
export function pendingTenantsSection(records: TenantRecord[]): KnownBlock[] {
  if (records.length === 0) return [];
  const blocks = [
    section(md`*Workspaces waiting for approval* (${records.length})`),
    ...records.slice(0, 10).flatMap((record, index) => approvalRequestBlocks(record, `:${index}`)),
  ];
  if (records.length > 10) blocks.push(context(md`${records.length - 10} more waiting.`));
  return blocks;
}
