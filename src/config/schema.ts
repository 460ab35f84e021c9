import { z } from 'zod';
import { type Action, actionNames, buildPolicy, fixedActions, type Policy, type Role, roles } from '../permissions/policy.js';
import { isSupportedRegion } from '../util/phone-library.js';
import type { VariableName } from './variables.js';

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());
const requiredString = z.preprocess(blankToUndefined, z.string({ error: 'missing' }).trim());
const flag = (fallback: boolean) =>
  z.preprocess(
    blankToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .optional()
      .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value))),
  );
const httpUrl = (fallback: string) => z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default(fallback));
/** A duration in the unit its variable names (seconds, minutes, hours, days): a number within bounds, fractions allowed. */
const duration = (fallback: number, { min = 0.01, max = 86_400 } = {}) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a number' })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` })
      .default(fallback),
  );
const contextId = /^[a-zA-Z0-9_-]{1,100}$/;

/** The environment as strings in, typed values out. Cross-field rules are in `refineEnvironment`. */
export const environmentSchema = z.object({
  NODE_ENV: z.preprocess(blankToUndefined, z.enum(['development', 'production', 'test']).default('development')),
  SLACK_SIGNING_SECRET: requiredString,
  SLACK_CLIENT_ID: requiredString,
  SLACK_CLIENT_SECRET: requiredString,
  SLACK_STATE_SECRET: requiredString,
  SLACK_APP_TOKEN: z.preprocess(blankToUndefined, z.string().startsWith('xapp-', { error: 'must be an app-level token starting with xapp-' }).optional()),
  SLACK_API_URL: httpUrl('https://slack.com/api/'),
  SLACK_AUTHORIZE_URL: httpUrl('https://slack.com/oauth/v2/authorize'),
  SLACK_DIRECT_INSTALL: flag(false),
  PORT: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a port number' })
      .int({ error: 'must be a port number' })
      .min(0, { error: 'must be a port number' })
      .max(65_535, { error: 'must be a port number' })
      .default(3000),
  ),
  PUBLIC_URL: httpUrl('http://localhost:3000'),
  METRICS_TOKEN: optionalString,
  METRICS_PORT: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a port number' })
      .int({ error: 'must be a port number' })
      .min(1, { error: 'must be a port number' })
      .max(65_535, { error: 'must be a port number' })
      .optional(),
  ),
  DATABASE_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, { error: 'must be file:<path> or postgres://…' })
      .default('file:./data/switchboard.db'),
  ),
  ENCRYPTION_KEY: z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine((value) => Buffer.from(value, 'base64').length === 32, {
        error: 'must be base64 of exactly 32 bytes',
      })
      .optional(),
  ),
  NOVU_SECRET_KEY: optionalString,
  NOVU_API_URL: httpUrl('https://api.novu.co'),
  NOVU_INTEGRATION_IDENTIFIER: optionalString,
  NOVU_CONNECTION_MODE: z.preprocess(blankToUndefined, z.enum(['shared', 'subscriber'], { error: 'must be shared or subscriber' }).default('shared')),
  NOVU_CONTEXT_TYPE: z.preprocess(blankToUndefined, z.string().regex(contextId, { error: 'must be 1–100 letters, digits, _ or -' }).default('tenant')),
  NOVU_SUBSCRIBER_ID: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .max(200, { error: 'must be at most 200 characters' })
      .regex(/^[^\s]+$/, { error: 'must not contain spaces' })
      .default('slack-{tenant}'),
  ),
  NOVU_KEEP_CONNECTION_ON_UNINSTALL: flag(false),
  NOVU_TOKEN_ROTATION: z.preprocess(blankToUndefined, z.enum(['switchboard', 'novu'], { error: 'must be switchboard or novu' }).default('switchboard')),
  NOVU_TEST_WAIT_SECONDS: duration(60, { min: 1, max: 600 }),
  VAPI_API_KEY: optionalString,
  VAPI_API_URL: httpUrl('https://api.vapi.ai'),
  SIGNALWIRE_PROJECT_ID: optionalString,
  SIGNALWIRE_API_TOKEN: optionalString,
  SIGNALWIRE_SPACE_URL: z.preprocess((value) => {
    const text = blankToUndefined(value);
    // A bare space host ("example.signalwire.com") is what the dashboard shows; accept it.
    return typeof text === 'string' && !/^https?:\/\//.test(text) ? `https://${text}` : text;
  }, z.url({ protocol: /^https?$/, error: 'must be your space URL, e.g. https://example.signalwire.com' }).optional()),
  INSTALL_POLICY: z.preprocess(
    blankToUndefined,
    z.enum(['approval', 'allowlist', 'open'], { error: 'must be approval, allowlist or open' }).default('approval'),
  ),
  INSTALL_ALLOWLIST: z.preprocess(
    blankToUndefined,
    z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean),
      )
      .refine((ids) => ids.every((id) => /^[TE][A-Z0-9]{2,}$/.test(id)), {
        error: 'must be Slack team IDs (T…) or Enterprise Grid org IDs (E…), separated by commas',
      }),
  ),
  OPERATORS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean),
      )
      .refine((ids) => ids.every((id) => /^[UW][A-Z0-9]{2,}$/.test(id)), {
        error: 'must be Slack user IDs such as U012ABCDEF, separated by commas',
      }),
  ),
  PERMISSIONS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .default('')
      .transform((value, ctx) => {
        const overrides: Partial<Policy> = {};
        for (const pair of value
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean)) {
          const [action, role] = pair.split('=').map((part) => part.trim());
          if (fixedActions.includes(action as Action)) {
            ctx.addIssue({ code: 'custom', message: `"${action}" is always for operators and cannot be changed` });
            continue;
          }
          if (!actionNames.includes(action as Action) || !roles.includes(role as Role)) {
            ctx.addIssue({
              code: 'custom',
              message: `"${pair}" is not action=role (actions: ${actionNames.join(', ')}; roles: ${roles.join(', ')})`,
            });
            continue;
          }
          overrides[action as Action] = role as Role;
        }
        return buildPolicy(overrides);
      }),
  ),
  AUDIT_CHANNEL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^(T[A-Z0-9]{2,}:)?[CG][A-Z0-9]{2,}$/, { error: 'must be a channel ID such as C012ABCDEF (or T012ABC:C012ABCDEF)' })
      .optional(),
  ),
  AUDIT_RETENTION_DAYS: duration(90, { min: 1, max: 36_500 }),
  DEFAULT_PHONE_REGION: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim().toUpperCase() : value) || undefined,
    z
      .string()
      .refine((region) => isSupportedRegion(region), { error: 'must be a two-letter region such as US or GB' })
      .default('US'),
  ),
  NUMBER_REQUEST_TTL_HOURS: duration(72, { max: 24 * 365 }),
  LOG_LEVEL: z.preprocess(blankToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  LOG_FORMAT: z.preprocess(blankToUndefined, z.enum(['json', 'pretty']).optional()),
  BACKEND_TIMEOUT_SECONDS: duration(10, { max: 300 }),
  INLINE_WAIT_SECONDS: duration(4, { max: 60 }),
  JOB_MAX_ATTEMPTS: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100).default(12)),
  JOB_RETRY_BASE_SECONDS: duration(5, { max: 3600 }),
  JOB_LEASE_SECONDS: duration(60, { min: 1, max: 3600 }),
  INSTALLATION_CACHE_SECONDS: duration(300, { min: 0, max: 86_400 }),
  INSTALLATION_CACHE_SIZE: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(1_000_000).default(5_000)),
  NUMBER_ACTIVATION_CHECK_SECONDS: duration(30, { max: 3600 }),
  NUMBER_ACTIVATION_TIMEOUT_MINUTES: duration(30, { max: 7 * 24 * 60 }),
} satisfies Record<VariableName, z.ZodType>);

export type Environment = z.infer<typeof environmentSchema>;

export interface EnvironmentProblem {
  name: VariableName;
  problem: string;
}

/** Rules that involve more than one variable. */
export function crossFieldProblems(env: Environment): EnvironmentProblem[] {
  const problems: EnvironmentProblem[] = [];
  if (env.NODE_ENV === 'production' && !env.ENCRYPTION_KEY) {
    problems.push({ name: 'ENCRYPTION_KEY', problem: 'missing (required when NODE_ENV=production)' });
  }
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT === env.PORT) {
    problems.push({ name: 'METRICS_PORT', problem: 'must differ from PORT (metrics get a port of their own)' });
  }
  const signalwire = [env.SIGNALWIRE_PROJECT_ID, env.SIGNALWIRE_API_TOKEN, env.SIGNALWIRE_SPACE_URL];
  if (signalwire.some(Boolean) && !signalwire.every(Boolean)) {
    for (const name of ['SIGNALWIRE_PROJECT_ID', 'SIGNALWIRE_API_TOKEN', 'SIGNALWIRE_SPACE_URL'] as const) {
      if (!env[name]) problems.push({ name, problem: 'missing (SignalWire needs all three values)' });
    }
  }
  return problems;
}
