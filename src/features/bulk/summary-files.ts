import type { WebClient } from '@slack/web-api';
import { describeJobError, type JobDefinition, type JobFinish, TerminalJobError } from '../../jobs/queue.js';
import type { BulkItem, BulkRunBase, BulkRunRecords } from '../../store/types.js';
import type { BulkDeps } from '../deps.js';
import { failureText } from '../failure-text.js';
import { toCsv } from './csv.js';
import { type RunPayload, runItems, type SummaryFile, type SummaryFileKind } from './feature.js';
import type { RunMessages } from './run-message.js';

interface FilePayload extends RunPayload {
  kind: SummaryFileKind;
}

/**
 * A run's summary files: the items with problems after the dry run, those whose jobs failed at the
 * end, each a CSV in the requester's DM, sent by a job of its own (a file that cannot be sent is
 * said in a DM instead).
 */
export class SummaryFiles<Run extends BulkRunBase, Item extends BulkItem> {
  constructor(
    private readonly services: BulkDeps,
    private readonly records: BulkRunRecords<Run, unknown, Item>,
    private readonly messages: RunMessages<Run, Item>,
    private readonly jobKind: string,
    private readonly files: Record<SummaryFileKind, SummaryFile<Run, Item>>,
  ) {}

  get definitions(): JobDefinition[] {
    return [
      {
        kind: this.jobKind,
        describe: 'send a summary file',
        run: (payload) => this.send(payload),
        onFinished: (finish) => this.afterSend(finish),
        // Slack's words behind the sentence.
        describeError: (error) =>
          error instanceof TerminalJobError ? error.message : failureText('Slack did not take the file.', `Slack: ${describeJobError(error)}`),
      } satisfies JobDefinition<FilePayload, { rows: number }>,
    ];
  }

  /** Queues the file, when the run has items for it; once per run and kind of file. */
  async queue(run: Run, kind: SummaryFileKind, requestedBy: string): Promise<void> {
    if ((await this.records.counts(run.id))[this.files[kind].state] === 0) return;
    const payload: FilePayload = { workspaceKey: run.workspaceKey, runId: run.id, requestedBy, kind };
    await this.services.queue.enqueue(this.jobKind, payload, { dedupeKey: `${this.jobKind}:${run.id}:${kind}` });
  }

  private async send({ workspaceKey, runId, kind }: FilePayload): Promise<{ rows: number }> {
    const run = await this.records.get(runId);
    if (!run) return { rows: 0 };
    const file = this.files[kind];
    const items: Item[] = [];
    for await (const item of runItems(this.records, runId, file.state)) items.push(item);
    if (items.length === 0) return { rows: 0 };
    const client = await this.services.bots.forWorkspace(workspaceKey);
    if (!client) throw new TerminalJobError('Switchboard is no longer installed in this workspace.');
    const name = file.name(run);
    // Into the DM of the run's message: `channel_id` must be a conversation id, not a user id.
    await client.filesUploadV2({
      channel_id: run.channelId ?? (await directMessageChannel(client, run.requestedBy)),
      filename: name,
      title: name,
      content: toCsv(file.lines(items)),
      initial_comment: file.comment(run, items.length).text,
    });
    return { rows: items.length };
  }

  /** The file could not be sent: the requester hears so, instead of waiting for it. */
  private async afterSend({ payload: { runId, kind }, outcome, once }: JobFinish<{ rows: number }, FilePayload>): Promise<void> {
    if (outcome.status === 'done') return;
    const run = await this.records.get(runId);
    if (run) await this.messages.tell(run, this.files[kind].notSent(run, outcome.error), once);
  }
}

async function directMessageChannel(client: WebClient, userId: string): Promise<string> {
  const opened = await client.conversations.open({ users: userId });
  if (!opened.channel?.id) throw new Error('Slack opened no direct message channel');
  return opened.channel.id;
}
