import { z } from 'zod';
import type { Logger } from '../../logging/logger.js';
import { enterpriseKey, teamKey } from '../../store/workspace-key.js';
import { type Tenant, tenantOfAuthorization, tenantOfKey } from '../../tenancy/tenant.js';
import type { ConnectionDeps } from '../deps.js';

/**
 * The parts of an `app_uninstalled` / `tokens_revoked` delivery that say whose installation ended.
 * Slack's documented payloads for these two events carry no `authorizations`: Bolt then reports
 * `isEnterpriseInstall: false`, although an org-wide uninstall names the enterprise in
 * `enterprise_id`, with `team_id` empty or one workspace of the org.
 */
const lifecycleEnvelope = z.object({
  team_id: z.string().nullish(),
  enterprise_id: z.string().nullish(),
  authorizations: z
    .array(z.object({ team_id: z.string().nullish(), enterprise_id: z.string().nullish(), is_enterprise_install: z.boolean().optional() }))
    .optional(),
  event: z.object({
    type: z.string(),
    tokens: z.object({ bot: z.array(z.string()).optional() }).optional(),
  }),
});

/** Slack's answers to auth.test meaning the token no longer works. */
const endedTokenErrors = new Set(['token_revoked', 'invalid_auth', 'account_inactive', 'not_authed', 'team_access_not_granted']);

/**
 * Finds the installations an uninstall event ends, among those Switchboard holds. A team install
 * and an org-wide install can both match a delivery without `authorizations`; then the event's own
 * evidence decides (the bot user ids `tokens_revoked` lists), else Slack is asked (`auth.test` on
 * each stored token: a revoked one is gone).
 */
export class EndedInstallations {
  constructor(
    private readonly services: Pick<ConnectionDeps, 'installations' | 'store' | 'bots'>,
    private readonly logger: Logger,
  ) {}

  async of(body: unknown): Promise<Tenant[]> {
    const envelope = lifecycleEnvelope.safeParse(body).data;
    if (!envelope) return [];
    const authorization = envelope.authorizations?.[0];
    if (authorization) {
      const tenant = tenantOfAuthorization({
        isEnterpriseInstall: authorization.is_enterprise_install,
        enterpriseId: authorization.enterprise_id ?? undefined,
        teamId: authorization.team_id ?? undefined,
      });
      return tenant ? [tenant] : [];
    }
    const candidates = await this.heldCandidates(envelope);
    if (candidates.length <= 1) return candidates.map((candidate) => candidate.tenant);

    const revokedBots = new Set(envelope.event.tokens?.bot ?? []);
    const named = candidates.filter((candidate) => candidate.botUserId && revokedBots.has(candidate.botUserId));
    if (named.length > 0) return named.map((candidate) => candidate.tenant);
    const confirmed = await Promise.all(candidates.map(async (candidate) => ((await this.tokenEnded(candidate.tenant)) ? candidate.tenant : undefined)));
    return confirmed.filter((tenant): tenant is Tenant => tenant !== undefined);
  }

  /** The tenants the envelope may mean that Switchboard holds an installation (or a leftover connection) for. */
  private async heldCandidates(envelope: z.infer<typeof lifecycleEnvelope>): Promise<{ tenant: Tenant; botUserId?: string }[]> {
    const keys = new Set([
      ...(envelope.team_id ? [teamKey(envelope.team_id)] : []),
      ...(envelope.enterprise_id ? [enterpriseKey(envelope.enterprise_id)] : []),
      // Some deliveries put the enterprise id where the team id goes.
      ...(envelope.team_id && !envelope.enterprise_id ? [enterpriseKey(envelope.team_id)] : []),
    ]);
    const held = await Promise.all(
      [...keys].map(async (key) => {
        const [stored, connection] = await Promise.all([this.services.installations.find(key), this.services.store.connections.find(key)]);
        if (!stored && !connection) return undefined;
        return { tenant: tenantOfKey(key), botUserId: stored?.installation.bot?.userId };
      }),
    );
    return held.filter((candidate) => candidate !== undefined);
  }

  private async tokenEnded(tenant: Tenant): Promise<boolean> {
    const client = await this.services.bots.forWorkspace(tenant.key);
    if (!client) return true; // only a leftover connection: the installation is already gone
    try {
      await client.auth.test();
      return false;
    } catch (error) {
      const slackError = (error as { data?: { error?: string } }).data?.error;
      if (slackError && endedTokenErrors.has(slackError)) return true;
      this.logger.warn({ err: error, workspaceKey: tenant.key }, 'could not tell whether an installation ended; it is kept');
      return false;
    }
  }
}
