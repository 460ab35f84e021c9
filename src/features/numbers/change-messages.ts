import type { Button, KnownBlock, View } from '@slack/types';
import { backendLabels } from '../../http/errors.js';
import type { JobFinish, JobOutcome } from '../../jobs/queue.js';
import { button, context, formModal, message, noticeModal, section } from '../../slack/blocks.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import { code, joinMd, type Mrkdwn, md } from '../../slack/mrkdwn.js';
import { plural } from '../../util/plural.js';
import type { Changed } from './change.js';
import { type ChangeTarget, changeView } from './change-form.js';
import type { ChangeLine, NumberSettings } from './change-model.js';

const title = 'Change number';

/** The Change button beside a number; its value names the number (the label is only shown, never trusted). */
export function changeButton(target: ChangeTarget): Button {
  return button('Change', `${changeView.button}:${target.vendorId}`.slice(0, 255), { value: JSON.stringify(target) });
}

export const changeButtonPattern = /^numbers\.change(:.+)?$/;

function what(target: ChangeTarget): Mrkdwn {
  return md`${backendLabels[target.backend]} number ${code(target.label)}`;
}

/** Each changed setting on a line: before → after. */
export function changeLines(lines: ChangeLine[]): Mrkdwn {
  return joinMd(
    lines.map((line) => md`• *${line.label}:* ${line.before} → ${line.after}`),
    '\n',
  );
}

/** The confirmation: before → after, and what submitting does (changes now, or asks an operator). */
export function changeConfirmModal(
  target: ChangeTarget,
  settings: { before: NumberSettings; after: NumberSettings },
  lines: ChangeLine[],
  asking: boolean,
): View {
  const next = asking
    ? md`Submitting asks Switchboard’s operators; one of them approves or denies it, and you get a direct message either way.`
    : md`${backendLabels[target.backend]} gets one request with only these ${plural(lines.length, 'change')}; the number keeps its number.`;
  const metadata = JSON.stringify({ ...target, ...settings });
  return formModal({ callbackId: changeView.confirm, privateMetadata: metadata }, title, asking ? 'Ask' : 'Change', [
    section(md`Change ${what(target)}:\n${changeLines(lines)}`),
    context(next),
  ] as KnownBlock[]);
}

export function changingView(target: ChangeTarget, lines: ChangeLine[]): View {
  return noticeModal(title, md`:hourglass_flowing_sand: Changing ${what(target)}…\n${changeLines(lines)}`);
}

function resultText(target: ChangeTarget, lines: ChangeLine[], outcome: JobFinish<Changed>['outcome']): Mrkdwn {
  if (outcome.status === 'failed') return md`:x: ${what(target)} was not changed; it is as it was.`;
  return md`:white_check_mark: Changed ${what(target)}:\n${changeLines(lines)}`;
}

function detailsOf(target: ChangeTarget, outcome: JobFinish<Changed>['outcome']): KnownBlock[] {
  const error = outcome.status === 'failed' ? md` · ${outcome.error}` : '';
  return [context(md`Details: ${target.backend} ${code(target.vendorId)}${error}`)];
}

export function changeResultView(target: ChangeTarget, lines: ChangeLine[], outcome: JobOutcome<Changed>): View {
  if (outcome.status === 'queued') {
    const late = outcome.lastError ? md` (${outcome.lastError})` : '';
    return noticeModal(
      title,
      md`:hourglass_flowing_sand: ${backendLabels[target.backend]} is slow to answer${late}. Switchboard keeps trying and will send you a direct message when ${code(target.label)} is changed.`,
    );
  }
  return noticeModal(title, resultText(target, lines, outcome), detailsOf(target, outcome), 'Done');
}

/** The direct message with the result: before → after, or why nothing changed. */
export function changedMessage(target: ChangeTarget, lines: ChangeLine[], outcome: JobFinish<Changed>['outcome']): SlackMessage {
  const text = resultText(target, lines, outcome);
  return message(text, [section(text), ...detailsOf(target, outcome)]);
}

/** The form's answer when nothing differs from the number as it is. */
export const nothingChanged = 'Nothing here differs from the number as it is now: change a setting, or cancel.';

/** The change form could not be opened: the vendor did not say how the number is now. */
export function changeUnavailableView(target: ChangeTarget, error: string): View {
  return noticeModal(
    title,
    md`:warning: Switchboard could not read ${what(target)} from ${backendLabels[target.backend]}, so it cannot show what to change. Try again in a moment.`,
    [context(md`Details: ${target.backend} ${code(target.vendorId)} · ${error}`)],
  );
}
