import type { WebClient } from '@slack/web-api';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Logger } from '../logging/logger.js';
import type { Actor } from '../slack/actor.js';
import { type Action, actions, describeRole, type Policy, type Role } from './policy.js';

export class PermissionDenied extends Error {
  constructor(
    readonly action: Action,
    readonly required: Role,
  ) {
    super(`Only ${describeRole(required)} may ${actions[action].describe}.`);
    this.name = 'PermissionDenied';
  }
}

interface CachedRole {
  isAdmin: boolean;
  expiresAt: number;
}

/** The one place that answers "may this Slack user do this here?". */
export class Permissions {
  private readonly operators: Set<string>;
  private readonly adminCache = new Map<string, CachedRole>();

  constructor(
    private readonly policy: Policy,
    operators: readonly string[],
    private readonly audit: AuditTrail,
    private readonly logger: Logger,
    private readonly adminCacheMs = 60_000,
  ) {
    this.operators = new Set(operators);
  }

  isOperator(userId: string): boolean {
    return this.operators.has(userId);
  }

  async allows(actor: Actor, action: Action, client: WebClient): Promise<boolean> {
    const required = this.policy[action];
    if (required === 'everyone' || this.isOperator(actor.userId)) return true;
    if (required === 'operators') return false;
    return this.isTenantAdmin(actor, client);
  }

  /** The refusal (already audited) when the actor may not do this; undefined when they may. */
  async refusal(actor: Actor, action: Action, client: WebClient, target?: string): Promise<PermissionDenied | undefined> {
    if (await this.allows(actor, action, client)) return undefined;
    const refusal = new PermissionDenied(action, this.policy[action]);
    await this.audit.record({
      action,
      outcome: 'refused',
      workspaceKey: actor.tenant.key,
      userId: actor.userId,
      target,
      error: refusal.message,
    });
    return refusal;
  }

  /** Throws the audited PermissionDenied unless the actor may do this. */
  async require(actor: Actor, action: Action, client: WebClient, target?: string): Promise<void> {
    const refusal = await this.refusal(actor, action, client, target);
    if (refusal) throw refusal;
  }

  /**
   * Admins of the tenant: for a workspace install, its admins and owners; for an org-wide
   * (Enterprise Grid) install, the org's admins and owners — an admin of one workspace in the org
   * does not manage the org's connection.
   */
  private async isTenantAdmin(actor: Actor, client: WebClient): Promise<boolean> {
    const cacheKey = `${actor.tenant.key}/${actor.userId}`;
    const cached = this.adminCache.get(cacheKey);
    if (cached && cached.expiresAt > Date.now()) return cached.isAdmin;
    try {
      const { user } = await client.users.info({ user: actor.userId });
      const roles = actor.tenant.kind === 'enterprise' ? user?.enterprise_user : user;
      const isAdmin = Boolean(roles?.is_admin || roles?.is_owner || roles?.is_primary_owner);
      this.adminCache.set(cacheKey, { isAdmin, expiresAt: Date.now() + this.adminCacheMs });
      if (this.adminCache.size > 10_000) this.adminCache.delete(this.adminCache.keys().next().value as string);
      return isAdmin;
    } catch (error) {
      // Fail closed: without an answer from Slack nobody but operators gets through.
      this.logger.warn({ err: error, userId: actor.userId }, 'could not look up whether the user is a workspace admin');
      return false;
    }
  }
}
