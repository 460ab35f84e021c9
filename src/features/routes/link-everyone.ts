import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { NovuClient } from '../../backends/novu/client.js';
import type { JobFinish, JobRunContext } from '../../jobs/queue.js';
import type { Actor } from '../../slack/actor.js';
import type { EphemeralMessage } from '../../slack/blocks.js';
import type { LinkItem, LinkRun, WorkspaceKey } from '../../store/types.js';
import { type Tenant, tenantOfKey } from '../../tenancy/tenant.js';
import type { RouteDeps } from '../deps.js';
import type { WrittenEndpoint } from '../endpoint-writer.js';
import { describeNovuFailure } from '../novu-failures.js';
import { linkRunBusyMessage, linkRunMessage, linkRunStartedMessage } from './link-messages.js';
import { notConnectedMessage } from './messages.js';
import type { RouteJobs, RoutePayload } from './route-jobs.js';

export const planLinksJob = 'slack.links.plan';
export const applyLinksJob = 'slack.links.apply';

interface RunPayload {
  workspaceKey: WorkspaceKey;
  runId: string;
  requestedBy: string;
}

/** At most one progress update this often (chat.update is rate limited at about one a second per channel). */
const reportEveryMs = 1_500;
const searchesAtOnce = 4;

const memberSchema = z
  .object({
    id: z.string(),
    deleted: z.boolean().nullish(),
    is_bot: z.boolean().nullish(),
    profile: z.object({ email: z.string().nullish() }).loose().nullish(),
  })
  .loose();
const usersPage = z.object({ members: z.array(memberSchema), response_metadata: z.object({ next_cursor: z.string().nullish() }).nullish() });
const teamsPage = z.object({
  teams: z.array(z.object({ id: z.string() }).loose()),
  response_metadata: z.object({ next_cursor: z.string().nullish() }).nullish(),
});

interface Member {
  userId: string;
  email: string | undefined;
}

/**
 * "Link everyone by email": a dry run matches each member's Slack email to the Novu subscribers
 * with that email (and finds who is linked already), then, once an admin confirms, one durable
 * job per member writes the link. Progress is one message in the admin's DM, updated as the
 * jobs finish; after a restart the queued jobs carry on and the message catches up. Each member's
 * link has a fixed identifier, so a second run links nobody twice.
 */
export class LinkEveryone {
  constructor(
    private readonly services: RouteDeps,
    private readonly novu: NovuClient,
    private readonly routes: RouteJobs,
  ) {
    services.queue.define<RunPayload, { members: number }>({
      kind: planLinksJob,
      run: (payload, context) => this.plan(payload, context),
      onFinished: (finish) => this.afterPlan(finish),
      describeError: describeNovuFailure,
    });
    services.queue.define<RunPayload, { queued: number }>({
      kind: applyLinksJob,
      run: (payload) => this.queueMembers(payload),
    });
    routes.onCreated((payload, outcome) => this.memberFinished(payload, outcome));
  }

  async start(actor: Actor): Promise<EphemeralMessage> {
    if (!(await this.routes.usableConnection(actor.tenant.key))) return notConnectedMessage();
    const latest = await this.services.store.linkRuns.latest(actor.tenant.key);
    if (latest && (latest.status === 'planning' || latest.status === 'linking')) {
      // A run whose process stopped before its job was stored would wait forever: its job is stored now (once, by its key).
      await this.queueRunJob(latest.status === 'planning' ? planLinksJob : applyLinksJob, latest);
      return linkRunBusyMessage(latest);
    }
    const run = await this.services.store.linkRuns.create({ workspaceKey: actor.tenant.key, requestedBy: actor.userId });
    // The message first, so the job's reports find it.
    await this.postProgressMessage(run);
    await this.queueRunJob(planLinksJob, run);
    return linkRunStartedMessage();
  }

  /** The admin confirmed the dry run: one job per matched member. Clicking twice starts it once. */
  async apply(actor: Actor, runId: string): Promise<void> {
    const run = await this.services.store.linkRuns.get(runId);
    if (run?.workspaceKey !== actor.tenant.key) return;
    const started = await this.services.store.linkRuns.transition(runId, ['planned'], 'linking');
    // Clicked again while linking: its job is stored again (the same one), in case the first click's process stopped short of it.
    if (!started && run.status !== 'linking') return;
    await this.queueRunJob(applyLinksJob, { ...run, requestedBy: started ? actor.userId : run.requestedBy });
    if (started) await this.report(runId, { final: true });
  }

