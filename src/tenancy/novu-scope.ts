import type { NovuConfig } from '../config/load.js';
import type { Tenant } from './tenant.js';

/** `type:id` pairs, sorted, as Novu lists a context's keys. */
export function contextKeysOf(context: Record<string, string>): string[] {
  return Object.entries(context)
    .map(([type, id]) => `${type}:${id}`)
    .sort();
}

/** The same context set, in any order: what Novu's worker requires of an endpoint and its connection (buildContextExactMatchQuery). */
export function sameContextKeys(a: readonly string[] | null | undefined, b: readonly string[] | null | undefined): boolean {
  const left = a ?? [];
  const right = b ?? [];
  return left.length === right.length && left.every((key) => right.includes(key));
}

/** The placeholders a subscriber template may hold; each becomes the tenant's Slack id. */
const placeholders = /\{(tenant|team)\}/g;

/**
 * How a tenant is scoped in Novu: the context `{<NOVU_CONTEXT_TYPE>: <tenant id>}` on every
 * connection and endpoint Switchboard writes for it, and — in subscriber mode — a subscriber of
 * its own, from the `NOVU_SUBSCRIBER_ID` template.
 */
export class NovuScope {
  constructor(private readonly novu: Pick<NovuConfig, 'contextType' | 'subscriberTemplate'>) {}

  /** The tenant's own context entry. */
  context(tenant: Tenant): Record<string, string> {
    return { [this.novu.contextType]: tenant.id };
  }

  /** `type:id`, as Novu lists context keys. */
  contextKey(tenant: Tenant): string {
    return `${this.novu.contextType}:${tenant.id}`;
  }

  /** True when Novu's context keys put a record in this tenant's scope. */
  owns(tenant: Tenant, contextKeys: readonly string[] | null | undefined): boolean {
    return (contextKeys ?? []).includes(this.contextKey(tenant));
  }

  /** The subscriber a tenant's connection belongs to in subscriber mode. */
  subscriber(tenant: Tenant): string {
    return this.novu.subscriberTemplate.replace(placeholders, tenant.id);
  }

  /** The tenant a subscriber ID is the templated subscriber of (`slack-T0123` → `T0123`), if it is one. */
  tenantIdOfSubscriber(subscriberId: string): string | undefined {
    if (this.sharedSubscriber) return undefined;
    const pattern = this.novu.subscriberTemplate
      .split(placeholders)
      .map((part, index) => (index % 2 === 1 ? '([A-Z0-9]+)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    const match = new RegExp(`^${pattern}$`).exec(subscriberId);
    const ids = match?.slice(1) ?? [];
    return ids.length > 0 && ids.every((id) => id === ids[0]) ? ids[0] : undefined;
  }

  /** True when every tenant gets the same subscriber (a template without a placeholder: the operator's choice). */
  get sharedSubscriber(): boolean {
    return !new RegExp(placeholders.source).test(this.novu.subscriberTemplate);
  }
}
