import type { Button, KnownBlock, View } from '@slack/types';
import { z } from 'zod';
import { backendLabels } from '../../http/errors.js';
import type { JobFinish, JobOutcome } from '../../jobs/queue.js';
import { button, formModal, noticeModal, section, sectionMessage, truncate } from '../../slack/blocks.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import { code, joinMd, type Mrkdwn, md } from '../../slack/mrkdwn.js';
import type { NumberBackend } from '../../store/types.js';
import { parseJsonAs } from '../../util/json.js';
import { failureDetails, failureSentence, lastAnswerDetails } from '../failure-messages.js';
import { failureParts } from '../failure-text.js';
import type { Released, ReleaseTarget } from './release.js';

export const releaseView = {
  /** Buttons carry a suffix (`numbers.release:<id>`): action ids must differ within one message. */
  button: 'numbers.release',
  confirm: 'numbers.release.confirm',
} as const;

export const releaseButtonPattern = /^numbers\.release(:.+)?$/;

const title = 'Release number';
/** Endpoints named one by one in the confirmation; the count covers the rest (a section holds 3,000 characters). */
const shownEndpoints = 20;

/** The Release button beside a number; its value names the number (the label is only shown, never trusted). */
export function releaseButton(backend: NumberBackend, vendorId: string, label: string): Button {
  return button('Release', `${releaseView.button}:${vendorId}`.slice(0, 255), { style: 'danger', value: JSON.stringify({ backend, vendorId, label }) });
}

const releaseButtonValue = z.object({ backend: z.enum(['vapi', 'signalwire']), vendorId: z.string().min(1), label: z.string() });

export function readReleaseButton(value: string | undefined): { backend: NumberBackend; vendorId: string; label: string } | undefined {
  return parseJsonAs(releaseButtonValue, value);
}

function what(target: Pick<ReleaseTarget, 'backend' | 'label' | 'vendorId'>): Mrkdwn {
  return md`${backendLabels[target.backend]} number ${code(target.label)} (ID ${code(target.vendorId)})`;
}

/** The confirmation: the number by name, what the vendor does, and every Novu phone endpoint that goes with it. */
export function releaseConfirmModal(target: ReleaseTarget): View {
  const vendorSide =
    target.backend === 'vapi'
      ? 'Vapi deletes it: calls to it stop, and a free number goes back to Vapi.'
      : 'SignalWire releases it from the space: calls and messages to it stop, and billing for it ends.';
  const count = target.endpoints.length;
  const lines = target.endpoints
    .slice(0, shownEndpoints)
    .map((endpoint) => md`• ${code(truncate(endpoint.identifier, 60))} for ${code(truncate(endpoint.subscriberId, 40))}`);
  const endpoints = count
    ? md`${count === 1 ? 'Its Novu phone endpoint is' : `Its ${count} Novu phone endpoints are`} removed too:\n${joinMd(lines, '\n')}${count > shownEndpoints ? `\n…and ${count - shownEndpoints} more` : ''}`
    : md`No Novu phone endpoint registered through Switchboard uses it.`;
  const unowned = target.ownerKey ? '' : md`\n:warning: Switchboard did not provision this number, so it knows of no endpoints for it.`;
  return formModal(
    { callbackId: releaseView.confirm, privateMetadata: JSON.stringify({ backend: target.backend, vendorId: target.vendorId, label: target.label }) },
    title,
    'Release',
    [section(md`Release ${what(target)}? This cannot be undone.\n${vendorSide}`), section(md`${endpoints}${unowned}`)] as KnownBlock[],
    'Keep it',
  );
}

export function releasingView(target: Pick<ReleaseTarget, 'backend' | 'label' | 'vendorId'>): View {
  return noticeModal(title, md`:hourglass_flowing_sand: Releasing ${what(target)}…`);
}

function resultText(target: ReleaseTarget, outcome: JobFinish<Released>['outcome']): Mrkdwn {
  if (outcome.status === 'failed') return md`:x: ${what(target)} was not released: ${failureSentence(outcome.error)}`;
  const { alreadyGone, endpointsRemoved, endpointsLeft } = outcome.result;
  const vendorLine = alreadyGone
    ? md`:white_check_mark: ${what(target)} is released (${backendLabels[target.backend]} no longer had it).`
    : md`:white_check_mark: Released ${what(target)}.`;
  const removedLine = endpointsRemoved.length
    ? md`\nRemoved ${endpointsRemoved.length === 1 ? 'its Novu phone endpoint' : `its ${endpointsRemoved.length} Novu phone endpoints`}: ${listed(endpointsRemoved)}.`
    : '';
  return md`${vendorLine}${removedLine}${leftLine(endpointsLeft)}`;
}

/** The endpoints Novu kept, the first five with Novu's reason. */
function leftLine(left: Released['endpointsLeft']): Mrkdwn | string {
  if (!left.length) return '';
  const lines = left.slice(0, 5).map(({ identifier, reason }) => md`• ${code(truncate(identifier, 100))}: ${truncate(failureParts(reason).text, 200)}`);
  const more = left.length > 5 ? `\n…and ${left.length - 5} more (the audit log has them)` : '';
  return md`\n:warning: Novu did not remove ${left.length === 1 ? 'this endpoint' : `these ${left.length} endpoints`}; remove ${left.length === 1 ? 'it' : 'them'} with ${code('/phone remove <identifier>')}:\n${joinMd(lines, '\n')}${more}`;
}

/** Identifiers in a line, the first ten of them. */
function listed(identifiers: string[]): Mrkdwn {
  const shown = identifiers.slice(0, 10).map((identifier) => code(truncate(identifier, 100)));
  return md`${joinMd(shown, ', ')}${identifiers.length > 10 ? ` and ${identifiers.length - 10} more` : ''}`;
}

export function releaseResultView(target: ReleaseTarget, outcome: JobOutcome<Released>): View {
  if (outcome.status === 'queued') {
    return noticeModal(
      title,
      md`:hourglass_flowing_sand: The release of ${code(target.label)} is not finished yet. Switchboard keeps trying and will send you a direct message when it is done.`,
      lastAnswerDetails(outcome.lastError),
    );
  }
  return noticeModal(title, resultText(target, outcome), failureDetails(outcome.status === 'failed' ? outcome.error : undefined), 'Done');
}

/** The direct message when the release finished after the person stopped waiting. */
export function releasedMessage(target: ReleaseTarget, outcome: JobFinish<Released>['outcome']): SlackMessage {
  return sectionMessage(resultText(target, outcome), ...failureDetails(outcome.status === 'failed' ? outcome.error : undefined));
}