  /** A run's planning or linking job, once per run (by its key). */
  private async queueRunJob(kind: typeof planLinksJob | typeof applyLinksJob, run: Pick<LinkRun, 'id' | 'workspaceKey' | 'requestedBy'>): Promise<void> {
    await this.services.queue.enqueue(kind, { workspaceKey: run.workspaceKey, runId: run.id, requestedBy: run.requestedBy } satisfies RunPayload, {
      dedupeKey: `${kind}:${run.id}`,
      workspaceKey: run.workspaceKey,
      requestedBy: run.requestedBy,
    });
  }

  async cancel(actor: Actor, runId: string): Promise<void> {
    const run = await this.services.store.linkRuns.get(runId);
    if (run?.workspaceKey !== actor.tenant.key) return;
    if (await this.services.store.linkRuns.transition(runId, ['planned'], 'cancelled')) await this.report(runId, { final: true });
  }

  private async postProgressMessage(run: LinkRun): Promise<void> {
    const client = await this.services.bots.forWorkspace(run.workspaceKey);
    if (!client) return;
    try {
      const posted = await client.chat.postMessage({
        channel: run.requestedBy,
        ...linkRunMessage(run, await this.services.store.linkRuns.counts(run.id)),
      } as never);
      if (posted.channel && posted.ts) await this.services.store.linkRuns.setMessage(run.id, posted.channel, posted.ts);
    } catch (error) {
      this.services.logger.warn({ err: error, runId: run.id }, 'could not post the progress message of a link run');
    }
  }

  private async plan({ workspaceKey, runId }: RunPayload, context: JobRunContext): Promise<{ members: number }> {
    const tenant = tenantOfKey(workspaceKey);
    const client = await this.services.bots.forWorkspace(workspaceKey);
    if (!client) throw new Error('Switchboard is no longer installed in this workspace');
    const members = await this.members(client, tenant);
    const linked = await this.linkedMembers(workspaceKey);
    const items: LinkItem[] = [];
    let next = 0;
    const worker = async () => {
      while (next < members.length) {
        const member = members[next++] as Member;
        items.push(await this.verdict(member, linked));
        if (items.length % 50 === 0) {
          await this.services.store.linkRuns.setMembersSeen(runId, items.length);
          await this.report(runId);
        }
      }
    };
    await Promise.all(Array.from({ length: searchesAtOnce }, worker));
    context.logger.info({ runId, members: members.length }, 'link run planned');
    await this.services.store.linkRuns.saveItems(runId, items);
    await this.services.store.linkRuns.setMembersSeen(runId, items.length);
    return { members: items.length };
  }

  private async afterPlan({ job, outcome }: JobFinish<{ members: number }>): Promise<void> {
    const { runId } = job.payload as RunPayload;
    if (outcome.status === 'done') await this.services.store.linkRuns.transition(runId, ['planning'], 'planned');
    else await this.services.store.linkRuns.transition(runId, ['planning'], 'failed', outcome.error);
    await this.report(runId, { final: true });
  }

  /** Active people of the tenant's workspace (every workspace of the org for an org-wide install): no bots, no Slackbot, no one deactivated. */
  private async members(client: WebClient, tenant: Tenant): Promise<Member[]> {
    const teams = tenant.kind === 'enterprise' ? await this.orgTeams(client) : [undefined];
    const members = new Map<string, Member>();
    for (const teamId of teams) {
      let cursor: string | undefined;
      do {
        const page = usersPage.parse(await client.users.list({ limit: 200, ...(cursor ? { cursor } : {}), ...(teamId ? { team_id: teamId } : {}) }));
        for (const member of page.members) {
          if (member.deleted || member.is_bot || member.id === 'USLACKBOT') continue;
          members.set(member.id, { userId: member.id, email: member.profile?.email ?? undefined });
        }
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor);
    }
    return [...members.values()];
  }

