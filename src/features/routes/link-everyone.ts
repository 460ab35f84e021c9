import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { NovuClient } from '../../backends/novu/client.js';
import type { Actor } from '../../slack/actor.js';
import type { EphemeralMessage } from '../../slack/blocks.js';
import type { LinkItem, LinkRun, WorkspaceKey } from '../../store/types.js';
import { type Tenant, tenantOfKey } from '../../tenancy/tenant.js';
import { BulkEngine } from '../bulk/engine.js';
import type { RouteDeps } from '../deps.js';
import type { WrittenEndpoint } from '../endpoint-writer.js';
import { failureLine } from '../failure-text.js';
import { describeNovuFailure } from '../novu-failures.js';
import { linkRunBusyMessage, linkRunMessage, linkRunStartedMessage } from './link-messages.js';
import { notConnectedMessage } from './messages.js';
import type { RouteJobs } from './route-jobs.js';
import type { TenantMember } from './slack-checks.js';

export const planLinksJob = 'slack.links.plan';
export const applyLinksJob = 'slack.links.apply';

const searchesAtOnce = 4;

const nextPage = { response_metadata: z.object({ next_cursor: z.string().nullish() }).nullish() };
const memberSchema = z
  .object({
    id: z.string(),
    deleted: z.boolean().nullish(),
    is_bot: z.boolean().nullish(),
    profile: z.object({ email: z.string().nullish() }).loose().nullish(),
  })
  .loose();
const usersPage = z.object({ members: z.array(memberSchema), ...nextPage });
const teamsPage = z.object({ teams: z.array(z.object({ id: z.string() }).loose()), ...nextPage });

/**
 * "Link everyone by email", as a bulk run: the dry run matches each member's Slack email to the
 * Novu subscribers with that email (and finds who is linked already); once an admin confirms, one
 * route job per matched member writes the link. Each member's link has a fixed identifier, so a
 * second run links nobody twice.
 */
export class LinkEveryone {
  /** The run engine: its jobs, and an admin's confirm (one job per matched member) or cancel. */
  readonly runs: BulkEngine<LinkRun, { membersSeen?: number }, LinkItem, WrittenEndpoint>;

  constructor(
    private readonly services: RouteDeps,
    private readonly novu: NovuClient,
    private readonly routes: RouteJobs,
  ) {
    this.runs = new BulkEngine(services, services.store.linkRuns, {
      jobs: { plan: planLinksJob, apply: applyLinksJob },
      plan: (run) => this.plan(run),
      describePlanError: describeNovuFailure,
      enqueue: (run, item, requestedBy) =>
        routes.enqueueCreate(
          { workspaceKey: run.workspaceKey, requestedBy, type: 'slack_user', target: item.userId, subscriberId: item.subscriberId ?? '', linkRunId: run.id },
          `link-run:${run.id}:${item.userId}`,
        ),
      settlement: (outcome) => (outcome.status === 'done' ? { state: 'linked' } : { state: 'failed', detail: failureLine(outcome.error).slice(0, 300) }),
      message: async (run, counts) => {
        if (run.status !== 'planned') return linkRunMessage(run, counts);
        const examples = (state: LinkItem['state']) => services.store.linkRuns.items(run.id, { states: [state], limit: 10 });
        return linkRunMessage(run, counts, { unmatched: await examples('unmatched'), conflicts: await examples('conflict') });
      },
    });
    routes.onCreated(async (payload, outcome) => {
      if (payload.linkRunId) await this.runs.itemFinished(payload.linkRunId, payload.target, outcome);
    });
  }

  async start(actor: Actor): Promise<EphemeralMessage> {
    if (!(await this.routes.usableConnection(actor.tenant.key))) return notConnectedMessage();
    const latest = await this.services.store.linkRuns.latest(actor.tenant.key);
    if (latest && (latest.status === 'planning' || latest.status === 'linking')) {
      // A run whose process stopped before its job was stored would wait forever: its job is stored now (once, by its key).
      await this.runs.resume(latest);
      return linkRunBusyMessage(latest);
    }
    await this.runs.start(actor, {});
    return linkRunStartedMessage();
  }

  /** Each member's verdict, by user id; the count read so far shows in the run's message. */
  private async plan(run: LinkRun): Promise<LinkItem[]> {
    const client = await this.services.bots.forWorkspace(run.workspaceKey);
    if (!client) throw new Error('Switchboard is no longer installed in this workspace');
    const members = await this.members(client, tenantOfKey(run.workspaceKey));
    const linked = await this.linkedMembers(run.workspaceKey);
    const items: LinkItem[] = [];
    let next = 0;
    const worker = async () => {
      while (next < members.length) {
        const member = members[next++] as TenantMember;
        items.push(await this.verdict(member, linked));
        if (items.length % 50 === 0) {
          await this.services.store.linkRuns.setFields(run.id, { membersSeen: items.length });
          await this.runs.report(run.id);
        }
      }
    };
    await Promise.all(Array.from({ length: searchesAtOnce }, worker));
    await this.services.store.linkRuns.setFields(run.id, { membersSeen: items.length });
    return items.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  }

  /** Active people of the tenant's workspace (every workspace of the org for an org-wide install): no bots, no Slackbot, no one deactivated. */
  private async members(client: WebClient, tenant: Tenant): Promise<TenantMember[]> {
    const teams = tenant.kind === 'enterprise' ? await this.orgTeams(client) : [undefined];
    const members = new Map<string, TenantMember>();
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
  private async verdict(member: TenantMember, linked: Map<string, string>): Promise<LinkItem> {
    const already = linked.get(member.userId);
    if (already) return { userId: member.userId, subscriberId: already, state: 'already-linked', detail: null };
    if (!member.email) return { userId: member.userId, subscriberId: null, state: 'unmatched', detail: 'no email in Slack' };
    let found = await this.novu.subscribersWithEmail(member.email);
    if (found.length === 0 && member.email.toLowerCase() !== member.email) found = await this.novu.subscribersWithEmail(member.email.toLowerCase());
    if (found.length === 1) return { userId: member.userId, subscriberId: found[0]?.subscriberId ?? null, state: 'matched', detail: null };
    if (found.length === 0) return { userId: member.userId, subscriberId: null, state: 'unmatched', detail: null };
    return { userId: member.userId, subscriberId: null, state: 'conflict', detail: `${found.length} subscribers` };
  }
}
