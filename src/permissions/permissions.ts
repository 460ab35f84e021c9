import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, type WebClient, type WebClientOptions } from '@slack/web-api';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Logger } from '../logging/logger.js';
import type { Actor } from '../slack/actor.js';
import { joinMd, type Mrkdwn, md, mentionUser } from '../slack/mrkdwn.js';
import { TokenClients } from '../slack/token-clients.js';
import type { WorkspaceKey } from '../store/workspace-key.js';
import { type Action, actions, type Policy, type Role, roleDescriptions } from './policy.js';

export class PermissionDenied extends Error {
  constructor(
    readonly action: Action,
    readonly required: Role,
    /** `unknown`: Slack did not say who the person is (slow or rate-limited), so nothing was allowed. */
    readonly reason: 'role' | 'unknown' = 'role',
    /** Who the person can ask, by mention: for a message, not for a form field's plain text. */
    readonly ask?: Mrkdwn,
  ) {
    super(
      reason === 'role'
        ? `Only ${roleDescriptions[required]} may ${actions[action].describe}.`
        : `Slack did not say in time whether you may ${actions[action].describe}, so nothing was changed. Try again in a minute.`,
    );
    this.name = 'PermissionDenied';
  }
}

/** A check answered within its budget, or still asking Slack (`settled` gives the answer). */
export type QuickCheck =
  | { status: 'allowed' }
  | { status: 'refused'; refusal: PermissionDenied }
  | { status: 'pending'; settled: Promise<PermissionDenied | undefined> };

/** A role younger than this is used as it is; an older one (up to `staleMs`) is used at once while Slack is asked again. */
const freshMs = 5 * 60_000;
const staleMs = 60 * 60_000;
/** Roles remembered at most; the least recently learned go first. */
const maxRoles = 20_000;
const lookupAttempts = 3;
const lookupTimeoutMs = 8_000;
/** A form's acknowledgement carries its field errors, so it waits at most this long for Slack. */
const submitBudgetMs = 1_500;

/**
 * The one place that answers "may this Slack user do this here?". Roles come from `users.info`
 * and are remembered, so a command's acknowledgement rarely waits on Slack; when it would, the
 * caller gets `pending` within its budget and decides what to say meanwhile.
 */
export class Permissions {
  private readonly operators: Set<string>;
  private readonly roles = new Map<string, { isAdmin: boolean; at: number }>();
  private readonly lookups = new Map<string, Promise<boolean | undefined>>();
  /** Clients for role lookups: they run behind the acknowledgement, so they may wait longer than a request's client. */
  private readonly lookupClients: TokenClients;

