import type { NovuConfig } from '../../config/load.js';
import type { ConnectionRecord, ConnectionScope } from '../../store/types.js';
import { contextKeysOf, type NovuScope, sameContextKeys } from '../../tenancy/novu-scope.js';
import type { Tenant } from '../../tenancy/tenant.js';
import { sha256 } from '../../util/ids.js';

/** How a workspace's Novu channel connection is scoped. */
export interface ConnectionSettings {
  integrationIdentifier: string;
  mode: 'shared' | 'subscriber';
  /** Context type → id; required in shared mode. */
  context: Record<string, string>;
  subscriberId?: string;
}

/** The Slack side of the connection: the team, or the enterprise for an org-wide install. */
export interface SlackWorkspace {
  id: string;
  name?: string;
}

export const contextIdPattern = /^[a-zA-Z0-9_-]{1,100}$/;
export const maxContextEntries = 5;

/**
 * What an install uses when nobody has run `/connect setup`: the configured integration and mode,
 * in the tenant's own scope — its context in both modes, and its own subscriber in subscriber mode.
 */
export function defaultSettings(novu: NovuConfig, scope: NovuScope, tenant: Tenant): ConnectionSettings | undefined {
  if (!novu.integrationIdentifier) return undefined;
  return {
    integrationIdentifier: novu.integrationIdentifier,
    mode: novu.connectionMode,
    context: scope.context(tenant),
    subscriberId: novu.connectionMode === 'subscriber' ? scope.subscriber(tenant) : undefined,
  };
}

/** The scope columns a record keeps for these settings. */
export function scopeOf(settings: ConnectionSettings): ConnectionScope {
  return {
    integrationIdentifier: settings.integrationIdentifier,
    mode: settings.mode,
    context: Object.keys(settings.context).length > 0 ? settings.context : null,
    subscriberId: settings.mode === 'subscriber' ? (settings.subscriberId ?? null) : null,
  };
}

export function settingsOf(record: ConnectionRecord): ConnectionSettings {
  return {
    integrationIdentifier: record.integrationIdentifier,
    mode: record.mode,
    context: record.context ?? {},
    subscriberId: record.subscriberId ?? undefined,
  };
}

/**
 * One identifier per (integration, workspace), the same on every replica and every retry, so a
 * repeated write finds the connection it made instead of making a second one.
 */
export function connectionIdentifier(integrationIdentifier: string, workspaceId: string): string {
  return `slack-${workspaceId.toLowerCase()}-${sha256(`${integrationIdentifier}\u0000${workspaceId}`).slice(0, 10)}`;
}

/** Novu keeps mode, context and subscriber fixed for a connection; changing them means a new one. */
export function sameScope(a: ConnectionSettings, b: ConnectionSettings): boolean {
  return (
    a.integrationIdentifier === b.integrationIdentifier &&
    a.mode === b.mode &&
    (a.subscriberId ?? '') === (b.subscriberId ?? '') &&
    sameContextKeys(contextKeysOf(a.context), contextKeysOf(b.context))
  );
}

/** Parses "type:id" (or "type=id") entries, one per line or comma-separated; returns problems in plain words. */
export function parseContextEntries(text: string): { context: Record<string, string>; problems: string[] } {
  const context: Record<string, string> = {};
  const problems: string[] = [];
  const entries = text
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const match = /^([^:=\s]+)\s*[:=]\s*(\S+)$/.exec(entry);
    if (!match?.[1] || !match[2]) {
      problems.push(`"${entry}" is not type:id (for example tenant:acme)`);
      continue;
    }
    const [, type, id] = match;
    if (!contextIdPattern.test(type)) problems.push(`context type "${type}" may only use letters, digits, _ and - (1–100 characters)`);
    else if (!contextIdPattern.test(id)) problems.push(`context id "${id}" may only use letters, digits, _ and - (1–100 characters)`);
    else if (context[type] !== undefined) problems.push(`context type "${type}" is given twice`);
    else context[type] = id;
  }
  if (Object.keys(context).length > maxContextEntries) problems.push(`at most ${maxContextEntries} context entries`);
  return { context, problems };
}

export function formatContext(context: Record<string, string>): string {
  return contextKeysOf(context).join(', ');
}
