import type { NovuClient } from './client.js';
import type { Integration } from './schemas.js';

/** Providers whose connection carries a Slack bot token. */
const slackProviders = new Set(['slack', 'novu-slack']);

/** Chat providers that deliver to a phone number (phone endpoints, e.g. WhatsApp Business, Sendblue); every SMS integration does too. */
const phoneChatProviders = new Set(['whatsapp-business', 'sendblue']);

/** What an integration is for, as far as Switchboard's forms care. Novu itself checks none of this. */
export type IntegrationUse = 'slack' | 'phone';

export function fitsUse(integration: Integration, use: IntegrationUse): boolean {
  if (use === 'slack') return integration.channel === 'chat' && slackProviders.has(integration.providerId);
  return integration.channel === 'sms' || (integration.channel === 'chat' && phoneChatProviders.has(integration.providerId));
}

/**
 * Novu's active integrations, kept for a minute: the pickers and the checks at submit read them
 * without a Novu call on most requests, and a stale list is used when Novu does not answer.
 * Novu accepts a Slack token on an email integration and a phone endpoint on any integration
 * (create-channel-connection / create-channel-endpoint usecases check no type), so Switchboard checks.
 */
export class IntegrationCatalog {
  private cached: { at: number; integrations: Integration[] } | undefined;
  private loading: Promise<Integration[]> | undefined;

  constructor(
    private readonly novu: NovuClient,
    private readonly ttlMs = 60_000,
  ) {}

  async list(): Promise<Integration[]> {
    if (this.cached && Date.now() - this.cached.at < this.ttlMs) return this.cached.integrations;
    this.loading ??= this.novu
      .listActiveIntegrations()
      .then((integrations) => {
        this.cached = { at: Date.now(), integrations };
        return integrations;
      })
      .finally(() => {
        this.loading = undefined;
      });
    try {
      return await this.loading;
    } catch (error) {
      if (this.cached) return this.cached.integrations;
      throw error;
    }
  }

  /** The identifiers of the active integrations: what a form's integration option may stand for. */
  async identifiers(): Promise<string[]> {
    return (await this.list()).map((integration) => integration.identifier);
  }

  /** The active integrations that fit, matching the typed text. */
  async choices(use: IntegrationUse, query: string): Promise<Integration[]> {
    const needle = query.trim().toLowerCase();
    return (await this.list()).filter(
      (integration) =>
        fitsUse(integration, use) &&
        (!needle || `${integration.identifier} ${integration.name ?? ''} ${integration.providerId}`.toLowerCase().includes(needle)),
    );
  }

  /** Why `identifier` cannot be used for this, in words for the form field; undefined when it can. */
  async problem(identifier: string, use: IntegrationUse): Promise<string | undefined> {
    const integrations = await this.list().catch(() => undefined);
    if (!integrations) return 'Novu did not answer, so the integration could not be checked. Try again in a moment.';
    const integration = integrations.find((candidate) => candidate.identifier === identifier);
    if (!integration) return `${identifier} is not an active integration in Novu.`;
    if (fitsUse(integration, use)) return undefined;
    const wanted = use === 'slack' ? 'a Slack integration' : 'an integration that delivers to phone numbers (SMS or WhatsApp)';
    return `${integration.name ?? identifier} (${integration.providerId}) is not ${wanted}.`;
  }
}