  constructor(
    private readonly policy: Policy,
    operators: readonly string[],
    private readonly audit: AuditTrail,
    private readonly logger: Logger,
    private readonly options: {
      client?: Pick<WebClientOptions, 'slackApiUrl' | 'logger'>;
      /** Who installed Switchboard in a workspace: the person a refusal names first when Slack says they are an admin. */
      installerOf?: (key: WorkspaceKey) => Promise<string | undefined>;
    } = {},
  ) {
    this.operators = new Set(operators);
    this.lookupClients = new TokenClients({ ...options.client, timeout: lookupTimeoutMs, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  }

  /** Who may do this under the policy in force. */
  readonly roleFor = (action: Action): Role => this.policy[action];

  isOperator(userId: string): boolean {
    return this.operators.has(userId);
  }

  async allows(actor: Actor, action: Action, client: WebClient): Promise<boolean> {
    return (await this.standing(actor, action, client)) === 'allowed';
  }

  /** The refusal (already audited) when the actor may not do this; undefined when they may. */
  async refusal(actor: Actor, action: Action, client: WebClient, target?: string): Promise<PermissionDenied | undefined> {
    const standing = await this.standing(actor, action, client);
    if (standing === 'allowed') return undefined;
    const required = this.policy[action];
    const refusal = new PermissionDenied(action, required, standing === 'unknown' ? 'unknown' : 'role', await this.whoCanHelp(actor, required, client));
    await this.audit.record({ action, outcome: 'refused', workspaceKey: actor.tenant.key, userId: actor.userId, target, error: refusal.message });
    return refusal;
  }

  /**
   * Whom to ask, by mention: the operators for what only they may do; else the workspace's admins,
   * naming the person who installed Switchboard here when Slack says they are one. With `wait`,
   * Slack is asked when their role is not known yet (the Home tab, which no acknowledgement waits
   * for); a refusal uses only what is known, and asks Slack for next time.
   */
  async whoCanHelp(actor: Actor, required: Role, client: WebClient, { wait = false } = {}): Promise<Mrkdwn> {
    const operators = [...this.operators].slice(0, 3).map(mentionUser);
    const anOperator = operators.length ? md`a Switchboard operator (${joinMd(operators, ', ')})` : undefined;
    if (required === 'operators') return anOperator ? md`Ask ${anOperator}.` : md`No Switchboard operator is set up yet (the \`OPERATORS\` setting).`;
    const installer = await this.options.installerOf?.(actor.tenant.key).catch(() => undefined);
    let installerIsAdmin = false;
    if (installer && installer !== actor.userId) {
      const known = this.roles.get(`${actor.tenant.key}/${installer}`)?.isAdmin;
      const asked = this.isTenantAdmin({ ...actor, userId: installer }, client);
      if (wait || known === undefined) asked.catch(() => {});
      installerIsAdmin = (wait ? await asked.catch(() => undefined) : known) === true;
    }
    const admins = installerIsAdmin && installer ? md`${mentionUser(installer)} or another workspace admin` : md`one of your workspace admins`;
    return md`Ask ${admins}${anOperator ? md`, or ${anOperator}` : ''}.`;
  }

  /** Whether the person may, may not, or Slack has not said. */
  private async standing(actor: Actor, action: Action, client: WebClient): Promise<'allowed' | 'refused' | 'unknown'> {
    const required = this.policy[action];
    if (required === 'everyone' || this.isOperator(actor.userId)) return 'allowed';
    if (required === 'operators') return 'refused';
    const isAdmin = await this.isTenantAdmin(actor, client);
    return isAdmin === undefined ? 'unknown' : isAdmin ? 'allowed' : 'refused';
  }

  /** The same check, answered within `budgetMs`: from what is known, or `pending` while Slack is still asked. */
  async quick(actor: Actor, action: Action, client: WebClient, target: string | undefined, budgetMs: number): Promise<QuickCheck> {
    const settled = this.refusal(actor, action, client, target);
    const answer = await Promise.race([settled.then((refusal) => ({ refusal })), sleep(budgetMs, undefined, { ref: false })]);
    if (!answer) return { status: 'pending', settled };
    return answer.refusal ? { status: 'refused', refusal: answer.refusal } : { status: 'allowed' };
  }

  /**
   * For a form being submitted: why it may not be, in words for a field, or undefined when it may.
   * The form was opened by the same person moments ago, so the role is nearly always known; when
   * Slack is slow all the same, the form stays as it is and says to submit again.
   */
  async formRefusal(actor: Actor, action: Action, client: WebClient, target: string): Promise<string | undefined> {
    const check = await this.quick(actor, action, client, target, submitBudgetMs);
    if (check.status === 'allowed') return undefined;
    if (check.status === 'refused') return check.refusal.message;
    check.settled.catch(() => {});
    return 'Slack did not say in time whether you may do this. Submit again in a moment.';
  }

  /**
   * Admins of the tenant: for a workspace install, its admins and owners; for an org-wide
   * (Enterprise Grid) install, the org's admins and owners — an admin of one workspace in the org
   * does not manage the org's connection.
   */
  private async isTenantAdmin(actor: Actor, client: WebClient): Promise<boolean | undefined> {
    const key = `${actor.tenant.key}/${actor.userId}`;
    const known = this.roles.get(key);
    const age = known ? Date.now() - known.at : Number.POSITIVE_INFINITY;
    if (known && age < freshMs) return known.isAdmin;
    const lookup = this.lookUp(key, actor, client);
    // A role remembered within the hour answers now; Slack's fresh answer replaces it for next time.
    if (known && age < staleMs) {
      lookup.catch(() => {});
      return known.isAdmin;
    }
    return lookup;
  }

  /** One `users.info` per person at a time, retried after a rate limit or a slow answer; undefined when Slack never said. */
  private lookUp(key: string, actor: Actor, client: WebClient): Promise<boolean | undefined> {
    const running = this.lookups.get(key);
    if (running) return running;
    const lookupClient = client.token ? this.lookupClients.for(client.token) : client;
    const lookup = (async () => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          const { user } = await lookupClient.users.info({ user: actor.userId });
          const roles = actor.tenant.kind === 'enterprise' ? user?.enterprise_user : user;
          const isAdmin = Boolean(roles?.is_admin || roles?.is_owner || roles?.is_primary_owner);
          this.remember(key, isAdmin);
          return isAdmin;
        } catch (error) {
          if ((error as { code?: string }).code === ErrorCode.PlatformError) {
            // Slack answered, with an error about this person (user_not_found, say): not an admin.
            this.logger.warn({ err: error, userId: actor.userId }, 'Slack refused to say whether the user is an admin');
            return false;
          }
          if (attempt >= lookupAttempts) {
            // Fail closed: without an answer from Slack nobody but operators gets through.
            this.logger.warn({ err: error, userId: actor.userId }, 'could not look up whether the user is an admin');
            return undefined;
          }
          const retryAfter = (error as { retryAfter?: number }).retryAfter;
          await sleep(retryAfter ? retryAfter * 1000 : 300 * attempt);
        }
      }
    })().finally(() => this.lookups.delete(key));
    this.lookups.set(key, lookup);
    return lookup;
  }

  private remember(key: string, isAdmin: boolean): void {
    this.roles.delete(key);
    this.roles.set(key, { isAdmin, at: Date.now() });
    if (this.roles.size > maxRoles) this.roles.delete(this.roles.keys().next().value as string);
  }
}