  private async orgTeams(client: WebClient): Promise<string[]> {
    const teams: string[] = [];
    let cursor: string | undefined;
    do {
      const page = teamsPage.parse(await client.auth.teams.list({ limit: 100, ...(cursor ? { cursor } : {}) }));
      teams.push(...page.teams.map((team) => team.id));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return teams;
  }

  /** Members already linked in this tenant, to the subscriber they are linked to. */
  private async linkedMembers(workspaceKey: WorkspaceKey): Promise<Map<string, string>> {
    const linked = new Map<string, string>();
    let after: { createdAt: number; identifier: string } | undefined;
    for (;;) {
      const page = await this.services.store.endpoints.page({ workspaceKey, types: ['slack_user'], after, limit: 500 });
      for (const route of page) if (!linked.has(route.target)) linked.set(route.target, route.subscriberId);
      const last = page.at(-1);
      if (!last || page.length < 500) return linked;
      after = { createdAt: last.createdAt, identifier: last.identifier };
    }
  }

  /** Novu's search is exact and case-sensitive: the email as Slack has it, then lowercased. */
  private async verdict(member: Member, linked: Map<string, string>): Promise<LinkItem> {
    const already = linked.get(member.userId);
    if (already) return { userId: member.userId, subscriberId: already, state: 'already-linked', detail: null };
    if (!member.email) return { userId: member.userId, subscriberId: null, state: 'unmatched', detail: 'no email in Slack' };
    let found = await this.novu.subscribersWithEmail(member.email);
    if (found.length === 0 && member.email.toLowerCase() !== member.email) found = await this.novu.subscribersWithEmail(member.email.toLowerCase());
    if (found.length === 1) return { userId: member.userId, subscriberId: found[0]?.subscriberId ?? null, state: 'matched', detail: null };
    if (found.length === 0) return { userId: member.userId, subscriberId: null, state: 'unmatched', detail: null };
    return { userId: member.userId, subscriberId: null, state: 'conflict', detail: `${found.length} subscribers` };
  }

  /** Queues the matched members' jobs, a page at a time; run again after a restart, it queues nobody twice. */
  private async queueMembers({ workspaceKey, runId, requestedBy }: RunPayload): Promise<{ queued: number }> {
    let queued = 0;
    let afterUserId: string | undefined;
    for (;;) {
      const page = await this.services.store.linkRuns.items(runId, { states: ['matched'], afterUserId, limit: 200 });
      for (const item of page) {
        if (!item.subscriberId) continue;
        const payload: RoutePayload = { workspaceKey, requestedBy, type: 'slack_user', target: item.userId, subscriberId: item.subscriberId, linkRunId: runId };
        await this.routes.enqueueCreate(payload, `link-run:${runId}:${item.userId}`);
        queued += 1;
      }
      afterUserId = page.at(-1)?.userId;
      if (page.length < 200) break;
    }
    if (queued === 0) await this.finishIfDone(runId);
    return { queued };
  }

  private async memberFinished(payload: RoutePayload, outcome: JobFinish<WrittenEndpoint>['outcome']): Promise<void> {
    if (!payload.linkRunId) return;
    const settled = await this.services.store.linkRuns.settleItem(
      payload.linkRunId,
      payload.target,
      outcome.status === 'done' ? 'linked' : 'failed',
      outcome.status === 'failed' ? outcome.error.slice(0, 300) : undefined,
    );
    // Settled before (this follow-up delivered again after a crash): the run may still need finishing.
    if (!(await this.finishIfDone(payload.linkRunId)) && settled) await this.report(payload.linkRunId);
  }

  private async finishIfDone(runId: string): Promise<boolean> {
    if ((await this.services.store.linkRuns.counts(runId)).matched > 0) return false;
    if (await this.services.store.linkRuns.transition(runId, ['linking'], 'done')) await this.report(runId, { final: true });
    return true;
  }

  /** Brings the run's message up to date: at most every 1.5 s while it works, always at a turn of its state. */
  private async report(runId: string, { final = false } = {}): Promise<void> {
    const { store, bots, logger } = this.services;
    await store.withLock(`link-run-report:${runId}`, async () => {
      if (!(await store.linkRuns.claimReport(runId, final ? 0 : reportEveryMs))) return;
      const run = await store.linkRuns.get(runId);
      if (!run?.channelId || !run.messageTs) return;
      const counts = await store.linkRuns.counts(runId);
      const examples =
        run.status === 'planned'
          ? {
              unmatched: await store.linkRuns.items(runId, { states: ['unmatched'], limit: 10 }),
              conflicts: await store.linkRuns.items(runId, { states: ['conflict'], limit: 10 }),
            }
          : undefined;
      const client = await bots.forWorkspace(run.workspaceKey);
      await client?.chat
        .update({ channel: run.channelId, ts: run.messageTs, ...linkRunMessage(run, counts, examples) } as never)
        .catch((error: unknown) => logger.warn({ err: error, runId }, 'could not update the progress message of a link run'));
    });
  }
}
