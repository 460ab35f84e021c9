import type { KnownBlock, View } from '@slack/types';
import {
  actions,
  button,
  context,
  type EphemeralMessage,
  ephemeral,
  formModal,
  input,
  message,
  noticeModal,
  section,
  sectionMessage,
  textInput,
} from '../../slack/blocks.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import { code, joinMd, md, mentionUser, slackDate } from '../../slack/mrkdwn.js';
import type { LinkCounts, LinkItem, LinkRequest, LinkRun } from '../../store/types.js';
import { plural } from '../../util/plural.js';
import { confirmBlock } from '../bulk/run-message.js';
import { testButton } from '../delivery/actions.js';
import type { WrittenEndpoint } from '../endpoint-writer.js';
import { failureDetails, failureSentence } from '../failure-messages.js';

export const linkActions = {
  ask: 'routes.link.ask',
  approve: 'routes.request.approve',
  deny: 'routes.request.deny',
  apply: 'routes.linkall.apply',
  cancel: 'routes.linkall.cancel',
} as const;

const runActions = { block: 'link-run', apply: linkActions.apply, cancel: linkActions.cancel };

export const linkView = {
  callbackId: 'routes.link',
  user: { block: 'user', action: 'routes.link.user' },
  subscriber: { block: 'subscriber', action: 'subscriber' },
} as const;

export const linkSelfView = {
  callbackId: 'routes.link.self',
  subscriber: { block: 'subscriber', action: 'subscriber' },
} as const;

export function linkUserModal(prefill: { userId?: string; subscriberId?: string }): View {
  const intro = md`Novu’s Slack notifications for the subscriber will reach the person as direct messages from Switchboard.`;
  return formModal({ callbackId: linkView.callbackId }, 'Link a person', 'Link', [
    section(intro),
    input(linkView.user.block, 'Person', {
      type: 'users_select',
      action_id: linkView.user.action,
      ...(prefill.userId ? { initial_user: prefill.userId } : {}),
    }),
    textInput(linkView.subscriber, 'Subscriber ID', prefill.subscriberId, { placeholder: 'subscriber-42', max: 200 }),
  ]);
}

export function linkSelfModal(email: string | undefined): View {
  const rule = email
    ? md`If the subscriber’s email in Novu is your Slack email (${email}), you are linked at once; if not, you can ask an admin.`
    : md`Slack does not show Switchboard your email, so an admin will be asked to approve the link.`;
  const intro = md`Novu’s Slack notifications for your subscriber will reach you as direct messages from Switchboard. ${rule}`;
  return formModal({ callbackId: linkSelfView.callbackId }, 'Link my Slack account', 'Link', [
    section(intro),
    textInput(linkSelfView.subscriber, 'Your Novu subscriber ID', undefined, { placeholder: 'subscriber-42', max: 200 }),
  ]);
}

export function linkingView(): View {
  return noticeModal('Link to Slack', md`:hourglass_flowing_sand: Writing the link to Novu…`);
}

/** The member's email is being checked against the subscriber's: nothing is written or promised yet. */
export function checkingLinkView(): View {
  return noticeModal('Link to Slack', md`:mag: Checking the subscriber’s email against yours… Nothing is written yet.`);
}

/** The link is written; for who may test, Test through Novu proves it delivers. */
export function linkedView(written: WrittenEndpoint, userId: string, subscriberId: string, canTest = true): View {
  const again = written.existing ? ' (they were already linked)' : '';
  const next = canTest ? [actions('routes-link-test', [testButton(written.endpoint.identifier)])] : [];
  return noticeModal(
    'Linked',
    md`:white_check_mark: ${mentionUser(userId)} now gets Novu’s Slack notifications for ${code(subscriberId)} as direct messages${again}.`,
    [...next, context(md`Details: endpoint ${code(written.endpoint.identifier)}`)],
  );
}

/** The email does not match: the person may ask an admin instead. */
export function emailMismatchView(subscriberId: string, reason: string): View {
  return noticeModal('Not linked yet', md`:information_source: ${reason}`, [
    actions('routes-ask', [button('Ask an admin', linkActions.ask, { value: subscriberId, style: 'primary' })]),
  ]);
}

export function askedView(subscriberId: string): View {
  return noticeModal(
    'Asked',
    md`:hourglass_flowing_sand: The workspace’s admins see your request to be linked to ${code(subscriberId)} on Switchboard’s Home tab. You will get a direct message when one of them decides.`,
  );
}

