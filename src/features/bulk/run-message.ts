import type { KnownBlock } from '@slack/types';
import type { JobFinish } from '../../jobs/queue.js';
import { actions, button, confirmDialog, context } from '../../slack/blocks.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import type { Mrkdwn } from '../../slack/mrkdwn.js';
import type { BulkItem, BulkRunBase, BulkRunRecords } from '../../store/types.js';
import type { BulkDeps } from '../deps.js';
import type { BulkFeature } from './feature.js';

/** At most one progress update this often (chat.update is rate limited at about one a second per channel). */
const reportEveryMs = 1_500;

/** A run's one message in the requester's DM, kept up to date as the run goes; and the DMs about it. */
export class RunMessages<Run extends BulkRunBase, Item extends BulkItem> {
  constructor(
    private readonly services: BulkDeps,
    private readonly records: BulkRunRecords<Run, unknown, Item>,
    private readonly feature: Pick<BulkFeature<Run, Item, unknown>, 'message'>,
  ) {}

  /** The run's message as it stands. */
  async current(run: Run): Promise<SlackMessage> {
    return this.feature.message(run, await this.records.counts(run.id));
  }

  /** Brings the message up to date, posting it the first time: at most every 1.5 s while the run works, always at a turn of its state (`final`). */
  async report(runId: string, final = false): Promise<void> {
    const { store, bots, logger } = this.services;
    await store.withLock(`bulk-run-report:${runId}`, async () => {
      if (!(await this.records.claimReport(runId, final ? 0 : reportEveryMs))) return;
      const run = await this.records.get(runId);
      const client = run && (await bots.forWorkspace(run.workspaceKey));
      if (!run || !client) return;
      const message = await this.current(run);
      try {
        if (run.channelId && run.messageTs) await client.chat.update({ channel: run.channelId, ts: run.messageTs, ...message } as never);
        else {
          const posted = await client.chat.postMessage({ channel: run.requestedBy, ...message } as never);
          if (posted.channel && posted.ts) await this.records.setMessage(run.id, posted.channel, posted.ts);
        }
      } catch (error) {
        logger.warn({ err: error, runId, kind: this.records.kind.name }, 'could not bring the progress message of a bulk run up to date');
      }
    });
  }

  /** A direct message to who started the run, and to who confirmed it if someone else did; each once, from a follow-up. */
  async tell(run: Run, message: SlackMessage, once: JobFinish['once']): Promise<void> {
    for (const userId of new Set([run.requestedBy, run.confirmedBy ?? run.requestedBy])) {
      await once(`dm:${userId}`, () => this.services.bots.sendDirectMessage(run.workspaceKey, userId, message));
    }
  }
}

/** The dry run's buttons: go ahead (after a confirmation dialog) or cancel; or, with nothing to do, say so. */
export function confirmBlock(
  runId: string,
  ids: { block: string; apply: string; cancel: string },
  words: { count: number; label: string; title: string; text: Mrkdwn; confirm: string; nothing: Mrkdwn },
): KnownBlock {
  if (words.count === 0) return context(words.nothing);
  const dialog = confirmDialog(words.title, words.text, words.confirm, 'primary');
  return actions(ids.block, [
    button(words.label, ids.apply, { value: runId, style: 'primary', confirm: dialog }),
    button('Cancel', ids.cancel, { value: runId }),
  ]);
}
