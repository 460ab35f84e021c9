import { z } from 'zod';
import { type Action, actionNames, buildPolicy, fixedActions, type Policy, type Role, roles } from '../permissions/policy.js';
import { isSupportedRegion } from '../util/phone-library.js';

/** The words a person needs to set a setting. */
export interface SettingDocs {
  summary: string;
  /** Where to find or how to make the value; shown next to a missing or invalid value. */
  where: string;
  /** Values of secret settings never reach a log line. */
  secret?: boolean;
  /** Shown in the README instead of the schema's default, when that default says nothing to a person. */
  shownDefault?: string;
}

export interface Setting extends SettingDocs {
  schema: z.ZodType;
  group: string;
}

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** One setting: its type (a blank value counts as unset) and its docs. */
export function setting<T extends z.ZodType>(schema: T, docs: SettingDocs) {
  return { schema: z.preprocess(blankToUndefined, schema), ...docs };
}

/** Settings that the README lists under one group. */
export function group<T extends Record<string, Omit<Setting, 'group'>>>(name: string, entries: T) {
  const grouped = Object.entries(entries).map(([key, entry]) => [key, { ...entry, group: name }]);
  return Object.fromEntries(grouped) as { [K in keyof T]: T[K] & { group: string } };
}

export const optionalString = z.string().trim().optional();
export const requiredString = z.string({ error: 'missing' }).trim();

export const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value)));

export const httpUrl = (fallback: string) => z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default(fallback);

/** A duration in the unit its setting names (seconds, minutes, hours, days): a number within bounds, fractions allowed. */
export const duration = (fallback: number, { min = 0.01, max = 86_400 } = {}) =>
  z.coerce
    .number({ error: 'must be a number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })
    .default(fallback);

const notAPort = { error: 'must be a port number' };
export const port = (min: number) => z.coerce.number(notAPort).int(notAPort).min(min, notAPort).max(65_535, notAPort);

/** The items of a comma-separated value, trimmed; unset or blank is none. */
const commaList = z
  .string()
  .default('')
  .transform((value) => value.split(',').flatMap((item) => item.trim() || []));

/** Comma-separated Slack IDs. */
export const idList = (pattern: RegExp, error: string) => commaList.refine((ids) => ids.every((id) => pattern.test(id)), { error });

// A bare space host ("example.signalwire.com") is what the dashboard shows; accept it.
export const spaceUrl = z.preprocess(
  (value) => (typeof value === 'string' && !/^https?:\/\//.test(value) ? `https://${value}` : value),
  z.url({ protocol: /^https?$/, error: 'must be your space URL, e.g. https://example.signalwire.com' }).optional(),
);

export const phoneRegion = z.preprocess(
  (value) => (typeof value === 'string' ? value.trim().toUpperCase() : value) || undefined,
  z
    .string()
    .refine((region) => isSupportedRegion(region), { error: 'must be a two-letter region such as US or GB' })
    .default('US'),
);

/** `action=role` pairs over the built-in policy. */
export const policyOverrides = commaList.transform((pairs, ctx) => {
  const overrides: Partial<Policy> = {};
  for (const pair of pairs) {
    const [action, role] = pair.split('=').map((part) => part.trim());
    if (fixedActions.includes(action as Action)) {
      ctx.addIssue({ code: 'custom', message: `"${action}" is always for operators and cannot be changed` });
    } else if (!actionNames.includes(action as Action) || !roles.includes(role as Role)) {
      ctx.addIssue({ code: 'custom', message: `"${pair}" is not action=role (actions: ${actionNames.join(', ')}; roles: ${roles.join(', ')})` });
    } else {
      overrides[action as Action] = role as Role;
    }
  }
  return buildPolicy(overrides);
});
