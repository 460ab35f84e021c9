import type { IntegrationUse } from '../backends/novu/integrations.js';
import type { Services } from '../services.js';
import { selectOption } from '../slack/blocks.js';

/**
 * A picker's options: the active integrations fit for the use (Novu itself would take a Slack token
 * or a phone endpoint on any integration), matching the typed text; none when Novu does not answer.
 */
export async function integrationOptions(services: Pick<Services, 'integrations' | 'logger'>, use: IntegrationUse, query: string) {
  try {
    const choices = (await services.integrations?.choices(use, query)) ?? [];
    return choices
      .slice(0, 100)
      .map((integration) => selectOption(`${integration.name ?? integration.identifier} (${integration.providerId})`, integration.identifier));
  } catch (error) {
    services.logger.warn({ err: error }, 'could not load Novu integrations for a picker');
    return [];
  }
}
