import type { NovuContext } from '../backends/novu/schemas.js';
import type { Store } from '../store/types.js';
import { contextKeysOf, type NovuScope } from './novu-scope.js';
import type { Tenant } from './tenant.js';

/**
 * The one Novu context set of a tenant. Novu's worker delivers a chat step only through endpoints
 * whose context set equals the trigger's, bound to a connection with that same set
 * (resolve-channel-endpoints.usecase.ts, buildContextExactMatchQuery), so everything Switchboard
 * writes for a tenant — its connection, its Slack routes, its phone endpoints — carries exactly
 * this set, and integrators trigger with it. It is the connection's, as Novu last confirmed it;
 * before there is a connection, the tenant's own entry `{<NOVU_CONTEXT_TYPE>: <team or enterprise id>}`.
 */
export class TenantContexts {
  constructor(
    private readonly store: Store,
    private readonly scope: NovuScope,
  ) {}

  async of(tenant: Tenant): Promise<NovuContext> {
    const connection = await this.store.connections.find(tenant.key);
    return connection ? (connection.context ?? {}) : this.scope.context(tenant);
  }

  async keysOf(tenant: Tenant): Promise<string[]> {
    return contextKeysOf(await this.of(tenant));
  }
}