export function linkRequestsSection(requests: LinkRequest[]): KnownBlock[] {
  return [
    section(md`*Link requests*\nPeople asking to be linked to a subscriber whose email is not theirs.`),
    ...requests.flatMap((request) => [
      section(md`${mentionUser(request.userId)} asks to be linked to subscriber ${code(request.subscriberId)} · ${slackDate(request.requestedAt)}`),
      actions(`link-request-${request.id}`, [
        button('Approve', `${linkActions.approve}:${request.id}`, { value: request.id, style: 'primary' }),
        button('Deny', `${linkActions.deny}:${request.id}`, { value: request.id }),
      ]),
    ]),
  ];
}

export function linkDecisionDirectMessage(request: LinkRequest, outcome: { linked: boolean; error?: string }): SlackMessage {
  const { subscriberId: subscriber } = request;
  const by = mentionUser(request.decidedBy ?? '');
  if (request.status === 'denied') return message(md`Your request to be linked to ${subscriber} was declined by ${by}.`);
  if (outcome.linked) return message(md`:white_check_mark: ${by} approved: you now get Novu’s Slack notifications for ${subscriber} as direct messages.`);
  const text = md`:x: ${by} approved your link to ${subscriber}, but it was not written: ${failureSentence(outcome.error ?? 'unknown error')}`;
  return message(text, [section(text), ...failureDetails(outcome.error)]);
}

export function linkRunStartedMessage(): EphemeralMessage {
  return ephemeral(
    md`:hourglass_flowing_sand: Checking every member’s email against Novu’s subscribers. Nothing is linked until you confirm: the dry run and then the progress appear in your direct messages with Switchboard.`,
  );
}

export function linkRunBusyMessage(run: LinkRun): EphemeralMessage {
  return ephemeral(
    md`:hourglass_flowing_sand: A run started ${slackDate(run.createdAt)} by ${mentionUser(run.requestedBy)} is still ${run.status === 'linking' ? 'linking' : 'checking'}. Its progress is in their direct messages with Switchboard.`,
  );
}

const sample = (items: LinkItem[]) =>
  joinMd(
    items.map((item) => md`${mentionUser(item.userId)}${item.detail ? ` (${item.detail})` : ''}`),
    ', ',
  );

/** The run's message: progress while it works, the dry run's verdict with the buttons, the end. */
export function linkRunMessage(
  run: Pick<LinkRun, 'id' | 'status' | 'membersSeen' | 'error'>,
  counts: LinkCounts,
  examples: { unmatched: LinkItem[]; conflicts: LinkItem[] } = { unmatched: [], conflicts: [] },
): SlackMessage {
  const { linked, failed } = counts;
  const toLink = counts.matched + linked + failed;
  switch (run.status) {
    case 'planning':
      return sectionMessage(md`:hourglass_flowing_sand: Link everyone by email: checking members against Novu’s subscribers… ${run.membersSeen} read so far.`);
    case 'planned': {
      const summary = [
        md`*Link everyone by email: dry run*`,
        md`• ${plural(counts.matched, 'member')} will be linked to the subscriber with their email`,
        md`• ${plural(counts['already-linked'], 'is', 'are')} linked already`,
        md`• ${counts.unmatched} have no subscriber with their email${examples.unmatched.length ? md`: ${sample(examples.unmatched)}${counts.unmatched > examples.unmatched.length ? ', …' : ''}` : ''}`,
        md`• ${counts.conflict} match several subscribers and are left alone${examples.conflicts.length ? md`: ${sample(examples.conflicts)}` : ''}`,
      ];
      const confirm = confirmBlock(run.id, runActions, {
        count: counts.matched,
        label: `Link ${plural(counts.matched, 'member')}`,
        title: 'Link them?',
        text: md`Novu will send each of these ${plural(counts.matched, 'member')} their subscriber’s Slack notifications as direct messages.`,
        confirm: 'Link',
        nothing: md`Nothing to link.`,
      });
      return message(
        md`Dry run: ${counts.matched} to link, ${counts.unmatched} without a subscriber, ${counts.conflict} conflicts, ${counts['already-linked']} already linked.`,
        [section(joinMd(summary, '\n')), confirm],
      );
    }
    case 'linking':
      return sectionMessage(md`:hourglass_flowing_sand: Linking… ${linked + failed} of ${toLink} done${failed ? ` (${failed} failed)` : ''}.`);
    case 'done':
      return sectionMessage(
        md`:white_check_mark: Link everyone by email: ${linked} of ${plural(toLink, 'member')} linked${failed ? `; ${failed} failed (see the audit log)` : ''}.`,
      );
    case 'cancelled':
      return sectionMessage(md`Link everyone by email: cancelled; nothing was linked.`);
    case 'failed':
      return sectionMessage(
        md`:x: Link everyone by email stopped: ${failureSentence(run.error ?? 'unknown error')}`,
        ...failureDetails(run.error ?? undefined),
      );
  }
}
