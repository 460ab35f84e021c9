import { type NovuExplanation, unknownSubscriber } from '../backends/novu/explain.js';
import type { Store } from '../store/types.js';
import type { NovuScope } from './novu-scope.js';
import type { Tenant } from './tenant.js';

/**
 * Subscribers stay with their tenant: nobody but an operator routes, links or registers for a
 * subscriber that is another tenant's — another workspace's own subscriber by the
 * `NOVU_SUBSCRIBER_ID` template (`slack-T…`), or one Switchboard made for another workspace. The
 * answer is the one a subscriber Novu does not have gets, word for word.
 */
export class TenantSubscribers {
  constructor(
    private readonly store: Store,
    private readonly scope: NovuScope,
    private readonly isOperator: (userId: string) => boolean,
  ) {}

  /** Why the tenant may not use this subscriber (as Novu's "no such subscriber"), or undefined when it may. */
  async refusal(tenant: Tenant, userId: string, subscriberId: string): Promise<NovuExplanation | undefined> {
    if (this.isOperator(userId)) return undefined;
    const templated = this.scope.tenantIdOfSubscriber(subscriberId);
    if (templated !== undefined && templated !== tenant.id) return unknownSubscriber(subscriberId);
    const owner = await this.store.tenantSubscribers.owner(subscriberId);
    if (owner !== undefined && owner !== tenant.key) return unknownSubscriber(subscriberId);
    return undefined;
  }
}
