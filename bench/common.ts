import { randomBytes } from 'node:crypto';
import type { Installation } from '@slack/bolt';

/** The benchmark's workspaces: T000000000, T000000001, … */
export function benchTeamId(index: number): string {
  return `T${String(index).padStart(9, '0')}`;
}

export function installationFor(index: number): Installation {
  const teamId = benchTeamId(index);
  return {
    team: { id: teamId, name: `Team ${index}` },
    enterprise: undefined,
    user: { id: 'U0BENCHADMIN', token: undefined, scopes: undefined },
    bot: { token: `xoxb-${teamId}-${randomBytes(12).toString('hex')}`, scopes: ['commands'], id: 'B1', userId: 'U0BOT' },
    isEnterpriseInstall: false,
    appId: 'A0SWITCHBRD',
    authVersion: 'v2',
  } as Installation;
}

/** The p-th percentile (nearest rank), to the microsecond. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN, 3);
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
