import type { Services } from '../services.js';

// What each feature is built from: only the parts of the app it uses, named in one place.

/** What every feature uses: the store and the queue, who may act, the audit trail, the bot, the logger, its settings and the events. */
type Core = 'audit' | 'bots' | 'config' | 'events' | 'logger' | 'permissions' | 'queue' | 'store';

/** Connect and delivery: both work with the workspace's Novu connection. */
export type ConnectionDeps = Pick<Services, Core | 'backends' | 'installations' | 'integrations' | 'novuScope' | 'sharing'>;
export type HomeDeps = Pick<Services, Core | 'backends' | 'installations' | 'novuScope' | 'tenants'>;
export type NumberDeps = Pick<Services, Core | 'backends' | 'cipher' | 'novuScope' | 'sharing' | 'tenants'>;
export type PhoneDeps = Pick<Services, Core | 'backends' | 'installations' | 'integrations' | 'novuScope' | 'sharing' | 'tenants'>;
export type RouteDeps = Pick<Services, Core | 'backends' | 'novuScope' | 'sharing'>;
export type TenantDeps = Pick<Services, Core | 'installations' | 'tenants'>;
export type BulkDeps = Pick<Services, Core>;
export type ReportDeps = Pick<Services, Core | 'backends' | 'cipher'>;
