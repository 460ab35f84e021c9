import { z } from 'zod';
import { type SettingName, settings } from './settings.js';

const { NODE_ENV, ...others } = Object.fromEntries(Object.entries(settings).map(([name, { schema }]) => [name, schema])) as {
  [Name in SettingName]: (typeof settings)[Name]['schema'];
};

/** The environment as strings in, typed values out; NODE_ENV is checked first. Cross-field rules are in `crossFieldProblems`. */
export const environmentSchema = z.object({ NODE_ENV, ...others });

export type Environment = z.infer<typeof environmentSchema>;

export interface EnvironmentProblem {
  name: SettingName;
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
  const signalwire = ['SIGNALWIRE_PROJECT_ID', 'SIGNALWIRE_API_TOKEN', 'SIGNALWIRE_SPACE_URL'] as const;
  if (signalwire.some((name) => env[name])) {
    for (const name of signalwire.filter((name) => !env[name])) problems.push({ name, problem: 'missing (SignalWire needs all three values)' });
  }
  return problems;
}
